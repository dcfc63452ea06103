/* test_webhooks.c - src/svc/webhooks_deliver.c: the stable code of a delivery's last failure, from
 * the status and the English text the worker recorded. */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <curl/curl.h>
#include <string.h>

#include "svc/webhooks_impl.h"

static void no_failure_no_code(void **state)
{
    (void)state;
    assert_null(wh_error_code(1, 200, NULL));
    assert_null(wh_error_code(0, 0, NULL));
}

static void an_answer_is_http_status(void **state)
{
    (void)state;
    assert_string_equal(wh_error_code(1, 500, "HTTP 500: receiver is down"), "http_status");
    assert_string_equal(wh_error_code(1, 404, "HTTP 404"), "http_status");
}

static void own_texts(void **state)
{
    (void)state;
    assert_string_equal(wh_error_code(0, 0, "no answer within 3000 ms"), "timeout");
    assert_string_equal(wh_error_code(0, 0, "the signing secret cannot be decrypted (key file changed?)"),
                        "secret_unreadable");
    assert_string_equal(wh_error_code(0, 0, "libcurl could not start a request"), "client_failed");
}

static void libcurl_texts_by_code(void **state)
{
    (void)state;
    assert_string_equal(wh_error_code(0, 0, curl_easy_strerror(CURLE_COULDNT_CONNECT)), "connect_failed");
    assert_string_equal(wh_error_code(0, 0, curl_easy_strerror(CURLE_COULDNT_RESOLVE_HOST)), "dns");
    assert_string_equal(wh_error_code(0, 0, curl_easy_strerror(CURLE_PEER_FAILED_VERIFICATION)), "tls");
    assert_string_equal(wh_error_code(0, 0, curl_easy_strerror(CURLE_SSL_CONNECT_ERROR)), "tls");
    assert_string_equal(wh_error_code(0, 0, curl_easy_strerror(CURLE_OPERATION_TIMEDOUT)), "timeout");
    assert_string_equal(wh_error_code(0, 0, curl_easy_strerror(CURLE_GOT_NOTHING)), "connection_lost");
    assert_string_equal(wh_error_code(0, 0, curl_easy_strerror(CURLE_UNSUPPORTED_PROTOCOL)), "bad_url");
    assert_string_equal(wh_error_code(0, 0, curl_easy_strerror(CURLE_TOO_MANY_REDIRECTS)), "network");
    assert_string_equal(wh_error_code(0, 0, "something nobody wrote"), "network");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_failure_no_code),
        cmocka_unit_test(an_answer_is_http_status),
        cmocka_unit_test(own_texts),
        cmocka_unit_test(libcurl_texts_by_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
