#include "lib/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/strbuf.h"
#include "lib/utf8.h"

#define CSV_BUF_SIZE 65536
#define CSV_EOF (-1)

struct csv_reader {
    /* Source: a memory block, or a file read through buf. */
    FILE *fp;                  /* NULL for memory sources */
    int close_fp;              /* 0 for stdin */
    const unsigned char *data; /* current chunk: the memory block or buf */
    size_t pos, len;
    unsigned char *buf; /* file read buffer, CSV_BUF_SIZE bytes */
    int eof;            /* the file returned end of input or an error */
    int io_errno;       /* errno of a read error, 0 if none */

    /* Bytes pushed back after an error, read before the source. */
    struct strbuf pending;
    size_t pending_pos;

    /* Bytes consumed since the first line break of the current record, so
     * the record can be re-read from its second line after an error. */
    struct strbuf raw;
    int capturing;

    long line;        /* physical line of the next byte */
    long record_line; /* line where the last record started */

    size_t max_field;
    int max_fields;

    /* The current record: NUL-terminated fields back to back in text. */
    struct strbuf text;
    size_t *offsets;
    char **fields;
    int nfields, cap_fields;
};

/* Makes at least need bytes available in the file chunk unless the file
 * ends first. No-op for memory sources. */
static void rd_fill(struct csv_reader *r, size_t need)
{
    if (!r->fp || r->len - r->pos >= need)
        return;
    size_t have = r->len - r->pos;
    memmove(r->buf, r->buf + r->pos, have);
    r->pos = 0;
    r->len = have;
    while (!r->eof && r->len < need) {
        size_t got = fread(r->buf + r->len, 1, CSV_BUF_SIZE - r->len, r->fp);
        r->len += got;
        if (got == 0) {
            r->eof = 1;
            if (ferror(r->fp))
                r->io_errno = errno ? errno : EIO;
        }
    }
}

/* Returns the next byte without consuming it, or CSV_EOF. */
static int rd_peek(struct csv_reader *r)
{
    if (r->pending_pos < r->pending.len)
        return (unsigned char)r->pending.p[r->pending_pos];
    rd_fill(r, 1);
    if (r->pos < r->len)
        return r->data[r->pos];
    return CSV_EOF;
}

/* Consumes and returns the next byte, or CSV_EOF. Counts lines and records
 * the byte in raw while capturing. */
static int rd_getc(struct csv_reader *r)
{
    int c;
    if (r->pending_pos < r->pending.len) {
        c = (unsigned char)r->pending.p[r->pending_pos++];
        if (r->pending_pos == r->pending.len) {
            sb_reset(&r->pending);
            r->pending_pos = 0;
        }
    } else {
        rd_fill(r, 1);
        if (r->pos >= r->len)
            return CSV_EOF;
        c = r->data[r->pos++];
    }
    if (r->capturing)
        sb_putc(&r->raw, (char)c);
    if (c == '\n')
        r->line++;
    return c;
}

/* A new reader, or NULL (e set) when the limits are not positive. */
static struct csv_reader *csv_new(size_t max_field, int max_fields, struct err *e)
{
    if (max_field == 0 || max_fields <= 0) {
        err_set(e, ERR_INVALID, NULL, NULL, "csv: limits must be positive");
        return NULL;
    }
    struct csv_reader *r = xcalloc(1, sizeof(*r));
    sb_init(&r->pending, 0);
    sb_init(&r->raw, 0);
    sb_init(&r->text, 0);
    r->line = 1;
    r->max_field = max_field;
    r->max_fields = max_fields;
    return r;
}

/* Skips a UTF-8 byte order mark at the very start of the input. */
static void skip_bom(struct csv_reader *r)
{
    rd_fill(r, 3);
    if (r->len - r->pos >= 3 && memcmp(r->data + r->pos, "\xEF\xBB\xBF", 3) == 0)
        r->pos += 3;
}

int csv_open(const char *path, size_t max_field, int max_fields, struct csv_reader **out, struct err *e)
{
    FILE *fp;
    int close_fp = 1;

    if (strcmp(path, "-") == 0) {
        fp = stdin;
        close_fp = 0;
    } else {
        fp = fopen(path, "rb");
        if (!fp) {
            int code = errno == ENOENT ? ERR_NOT_FOUND : ERR_INTERNAL;
            return err_set(e, code, NULL, NULL, "%s: %s", path, strerror(errno));
        }
    }
    struct csv_reader *r = csv_new(max_field, max_fields, e);
    if (!r) {
        if (close_fp)
            fclose(fp);
        return ERR_INVALID;
    }
    r->fp = fp;
    r->close_fp = close_fp;
    r->buf = xmalloc(CSV_BUF_SIZE);
    r->data = r->buf;
    skip_bom(r);
    *out = r;
    return 0;
}

int csv_open_mem(const char *data, size_t n, size_t max_field, int max_fields, struct csv_reader **out, struct err *e)
{
    struct csv_reader *r = csv_new(max_field, max_fields, e);
    if (!r)
        return ERR_INVALID;
    r->data = (const unsigned char *)data;
    r->len = n;
    r->eof = 1;
    skip_bom(r);
    *out = r;
    return 0;
}

void csv_close(struct csv_reader *r)
{
    if (!r)
        return;
    if (r->fp && r->close_fp)
        fclose(r->fp);
    free(r->buf);
    sb_free(&r->pending);
    sb_free(&r->raw);
    sb_free(&r->text);
    free(r->offsets);
    free(r->fields);
    free(r);
}

long csv_line(const struct csv_reader *r)
{
    return r->record_line;
}

/* Repositions after an error in the current record so reading resumes at
 * the line after the one where the record started. last is the byte that
 * was consumed last. */
static void resync(struct csv_reader *r, int last)
{
    if (r->capturing) {
        /* Re-read everything after the record's first line break, then
         * whatever was still pending. */
        struct strbuf next;
        sb_init(&next, 0);
        if (r->raw.len)
            sb_append(&next, r->raw.p, r->raw.len);
        if (r->pending_pos < r->pending.len)
            sb_append(&next, r->pending.p + r->pending_pos, r->pending.len - r->pending_pos);
        sb_free(&r->pending);
        r->pending = next;
        r->pending_pos = 0;
        r->capturing = 0;
        r->line = r->record_line + 1;
        return;
    }
    if (last == '\n' || last == CSV_EOF)
        return;
    int c;
    do
        c = rd_getc(r);
    while (c != '\n' && c != CSV_EOF);
}

/* Adds a byte to the current field. Returns 0, or ERR_TOO_LARGE when the
 * field would exceed max_field. */
static int field_putc(struct csv_reader *r, size_t *field_len, int c)
{
    if (*field_len >= r->max_field)
        return ERR_TOO_LARGE;
    sb_putc(&r->text, (char)c);
    (*field_len)++;
    return 0;
}

/* Ends the current field, which started at offset start. Returns 0, or
 * ERR_TOO_LARGE when the record already has max_fields fields. */
static int field_end(struct csv_reader *r, size_t start)
{
    if (r->nfields >= r->max_fields)
        return ERR_TOO_LARGE;
    if (r->nfields == r->cap_fields) {
        r->cap_fields = r->cap_fields ? r->cap_fields * 2 : 16;
        if (r->cap_fields > r->max_fields)
            r->cap_fields = r->max_fields;
        r->offsets = xrealloc(r->offsets, (size_t)r->cap_fields * sizeof(*r->offsets));
        r->fields = xrealloc(r->fields, (size_t)r->cap_fields * sizeof(*r->fields));
    }
    r->offsets[r->nfields++] = start;
    sb_putc(&r->text, '\0');
    return 0;
}

/* Returns " (record started on line N)" in buf when the failing record
 * started before line, else "". */
static const char *started_on(const struct csv_reader *r, long line, char *buf, size_t size)
{
    if (r->record_line == line)
        return "";
    snprintf(buf, size, " (record started on line %ld)", r->record_line);
    return buf;
}

enum csv_state {
    ST_RECORD_START, /* before the first byte of a record */
    ST_FIELD_START,  /* before the first byte of a field */
    ST_UNQUOTED,     /* inside an unquoted field */
    ST_QUOTED,       /* inside a quoted field */
    ST_AFTER_QUOTE,  /* just after a '"' inside a quoted field */
};

int csv_next(struct csv_reader *r, char ***fields, int *nfields, struct err *e)
{
    enum csv_state st = ST_RECORD_START;
    size_t field_start = 0, field_len = 0;
    long field_line = r->line;
    int bad_field = -1;
    long bad_line = 0;
    int c, rc;
    char where[48];

    err_clear(e);
    sb_reset(&r->text);
    sb_reset(&r->raw);
    r->capturing = 0;
    r->nfields = 0;

    for (;;) {
        long c_line = r->line;
        c = rd_getc(r);
        if (c == CSV_EOF && r->io_errno) {
            /* Reported once; the input then ends so a caller that reports
             * and continues stops. */
            int err_no = r->io_errno;
            r->io_errno = 0;
            r->record_line = c_line;
            return err_set(e, ERR_INTERNAL, NULL, NULL, "line %ld: read error: %s", c_line, strerror(err_no));
        }
        /* Outside quotes CRLF is a line break like LF. */
        if (c == '\r' && st != ST_QUOTED && rd_peek(r) == '\n')
            c = rd_getc(r);

        if (st == ST_RECORD_START) {
            if (c == CSV_EOF)
                return 0;
            if (c == '\n')
                continue; /* empty line */
            r->record_line = c_line;
            st = ST_FIELD_START;
        }

        int end_field = 0, end_record = 0;
        switch (st) {
        case ST_FIELD_START:
            field_start = r->text.len;
            field_len = 0;
            field_line = c_line;
            if (c == '"') {
                st = ST_QUOTED;
            } else if (c == ',') {
                end_field = 1;
            } else if (c == '\n' || c == CSV_EOF) {
                end_field = end_record = 1;
            } else {
                if (field_putc(r, &field_len, c))
                    goto too_long;
                st = ST_UNQUOTED;
            }
            break;
        case ST_UNQUOTED:
            if (c == ',') {
                end_field = 1;
            } else if (c == '\n' || c == CSV_EOF) {
                end_field = end_record = 1;
            } else if (field_putc(r, &field_len, c)) {
                goto too_long;
            }
            break;
        case ST_QUOTED:
            if (c == '"') {
                st = ST_AFTER_QUOTE;
            } else if (c == CSV_EOF) {
                rc = err_set(e, ERR_MALFORMED, NULL, NULL, "line %ld: unterminated quote in field %d", field_line,
                             r->nfields + 1);
                resync(r, c);
                return rc;
            } else {
                if (field_putc(r, &field_len, c))
                    goto too_long;
                if (c == '\n' && !r->capturing)
                    r->capturing = 1;
            }
            break;
        case ST_AFTER_QUOTE:
            if (c == '"') {
                if (field_putc(r, &field_len, c))
                    goto too_long;
                st = ST_QUOTED;
            } else if (c == ',') {
                end_field = 1;
            } else if (c == '\n' || c == CSV_EOF) {
                end_field = end_record = 1;
            } else {
                rc = err_set(e, ERR_MALFORMED, NULL, NULL, "line %ld: text after closing quote in field %d%s", c_line,
                             r->nfields + 1, started_on(r, c_line, where, sizeof(where)));
                resync(r, c);
                return rc;
            }
            break;
        case ST_RECORD_START:
            break;
        }

        if (end_field) {
            if (bad_field < 0 && field_len > 0 && !utf8_valid(r->text.p + field_start, field_len)) {
                bad_field = r->nfields + 1;
                bad_line = field_line;
            }
            if (field_end(r, field_start)) {
                rc = err_set(e, ERR_TOO_LARGE, NULL, NULL, "line %ld: more than %d fields%s", c_line, r->max_fields,
                             started_on(r, c_line, where, sizeof(where)));
                resync(r, c);
                return rc;
            }
            st = ST_FIELD_START;
        }
        if (end_record)
            break;
    }

    if (bad_field > 0)
        return err_set(e, ERR_INVALID, NULL, NULL, "line %ld: invalid UTF-8 in field %d", bad_line, bad_field);
    for (int i = 0; i < r->nfields; i++)
        r->fields[i] = r->text.p + r->offsets[i];
    *fields = r->fields;
    *nfields = r->nfields;
    return 1;

too_long:
    rc = err_set(e, ERR_TOO_LARGE, NULL, NULL, "line %ld: field %d longer than %zu bytes", field_line, r->nfields + 1,
                 r->max_field);
    resync(r, c);
    return rc;
}
