/* static.c - the built web UI served from a directory (static.h has the rules).
 *
 * Files are opened below the root with O_NOFOLLOW and checked with fstat (a
 * regular file, at most HTTP_STATIC_MAX_FILE bytes); the server sends the
 * open descriptor (MHD_create_response_from_fd64) and closes it. Nothing is
 * cached in memory: the kernel's page cache does that, and a rebuilt UI is
 * served at once. */
#include "http/static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_REVALIDATE "no-cache"

/* The UI is one origin: its scripts and styles come from talentd itself. Element Plus sets
 * inline style attributes (style-src 'unsafe-inline'); charts draw on canvas. */
#define HTML_CSP                                                                                                       \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "            \
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "              \
    "frame-ancestors 'none'"

static int is_regular_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int http_static_find_root(const char *dir, char *out, size_t n, struct err *e)
{
    char cand[PATH_MAX], real[PATH_MAX], index[PATH_MAX + 16];
    if (dir) {
        if (strlen(dir) >= sizeof(cand))
            return err_set(e, ERR_NOT_FOUND, NULL, "web", "web UI directory name too long");
        snprintf(cand, sizeof(cand), "%s", dir);
    } else {
        ssize_t len = readlink("/proc/self/exe", cand, sizeof(cand) - 1);
        if (len <= 0)
            return 1;
        cand[len] = '\0';
        char *slash = strrchr(cand, '/');
        if (!slash || (size_t)(slash - cand) + sizeof("/../web/dist") > sizeof(cand))
            return 1;
        memcpy(slash, "/../web/dist", sizeof("/../web/dist"));
    }
    if (!realpath(cand, real)) {
        if (!dir)
            return 1;
        return err_set(e, ERR_NOT_FOUND, NULL, "web", "web UI directory %s: %s", dir, strerror(errno));
    }
    if (strlen(real) >= n) {
        if (!dir)
            return 1;
        return err_set(e, ERR_NOT_FOUND, NULL, "web", "web UI directory %s: name too long", dir);
    }
    snprintf(index, sizeof(index), "%s/index.html", real);
    if (!is_regular_file(index)) {
        if (!dir)
            return 1;
        return err_set(e, ERR_NOT_FOUND, NULL, "web", "web UI directory %s has no index.html (build it: make web)",
                       dir);
    }
    snprintf(out, n, "%s", real);
    return 0;
}

int http_static_accepts(const char *header, const char *token)
{
    if (!header)
        return 0;
    size_t tlen = strlen(token);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *item = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t ilen = (size_t)(p - item);
        /* Parameters up to the next comma: only q matters. */
        double q = 1.0;
        while (*p && *p != ',') {
            if (*p == ';') {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
                    q = strtod(p + 2, NULL);
            } else {
                p++;
            }
        }
        if (ilen == tlen && strncasecmp(item, token, tlen) == 0 && q > 0)
            return 1;
    }
    return 0;
}

int http_static_path_ok(const char *path)
{
    size_t len = strlen(path);
    if (path[0] != '/' || len >= HTTP_STATIC_MAX_PATH)
        return 0;
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || c == '\\')
            return 0;
        if (c == '/' && (p[1] == '/' || p[1] == '.'))
            return 0; /* "//", and every segment starting with '.': "..", ".", ".env" */
    }
    return 1;
}

static const struct {
    const char *ext;
    const char *type;
} mime_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"wasm", "application/wasm"},
    {"webmanifest", "application/manifest+json"},
};

const char *http_static_mime(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash : name, '.');
    if (dot) {
        for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
            if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
                return mime_types[i].type;
    }
    return "application/octet-stream";
}

/* Compressible types get a Vary: Accept-Encoding (a .gz may exist for them). */
static int compressible(const char *ctype)
{
    return strncmp(ctype, "text/", 5) == 0 || strncmp(ctype, "application/json", 16) == 0 ||
           strncmp(ctype, "image/svg", 9) == 0;
}

/* Opens root + rel (rel starts with '/') as a regular file of at most HTTP_STATIC_MAX_FILE bytes.
 * Returns the descriptor and fills *st, or -1 with errno (EISDIR for a directory, EFBIG when too
 * large, ELOOP for a symbolic link). */
static int open_file(const char *root, const char *rel, const char *suffix, struct stat *st)
{
    char full[PATH_MAX];
    int n = snprintf(full, sizeof(full), "%s%s%s", root, rel, suffix);
    if (n < 0 || (size_t)n >= sizeof(full)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int why = 0;
    if (fstat(fd, st) != 0)
        why = errno;
    else if (S_ISDIR(st->st_mode))
        why = EISDIR;
    else if (!S_ISREG(st->st_mode))
        why = ENOENT;
    else if ((long long)st->st_size > HTTP_STATIC_MAX_FILE)
        why = EFBIG;
    if (why) {
        close(fd);
        errno = why;
        return -1;
    }
    return fd;
}

int http_static_applies(struct req *r, const char *path, int routed)
{
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return 0;
    if (strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0)
        return 0;
    if (!routed)
        return 1;
    return strcmp(path, "/") == 0 && http_static_accepts(req_header(r, "Accept"), "text/html");
}

int http_static_serve(struct req *r, const char *root, const char *path)
{
    if (!http_static_path_ok(path))
        return err_set(&r->err, ERR_MALFORMED, "bad_path", NULL, "refused path");
    const char *rel = path;
    int wants_html = http_static_accepts(req_header(r, "Accept"), "text/html");
    if (strcmp(path, "/") == 0)
        rel = "/index.html";
    struct stat st;
    int fd = open_file(root, rel, "", &st);
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) && wants_html &&
        strncmp(path, "/assets/", 8) != 0) {
        /* A client-side route (/applications/7): the app's shell, whose router shows the page. */
        rel = "/index.html";
        fd = open_file(root, rel, "", &st);
    }
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR || errno == ELOOP || errno == ENAMETOOLONG)
            return err_set(&r->err, ERR_NOT_FOUND, NULL, NULL, "no such resource: %.200s", path);
        return err_set(&r->err, ERR_INTERNAL, NULL, NULL, "cannot serve %.200s: %s", path, strerror(errno));
    }
    const char *ctype = http_static_mime(rel);
    int vary = compressible(ctype);
    const char *enc = NULL;
    if (vary && http_static_accepts(req_header(r, "Accept-Encoding"), "gzip")) {
        struct stat gst;
        int gfd = open_file(root, rel, ".gz", &gst);
        if (gfd >= 0) { /* the precompressed twin written by the build (web/scripts/postbuild.mjs) */
            close(fd);
            fd = gfd;
            st = gst;
            enc = "gzip";
        }
    }
    snprintf(r->etag, sizeof(r->etag), "\"%llx-%llx%s\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL + (unsigned long long)st.st_mtim.tv_nsec,
             enc ? "-gz" : "");
    r->cache_control = strncmp(rel, "/assets/", 8) == 0 ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
    r->content_encoding = enc;
    r->vary = vary ? "Accept-Encoding" : NULL;
    r->csp = strncmp(ctype, "text/html", 9) == 0 ? HTML_CSP : NULL;
    const char *inm = req_header(r, "If-None-Match");
    if (inm && (strstr(inm, r->etag) || strcmp(inm, "*") == 0)) {
        close(fd);
        r->status = 304;
        return 0;
    }
    r->file_fd = fd;
    r->file_len = (uint64_t)st.st_size;
    r->content_type = ctype;
    r->status = 200;
    return 0;
}
