/* router.c - matching a request path against the route table. */
#include "http/router.h"

#include <pthread.h>
#include <string.h>

#include "lib/mem.h"

int scope_allows(const char *scopes, const char *scope)
{
    if (!scope || !scopes)
        return 0;
    size_t n = strlen(scope);
    for (const char *p = scopes; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, scope, n) == 0)
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Matches path against pattern; fills r->params from "{x}" segments. */
static int match(struct req *r, const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    int np = 0;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++;
        s++;
        const char *pe = strchr(p, '/');
        const char *se = strchr(s, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p);
        size_t sl = se ? (size_t)(se - s) : strlen(s);
        if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
            if (sl == 0 || np >= REQ_MAX_PARAMS)
                return 0;
            if (r)
                r->params[np] = arena_strndup(&r->arena, s, sl);
            np++;
        } else if (pl != sl || strncmp(p, s, pl) != 0) {
            return 0;
        }
        p += pl;
        s += sl;
    }
    if (*p || *s)
        return 0;
    if (r)
        r->nparams = np;
    return 1;
}

/* The length of each pattern's literal start (up to its first "{"): a path that does not begin with it
 * cannot match, which one memcmp tells. */
static size_t *literal_len;
static pthread_once_t literal_once = PTHREAD_ONCE_INIT;

static void literal_init(void)
{
    literal_len = xcalloc((size_t)routes_count + 1, sizeof(*literal_len));
    for (int i = 0; i < routes_count; i++)
        literal_len[i] = strcspn(routes[i].pattern, "{");
}

const struct route *router_match(struct req *r, const char *method, const char *path, int *status)
{
    int path_found = 0;
    pthread_once(&literal_once, literal_init);
    size_t plen = strlen(path);
    for (int i = 0; i < routes_count; i++) {
        const struct route *rt = &routes[i];
        if (literal_len[i] > plen || memcmp(rt->pattern, path, literal_len[i]) != 0 || !match(NULL, rt->pattern, path))
            continue;
        path_found = 1;
        if (strcmp(rt->method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
            match(r, rt->pattern, path);
            return rt;
        }
    }
    *status = path_found ? 405 : 404;
    return NULL;
}
