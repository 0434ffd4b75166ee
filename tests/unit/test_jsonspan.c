/* test_jsonspan.c - unit tests for src/core/jsonspan.c: locating a top-level
 * member's value bytes verbatim (nested values, tricky strings, number
 * spellings, whitespace, escaped member names, first level only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/jsonspan.h"

#define UNTOUCHED ((size_t)0xdeadbeef)

/* Looks up key in text[0..len) and checks the span is exactly want. */
static void check_n(const char *text, size_t len, const char *key, const char *want) {
    size_t s = UNTOUCHED, e = UNTOUCHED;
    int rc = jsonspan_member(text, len, key, &s, &e);
    if (rc != HP_OK) {
        print_error("jsonspan_member(%s, \"%s\") = %d, want HP_OK\n", text, key, rc);
        fail();
    }
    assert_true(s <= e);
    assert_true(e <= len);
    if (e - s != strlen(want) || memcmp(text + s, want, e - s) != 0) {
        print_error("jsonspan_member(%s, \"%s\") = [%.*s], want [%s]\n", text, key, (int)(e - s),
                    text + s, want);
        fail();
    }
}

static void check(const char *text, const char *key, const char *want) {
    check_n(text, strlen(text), key, want);
}

/* The lookup must answer HP_ENOTFOUND and leave the outputs alone. */
static void absent_n(const char *text, size_t len, const char *key) {
    size_t s = UNTOUCHED, e = UNTOUCHED;
    int rc = jsonspan_member(text, len, key, &s, &e);
    if (rc != HP_ENOTFOUND) {
        print_error("jsonspan_member(%.*s, \"%s\") = %d, want HP_ENOTFOUND\n", (int)len, text, key, rc);
        fail();
    }
    assert_int_equal(s, UNTOUCHED);
    assert_int_equal(e, UNTOUCHED);
}

static void absent(const char *text, const char *key) {
    absent_n(text, strlen(text), key);
}

static void test_simple_values(void **state) {
    (void)state;
    check("{\"data\":1}", "data", "1");
    check("{\"data\":\"hello\"}", "data", "\"hello\"");
    check("{\"data\":\"\"}", "data", "\"\"");
    check("{\"data\":true}", "data", "true");
    check("{\"data\":false}", "data", "false");
    check("{\"data\":null}", "data", "null");
    check("{\"data\":{}}", "data", "{}");
    check("{\"data\":[]}", "data", "[]");
    /* any member, not just the first */
    check("{\"id\":\"e1\",\"topic\":\"user.created\",\"data\":{\"a\":1}}", "topic", "\"user.created\"");
    check("{\"id\":\"e1\",\"topic\":\"user.created\",\"data\":{\"a\":1}}", "data", "{\"a\":1}");
    check("{\"id\":\"e1\",\"topic\":\"user.created\",\"data\":{\"a\":1}}", "id", "\"e1\"");
    /* the first of duplicate members */
    check("{\"data\":1,\"data\":2}", "data", "1");
}

static void test_nested(void **state) {
    (void)state;
    const char *t = "{\"data\":{\"z\":1,\"a\":[1,2,{\"c\":[[],{}]}],\"m\":{\"n\":{\"o\":null}}},\"after\":1}";
    check(t, "data", "{\"z\":1,\"a\":[1,2,{\"c\":[[],{}]}],\"m\":{\"n\":{\"o\":null}}}");
    check(t, "after", "1");
    check("{\"data\":[[[[1]]],[2],{\"x\":[3]}]}", "data", "[[[[1]]],[2],{\"x\":[3]}]");
    check("{\"a\":[{\"b\":{}}],\"data\":[{}]}", "data", "[{}]");

    /* deep nesting */
    enum { DEPTH = 2000 };
    size_t n = 8 + 2 * DEPTH + 7; /* {"data": + brackets + ,"x":0} */
    char *deep = malloc(n + 1);
    assert_non_null(deep);
    memcpy(deep, "{\"data\":", 8);
    memset(deep + 8, '[', DEPTH);
    memset(deep + 8 + DEPTH, ']', DEPTH);
    memcpy(deep + 8 + 2 * DEPTH, ",\"x\":0}", 8);
    char *want = strndup(deep + 8, 2 * DEPTH);
    assert_non_null(want);
    check(deep, "data", want);
    check(deep, "x", "0");
    free(want);
    free(deep);
}

static void test_tricky_strings(void **state) {
    (void)state;
    /* escaped quotes and structural characters inside string values */
    check("{\"data\":\"a\\\"b}{][,:\"}", "data", "\"a\\\"b}{][,:\"");
    check("{\"data\":{\"s\":\"}}]]\\\"{{\",\"t\":\"[\"},\"n\":2}", "data", "{\"s\":\"}}]]\\\"{{\",\"t\":\"[\"}");
    check("{\"data\":{\"s\":\"}}]]\\\"{{\",\"t\":\"[\"},\"n\":2}", "n", "2");
    check("{\"a\":[\"]\",\"}\"],\"data\":3}", "data", "3");
    /* a value spelling a member: only real members count */
    check("{\"x\":\"\\\"data\\\":1\",\"data\":2}", "data", "2");
    check("{\"x\":\"data\",\"data\":\"x\"}", "data", "\"x\"");
    /* backslashes right before the closing quote */
    check("{\"data\":\"\\\\\"}", "data", "\"\\\\\"");
    check("{\"a\":\"\\\\\\\\\",\"data\":true}", "data", "true");
    check("{\"a\":\"\\\\\",\"data\":\"\\\\\\\"\"}", "data", "\"\\\\\\\"\"");
    /* unicode escapes and raw UTF-8 */
    check("{\"data\":\"\\u00e9\\ud83d\\ude00\"}", "data", "\"\\u00e9\\ud83d\\ude00\"");
    check("{\"ключ\":\"значение\",\"data\":\"é\"}", "ключ", "\"значение\"");
    check("{\"ключ\":\"значение\",\"data\":\"é\"}", "data", "\"é\"");
}

static void test_numbers_verbatim(void **state) {
    (void)state;
    check("{\"data\":1.50}", "data", "1.50");
    check("{\"data\":1.50,\"b\":0}", "data", "1.50");
    check("{\"data\":1e400}", "data", "1e400");
    check("{\"data\":1E+2}", "data", "1E+2");
    check("{\"data\":-0.0}", "data", "-0.0");
    check("{\"data\":-1.25e-7}", "data", "-1.25e-7");
    check("{\"data\":123456789012345678901234567890}", "data", "123456789012345678901234567890");
    check("{\"data\":[1.50,1e400,18446744073709551616]}", "data", "[1.50,1e400,18446744073709551616]");
    check("{\"data\":{\"price\":10.00}}", "data", "{\"price\":10.00}");
    check("{\"n\":-12,\"data\":0}", "n", "-12");
    check("{\"n\" : 7 }", "n", "7");
}

static void test_whitespace(void **state) {
    (void)state;
    /* whitespace inside the value is kept, around it is not part of the span */
    check("{ \"data\" : { \"k\" : 1.50 , \"z\" : [ 1 , 2 ] } , \"t\" : 1 }", "data",
          "{ \"k\" : 1.50 , \"z\" : [ 1 , 2 ] }");
    check("\n\t {\r\n \"data\"\t:\n [ 1 ,\n 2 ]\n}\n", "data", "[ 1 ,\n 2 ]");
    check("  {\"a\" :1 ,\"data\":\t\"x\"\r\n}  ", "data", "\"x\"");
    check("{\"data\"  :  null  }", "data", "null");
    check("{\"data\":\ttrue\n,\"b\":false}", "data", "true");
    check("{\n  \"a\": 1,\n  \"data\": 2\n}", "data", "2");
}

static void test_escaped_names(void **state) {
    (void)state;
    check("{\"d\\u0061ta\":5}", "data", "5");
    check("{\"\\u0064\\u0061\\u0074\\u0061\":[1]}", "data", "[1]");
    check("{\"x\":1,\"dat\\u0061\":{\"a\":2}}", "data", "{\"a\":2}");
    /* escaped names that decode to something else */
    absent("{\"dat\\u0061x\":1}", "data");
    absent("{\"d\\u0061t\":1}", "data");
    check("{\"da\\\"ta\":1,\"data\":2}", "data", "2");
    check("{\"da\\\"ta\":1,\"data\":2}", "da\"ta", "1");
    check("{\"a\\\\\":1,\"data\":2}", "a\\", "1");
    check("{\"a\\\\\":1,\"data\":2}", "data", "2");
    check("{\"tab\\there\":3}", "tab\there", "3");
    check("{\"\\u00e9\":4}", "\xc3\xa9", "4");
    /* a plain name never equals an escaped key spelling */
    absent("{\"data\":1}", "d\\u0061ta");
}

static void test_first_level_only(void **state) {
    (void)state;
    absent("{\"payload\":{\"data\":1}}", "data");
    absent("{\"a\":[{\"data\":1}],\"b\":\"data\"}", "data");
    absent("{\"a\":{\"b\":{\"data\":{\"data\":1}}}}", "data");
    absent("{\"x\":\"\\\"data\\\":1\"}", "data");
    check("{\"a\":{\"data\":1},\"data\":2}", "data", "2");
    check("{\"a\":[{\"data\":1}],\"data\":[2]}", "data", "[2]");
}

static void test_absent(void **state) {
    (void)state;
    absent("{}", "data");
    absent("{ }", "data");
    absent("{\"dat\":1,\"datax\":2,\"Data\":3,\"DATA\":4}", "data");
    absent("{\"data\":1}", "dat");
    absent("{\"data\":1}", "datas");
    absent("{\"data\":1}", "");
    check("{\"\":1}", "", "1");
    /* not an object */
    absent("[{\"data\":1}]", "data");
    absent("\"data\"", "data");
    absent("1", "data");
    absent("", "data");
    absent("   ", "data");
}

static void test_length_is_respected(void **state) {
    (void)state;
    /* the text need not be NUL-terminated: len bounds the search */
    const char *t = "{\"a\":1,\"data\":22}";
    check_n(t, strlen(t), "data", "22");
    absent_n(t, 7, "data");  /* {"a":1, */
    absent_n(t, 12, "data"); /* {"a":1,"data */
    absent_n(t, 0, "data");
    check_n("{\"data\":[1]}GARBAGE", 12, "data", "[1]");

    char buf[32];
    memcpy(buf, "{\"data\":\"abc\"}", 14);
    memset(buf + 14, '"', sizeof buf - 14); /* no NUL anywhere */
    check_n(buf, 14, "data", "\"abc\"");
}

static void test_malformed(void **state) {
    (void)state;
    absent("{\"data\"", "data");
    absent("{\"data\":", "data");
    absent("{\"data\" 1}", "data");
    absent("{\"data\":\"unterminated", "data");
    absent("{\"data\":{\"a\":1", "data");
    absent("{\"data\":[1,2", "data");
    absent("{\"a\":\"unterminated,\"data\":1", "data");
    absent("{\"a\":[1,{\"b\":2},\"data\":1", "data");
    absent("{\"a\":1 \"data\":2}", "data"); /* missing comma */
    absent("{data:1}", "data");
    absent("{'data':1}", "data");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_values),
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_tricky_strings),
        cmocka_unit_test(test_numbers_verbatim),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_escaped_names),
        cmocka_unit_test(test_first_level_only),
        cmocka_unit_test(test_absent),
        cmocka_unit_test(test_length_is_respected),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests_name("jsonspan", tests, NULL, NULL);
}
