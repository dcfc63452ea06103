/* csv.h - streaming RFC 4180 CSV reader for imports.
 *
 * Fields are separated by ',' and records by LF or CRLF. A field may be
 * quoted with '"'; inside quotes "" is a literal quote and commas and line
 * breaks are data (kept verbatim). A quote inside an unquoted field is kept
 * as a literal character (lenient, as spreadsheets write it). A CR not
 * followed by LF outside quotes is data. Empty lines are skipped; a leading
 * UTF-8 byte order mark is skipped. Every field must be valid UTF-8. */
#ifndef TALENTD_CSV_H
#define TALENTD_CSV_H

#include <stddef.h>

#include "lib/err.h"

struct csv_reader; /* opaque */

/* Opens the file at path for reading ("-" = stdin, which is not closed by
 * csv_close). max_field is the largest field in bytes (e.g. 64 KiB) and
 * max_fields the most fields per record (e.g. 256); both must be > 0.
 * Returns 0 and sets *out (caller frees with csv_close), ERR_NOT_FOUND if
 * the file does not exist, ERR_INVALID for bad limits, or ERR_INTERNAL if
 * it cannot be opened for another reason; e gets the message. */
int csv_open(const char *path, size_t max_field, int max_fields, struct csv_reader **out,
             struct err *e);

/* As csv_open, but reads the n bytes at data, which are not copied and must
 * outlive the reader. */
int csv_open_mem(const char *data, size_t n, size_t max_field, int max_fields,
                 struct csv_reader **out, struct err *e);

/* Reads the next record. Clears e on entry. Returns 1 and sets *fields to
 * an array of *nfields NUL-terminated strings (at least one), owned by the
 * reader and valid until the next csv_next or csv_close; 0 at end of input;
 * or a negative code with e->message "line L: ...":
 *   ERR_MALFORMED  unterminated quote, or text after a closing quote
 *   ERR_TOO_LARGE  a field longer than max_field, or more than max_fields
 *   ERR_INVALID    a field that is not valid UTF-8
 *   ERR_INTERNAL   a read error (reported once; the next call returns 0)
 * After a syntax or size error the reader resumes at the physical line after
 * the one where the failing record started, so the caller can report the
 * error and call csv_next again. After an invalid UTF-8 error the record was
 * read completely and the reader resumes at the following record. */
int csv_next(struct csv_reader *r, char ***fields, int *nfields, struct err *e);

/* Physical line number (1-based) where the record last returned by csv_next
 * started, or where the failing record started after an error; 0 before the
 * first call. */
long csv_line(const struct csv_reader *r);

/* Closes the file (unless stdin) and frees the reader. NULL is a no-op. */
void csv_close(struct csv_reader *r);

#endif
