/* test_util.c - unit tests for src/core/util.c: RFC 3339 parsing and
 * formatting (fractions, offsets, bare dates, calendar validation, times
 * before the epoch), the clock, the growable hp_buf and its JSON string
 * writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/err.h"
#include "core/util.h"

#define SENTINEL INT64_C(0x5a5a5a5a5a5a)

/* Parses s, which must succeed, and returns the ms value. */
static int64_t parse_ok(const char *s) {
    int64_t ms = SENTINEL;
    int rc = hp_time_parse(s, &ms);
    if (rc != HP_OK) {
        print_error("hp_time_parse(\"%s\") = %d, want HP_OK\n", s, rc);
        fail();
    }
    return ms;
}

/* Parses s, which must fail with HP_EINVAL and leave *ms untouched. */
static void parse_bad(const char *s) {
    int64_t ms = SENTINEL;
    int rc = hp_time_parse(s, &ms);
    if (rc != HP_EINVAL || ms != SENTINEL) {
        print_error("hp_time_parse(\"%s\") = %d (ms %lld), want HP_EINVAL and ms untouched\n",
                    s ? s : "(null)", rc, (long long)ms);
        fail();
    }
}

static void test_parse_utc(void **state) {
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2024-06-01T08:23:36Z"), INT64_C(1717230216) * 1000);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.123Z"), INT64_C(1717230216123));
    /* lower-case separators are allowed by RFC 3339 */
    assert_int_equal(parse_ok("2024-06-01t08:23:36.123z"), INT64_C(1717230216123));
    assert_int_equal(parse_ok("2024-02-29T12:00:00Z"), INT64_C(1709208000) * 1000);
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400) * 1000);
    assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), INT64_C(253402300799) * 1000);
    assert_int_equal(parse_ok("2016-12-31T23:59:59Z"), INT64_C(1483228799) * 1000);
    /* "+00:00" and "-00:00" are UTC too */
    assert_int_equal(parse_ok("2024-06-01T08:23:36+00:00"), INT64_C(1717230216) * 1000);
    assert_int_equal(parse_ok("2024-06-01T08:23:36-00:00"), INT64_C(1717230216) * 1000);
}

static void test_parse_fraction(void **state) {
    (void)state;
    const int64_t base = INT64_C(1717230216) * 1000;
    assert_int_equal(parse_ok("2024-06-01T08:23:36.1Z"), base + 100);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.12Z"), base + 120);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.123Z"), base + 123);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.000Z"), base);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.0Z"), base);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.007Z"), base + 7);
    /* digits beyond milliseconds are accepted (any length) and dropped */
    assert_int_equal(parse_ok("2024-06-01T08:23:36.1234Z"), base + 123);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.123456Z"), base + 123);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.123456789Z"), base + 123);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.999999999999999999999999Z"), base + 999);
    assert_int_equal(parse_ok("2024-06-01T08:23:36.000000001Z"), base);
    /* ... and reported by hp_time_parse_fine when they are not all zero */
    int64_t ms = 0;
    bool sub_ms = true;
    assert_int_equal(hp_time_parse_fine("2024-06-01T08:23:36.123000Z", &ms, &sub_ms), HP_OK);
    assert_false(sub_ms);
    assert_int_equal(ms, base + 123);
    assert_int_equal(hp_time_parse_fine("2024-06-01T08:23:36.1230001Z", &ms, &sub_ms), HP_OK);
    assert_true(sub_ms);
    assert_int_equal(ms, base + 123);
    assert_int_equal(hp_time_parse_fine("2024-06-01", &ms, &sub_ms), HP_OK);
    assert_false(sub_ms);
    /* with an offset */
    assert_int_equal(parse_ok("2024-06-01T13:53:36.5+05:30"), base + 500);
    /* a dot needs at least one digit */
    parse_bad("2024-06-01T08:23:36.Z");
    parse_bad("2024-06-01T08:23:36.+05:30");
    parse_bad("2024-06-01T08:23:36.12a3Z");
}

static void test_parse_offsets(void **state) {
    (void)state;
    const int64_t want = INT64_C(1717230216) * 1000; /* 2024-06-01T08:23:36Z */
    assert_int_equal(parse_ok("2024-06-01T13:53:36+05:30"), want);
    assert_int_equal(parse_ok("2024-06-01T00:23:36-08:00"), want);
    assert_int_equal(parse_ok("2024-06-01T09:23:36+01:00"), want);
    assert_int_equal(parse_ok("2024-06-01T18:08:36+09:45"), want);
    assert_int_equal(parse_ok("2024-05-31T20:23:36-12:00"), want);
    assert_int_equal(parse_ok("2024-06-02T08:23:36+23:59") + (INT64_C(23) * 60 + 59) * 60 * 1000,
                     want + INT64_C(86400) * 1000);
    /* the offset moves the instant across a day and a year boundary */
    assert_int_equal(parse_ok("2024-01-01T01:00:00+02:00"), parse_ok("2023-12-31T23:00:00Z"));
    assert_int_equal(parse_ok("2023-12-31T22:30:00-02:00"), parse_ok("2024-01-01T00:30:00Z"));
    /* same instant, different spellings */
    assert_int_equal(parse_ok("2024-06-01T13:53:36.250+05:30"), parse_ok("2024-06-01T08:23:36.250Z"));
    /* malformed offsets */
    parse_bad("2024-06-01T08:23:36+0530");
    parse_bad("2024-06-01T08:23:36+05");
    parse_bad("2024-06-01T08:23:36+5:30");
    parse_bad("2024-06-01T08:23:36+24:00");
    parse_bad("2024-06-01T08:23:36+05:60");
    parse_bad("2024-06-01T08:23:36+05:30Z");
    parse_bad("2024-06-01T08:23:36 +05:30");
}

static void test_parse_bare_date(void **state) {
    (void)state;
    assert_int_equal(parse_ok("2024-06-01"), INT64_C(1717200000) * 1000);
    assert_int_equal(parse_ok("1970-01-01"), 0);
    assert_int_equal(parse_ok("1969-12-31"), -INT64_C(86400) * 1000);
    assert_int_equal(parse_ok("1900-01-01"), INT64_C(-2208988800) * 1000);
    assert_int_equal(parse_ok("0001-01-01"), INT64_C(-62135596800) * 1000);
    assert_int_equal(parse_ok("2024-02-29"), parse_ok("2024-02-29T00:00:00Z"));
    parse_bad("2024-06-01T");
    parse_bad("2024-06-01 ");
    parse_bad("2024-06-1");
    parse_bad("2024-6-01");
    parse_bad("24-06-01");
    parse_bad("2024/06/01");
    parse_bad("20240601");
}

static void test_parse_invalid_dates(void **state) {
    (void)state;
    parse_bad("2023-02-29");
    parse_bad("2023-02-29T00:00:00Z");
    parse_bad("1900-02-29"); /* divisible by 100, not by 400 */
    parse_bad("2100-02-29");
    parse_bad("2024-02-30");
    parse_bad("2024-04-31");
    parse_bad("2024-06-31");
    parse_bad("2024-09-31");
    parse_bad("2024-11-31");
    parse_bad("2024-13-01");
    parse_bad("2024-00-10");
    parse_bad("2024-01-00");
    parse_bad("2024-01-32");
    parse_bad("2024-06-01T24:00:00Z");
    parse_bad("2024-06-01T23:60:00Z");
    parse_bad("2024-06-01T23:59:61Z");
    /* the last day of every month is fine */
    static const char *const last[] = {"2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30",
                                       "2023-05-31", "2023-06-30", "2023-07-31", "2023-08-31",
                                       "2023-09-30", "2023-10-31", "2023-11-30", "2023-12-31"};
    for (size_t i = 0; i < sizeof last / sizeof last[0]; i++) (void)parse_ok(last[i]);
}

static void test_parse_garbage(void **state) {
    (void)state;
    parse_bad(NULL);
    parse_bad("");
    parse_bad("garbage");
    parse_bad("abcd-ef-gh");
    parse_bad("now");
    parse_bad("1717230216");
    parse_bad("2024-06-01T08:23:36");    /* no zone */
    parse_bad("2024-06-01T08:23Z");      /* no seconds */
    parse_bad("2024-06-01T8:23:36Z");
    parse_bad("2024-06-01T08:23:36ZZ");
    parse_bad("2024-06-01T08:23:36Z ");
    parse_bad(" 2024-06-01T08:23:36Z");
    parse_bad("2024-06-01T08:23:36Zjunk");
    parse_bad("2024-06-01X08:23:36Z");
    parse_bad("2024-06-01T08-23-36Z");
    parse_bad("2024-06-01T08:23:36.123");
    parse_bad("2024-06-01T08:23:36Q");
    parse_bad("-024-06-01");
    parse_bad("2024-06-01T08:23:3");
    parse_bad("2");
}

static void check_format(int64_t ms, const char *want, const char *want_sec) {
    char buf[HP_TIME_LEN];
    memset(buf, 'x', sizeof buf);
    assert_ptr_equal(hp_time_format(ms, buf), buf);
    assert_string_equal(buf, want);
    memset(buf, 'x', sizeof buf);
    assert_ptr_equal(hp_time_format_sec(ms, buf), buf);
    assert_string_equal(buf, want_sec);
}

static void test_format(void **state) {
    (void)state;
    check_format(0, "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z");
    check_format(INT64_C(1717230216123), "2024-06-01T08:23:36.123Z", "2024-06-01T08:23:36Z");
    check_format(INT64_C(1717230216999), "2024-06-01T08:23:36.999Z", "2024-06-01T08:23:36Z");
    check_format(INT64_C(1717230216007), "2024-06-01T08:23:36.007Z", "2024-06-01T08:23:36Z");
    check_format(INT64_C(1709208000000), "2024-02-29T12:00:00.000Z", "2024-02-29T12:00:00Z");
    check_format(INT64_C(253402300799999), "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59Z");
    /* before the epoch: seconds round towards minus infinity, ms stay positive */
    check_format(-1, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59Z");
    check_format(-500, "1969-12-31T23:59:59.500Z", "1969-12-31T23:59:59Z");
    check_format(-999, "1969-12-31T23:59:59.001Z", "1969-12-31T23:59:59Z");
    check_format(-1000, "1969-12-31T23:59:59.000Z", "1969-12-31T23:59:59Z");
    check_format(-1001, "1969-12-31T23:59:58.999Z", "1969-12-31T23:59:58Z");
    check_format(INT64_C(-2208988800000), "1900-01-01T00:00:00.000Z", "1900-01-01T00:00:00Z");
    check_format(INT64_C(-30610224000000), "1000-01-01T00:00:00.000Z", "1000-01-01T00:00:00Z");
}

/* Years below 1000 are zero-padded (Go's zero time 0001-01-01 is common in
 * Outpost clients), so our output is RFC 3339 and parses back. */
static void test_format_year_below_1000(void **state) {
    (void)state;
    char buf[HP_TIME_LEN];
    int64_t zero_time = parse_ok("0001-01-01T00:00:00Z");
    assert_int_equal(zero_time, INT64_C(-62135596800000));
    check_format(zero_time, "0001-01-01T00:00:00.000Z", "0001-01-01T00:00:00Z");
    assert_int_equal(parse_ok(hp_time_format(zero_time, buf)), zero_time);
    assert_int_equal(parse_ok(hp_time_format(parse_ok("0999-12-31T23:59:59.5Z"), buf)),
                     parse_ok("0999-12-31T23:59:59.5Z"));
}

/* The hand-written formatter against gmtime_r + snprintf over 200,000
 * pseudo-random instants from year -9999 to 19999 (beyond 0-9999 it hands
 * over to the C library itself). */
static void test_format_matches_gmtime(void **state) {
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    const int64_t lo = INT64_C(-377705116800000), span = INT64_C(568971820800000) - lo; /* -9999 .. 19999 */
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t ms = lo + (int64_t)(x % (uint64_t)span);
        if (i % 4 == 0) ms = (int64_t)(x % INT64_C(4102444800000)); /* 1970-2099, the usual case */
        int64_t secs = ms / 1000 - (ms % 1000 < 0);
        time_t t = (time_t)secs;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        char want[HP_TIME_LEN], want_sec[HP_TIME_LEN];
        snprintf(want_sec, sizeof want_sec, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - secs * 1000));
        check_format(ms, want, want_sec);
    }
}

static void test_round_trip(void **state) {
    (void)state;
    static const int64_t vals[] = {
        0, 1, 999, 1000, 1001, -1, -999, -1000, -1001, -86400000, -86399999,
        INT64_C(1717230216123), INT64_C(1709208000000), INT64_C(951782400001),
        INT64_C(-2208988800000), INT64_C(-2208988799999), INT64_C(-30610224000000),
        INT64_C(253402300799999), INT64_C(4102444800000) - 1,
    };
    char buf[HP_TIME_LEN];
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        int64_t ms = vals[i];
        assert_int_equal(parse_ok(hp_time_format(ms, buf)), ms);
        /* whole seconds: the parse of the _sec form is ms floored to a second */
        int64_t floor_s = ms / 1000 - (ms % 1000 < 0);
        assert_int_equal(parse_ok(hp_time_format_sec(ms, buf)), floor_s * 1000);
    }
    /* every millisecond of a second around the epoch, both sides */
    for (int64_t ms = -2500; ms <= 2500; ms += 7)
        assert_int_equal(parse_ok(hp_time_format(ms, buf)), ms);
    /* parse -> format gives the canonical spelling */
    assert_string_equal(hp_time_format(parse_ok("2024-06-01T13:53:36.5+05:30"), buf),
                        "2024-06-01T08:23:36.500Z");
    assert_string_equal(hp_time_format(parse_ok("1969-12-31T23:59:59.5Z"), buf),
                        "1969-12-31T23:59:59.500Z");
    assert_int_equal(parse_ok("1969-12-31T23:59:59.5Z"), -500);
    assert_string_equal(hp_time_format_sec(parse_ok("2024-05-31T20:23:36.9-12:00"), buf),
                        "2024-06-01T08:23:36Z");
}

static void test_now(void **state) {
    (void)state;
    int64_t before = (int64_t)time(NULL) * 1000;
    int64_t now = hp_now_ms();
    int64_t after = ((int64_t)time(NULL) + 1) * 1000;
    assert_true(now >= before - 1000);
    assert_true(now <= after);
    int64_t later = hp_now_ms();
    assert_true(later >= now);
}

static void test_buf_basic(void **state) {
    (void)state;
    hp_buf b = {0};
    assert_int_equal(hp_buf_append(&b, "", 0), HP_OK);
    assert_non_null(b.data); /* always NUL-terminated, even when empty */
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);

    assert_int_equal(hp_buf_puts(&b, "hello"), HP_OK);
    assert_int_equal(hp_buf_append(&b, ", world!!", 7), HP_OK);
    assert_int_equal(b.len, 12);
    assert_string_equal(b.data, "hello, world");
    assert_true(b.cap > b.len);
    assert_int_equal(hp_buf_printf(&b, " %d-%s-%05.1f", 42, "x", 3.14159), HP_OK);
    assert_string_equal(b.data, "hello, world 42-x-003.1");
    assert_int_equal(b.len, strlen("hello, world 42-x-003.1"));

    hp_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* usable again after free */
    assert_int_equal(hp_buf_puts(&b, "again"), HP_OK);
    assert_string_equal(b.data, "again");
    hp_buf_free(&b);
}

static void test_buf_printf_first_and_empty(void **state) {
    (void)state;
    hp_buf b = {0};
    assert_int_equal(hp_buf_printf(&b, "%s", ""), HP_OK);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    hp_buf_free(&b);

    /* a first printf longer than any initial capacity */
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(hp_buf_printf(&b, "<%s>", big), HP_OK);
    assert_int_equal(b.len, sizeof big + 1);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[b.len - 1], '>');
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(strspn(b.data + 1, "q"), sizeof big - 1);
    hp_buf_free(&b);
}

static void test_buf_growth_and_binary(void **state) {
    (void)state;
    hp_buf b = {0};
    /* many small appends across several reallocations keep every byte */
    for (int i = 0; i < 10000; i++) {
        char c = (char)('a' + i % 26);
        assert_int_equal(hp_buf_append(&b, &c, 1), HP_OK);
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(b.len, 10000);
    assert_true(b.cap >= 10001);
    for (int i = 0; i < 10000; i++) assert_int_equal(b.data[i], 'a' + i % 26);
    hp_buf_free(&b);

    /* embedded NULs are data, not terminators */
    const char bin[] = {'a', '\0', 'b', '\0', 'c'};
    assert_int_equal(hp_buf_append(&b, bin, sizeof bin), HP_OK);
    assert_int_equal(hp_buf_append(&b, bin, sizeof bin), HP_OK);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.data, bin, sizeof bin);
    assert_memory_equal(b.data + 5, bin, sizeof bin);
    assert_int_equal(b.data[10], '\0');
    assert_int_equal(hp_buf_printf(&b, "%c", 'z'), HP_OK);
    assert_int_equal(b.len, 11);
    assert_int_equal(b.data[10], 'z');
    assert_int_equal(b.data[11], '\0');
    /* the caller may take ownership of data and free() it directly */
    char *owned = b.data;
    free(owned);
}

/* Writes s[0..n) after a prefix, checks the exact text and that jansson
 * reads it back as want (NULL: s itself). */
static void json_string_is(const char *s, size_t n, const char *text, const char *want) {
    hp_buf b = {0};
    assert_int_equal(hp_buf_puts(&b, "x"), HP_OK);
    assert_int_equal(hp_buf_json_string(&b, s, n), HP_OK);
    assert_string_equal(b.data + 1, text);
    assert_int_equal(b.len, 1 + strlen(text));
    json_error_t err;
    json_t *v = json_loads(b.data + 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v) {
        print_error("%s does not parse: %s\n", b.data + 1, err.text);
        fail();
    }
    size_t wlen = want ? strlen(want) : n;
    assert_int_equal(json_string_length(v), wlen);
    assert_memory_equal(json_string_value(v), want ? want : s, wlen);
    json_decref(v);
    hp_buf_free(&b);
}

static void test_buf_json_string(void **state) {
    (void)state;
    json_string_is("", 0, "\"\"", NULL);
    json_string_is("plain text", 10, "\"plain text\"", NULL);
    json_string_is("q\"b\\s/", 6, "\"q\\\"b\\\\s/\"", NULL);
    json_string_is("a\nb\rc\td\x01\x1f\x7f", 10, "\"a\\nb\\rc\\td\\u0001\\u001f\x7f\"", NULL);
    json_string_is("nul\0in", 6, "\"nul\\u0000in\"", NULL);
    /* valid UTF-8 of every length passes through */
    const char *utf8 = "\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf";
    json_string_is(utf8, strlen(utf8), "\"\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"", NULL);
    /* invalid: stray continuation, overlong, surrogate, above U+10FFFF,
     * truncated at the end; one replacement per rejected byte */
    json_string_is("a\x80z", 3, "\"a\\ufffdz\"", "a\xef\xbf\xbdz");
    json_string_is("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"", "\xef\xbf\xbd\xef\xbf\xbd");
    json_string_is("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"",
                   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    json_string_is("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
                   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    json_string_is("ok\xe2\x9c", 4, "\"ok\\ufffd\\ufffd\"", "ok\xef\xbf\xbd\xef\xbf\xbd");
    /* only n bytes are read */
    json_string_is("abc", 2, "\"ab\"", "ab");
}

static void test_strdup(void **state) {
    (void)state;
    assert_null(hp_strdup(NULL));
    char src[] = "abc";
    char *d = hp_strdup(src);
    assert_non_null(d);
    assert_ptr_not_equal(d, src);
    assert_string_equal(d, "abc");
    free(d);
    d = hp_strdup("");
    assert_non_null(d);
    assert_string_equal(d, "");
    free(d);
    assert_true(hp_empty(NULL));
    assert_true(hp_empty(""));
    assert_false(hp_empty(" "));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_utc),
        cmocka_unit_test(test_parse_fraction),
        cmocka_unit_test(test_parse_offsets),
        cmocka_unit_test(test_parse_bare_date),
        cmocka_unit_test(test_parse_invalid_dates),
        cmocka_unit_test(test_parse_garbage),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_format_year_below_1000),
        cmocka_unit_test(test_format_matches_gmtime),
        cmocka_unit_test(test_now),
        cmocka_unit_test(test_buf_basic),
        cmocka_unit_test(test_buf_printf_first_and_empty),
        cmocka_unit_test(test_buf_growth_and_binary),
        cmocka_unit_test(test_buf_json_string),
        cmocka_unit_test(test_strdup),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
