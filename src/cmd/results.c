/* results.c - `talentd import results`, `talentd results`, `talentd vendor`. */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "core/mapping.h"
#include "core/result.h"
#include "io/vendors.h"
#include "lib/csv.h"
#include "lib/mem.h"
#include "lib/timeutil.h"
#include "svc/results.h"
#include "svc/results_apply.h"
#include "svc/vendors.h"

/* Rows per transaction. Each commit lets SQLite checkpoint the WAL into the database, which writes
 * the pages the batch touched (indexes all over the file) and syncs: with 500 rows a batch that was
 * a good part of an import's time. A crash still loses at most one batch, and a re-run skips what
 * was committed. */
#define BATCH_ROWS 10000
#define CSV_MAX_FIELD ((size_t)1024 * 1024)
#define CSV_MAX_FIELDS 256
#define IMPORT_CACHE_KIB 262144 /* 256 MiB of SQLite page cache for the import's connection */

static const char import_results_usage[] =
    "usage: talentd import results FILE --vendor NAME [--rejects FILE] [--quiet]\n"
    "  FILE is JSONL (one result per line) or CSV, as the vendor's mapping says.\n"
    "  Rejected rows go to the rejects file (default FILE.rejects) with line number and reason;\n"
    "  one bad row never stops the rest. Importing the same file again skips what is already there.\n";

/* A rejected row held back until its batch ends (struct run, hold). */
struct held_reject {
    long line;
    char *text;
};

struct run {
    FILE *rejects;
    const char *rejects_path;
    long total_lines, done_lines;
    long imported, duplicates, rejected;
    int64_t t0, last_draw;
    int tty;
    /* JSONL: the rejects of the open batch are held and written, in line order, when it ends (a
     * batch stored again after a failure rejects its rows in another order than the lines') */
    int hold;
    struct held_reject *held;
    size_t nheld, capheld;
};

static long count_lines(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    char buf[65536];
    size_t n;
    long lines = 0;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        for (size_t i = 0; i < n; i++)
            lines += buf[i] == '\n';
    fclose(fp);
    return lines;
}

static void draw(struct run *r, int final)
{
    if (!r->tty)
        return;
    int64_t now = time_mono_ms();
    if (!final && now - r->last_draw < 100)
        return;
    r->last_draw = now;
    double frac = r->total_lines > 0 ? (double)r->done_lines / (double)r->total_lines : 1.0;
    if (frac > 1.0)
        frac = 1.0;
    char bar[31];
    int fill = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    double secs = (double)(now - r->t0) / 1000.0;
    fprintf(stderr, "\r[%s] %3d%%  %ld/%ld lines  %.0f/s  rejected %ld ", bar, (int)(frac * 100), r->done_lines,
            r->total_lines, secs > 0 ? (double)r->done_lines / secs : 0.0, r->rejected);
    if (final)
        fputc('\n', stderr);
}

static void write_reject(struct run *r, const char *text)
{
    if (!r->rejects) {
        r->rejects = fopen(r->rejects_path, "w");
        if (!r->rejects) {
            perror(r->rejects_path);
            return;
        }
    }
    fputs(text, r->rejects);
}

static void reject(struct run *r, long line, const struct err *e)
{
    r->rejected++;
    char *text =
        xasprintf("line %ld: %s%s%s\n", line, e->field[0] ? e->field : "", e->field[0] ? ": " : "", e->message);
    if (!r->hold) {
        write_reject(r, text);
        free(text);
        return;
    }
    if (r->nheld == r->capheld) {
        r->capheld = r->capheld ? r->capheld * 2 : 64;
        r->held = xrealloc(r->held, r->capheld * sizeof(*r->held));
    }
    r->held[r->nheld].line = line;
    r->held[r->nheld++].text = text;
}

static int held_cmp(const void *a, const void *b)
{
    long x = ((const struct held_reject *)a)->line, y = ((const struct held_reject *)b)->line;
    return x < y ? -1 : x > y;
}

/* Writes the held rejects in line order (a line is rejected once). */
static void flush_rejects(struct run *r)
{
    if (r->nheld > 1)
        qsort(r->held, r->nheld, sizeof(*r->held), held_cmp);
    for (size_t i = 0; i < r->nheld; i++) {
        write_reject(r, r->held[i].text);
        free(r->held[i].text);
    }
    r->nheld = 0;
}

/* Ingests one mapped result (norm is consumed) inside the open batch. */
static void ingest_one(struct app *a, struct run *r, long line, json_t *norm, const char *raw, size_t raw_len)
{
    json_t *out = NULL;
    err_clear(a->ctx.e);
    if (svc_result_ingest(&a->ctx, norm, raw, raw_len, &out) != 0)
        reject(r, line, a->ctx.e);
    else if (json_is_true(json_object_get(out, "duplicate")))
        r->duplicates++;
    else
        r->imported++;
    json_decref(out);
    json_decref(norm);
}

/* Commits the batch every BATCH_ROWS rows so a crash loses at most one batch (and a re-run skips the rest). */
static int batch_tick(struct app *a, long rows)
{
    if (rows % BATCH_ROWS != 0)
        return 0;
    if (svc_batch_commit(&a->ctx) != 0 || svc_batch_begin(&a->ctx) != 0)
        return app_fail(a, "commit");
    return 0;
}

/* ---- JSONL: a pipeline ----
 *
 * Worker threads read lines and do everything that needs no database: parse
 * the JSON, apply the mapping, and svc_result_prepare (validation, canonical
 * form, hash, blind indexes, encryption). The main thread takes the prepared
 * lines strictly in file order and stores them (svc_result_store) in the
 * batch's transaction, so what is written, the rejects file and the commit
 * points are the same as one thread doing it all. */

#define RING 64 /* lines prepared ahead of the one being stored */
#define MAX_WORKERS 8

enum item_kind { ITEM_BLANK, ITEM_BAD_LINE, ITEM_BAD_RESULT, ITEM_OK };

/* A prepared result on its way: made by a worker, stored by the main thread, and handed back
 * to the workers to free (freeing memory in the thread that allocated it is much cheaper with
 * glibc's per-thread arenas than freeing it in another thread). */
struct prepared {
    struct result_prep p;
    struct prepared *next; /* in the trash list */
};

struct item {
    int ready;
    enum item_kind kind;
    off_t offset;        /* where the line starts in the file */
    struct err e;        /* ITEM_BAD_LINE (JSON or mapping), ITEM_BAD_RESULT (validation) */
    struct prepared *pr; /* ITEM_OK and ITEM_BAD_RESULT */
};

struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t ready, space;
    FILE *fp;
    const struct mapping *m;
    const struct keyring *kr;
    long next;  /* sequence number (line index) of the next line to read */
    off_t pos;  /* file offset of that line */
    long taken; /* lines the main thread has taken */
    int eof, stop;
    struct prepared *trash; /* stored results for the workers to free */
    struct item ring[RING];
};

static void free_prepared(struct prepared *pr)
{
    while (pr) {
        struct prepared *next = pr->next;
        svc_result_prep_free(&pr->p);
        free(pr);
        pr = next;
    }
}

/* Parses, maps and prepares one line (n bytes, end of line removed) into it. */
static void prepare_line(struct pipeline *pl, char *line, size_t n, struct item *it)
{
    memset(&it->e, 0, sizeof(it->e));
    if (n == 0) {
        it->kind = ITEM_BLANK;
        return;
    }
    json_error_t je;
    json_t *payload = result_json_load(line, n), *norm = NULL;
    if (!payload) /* not read, or left to jansson: jansson's value, or its message */
        payload = json_loadb(line, n, JSON_REJECT_DUPLICATES, &je);
    if (!payload) {
        err_set(&it->e, ERR_MALFORMED, NULL, NULL, "not valid JSON (column %d): %s", je.column, je.text);
        it->kind = ITEM_BAD_LINE;
    } else if (mapping_apply_json(pl->m, payload, &norm, &it->e) != 0) {
        it->kind = ITEM_BAD_LINE;
    } else {
        it->pr = xcalloc(1, sizeof(*it->pr));
        it->kind = svc_result_prepare(pl->kr, norm, line, n, &it->pr->p, &it->e) == 0 ? ITEM_OK : ITEM_BAD_RESULT;
    }
    json_decref(norm);
    json_decref(payload);
}

static void *worker(void *arg)
{
    struct pipeline *pl = arg;
    char *line = NULL;
    size_t cap = 0;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        while (!pl->stop && !pl->eof && pl->next - pl->taken >= RING)
            pthread_cond_wait(&pl->space, &pl->mu);
        if (pl->stop || pl->eof)
            break;
        ssize_t n = getline(&line, &cap, pl->fp);
        if (n == -1) {
            pl->eof = 1;
            pthread_cond_broadcast(&pl->ready);
            pthread_cond_broadcast(&pl->space);
            break;
        }
        long seq = pl->next++;
        off_t at = pl->pos;
        pl->pos += n;
        struct prepared *trash = pl->trash;
        pl->trash = NULL;
        pthread_mutex_unlock(&pl->mu);
        free_prepared(trash);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        struct item it = {0};
        it.offset = at;
        prepare_line(pl, line, (size_t)n, &it);
        pthread_mutex_lock(&pl->mu);
        it.ready = 1;
        pl->ring[seq % RING] = it;
        pthread_cond_broadcast(&pl->ready);
    }
    pthread_mutex_unlock(&pl->mu);
    free(line);
    return NULL;
}

/* Takes line seq (waiting for it) into *it; 0 when the file has no line seq. */
static int take(struct pipeline *pl, long seq, struct item *it)
{
    struct item *slot = &pl->ring[seq % RING];
    pthread_mutex_lock(&pl->mu);
    while (!slot->ready && !(pl->eof && seq >= pl->next))
        pthread_cond_wait(&pl->ready, &pl->mu);
    int have = slot->ready;
    if (have) {
        *it = *slot;
        memset(slot, 0, sizeof(*slot));
        pl->taken = seq + 1;
        /* A worker waits for space when the ring is full: it is woken once half of it is free again,
         * not for each line taken (a wake-up per line costs both threads a good deal more than the
         * line). */
        if (pl->next - pl->taken == RING / 2)
            pthread_cond_broadcast(&pl->space);
    }
    pthread_mutex_unlock(&pl->mu);
    return have;
}

static int workers_wanted(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN) - 1; /* the main thread has the last core */
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

/* The lines a batch without savepoints has stored so far (svc_batch_unguard), to store them again
 * should one of its results fail; and the counts as they were when it began. */
struct batch_log {
    struct stored_line {
        long lineno;
        off_t offset;
    } * lines;
    size_t n, cap;
    long imported, duplicates;
    int unguard; /* each batch starts unguarded */
};

/* Opens the next batch (svc_batch_begin's result). */
static int jsonl_begin(struct app *a, struct run *r, struct batch_log *bl)
{
    bl->n = 0;
    bl->imported = r->imported;
    bl->duplicates = r->duplicates;
    int rc = svc_batch_begin(&a->ctx);
    if (rc == 0 && bl->unguard)
        svc_batch_unguard(&a->ctx);
    return rc;
}

/* batch_tick for JSONL: the held rejects are written when a batch commits. */
static int jsonl_tick(struct app *a, struct run *r, struct batch_log *bl, long rows)
{
    if (rows % BATCH_ROWS != 0)
        return 0;
    int rc = svc_batch_commit(&a->ctx);
    if (rc == 0)
        flush_rejects(r);
    if (rc != 0 || jsonl_begin(a, r, bl) != 0)
        return app_fail(a, "commit");
    return 0;
}

/* Stores one prepared result in the open batch: 0 when stored (or a duplicate), 1 when rejected,
 * -1 when it failed in an unguarded batch (not rejected: the batch must be stored again). */
static int store_prepared(struct app *a, struct run *r, long lineno, const struct result_prep *p)
{
    json_t *out = NULL;
    int unguarded = svc_batch_unguarded(&a->ctx);
    err_clear(a->ctx.e);
    if (svc_result_store(&a->ctx, p, &out) != 0) {
        json_decref(out);
        if (unguarded)
            return -1;
        reject(r, lineno, a->ctx.e);
        return 1;
    }
    if (json_is_true(json_object_get(out, "duplicate")))
        r->duplicates++;
    else
        r->imported++;
    json_decref(out);
    return 0;
}

/* A result failed in an unguarded batch, which may have left some of its writes: drops the batch and
 * stores its results again in a guarded batch (a savepoint each, so that the failing one fails
 * alone), reading their lines back from the file. The rest of the batch stays guarded. */
static int store_again(struct app *a, struct run *r, struct pipeline *pl, struct batch_log *bl, const char *path)
{
    svc_batch_abort(&a->ctx);
    r->imported = bl->imported;
    r->duplicates = bl->duplicates;
    if (svc_batch_begin(&a->ctx) != 0)
        return app_fail(a, "commit");
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    for (size_t i = 0; i < bl->n && rc == 0; i++) {
        ssize_t n = -1;
        if (fseeko(fp, bl->lines[i].offset, SEEK_SET) == 0)
            n = getline(&line, &cap, fp);
        if (n < 0) {
            fprintf(stderr, "talentd import: cannot read %s again\n", path);
            rc = 1;
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        struct item it = {0};
        prepare_line(pl, line, (size_t)n, &it);
        if (it.kind == ITEM_OK)
            store_prepared(a, r, bl->lines[i].lineno, &it.pr->p);
        else /* it was stored before: it cannot fail to prepare now, unless the file changed */
            reject(r, bl->lines[i].lineno, &it.e);
        free_prepared(it.pr);
    }
    free(line);
    fclose(fp);
    bl->n = 0;
    return rc;
}

/* Before an unguarded batch commits: waits for what it has sent (PostgreSQL pipelines its writes),
 * and stores it again guarded if one of them failed. */
static int batch_settle(struct app *a, struct run *r, struct pipeline *pl, struct batch_log *bl, const char *path)
{
    err_clear(a->ctx.e);
    if (!svc_batch_unguarded(&a->ctx) || svc_batch_sync(&a->ctx) == 0)
        return 0;
    return store_again(a, r, pl, bl, path);
}

static int import_jsonl(struct app *a, struct run *r, const struct mapping *m, const char *path)
{
    /* Every line allocates and frees a few hundred small blocks on each side of the pipeline: keep
     * glibc from giving the heap's top back to the kernel after each burst of frees and taking it
     * back with page faults on the next line (the import is a short-lived process; the memory is
     * returned when it exits). */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    struct pipeline *pl = xcalloc(1, sizeof(*pl));
    pl->fp = fopen(path, "rb");
    if (!pl->fp) {
        perror(path);
        free(pl);
        return 1;
    }
    pl->m = m;
    pl->kr = a->ctx.kr;
    /* A batch runs without a savepoint per result (on SQLite each copies every page the result
     * changes; on PostgreSQL each is a subtransaction, and the batch pipelines its writes), and is
     * stored again with them in the rare case that a result fails: the lines are read back from the
     * file, which must be one that can be read again (not a pipe). */
    struct batch_log bl = {0};
    bl.unguard = lseek(fileno(pl->fp), 0, SEEK_CUR) == 0;
    r->hold = 1;
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->ready, NULL);
    pthread_cond_init(&pl->space, NULL);
    pthread_t th[MAX_WORKERS];
    int nth = 0, want = workers_wanted();
    while (nth < want && pthread_create(&th[nth], NULL, worker, pl) == 0)
        nth++;
    if (nth == 0) {
        fprintf(stderr, "talentd import: cannot start a thread\n");
        fclose(pl->fp);
        free(pl);
        return 1;
    }
    long rows = 0;
    int rc = jsonl_begin(a, r, &bl);
    struct item it;
    for (long seq = 0; rc == 0 && take(pl, seq, &it); seq++) {
        long lineno = seq + 1;
        r->done_lines = lineno;
        if (it.kind == ITEM_BAD_LINE) {
            reject(r, lineno, &it.e);
        } else if (it.kind != ITEM_BLANK) {
            if (it.kind == ITEM_BAD_RESULT) {
                reject(r, lineno, &it.e);
            } else {
                int st = store_prepared(a, r, lineno, &it.pr->p);
                if (st < 0 && (rc = store_again(a, r, pl, &bl, path)) == 0)
                    store_prepared(a, r, lineno, &it.pr->p); /* guarded now */
                if (st == 0 && svc_batch_unguarded(&a->ctx)) {
                    if (bl.n == bl.cap) {
                        bl.cap = bl.cap ? bl.cap * 2 : 1024;
                        bl.lines = xrealloc(bl.lines, bl.cap * sizeof(*bl.lines));
                    }
                    bl.lines[bl.n].lineno = lineno;
                    bl.lines[bl.n++].offset = it.offset;
                }
            }
            if (rc == 0 && ++rows % BATCH_ROWS == 0)
                rc = batch_settle(a, r, pl, &bl, path);
            if (rc == 0)
                rc = jsonl_tick(a, r, &bl, rows);
        }
        if (it.pr) {
            pthread_mutex_lock(&pl->mu);
            it.pr->next = pl->trash;
            pl->trash = it.pr;
            pthread_mutex_unlock(&pl->mu);
        }
        draw(r, 0);
    }
    if (rc == 0) /* the last batch is committed by the caller */
        rc = batch_settle(a, r, pl, &bl, path);
    pthread_mutex_lock(&pl->mu);
    pl->stop = 1;
    pthread_cond_broadcast(&pl->space);
    pthread_mutex_unlock(&pl->mu);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < RING; i++)
        free_prepared(pl->ring[i].pr);
    free_prepared(pl->trash);
    fclose(pl->fp);
    pthread_cond_destroy(&pl->space);
    pthread_cond_destroy(&pl->ready);
    pthread_mutex_destroy(&pl->mu);
    free(pl);
    free(bl.lines);
    return rc;
}

static int import_csv(struct app *a, struct run *r, const struct mapping *m, const char *path)
{
    struct csv_reader *rd = NULL;
    struct err e = {0};
    if (csv_open(path, CSV_MAX_FIELD, CSV_MAX_FIELDS, &rd, &e) != 0) {
        fprintf(stderr, "talentd import: %s\n", e.message);
        return 1;
    }
    char **f = NULL;
    int nf = 0, rc = csv_next(rd, &f, &nf, &e);
    struct mapping_cols *cols = NULL;
    if (rc != 1 || mapping_csv_header(m, f, nf, &cols, &e) != 0) {
        fprintf(stderr, "talentd import: %s line 1: %s%s%s\n", path, e.field, e.field[0] ? ": " : "",
                rc == 1 || e.message[0] ? e.message : "the file is empty");
        csv_close(rd);
        return 1;
    }
    long rows = 0;
    int frc = 0;
    for (;;) {
        rc = csv_next(rd, &f, &nf, &e);
        long line = csv_line(rd);
        r->done_lines = line;
        if (rc == 0)
            break;
        if (rc < 0) { /* a broken row: report it and go on when the reader can */
            reject(r, line, &e);
            if (rc == ERR_INTERNAL)
                break;
            continue;
        }
        json_t *norm = NULL;
        if (mapping_apply_row(m, cols, f, nf, &norm, &e) != 0) {
            reject(r, line, &e);
        } else {
            ingest_one(a, r, line, norm, NULL, 0);
            if ((frc = batch_tick(a, ++rows)) != 0)
                break;
        }
        draw(r, 0);
    }
    mapping_cols_free(cols);
    csv_close(rd);
    return frc;
}

int cmd_import_results(int argc, char **argv)
{
    struct app_opts o = {0};
    const char *pos[1] = {NULL}, *vendor = NULL, *rejects = NULL, *quiet = NULL;
    const struct flag flags[] = {
        {"--vendor", &vendor, 0}, {"--rejects", &rejects, 0}, {"--quiet", &quiet, 1}, {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, pos, 1, "import results") != 0)
        return 2;
    if (!pos[0] || !vendor) {
        fputs(import_results_usage, stderr);
        return 2;
    }
    if (access(pos[0], R_OK) != 0) {
        perror(pos[0]);
        return 1;
    }
    struct app a;
    if (app_open(&a, &o, "import") != 0)
        return 1;
    struct mapping *m = NULL;
    if (vendor_mapping_open(a.data_dir, vendor, &m, &a.err) != 0) {
        fprintf(stderr, "talentd import: %s\n", a.err.message);
        app_close(&a);
        return 1;
    }
    char rpath[4200];
    snprintf(rpath, sizeof(rpath), "%.4000s.rejects", pos[0]);
    struct run r = {.rejects_path = rejects ? rejects : rpath,
                    .total_lines = !quiet && isatty(2) ? count_lines(pos[0]) : 0, /* for the progress bar */
                    .t0 = time_mono_ms(),
                    .tty = !quiet && isatty(2)};
    snprintf(a.actor.username, sizeof(a.actor.username), "import:%.40s", vendor);
    /* Storing results touches index pages all over a large database (applications, dimension scores,
     * candidates' blind indexes): a page cache that holds them (IMPORT_CACHE_KIB instead of SQLite's 2 MiB)
     * saves reading them back again and again, as any bulk loader would set it; and the files are written
     * to disk while it works (db_bulk). */
    db_bulk(a.db, IMPORT_CACHE_KIB, 0);
    int rc = 0;
    if (mapping_is_csv(m)) {
        rc = svc_batch_begin(&a.ctx);
        if (rc == 0)
            rc = import_csv(&a, &r, m, pos[0]);
    } else {
        rc = import_jsonl(&a, &r, m, pos[0]); /* opens its batches itself */
    }
    if (a.ctx.batch && svc_batch_commit(&a.ctx) != 0)
        rc = app_fail(&a, "commit");
    flush_rejects(&r);
    free(r.held);
    draw(&r, 1);
    if (r.rejects)
        fclose(r.rejects);
    double secs = (double)(time_mono_ms() - r.t0) / 1000.0;
    printf("imported %ld, duplicates skipped %ld, rejected %ld in %.2f s (%.0f results/s)\n", r.imported, r.duplicates,
           r.rejected, secs, secs > 0 ? (double)(r.imported + r.duplicates) / secs : 0.0);
    if (r.rejected)
        printf("rejected rows with line numbers and reasons: %s\n", r.rejects_path);
    mapping_free(m);
    app_close(&a);
    return rc ? 1 : r.rejected ? 1 : 0;
}

/* ---- talentd results ---------------------------------------------------------------------------- */

static const char results_usage[] =
    "usage: talentd results unmatched [--vendor NAME] [--reason R]\n"
    "       talentd results attach --id N (--application N | --create-candidate --position CODE [--name NAME])\n"
    "       talentd results show --id N\n";

static int print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2));
    puts(s);
    free(s);
    json_decref(v);
    return 0;
}

int cmd_results(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(results_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct app_opts o = {0};
    const char *vendor = NULL, *reason = NULL, *id_s = NULL, *app_s = NULL, *create = NULL, *position = NULL,
               *name = NULL;
    const struct flag flags[] = {{"--vendor", &vendor, 0},
                                 {"--reason", &reason, 0},
                                 {"--id", &id_s, 0},
                                 {"--application", &app_s, 0},
                                 {"--create-candidate", &create, 1},
                                 {"--position", &position, 0},
                                 {"--name", &name, 0},
                                 {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, NULL, 0, "results") != 0)
        return 2;
    long long id = 0, app_id = 0;
    if (id_s && flag_int("results", "--id", id_s, 1, INT64_MAX, &id) != 0)
        return 2;
    if (app_s && flag_int("results", "--application", app_s, 1, INT64_MAX, &app_id) != 0)
        return 2;
    int list = strcmp(argv[1], "unmatched") == 0, attach = strcmp(argv[1], "attach") == 0,
        show = strcmp(argv[1], "show") == 0;
    if ((!list && !attach && !show) || ((attach || show) && !id) || (attach && !app_id && !create)) {
        fputs(results_usage, stderr);
        return 2;
    }
    struct app a;
    if (app_open(&a, &o, "cli") != 0)
        return 1;
    json_t *out = NULL;
    int rc;
    if (list) {
        json_t *q = json_pack("{s:s}", "limit", "200");
        if (vendor)
            json_object_set_new(q, "vendor", json_string(vendor));
        if (reason)
            json_object_set_new(q, "reason", json_string(reason));
        rc = svc_unmatched_list(&a.ctx, q, &out);
        json_decref(q);
    } else if (show) {
        rc = svc_result_get(&a.ctx, id, &out);
    } else {
        json_t *in = create ? json_pack("{s:b}", "create_candidate", 1) : json_pack("{s:I}", "application_id", app_id);
        if (position)
            json_object_set_new(in, "position", json_string(position));
        if (name)
            json_object_set_new(in, "name", json_string(name));
        rc = svc_unmatched_attach(&a.ctx, id, in, &out);
        json_decref(in);
    }
    if (rc != 0)
        rc = app_fail(&a, argv[1]);
    else
        print_json(out);
    app_close(&a);
    return rc;
}

/* ---- talentd vendor ----------------------------------------------------------------------------- */

static const char vendor_usage[] = "usage: talentd vendor list\n"
                                   "       talentd vendor secret NAME   (reads the secret from stdin)\n";

int cmd_vendor(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(vendor_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct app_opts o = {0};
    const char *pos[1] = {NULL};
    const struct flag flags[] = {{NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, pos, 1, "vendor") != 0)
        return 2;
    int list = strcmp(argv[1], "list") == 0, secret = strcmp(argv[1], "secret") == 0;
    if ((!list && !secret) || (secret && !pos[0])) {
        fputs(vendor_usage, stderr);
        return 2;
    }
    if (secret && !vendor_name_ok(pos[0])) {
        fprintf(stderr, "talentd vendor: '%s' is not a vendor name ([a-z0-9_-], up to 32)\n", pos[0]);
        return 2;
    }
    struct app a;
    if (app_open(&a, &o, "cli") != 0)
        return 1;
    int rc = 0;
    if (list) {
        json_t *out = NULL;
        svc_vendor_list(&a.ctx, &out);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(out, "items"), i, v)
        {
            const char *err = json_string_value(json_object_get(v, "error"));
            printf("%-16s %-5s %-9s %s\n", json_string_value(json_object_get(v, "name")),
                   err ? "-" : json_string_value(json_object_get(v, "format")),
                   json_string_value(json_object_get(v, "source")),
                   err ? err : json_string_value(json_object_get(v, "label")));
        }
        json_decref(out);
    } else {
        unsigned char buf[258];
        size_t n = fread(buf, 1, sizeof(buf), stdin);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        if (svc_vendor_secret_set(&a.ctx, pos[0], buf, n) != 0)
            rc = app_fail(&a, "vendor secret");
        else
            printf("secret for %s stored (%zu bytes)\n", pos[0], n);
    }
    app_close(&a);
    return rc;
}
