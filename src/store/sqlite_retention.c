/* sqlite_retention.c - log retention in SQLite: marks that remember where
 * the events and attempts tables ended at a given time, and pruning of what
 * was written before a mark.
 *
 * Rowids grow with insertion, so "written before time T" is "rowid at most
 * the one recorded at T": no per-row timestamp index is written on the hot
 * path for it (an event's own `time` is the publisher's, possibly long past).
 * SQLite gives a new row the largest rowid + 1, so deleting the newest rows
 * would let later rows reuse rowids a mark already covers: after each prune
 * the marks are lowered to the largest rowid left. That keeps them true (a
 * mark above what is left means every row written after it is gone) and
 * every future row above them. */
#include "store/sqlite_int.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

static int do_mark(sqlite_store *st, int64_t now_ms)
{
    sqlite3_stmt *s;
    if (sqlite_prepare(st->db, "INSERT OR REPLACE INTO log_marks (at, events_rowid, attempts_rowid) VALUES (?,"
                               " (SELECT COALESCE(MAX(rowid), 0) FROM events),"
                               " (SELECT COALESCE(MAX(rowid), 0) FROM attempts))", &s) != HP_OK)
        return HP_ESTORE;
    sqlite3_bind_int64(s, 1, now_ms);
    int rc = sqlite_step_done(s);
    sqlite3_finalize(s);
    return rc;
}

int sqlite_log_mark(hp_store *st, int64_t now_ms)
{
    WITH_LOCK(st, do_mark(S(st), now_ms));
}

/* The newest mark at or before cutoff; HP_ENOTFOUND when there is none. */
static int mark_before(sqlite_store *st, int64_t cutoff_ms, int64_t *at, int64_t *events, int64_t *attempts)
{
    sqlite3_stmt *s;
    if (sqlite_prepare(st->db, "SELECT at, events_rowid, attempts_rowid FROM log_marks WHERE at <= ?"
                               " ORDER BY at DESC LIMIT 1", &s) != HP_OK)
        return HP_ESTORE;
    sqlite3_bind_int64(s, 1, cutoff_ms);
    int step = sqlite3_step(s), rc = step == SQLITE_ROW ? HP_OK : step == SQLITE_DONE ? HP_ENOTFOUND : HP_ESTORE;
    if (rc == HP_OK) {
        *at = sqlite3_column_int64(s, 0);
        *events = sqlite3_column_int64(s, 1);
        *attempts = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return rc;
}

static int run_int(sqlite_store *st, const char *sql, int64_t a, int64_t b, size_t *changed)
{
    sqlite3_stmt *s;
    if (sqlite_prepare(st->db, sql, &s) != HP_OK) return HP_ESTORE;
    sqlite3_bind_int64(s, 1, a);
    if (sqlite3_bind_parameter_count(s) >= 2) sqlite3_bind_int64(s, 2, b);
    int rc = sqlite_step_done(s);
    if (rc == HP_OK && changed) *changed += (size_t)sqlite3_changes(st->db);
    sqlite3_finalize(s);
    return rc;
}

/* No delivery task, waiting or handed over, still needs the event. */
#define UNNEEDED_EVENT                                                       \
    " AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.event_id = events.id)" \
    " AND id NOT IN (SELECT event_id FROM handed)"

/* Events up to rowid `upto` that no delivery task still needs: their
 * event_destinations rows (keyed by destination, so deleted one by one from
 * the event's matched list), then the events. */
static int prune_events(sqlite_store *st, int64_t upto, size_t max, size_t *deleted)
{
    sqlite3_stmt *pick, *link = NULL;
    if (sqlite_prepare(st->db, "SELECT rowid, id, matched FROM events WHERE rowid <= ?1" UNNEEDED_EVENT
                               " ORDER BY rowid LIMIT ?2", &pick) != HP_OK)
        return HP_ESTORE;
    int rc = sqlite_prepare(st->db, "DELETE FROM event_destinations WHERE destination_id = ? AND event_id = ?", &link);
    sqlite3_bind_int64(pick, 1, upto);
    sqlite3_bind_int64(pick, 2, (sqlite3_int64)max);
    int64_t last = 0;
    int step;
    while (rc == HP_OK && (step = sqlite3_step(pick)) == SQLITE_ROW) {
        last = sqlite3_column_int64(pick, 0);
        const char *id = (const char *)sqlite3_column_text(pick, 1);
        json_t *matched = json_loads((const char *)sqlite3_column_text(pick, 2), 0, NULL);
        size_t i;
        json_t *dest;
        json_array_foreach(matched, i, dest) {
            if (rc != HP_OK) break;
            sqlite3_bind_text(link, 1, json_string_value(dest), -1, SQLITE_STATIC);
            sqlite3_bind_text(link, 2, id, -1, SQLITE_STATIC);
            rc = sqlite_step_done(link);
            sqlite3_reset(link);
        }
        json_decref(matched);
    }
    sqlite3_finalize(link);
    sqlite3_finalize(pick);
    if (rc != HP_OK || !last) return rc;
    /* the same conditions up to the last row picked: exactly the rows unlinked */
    return run_int(st, "DELETE FROM events WHERE rowid <= ?1" UNNEEDED_EVENT, last, 0, deleted);
}

static int do_prune(sqlite_store *st, int64_t cutoff_ms, size_t max, size_t *deleted)
{
    int64_t at, events, attempts;
    int rc = mark_before(st, cutoff_ms, &at, &events, &attempts);
    if (rc != HP_OK) return rc == HP_ENOTFOUND ? HP_OK : rc;
    if (sqlite_exec(st->db, "BEGIN IMMEDIATE") != HP_OK) return HP_ESTORE;
    rc = run_int(st, "DELETE FROM attempts WHERE rowid IN (SELECT rowid FROM attempts WHERE rowid <= ?1"
                     " ORDER BY rowid LIMIT ?2)",
                 attempts, (int64_t)max, deleted);
    if (rc == HP_OK) rc = prune_events(st, events, max, deleted);
    /* older marks are covered by this one */
    if (rc == HP_OK) rc = run_int(st, "DELETE FROM log_marks WHERE at < ?1", at, 0, NULL);
    if (rc == HP_OK && sqlite_exec(st->db, "UPDATE log_marks SET"
                                           " events_rowid = MIN(events_rowid, (SELECT COALESCE(MAX(rowid), 0) FROM events)),"
                                           " attempts_rowid = MIN(attempts_rowid,"
                                           " (SELECT COALESCE(MAX(rowid), 0) FROM attempts))") != HP_OK)
        rc = HP_ESTORE;
    return sqlite_end(st, rc);
}

int sqlite_log_prune(hp_store *st, int64_t cutoff_ms, size_t max, size_t *deleted)
{
    *deleted = 0;
    WITH_LOCK(st, do_prune(S(st), cutoff_ms, max, deleted));
}
