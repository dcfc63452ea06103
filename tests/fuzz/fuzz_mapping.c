/* fuzz_mapping.c - libFuzzer target for src/core/mapping.c (tests/fuzz/run).
 *
 * Each input is used four ways: as a JSON payload for every shipped JSON
 * mapping (vendors/NAME.json, loaded once), as a mapping file (and, when it
 * loads, applied to itself), as a CSV file for the shipped CSV mapping
 * (first record the header) and as a signature header over itself. Nothing
 * may crash, leak or trip a sanitizer; every error must carry a message that
 * is valid UTF-8; every result must serialise and have the shape and types
 * core/result's result_parse expects (it may still refuse a range). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/result.h"
#include "lib/crypto.h"
#include "lib/csv.h"
#include "lib/utf8.h"

#ifndef TALENTD_VENDORS_DIR
#define TALENTD_VENDORS_DIR "vendors"
#endif

static const char *const shipped[] = {"native", "stars", "analysis", "csv_zh"};
#define NSHIPPED (sizeof(shipped) / sizeof(shipped[0]))
static struct mapping *maps[NSHIPPED];

static void setup(void)
{
    const char *dir = getenv("TALENTD_VENDORS_DIR");
    if (!dir)
        dir = TALENTD_VENDORS_DIR;
    if (crypto_setup() != 0)
        abort();
    for (size_t i = 0; i < NSHIPPED; i++) {
        char path[4096];
        json_error_t je;
        struct err e = {0};
        snprintf(path, sizeof(path), "%s/%s.json", dir, shipped[i]);
        json_t *j = json_load_file(path, 0, &je);
        if (!j || mapping_load(j, shipped[i], &maps[i], &e) != 0) {
            fprintf(stderr, "fuzz_mapping: cannot load %s: %s %s\n", path, je.text, e.message);
            abort();
        }
        json_decref(j);
    }
}

/* An error must have a code, a message and valid UTF-8 text. */
static void check_err(int rc, const struct err *e)
{
    if (rc >= 0 || e->code != rc || e->message[0] == '\0' || !utf8_valid(e->message, strlen(e->message)) ||
        !utf8_valid(e->field, strlen(e->field))) {
        fprintf(stderr, "bad error: rc %d code %d field \"%s\" message \"%s\"\n", rc, e->code, e->field, e->message);
        abort();
    }
}

/* A result must be an object naming its vendor and must serialise. */
static void check_result(const struct mapping *m, json_t *out)
{
    json_t *v = json_object_get(out, "vendor");
    if (!json_is_object(out) || !json_is_string(v) || strcmp(json_string_value(v), mapping_name(m)) != 0 ||
        !json_is_integer(json_object_get(out, "overall")) || !json_is_string(json_object_get(out, "completed_at")) ||
        !json_is_array(json_object_get(out, "dimensions")))
        abort();
    char *s = json_dumps(out, JSON_COMPACT);
    if (!s)
        abort();
    free(s);
    /* core/result may refuse a value (a range, a length), never the shape. */
    struct result r;
    struct err e = {0};
    if (result_parse(out, &r, &e) != 0 && (strcmp(e.slug, "unknown_field") == 0 || strcmp(e.slug, "wrong_type") == 0)) {
        fprintf(stderr, "result_parse: %s (%s, %s)\n", e.message, e.field, e.slug);
        abort();
    }
    result_free(&r);
}

static void apply_json(const struct mapping *m, json_t *payload)
{
    struct err e = {0};
    json_t *out = NULL;
    int rc = mapping_apply_json(m, payload, &out, &e);
    if (rc == 0) {
        check_result(m, out);
        json_decref(out);
    } else {
        check_err(rc, &e);
        if (out)
            abort();
    }
}

static void apply_csv(const struct mapping *m, const uint8_t *data, size_t size)
{
    struct csv_reader *r = NULL;
    struct mapping_cols *cols = NULL;
    struct err e = {0};
    char **f;
    int n, rc, rows = 0;

    if (csv_open_mem((const char *)data, size, 256, 32, &r, &e) != 0)
        abort();
    while (rows++ < 64 && (rc = csv_next(r, &f, &n, &e)) != 0) {
        if (rc < 0)
            continue;
        if (!cols) {
            e = (struct err){0};
            rc = mapping_csv_header(m, f, n, &cols, &e);
            if (rc != 0) {
                check_err(rc, &e);
                break;
            }
            continue;
        }
        json_t *out = NULL;
        e = (struct err){0};
        rc = mapping_apply_row(m, cols, f, n, &out, &e);
        if (rc == 0) {
            check_result(m, out);
            json_decref(out);
        } else {
            check_err(rc, &e);
        }
    }
    mapping_cols_free(cols);
    csv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }

    json_error_t je;
    json_t *j = json_loadb((const char *)data, size, 0, &je);
    if (j) {
        for (size_t i = 0; i < NSHIPPED; i++)
            if (!mapping_is_csv(maps[i]))
                apply_json(maps[i], j);

        struct mapping *m = NULL;
        struct err e = {0};
        int rc = mapping_load(j, NULL, &m, &e);
        if (rc == 0) {
            if (!mapping_is_csv(m))
                apply_json(m, j);
            else
                apply_csv(m, data, size);
            mapping_free(m);
        } else {
            check_err(rc, &e);
            if (m)
                abort();
        }
        json_decref(j);
    }

    apply_csv(maps[NSHIPPED - 1], data, size);

    /* The input as a signature header over itself. */
    char sig[160];
    size_t n = size < sizeof(sig) - 1 ? size : sizeof(sig) - 1;
    memcpy(sig, data, n);
    sig[n] = '\0';
    struct err e = {0};
    int rc = mapping_verify_signature(maps[1], (const unsigned char *)"k", 1, data, size, sig, &e);
    if (rc != ERR_UNAUTHORIZED || e.code != ERR_UNAUTHORIZED)
        abort(); /* forging an HMAC by chance is not expected */
    return 0;
}
