/* utf8.h - UTF-8 checks for text arriving from outside (imports, requests). */
#ifndef TALENTD_UTF8_H
#define TALENTD_UTF8_H

#include <stddef.h>

/* Returns 1 if the n bytes at s are well-formed UTF-8 (RFC 3629): rejects
 * overlong forms, surrogates U+D800..U+DFFF, code points above U+10FFFF and
 * truncated or stray continuation bytes. Embedded NULs count as valid.
 * Returns 0 otherwise. n = 0 is valid. */
int utf8_valid(const char *s, size_t n);

/* Returns the number of code points in the n bytes at s, counting every byte
 * that is not a continuation byte. Assumes s is valid UTF-8. */
size_t utf8_count(const char *s, size_t n);

/* Returns 1 if s contains a C0 control character other than tab, newline and
 * carriage return (this includes NUL), or DEL (0x7F); 0 otherwise. */
int utf8_has_control(const char *s,
                     size_t n); /* 1 if any C0 control other than \t \n \r, DEL, or a C1 control (U+0080..U+009F) */

/* Length in bytes of the UTF-8 sequence led by byte lead: 2, 3 or 4 for a
 * lead byte, 1 for ASCII and for a stray or invalid byte. */
size_t utf8_seq_len(unsigned char lead);

/* Byte length of the first max code points of the n bytes at s (all n when
 * there are fewer): a prefix that never splits a character. */
size_t utf8_prefix(const char *s, size_t n, size_t max);

/* Appends as much of s (NUL-terminated) to out (cap bytes, NUL-terminated)
 * as fits, whole characters only, stopping at the first invalid sequence or
 * control character (tab and newline included): for field paths built from
 * a payload's keys, which must stay printable UTF-8. */
void utf8_append_printable(char *out, size_t cap, const char *s);

#endif
