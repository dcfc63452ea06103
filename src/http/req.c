/* req.c - request accessors shared by every API handler. */
#include "http/req.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

const char *req_query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct query_check {
    const char *const *allowed;
    const char *bad;
};

static int name_allowed(const char *const *allowed, const char *key)
{
    for (const char *const *a = allowed; a && *a; a++) {
        size_t n = strlen(*a);
        if (n && (*a)[n - 1] == '*') {
            if (strncmp(key, *a, n - 1) == 0)
                return 1;
        } else if (strcmp(key, *a) == 0) {
            return 1;
        }
    }
    return 0;
}

static enum MHD_Result check_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    struct query_check *qc = cls;
    if (!qc->bad && !name_allowed(qc->allowed, key))
        qc->bad = key;
    return MHD_YES;
}

int req_check_query(struct req *r, const char *const *allowed)
{
    struct query_check qc = {allowed, NULL};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_one, &qc);
    if (qc.bad)
        return err_set(&r->err, ERR_MALFORMED, "unknown_parameter", qc.bad, "unknown query parameter: %.100s", qc.bad);
    return 0;
}

int req_param_id(struct req *r, int i, int64_t *id)
{
    const char *s = i < r->nparams ? r->params[i] : NULL;
    if (!s || !*s || strlen(s) > 19)
        return err_set(&r->err, ERR_NOT_FOUND, NULL, "id", "no such resource");
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return err_set(&r->err, ERR_NOT_FOUND, NULL, "id", "no such resource");
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno || v <= 0)
        return err_set(&r->err, ERR_NOT_FOUND, NULL, "id", "no such resource");
    *id = v;
    return 0;
}

int req_json_body(struct req *r, json_t **out)
{
    *out = NULL;
    if (r->body.len == 0)
        return err_set(&r->err, ERR_MALFORMED, "malformed_json", NULL, "a JSON object body is required");
    json_error_t je;
    json_t *v = json_loadb(r->body.p, r->body.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!v)
        return err_set(&r->err, ERR_MALFORMED, "malformed_json", NULL, "malformed JSON at line %d column %d: %s",
                       je.line, je.column, je.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return err_set(&r->err, ERR_INVALID, NULL, NULL, "the body must be a JSON object");
    }
    *out = v;
    return 0;
}

int req_reply(struct req *r, int status, json_t *out)
{
    r->status = status;
    json_decref(r->out);
    r->out = out;
    return 0;
}

int req_reply_file(struct req *r, int fd, uint64_t len, const char *ctype, const char *filename)
{
    static const char hex[] = "0123456789ABCDEF";
    char ascii[256], enc[768];
    size_t a = 0, n = 0;
    int plain = 1;
    for (const unsigned char *p = (const unsigned char *)filename; *p && a + 1 < sizeof(ascii); p++) {
        int safe = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                   strchr("-._~", *p) != NULL;
        plain &= safe;
        ascii[a++] = safe ? (char)*p : '_';
        if (n + 4 > sizeof(enc))
            continue;
        if (safe) {
            enc[n++] = (char)*p;
        } else {
            enc[n++] = '%';
            enc[n++] = hex[*p >> 4];
            enc[n++] = hex[*p & 15];
        }
    }
    ascii[a] = '\0';
    enc[n] = '\0';
    free(r->disposition);
    r->disposition = plain ? xasprintf("attachment; filename=\"%s\"", ascii)
                           : xasprintf("attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
    r->file_fd = fd;
    r->file_len = len;
    r->content_type = ctype;
    r->status = 200;
    return 0;
}
