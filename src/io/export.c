/* export.c - CSV, XLSX and JSONL export writers (io/export.h).
 *
 * CSV and JSONL are encoded into one output buffer that is hashed (SHA-256,
 * OpenSSL's EVP: several times faster than a portable implementation on CPUs
 * with SHA extensions) and written with write(2) whenever it fills: a row
 * costs a few table lookups per byte and no allocation. XLSX goes through
 * libxlsxwriter in constant-memory mode; its file is hashed once closed. */
#include "io/export.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "lib/crypto.h"
#include "lib/jsontext.h"
#include "lib/mem.h"
#include "lib/numtext.h"

#define OUT_BUF ((size_t)256 * 1024)
#define WRITEBACK ((uint64_t)16 << 20) /* bytes after which the kernel is asked to start writing back */

struct export_writer;

/* Where CSV and JSONL are encoded: the writer's buffer (flushed to the file when full) or an
 * encoder's (grown). */
struct obuf {
    char *buf;
    size_t len, cap;
    struct export_writer *w; /* NULL: an encoder's buffer */
};

struct export_writer {
    enum export_format fmt;
    int fd;
    char *path;
    int ncols;
    int begun, finished;
    uint64_t rows, bytes;
    /* CSV / JSONL */
    struct obuf out;
    uint64_t synced; /* bytes handed to writeback so far */
    EVP_MD_CTX *sha;
    char **json_keys; /* JSONL: "\"key\":" for each column, escaped once */
    size_t *json_key_len;
    /* XLSX */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    uint32_t sheet_rows; /* data rows on the current sheet */
    char **labels;       /* the header, repeated on each sheet */
    char *cut;           /* scratch for a text cut to EXPORT_XLSX_TEXT_MAX */
};

const char *export_format_name(enum export_format f)
{
    switch (f) {
    case EXPORT_CSV:
        return "csv";
    case EXPORT_XLSX:
        return "xlsx";
    case EXPORT_JSONL:
        return "jsonl";
    default:
        return NULL;
    }
}

enum export_format export_format_parse(const char *s)
{
    if (!s)
        return EXPORT_FORMAT_NONE;
    for (int f = EXPORT_CSV; f <= EXPORT_JSONL; f++)
        if (strcmp(s, export_format_name((enum export_format)f)) == 0)
            return (enum export_format)f;
    return EXPORT_FORMAT_NONE;
}

const char *export_format_mime(enum export_format f)
{
    switch (f) {
    case EXPORT_CSV:
        return "text/csv; charset=utf-8";
    case EXPORT_XLSX:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case EXPORT_JSONL:
        return "application/x-ndjson; charset=utf-8";
    default:
        return "application/octet-stream";
    }
}

/* ---- the buffered, hashed output (CSV, JSONL) ------------------------------------------------- */

static int write_all(struct export_writer *w, const char *p, size_t n, struct err *e)
{
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return err_set(e, ERR_INTERNAL, "write_failed", NULL, "writing %s: %s", w->path,
                           k < 0 ? strerror(errno) : "no progress");
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Hashes and writes n bytes at p (the file's next bytes); every WRITEBACK bytes the kernel is asked
 * to start writing them back, so that export_finish's fsync finds little left to wait for. */
static int emit(struct export_writer *w, const char *p, size_t n, struct err *e)
{
    EVP_DigestUpdate(w->sha, p, n);
    int rc = write_all(w, p, n, e);
    w->bytes += n;
#ifdef SYNC_FILE_RANGE_WRITE
    if (rc == 0 && w->bytes - w->synced >= WRITEBACK) {
        (void)sync_file_range(w->fd, (off_t)w->synced, (off_t)(w->bytes - w->synced), SYNC_FILE_RANGE_WRITE);
        w->synced = w->bytes;
    }
#endif
    return rc;
}

static int flush_buf(struct export_writer *w, struct err *e)
{
    if (!w->out.len)
        return 0;
    int rc = emit(w, w->out.buf, w->out.len, e);
    w->out.len = 0;
    return rc;
}

/* Makes room for n more bytes: the writer's buffer is flushed first, and grown for one huge cell;
 * an encoder's grows. */
static int reserve(struct obuf *o, size_t n, struct err *e)
{
    if (o->len + n <= o->cap)
        return 0;
    if (o->w) {
        int rc = flush_buf(o->w, e);
        if (rc != 0)
            return rc;
        if (n <= o->cap)
            return 0;
    }
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + n)
        cap *= 2;
    o->buf = xrealloc(o->buf, cap);
    o->cap = cap;
    return 0;
}

static void put(struct obuf *o, const char *s, size_t n)
{
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* ---- CSV ---------------------------------------------------------------------------------------- */

/* The bytes that make a CSV field quoted. */
static const unsigned char csv_quote_byte[256] = {[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1};

/* 1 when a spreadsheet would read a text starting with c as a formula (OWASP's list). */
static int formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

static int csv_text(struct obuf *w, const char *s, size_t n, struct err *e)
{
    size_t i = 0;
    while (i < n && !csv_quote_byte[(unsigned char)s[i]])
        i++;
    int guard = n && formula_start(s[0]);
    int rc = reserve(w, i == n ? n + 1 : 2 * n + 3, e);
    if (rc != 0)
        return rc;
    if (i == n) {
        if (guard)
            w->buf[w->len++] = '\'';
        put(w, s, n);
        return 0;
    }
    char *o = w->buf + w->len;
    *o++ = '"';
    if (guard)
        *o++ = '\'';
    memcpy(o, s, i);
    o += i;
    for (; i < n; i++) {
        if (s[i] == '"')
            *o++ = '"';
        *o++ = s[i];
    }
    *o++ = '"';
    w->len = (size_t)(o - w->buf);
    return 0;
}

static int csv_cell(struct obuf *w, const struct export_cell *c, int first, struct err *e)
{
    int rc = reserve(w, 34, e);
    if (rc != 0)
        return rc;
    if (!first)
        w->buf[w->len++] = ',';
    switch (c->type) {
    case EXPORT_TEXT:
        return csv_text(w, c->s, c->n, e);
    case EXPORT_INT:
        w->len += num_int(c->i, w->buf + w->len);
        return 0;
    case EXPORT_REAL:
        w->len += num_real(c->d, w->buf + w->len);
        return 0;
    default:
        return 0;
    }
}

static int csv_end_record(struct obuf *w, struct err *e)
{
    int rc = reserve(w, 2, e);
    if (rc == 0)
        put(w, "\r\n", 2);
    return rc;
}

/* ---- JSONL -------------------------------------------------------------------------------------- */

/* Appends s as a JSON string (with its quotes), as jansson writes it (lib/jsontext.h). */
static int json_str(struct obuf *w, const char *s, size_t n, struct err *e)
{
    int rc = reserve(w, JSON_QUOTE_MAX(n), e);
    if (rc == 0)
        w->len += json_quote(w->buf + w->len, s, n);
    return rc;
}

/* A JSONL record of ncols cells under keys (each \"key\": as export_begin encoded it). */
static int jsonl_row(struct obuf *w, char *const *keys, const size_t *key_len, int ncols,
                     const struct export_cell *cells, struct err *e)
{
    int rc = 0;
    for (int i = 0; i < ncols && rc == 0; i++) {
        const struct export_cell *c = &cells[i];
        if ((rc = reserve(w, key_len[i] + 40, e)) != 0)
            break;
        w->buf[w->len++] = i ? ',' : '{';
        put(w, keys[i], key_len[i]);
        switch (c->type) {
        case EXPORT_TEXT:
            rc = json_str(w, c->s, c->n, e);
            break;
        case EXPORT_INT:
            w->len += num_int(c->i, w->buf + w->len);
            break;
        case EXPORT_REAL: {
            size_t k = num_real(c->d, w->buf + w->len);
            if (k)
                w->len += k;
            else
                put(w, "null", 4);
            break;
        }
        default:
            put(w, "null", 4);
        }
    }
    if (rc == 0 && (rc = reserve(w, 2, e)) == 0)
        put(w, "}\n", 2);
    return rc;
}

/* ---- XLSX --------------------------------------------------------------------------------------- */

static int xlsx_fail(struct export_writer *w, lxw_error le, struct err *e)
{
    return err_set(e, ERR_INTERNAL, "write_failed", NULL, "writing %s: %s", w->path, lxw_strerror(le));
}

/* Starts a sheet (the next one) with the header row. */
static int xlsx_sheet(struct export_writer *w, struct err *e)
{
    w->ws = workbook_add_worksheet(w->wb, NULL);
    if (!w->ws)
        return err_set(e, ERR_INTERNAL, "write_failed", NULL, "writing %s: cannot add a worksheet", w->path);
    w->sheet_rows = 0;
    for (int i = 0; i < w->ncols; i++) {
        lxw_error le = worksheet_write_string(w->ws, 0, (lxw_col_t)i, w->labels[i], w->bold);
        if (le != LXW_NO_ERROR)
            return xlsx_fail(w, le, e);
    }
    return 0;
}

/* s cut to at most EXPORT_XLSX_TEXT_MAX bytes at a UTF-8 character boundary, with "..." after it. */
static const char *xlsx_cut(struct export_writer *w, const char *s, size_t n)
{
    if (n <= EXPORT_XLSX_TEXT_MAX)
        return s;
    size_t k = EXPORT_XLSX_TEXT_MAX - 3;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    if (!w->cut)
        w->cut = xmalloc(EXPORT_XLSX_TEXT_MAX + 1);
    memcpy(w->cut, s, k);
    memcpy(w->cut + k, "...", 4);
    return w->cut;
}

static int xlsx_row(struct export_writer *w, const struct export_cell *cells, struct err *e)
{
    int rc;
    if (w->sheet_rows == EXPORT_XLSX_ROWS && (rc = xlsx_sheet(w, e)) != 0)
        return rc;
    lxw_row_t row = (lxw_row_t)++w->sheet_rows;
    for (int i = 0; i < w->ncols; i++) {
        const struct export_cell *c = &cells[i];
        lxw_error le = LXW_NO_ERROR;
        if (c->type == EXPORT_TEXT && c->n)
            le = worksheet_write_string(w->ws, row, (lxw_col_t)i, xlsx_cut(w, c->s, c->n), NULL);
        else if (c->type == EXPORT_INT)
            le = worksheet_write_number(w->ws, row, (lxw_col_t)i, (double)c->i, NULL);
        else if (c->type == EXPORT_REAL && c->d == c->d)
            le = worksheet_write_number(w->ws, row, (lxw_col_t)i, c->d, NULL);
        if (le != LXW_NO_ERROR)
            return xlsx_fail(w, le, e);
    }
    return 0;
}

/* ---- the writer --------------------------------------------------------------------------------- */

int export_open(enum export_format f, const char *path, struct export_writer **out, struct err *e)
{
    *out = NULL;
    if (!export_format_name(f))
        return err_set(e, ERR_INVALID, NULL, "format", "unknown export format");
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(e, errno == EEXIST ? ERR_CONFLICT : ERR_INTERNAL, errno == EEXIST ? "exists" : "write_failed",
                       NULL, "cannot create %s: %s", path, strerror(errno));
    struct export_writer *w = xcalloc(1, sizeof(*w));
    w->fmt = f;
    w->fd = fd;
    w->path = xstrdup(path);
    if (f == EXPORT_XLSX) {
        /* libxlsxwriter opens the file again by name: it keeps the mode 0600 of the one made here.
         * Its temporary files go next to the export, not to a possibly small /tmp. */
        char *dir = xstrdup(path), *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = slash ? dir : NULL, .use_zip64 = LXW_TRUE};
        w->wb = workbook_new_opt(path, &opt);
        free(dir);
        if (!w->wb) {
            export_free(w);
            return err_set(e, ERR_INTERNAL, "write_failed", NULL, "cannot start the workbook %s", path);
        }
        w->bold = workbook_add_format(w->wb);
        format_set_bold(w->bold);
    } else {
        w->out.cap = OUT_BUF;
        w->out.buf = xmalloc(w->out.cap);
        w->out.w = w;
        w->sha = EVP_MD_CTX_new();
        if (!w->sha || EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL) != 1) {
            export_free(w);
            return err_set(e, ERR_INTERNAL, NULL, NULL, "SHA-256 is not available");
        }
    }
    *out = w;
    return 0;
}

int export_begin(struct export_writer *w, const struct export_column *cols, int ncols, struct err *e)
{
    if (w->begun || ncols < 1 || ncols > EXPORT_MAX_COLUMNS)
        return err_set(e, ERR_INTERNAL, NULL, NULL, "export_begin: bad call");
    w->begun = 1;
    w->ncols = ncols;
    int rc = 0;
    if (w->fmt == EXPORT_XLSX) {
        w->labels = xcalloc((size_t)ncols, sizeof(char *));
        for (int i = 0; i < ncols; i++)
            w->labels[i] = xstrdup(cols[i].label);
        return xlsx_sheet(w, e);
    }
    if (w->fmt == EXPORT_JSONL) {
        w->json_keys = xcalloc((size_t)ncols, sizeof(char *));
        w->json_key_len = xcalloc((size_t)ncols, sizeof(size_t));
        for (int i = 0; i < ncols; i++) {
            struct obuf *o = &w->out;
            size_t at = o->len;
            if ((rc = json_str(o, cols[i].key, strlen(cols[i].key), e)) != 0)
                return rc;
            w->json_keys[i] = xmalloc(o->len - at + 2);
            memcpy(w->json_keys[i], o->buf + at, o->len - at);
            w->json_keys[i][o->len - at] = ':';
            w->json_key_len[i] = o->len - at + 1;
            w->json_keys[i][w->json_key_len[i]] = '\0';
            o->len = at;
        }
        return 0;
    }
    if ((rc = reserve(&w->out, 3, e)) != 0)
        return rc;
    put(&w->out, "\xEF\xBB\xBF", 3);
    for (int i = 0; i < ncols && rc == 0; i++) {
        struct export_cell c = {.type = EXPORT_TEXT, .s = cols[i].label, .n = strlen(cols[i].label)};
        rc = csv_cell(&w->out, &c, i == 0, e);
    }
    return rc ? rc : csv_end_record(&w->out, e);
}

/* Encodes one CSV or JSONL row of w's columns into o. */
static int encode_row(const struct export_writer *w, struct obuf *o, const struct export_cell *cells, struct err *e)
{
    int rc = 0;
    if (w->fmt == EXPORT_JSONL)
        return jsonl_row(o, w->json_keys, w->json_key_len, w->ncols, cells, e);
    for (int i = 0; i < w->ncols && rc == 0; i++)
        rc = csv_cell(o, &cells[i], i == 0, e);
    return rc ? rc : csv_end_record(o, e);
}

int export_row(struct export_writer *w, const struct export_cell *cells, struct err *e)
{
    if (!w->begun || w->finished)
        return err_set(e, ERR_INTERNAL, NULL, NULL, "export_row: bad call");
    int rc = w->fmt == EXPORT_XLSX ? xlsx_row(w, cells, e) : encode_row(w, &w->out, cells, e);
    if (rc == 0)
        w->rows++;
    return rc;
}

/* ---- encoding apart from the writer -------------------------------------------------------------- */

struct export_encoder {
    const struct export_writer *w;
    struct obuf out;
    uint64_t rows;
};

struct export_encoder *export_encoder_new(const struct export_writer *w)
{
    if (w->fmt == EXPORT_XLSX || !w->begun)
        return NULL;
    struct export_encoder *en = xcalloc(1, sizeof(*en));
    en->w = w;
    return en;
}

int export_encode_row(struct export_encoder *en, const struct export_cell *cells, struct err *e)
{
    int rc = encode_row(en->w, &en->out, cells, e);
    if (rc == 0)
        en->rows++;
    return rc;
}

void export_encoder_reset(struct export_encoder *en)
{
    en->out.len = 0;
    en->rows = 0;
}

void export_encoder_free(struct export_encoder *en)
{
    if (en) {
        free(en->out.buf);
        free(en);
    }
}

int export_write_encoded(struct export_writer *w, const struct export_encoder *en, struct err *e)
{
    if (!w->begun || w->finished || en->w != w)
        return err_set(e, ERR_INTERNAL, NULL, NULL, "export_write_encoded: bad call");
    int rc = flush_buf(w, e);
    if (rc == 0 && en->out.len)
        rc = emit(w, en->out.buf, en->out.len, e);
    if (rc == 0)
        w->rows += en->rows;
    return rc;
}

uint64_t export_rows(const struct export_writer *w)
{
    return w->rows;
}

/* SHA-256 of the context as hex. */
static void sha_hex(EVP_MD_CTX *sha, char out[65])
{
    unsigned char raw[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(sha, raw, &n);
    hex_encode(raw, 32, out);
}

int export_sha256_fd(int fd, char sha256[65], uint64_t *bytes, struct err *e)
{
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    if (!sha || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(sha);
        return err_set(e, ERR_INTERNAL, NULL, NULL, "SHA-256 is not available");
    }
    char *buf = xmalloc(OUT_BUF);
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        ssize_t k = read(fd, buf, OUT_BUF);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = err_set(e, ERR_INTERNAL, "read_failed", NULL, "reading the export file: %s", strerror(errno));
            break;
        }
        if (k == 0)
            break;
        EVP_DigestUpdate(sha, buf, (size_t)k);
        total += (uint64_t)k;
    }
    if (rc == 0) {
        sha_hex(sha, sha256);
        *bytes = total;
    }
    free(buf);
    EVP_MD_CTX_free(sha);
    return rc;
}

int export_finish(struct export_writer *w, uint64_t *bytes, char sha256[65], struct err *e)
{
    int rc = 0;
    if (!w->begun || w->finished)
        return err_set(e, ERR_INTERNAL, NULL, NULL, "export_finish: bad call");
    w->finished = 1;
    if (w->fmt == EXPORT_XLSX) {
        lxw_error le = workbook_close(w->wb);
        w->wb = NULL;
        if (le != LXW_NO_ERROR)
            return xlsx_fail(w, le, e);
        /* workbook_close wrote through its own handle: hash what is on disk through ours */
        if (lseek(w->fd, 0, SEEK_SET) != 0)
            return err_set(e, ERR_INTERNAL, "write_failed", NULL, "%s: %s", w->path, strerror(errno));
        if ((rc = export_sha256_fd(w->fd, sha256, &w->bytes, e)) != 0)
            return rc;
    } else {
        if ((rc = flush_buf(w, e)) != 0)
            return rc;
        sha_hex(w->sha, sha256);
    }
    if (fsync(w->fd) != 0)
        return err_set(e, ERR_INTERNAL, "write_failed", NULL, "flushing %s: %s", w->path, strerror(errno));
    int fd = w->fd;
    w->fd = -1;
    if (close(fd) != 0)
        return err_set(e, ERR_INTERNAL, "write_failed", NULL, "closing %s: %s", w->path, strerror(errno));
    *bytes = w->bytes;
    return 0;
}

void export_free(struct export_writer *w)
{
    if (!w)
        return;
    if (w->wb)
        workbook_close(w->wb); /* an unfinished workbook: close it to drop its temporary files */
    if (w->fd >= 0)
        close(w->fd);
    for (int i = 0; i < w->ncols; i++) {
        if (w->json_keys)
            free(w->json_keys[i]);
        if (w->labels)
            free(w->labels[i]);
    }
    free(w->json_keys);
    free(w->json_key_len);
    free(w->labels);
    free(w->cut);
    free(w->out.buf);
    EVP_MD_CTX_free(w->sha);
    free(w->path);
    free(w);
}
