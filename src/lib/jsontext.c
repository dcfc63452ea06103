/* jsontext.c - JSON text as jansson writes it (lib/jsontext.h). */
#include "lib/jsontext.h"

#include <string.h>

size_t json_quote(char *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char *o = out;
    *o++ = '"';
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        memcpy(o, s + from, i - from);
        o += i - from;
        from = i + 1;
        *o++ = '\\';
        switch (ch) {
        case '"':
        case '\\':
            *o++ = (char)ch;
            break;
        case '\b':
            *o++ = 'b';
            break;
        case '\f':
            *o++ = 'f';
            break;
        case '\n':
            *o++ = 'n';
            break;
        case '\r':
            *o++ = 'r';
            break;
        case '\t':
            *o++ = 't';
            break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    memcpy(o, s + from, n - from);
    o += n - from;
    *o++ = '"';
    return (size_t)(o - out);
}
