/* fuzz_csv.c - libFuzzer target for the CSV reader (src/lib/csv.c), run by
 * tests/fuzz/run. Reads arbitrary bytes from memory with small limits and
 * with larger ones, through errors (the reader resumes after each), and
 * checks what it hands out: 1..max_fields fields, each valid UTF-8 and at
 * most max_field bytes, line numbers that never go back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/utf8.h"

static void read_all(const uint8_t *data, size_t size, size_t max_field, int max_fields)
{
    struct csv_reader *r = NULL;
    struct err e = {0};
    char **f;
    int n, rc;
    long last = 0;
    size_t records = 0;

    if (csv_open_mem((const char *)data, size, max_field, max_fields, &r, &e) != 0)
        abort();
    while ((rc = csv_next(r, &f, &n, &e)) != 0) {
        if (++records > size + 2)
            abort(); /* more records than bytes: the reader is not making progress */
        long line = csv_line(r);
        if (line < 1 || line < last)
            abort();
        last = line;
        if (rc < 0) {
            if (e.code != rc || e.message[0] == '\0')
                abort();
            continue;
        }
        if (rc != 1 || n < 1 || n > max_fields)
            abort();
        for (int i = 0; i < n; i++) {
            size_t len = strlen(f[i]);
            if (len > max_field || !utf8_valid(f[i], len))
                abort();
        }
    }
    csv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size, 8, 3);
    read_all(data, size, 64, 16);
    return 0;
}
