/* test_mergepatch.c - unit tests for src/core/mergepatch.c (RFC 7396),
 * including every example of the RFC's Appendix A. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/mergepatch.h"

static json_t *load(const char *text) {
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    if (!v) print_error("bad test JSON %s: %s\n", text, e.text);
    assert_non_null(v);
    return v;
}

/* Applies patch to target (both JSON texts) and compares with want. */
static void check(const char *target, const char *patch, const char *want) {
    json_t *t = load(target), *p = load(patch), *w = load(want);
    json_t *r = mergepatch_apply(t, p);
    assert_non_null(r);
    if (!json_equal(r, w)) {
        char *g = json_dumps(r, JSON_ENCODE_ANY | JSON_COMPACT);
        print_error("%s + %s: got %s, want %s\n", target, patch, g, want);
        free(g);
        fail();
    }
    json_decref(r);
    json_decref(p);
    json_decref(w);
}

static void test_rfc7396_appendix_a(void **state) {
    (void)state;
    check("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    check("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
    check("{\"a\":\"b\"}", "{\"a\":null}", "{}");
    check("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
    check("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    check("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
    check("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
    check("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
    check("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]");
    check("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]");
    check("{\"a\":\"foo\"}", "null", "null");
    check("{\"a\":\"foo\"}", "\"bar\"", "\"bar\"");
    check("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
    check("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}");
    check("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
}

static void test_rfc7396_section3_example(void **state) {
    (void)state;
    check("{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
          "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
          "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\","
          "\"author\":{\"familyName\":null},\"tags\":[\"example\"]}",
          "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
          "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}");
}

static void test_destination_patch_cases(void **state) {
    (void)state;
    /* the shapes destination PATCH uses: flat string maps */
    check("{\"url\":\"https://a\",\"x\":\"1\"}", "{}", "{\"url\":\"https://a\",\"x\":\"1\"}");
    check("{\"url\":\"https://a\",\"x\":\"1\"}", "{\"x\":null,\"y\":\"2\"}",
          "{\"url\":\"https://a\",\"y\":\"2\"}");
    check("{}", "{\"gone\":null}", "{}");
    check("{\"a\":{\"b\":1}}", "{\"a\":{\"b\":{\"c\":null,\"d\":2}}}", "{\"a\":{\"b\":{\"d\":2}}}");
    check("{\"a\":1}", "{\"a\":{}}", "{\"a\":{}}");
    check("\"scalar\"", "{\"a\":1}", "{\"a\":1}");
    check("{\"a\":1}", "true", "true");
    check("{\"a\":1}", "[]", "[]");
}

static void test_null_target_and_patch(void **state) {
    (void)state;
    json_t *p = load("{\"a\":{\"b\":null,\"c\":1},\"d\":null}");
    json_t *r = mergepatch_apply(NULL, p);
    json_t *w = load("{\"a\":{\"c\":1}}");
    assert_true(json_equal(r, w));
    json_decref(w);

    /* a NULL patch leaves the target alone and returns the same reference */
    json_t *same = mergepatch_apply(r, NULL);
    assert_ptr_equal(same, r);
    json_decref(same);
    json_decref(p);

    assert_null(mergepatch_apply(NULL, NULL));
}

static void test_ownership(void **state) {
    (void)state;
    /* an object target is updated in place and handed back */
    json_t *t = load("{\"a\":\"b\",\"b\":\"c\",\"n\":{\"x\":1}}");
    json_t *p = load("{\"a\":\"x\",\"n\":{\"y\":[1,2]}}");
    json_t *r = mergepatch_apply(t, p);
    assert_ptr_equal(r, t);
    /* insertion order survives replacement of an existing key */
    char *s = json_dumps(r, JSON_COMPACT);
    assert_string_equal(s, "{\"a\":\"x\",\"b\":\"c\",\"n\":{\"x\":1,\"y\":[1,2]}}");
    free(s);

    /* the result never aliases the patch */
    assert_int_equal(json_array_append_new(json_object_get(json_object_get(p, "n"), "y"),
                                           json_integer(3)),
                     0);
    json_object_set_new(p, "a", json_string("changed"));
    s = json_dumps(r, JSON_COMPACT);
    assert_string_equal(s, "{\"a\":\"x\",\"b\":\"c\",\"n\":{\"x\":1,\"y\":[1,2]}}");
    free(s);
    json_decref(r);
    json_decref(p);

    /* a non-object patch yields a copy, not the patch itself */
    json_t *arr = load("[1]");
    r = mergepatch_apply(load("{}"), arr);
    assert_ptr_not_equal(r, arr);
    assert_true(json_equal(r, arr));
    json_decref(r);
    json_decref(arr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7396_appendix_a),
        cmocka_unit_test(test_rfc7396_section3_example),
        cmocka_unit_test(test_destination_patch_cases),
        cmocka_unit_test(test_null_target_and_patch),
        cmocka_unit_test(test_ownership),
    };
    return cmocka_run_group_tests_name("mergepatch", tests, NULL, NULL);
}
