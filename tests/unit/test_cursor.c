/* test_cursor.c - unit tests for src/core/cursor.c: golden encodings, round
 * trips (ids with ':' and non-ASCII), garbage and foreign-resource inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cursor.h"
#include "core/err.h"

/* Expected values computed independently (Python: int.from_bytes(text,
 * "big") written with digits 0-9A-Za-z). */
static void test_golden(void **state) {
    (void)state;
    char *c = NULL;
    assert_int_equal(cursor_encode("evt", 1700000000000, "evt_1", &c), HP_OK);
    assert_string_equal(c, "1F3niEn6A1J8ectB1H9FqywwuXEjpxEVHY3rl");
    free(c);
    assert_int_equal(cursor_encode("att", -5, "a:b::c", &c), HP_OK);
    assert_string_equal(c, "CFJ3nOsxmG1x8tG8QI9Z7y7");
    free(c);

    int64_t t = 0;
    char *id = NULL;
    assert_int_equal(cursor_decode("evt", "1F3niEn6A1J8ectB1H9FqywwuXEjpxEVHY3rl", &t, &id), HP_OK);
    assert_true(t == 1700000000000);
    assert_string_equal(id, "evt_1");
    free(id);
    assert_int_equal(cursor_decode("att", "CFJ3nOsxmG1x8tG8QI9Z7y7", &t, &id), HP_OK);
    assert_true(t == -5);
    assert_string_equal(id, "a:b::c");
    free(id);
    /* "evtv01:12::x" */
    assert_int_equal(cursor_decode("evt", "epzXnJyGqCViHw52", &t, &id), HP_OK);
    assert_true(t == 12);
    assert_string_equal(id, "x");
    free(id);
}

static void round_trip(const char *res, int64_t time_ms, const char *id) {
    char *c = NULL, *got = NULL;
    int64_t t = 0;
    assert_int_equal(cursor_encode(res, time_ms, id, &c), HP_OK);
    assert_non_null(c);
    assert_true(strlen(c) > 0 && strlen(c) <= CURSOR_MAX_LEN);
    assert_true(strspn(c, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
                strlen(c));
    assert_int_equal(cursor_decode(res, c, &t, &got), HP_OK);
    assert_true(t == time_ms);
    assert_string_equal(got, id ? id : "");
    free(got);
    free(c);
}

static void test_round_trips(void **state) {
    (void)state;
    round_trip("evt", 1717230216123, "evt_abc123");
    round_trip("att", 1717230216123, "att_01HZX");
    round_trip("tnt", 1717230216123, "");
    round_trip("tnt", 1717230216123, NULL);
    round_trip("evt", 0, "0");
    round_trip("evt", INT64_MAX, "max");
    round_trip("evt", INT64_MIN, "min");
    round_trip("evt", 42, ":");
    round_trip("evt", 42, "::");
    round_trip("evt", 42, "a::b:c::");
    round_trip("evt", 42, "::leading");
    round_trip("evt", 42, "123::456");
    round_trip("att", 42, "caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac-\xf0\x9f\x9a\x80"); /* café-日本-🚀 */
    round_trip("evt", 42, " spaces and\ttabs\n");
    round_trip("evt", 42, "\x01\x7f\xff"); /* any byte but NUL */
}

static void test_length_limit(void **state) {
    (void)state;
    /* grow the id until encoding refuses; every success must decode */
    char id[1100];
    size_t n;
    int rc = HP_OK;
    for (n = 700; n < sizeof id - 1; n++) {
        memset(id, 'x', n);
        id[n] = '\0';
        char *c = NULL;
        rc = cursor_encode("evt", 1717230216123, id, &c);
        if (rc != HP_OK) break;
        assert_true(strlen(c) <= CURSOR_MAX_LEN);
        char *got = NULL;
        int64_t t;
        assert_int_equal(cursor_decode("evt", c, &t, &got), HP_OK);
        assert_string_equal(got, id);
        free(got);
        free(c);
    }
    assert_int_equal(rc, HP_EINVAL);
    assert_true(n > 700 && n < 780); /* ~762 bytes of text fit in 1024 digits */

    /* huge ids are refused without trouble */
    char *big = malloc(100001);
    assert_non_null(big);
    memset(big, 'y', 100000);
    big[100000] = '\0';
    char *c = NULL;
    assert_int_equal(cursor_encode("evt", 1, big, &c), HP_EINVAL);
    assert_null(c);
    /* and so are overlong cursors, even well-formed base62 */
    int64_t t;
    char *got = NULL;
    big[1025] = '\0';
    assert_int_equal(cursor_decode("evt", big, &t, &got), HP_EINVAL);
    memset(big, 'z', 1024);
    big[1024] = '\0';
    assert_int_equal(cursor_decode("evt", big, &t, &got), HP_EINVAL); /* decodes to junk */
    big[0] = '1';
    assert_int_equal(cursor_decode("evt", big, &t, &got), HP_EINVAL);
    assert_null(got);
    free(big);
}

static void test_wrong_resource(void **state) {
    (void)state;
    char *c = NULL, *id = NULL;
    int64_t t = 7;
    assert_int_equal(cursor_encode("evt", 1717230216123, "evt_1", &c), HP_OK);
    assert_int_equal(cursor_decode("att", c, &t, &id), HP_EINVAL);
    assert_int_equal(cursor_decode("tnt", c, &t, &id), HP_EINVAL);
    assert_int_equal(cursor_decode("ev", c, &t, &id), HP_EINVAL);
    assert_int_equal(cursor_decode("evtv", c, &t, &id), HP_EINVAL);
    assert_int_equal(cursor_decode("EVT", c, &t, &id), HP_EINVAL);
    assert_null(id);
    assert_true(t == 7); /* untouched on error */
    free(c);

    /* bad resource names are refused on both sides */
    assert_int_equal(cursor_encode("", 1, "x", &c), HP_EINVAL);
    assert_int_equal(cursor_encode(NULL, 1, "x", &c), HP_EINVAL);
    assert_int_equal(cursor_encode("0vt", 1, "x", &c), HP_EINVAL);
    assert_int_equal(cursor_encode("e:t", 1, "x", &c), HP_EINVAL);
    assert_int_equal(cursor_decode("", "epzXnJyGqCViHw52", &t, &id), HP_EINVAL);
    assert_int_equal(cursor_decode(NULL, "epzXnJyGqCViHw52", &t, &id), HP_EINVAL);
}

static void expect_invalid(const char *cursor) {
    int64_t t = 99;
    char *id = NULL;
    int rc = cursor_decode("evt", cursor, &t, &id);
    if (rc != HP_EINVAL) print_error("cursor \"%s\" was accepted\n", cursor ? cursor : "(null)");
    assert_int_equal(rc, HP_EINVAL);
    assert_null(id);
    assert_true(t == 99);
}

static void test_garbage(void **state) {
    (void)state;
    expect_invalid(NULL);
    expect_invalid("");
    expect_invalid("0");
    expect_invalid("0000");
    expect_invalid("!!!");
    expect_invalid("epzXnJyGqCViHw5-");
    expect_invalid("epzXnJyGqCViHw52=");
    expect_invalid("epzXnJyG qCViHw52");
    expect_invalid("epzXnJyGqCViHw52\n");
    expect_invalid("\xc3\xa9pzXnJyGqCViHw52");
    expect_invalid("null");
    expect_invalid("abc");
    /* texts computed independently, each malformed in one way */
    expect_invalid("epzXnJyI882Ff6fA");   /* evtv02:12::x  (version) */
    expect_invalid("9tDS2k0Y6pSzaKO");    /* evtv01:12:x   (single ':') */
    expect_invalid("epzXnJyGqCWZeWXA");   /* evtv01:1a::x  (time) */
    expect_invalid("2OVpq0UACJHjs8");     /* evtv01:::x    (empty time) */
    expect_invalid("RtpM");               /* evt */
    expect_invalid("LBoIenbXd2wko5kDY5pMQFuEKhYgx0U3WiX0y1w"); /* time > INT64_MAX */
    expect_invalid("BEFhv8x5B4Uz55DfL9u");   /* evtv01:12::a\0b (NUL) */
    expect_invalid("2icg7XeSrXVmj2UuQy");    /* evtv01:+12::x */
    expect_invalid("2icg7XeSrXSLnDAmTI");    /* evtv01: 12::x */
    /* leading zero digits do not change the value: still the same cursor */
    int64_t t;
    char *id = NULL;
    assert_int_equal(cursor_decode("evt", "00epzXnJyGqCViHw52", &t, &id), HP_OK);
    assert_string_equal(id, "x");
    free(id);
}

/* Arbitrary strings must never crash (run under ASan/UBSan) and whatever
 * decodes must re-encode to a cursor decoding to the same values. */
static void test_fuzz(void **state) {
    (void)state;
    static const char alpha[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:-_ ";
    uint32_t x = 2463534242u;
    char buf[1100];
    for (int iter = 0; iter < 600; iter++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t n = x % 1060;
        bool any_byte = (iter % 3) == 0;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            buf[i] = any_byte ? (char)(1 + x % 255) : alpha[x % 62];
        }
        buf[n] = '\0';
        int64_t t;
        char *id = NULL;
        if (cursor_decode("evt", buf, &t, &id) == HP_OK) {
            round_trip("evt", t, id);
            free(id);
        }
    }
    /* valid cursors with one digit changed: most still decode to something
     * (usually another resource or a broken layout); none may crash */
    char *c = NULL;
    assert_int_equal(cursor_encode("evt", 1717230216123, "evt_0123456789", &c), HP_OK);
    size_t len = strlen(c);
    int ok = 0;
    for (size_t i = 0; i < len; i++) {
        for (int d = 0; d < 62; d++) {
            char *m = strdup(c);
            assert_non_null(m);
            m[i] = alpha[d];
            int64_t t;
            char *id = NULL;
            if (cursor_decode("evt", m, &t, &id) == HP_OK) {
                ok++;
                round_trip("evt", t, id);
                free(id);
            }
            free(m);
        }
    }
    assert_true(ok >= (int)len); /* at least the unmodified digit each time */
    free(c);
    /* random valid values round-trip */
    for (int iter = 0; iter < 500; iter++) {
        char idb[64];
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t n = x % sizeof idb;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            idb[i] = (char)(1 + x % 255);
        }
        idb[n] = '\0';
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        int64_t tm = (int64_t)x * (int64_t)(x % 1000003) * ((x & 1) ? -1 : 1);
        round_trip((iter & 1) ? "evt" : "att", tm, idb);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_wrong_resource),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}
