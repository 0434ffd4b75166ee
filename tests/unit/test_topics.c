/* test_topics.c - unit tests for src/core/topics.c: glob matching, topic
 * validation/normalisation, subscription matching and the tenant union. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/topics.h"

/* Compares a JSON value with the JSON text `want`. */
static void assert_json_eq(const json_t *got, const char *want) {
    json_error_t e;
    json_t *w = json_loads(want, JSON_DECODE_ANY, &e);
    assert_non_null(w);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
        print_error("got %s, want %s\n", g ? g : "(null)", want);
        free(g);
        json_decref(w);
        fail();
    }
    json_decref(w);
}

static void test_match(void **state) {
    (void)state;
    assert_true(topic_match("user.created", "user.created"));
    assert_false(topic_match("user.created", "user.create"));
    assert_false(topic_match("user.create", "user.created"));
    assert_true(topic_match("*", "anything.at.all"));
    assert_true(topic_match("*", ""));
    assert_true(topic_match("user.*", "user.created"));
    assert_true(topic_match("user.*", "user.a.b.c")); /* '*' crosses dots */
    assert_true(topic_match("user.*", "user."));      /* empty run */
    assert_false(topic_match("user.*", "user"));
    assert_false(topic_match("user.*", "users.created"));
    assert_true(topic_match("*.created", "order.created"));
    assert_false(topic_match("*.created", "order.created.x"));
    assert_true(topic_match("order.*.completed", "order.eu.completed"));
    assert_true(topic_match("order.*.completed", "order.a.b.completed"));
    assert_false(topic_match("order.*.completed", "order.completed"));
    assert_true(topic_match("a*b*c", "abc"));
    assert_true(topic_match("a*b*c", "aXbYbZc"));
    assert_false(topic_match("a*b*c", "aXbYbZ"));
    assert_true(topic_match("**", "x"));
    assert_true(topic_match("a**b", "ab"));
    assert_false(topic_match("", "a"));
    assert_true(topic_match("", ""));
    assert_false(topic_match("a", ""));
    /* no other metacharacters */
    assert_false(topic_match("user.?", "user.x"));
    assert_true(topic_match("user.?", "user.?"));
    assert_false(topic_match("[ab]", "a"));
    /* '*' in the topic is literal, consumed only by a pattern '*' */
    assert_true(topic_match("user.*", "user.*.x"));
    assert_false(topic_match("user.x", "user.*"));
    assert_false(topic_match(NULL, "a"));
    assert_false(topic_match("a", NULL));
    /* backtracking-heavy input still terminates quickly */
    char topic[4001];
    memset(topic, 'a', 4000);
    topic[4000] = '\0';
    assert_false(topic_match("*a*a*a*a*a*a*a*a*a*b", topic));
    topic[3999] = 'b';
    assert_true(topic_match("*a*a*a*a*a*a*a*a*a*b", topic));
}

/* Runs topics_normalize on JSON text `in` and checks the result. want_out is
 * JSON text on success; want_err the message on failure. */
static void check_norm(const char *in, const char *const *conf, size_t nconf, bool wild,
                       const char *want_out, const char *want_err) {
    json_error_t e;
    json_t *v = in ? json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e) : NULL;
    if (in) assert_non_null(v);
    json_t *out = NULL;
    const char *err = NULL;
    int rc = topics_normalize(v, conf, nconf, wild, &out, &err);
    if (want_out) {
        if (rc != HP_OK) print_error("input %s: unexpected error %s\n", in, err ? err : "?");
        assert_int_equal(rc, HP_OK);
        assert_null(err);
        assert_non_null(out);
        assert_json_eq(out, want_out);
        json_decref(out);
    } else {
        if (rc != HP_EINVAL) print_error("input %s: expected %s\n", in, want_err);
        assert_int_equal(rc, HP_EINVAL);
        assert_null(out);
        assert_non_null(err);
        assert_string_equal(err, want_err);
    }
    json_decref(v);
}

static const char *const REQ = "topics is required";
static const char *const INV = "topics is invalid";

static void test_normalize_unset(void **state) {
    (void)state;
    check_norm("\"*\"", NULL, 0, false, "[\"*\"]", NULL);
    check_norm("[\"*\"]", NULL, 0, false, "[\"*\"]", NULL);
    check_norm("[\"b\",\"a\",\"b\",\"c\",\"a\"]", NULL, 0, false, "[\"b\",\"a\",\"c\"]", NULL);
    /* wildcards accepted and cover their siblings, whatever the order */
    check_norm("[\"user.created\",\"user.*\",\"order.x\"]", NULL, 0, false,
               "[\"user.*\",\"order.x\"]", NULL);
    check_norm("[\"user.*\",\"user.created\"]", NULL, 0, false, "[\"user.*\"]", NULL);
    check_norm("[\"user.*.x\",\"user.*\"]", NULL, 0, false, "[\"user.*\"]", NULL);
    check_norm("[\"*.created\",\"user.*\",\"user.created\",\"user.deleted\"]", NULL, 0, false,
               "[\"*.created\",\"user.*\"]", NULL);
    /* equivalent patterns: the first one stays */
    check_norm("[\"a**\",\"a*\"]", NULL, 0, false, "[\"a**\"]", NULL);
    check_norm("[\"a*\",\"a**\"]", NULL, 0, false, "[\"a*\"]", NULL);
    /* "*" among others covers everything when TOPICS is unset */
    check_norm("[\"a\",\"*\",\"b\"]", NULL, 0, false, "[\"*\"]", NULL);
    /* a literal non-wildcard entry never covers another */
    check_norm("[\"user\",\"user.created\"]", NULL, 0, false, "[\"user\",\"user.created\"]", NULL);

    check_norm(NULL, NULL, 0, false, NULL, REQ);
    check_norm("null", NULL, 0, false, NULL, REQ);
    check_norm("[]", NULL, 0, false, NULL, REQ);
    check_norm("\"\"", NULL, 0, false, NULL, REQ);
    check_norm("[\"a\",\"\"]", NULL, 0, false, NULL, REQ);
    check_norm("\"user.created\"", NULL, 0, false, NULL, INV); /* only "*" may be bare */
    check_norm("[\"a\",1]", NULL, 0, false, NULL, INV);
    check_norm("[null]", NULL, 0, false, NULL, INV);
    check_norm("[[\"a\"]]", NULL, 0, false, NULL, INV);
    check_norm("{}", NULL, 0, false, NULL, INV);
    check_norm("42", NULL, 0, false, NULL, INV);
    check_norm("true", NULL, 0, false, NULL, INV);
    check_norm("[\"a\\u0000b\"]", NULL, 0, false, NULL, INV); /* embedded NUL */
}

static const char *const CONF[] = {"user.created", "user.deleted", "order.created",
                                   "order.eu.completed"};
#define NCONF (sizeof CONF / sizeof CONF[0])

static void test_normalize_configured(void **state) {
    (void)state;
    check_norm("\"*\"", CONF, NCONF, false, "[\"*\"]", NULL);
    check_norm("[\"*\"]", CONF, NCONF, false, "[\"*\"]", NULL);
    check_norm("[\"*\",\"*\"]", CONF, NCONF, false, "[\"*\"]", NULL);
    check_norm("[\"user.deleted\",\"user.created\",\"user.deleted\"]", CONF, NCONF, false,
               "[\"user.deleted\",\"user.created\"]", NULL);
    check_norm("[\"user.updated\"]", CONF, NCONF, false, NULL, INV);
    check_norm("[\"user.created\",\"nope\"]", CONF, NCONF, true, NULL, INV);
    check_norm("[\"*\",\"user.created\"]", CONF, NCONF, false, NULL, INV);
    check_norm("[\"user.created\",\"*\"]", CONF, NCONF, true, NULL, INV);
    /* wildcards off: any '*' inside an entry is invalid */
    check_norm("[\"user.*\"]", CONF, NCONF, false, NULL, INV);
    /* wildcards on: patterns must match at least one configured topic */
    check_norm("[\"user.*\"]", CONF, NCONF, true, "[\"user.*\"]", NULL);
    check_norm("[\"user.created\",\"user.*\"]", CONF, NCONF, true, "[\"user.*\"]", NULL);
    check_norm("[\"*.created\",\"order.*.completed\"]", CONF, NCONF, true,
               "[\"*.created\",\"order.*.completed\"]", NULL);
    check_norm("[\"invoice.*\"]", CONF, NCONF, true, NULL, INV);
    check_norm("[\"user.created\",\"invoice.*\"]", CONF, NCONF, true, NULL, INV);
    check_norm("[]", CONF, NCONF, true, NULL, REQ);
    check_norm("[\"\"]", CONF, NCONF, true, NULL, REQ);
    check_norm("\"user.created\"", CONF, NCONF, true, NULL, INV);
}

static void test_normalize_limits_and_err_null(void **state) {
    (void)state;
    /* err may be NULL */
    json_t *in = json_pack("[s]", "x"), *out = NULL;
    assert_int_equal(topics_normalize(in, NULL, 0, false, &out, NULL), HP_OK);
    json_decref(out);
    out = NULL;
    json_decref(in);
    /* too many entries */
    in = json_array();
    for (int i = 0; i < 1001; i++) json_array_append_new(in, json_sprintf("t%d", i));
    const char *err = NULL;
    assert_int_equal(topics_normalize(in, NULL, 0, false, &out, &err), HP_EINVAL);
    assert_string_equal(err, INV);
    assert_null(out);
    json_array_remove(in, 0);
    assert_int_equal(topics_normalize(in, NULL, 0, false, &out, &err), HP_OK);
    assert_int_equal(json_array_size(out), 1000);
    json_decref(out);
    json_decref(in);
}

static json_t *arr(const char *text) {
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    assert_non_null(v);
    return v;
}

static void test_subscribed(void **state) {
    (void)state;
    json_t *all = arr("[\"*\"]");
    json_t *some = arr("[\"user.created\",\"order.*\",\"*.deleted\"]");
    json_t *none = arr("[]");

    assert_true(topics_subscribed(all, "x.y"));
    assert_true(topics_subscribed(all, "*"));
    assert_true(topics_subscribed(some, "user.created"));
    assert_false(topics_subscribed(some, "user.updated"));
    assert_true(topics_subscribed(some, "order.created"));
    assert_true(topics_subscribed(some, "order.a.b"));
    assert_false(topics_subscribed(some, "order"));
    assert_true(topics_subscribed(some, "invoice.deleted"));
    assert_false(topics_subscribed(some, "user.created.x"));
    assert_false(topics_subscribed(none, "user.created"));
    /* the empty topic matches every destination */
    assert_true(topics_subscribed(some, ""));
    assert_true(topics_subscribed(some, NULL));
    assert_true(topics_subscribed(none, ""));
    assert_true(topics_subscribed(NULL, NULL));
    assert_false(topics_subscribed(NULL, "a"));

    json_decref(all);
    json_decref(some);
    json_decref(none);
}

static void test_union(void **state) {
    (void)state;
    json_t *a[3] = {arr("[\"user.created\",\"b\"]"), arr("[\"a\",\"user.created\",\"z.*\"]"),
                    arr("[\"order.created\"]")};
    json_t *u = topics_union(a, 3);
    assert_json_eq(u, "[\"a\",\"b\",\"order.created\",\"user.created\",\"z.*\"]");
    json_decref(u);

    u = topics_union(a, 0);
    assert_json_eq(u, "[]");
    json_decref(u);

    json_t *b[3] = {a[0], arr("[\"*\"]"), NULL};
    u = topics_union(b, 3);
    assert_json_eq(u, "[\"*\"]");
    json_decref(u);
    json_decref(b[1]);

    json_t *c[2] = {NULL, arr("[]")};
    u = topics_union(c, 2);
    assert_json_eq(u, "[]");
    json_decref(u);
    json_decref(c[1]);

    for (int i = 0; i < 3; i++) json_decref(a[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_normalize_unset),
        cmocka_unit_test(test_normalize_configured),
        cmocka_unit_test(test_normalize_limits_and_err_null),
        cmocka_unit_test(test_subscribed),
        cmocka_unit_test(test_union),
    };
    return cmocka_run_group_tests_name("topics", tests, NULL, NULL);
}
