/* mask.c - partial display of phone numbers and email addresses. */
#include "core/mask.h"

#include "lib/utf8.h"

#include <string.h>

/* Appends n bytes of s to out at *len, keeping room for the NUL. */
static void put(char *out, size_t outsz, size_t *len, const char *s, size_t n)
{
    if (outsz == 0)
        return;
    size_t room = outsz - 1 - *len;
    if (n > room)
        n = room;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

static void stars(char *out, size_t outsz, size_t *len, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(out, outsz, len, "*", 1);
}

size_t mask_phone(const char *phone, char *out, size_t outsz)
{
    size_t len = 0, n = phone ? strlen(phone) : 0;
    if (outsz)
        out[0] = '\0';
    size_t head = n >= 8 ? 3 : n >= 4 ? 1 : 0;
    size_t tail = n >= 8 ? 4 : n >= 4 ? 2 : 0;
    put(out, outsz, &len, phone ? phone : "", head);
    stars(out, outsz, &len, n - head - tail);
    put(out, outsz, &len, phone ? phone + n - tail : "", tail);
    return len;
}

size_t mask_email(const char *email, char *out, size_t outsz)
{
    size_t len = 0;
    if (outsz)
        out[0] = '\0';
    const char *at = email ? strrchr(email, '@') : NULL;
    if (!at || at == email) {
        put(out, outsz, &len, "***", 3);
        return len;
    }
    size_t first = utf8_seq_len((unsigned char)email[0]);
    if (first > (size_t)(at - email))
        first = 1;
    put(out, outsz, &len, email, first);
    put(out, outsz, &len, "***", 3);
    put(out, outsz, &len, at, strlen(at));
    return len;
}
