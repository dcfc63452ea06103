/* webhooks_failure.c - what a webhook delivery's failure is called (wh_error_code, webhooks_impl.h):
 * a stable code from the status and text the delivery worker recorded, for a client to say it in its
 * user's language. */
#include <curl/curl.h>
#include <stdint.h>
#include <string.h>

#include "svc/webhooks_impl.h"

/* The code of a libcurl failure (wh_error_code). */
static const char *curl_failure_code(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "dns";
    case CURLE_COULDNT_CONNECT:
        return "connect_failed";
    case CURLE_OPERATION_TIMEDOUT:
        return "timeout";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return "tls";
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return "connection_lost";
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return "bad_url";
    default:
        return "network";
    }
}

const char *wh_error_code(int has_status, int64_t status, const char *error)
{
    if (!error)
        return NULL;
    if (has_status && status > 0)
        return "http_status";
    if (strncmp(error, ERR_TEXT_TIMEOUT, strlen(ERR_TEXT_TIMEOUT)) == 0)
        return "timeout";
    if (strcmp(error, ERR_TEXT_SECRET) == 0)
        return "secret_unreadable";
    if (strcmp(error, ERR_TEXT_START) == 0 || strcmp(error, ERR_TEXT_INIT) == 0)
        return "client_failed";
    /* The text is libcurl's own for its code (post() records curl_easy_strerror): find the code. */
    for (int k = 1; k < CURL_LAST; k++)
        if (strcmp(error, curl_easy_strerror((CURLcode)k)) == 0)
            return curl_failure_code((CURLcode)k);
    return "network";
}
