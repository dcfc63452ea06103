/* jsontext.h - writing JSON text without jansson, byte for byte as jansson's
 * json_dumps writes it (for hot paths that write rows straight to text). */
#ifndef TALENTD_JSONTEXT_H
#define TALENTD_JSONTEXT_H

#include <stddef.h>

/* The most json_quote writes for n bytes of string. */
#define JSON_QUOTE_MAX(n) (6 * (n) + 2)

/* Writes s (n bytes of UTF-8) as a JSON string as jansson writes it: in double quotes, '"' and
 * '\\' escaped, the C0 controls as \b \f \n \r \t or \u00XX (upper-case hex), everything else
 * (including '/', DEL and non-ASCII) as it is. out has room for JSON_QUOTE_MAX(n) bytes; returns
 * the bytes written (no NUL). */
size_t json_quote(char *out, const char *s, size_t n);

#endif
