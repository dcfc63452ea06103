/* import.c - `talentd import org-units|positions FILE.csv`.
 *
 * A CSV file with a header row (English or Chinese column names) becomes one
 * svc create call per row, each in its own transaction. A bad row is
 * reported as "FILE:LINE: column: message" on stderr and the rest go on.
 * Org units may name a parent defined further down the file: rows whose
 * parent does not exist yet are retried in further passes until a pass makes
 * no progress. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "lib/csv.h"
#include "lib/mem.h"
#include "svc/org.h"

#define IMPORT_MAX_FIELD ((size_t)64 * 1024)
#define IMPORT_MAX_FIELDS 64
#define IMPORT_MAX_COLS 16

static const char import_usage[] =
    "usage: talentd import results FILE --vendor NAME [--rejects FILE]\n"
    "       talentd import org-units FILE.csv\n"
    "       talentd import positions FILE.csv\n"
    "The first row names the columns (English or Chinese):\n"
    "  org-units: code/编码, name/名称, parent/上级编码, manager/负责人\n"
    "  positions: code/编码, title/职位名称, org_unit/部门编码, headcount/编制, status/状态,\n"
    "             review_required/需复核, competency_model/能力模型 (JSON), description/描述,\n"
    "             salary_min/薪资下限, salary_max/薪资上限\n"
    "Each row is created in its own transaction; bad rows are reported as FILE:LINE and skipped.\n"
    "Exit status 1 when any row was rejected.\n";

enum col_type { COL_TEXT, COL_INT, COL_BOOL, COL_JSON, COL_STATUS };

struct column {
    const char *field; /* JSON field of the svc input */
    const char *zh;    /* Chinese header */
    const char *alt;   /* another accepted header, or NULL */
    enum col_type type;
    int required; /* the column must be in the header */
};

struct kind {
    const char *name;
    const struct column *cols;
    int (*create)(struct svc_ctx *c, json_t *in, json_t **out);
    int retry_parent; /* retry rows whose parent is not there yet */
};

static const struct column org_cols[] = {
    {"code", "编码", "部门编码", COL_TEXT, 1},
    {"name", "名称", "部门名称", COL_TEXT, 1},
    {"parent", "上级编码", "上级部门", COL_TEXT, 0},
    {"manager", "负责人", NULL, COL_TEXT, 0},
    {NULL, NULL, NULL, COL_TEXT, 0},
};

static const struct column position_cols[] = {
    {"code", "编码", "职位编码", COL_TEXT, 1},
    {"title", "职位名称", "名称", COL_TEXT, 1},
    {"org_unit", "部门编码", "部门", COL_TEXT, 1},
    {"headcount", "编制", "编制人数", COL_INT, 1},
    {"status", "状态", NULL, COL_STATUS, 0},
    {"review_required", "需复核", NULL, COL_BOOL, 0},
    {"competency_model", "能力模型", NULL, COL_JSON, 0},
    {"description", "描述", "职位描述", COL_TEXT, 0},
    {"salary_min", "薪资下限", NULL, COL_INT, 0},
    {"salary_max", "薪资上限", NULL, COL_INT, 0},
    {NULL, NULL, NULL, COL_TEXT, 0},
};

static const struct kind kinds[] = {
    {"org-units", org_cols, svc_org_create, 1},
    {"positions", position_cols, svc_position_create, 0},
};

/* One rejected row: "FILE:LINE: ..." text, printed sorted by line. */
struct problem {
    long line;
    size_t seq;
    char *text;
};

/* One data row waiting to be created. */
struct row {
    long line;
    json_t *in;     /* NULL once created or rejected */
    char field[64]; /* last "parent missing" error, reported if no pass resolves it */
    char message[512];
};

struct import {
    const char *file;
    const struct kind *k;
    int ncols;                           /* header fields */
    int map[IMPORT_MAX_FIELDS];          /* header field -> index into k->cols, -1 ignored */
    const char *header[IMPORT_MAX_COLS]; /* the file's header text per k->cols index */
    char header_store[IMPORT_MAX_COLS][128];
    struct row *rows;
    size_t nrows, cap;
    struct problem *problems; /* reported in line order at the end */
    size_t nproblems, pcap;
    int rejected;
};

static void trim(char *s)
{
    char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    memmove(s, p, strlen(p) + 1);
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

/* The name to show for a svc field: the header as written in the file. */
static const char *shown_field(const struct import *im, const char *field)
{
    for (int i = 0; im->k->cols[i].field; i++)
        if (strcmp(im->k->cols[i].field, field) == 0 && im->header[i])
            return im->header[i];
    return field;
}

static void reject(struct import *im, long line, const char *field, const char *msg)
{
    if (im->nproblems == im->pcap) {
        im->pcap = im->pcap ? im->pcap * 2 : 16;
        im->problems = xrealloc(im->problems, im->pcap * sizeof(*im->problems));
    }
    struct problem *p = &im->problems[im->nproblems];
    p->line = line;
    p->seq = im->nproblems++;
    if (field && field[0])
        p->text = xasprintf("%s:%ld: %s: %s", im->file, line, shown_field(im, field), msg);
    else
        p->text = xasprintf("%s:%ld: %s", im->file, line, msg);
    im->rejected++;
}

static int problem_cmp(const void *a, const void *b)
{
    const struct problem *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Prints the rejected rows in file order and frees them. */
static void print_problems(struct import *im)
{
    if (im->nproblems)
        qsort(im->problems, im->nproblems, sizeof(*im->problems), problem_cmp);
    for (size_t i = 0; i < im->nproblems; i++) {
        fprintf(stderr, "%s\n", im->problems[i].text);
        free(im->problems[i].text);
    }
    free(im->problems);
    im->problems = NULL;
    im->nproblems = 0;
}

/* Maps the header row onto the kind's columns. Returns 0 or prints the problem and returns 1. */
static int read_header(struct import *im, char **f, int n)
{
    int seen[IMPORT_MAX_COLS] = {0};
    im->ncols = n;
    for (int i = 0; i < n; i++) {
        char name[128];
        snprintf(name, sizeof(name), "%s", f[i]);
        trim(name);
        im->map[i] = -1;
        if (!name[0])
            continue;
        for (int c = 0; im->k->cols[c].field; c++) {
            const struct column *col = &im->k->cols[c];
            if (strcasecmp(name, col->field) == 0 || strcmp(name, col->zh) == 0 ||
                (col->alt && strcmp(name, col->alt) == 0)) {
                im->map[i] = c;
                break;
            }
        }
        if (im->map[i] < 0) {
            fprintf(stderr, "%s:1: %s: unknown column for %s\n", im->file, name, im->k->name);
            return 1;
        }
        int c = im->map[i];
        if (seen[c]) {
            fprintf(stderr, "%s:1: %s: column given twice\n", im->file, name);
            return 1;
        }
        seen[c] = 1;
        snprintf(im->header_store[c], sizeof(im->header_store[c]), "%s", name);
        im->header[c] = im->header_store[c];
    }
    for (int c = 0; im->k->cols[c].field; c++)
        if (im->k->cols[c].required && !seen[c]) {
            fprintf(stderr, "%s:1: missing column %s (%s)\n", im->file, im->k->cols[c].field, im->k->cols[c].zh);
            return 1;
        }
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"true", "yes", "y", "1", "是", "需要", NULL};
    static const char *const no[] = {"false", "no", "n", "0", "否", "不需要", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
    for (int i = 0; no[i]; i++)
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    return -1;
}

/* Converts one cell to its JSON value. Returns NULL and sets msg on a bad value. */
static json_t *cell_value(const struct column *col, const char *v, char *msg, size_t msgn)
{
    switch (col->type) {
    case COL_INT: {
        char *end;
        long long n = strtoll(v, &end, 10);
        if (end == v || *end) {
            snprintf(msg, msgn, "must be a whole number, not \"%.40s\"", v);
            return NULL;
        }
        return json_integer(n);
    }
    case COL_BOOL: {
        int b;
        if (parse_bool(v, &b) != 0) {
            snprintf(msg, msgn, "must be true/false (是/否, 1/0), not \"%.40s\"", v);
            return NULL;
        }
        return json_boolean(b);
    }
    case COL_JSON: {
        json_error_t je;
        json_t *j = json_loads(v, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
        if (!j)
            snprintf(msg, msgn, "not valid JSON at column %d: %s", je.column, je.text);
        return j;
    }
    case COL_STATUS:
        if (strcmp(v, "开放") == 0 || strcmp(v, "招聘中") == 0)
            v = "open";
        else if (strcmp(v, "关闭") == 0 || strcmp(v, "已关闭") == 0)
            v = "closed";
        return json_string(v);
    case COL_TEXT:
        break;
    }
    return json_string(v);
}

/* Builds the svc input for one record; reports and returns NULL when a cell is bad. */
static json_t *row_input(struct import *im, long line, char **f, int n)
{
    if (n > im->ncols) {
        for (int i = im->ncols; i < n; i++)
            if (f[i][0]) {
                char msg[96];
                snprintf(msg, sizeof(msg), "row has %d fields, the header has %d", n, im->ncols);
                reject(im, line, NULL, msg);
                return NULL;
            }
    }
    json_t *in = json_object();
    for (int i = 0; i < n && i < im->ncols; i++) {
        if (im->map[i] < 0)
            continue;
        trim(f[i]);
        if (!f[i][0])
            continue; /* empty cell: the field is absent */
        const struct column *col = &im->k->cols[im->map[i]];
        char msg[300];
        json_t *v = cell_value(col, f[i], msg, sizeof(msg));
        if (!v) {
            reject(im, line, col->field, msg);
            json_decref(in);
            return NULL;
        }
        json_object_set_new(in, col->field, v);
    }
    return in;
}

/* Reads the whole file into im->rows. Returns 0, or 1 when the file cannot be used at all. */
static int read_rows(struct import *im)
{
    struct err e = {0};
    struct csv_reader *r = NULL;
    if (csv_open(im->file, IMPORT_MAX_FIELD, IMPORT_MAX_FIELDS, &r, &e) != 0) {
        fprintf(stderr, "talentd import: %s\n", e.message);
        return 1;
    }
    int have_header = 0, rc;
    char **f;
    int n;
    while ((rc = csv_next(r, &f, &n, &e)) != 0) {
        long line = csv_line(r);
        if (rc < 0) {
            /* e.message starts with "line L: "; the line is already in the prefix. */
            const char *m = strncmp(e.message, "line ", 5) == 0 && strstr(e.message, ": ") ? strstr(e.message, ": ") + 2
                                                                                           : e.message;
            if (!have_header) {
                fprintf(stderr, "%s:%ld: %s\n", im->file, line, m);
                csv_close(r);
                return 1;
            }
            reject(im, line, NULL, m);
            if (rc == ERR_INTERNAL)
                break;
            continue;
        }
        if (!have_header) {
            if (read_header(im, f, n) != 0) {
                csv_close(r);
                return 1;
            }
            have_header = 1;
            continue;
        }
        json_t *in = row_input(im, line, f, n);
        if (!in)
            continue;
        if (im->nrows == im->cap) {
            im->cap = im->cap ? im->cap * 2 : 64;
            im->rows = xrealloc(im->rows, im->cap * sizeof(*im->rows));
        }
        im->rows[im->nrows].line = line;
        im->rows[im->nrows].in = in;
        im->nrows++;
    }
    csv_close(r);
    if (!have_header) {
        fprintf(stderr, "%s: empty file (a header row is required)\n", im->file);
        return 1;
    }
    return 0;
}

/* 1 when the error says the row's parent does not exist (yet). */
static int missing_parent(const struct err *e)
{
    return e->code == ERR_INVALID && strcmp(e->field, "parent") == 0 && strcmp(e->slug, "invalid_reference") == 0;
}

/* Creates every pending row; with retry_parent, repeats passes while progress is made. */
static int create_rows(struct import *im, struct app *a)
{
    int imported = 0;
    size_t pending = im->nrows;
    while (pending > 0) {
        size_t before = pending;
        for (size_t i = 0; i < im->nrows; i++) {
            struct row *rw = &im->rows[i];
            if (!rw->in)
                continue;
            json_t *out = NULL;
            err_clear(&a->err);
            int rc = im->k->create(&a->ctx, rw->in, &out);
            json_decref(out);
            if (rc == 0) {
                imported++;
            } else if (im->k->retry_parent && missing_parent(&a->err)) {
                /* The parent may come later in the file: keep the row for the next pass. */
                snprintf(rw->field, sizeof(rw->field), "%s", a->err.field);
                snprintf(rw->message, sizeof(rw->message), "%s", a->err.message);
                continue;
            } else {
                reject(im, rw->line, a->err.field, a->err.message);
            }
            json_decref(rw->in);
            rw->in = NULL;
            pending--;
        }
        if (pending == before)
            break;
    }
    /* No pass made progress: whatever is left really has a missing parent. */
    for (size_t i = 0; i < im->nrows; i++) {
        struct row *rw = &im->rows[i];
        if (!rw->in)
            continue;
        reject(im, rw->line, rw->field, rw->message);
        json_decref(rw->in);
        rw->in = NULL;
    }
    return imported;
}

static void free_rows(struct import *im)
{
    for (size_t i = 0; i < im->nrows; i++)
        json_decref(im->rows[i].in);
    free(im->rows);
    im->rows = NULL;
    im->nrows = 0;
}

int cmd_import(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(import_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "results") == 0)
        return cmd_import_results(argc, argv);
    const struct kind *k = NULL;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(argv[1], kinds[i].name) == 0)
            k = &kinds[i];
    if (!k) {
        fprintf(stderr, "talentd import: unknown import kind '%s' (org-units, positions)\n", argv[1]);
        return 2;
    }
    struct app_opts o = {0};
    const char *pos[1] = {NULL};
    const struct flag flags[] = {{NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, pos, 1, "import") != 0)
        return 2;
    if (!pos[0]) {
        fputs(import_usage, stderr);
        return 2;
    }
    struct import im = {.file = pos[0], .k = k};
    if (read_rows(&im) != 0) {
        print_problems(&im);
        free_rows(&im);
        return 1;
    }
    struct app a;
    if (app_open(&a, &o, "import") != 0) {
        print_problems(&im);
        free_rows(&im);
        app_close(&a);
        return 1;
    }
    int imported = create_rows(&im, &a);
    app_close(&a);
    print_problems(&im);
    free_rows(&im);
    printf("imported %d, rejected %d\n", imported, im.rejected);
    return im.rejected ? 1 : 0;
}
