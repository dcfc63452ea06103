/* mem.h - allocation that never returns NULL (allocation failure aborts,
 * as Redis's zmalloc does), and a bump arena for request-scoped data. */
#ifndef TALENTD_MEM_H
#define TALENTD_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string owned by the caller. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), nonnull(1)));

/* Bump arena: many small allocations freed at once by arena_free. */
struct arena_block;
struct arena {
    struct arena_block *head;
    struct arena_block *spare; /* kept by arena_reset for the next allocations */
};
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3), nonnull(2)));
void arena_free(struct arena *a);  /* frees all blocks; a is reusable */
void arena_reset(struct arena *a); /* forgets every allocation, keeping the blocks */

#endif
