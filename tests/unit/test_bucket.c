/* test_bucket.c - unit tests for src/core/bucket.c: granularity parsing
 * (Outpost's ranges per unit) and bucket starts checked against the C
 * library's calendar (timegm/gmtime_r) over many instants, before the
 * epoch too: days at midnight UTC, weeks from Sunday, months and quarters
 * from the 1st, multi-day buckets aligned to the epoch, and stepping
 * across month and year ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/bucket.h"
#include "core/err.h"

#define DAY_MS INT64_C(86400000)

static bucket_spec spec(char unit, int value)
{
    bucket_spec b = {unit, value};
    return b;
}

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        char unit;
        int value;
    } good[] = {{"1s", 's', 1}, {"60s", 's', 60}, {"15m", 'm', 15}, {"24h", 'h', 24}, {"31d", 'd', 31},
                {"4w", 'w', 4}, {"12M", 'M', 12}, {"1M", 'M', 1}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        bucket_spec b = {0, 0};
        assert_int_equal(bucket_parse(good[i].text, &b), HP_OK);
        assert_int_equal(b.unit, good[i].unit);
        assert_int_equal(b.value, good[i].value);
    }
    static const char *const bad[] = {"", "h", "0h", "61s", "25h", "32d", "5w", "13M", "1y", "1H", "01h",
                                      "1hh", " 1h", "1 h", "-1h", "+1h", "99999999999999999999s", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bucket_spec b = {'x', 7};
        assert_int_equal(bucket_parse(bad[i], &b), HP_EINVAL);
        assert_int_equal(b.unit, 'x'); /* untouched */
    }
}

/* Midnight UTC of the day holding ms, by the C library. */
static int64_t ref_midnight(int64_t ms, struct tm *tm)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    gmtime_r(&secs, tm);
    struct tm day = *tm;
    day.tm_hour = day.tm_min = day.tm_sec = 0;
    return (int64_t)timegm(&day) * 1000;
}

static int64_t ref_month_start(int year, int month0)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month0;
    tm.tm_mday = 1;
    return (int64_t)timegm(&tm) * 1000;
}

static void test_calendar_against_libc(void **state)
{
    (void)state;
    srand(7);
    const int64_t lo = INT64_C(-2208988800000) /* 1900 */, hi = INT64_C(7258118400000) /* 2200 */;
    for (int i = 0; i < 200000; i++) {
        int64_t r = ((int64_t)rand() << 31) ^ rand();
        int64_t ms = lo + (int64_t)((uint64_t)r % (uint64_t)(hi - lo));
        struct tm tm;
        int64_t midnight = ref_midnight(ms, &tm);
        assert_int_equal(bucket_floor(ms, spec('d', 1)), midnight);
        assert_int_equal(bucket_floor(ms, spec('w', 1)), midnight - tm.tm_wday * DAY_MS);
        assert_int_equal(bucket_floor(ms, spec('M', 1)), ref_month_start(tm.tm_year + 1900, tm.tm_mon));
        int quarter0 = tm.tm_mon / 3 * 3;
        assert_int_equal(bucket_floor(ms, spec('M', 3)), ref_month_start(tm.tm_year + 1900, quarter0));
        int64_t q = bucket_floor(ms, spec('M', 3));
        int next_year = tm.tm_year + 1900 + (quarter0 + 3) / 12;
        assert_int_equal(bucket_next(q, spec('M', 3)), ref_month_start(next_year, (quarter0 + 3) % 12));
        /* a bucket holds its instant and is left by its next */
        static const char units[] = "smhdwM";
        for (const char *u = units; *u; u++) {
            bucket_spec b = spec(*u, 1 + i % 4);
            int64_t start = bucket_floor(ms, b);
            assert_true(start <= ms && ms < bucket_next(start, b));
            assert_int_equal(bucket_floor(start, b), start);
        }
    }
}

static void test_alignment(void **state)
{
    (void)state;
    const int64_t t = INT64_C(1740909730000); /* 2025-03-02T10:02:10Z, a Sunday */
    assert_int_equal(bucket_floor(t, spec('s', 15)), t - 10000);
    assert_int_equal(bucket_floor(t, spec('m', 15)), t - 130000);
    assert_int_equal(bucket_floor(t, spec('h', 6)), INT64_C(1740895200000)); /* 06:00 */
    assert_int_equal(bucket_floor(t, spec('d', 2)), INT64_C(1740787200000)); /* 2025-03-01: day 20148 is even */
    assert_int_equal(bucket_floor(t, spec('w', 1)), INT64_C(1740873600000)); /* that Sunday, midnight */
    assert_int_equal(bucket_floor(t, spec('M', 12)), INT64_C(1735689600000)); /* 2025-01-01 */
    /* before the epoch: floors, not truncations toward zero */
    assert_int_equal(bucket_floor(-1, spec('s', 1)), -1000);
    assert_int_equal(bucket_floor(-1, spec('d', 1)), -DAY_MS);
    assert_int_equal(bucket_floor(-1, spec('w', 1)), -4 * DAY_MS); /* Sunday 1969-12-28 */
    assert_int_equal(bucket_floor(-1, spec('M', 1)), -31 * DAY_MS); /* 1969-12-01 */
    /* stepping across a year end and through February of a leap year */
    assert_int_equal(bucket_next(ref_month_start(2023, 11), spec('M', 1)), ref_month_start(2024, 0));
    assert_int_equal(bucket_next(ref_month_start(2024, 1), spec('M', 1)) - ref_month_start(2024, 1), 29 * DAY_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_calendar_against_libc),
        cmocka_unit_test(test_alignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
