/* test_store_queue.c - unit tests for the durable task queue of the SQLite
 * store (src/store/sqlite_queue.c), on a real database in a temporary
 * directory: first attempts handed over in memory (negative task ids) are
 * deleted by their result, come back as due tasks when their lease ends,
 * when they are deferred and at start-up, and keep their event from log
 * retention while they exist; a result that arrives after its hand-over's
 * lease ended neither leaves the moved copy to deliver again nor touches a
 * newer hand-over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "config.h"
#include "core/err.h"
#include "core/model.h"
#include "store/store.h"

#define NOW INT64_C(1800000000000)
#define LEASE (NOW + 60000)

typedef struct {
    char dir[64];
    hp_config cfg;
    hp_store *st;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hp-store-test-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    f->cfg.data_dir = f->dir;
    f->cfg.sqlite_synchronous = "normal";
    char err[256];
    if (store_open(&f->cfg, true, &f->st, err, sizeof err) != HP_OK) {
        print_error("store_open: %s\n", err);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

/* Publishes event `id` matched to destination d1: handed over (its task id
 * returned) or written due at NOW (0 returned). */
static int64_t publish(fixture *f, const char *id, bool handed)
{
    hp_event e = {.id = (char *)id, .tenant_id = "t1", .topic = "user.created", .time = NOW,
                  .eligible_for_retry = true, .data = "{}", .data_len = 2};
    e.metadata = json_object();
    e.matched = json_pack("[s]", "d1");
    int64_t task_id = 0;
    store_publish p = {.event = &e, .task_ids = handed ? &task_id : NULL};
    store_publish *batch[] = {&p};
    assert_int_equal(store_publish_batch(f->st, batch, 1, NOW, LEASE), HP_OK);
    assert_false(p.duplicate);
    json_decref(e.metadata);
    json_decref(e.matched);
    return task_id;
}

/* Claims at `at`; returns how many tasks came back and checks they are
 * ordinary tasks (positive ids) of destination d1. */
static size_t claim(fixture *f, int64_t at, const char *want_event)
{
    store_task *tasks;
    size_t n;
    assert_int_equal(store_tasks_claim(f->st, at, at + 60000, 16, &tasks, &n), HP_OK);
    for (size_t i = 0; i < n; i++) {
        assert_true(tasks[i].id > 0);
        assert_string_equal(tasks[i].destination_id, "d1");
        assert_string_equal(tasks[i].tenant_id, "t1");
        if (want_event) assert_string_equal(tasks[i].event_id, want_event);
    }
    store_tasks_free(tasks, n);
    return n;
}

/* Moves every hand-over whose lease ended by `at` into tasks, claiming none. */
static void expire_at(fixture *f, int64_t at)
{
    store_task *tasks;
    size_t n;
    assert_int_equal(store_tasks_claim(f->st, at, at + 60000, 0, &tasks, &n), HP_OK);
    assert_int_equal(n, 0);
    store_tasks_free(tasks, n);
}

static void commit_result(fixture *f, int64_t task_id, const char *event_id, int64_t defer_to, int64_t held)
{
    char attempt_id[64];
    snprintf(attempt_id, sizeof attempt_id, "atm_%s", event_id);
    hp_attempt a = {.id = attempt_id, .event_id = (char *)event_id, .tenant_id = "t1", .destination_id = "d1",
                    .destination_type = "webhook", .topic = "user.created", .success = true, .time = NOW,
                    .code = "200", .attempt_number = 1, .event_time = NOW};
    /* as the engine sends a first attempt's result: it knows the pair has no
     * other task (no manual retry since), so the store need not look */
    static const uint64_t epoch = 7;
    store_result r = {.task_id = task_id, .attempt = defer_to ? NULL : &a, .defer_to_ms = defer_to,
                      .held_until_ms = held, .cancel_retries = true, .alone_while = &epoch, .alone_value = epoch};
    store_result *rs[] = {&r};
    assert_int_equal(store_results_commit(f->st, rs, 1), HP_OK);
}

static int64_t next_due(fixture *f)
{
    int64_t due = 0;
    int rc = store_tasks_next_due(f->st, NOW, &due);
    if (rc == HP_ENOTFOUND) return -1;
    assert_int_equal(rc, HP_OK);
    return due;
}

static void test_result_deletes_handover(void **state)
{
    fixture *f = *state;
    int64_t id = publish(f, "e1", true);
    assert_true(id < 0);
    assert_int_equal(next_due(f), LEASE); /* due only if its lease runs out */
    assert_int_equal(claim(f, NOW, NULL), 0);
    commit_result(f, id, "e1", 0, 0);
    assert_int_equal(next_due(f), -1);
    assert_int_equal(claim(f, LEASE + 1, NULL), 0); /* nothing comes back after the lease either */
}

static void test_unhanded_publish_is_due(void **state)
{
    fixture *f = *state;
    assert_int_equal(publish(f, "e1", false), 0);
    assert_int_equal(next_due(f), NOW);
    assert_int_equal(claim(f, NOW, "e1"), 1);
}

static void test_lease_end_brings_handover_back(void **state)
{
    fixture *f = *state;
    publish(f, "e1", true);
    assert_int_equal(claim(f, LEASE - 1, NULL), 0);
    assert_int_equal(claim(f, LEASE, "e1"), 1);
    assert_int_equal(claim(f, LEASE + 1, NULL), 0); /* claimed now: leased again */
}

static void test_defer_moves_handover(void **state)
{
    fixture *f = *state;
    int64_t id = publish(f, "e1", true);
    commit_result(f, id, "e1", NOW + 5000, LEASE - 1); /* not this lease: left alone */
    assert_int_equal(claim(f, NOW + 5000, NULL), 0);
    commit_result(f, id, "e1", NOW + 5000, LEASE);
    assert_int_equal(next_due(f), NOW + 5000);
    assert_int_equal(claim(f, NOW + 4999, NULL), 0);
    assert_int_equal(claim(f, NOW + 5000, "e1"), 1);
}

static void test_late_result_drops_moved_copy(void **state)
{
    fixture *f = *state;
    int64_t id = publish(f, "e1", true);
    expire_at(f, LEASE); /* the process stalled past the lease */
    assert_int_equal(next_due(f), LEASE);
    commit_result(f, id, "e1", 0, 0); /* delivered after all */
    assert_int_equal(next_due(f), -1);
    assert_int_equal(claim(f, LEASE + 1, NULL), 0);
}

static void test_late_result_spares_newer_handover(void **state)
{
    fixture *f = *state;
    int64_t old_id = publish(f, "e1", true);
    commit_result(f, publish(f, "e0", true), "e0", 0, 0); /* the newest row gone: its id must not come back */
    expire_at(f, LEASE);
    int64_t new_id = publish(f, "e2", true);
    assert_true(new_id != old_id);
    commit_result(f, old_id, "e1", 0, 0);
    assert_int_equal(claim(f, LEASE, "e2"), 1); /* e2's hand-over survived: back at its lease end */
}

static void test_restart_releases_handovers(void **state)
{
    fixture *f = *state;
    publish(f, "e1", true);
    publish(f, "e2", true);
    assert_int_equal(store_tasks_release_all(f->st), HP_OK);
    assert_int_equal(claim(f, INT64_MAX / 2, NULL), 2);
}

static void test_retention_keeps_handed_events(void **state)
{
    fixture *f = *state;
    int64_t id = publish(f, "e1", true);
    assert_int_equal(store_log_mark(f->st, NOW + 1), HP_OK);
    size_t deleted = 0;
    assert_int_equal(store_log_prune(f->st, NOW + 2, 100, &deleted), HP_OK);
    assert_int_equal(deleted, 0);
    hp_event *e = NULL;
    assert_int_equal(store_event_get(f->st, "e1", NULL, &e), HP_OK);
    event_free(e);
    commit_result(f, id, "e1", 0, 0);
    assert_int_equal(store_log_prune(f->st, NOW + 2, 100, &deleted), HP_OK);
    assert_int_equal(deleted, 1);
    assert_int_equal(store_event_get(f->st, "e1", NULL, &e), HP_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_result_deletes_handover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unhanded_publish_is_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_end_brings_handover_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defer_moves_handover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_result_drops_moved_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_result_spares_newer_handover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_releases_handovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_keeps_handed_events, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
