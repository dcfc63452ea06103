/* numtext.h - numbers as decimal text without printf, for hot paths that write many rows
 * (exports, the applications list): the same bytes as printf's "%lld" and "%.15g". */
#ifndef TALENTD_NUMTEXT_H
#define TALENTD_NUMTEXT_H

#include <stddef.h>
#include <stdint.h>

/* The most num_int and num_real write. */
#define NUM_INT_MAX 20
#define NUM_REAL_MAX 32

/* Writes v in decimal at p (as "%lld"); returns the length (no NUL). */
size_t num_int(int64_t v, char *p);

/* Writes d at p as "%.15g" writes it (so an integral value has no fraction: 80, not 80.0);
 * integral values and values of at most two decimals (scores) without printf. Returns the
 * length (no NUL), 0 for NaN and infinities. */
size_t num_real(double d, char *p);

#endif
