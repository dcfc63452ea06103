/* timeutil.h - clocks and RFC 3339 timestamps. Times are int64 milliseconds
 * since the Unix epoch, UTC (negative before 1970). */
#ifndef TALENTD_TIMEUTIL_H
#define TALENTD_TIMEUTIL_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Wall-clock time (CLOCK_REALTIME) in UTC milliseconds. */
int64_t time_now_ms(void);

/* Monotonic time (CLOCK_MONOTONIC) in milliseconds, for measuring intervals
 * only; its epoch is arbitrary. */
int64_t time_mono_ms(void);

/* Initialises cv so that its timed waits count on CLOCK_MONOTONIC (a change of the wall clock does
 * not shorten or stretch them), and *at as the monotonic time ms milliseconds from now, for
 * pthread_cond_timedwait on such a condition variable. */
void time_cond_init_monotonic(pthread_cond_t *cv);
void time_mono_deadline(struct timespec *at, int64_t ms);

/* Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (always milliseconds, always Z)
 * into out, NUL-terminated. Years outside 0..9999 are printed with more
 * digits or a sign; the result always fits in 32 bytes. */
void time_format_rfc3339(int64_t ms, char out[32]);

/* ms as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds, cut, not rounded) into out: 0, or -1 for a year
 * outside 0..9999 (out untouched). */
int time_format_seconds(int64_t ms, char out[24]);

/* Parses an RFC 3339 timestamp into UTC milliseconds. Accepts
 * "YYYY-MM-DDTHH:MM:SS" followed by an optional fraction of 1-9 digits
 * (truncated to milliseconds) and "Z" or a "+hh:mm"/"-hh:mm" offset; 'T' may
 * also be 't' or a space and 'Z' may be 'z'. Also accepts a plain date
 * "YYYY-MM-DD" meaning midnight UTC. Rejects out-of-range fields (month 13,
 * Feb 30, hour 24, second 60, offset hour 24) and trailing text.
 * Returns 0 and sets *ms, or ERR_INVALID leaving *ms untouched. */
int time_parse_rfc3339(const char *s, int64_t *ms);

/* The proleptic Gregorian calendar (Howard Hinnant's algorithms; any year an int64 of ms reaches):
 * days since 1970-01-01 of y-m-d, and back; whether y is a leap year; the days of month m of y. */
int64_t time_days_from_civil(int64_t y, int m, int d);
void time_civil_from_days(int64_t z, int64_t *y, int *m, int *d);
int time_is_leap(int64_t y);
int time_days_in_month(int64_t y, int m);

#endif
