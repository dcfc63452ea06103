/* report_cache.c - see report_cache.h. One mutex guards the table and the
 * LRU list; bodies are copied in once and handed out by reference. */
#include "svc/report_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

#define NBUCKETS (1u << 15)

struct entry {
    struct report_body pub; /* what callers hold; first, so a body is its entry */
    int64_t app;
    int cls;
    struct report_stamp st;
    atomic_int refs;           /* the table's own reference (while filed) + callers' */
    struct entry *hnext;       /* hash chain */
    struct entry *prev, *next; /* LRU list: head most recent */
    size_t cost;
    _Alignas(int64_t) char data[]; /* the viewers, then the body */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *buckets[NBUCKETS];
static struct entry *head, *tail;
static size_t bytes, entries, budget = REPORT_CACHE_DEFAULT_BYTES;
static uint64_t hits, misses, evictions;

static unsigned slot_of(int64_t app, int cls)
{
    uint64_t h = (uint64_t)app * 0x9E3779B97F4A7C15ull ^ (uint64_t)cls * 0xC2B2AE3D27D4EB4Full;
    return (unsigned)(h >> 49) & (NBUCKETS - 1);
}

static void unref(struct entry *e)
{
    if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
        free(e);
}

static void lru_unlink(struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_front(struct entry *e)
{
    e->prev = NULL;
    e->next = head;
    if (head)
        head->prev = e;
    head = e;
    if (!tail)
        tail = e;
}

/* Takes e out of the table and the list and drops the table's reference (under mu). */
static void drop(struct entry *e)
{
    struct entry **p = &buckets[slot_of(e->app, e->cls)];
    while (*p && *p != e)
        p = &(*p)->hnext;
    if (*p)
        *p = e->hnext;
    lru_unlink(e);
    bytes -= e->cost;
    entries--;
    unref(e);
}

static struct entry *find(int64_t app, int cls)
{
    for (struct entry *e = buckets[slot_of(app, cls)]; e; e = e->hnext)
        if (e->app == app && e->cls == cls)
            return e;
    return NULL;
}

static void shrink_to(size_t limit)
{
    for (struct entry *e = tail; e && bytes > limit;) {
        struct entry *older = e->prev;
        drop(e);
        evictions++;
        e = older;
    }
}

const struct report_body *report_cache_get(int64_t app, int cls, const struct report_stamp *st)
{
    pthread_mutex_lock(&mu);
    struct entry *e = find(app, cls);
    if (e && memcmp(&e->st, st, sizeof(*st)) != 0) {
        drop(e); /* rendered from rows that changed since: never served again */
        e = NULL;
    }
    if (e) {
        atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
        lru_unlink(e);
        lru_front(e);
        hits++;
    } else {
        misses++;
    }
    pthread_mutex_unlock(&mu);
    return e ? &e->pub : NULL;
}

const struct report_body *report_cache_put(int64_t app, int cls, const struct report_stamp *st, const char *data,
                                           size_t len, const struct report_viewer *v, size_t nv)
{
    size_t vbytes = nv * sizeof(*v);
    size_t cost = sizeof(struct entry) + vbytes + len;
    struct entry *e = xmalloc(sizeof(*e) + vbytes + len);
    memset(e, 0, sizeof(*e));
    struct report_viewer *ev = (struct report_viewer *)(void *)e->data; /* the viewers first: aligned */
    if (nv)
        memcpy(ev, v, vbytes);
    memcpy(e->data + vbytes, data, len);
    e->pub.len = len;
    e->pub.data = e->data + vbytes;
    e->pub.nviewers = nv;
    e->pub.viewers = nv ? ev : NULL;
    e->app = app;
    e->cls = cls;
    e->st = *st;
    e->cost = cost;
    atomic_init(&e->refs, 2); /* the table's and the caller's */
    pthread_mutex_lock(&mu);
    if (cost > budget) {
        pthread_mutex_unlock(&mu);
        atomic_store(&e->refs, 1);
        return &e->pub; /* the caller's only: freed on release */
    }
    struct entry *old = find(app, cls);
    if (old)
        drop(old);
    shrink_to(budget - cost);
    unsigned k = slot_of(app, cls);
    e->hnext = buckets[k];
    buckets[k] = e;
    lru_front(e);
    bytes += cost;
    entries++;
    pthread_mutex_unlock(&mu);
    return &e->pub;
}

void report_cache_release(const struct report_body *b)
{
    if (b)
        unref((struct entry *)(void *)b); /* the body is its entry's first member */
}

void report_cache_set_budget(size_t n)
{
    pthread_mutex_lock(&mu);
    budget = n ? n : REPORT_CACHE_DEFAULT_BYTES;
    shrink_to(budget);
    pthread_mutex_unlock(&mu);
}

void report_cache_stats(struct report_cache_stats *out)
{
    pthread_mutex_lock(&mu);
    out->hits = hits;
    out->misses = misses;
    out->evictions = evictions;
    out->entries = entries;
    out->bytes = bytes;
    out->budget = budget;
    pthread_mutex_unlock(&mu);
}

void report_cache_clear(void)
{
    pthread_mutex_lock(&mu);
    shrink_to(0);
    pthread_mutex_unlock(&mu);
}
