/* test_jsonspan.c - unit tests for src/core/jsonspan.c: locating a top-level
 * member's value bytes verbatim (nested values, tricky strings, number
 * spellings, whitespace, escaped member names, first level only), and the
 * strict fast-path check jsonspan_scan, compared with jansson over a large
 * set of generated near-JSON texts: whatever it accepts, jansson must accept
 * with the same members. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

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


/* ---- jsonspan_scan ---- */

#define JFLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

/* Accepted: every listed member's value must equal jansson's reading of it. */
static size_t scan_agrees(const char *text, size_t len) {
    jsonspan_field f[32];
    size_t n = 0;
    if (jsonspan_scan(text, len, f, 32, &n) != HP_OK) return (size_t)-1;
    json_error_t err;
    json_t *doc = json_loadb(text, len, JFLAGS, &err);
    if (!json_is_object(doc)) {
        print_error("jsonspan_scan accepted what jansson refuses (%s): [%.*s]\n", err.text, (int)len, text);
        fail();
    }
    assert_int_equal(n, json_object_size(doc));
    for (size_t i = 0; i < n; i++) {
        char *name = strndup(f[i].name, f[i].name_len);
        json_t *want = json_object_get(doc, name);
        json_t *got = json_loadb(text + f[i].start, f[i].end - f[i].start, JFLAGS | JSON_DECODE_ANY, NULL);
        if (!want || !got || !json_equal(want, got) || f[i].kind != text[f[i].start]) {
            print_error("member %s of [%.*s] read as [%.*s]\n", name, (int)len, text, (int)(f[i].end - f[i].start),
                        text + f[i].start);
            fail();
        }
        if (json_is_string(want))
            assert_int_equal(f[i].escaped, memchr(text + f[i].start, '\\', f[i].end - f[i].start) != NULL);
        json_decref(got);
        free(name);
    }
    json_decref(doc);
    return n;
}

static void accepts(const char *text) {
    if (scan_agrees(text, strlen(text)) == (size_t)-1) {
        print_error("jsonspan_scan refused [%s]\n", text);
        fail();
    }
}

/* Refused by the fast check (jansson then decides). */
static void defers(const char *text, size_t len) {
    jsonspan_field f[32];
    size_t n;
    if (jsonspan_scan(text, len, f, 32, &n) != HP_EINVAL) {
        print_error("jsonspan_scan accepted [%.*s]\n", (int)len, text);
        fail();
    }
}

#define DEFERS(lit) defers(lit, sizeof(lit) - 1)

static void test_scan_accepts_common_bodies(void **state) {
    (void)state;
    accepts("{}");
    accepts(" \t\r\n{ } \n");
    accepts("{\"tenant_id\":\"t1\",\"topic\":\"user.created\",\"data\":{\"a\":1,\"b\":[true,false,null,-0.5,\"x\"]}}");
    accepts("{\"id\":\"e\\\"1\",\"data\":{\"s\":\"tab\\tnew\\nline\\u00e9\\ud83d\\ude00\\u0000\\/\"}}");
    accepts("{\"data\":{\"caf\xc3\xa9\":\"\xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf \xf4\x8f\xbf\xbf\"}}");
    accepts("{\"a\":{\"x\":1},\"b\":{\"x\":1},\"c\":[{\"x\":1},{\"x\":2}]}"); /* same name, different objects */
    accepts("{\"\":0,\"n\":-0,\"m\":123456789012345678901234,\"k\":0.000000000000000000001}");
    accepts("{\"del\":\"\x7f\",\"n\":[1,-2.25,0]}");
    accepts("{\"metadata\":{\"k\":\"v\"},\"eligible_for_retry\":false,\"time\":\"2024-01-01T00:00:00Z\"}");

    jsonspan_field f[4];
    size_t n = 0;
    const char *t = "{ \"id\" : \"a\\\\b\" , \"data\" :{\"x\":[1]} ,\"r\":true}";
    assert_int_equal(jsonspan_scan(t, strlen(t), f, 4, &n), HP_OK);
    assert_int_equal(n, 3);
    assert_int_equal(f[0].name_len, 2);
    assert_memory_equal(f[0].name, "id", 2);
    assert_int_equal(f[0].kind, '"');
    assert_true(f[0].escaped);
    assert_int_equal(f[1].kind, '{');
    assert_false(f[1].escaped);
    assert_int_equal(f[1].end - f[1].start, strlen("{\"x\":[1]}"));
    assert_memory_equal(t + f[1].start, "{\"x\":[1]}", f[1].end - f[1].start);
    assert_int_equal(f[2].kind, 't');
    /* more top-level members than room for them */
    assert_int_equal(jsonspan_scan(t, strlen(t), f, 2, &n), HP_EINVAL);
}

static void test_scan_defers_invalid_and_unusual(void **state) {
    (void)state;
    /* invalid JSON */
    DEFERS("");
    DEFERS("[]");
    DEFERS("\"x\"");
    DEFERS("{");
    DEFERS("{\"a\":1,}");
    DEFERS("{\"a\":[1,]}");
    DEFERS("{\"a\" 1}");
    DEFERS("{\"a\":1}}");
    DEFERS("{\"a\":1} x");
    DEFERS("{'a':1}");
    DEFERS("{a:1}");
    DEFERS("{\"a\":01}");
    DEFERS("{\"a\":-}");
    DEFERS("{\"a\":1.}");
    DEFERS("{\"a\":.5}");
    DEFERS("{\"a\":+1}");
    DEFERS("{\"a\":tru}");
    DEFERS("{\"a\":nul}");
    DEFERS("{\"a\":NaN}");
    DEFERS("{\"a\":\"\\x\"}");
    DEFERS("{\"a\":\"\\u12\"}");
    DEFERS("{\"a\":\"\\ud800\"}");        /* lone high surrogate */
    DEFERS("{\"a\":\"\\ud800\\u0041\"}"); /* high surrogate, then no low one */
    DEFERS("{\"a\":\"\\udc00\"}");        /* lone low surrogate */
    DEFERS("{\"a\":\"tab\there\"}");      /* raw control characters */
    DEFERS("{\"a\":\"\x1f\"}");
    DEFERS("{\"a\":\"nul\0here\"}");
    DEFERS("{\"a\":1}\0");
    DEFERS("{\"a\":\"\xc0\x80\"}");         /* overlong NUL */
    DEFERS("{\"a\":\"\xe0\x80\xaf\"}");     /* overlong */
    DEFERS("{\"a\":\"\xed\xa0\x80\"}");     /* UTF-8 surrogate */
    DEFERS("{\"a\":\"\xf4\x90\x80\x80\"}"); /* above U+10FFFF */
    DEFERS("{\"a\":\"\xc3\"}");             /* truncated sequence */
    DEFERS("{\"a\":\"\xff\"}");
    DEFERS("\xef\xbb\xbf{}"); /* byte order mark */
    /* duplicates, at any level */
    DEFERS("{\"a\":1,\"a\":2}");
    DEFERS("{\"d\":{\"x\":1,\"y\":{},\"x\":2}}");
    DEFERS("{\"d\":[{\"x\":1,\"x\":1}]}");
    /* valid, but beyond the fast check */
    DEFERS("{\"\\u0061\":1}");
    DEFERS("{\"a\":1e5}");
    DEFERS("{\"a\":1E+5}");
    DEFERS("{\"a\":1234567890123456789012345}");
    char deep[2 * 70 + 16];
    int k = snprintf(deep, sizeof deep, "{\"a\":");
    for (int i = 0; i < 64; i++) deep[k++] = '[';
    for (int i = 0; i < 64; i++) deep[k++] = ']';
    deep[k++] = '}';
    defers(deep, (size_t)k); /* 65 levels */
    char wide[64 * 12 + 8];
    k = snprintf(wide, sizeof wide, "{\"d\":{");
    for (int i = 0; i < 65; i++) k += snprintf(wide + k, sizeof wide - (size_t)k, "%s\"k%d\":1", i ? "," : "", i);
    k += snprintf(wide + k, sizeof wide - (size_t)k, "}}");
    defers(wide, (size_t)k); /* 65 names in one object */
}

static void test_scan_depth_limit(void **state) {
    (void)state;
    char buf[256];
    for (int depth = 62; depth <= 66; depth++) {
        /* the top-level object is level 1; depth - 1 arrays inside it */
        int k = snprintf(buf, sizeof buf, "{\"a\":");
        for (int i = 1; i < depth; i++) buf[k++] = '[';
        for (int i = 1; i < depth; i++) buf[k++] = ']';
        buf[k++] = '}';
        jsonspan_field f[2];
        size_t n;
        assert_int_equal(jsonspan_scan(buf, (size_t)k, f, 2, &n), depth <= 64 ? HP_OK : HP_EINVAL);
    }
}

/* xorshift: the same generated texts on every run */
static uint32_t rnd(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Mutates seed bodies (bytes replaced, inserted, removed, spliced from
 * other seeds) and checks every text the fast check accepts against
 * jansson. Also counts how many it accepts, so a check that refused
 * everything could not pass. */
static void test_scan_agrees_with_jansson(void **state) {
    (void)state;
    static const char *seeds[] = {
        "{\"tenant_id\":\"t\",\"topic\":\"a.b\",\"data\":{\"x\":1,\"y\":[1,2,{\"z\":null}]}}",
        "{\"id\":\"e1\",\"data\":{\"s\":\"\\u00e9\\ud83d\\ude00\\n\",\"t\":true,\"f\":false},\"metadata\":{\"k\":\"v\"}}",
        "{\"data\":{\"caf\xc3\xa9\":\"\xe2\x82\xac\",\"n\":-12.5,\"e\":[],\"o\":{}},\"eligible_for_retry\":false}",
        "{\"a\":{\"a\":{\"a\":[[[\"a\"]]]}},\"b\":0,\"c\":\"\\\"\\\\\\/\\b\\f\\r\\t\"}",
        "{ \"time\" : \"2024-01-01T00:00:00Z\" ,\n\t\"data\" : { \"k\" : [ 1 , 2 ] } }",
    };
    static const char alphabet[] = "{}[],:\"\\ \t\n0123456789-.eEabcdeftrunlsux\x1f\x7f\x80\xbf\xc3\xe2\xed\xf0\xf4\xff";
    enum { ROUNDS = 200000 };
    uint32_t seed = 0x9e3779b9u;
    size_t accepted = 0;
    char buf[512];
    for (int r = 0; r < ROUNDS; r++) {
        const char *src = seeds[rnd(&seed) % (sizeof seeds / sizeof seeds[0])];
        size_t len = strlen(src);
        memcpy(buf, src, len);
        int edits = 1 + (int)(rnd(&seed) % 3);
        for (int e = 0; e < edits && len > 0 && len < sizeof buf - 40; e++) {
            size_t at = rnd(&seed) % len;
            char c = alphabet[rnd(&seed) % (sizeof alphabet - 1)];
            switch (rnd(&seed) % 4) {
            case 0: buf[at] = c; break;
            case 1: memmove(buf + at + 1, buf + at, len - at); buf[at] = c; len++; break;
            case 2: memmove(buf + at, buf + at + 1, len - at - 1); len--; break;
            default: { /* splice a piece of another seed */
                const char *o = seeds[rnd(&seed) % (sizeof seeds / sizeof seeds[0])];
                size_t olen = strlen(o), from = rnd(&seed) % olen, n = 1 + rnd(&seed) % 12;
                if (n > olen - from) n = olen - from;
                memmove(buf + at + n, buf + at, len - at);
                memcpy(buf + at, o + from, n);
                len += n;
            }
            }
        }
        if (scan_agrees(buf, len) != (size_t)-1) accepted++;
    }
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) accepts(seeds[i]);
    /* a fair share of the mutants are still valid JSON within the limits */
    assert_true(accepted > ROUNDS / 50);
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
        cmocka_unit_test(test_scan_accepts_common_bodies),
        cmocka_unit_test(test_scan_defers_invalid_and_unusual),
        cmocka_unit_test(test_scan_depth_limit),
        cmocka_unit_test(test_scan_agrees_with_jansson),
    };
    return cmocka_run_group_tests_name("jsonspan", tests, NULL, NULL);
}
