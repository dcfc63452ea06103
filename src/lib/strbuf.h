/* strbuf.h - growable string buffer with a hard maximum size (curl's dynbuf
 * habit). An appending call that would exceed the maximum fails with
 * ERR_TOO_LARGE and leaves the buffer unchanged. Allocation failure aborts. */
#ifndef TALENTD_STRBUF_H
#define TALENTD_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *p;    /* NUL-terminated once anything was appended; NULL before */
    size_t len; /* bytes in use, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* largest allowed len, 0 = unlimited */
};

/* Initialises an empty buffer allowing at most max bytes (0 = unlimited).
 * Allocates nothing. */
void sb_init(struct strbuf *b, size_t max);

/* Appends n bytes of s (which may contain NULs). Returns 0, or ERR_TOO_LARGE
 * if len + n would exceed max; the buffer is then unchanged. */
int sb_append(struct strbuf *b, const char *s, size_t n);

/* Room for n more bytes at the end: where to write them, or NULL (buffer unchanged) when len + n
 * would exceed max. Then sb_wrote(b, k) with the k <= n bytes written there. */
char *sb_space(struct strbuf *b, size_t n);
void sb_wrote(struct strbuf *b, size_t k);

/* Appends the string literal lit (its length known at compile time). */
#define SB_LIT(b, lit) sb_append((b), "" lit, sizeof(lit) - 1)

/* Appends the NUL-terminated string s. Same result as sb_append. */
int sb_puts(struct strbuf *b, const char *s);

/* Appends printf-formatted text. Returns 0, ERR_TOO_LARGE (buffer
 * unchanged), or ERR_INTERNAL if the format itself fails. */
int sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends one byte. Same result as sb_append. */
int sb_putc(struct strbuf *b, char c);

/* Empties the buffer (len = 0) but keeps its memory for reuse. */
void sb_reset(struct strbuf *b);

/* Returns the contents as a heap string the caller owns and must free();
 * never NULL ("" when empty). The buffer is left empty with no memory, and
 * keeps its max. */
char *sb_steal(struct strbuf *b);

/* Frees the buffer's memory and leaves it empty; b is reusable. */
void sb_free(struct strbuf *b);

#endif
