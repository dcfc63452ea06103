/* report_cache.h - rendered application reports kept in memory, shared by the
 * server's threads.
 *
 * An entry is the report's JSON as one viewing class sees it (contact data in
 * clear, partly or masked), without its per-viewer end ("viewed"), with the
 * list of who opened it, filed under (application id, class) with the stamp it
 * was rendered at: the application's version and report_stamp, its position's
 * version and hist_stamp and its org unit's version, read in one statement
 * (svc/report.c; migration 013's triggers keep the stamps). An entry is served only while a fresh read of the stamp is
 * equal to the one it was rendered at, so a write by this process, by the CLI
 * or by another server on the same database is seen at the next request; the
 * cache never answers who may see a report (that check runs on every
 * request). Entries are refcounted (a body being sent outlives its eviction)
 * and the cache holds at most a byte budget, least recently used out first. */
#ifndef TALENTD_SVC_REPORT_CACHE_H
#define TALENTD_SVC_REPORT_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* How many numbers make a stamp (svc/report.c fills them). */
#define REPORT_STAMP_N 6

/* The default budget: ~5 000 reports of 6 KB. */
#define REPORT_CACHE_DEFAULT_BYTES ((size_t)32 * 1024 * 1024)

struct report_stamp {
    int64_t v[REPORT_STAMP_N];
};

/* Who has opened the application's current result, and when (result_view). */
struct report_viewer {
    int64_t user_id, first_at, last_at;
};

/* A rendered body: len bytes at data (not NUL-terminated), with the
 * application's viewers as they were when it was rendered (part of the stamp). */
struct report_body {
    size_t len;
    const char *data;
    size_t nviewers;
    const struct report_viewer *viewers;
};

/* The body of (app, cls) rendered at stamp st, with a reference the caller
 * releases (report_cache_release); NULL when there is none at that stamp. */
const struct report_body *report_cache_get(int64_t app, int cls, const struct report_stamp *st);

/* Files a copy of data (len bytes) and of the nv viewers for (app, cls) at
 * stamp st, replacing what was there, and returns a reference to it (release
 * it); one larger than the whole budget is handed back without being filed. */
const struct report_body *report_cache_put(int64_t app, int cls, const struct report_stamp *st, const char *data,
                                           size_t len, const struct report_viewer *v, size_t nv);

/* Drops a reference from report_cache_get/put. */
void report_cache_release(const struct report_body *b);

/* Sets the byte budget (0: the default), evicting down to it. */
void report_cache_set_budget(size_t bytes);

struct report_cache_stats {
    uint64_t hits, misses, evictions;
    size_t entries, bytes, budget;
};
void report_cache_stats(struct report_cache_stats *out);

/* Drops every entry (references still held stay valid until released). */
void report_cache_clear(void);

#endif
