/* test_routes.c - tests of src/http/routes.c and src/http/router.c.
 *
 * docs/openapi.yaml (embedded as JSON at build time) and the routes[] table
 * must describe the same API: every route is documented with the same
 * access (x-public, x-roles, x-scope), and every documented operation has a
 * route. router_match is checked for parameters, 404 and 405. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>

#include "embedded.h"
#include "http/router.h"

static const char *const http_methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace", NULL};

static json_t *load_spec(void)
{
    json_error_t je;
    json_t *spec = json_loadb(openapi_json, openapi_json_len, 0, &je);
    if (!spec)
        fail_msg("openapi.json does not parse: line %d: %s", je.line, je.text);
    return spec;
}

static void lower(const char *in, char *out, size_t n)
{
    size_t i = 0;
    for (; in[i] && i + 1 < n; i++)
        out[i] = (char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i]);
    out[i] = '\0';
}

/* The operation object documenting route rt, or NULL. */
static json_t *operation_of(json_t *spec, const struct route *rt)
{
    char m[16];
    lower(rt->method, m, sizeof(m));
    return json_object_get(json_object_get(json_object_get(spec, "paths"), rt->pattern), m);
}

/* Role bit mask from an x-roles array; fails the test on an unknown role name. */
static unsigned roles_of(json_t *arr, const char *where)
{
    unsigned bits = 0;
    size_t i;
    json_t *v;
    if (!json_is_array(arr))
        fail_msg("%s: x-roles must be an array", where);
    json_array_foreach (arr, i, v) {
        enum role r = role_parse(json_string_value(v));
        if (r == ROLE_NONE)
            fail_msg("%s: unknown role in x-roles: %s", where, json_string_value(v) ? json_string_value(v) : "?");
        if (bits & ROLE_BIT(r))
            fail_msg("%s: role %s listed twice", where, json_string_value(v));
        bits |= ROLE_BIT(r);
    }
    return bits;
}

static void test_spec_is_openapi(void **state)
{
    (void)state;
    json_t *spec = load_spec();
    assert_string_equal(json_string_value(json_object_get(spec, "openapi")), "3.0.3");
    assert_non_null(json_object_get(json_object_get(spec, "info"), "title"));
    json_t *schemes = json_object_get(json_object_get(spec, "components"), "securitySchemes");
    assert_non_null(json_object_get(schemes, "bearer"));
    assert_non_null(json_object_get(schemes, "session"));
    assert_non_null(json_object_get(schemes, "csrf"));
    json_t *err = json_object_get(json_object_get(json_object_get(spec, "components"), "schemas"), "Error");
    assert_non_null(err);
    json_decref(spec);
}

/* Every route is documented, with the same access. */
static void test_routes_documented(void **state)
{
    (void)state;
    json_t *spec = load_spec();
    for (int i = 0; i < routes_count; i++) {
        const struct route *rt = &routes[i];
        char where[256];
        snprintf(where, sizeof(where), "%s %s", rt->method, rt->pattern);
        json_t *op = operation_of(spec, rt);
        if (!json_is_object(op))
            fail_msg("%s: not documented in docs/openapi.yaml", where);
        if (!json_is_string(json_object_get(op, "summary")))
            fail_msg("%s: no summary", where);
        if (!json_is_object(json_object_get(op, "responses")))
            fail_msg("%s: no responses", where);
        int is_public = json_is_true(json_object_get(op, "x-public"));
        if (is_public != ((rt->flags & ROUTE_PUBLIC) != 0))
            fail_msg("%s: x-public is %s but the route is %s", where, is_public ? "true" : "absent/false",
                     (rt->flags & ROUTE_PUBLIC) ? "public" : "authenticated");
        json_t *xroles = json_object_get(op, "x-roles"), *xscope = json_object_get(op, "x-scope");
        if (is_public) {
            if (xroles || xscope)
                fail_msg("%s: a public operation has no x-roles / x-scope", where);
            json_t *sec = json_object_get(op, "security");
            if (!json_is_array(sec) || json_array_size(sec) != 0)
                fail_msg("%s: a public operation needs security: []", where);
            continue;
        }
        unsigned bits = roles_of(xroles, where);
        if (bits != rt->roles)
            fail_msg("%s: x-roles mask 0x%x differs from the table's 0x%x", where, bits, rt->roles);
        if (rt->scope) {
            if (!json_is_string(xscope) || strcmp(json_string_value(xscope), rt->scope) != 0)
                fail_msg("%s: x-scope should be %s", where, rt->scope);
        } else if (xscope) {
            fail_msg("%s: the route takes no API token, so x-scope must be absent", where);
        }
    }
    json_decref(spec);
}

/* Every documented operation has a route. */
static void test_operations_routed(void **state)
{
    (void)state;
    json_t *spec = load_spec();
    json_t *paths = json_object_get(spec, "paths"), *item;
    const char *path;
    int ops = 0;
    assert_true(json_is_object(paths));
    json_object_foreach (paths, path, item) {
        const char *key;
        json_t *op;
        json_object_foreach (item, key, op) {
            int is_method = 0;
            for (int m = 0; http_methods[m]; m++)
                is_method |= strcmp(http_methods[m], key) == 0;
            if (!is_method) {
                if (strcmp(key, "parameters") != 0 && strcmp(key, "summary") != 0 && strcmp(key, "description") != 0)
                    fail_msg("%s: unexpected key %s in a path item", path, key);
                continue;
            }
            int found = 0;
            for (int i = 0; i < routes_count && !found; i++)
                found = strcasecmp(routes[i].method, key) == 0 && strcmp(routes[i].pattern, path) == 0;
            if (!found)
                fail_msg("%s %s: documented but there is no such route", key, path);
            ops++;
        }
    }
    assert_int_equal(ops, routes_count);
    json_decref(spec);
}

/* 1 if a parameter list (array or NULL) declares the path parameter name. */
static int declares(json_t *params, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach (params, i, p) {
        json_t *ref = json_object_get(p, "$ref");
        if (ref && strstr(json_string_value(ref), "/IdPath") && strcmp(name, "id") == 0)
            return 1;
        if (json_is_string(json_object_get(p, "name")) &&
            strcmp(json_string_value(json_object_get(p, "name")), name) == 0 &&
            json_is_string(json_object_get(p, "in")) &&
            strcmp(json_string_value(json_object_get(p, "in")), "path") == 0)
            return 1;
    }
    return 0;
}

/* Every {param} of a route is declared as a path parameter. */
static void test_path_params_declared(void **state)
{
    (void)state;
    json_t *spec = load_spec();
    for (int i = 0; i < routes_count; i++) {
        const struct route *rt = &routes[i];
        json_t *item = json_object_get(json_object_get(spec, "paths"), rt->pattern);
        json_t *op = operation_of(spec, rt);
        for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
            const char *end = strchr(p, '}');
            assert_non_null(end);
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
            if (!declares(json_object_get(item, "parameters"), name) &&
                !declares(json_object_get(op, "parameters"), name))
                fail_msg("%s %s: path parameter %s is not declared", rt->method, rt->pattern, name);
        }
    }
    json_decref(spec);
}

static void test_routes_unique(void **state)
{
    (void)state;
    for (int i = 0; i < routes_count; i++)
        for (int j = i + 1; j < routes_count; j++)
            if (strcmp(routes[i].method, routes[j].method) == 0 && strcmp(routes[i].pattern, routes[j].pattern) == 0)
                fail_msg("route %s %s listed twice", routes[i].method, routes[i].pattern);
}

/* Calls router_match with a fresh request; returns the route and fills status. */
static const struct route *match(struct req *r, const char *method, const char *path, int *status)
{
    arena_free(&r->arena);
    memset(r, 0, sizeof(*r));
    *status = 0;
    return router_match(r, method, path, status);
}

static void test_router_match(void **state)
{
    (void)state;
    struct req r;
    memset(&r, 0, sizeof(r));
    int status;

    const struct route *rt = match(&r, "GET", "/api/v1/applications/42/history", &status);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/applications/{id}/history");
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "42");

    rt = match(&r, "POST", "/api/v1/applications/7/transitions", &status);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/applications/{id}/transitions");
    assert_string_equal(r.params[0], "7");

    rt = match(&r, "GET", "/api/v1/positions", &status);
    assert_non_null(rt);
    assert_int_equal(r.nparams, 0);

    /* A literal route, and HEAD served by the GET route. */
    rt = match(&r, "GET", "/healthz", &status);
    assert_non_null(rt);
    assert_true(rt->flags & ROUTE_PUBLIC);
    rt = match(&r, "HEAD", "/api/v1/openapi.json", &status);
    assert_non_null(rt);
    assert_string_equal(rt->method, "GET");

    /* The parameter is one raw segment; validating it as an id is the handler's job. */
    rt = match(&r, "GET", "/api/v1/candidates/abc", &status);
    assert_non_null(rt);
    assert_string_equal(r.params[0], "abc");

    /* 404: no such path (also an empty segment, a trailing slash, a missing prefix). */
    assert_null(match(&r, "GET", "/api/v1/nothing-here", &status));
    assert_int_equal(status, 404);
    assert_null(match(&r, "GET", "/api/v1/users/", &status));
    assert_int_equal(status, 404);
    assert_null(match(&r, "POST", "/api/v1/users//disable", &status));
    assert_int_equal(status, 404);
    assert_null(match(&r, "GET", "/v1/users", &status));
    assert_int_equal(status, 404);
    assert_null(match(&r, "GET", "/api/v1/applications/1/history/extra", &status));
    assert_int_equal(status, 404);

    /* 405: the path exists with other methods. */
    assert_null(match(&r, "DELETE", "/api/v1/candidates", &status));
    assert_int_equal(status, 405);
    assert_null(match(&r, "PUT", "/api/v1/positions/3", &status));
    assert_int_equal(status, 405);
    assert_null(match(&r, "GET", "/api/v1/auth/login", &status));
    assert_int_equal(status, 405);
    arena_free(&r.arena);
}

static void test_scope_allows(void **state)
{
    (void)state;
    assert_true(scope_allows("org:read,candidates:read", "candidates:read"));
    assert_true(scope_allows("org:read", "org:read"));
    assert_false(scope_allows("org:read,candidates:read", "candidates:write"));
    assert_false(scope_allows("candidates:readx", "candidates:read"));
    assert_false(scope_allows("candidates:read", "candidates:rea"));
    assert_false(scope_allows("", "org:read"));
    assert_false(scope_allows("org:read", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_is_openapi),   cmocka_unit_test(test_routes_documented),
        cmocka_unit_test(test_operations_routed), cmocka_unit_test(test_path_params_declared),
        cmocka_unit_test(test_routes_unique),     cmocka_unit_test(test_router_match),
        cmocka_unit_test(test_scope_allows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
