/* mask.h - masking of contact data for viewers who may only see part of it
 * (interviewers see "138****1234" and "z***@example.com").
 *
 * Pure functions: no I/O, no allocation. Inputs are normalised values (a
 * phone as digits, an email as local@domain); anything else is still masked
 * safely, never echoed whole. */
#ifndef TALENTD_MASK_H
#define TALENTD_MASK_H

#include <stddef.h>

/* Writes the masked form of phone into out (outsz bytes, NUL-terminated,
 * truncated if too small): with 8 or more characters the first 3 and last 4
 * are kept and every character between becomes '*' ("13800001234" ->
 * "138****1234"); with 4..7 the first 1 and last 2 are kept; with fewer
 * every character becomes '*'. Returns the length written. */
size_t mask_phone(const char *phone, char *out, size_t outsz);

/* Writes the masked form of email into out (outsz bytes, NUL-terminated,
 * truncated if too small): the first character (code point) of the local
 * part, "***", then "@" and the domain unchanged ("zhang@example.com" ->
 * "z***@example.com"). Without an '@', or with an empty local part, the
 * result is "***". Returns the length written. */
size_t mask_email(const char *email, char *out, size_t outsz);

#endif
