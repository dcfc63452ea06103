/* tz.h - time zones read from the system's compiled zone files (TZif, RFC 8536).
 *
 * Zones come from /usr/share/zoneinfo, or from the directory named by the TZDIR environment
 * variable (as glibc does). Only version 2+ files are read, and only their 64-bit data; times
 * after the last transition follow the file's footer (a POSIX TZ string such as "CST-8" or
 * "EST5EDT,M3.2.0,M11.1.0"), or, when the footer is empty or not understood, the last
 * transition's type. Nothing here touches the process's TZ or localtime: a struct tz is
 * immutable once loaded and may be shared between threads. */
#ifndef TALENTD_TZ_H
#define TALENTD_TZ_H

#include <stdint.h>

#include "lib/err.h"

#define TZ_NAME_MAX 64

struct tz;

/* 1 when name is a well-formed zone name: 1..64 characters of letters, digits, '_', '-', '+'
 * and '/', not starting or ending with '/', without "//" or "..". Says nothing of whether the
 * zone exists. */
int tz_name_ok(const char *name);

/* Loads zone name (e.g. "Asia/Shanghai"). 0 and *out (free with tz_free), or ERR_INVALID with
 * field "time_zone" when the name is malformed or names no readable version 2+ TZif file. The
 * name is checked before any file is opened. */
int tz_load(const char *name, struct tz **out, struct err *e);

void tz_free(struct tz *z);

/* The zone's name as loaded. */
const char *tz_name(const struct tz *z);

/* The zone's offset from UTC at the instant utc_ms, in seconds east of UTC. */
int32_t tz_offset_at(const struct tz *z, int64_t utc_ms);

/* The first UTC instant (ms) strictly after after_utc_ms whose local wall time in z is hh:mm
 * (hh 0..23, mm 0..59). A wall time that a forward change skips (a DST gap) gives the instant
 * the gap ends, that day; a wall time that a backward change repeats is given once, at its
 * first occurrence (the second is never returned). */
int64_t tz_next_local_time(const struct tz *z, int hh, int mm, int64_t after_utc_ms);

#endif
