#include "lib/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/mem.h"

#define SB_MIN_CAP 32

void sb_init(struct strbuf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Checks that n more bytes fit under max and makes room for them plus the
 * NUL. Returns 0 or ERR_TOO_LARGE; the contents are untouched either way. */
static int sb_reserve(struct strbuf *b, size_t n)
{
    if (n > SIZE_MAX - 1 - b->len)
        return ERR_TOO_LARGE;
    if (b->max && b->len + n > b->max)
        return ERR_TOO_LARGE;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : SB_MIN_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    /* Never allocate far beyond what max can ever use. */
    if (b->max && cap > b->max + 1)
        cap = b->max + 1;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
    return 0;
}

int sb_append(struct strbuf *b, const char *s, size_t n)
{
    int rc = sb_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

char *sb_space(struct strbuf *b, size_t n)
{
    return sb_reserve(b, n) ? NULL : b->p + b->len;
}

void sb_wrote(struct strbuf *b, size_t k)
{
    b->len += k;
    b->p[b->len] = '\0';
}

int sb_puts(struct strbuf *b, const char *s)
{
    return sb_append(b, s, strlen(s));
}

int sb_putc(struct strbuf *b, char c)
{
    return sb_append(b, &c, 1);
}

int sb_printf(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ERR_INTERNAL;
    int rc = sb_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void sb_reset(struct strbuf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

char *sb_steal(struct strbuf *b)
{
    char *s = b->p ? b->p : xstrdup("");
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    return s;
}

void sb_free(struct strbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}
