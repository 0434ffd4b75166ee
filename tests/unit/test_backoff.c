/* test_backoff.c - unit tests for src/queue/backoff.c: the retry budget
 * (1 + MAX_RETRY_LIMIT attempts, eligibility) and the delay before the next
 * attempt (exponential from RETRY_INTERVAL_SECONDS, or RETRY_SCHEDULE with its
 * last entry repeated; Retry-After lengthens, never shortens; 24 h cap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "queue/backoff.h"

#define S(x) ((int64_t)(x) * 1000)
#define DAY_MS S(86400)

/* A config with an exponential backoff (no schedule). */
static hp_config *cfg_exp(int interval_s, int limit) {
    hp_config *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->retry_interval_seconds = interval_s;
    c->max_retry_limit = limit;
    return c;
}

/* A config with RETRY_SCHEDULE = sched[0..n) (limit = n, as config_load sets). */
static hp_config *cfg_sched(const int *sched, size_t n) {
    hp_config *c = cfg_exp(30, (int)n);
    c->retry_schedule = calloc(n, sizeof(int));
    assert_non_null(c->retry_schedule);
    memcpy(c->retry_schedule, sched, n * sizeof(int));
    c->nretry_schedule = n;
    return c;
}

static void cfg_free(hp_config *c) {
    free(c->retry_schedule);
    free(c);
}

static void test_exponential(void **state) {
    (void)state;
    hp_config *c = cfg_exp(30, 10);
    assert_int_equal(backoff_delay_ms(c, 1, 0), S(30));
    assert_int_equal(backoff_delay_ms(c, 2, 0), S(60));
    assert_int_equal(backoff_delay_ms(c, 3, 0), S(120));
    assert_int_equal(backoff_delay_ms(c, 4, 0), S(240));
    assert_int_equal(backoff_delay_ms(c, 5, 0), S(480));
    assert_int_equal(backoff_delay_ms(c, 10, 0), S(30 * 512));
    assert_int_equal(backoff_delay_ms(c, 12, 0), S(30 * 2048)); /* 17 h, still under the cap */
    cfg_free(c);

    c = cfg_exp(1, 10);
    assert_int_equal(backoff_delay_ms(c, 1, 0), S(1));
    assert_int_equal(backoff_delay_ms(c, 2, 0), S(2));
    assert_int_equal(backoff_delay_ms(c, 3, 0), S(4));
    assert_int_equal(backoff_delay_ms(c, 17, 0), S(65536));
    cfg_free(c);

    c = cfg_exp(7, 3);
    for (int a = 1; a <= 8; a++) assert_int_equal(backoff_delay_ms(c, a, 0), S(7) << (a - 1));
    cfg_free(c);
}

static void test_exponential_cap(void **state) {
    (void)state;
    hp_config *c = cfg_exp(30, 1000);
    assert_int_equal(backoff_delay_ms(c, 13, 0), DAY_MS); /* 34 h -> 24 h */
    assert_int_equal(backoff_delay_ms(c, 14, 0), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 64, 0), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 100, 0), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 1000, 0), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, INT_MAX, 0), DAY_MS);
    /* monotone up to the cap */
    int64_t prev = 0;
    for (int a = 1; a <= 200; a++) {
        int64_t d = backoff_delay_ms(c, a, 0);
        assert_true(d >= prev);
        assert_true(d <= DAY_MS);
        prev = d;
    }
    cfg_free(c);

    c = cfg_exp(86400, 5); /* the largest interval allowed: a day from the start */
    assert_int_equal(backoff_delay_ms(c, 1, 0), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 2, 0), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, INT_MAX, 0), DAY_MS);
    cfg_free(c);

    c = cfg_exp(50000, 5);
    assert_int_equal(backoff_delay_ms(c, 1, 0), S(50000));
    assert_int_equal(backoff_delay_ms(c, 2, 0), DAY_MS);
    cfg_free(c);
}

static void test_schedule(void **state) {
    (void)state;
    const int sched[] = {5, 10, 60};
    hp_config *c = cfg_sched(sched, 3);
    assert_int_equal(backoff_delay_ms(c, 1, 0), S(5));
    assert_int_equal(backoff_delay_ms(c, 2, 0), S(10));
    assert_int_equal(backoff_delay_ms(c, 3, 0), S(60));
    /* past the end: the last value repeats */
    assert_int_equal(backoff_delay_ms(c, 4, 0), S(60));
    assert_int_equal(backoff_delay_ms(c, 50, 0), S(60));
    assert_int_equal(backoff_delay_ms(c, INT_MAX, 0), S(60));
    cfg_free(c);

    /* not sorted: taken as written, RETRY_INTERVAL_SECONDS ignored */
    const int odd[] = {300, 1, 45};
    c = cfg_sched(odd, 3);
    c->retry_interval_seconds = 999;
    assert_int_equal(backoff_delay_ms(c, 1, 0), S(300));
    assert_int_equal(backoff_delay_ms(c, 2, 0), S(1));
    assert_int_equal(backoff_delay_ms(c, 3, 0), S(45));
    assert_int_equal(backoff_delay_ms(c, 4, 0), S(45));
    cfg_free(c);

    const int one[] = {17};
    c = cfg_sched(one, 1);
    for (int a = 1; a <= 5; a++) assert_int_equal(backoff_delay_ms(c, a, 0), S(17));
    cfg_free(c);

    /* entries above a day are capped */
    const int long_sched[] = {60, 172800, 604800};
    c = cfg_sched(long_sched, 3);
    assert_int_equal(backoff_delay_ms(c, 1, 0), S(60));
    assert_int_equal(backoff_delay_ms(c, 2, 0), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 3, 0), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 9, 0), DAY_MS);
    cfg_free(c);
}

static void test_retry_after(void **state) {
    (void)state;
    hp_config *c = cfg_exp(30, 10);
    /* never shortens */
    assert_int_equal(backoff_delay_ms(c, 1, 1), S(30));
    assert_int_equal(backoff_delay_ms(c, 1, 29), S(30));
    assert_int_equal(backoff_delay_ms(c, 1, 30), S(30));
    assert_int_equal(backoff_delay_ms(c, 3, 60), S(120));
    /* lengthens */
    assert_int_equal(backoff_delay_ms(c, 1, 31), S(31));
    assert_int_equal(backoff_delay_ms(c, 1, 90), S(90));
    assert_int_equal(backoff_delay_ms(c, 3, 121), S(121));
    assert_int_equal(backoff_delay_ms(c, 2, 3600), S(3600));
    /* up to 24 h */
    assert_int_equal(backoff_delay_ms(c, 1, 86399), S(86399));
    assert_int_equal(backoff_delay_ms(c, 1, 86400), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 1, 86401), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 1, 1000000), DAY_MS);
    assert_int_equal(backoff_delay_ms(c, 1, INT64_C(1) << 40), DAY_MS);
    /* zero or negative means "no Retry-After" */
    assert_int_equal(backoff_delay_ms(c, 2, 0), S(60));
    assert_int_equal(backoff_delay_ms(c, 2, -1), S(60));
    assert_int_equal(backoff_delay_ms(c, 2, -100000), S(60));
    assert_int_equal(backoff_delay_ms(c, 2, INT64_MIN), S(60));
    /* the cap applies even when the backoff itself is capped */
    assert_int_equal(backoff_delay_ms(c, 40, 10), DAY_MS);
    cfg_free(c);

    const int sched[] = {5, 600};
    c = cfg_sched(sched, 2);
    assert_int_equal(backoff_delay_ms(c, 1, 2), S(5));
    assert_int_equal(backoff_delay_ms(c, 1, 120), S(120));
    assert_int_equal(backoff_delay_ms(c, 2, 120), S(600));
    assert_int_equal(backoff_delay_ms(c, 5, 601), S(601));
    assert_int_equal(backoff_delay_ms(c, 5, 999999), DAY_MS);
    cfg_free(c);
}

/* A receiver's huge Retry-After (beyond INT64_MAX / 1000 s) must not
 * overflow: the delay is capped at 24 h. */
static void test_retry_after_overflow(void **state) {
    (void)state;
    hp_config *c = cfg_exp(30, 10);
    int64_t got_max = backoff_delay_ms(c, 1, INT64_MAX);
    int64_t got_edge = backoff_delay_ms(c, 1, INT64_MAX / 1000 + 1);
    cfg_free(c);
    assert_int_equal(got_max, DAY_MS);
    assert_int_equal(got_edge, DAY_MS);
}

static void test_should_retry_budget(void **state) {
    (void)state;
    hp_config *c = cfg_exp(30, 10);
    /* attempts 1..10 failing leave budget; the 11th attempt is the last */
    for (int a = 1; a <= 10; a++) assert_true(backoff_should_retry(c, true, a));
    assert_false(backoff_should_retry(c, true, 11));
    assert_false(backoff_should_retry(c, true, 12));
    assert_false(backoff_should_retry(c, true, INT_MAX));
    /* not eligible: never, however much budget is left */
    for (int a = 1; a <= 12; a++) assert_false(backoff_should_retry(c, false, a));
    cfg_free(c);

    c = cfg_exp(30, 0); /* MAX_RETRY_LIMIT=0: the first attempt is the only one */
    assert_false(backoff_should_retry(c, true, 1));
    assert_false(backoff_should_retry(c, false, 1));
    cfg_free(c);

    c = cfg_exp(30, 1);
    assert_true(backoff_should_retry(c, true, 1));
    assert_false(backoff_should_retry(c, true, 2));
    cfg_free(c);
}

static void test_total_attempts(void **state) {
    (void)state;
    /* driving the queue loop: attempts run up to 1 + MAX_RETRY_LIMIT */
    static const int limits[] = {0, 1, 2, 3, 10, 25};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        hp_config *c = cfg_exp(30, limits[i]);
        int attempt = 1;
        while (backoff_should_retry(c, true, attempt)) {
            assert_true(backoff_delay_ms(c, attempt, 0) > 0);
            attempt++;
            assert_true(attempt < 1000);
        }
        assert_int_equal(attempt, 1 + limits[i]);
        cfg_free(c);
    }
    /* RETRY_SCHEDULE of n entries: n retries, each using its own entry */
    const int sched[] = {1, 2, 3, 4};
    hp_config *c = cfg_sched(sched, 4);
    int attempt = 1;
    int64_t total = 0;
    while (backoff_should_retry(c, true, attempt)) total += backoff_delay_ms(c, attempt++, 0);
    assert_int_equal(attempt, 5);
    assert_int_equal(total, S(1 + 2 + 3 + 4));
    cfg_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_exponential_cap),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_retry_after_overflow),
        cmocka_unit_test(test_should_retry_budget),
        cmocka_unit_test(test_total_attempts),
    };
    return cmocka_run_group_tests_name("backoff", tests, NULL, NULL);
}
