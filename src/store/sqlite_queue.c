/* sqlite_queue.c - the durable side of the pipeline in SQLite: group-committed
 * publishes, leased delivery tasks, and attempt results with their retry
 * scheduling. Each public function is one transaction under the store lock.
 *
 * A task lives in one of two tables. `tasks` holds what is due or scheduled,
 * indexed for claiming. `handed` holds first attempts the committer handed to
 * this process's engine in memory: appended at publish and deleted by the
 * result, with no index to maintain (the three b-trees of a tasks row were
 * about an eighth of the committer's work). Their ids are given out negated,
 * so a task id stays one opaque number to callers. A hand-over whose lease
 * runs out, that is deferred, or that a restart finds is moved into tasks. */
#include "store/sqlite_int.h"
#include "core/err.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- publish ---- */

static int insert_event(sqlite_store *st, const hp_event *e, bool *duplicate)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "INSERT OR IGNORE INTO events (id, tenant_id, destination_id, topic, time,"
                               " eligible_for_retry, metadata, data, matched) VALUES (?,?,?,?,?,?,?,?,?)", &s) != HP_OK)
        return HP_ESTORE;
    sqlite_bind_text_static(s, 1, e->id);
    sqlite_bind_text_static(s, 2, e->tenant_id);
    sqlite_bind_text_static(s, 3, e->destination_id);
    sqlite_bind_text_static(s, 4, e->topic ? e->topic : "");
    sqlite3_bind_int64(s, 5, e->time);
    sqlite3_bind_int(s, 6, e->eligible_for_retry);
    int rc = sqlite_bind_json(s, 7, e->metadata);
    sqlite3_bind_text(s, 8, e->data, (int)e->data_len, SQLITE_STATIC);
    if (rc == HP_OK) rc = sqlite_bind_json(s, 9, e->matched);
    if (rc == HP_OK) rc = sqlite_step_done(s);
    sqlite_release(st, s);
    *duplicate = rc == HP_OK && sqlite3_changes(st->db) == 0;
    return rc;
}

static int insert_fanout(sqlite_store *st, const store_publish *p, int64_t due_ms, int64_t lease_until_ms)
{
    const hp_event *e = p->event;
    sqlite3_stmt *link = NULL, *task = NULL;
    int rc = sqlite_prepare_cached(st, "INSERT OR IGNORE INTO event_destinations (event_id, destination_id) VALUES (?,?)",
                            &link);
    if (rc == HP_OK)
        rc = p->task_ids ? sqlite_prepare_cached(st, "INSERT INTO handed (id, event_id, tenant_id, destination_id,"
                                                     " lease_until) VALUES (?6, ?1, ?2, ?3, ?5)", &task)
                         : sqlite_prepare_cached(st, "INSERT INTO tasks (event_id, tenant_id, destination_id,"
                                                     " manual, due_at) VALUES (?1, ?2, ?3, 0, ?4)", &task);
    size_t i;
    json_t *v;
    json_array_foreach(e->matched, i, v) {
        if (rc != HP_OK) break;
        sqlite_bind_text_static(link, 1, e->id);
        sqlite_bind_text_static(link, 2, json_string_value(v));
        rc = sqlite_step_done(link);
        sqlite3_reset(link);
        if (rc != HP_OK) break;
        sqlite_bind_text_static(task, 1, e->id);
        sqlite_bind_text_static(task, 2, e->tenant_id);
        sqlite_bind_text_static(task, 3, json_string_value(v));
        if (p->task_ids) {
            sqlite3_bind_int64(task, 5, lease_until_ms);
            sqlite3_bind_int64(task, 6, ++st->handed_last_id);
        } else {
            sqlite3_bind_int64(task, 4, due_ms);
        }
        rc = sqlite_step_done(task);
        sqlite3_reset(task);
        if (rc == HP_OK && p->task_ids) p->task_ids[i] = -st->handed_last_id;
    }
    sqlite_release(st, link);
    sqlite_release(st, task);
    return rc;
}

static int do_publish_batch(sqlite_store *st, store_publish *const *batch, size_t n, int64_t due_ms,
                            int64_t lease_until_ms)
{
    if (sqlite_exec(st->db, "BEGIN IMMEDIATE") != HP_OK) return HP_ESTORE;
    int rc = HP_OK;
    for (size_t i = 0; rc == HP_OK && i < n; i++) {
        batch[i]->duplicate = false;
        rc = insert_event(st, batch[i]->event, &batch[i]->duplicate);
        if (rc == HP_OK && !batch[i]->duplicate) rc = insert_fanout(st, batch[i], due_ms, lease_until_ms);
    }
    return sqlite_end(st, rc);
}

int sqlite_publish_batch(hp_store *st, store_publish *const *batch, size_t n, int64_t due_ms, int64_t lease_until_ms)
{
    WITH_LOCK(st, do_publish_batch(S(st), batch, n, due_ms, lease_until_ms));
}

/* ---- hand-overs moving into tasks ---- */

int sqlite_handed_ids_init(sqlite_store *st)
{
    sqlite3_stmt *s;
    if (sqlite_prepare(st->db, "SELECT coalesce(max(id), 0) FROM handed", &s) != HP_OK) return HP_ESTORE;
    int rc = sqlite3_step(s) == SQLITE_ROW ? HP_OK : HP_ESTORE;
    if (rc == HP_OK) st->handed_last_id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

#define MOVE_HANDED                                                                         \
    "INSERT INTO tasks (event_id, tenant_id, destination_id, manual, due_at, lease_until)" \
    " SELECT event_id, tenant_id, destination_id, 0, coalesce(?3, lease_until), 0 FROM handed WHERE "
#define ONE_HANDED "id = ?1 AND lease_until = ?2"
#define ENDED_HANDED "lease_until <= ?2"

/* Moves hand-overs into tasks, due at due_ms (< 0: when their lease ends):
 * with id, that one if its lease is still `lease`; with id 0, every one
 * whose lease ends by `lease`. Caller holds a transaction. */
static int move_handed(sqlite_store *st, int64_t id, int64_t lease, int64_t due_ms)
{
    const char *sql[2] = {id ? MOVE_HANDED ONE_HANDED : MOVE_HANDED ENDED_HANDED,
                          id ? "DELETE FROM handed WHERE " ONE_HANDED : "DELETE FROM handed WHERE " ENDED_HANDED};
    int rc = HP_OK;
    for (int i = 0; rc == HP_OK && i < 2; i++) {
        sqlite3_stmt *s;
        if (sqlite_prepare_cached(st, sql[i], &s) != HP_OK) return HP_ESTORE;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, lease);
        if (due_ms >= 0 && sqlite3_bind_parameter_count(s) >= 3) sqlite3_bind_int64(s, 3, due_ms);
        rc = sqlite_step_done(s);
        sqlite_release(st, s);
    }
    return rc;
}

static int move_handed_transaction(sqlite_store *st, int64_t lease, int64_t due_ms)
{
    if (sqlite_exec(st->db, "BEGIN IMMEDIATE") != HP_OK) return HP_ESTORE;
    return sqlite_end(st, move_handed(st, 0, lease, due_ms));
}

/* Hand-overs whose lease ran out (an engine that lost them) become due
 * tasks. Rows are appended in lease order, so the first one tells whether
 * any lease ended; a clock stepped back only delays this. */
static int expire_handed(sqlite_store *st, int64_t now)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "SELECT lease_until FROM handed ORDER BY id LIMIT 1", &s) != HP_OK)
        return HP_ESTORE;
    int step = sqlite3_step(s);
    bool ended = step == SQLITE_ROW && sqlite3_column_int64(s, 0) <= now;
    sqlite_release(st, s);
    if (step != SQLITE_ROW && step != SQLITE_DONE) return HP_ESTORE;
    return ended ? move_handed_transaction(st, now, -1) : HP_OK;
}

/* ---- tasks ---- */

static int do_pair_attempts(sqlite_store *st, const char *event_id, const char *destination_id, int *last_number,
                            bool *delivered)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "SELECT COALESCE(MAX(attempt_number), 0), COALESCE(MAX(success), 0) FROM attempts"
                               " WHERE event_id = ? AND destination_id = ?", &s) != HP_OK)
        return HP_ESTORE;
    sqlite_bind_text(s, 1, event_id);
    sqlite_bind_text(s, 2, destination_id);
    int rc = sqlite3_step(s) == SQLITE_ROW ? HP_OK : HP_ESTORE;
    if (rc == HP_OK) {
        *last_number = sqlite3_column_int(s, 0);
        *delivered = sqlite3_column_int(s, 1) != 0;
    }
    sqlite_release(st, s);
    return rc;
}

static int do_tasks_claim(sqlite_store *st, int64_t now, int64_t lease_until, size_t max, store_task **out, size_t *n)
{
    sqlite3_stmt *s;
    *out = NULL;
    *n = 0;
    if (expire_handed(st, now) != HP_OK) return HP_ESTORE;
    /* a leased task is due again when its lease runs out: due_at moves with it */
    if (sqlite_prepare_cached(st, "UPDATE tasks SET lease_until = ?1, due_at = ?1 WHERE id IN (SELECT id FROM tasks"
                               " WHERE due_at <= ?2 ORDER BY due_at LIMIT ?3)"
                               " RETURNING id, event_id, tenant_id, destination_id, manual", &s) != HP_OK)
        return HP_ESTORE;
    sqlite3_bind_int64(s, 1, lease_until);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
    store_task *tasks = calloc(max ? max : 1, sizeof *tasks);
    int rc = tasks ? HP_OK : HP_ENOMEM, step = SQLITE_DONE;
    size_t len = 0;
    while (rc == HP_OK && len < max && (step = sqlite3_step(s)) == SQLITE_ROW) {
        store_task *t = &tasks[len++];
        t->id = sqlite3_column_int64(s, 0);
        t->event_id = sqlite_column_str(s, 1);
        t->tenant_id = sqlite_column_str(s, 2);
        t->destination_id = sqlite_column_str(s, 3);
        t->manual = sqlite3_column_int(s, 4) != 0;
        if (!t->event_id || !t->tenant_id || !t->destination_id) rc = HP_ENOMEM;
    }
    if (rc == HP_OK && step != SQLITE_ROW && step != SQLITE_DONE) rc = HP_ESTORE;
    sqlite_release(st, s);
    /* here, not as a subquery in RETURNING: that one ignored the index (1000x
     * slower). Claimed is claimed: a failed read leaves the number unknown. */
    for (size_t i = 0; rc == HP_OK && i < len; i++)
        if (do_pair_attempts(st, tasks[i].event_id, tasks[i].destination_id, &tasks[i].last_number,
                             &tasks[i].delivered) != HP_OK)
            tasks[i].last_number = -1;
    if (rc != HP_OK) {
        store_tasks_free(tasks, len);
        return rc;
    }
    *out = tasks;
    *n = len;
    return HP_OK;
}

int sqlite_tasks_claim(hp_store *st, int64_t now_ms, int64_t lease_until_ms, size_t max, store_task **tasks, size_t *n)
{
    WITH_LOCK(st, do_tasks_claim(S(st), now_ms, lease_until_ms, max, tasks, n));
}

static int do_next_due(sqlite_store *st, int64_t now, int64_t *due)
{
    sqlite3_stmt *s;
    /* a hand-over is due when its lease ends (the first row's ends first) */
    if (sqlite_prepare_cached(st, "SELECT MIN(d) FROM (SELECT MIN(due_at) AS d FROM tasks UNION ALL"
                                  " SELECT * FROM (SELECT lease_until FROM handed ORDER BY id LIMIT 1))", &s) != HP_OK)
        return HP_ESTORE;
    int rc = sqlite3_step(s) == SQLITE_ROW ? HP_OK : HP_ESTORE;
    if (rc == HP_OK && sqlite3_column_type(s, 0) == SQLITE_NULL) rc = HP_ENOTFOUND;
    if (rc == HP_OK) *due = sqlite3_column_int64(s, 0);
    sqlite_release(st, s);
    (void)now;
    return rc;
}

int sqlite_tasks_next_due(hp_store *st, int64_t now_ms, int64_t *due_ms)
{
    WITH_LOCK(st, do_next_due(S(st), now_ms, due_ms));
}

static int do_release_all(sqlite_store *st)
{
    int64_t now = hp_now_ms();
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE tasks SET due_at = %lld, lease_until = 0 WHERE lease_until > 0", (long long)now);
    int rc = sqlite_exec(st->db, sql);
    return rc == HP_OK ? move_handed_transaction(st, INT64_MAX, now) : rc;
}

int sqlite_tasks_release_all(hp_store *st)
{
    WITH_LOCK(st, do_release_all(S(st)));
}

/* unless_delivered: not if an attempt of the pair succeeded meanwhile (an
 * automatic retry after a manual retry that overlapped its attempt). */
static int insert_task(sqlite_store *st, const char *event_id, const char *tenant_id, const char *destination_id,
                       bool manual, int64_t due_ms, bool unless_delivered)
{
    sqlite3_stmt *s;
    const char *sql = unless_delivered
                          ? "INSERT INTO tasks (event_id, tenant_id, destination_id, manual, due_at)"
                            " SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM attempts"
                            " WHERE event_id = ?1 AND destination_id = ?3 AND success = 1)"
                          : "INSERT INTO tasks (event_id, tenant_id, destination_id, manual, due_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)";
    if (sqlite_prepare_cached(st, sql, &s) != HP_OK) return HP_ESTORE;
    sqlite_bind_text_static(s, 1, event_id);
    sqlite_bind_text_static(s, 2, tenant_id);
    sqlite_bind_text_static(s, 3, destination_id);
    sqlite3_bind_int(s, 4, manual);
    sqlite3_bind_int64(s, 5, due_ms);
    int rc = sqlite_step_done(s);
    sqlite_release(st, s);
    return rc;
}

int sqlite_task_add(hp_store *st, const char *event_id, const char *tenant_id, const char *destination_id,
                    bool manual, int64_t due_ms)
{
    WITH_LOCK(st, insert_task(S(st), event_id, tenant_id, destination_id, manual, due_ms, false));
}

/* ---- results ---- */

static int insert_attempt(sqlite_store *st, const hp_attempt *a)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "INSERT INTO attempts (id, event_id, tenant_id, destination_id, destination_type,"
                               " topic, success, time, code, attempt_number, manual, response_data, event_time,"
                               " request_data, duration_ms)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &s) != HP_OK)
        return HP_ESTORE;
    sqlite_bind_text_static(s, 1, a->id);
    sqlite_bind_text_static(s, 2, a->event_id);
    sqlite_bind_text_static(s, 3, a->tenant_id);
    sqlite_bind_text_static(s, 4, a->destination_id);
    sqlite_bind_text_static(s, 5, a->destination_type);
    sqlite_bind_text_static(s, 6, a->topic ? a->topic : "");
    sqlite3_bind_int(s, 7, a->success);
    sqlite3_bind_int64(s, 8, a->time);
    sqlite_bind_text_static(s, 9, a->code ? a->code : "");
    sqlite3_bind_int(s, 10, a->attempt_number);
    sqlite3_bind_int(s, 11, a->manual);
    int rc = sqlite_bind_json(s, 12, a->response_data);
    sqlite3_bind_int64(s, 13, a->event_time);
    /* already JSON text, and `a` outlives the step: bound without a copy */
    if (a->request_data) sqlite3_bind_text(s, 14, a->request_data, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, 14);
    sqlite3_bind_int64(s, 15, a->duration_ms);
    if (rc == HP_OK) rc = sqlite_step_done(s);
    sqlite_release(st, s);
    return rc;
}

static int run(sqlite_store *st, const char *sql, int64_t id, const char *event_id, const char *destination_id)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, sql, &s) != HP_OK) return HP_ESTORE;
    if (sqlite3_bind_parameter_count(s) >= 4) sqlite3_bind_int64(s, 4, hp_now_ms());
    sqlite3_bind_int64(s, 1, id);
    sqlite_bind_text(s, 2, event_id);
    sqlite_bind_text(s, 3, destination_id);
    int rc = sqlite_step_done(s);
    sqlite_release(st, s);
    return rc;
}

/* Pending automatic tasks of the pair, other than the one being finished and
 * any that are in flight right now. */
#define OTHER_AUTO_TASKS "DELETE FROM tasks WHERE id != ?1 AND event_id = ?2 AND destination_id = ?3" \
                         " AND manual = 0 AND lease_until <= ?4"

static int defer_task(sqlite_store *st, int64_t task_id, int64_t due_ms, int64_t held_until_ms)
{
    if (task_id < 0) return move_handed(st, -task_id, held_until_ms, due_ms);
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "UPDATE tasks SET due_at = ?2, lease_until = 0 WHERE id = ?1 AND lease_until = ?3",
                              &s) != HP_OK)
        return HP_ESTORE;
    sqlite3_bind_int64(s, 1, task_id);
    sqlite3_bind_int64(s, 2, due_ms);
    sqlite3_bind_int64(s, 3, held_until_ms);
    int rc = sqlite_step_done(s);
    sqlite_release(st, s);
    return rc;
}

static int apply_result(sqlite_store *st, const store_result *r)
{
    if (r->defer_to_ms > 0) return defer_task(st, r->task_id, r->defer_to_ms, r->held_until_ms);
    const hp_attempt *a = r->attempt;
    int rc = r->task_id < 0 ? run(st, "DELETE FROM handed WHERE id = ?1", -r->task_id, NULL, NULL)
                            : run(st, "DELETE FROM tasks WHERE id = ?1", r->task_id, NULL, NULL);
    /* A hand-over no longer there had its lease end first (a stalled
     * process): it was moved into tasks under another id, and that copy must
     * not deliver the pair again. */
    bool moved = rc == HP_OK && r->task_id < 0 && sqlite3_changes(st->db) == 0;
    if (rc == HP_OK && a) rc = insert_attempt(st, a);
    bool alone = !moved && r->alone_while && __atomic_load_n(r->alone_while, __ATOMIC_ACQUIRE) == r->alone_value;
    if (rc == HP_OK && a && (moved || (!alone && (r->cancel_retries || r->retry_at_ms > 0))))
        rc = run(st, OTHER_AUTO_TASKS, r->task_id, a->event_id, a->destination_id);
    if (rc == HP_OK && a && r->retry_at_ms > 0)
        rc = insert_task(st, a->event_id, a->tenant_id, a->destination_id, false, r->retry_at_ms, true);
    return rc;
}

static int do_results_commit(sqlite_store *st, store_result *const *results, size_t n)
{
    if (sqlite_exec(st->db, "BEGIN IMMEDIATE") != HP_OK) return HP_ESTORE;
    int rc = HP_OK;
    for (size_t i = 0; rc == HP_OK && i < n; i++) rc = apply_result(st, results[i]);
    return sqlite_end(st, rc);
}

int sqlite_results_commit(hp_store *st, store_result *const *results, size_t n)
{
    WITH_LOCK(st, do_results_commit(S(st), results, n));
}

/* On the reader: it sees every commit and never waits for the writer. */
int sqlite_pair_attempts(hp_store *st, const char *event_id, const char *destination_id, int *last_number,
                         bool *delivered)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_pair_attempts(r, event_id, destination_id, last_number, delivered));
}
