/* read_cache.c - see read_cache.h. */
#include "svc/read_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/change_gen.h"

static pthread_key_t table_key[READ_CACHE__N];
static pthread_once_t table_key_once = PTHREAD_ONCE_INIT;

static void table_keys_init(void)
{
    for (int i = 0; i < READ_CACHE__N; i++)
        pthread_key_create(&table_key[i], free);
}

int read_cache_on(const struct svc_ctx *c, uint64_t *gen)
{
    return c->db && db_kind(c->db) == DB_POSTGRES && !c->batch && change_gen_current(gen);
}

int read_cache_valid(uint64_t gen)
{
    return change_gen_valid(gen);
}

void *read_cache_table(enum read_cache_table which, size_t slot_size)
{
    pthread_once(&table_key_once, table_keys_init);
    void *t = pthread_getspecific(table_key[which]);
    if (!t && (t = calloc(READ_CACHE_SLOTS, slot_size)) != NULL && pthread_setspecific(table_key[which], t) != 0) {
        free(t);
        t = NULL;
    }
    return t;
}

uint64_t read_cache_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The slot of credential hash (a SHA-256 in hex: its first bytes are spread well enough). */
static struct auth_entry *auth_slot(const char *hash, int session)
{
    struct auth_entry *t = read_cache_table(READ_CACHE_AUTH, sizeof(*t));
    if (!t)
        return NULL;
    uint64_t h = read_cache_hash(0xcbf29ce484222325ULL + (uint64_t)session, hash, 16);
    return &t[h % READ_CACHE_SLOTS];
}

int auth_cache_get(const char *hash, int session, struct auth_entry *out)
{
    const struct auth_entry *e = auth_slot(hash, session);
    if (!e || !e->gen || e->session != session || strcmp(e->hash, hash) != 0 || !read_cache_valid(e->gen))
        return 0;
    *out = *e;
    return 1;
}

void auth_cache_put(const struct auth_entry *e)
{
    struct auth_entry *slot = auth_slot(e->hash, e->session);
    if (slot)
        *slot = *e;
}
