/* scorer_http.c - the external interview scorer over HTTP (svc/scorer_http.h). */
#include "svc/scorer_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/mem.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

static void curl_setup(void)
{
    curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

/* The response body, capped. */
struct body {
    char *p;
    size_t n, cap;
    int too_large;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct body *b = ud;
    size_t len = size * nmemb;
    if (b->n + len > SCORER_HTTP_BODY_MAX) {
        b->too_large = 1;
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->n + len + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->n, ptr, len);
    b->n += len;
    b->p[b->n] = 0;
    return len;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* One attempt. 0 with *out (a JSON object) on a 2xx; otherwise an error in e and *retry set when another
 * attempt may help. */
static int attempt(const struct scorer_http *h, const char *payload, json_t **out, int *retry, struct err *e)
{
    *retry = 0;
    CURL *curl = curl_easy_init();
    if (!curl)
        return err_set(e, ERR_INTERNAL, "scorer_failed", NULL, "%s scorer: libcurl could not start a request",
                       h->vendor);
    struct body b = {0};
    char curl_msg[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Accept: application/json");
    hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(curl, CURLOPT_URL, h->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(payload));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "talentd/0.1.0");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, h->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_msg);
    CURLcode cc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(hdr);
    int rc = 0;
    if (b.too_large) {
        rc = err_set(e, ERR_INTERNAL, "scorer_failed", NULL, "%s scorer: the answer is larger than %zu bytes",
                     h->vendor, SCORER_HTTP_BODY_MAX);
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        *retry = 1;
        rc = err_set(e, ERR_INTERNAL, "scorer_failed", NULL, "%s scorer: no answer within %ld ms", h->vendor,
                     h->timeout_ms);
    } else if (cc != CURLE_OK) {
        *retry = 1;
        rc = err_set(e, ERR_INTERNAL, "scorer_failed", NULL, "%s scorer: %s", h->vendor,
                     curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
    } else if (status < 200 || status > 299) {
        *retry = status == 408 || status == 429 || status >= 500;
        rc = err_set(e, ERR_INTERNAL, "scorer_failed", NULL, "%s scorer: answered HTTP %ld", h->vendor, status);
    } else {
        json_error_t je;
        json_t *v = b.p ? json_loadb(b.p, b.n, JSON_REJECT_DUPLICATES, &je) : NULL;
        if (!json_is_object(v)) {
            rc = err_set(e, ERR_INVALID, "scorer_invalid", NULL, "%s scorer: the answer is not a JSON object%s%s",
                         h->vendor, v ? "" : ": ", v ? "" : (b.p ? je.text : "empty body"));
            json_decref(v);
        } else {
            *out = v;
        }
    }
    free(b.p);
    return rc;
}

static int http_result(const struct interview_scorer *s, json_t *request, json_t **out, struct err *e)
{
    const struct scorer_http *h = s->ud;
    pthread_once(&curl_once, curl_setup);
    if (!curl_ready)
        return err_set(e, ERR_INTERNAL, "scorer_failed", NULL, "%s scorer: libcurl failed to initialise", h->vendor);
    char *payload = json_dumps(request, JSON_COMPACT);
    if (!payload)
        return err_set(e, ERR_INTERNAL, "scorer_failed", NULL, "%s scorer: cannot encode the request", h->vendor);
    int rc = 0, retry = 0, n = 0;
    for (n = 1; n <= SCORER_HTTP_ATTEMPTS; n++) {
        if (n > 1) {
            pause_ms(h->backoff_ms[n - 2]);
            err_clear(e); /* err_set keeps the first error: this attempt's is the one to report */
        }
        if ((rc = attempt(h, payload, out, &retry, e)) == 0 || !retry)
            break;
    }
    free(payload);
    if (rc != 0 && retry) {
        char last[sizeof(e->message)];
        snprintf(last, sizeof(last), "%s", e->message);
        err_clear(e);
        err_set(e, rc, "scorer_failed", NULL, "%.400s (after %d attempts)", last, SCORER_HTTP_ATTEMPTS);
    }
    return rc;
}

static int url_ok(const char *u)
{
    size_t n = strlen(u), skip;
    if (n >= SCORER_HTTP_URL_MAX)
        return 0;
    if (strncasecmp(u, "http://", 7) == 0)
        skip = 7;
    else if (strncasecmp(u, "https://", 8) == 0)
        skip = 8;
    else
        return 0;
    if (!u[skip] || u[skip] == '/')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
            return 0;
    return 1;
}

static int vendor_ok(const char *v)
{
    size_t n = strlen(v);
    if (n < 1 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-'))
            return 0;
    return 1;
}

int scorer_http_init(struct scorer_http *h, const char *url, const char *vendor, int timeout_s, struct err *e)
{
    memset(h, 0, sizeof(*h));
    if (!url || !url_ok(url))
        return err_set(e, ERR_INVALID, "invalid_value", "scorer-url",
                       "the scorer URL must be http:// or https:// followed by a host, without spaces, shorter than "
                       "%d bytes",
                       SCORER_HTTP_URL_MAX);
    if (!vendor)
        vendor = SCORER_HTTP_VENDOR_DEFAULT;
    if (!vendor_ok(vendor))
        return err_set(e, ERR_INVALID, "invalid_value", "scorer-name",
                       "the scorer name is the results' vendor: 1 to 32 of a-z, 0-9, _ and -");
    if (timeout_s == 0)
        timeout_s = SCORER_HTTP_TIMEOUT_S_DEFAULT;
    if (timeout_s < 1 || timeout_s > SCORER_HTTP_TIMEOUT_S_MAX)
        return err_set(e, ERR_INVALID, "out_of_range", "scorer-timeout", "the scorer timeout is 1 to %d seconds",
                       SCORER_HTTP_TIMEOUT_S_MAX);
    snprintf(h->url, sizeof(h->url), "%s", url);
    snprintf(h->vendor, sizeof(h->vendor), "%s", vendor);
    h->timeout_ms = (long)timeout_s * 1000;
    h->backoff_ms[0] = 500;
    h->backoff_ms[1] = 1000;
    h->scorer.vendor = h->vendor;
    h->scorer.model_version = NULL;
    h->scorer.score = NULL;
    h->scorer.result = http_result;
    h->scorer.ud = h;
    return 0;
}
