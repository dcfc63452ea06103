/* test_applications.c - src/svc/applications.c: the code and parameters of the notes the server
 * writes on stage_history rows itself, and the rule a rule's move names. */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <jansson.h>
#include <string.h>

#include "svc/applications.h"

/* The note_code svc_history_note_code adds to a new *item (the caller frees it), NULL when none. */
static const char *code_of(const char *actor, const char *note, json_t **item)
{
    *item = json_object();
    svc_history_note_code(*item, actor, note);
    return json_string_value(json_object_get(*item, "note_code"));
}

static const char *param(json_t *item, const char *key)
{
    return json_string_value(json_object_get(json_object_get(item, "note_params"), key));
}

static void a_rules_move(void **state)
{
    (void)state;
    json_t *o;
    assert_string_equal(code_of("rule", "rule: 低分淘汰 v2", &o), "rule");
    assert_string_equal(param(o, "rule"), "低分淘汰 v2");
    json_decref(o);
    assert_string_equal(svc_history_rule_name("rule", "rule: a: b"), "a: b");
    assert_null(svc_history_rule_name("hr", "rule: typed by a person"));
    assert_null(svc_history_rule_name("rule", NULL));
}

static void a_results_arrival(void **state)
{
    (void)state;
    json_t *o;
    assert_string_equal(code_of("system", "AI result native/AIV-000021 received", &o), "result_received");
    assert_string_equal(param(o, "vendor"), "native");
    assert_string_equal(param(o, "vendor_result_id"), "AIV-000021");
    json_decref(o);
    assert_string_equal(code_of("system", "AI result stars/a/b received", &o), "result_received");
    assert_string_equal(param(o, "vendor_result_id"), "a/b");
    json_decref(o);
}

static void a_persons_note_has_no_code(void **state)
{
    (void)state;
    json_t *o;
    assert_null(code_of("hr", "AI result native/X received", &o));
    assert_null(json_object_get(o, "note_params"));
    json_decref(o);
    assert_null(code_of("hr", "rule: 内推", &o));
    json_decref(o);
    assert_null(code_of("system", "AI result received", &o));
    json_decref(o);
    assert_null(code_of("system", "AI result nothing-slash received", &o));
    json_decref(o);
    assert_null(code_of("system", NULL, &o));
    json_decref(o);
    assert_null(code_of(NULL, "rule: x", &o));
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_rules_move),
        cmocka_unit_test(a_results_arrival),
        cmocka_unit_test(a_persons_note_has_no_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
