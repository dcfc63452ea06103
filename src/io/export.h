/* export.h - export writers: one file written row by row in CSV, XLSX or
 * JSONL, with its size and SHA-256 known when it is finished.
 *
 * No SQL and no use-case logic here: svc/exports*.c decides the columns and
 * fills the cells; a writer only encodes them.
 *
 *   CSV   UTF-8 with a byte order mark (so Excel and WPS open Chinese text
 *         right), RFC 4180: fields separated by ',', records ended by CRLF, a
 *         field holding ',', '"', CR or LF enclosed in '"' with '"' doubled.
 *         The first record holds the column labels. Formula injection guard:
 *         a text cell starting with '=', '+', '-', '@', TAB or CR gets a "'"
 *         in front, so a spreadsheet shows it as text instead of running it.
 *   XLSX  one worksheet in libxlsxwriter's constant-memory mode (each row is
 *         flushed as it is written; strings are stored inline), the first row
 *         the column labels in bold. Text cells are string cells (never
 *         formulas), numbers number cells. A sheet holds at most
 *         EXPORT_XLSX_ROWS data rows; further rows go on the next sheet
 *         ("Sheet2", ...) under the same header row. A text longer than
 *         EXPORT_XLSX_TEXT_MAX bytes is cut at a character boundary (Excel's
 *         own cell limit), its end marked with "...".
 *   JSONL one JSON object per line (LF), keys the column keys in column
 *         order, text as strings, numbers as numbers, empty cells as null.
 *
 * The file is created exclusively (it must not exist) with mode 0600: it
 * holds personal data. A writer is used by one thread. */
#ifndef TALENTD_IO_EXPORT_H
#define TALENTD_IO_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum export_format { EXPORT_FORMAT_NONE = 0, EXPORT_CSV = 1, EXPORT_XLSX = 2, EXPORT_JSONL = 3 };

#define EXPORT_XLSX_ROWS 1048575   /* data rows per sheet: Excel's 1048576 rows minus the header */
#define EXPORT_XLSX_TEXT_MAX 32000 /* bytes of one XLSX text cell (Excel: 32767 characters) */
#define EXPORT_MAX_COLUMNS 200

/* "csv", "xlsx", "jsonl"; NULL for anything else. Static strings. */
const char *export_format_name(enum export_format f);
/* The format named s (exactly as export_format_name spells it); EXPORT_FORMAT_NONE otherwise. */
enum export_format export_format_parse(const char *s);
/* The MIME type of a file of format f: "text/csv; charset=utf-8", the OOXML spreadsheet
 * type, "application/x-ndjson; charset=utf-8". */
const char *export_format_mime(enum export_format f);

/* One column: key (JSONL object key) and label (CSV/XLSX header), both UTF-8, borrowed
 * until export_begin returns (the writer copies what it keeps). */
struct export_column {
    const char *key;
    const char *label;
};

enum export_cell_type { EXPORT_NULL = 0, EXPORT_TEXT, EXPORT_INT, EXPORT_REAL };

/* One cell: text s of n bytes (UTF-8, NUL-terminated at s[n]), or a number. */
struct export_cell {
    enum export_cell_type type;
    const char *s;
    size_t n;
    int64_t i;
    double d;
};

struct export_writer;

/* Creates the file at path (exclusively, mode 0600) for format f. Returns 0
 * with *out owned by the caller (export_free), or ERR_CONFLICT when path
 * exists, ERR_INTERNAL for another failure (e says which). */
int export_open(enum export_format f, const char *path, struct export_writer **out, struct err *e);

/* Writes the start of the file with these ncols (1..EXPORT_MAX_COLUMNS)
 * columns: the BOM and header record (CSV), the header row (XLSX), nothing
 * (JSONL). Called once, before any row. */
int export_begin(struct export_writer *w, const struct export_column *cols, int ncols, struct err *e);

/* Writes one row of ncols cells (as many as export_begin's columns). */
int export_row(struct export_writer *w, const struct export_cell *cells, struct err *e);

/* Completes the file, flushes it to disk (fsync) and closes it; *bytes gets
 * its size and sha256 its SHA-256 as 64 lower-case hex digits. After a
 * failure the file is incomplete: the caller removes it. */
int export_finish(struct export_writer *w, uint64_t *bytes, char sha256[65], struct err *e);

/* Releases w (closing the file if export_finish was not reached; the file
 * stays where it is). NULL is a no-op. */
void export_free(struct export_writer *w);

/* Encoding CSV or JSONL rows apart from the writer, so that several threads encode while one writes:
 * an encoder appends rows, exactly as export_row would write them, to a memory buffer of its own;
 * export_write_encoded hands the buffer to the writer (hashed and written, its rows counted). Made
 * after export_begin (NULL for XLSX, whose cells go through export_row), used by one thread at a
 * time, freed before its writer. */
struct export_encoder;
struct export_encoder *export_encoder_new(const struct export_writer *w);
int export_encode_row(struct export_encoder *en, const struct export_cell *cells, struct err *e);
/* Empties en for the next rows. */
void export_encoder_reset(struct export_encoder *en);
void export_encoder_free(struct export_encoder *en);
/* Appends en's rows to w's file (after whatever export_row wrote before). */
int export_write_encoded(struct export_writer *w, const struct export_encoder *en, struct err *e);

/* Rows written so far. */
uint64_t export_rows(const struct export_writer *w);

/* SHA-256 (64 hex digits) and size of everything fd can read from its current
 * offset to the end. Returns 0, or ERR_INTERNAL for a read error (e set). */
int export_sha256_fd(int fd, char sha256[65], uint64_t *bytes, struct err *e);

#endif
