/* sqlite.c - the embedded store: SQLite in WAL mode under DATA_DIR.
 *
 * One connection serves every writer behind a mutex, and a second one the
 * API's reads (sqlite_store.reader); SQLite's own locking is compiled out of
 * each connection (NOMUTEX) because its mutex already orders access. Schema changes are numbered migrations applied in one transaction
 * each and recorded in schema_migrations. */
#include "store/sqlite_int.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/topics.h"
#include "core/util.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>


static const char *const migrations[] = {
    /* 1: tenants and destinations */
    "CREATE TABLE tenants ("
    "  id TEXT PRIMARY KEY,"
    "  metadata TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX tenants_by_created ON tenants (created_at, id);"
    "CREATE TABLE destinations ("
    "  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
    "  id TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  topics TEXT NOT NULL,"
    "  filter TEXT,"
    "  config TEXT NOT NULL,"
    "  credentials BLOB,"
    "  delivery_metadata BLOB,"
    "  metadata TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  disabled_at INTEGER,"
    "  PRIMARY KEY (tenant_id, id)"
    ");",
    /* 2: the pipeline. Events keep `data` as the exact text received.
     * Attempts are denormalised (topic, tenant) so log queries need no join.
     * A task is one pending delivery attempt. */
    "CREATE TABLE events ("
    "  id TEXT PRIMARY KEY,"
    "  tenant_id TEXT NOT NULL,"
    "  destination_id TEXT,"
    "  topic TEXT NOT NULL,"
    "  time INTEGER NOT NULL,"
    "  eligible_for_retry INTEGER NOT NULL,"
    "  metadata TEXT NOT NULL,"
    "  data TEXT NOT NULL,"
    "  matched TEXT NOT NULL"
    ");"
    "CREATE INDEX events_by_time ON events (time, id);"
    "CREATE INDEX events_by_tenant_time ON events (tenant_id, time, id);"
    "CREATE TABLE event_destinations ("
    "  event_id TEXT NOT NULL,"
    "  destination_id TEXT NOT NULL,"
    "  PRIMARY KEY (destination_id, event_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE tasks ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id TEXT NOT NULL,"
    "  tenant_id TEXT NOT NULL,"
    "  destination_id TEXT NOT NULL,"
    "  manual INTEGER NOT NULL,"
    "  due_at INTEGER NOT NULL,"
    "  lease_until INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX tasks_by_due ON tasks (due_at);"
    "CREATE INDEX tasks_by_pair ON tasks (event_id, destination_id);"
    "CREATE TABLE attempts ("
    "  id TEXT PRIMARY KEY,"
    "  event_id TEXT NOT NULL,"
    "  tenant_id TEXT NOT NULL,"
    "  destination_id TEXT NOT NULL,"
    "  destination_type TEXT NOT NULL,"
    "  topic TEXT NOT NULL,"
    "  success INTEGER NOT NULL,"
    "  time INTEGER NOT NULL,"
    "  code TEXT NOT NULL,"
    "  attempt_number INTEGER NOT NULL,"
    "  manual INTEGER NOT NULL,"
    "  response_data TEXT,"
    "  event_time INTEGER NOT NULL"
    ");"
    "CREATE INDEX attempts_by_time ON attempts (time, id);"
    "CREATE INDEX attempts_by_tenant_time ON attempts (tenant_id, time, id);"
    "CREATE INDEX attempts_by_destination_time ON attempts (destination_id, time, id);"
    "CREATE INDEX attempts_by_pair ON attempts (event_id, destination_id, attempt_number);",
    /* 3: what each attempt sent (provider-built JSON text) and how long its
     * transfer took; attempts logged before keep NULL and 0 */
    "ALTER TABLE attempts ADD COLUMN request_data TEXT;"
    "ALTER TABLE attempts ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0;",
    /* 4: log retention (sqlite_retention.c): where the events and attempts
     * tables ended at a given time */
    "CREATE TABLE log_marks ("
    "  at INTEGER PRIMARY KEY,"
    "  events_rowid INTEGER NOT NULL,"
    "  attempts_rowid INTEGER NOT NULL"
    ");",
    /* 5: first attempts handed over in memory to this process's delivery
     * engine (sqlite_queue.c). Written at publish and deleted by the result
     * like a task, but appended to a table without secondary indexes: a
     * tasks row costs three b-trees to write and three to delete. Moved into
     * tasks when deferred, when the lease runs out, and at start-up. */
    "CREATE TABLE handed ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id TEXT NOT NULL,"
    "  tenant_id TEXT NOT NULL,"
    "  destination_id TEXT NOT NULL,"
    "  lease_until INTEGER NOT NULL"
    ");",
};
#define LATEST_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))


/* ---- small helpers ---- */

int sqlite_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? HP_OK : HP_ESTORE;
}

int sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt)
{
    return sqlite3_prepare_v2(db, sql, -1, stmt, NULL) == SQLITE_OK ? HP_OK : HP_ESTORE;
}

void sqlite_bind_text_static(sqlite3_stmt *s, int i, const char *v)
{
    if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

void sqlite_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(s, i);
}

/* Binds a JSON value as compact text; NULL/JSON null binds SQL NULL. */
/* Arrays of strings and objects of string values (event metadata, matched
 * destination ids) are most of what the pipeline binds, once per event:
 * written directly, as jansson's general encoder costs several times more.
 * Returns false (and writes nothing) for any other shape. */
static bool dump_flat(const json_t *v, hp_buf *b)
{
    bool object = json_is_object(v);
    if (!object && !json_is_array(v)) return false;
    size_t n = object ? json_object_size(v) : json_array_size(v);
    const char *key;
    json_t *item;
    size_t i;
    if (object) {
        json_object_foreach((json_t *)v, key, item) if (!json_is_string(item)) return false;
    } else {
        json_array_foreach(v, i, item) if (!json_is_string(item)) return false;
    }
    int rc = hp_buf_append(b, object ? "{" : "[", 1);
    i = 0;
    if (object) {
        json_object_foreach((json_t *)v, key, item) {
            if (rc == HP_OK && i++) rc = hp_buf_append(b, ",", 1);
            if (rc == HP_OK) rc = hp_buf_json_string(b, key, strlen(key));
            if (rc == HP_OK) rc = hp_buf_append(b, ":", 1);
            if (rc == HP_OK) rc = hp_buf_json_string(b, json_string_value(item), json_string_length(item));
        }
    } else {
        for (i = 0; rc == HP_OK && i < n; i++) {
            item = json_array_get(v, i);
            if (i) rc = hp_buf_append(b, ",", 1);
            if (rc == HP_OK) rc = hp_buf_json_string(b, json_string_value(item), json_string_length(item));
        }
    }
    if (rc == HP_OK) rc = hp_buf_append(b, object ? "}" : "]", 1);
    if (rc != HP_OK) hp_buf_free(b);
    return true; /* b->data NULL: out of memory */
}

int sqlite_bind_json(sqlite3_stmt *s, int i, const json_t *v)
{
    if (!v || json_is_null(v)) return sqlite3_bind_null(s, i) == SQLITE_OK ? HP_OK : HP_ESTORE;
    hp_buf flat = {0};
    if (dump_flat(v, &flat)) {
        if (!flat.data) return HP_ENOMEM;
        sqlite3_bind_text(s, i, flat.data, (int)flat.len, free);
        return HP_OK;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) return HP_ENOMEM;
    sqlite3_bind_text(s, i, text, -1, free);
    return HP_OK;
}

int sqlite_bind_sealed(sqlite_store *st, sqlite3_stmt *s, int i, const json_t *v)
{
    if (!v || json_is_null(v)) return sqlite3_bind_null(s, i) == SQLITE_OK ? HP_OK : HP_ESTORE;
    char *text = json_dumps(v, JSON_COMPACT);
    if (!text) return HP_ENOMEM;
    uint8_t *sealed;
    size_t n;
    int rc = crypto_seal(st->key, text, strlen(text), &sealed, &n);
    free(text);
    if (rc != HP_OK) return rc;
    sqlite3_bind_blob(s, i, sealed, (int)n, free);
    return HP_OK;
}

char *sqlite_column_str(sqlite3_stmt *s, int i)
{
    const char *text = (const char *)sqlite3_column_text(s, i);
    return text ? strdup(text) : NULL;
}

void sqlite_bind_strings(sqlite3_stmt *s, int *i, const json_t *arr)
{
    size_t k;
    json_t *v;
    json_array_foreach((json_t *)arr, k, v) sqlite_bind_text(s, (*i)++, json_string_value(v));
}

void sqlite_in_clause(hp_buf *sql, const char *column, const json_t *arr)
{
    size_t n = json_array_size(arr);
    if (!n) return;
    hp_buf_printf(sql, " AND %s IN (", column);
    for (size_t i = 0; i < n; i++) hp_buf_puts(sql, i ? ",?" : "?");
    hp_buf_puts(sql, ")");
}

json_t *sqlite_column_json(sqlite3_stmt *s, int i)
{
    const char *text = (const char *)sqlite3_column_text(s, i);
    return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

int sqlite_column_sealed(sqlite_store *st, sqlite3_stmt *s, int i, json_t **out)
{
    *out = NULL;
    if (sqlite3_column_type(s, i) == SQLITE_NULL) return HP_OK;
    char *pt;
    size_t n;
    int rc = crypto_open(st->key, sqlite3_column_blob(s, i), (size_t)sqlite3_column_bytes(s, i), &pt, &n);
    if (rc != HP_OK) return rc;
    *out = json_loadb(pt, n, 0, NULL);
    free(pt);
    return *out ? HP_OK : HP_ESTORE;
}

/* Runs a statement expected to change rows; returns HP_OK or a mapped error. */
int sqlite_end(sqlite_store *st, int rc)
{
    if (rc == HP_OK) rc = sqlite_exec(st->db, "COMMIT");
    if (rc == HP_ESTORE) sqlite_note_error(st);
    if (rc != HP_OK) sqlite_exec(st->db, "ROLLBACK");
    return rc;
}

void sqlite_note_error(sqlite_store *st)
{
    sqlite_store *to = st->owner ? st->owner : st; /* the reader's failures are the store's */
    pthread_mutex_lock(&to->err_lock);
    snprintf(to->last_error, sizeof to->last_error, "%s", sqlite3_errmsg(st->db));
    pthread_mutex_unlock(&to->err_lock);
    st->error_noted = true;
}

static bool op_health(hp_store *st, int64_t now_ms, char *why, size_t len)
{
    return sqlite_checkpointer_health(S(st), now_ms, why, len);
}

static void op_last_error(hp_store *st, char *buf, size_t len)
{
    sqlite_store *s = S(st);
    pthread_mutex_lock(&s->err_lock);
    snprintf(buf, len, "%s", s->last_error);
    pthread_mutex_unlock(&s->err_lock);
}

int sqlite_prepare_cached(sqlite_store *st, const char *sql, sqlite3_stmt **stmt)
{
    for (int i = 0; i < st->ncache; i++) {
        if (st->cache[i].sql == sql) {
            *stmt = st->cache[i].stmt;
            return HP_OK;
        }
    }
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK) return HP_ESTORE;
    if (st->ncache < SQLITE_STMT_CACHE) {
        st->cache[st->ncache].sql = sql;
        st->cache[st->ncache].stmt = *stmt;
        st->ncache++;
    }
    return HP_OK;
}

void sqlite_release(sqlite_store *st, sqlite3_stmt *stmt)
{
    for (int i = 0; i < st->ncache; i++) {
        if (st->cache[i].stmt == stmt) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            return;
        }
    }
    sqlite3_finalize(stmt);
}

int sqlite_step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return HP_OK;
    if (rc == SQLITE_CONSTRAINT) return HP_EEXISTS;
    return HP_ESTORE;
}

/* ---- migrations ---- */

static int current_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *s;
    if (sqlite_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)") != HP_OK)
        return HP_ESTORE;
    if (sqlite_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &s) != HP_OK) return HP_ESTORE;
    int rc = sqlite3_step(s) == SQLITE_ROW ? HP_OK : HP_ESTORE;
    *version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc;
}

static int migrate(sqlite3 *db, int from)
{
    for (int v = from + 1; v <= LATEST_VERSION; v++) {
        char record[128];
        snprintf(record, sizeof record, "INSERT INTO schema_migrations VALUES (%d, %lld)", v,
                 (long long)hp_now_ms());
        if (sqlite_exec(db, "BEGIN IMMEDIATE") != HP_OK) return HP_ESTORE;
        if (sqlite_exec(db, migrations[v - 1]) != HP_OK || sqlite_exec(db, record) != HP_OK) {
            sqlite_exec(db, "ROLLBACK");
            return HP_ESTORE;
        }
        if (sqlite_exec(db, "COMMIT") != HP_OK) return HP_ESTORE;
    }
    return HP_OK;
}

/* ---- rows -> models ---- */

static int tenant_fill_derived(sqlite_store *st, hp_tenant *t)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "SELECT topics FROM destinations WHERE tenant_id = ?", &s) != HP_OK) return HP_ESTORE;
    sqlite_bind_text(s, 1, t->id);
    json_t **arrays = NULL;
    size_t n = 0, cap = 0;
    int rc = HP_OK, step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *topics = sqlite_column_json(s, 0);
        if (!topics) continue;
        if (n == cap) {
            json_t **grown = realloc(arrays, (cap = cap ? cap * 2 : 16) * sizeof *arrays);
            if (!grown) {
                json_decref(topics);
                rc = HP_ENOMEM;
                break;
            }
            arrays = grown;
        }
        arrays[n++] = topics;
        t->destinations_count++;
    }
    if (rc == HP_OK && step != SQLITE_DONE) rc = HP_ESTORE;
    sqlite_release(st, s);
    t->topics = topics_union(arrays, n);
    for (size_t i = 0; i < n; i++) json_decref(arrays[i]);
    free(arrays);
    if (rc == HP_OK && !t->topics) rc = HP_ENOMEM;
    return rc;
}

static hp_tenant *tenant_from_row(sqlite3_stmt *s)
{
    hp_tenant *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->id = strdup((const char *)sqlite3_column_text(s, 0));
    t->metadata = sqlite_column_json(s, 1);
    t->created_at = sqlite3_column_int64(s, 2);
    t->updated_at = sqlite3_column_int64(s, 3);
    if (!t->id) {
        tenant_free(t);
        return NULL;
    }
    return t;
}

#define DEST_COLUMNS "tenant_id, id, type, topics, filter, config, credentials, delivery_metadata," \
                     " metadata, created_at, updated_at, disabled_at"

static int destination_from_row(sqlite_store *st, sqlite3_stmt *s, hp_destination **out)
{
    hp_destination *d = calloc(1, sizeof *d);
    if (!d) return HP_ENOMEM;
    d->tenant_id = strdup((const char *)sqlite3_column_text(s, 0));
    d->id = strdup((const char *)sqlite3_column_text(s, 1));
    d->type = strdup((const char *)sqlite3_column_text(s, 2));
    d->topics = sqlite_column_json(s, 3);
    d->filter = sqlite_column_json(s, 4);
    d->config = sqlite_column_json(s, 5);
    int rc = sqlite_column_sealed(st, s, 6, &d->credentials);
    if (rc == HP_OK) rc = sqlite_column_sealed(st, s, 7, &d->delivery_metadata);
    d->metadata = sqlite_column_json(s, 8);
    d->created_at = sqlite3_column_int64(s, 9);
    d->updated_at = sqlite3_column_int64(s, 10);
    d->disabled_at = sqlite3_column_int64(s, 11);
    if (rc == HP_OK && (!d->tenant_id || !d->id || !d->type || !d->topics || !d->config)) rc = HP_ESTORE;
    if (rc == HP_OK && !d->credentials) d->credentials = json_object();
    if (rc != HP_OK) {
        destination_free(d);
        return rc;
    }
    *out = d;
    return HP_OK;
}

/* ---- operations (called with the lock held by the wrappers below) ---- */

static int do_tenant_get(sqlite_store *st, const char *id, hp_tenant **out)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "SELECT id, metadata, created_at, updated_at FROM tenants WHERE id = ?", &s) != HP_OK)
        return HP_ESTORE;
    sqlite_bind_text(s, 1, id);
    int rc = sqlite3_step(s);
    hp_tenant *t = NULL;
    if (rc == SQLITE_ROW) {
        t = tenant_from_row(s);
        rc = t ? HP_OK : HP_ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? HP_ENOTFOUND : HP_ESTORE;
    }
    sqlite_release(st, s);
    if (rc == HP_OK) rc = tenant_fill_derived(st, t);
    if (rc != HP_OK) {
        tenant_free(t);
        return rc;
    }
    *out = t;
    return HP_OK;
}

static int do_tenant_upsert(sqlite_store *st, const char *id, const json_t *metadata, int64_t now,
                            hp_tenant **out, bool *created)
{
    sqlite3_stmt *s;
    if (sqlite_exec(st->db, "BEGIN IMMEDIATE") != HP_OK) return HP_ESTORE;
    int rc = sqlite_prepare_cached(st, "SELECT 1 FROM tenants WHERE id = ?", &s);
    bool exists = false;
    if (rc == HP_OK) {
        sqlite_bind_text(s, 1, id);
        exists = sqlite3_step(s) == SQLITE_ROW;
        sqlite_release(st, s);
        rc = sqlite_prepare_cached(st, exists ? "UPDATE tenants SET metadata = ?2, updated_at = ?3 WHERE id = ?1"
                                    : "INSERT INTO tenants (id, metadata, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                     &s);
    }
    if (rc == HP_OK) {
        sqlite_bind_text(s, 1, id);
        rc = sqlite_bind_json(s, 2, metadata);
        sqlite3_bind_int64(s, 3, now);
        if (rc == HP_OK) rc = sqlite_step_done(s);
        sqlite_release(st, s);
    }
    if ((rc = sqlite_end(st, rc)) != HP_OK) return rc;
    *created = !exists;
    return do_tenant_get(st, id, out);
}

static int do_tenant_delete(sqlite_store *st, const char *id)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "DELETE FROM tenants WHERE id = ?", &s) != HP_OK) return HP_ESTORE;
    sqlite_bind_text(s, 1, id);
    int rc = sqlite_step_done(s);
    sqlite_release(st, s);
    if (rc == HP_OK && sqlite3_changes(st->db) == 0) rc = HP_ENOTFOUND;
    return rc;
}

static int do_tenant_list(sqlite_store *st, const store_tenant_query *q, store_tenant_page *out)
{
    memset(out, 0, sizeof *out);
    hp_buf sql = {0};
    sqlite3_stmt *s;
    int rc;

    /* total */
    hp_buf_puts(&sql, "SELECT COUNT(*) FROM tenants WHERE 1");
    sqlite_in_clause(&sql, "id", q->ids);
    if (!sql.data) return HP_ENOMEM;
    rc = sqlite_prepare(st->db, sql.data, &s);
    hp_buf_free(&sql);
    if (rc != HP_OK) return rc;
    int first = 1;
    sqlite_bind_strings(s, &first, q->ids);
    if (sqlite3_step(s) == SQLITE_ROW) out->total = sqlite3_column_int64(s, 0);
    sqlite_release(st, s);

    /* page: keyset on (created_at, id) so ties at one millisecond stay in order */
    const char *cmp = q->desc ? "<" : ">", *ord = q->desc ? "DESC" : "ASC";
    hp_buf_puts(&sql, "SELECT id, metadata, created_at, updated_at FROM tenants WHERE 1");
    sqlite_in_clause(&sql, "id", q->ids);
    if (q->after) hp_buf_printf(&sql, " AND (created_at, id) %s (?, ?)", cmp);
    hp_buf_printf(&sql, " ORDER BY created_at %s, id %s LIMIT ?", ord, ord);
    if (!sql.data) return HP_ENOMEM;
    rc = sqlite_prepare(st->db, sql.data, &s);
    hp_buf_free(&sql);
    if (rc != HP_OK) return rc;
    int i = 1;
    sqlite_bind_strings(s, &i, q->ids);
    if (q->after) {
        sqlite3_bind_int64(s, i++, q->after->time_ms);
        sqlite_bind_text(s, i++, q->after->id);
    }
    sqlite3_bind_int(s, i, q->limit + 1);
    out->items = calloc((size_t)q->limit + 1, sizeof(hp_tenant *));
    if (!out->items) {
        sqlite_release(st, s);
        return HP_ENOMEM;
    }
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->n == (size_t)q->limit) {
            out->more = true;
            break;
        }
        hp_tenant *t = tenant_from_row(s);
        if (!t) { rc = HP_ENOMEM; break; }
        out->items[out->n++] = t;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) rc = HP_ESTORE;
    sqlite_release(st, s);
    for (size_t k = 0; rc == HP_OK && k < out->n; k++) rc = tenant_fill_derived(st, out->items[k]);
    if (rc != HP_OK) store_tenant_page_free(out);
    return rc;
}

static int do_destination_list(sqlite_store *st, const char *tenant_id, hp_destination ***items, size_t *n)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "SELECT " DEST_COLUMNS " FROM destinations WHERE tenant_id = ?"
                        " ORDER BY created_at, id", &s) != HP_OK)
        return HP_ESTORE;
    sqlite_bind_text(s, 1, tenant_id);
    size_t len = 0, cap = 8;
    hp_destination **arr = malloc(cap * sizeof *arr);
    int rc = arr ? HP_OK : HP_ENOMEM, step = SQLITE_DONE;
    while (rc == HP_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            hp_destination **p = realloc(arr, (cap *= 2) * sizeof *arr);
            if (!p) { rc = HP_ENOMEM; break; }
            arr = p;
        }
        rc = destination_from_row(st, s, &arr[len]);
        if (rc == HP_OK) len++;
    }
    if (rc == HP_OK && step != SQLITE_DONE) rc = HP_ESTORE;
    sqlite_release(st, s);
    if (rc != HP_OK) {
        store_destination_list_free(arr, len);
        return rc;
    }
    *items = arr;
    *n = len;
    return HP_OK;
}

static int do_destination_get(sqlite_store *st, const char *tenant_id, const char *id, hp_destination **out)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "SELECT " DEST_COLUMNS " FROM destinations WHERE tenant_id = ? AND id = ?", &s) != HP_OK)
        return HP_ESTORE;
    sqlite_bind_text(s, 1, tenant_id);
    sqlite_bind_text(s, 2, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) rc = destination_from_row(st, s, out);
    else rc = rc == SQLITE_DONE ? HP_ENOTFOUND : HP_ESTORE;
    sqlite_release(st, s);
    return rc;
}

static int bind_destination(sqlite_store *st, sqlite3_stmt *s, const hp_destination *d)
{
    sqlite_bind_text(s, 1, d->tenant_id);
    sqlite_bind_text(s, 2, d->id);
    sqlite_bind_text(s, 3, d->type);
    int rc = sqlite_bind_json(s, 4, d->topics);
    if (rc == HP_OK) rc = sqlite_bind_json(s, 5, d->filter);
    if (rc == HP_OK) rc = sqlite_bind_json(s, 6, d->config);
    if (rc == HP_OK) rc = sqlite_bind_sealed(st, s, 7, d->credentials);
    if (rc == HP_OK) rc = sqlite_bind_sealed(st, s, 8, d->delivery_metadata);
    if (rc == HP_OK) rc = sqlite_bind_json(s, 9, d->metadata);
    sqlite3_bind_int64(s, 10, d->created_at);
    sqlite3_bind_int64(s, 11, d->updated_at);
    if (d->disabled_at) sqlite3_bind_int64(s, 12, d->disabled_at);
    else sqlite3_bind_null(s, 12);
    return rc;
}

static int count_destinations(sqlite_store *st, const char *tenant_id, int *count, bool *tenant_exists)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "SELECT (SELECT COUNT(*) FROM tenants WHERE id = ?1),"
                        " (SELECT COUNT(*) FROM destinations WHERE tenant_id = ?1)", &s) != HP_OK)
        return HP_ESTORE;
    sqlite_bind_text(s, 1, tenant_id);
    int rc = sqlite3_step(s) == SQLITE_ROW ? HP_OK : HP_ESTORE;
    *tenant_exists = sqlite3_column_int(s, 0) > 0;
    *count = sqlite3_column_int(s, 1);
    sqlite_release(st, s);
    return rc;
}

static int do_destination_create(sqlite_store *st, const hp_destination *d, int max_per_tenant)
{
    if (sqlite_exec(st->db, "BEGIN IMMEDIATE") != HP_OK) return HP_ESTORE;
    int count = 0;
    bool tenant_exists = false;
    sqlite3_stmt *s = NULL;
    int rc = count_destinations(st, d->tenant_id, &count, &tenant_exists);
    if (rc == HP_OK && !tenant_exists) rc = HP_ENOTFOUND;
    if (rc == HP_OK) {
        /* the duplicate check comes before the limit, as Outpost answers */
        hp_destination *existing = NULL;
        rc = do_destination_get(st, d->tenant_id, d->id, &existing);
        destination_free(existing);
        rc = rc == HP_OK ? HP_EEXISTS : rc == HP_ENOTFOUND ? HP_OK : rc;
    }
    if (rc == HP_OK && count >= max_per_tenant) rc = HP_ELIMIT;
    if (rc == HP_OK) rc = sqlite_prepare_cached(st, "INSERT INTO destinations (" DEST_COLUMNS ")"
                                          " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", &s);
    if (rc == HP_OK) rc = bind_destination(st, s, d);
    if (rc == HP_OK) rc = sqlite_step_done(s);
    sqlite_release(st, s);
    return sqlite_end(st, rc);
}

static int do_destination_update(sqlite_store *st, const hp_destination *d)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "UPDATE destinations SET type = ?3, topics = ?4, filter = ?5, config = ?6,"
                        " credentials = ?7, delivery_metadata = ?8, metadata = ?9, created_at = ?10,"
                        " updated_at = ?11, disabled_at = ?12 WHERE tenant_id = ?1 AND id = ?2", &s) != HP_OK)
        return HP_ESTORE;
    int rc = bind_destination(st, s, d);
    if (rc == HP_OK) rc = sqlite_step_done(s);
    sqlite_release(st, s);
    if (rc == HP_OK && sqlite3_changes(st->db) == 0) rc = HP_ENOTFOUND;
    return rc;
}

static int do_destination_delete(sqlite_store *st, const char *tenant_id, const char *id)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, "DELETE FROM destinations WHERE tenant_id = ? AND id = ?", &s) != HP_OK) return HP_ESTORE;
    sqlite_bind_text(s, 1, tenant_id);
    sqlite_bind_text(s, 2, id);
    int rc = sqlite_step_done(s);
    sqlite_release(st, s);
    if (rc == HP_OK && sqlite3_changes(st->db) == 0) rc = HP_ENOTFOUND;
    return rc;
}

/* ---- locked entry points ---- */


static int op_schema_version(hp_store *st, int *current, int *latest)
{
    *latest = LATEST_VERSION;
    WITH_LOCK(st, current_version(S(st)->db, current));
}
static int op_tenant_upsert(hp_store *st, const char *id, const json_t *m, int64_t now, hp_tenant **out, bool *c)
{
    WITH_LOCK(st, do_tenant_upsert(S(st), id, m, now, out, c));
}
/* Reads run on the reader connection (sqlite_store.reader): they never
 * queue behind publish and result commits, and see every committed write. */
static int op_tenant_get(hp_store *st, const char *id, hp_tenant **out)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_tenant_get(r, id, out));
}
static int op_tenant_delete(hp_store *st, const char *id) { WITH_LOCK(st, do_tenant_delete(S(st), id)); }
static int op_tenant_list(hp_store *st, const store_tenant_query *q, store_tenant_page *out)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_tenant_list(r, q, out));
}
static int op_destination_list(hp_store *st, const char *tid, hp_destination ***items, size_t *n)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_destination_list(r, tid, items, n));
}
static int op_destination_get(hp_store *st, const char *tid, const char *id, hp_destination **out)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_destination_get(r, tid, id, out));
}
static int op_destination_create(hp_store *st, const hp_destination *d, int max)
{
    WITH_LOCK(st, do_destination_create(S(st), d, max));
}
static int op_destination_update(hp_store *st, const hp_destination *d) { WITH_LOCK(st, do_destination_update(S(st), d)); }
static int op_destination_delete(hp_store *st, const char *tid, const char *id)
{
    WITH_LOCK(st, do_destination_delete(S(st), tid, id));
}

/* Closes a connection with its statements; frees st. */
static void connection_close(sqlite_store *s)
{
    for (int i = 0; i < s->ncache; i++) sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->err_lock);
    memset(s->key, 0, sizeof s->key);
    free(s);
}

static void op_close(hp_store *st)
{
    sqlite_store *s = S(st);
    sqlite_checkpointer_stop(s);
    if (s->reader) connection_close(s->reader);
    if (s->slow_reader) connection_close(s->slow_reader);
    int lock_fd = s->lock_fd;
    connection_close(s);
    /* the store is another process's to open only once it is closed here */
    if (lock_fd >= 0) close(lock_fd);
}

/* A query-only connection (sqlite_store.reader, .slow_reader) into *slot. */
static int reader_open(sqlite_store *st, const char *path, sqlite_store **slot)
{
    sqlite_store *r = calloc(1, sizeof *r);
    if (!r) return HP_ENOMEM;
    pthread_mutex_init(&r->lock, NULL);
    pthread_mutex_init(&r->err_lock, NULL);
    memcpy(r->key, st->key, sizeof r->key);
    r->owner = st;
    *slot = r;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return HP_ESTORE;
    sqlite3_busy_timeout(r->db, 5000);
    if (sqlite_metrics_register(r->db) != HP_OK) return HP_ESTORE;
    return sqlite_exec(r->db, "PRAGMA query_only = ON");
}

static const store_ops sqlite_ops = {
    .close = op_close,
    .schema_version = op_schema_version,
    .tenant_upsert = op_tenant_upsert,
    .tenant_get = op_tenant_get,
    .tenant_delete = op_tenant_delete,
    .tenant_list = op_tenant_list,
    .destination_list = op_destination_list,
    .destination_get = op_destination_get,
    .destination_create = op_destination_create,
    .destination_update = op_destination_update,
    .destination_delete = op_destination_delete,
    .publish_batch = sqlite_publish_batch,
    .tasks_claim = sqlite_tasks_claim,
    .tasks_next_due = sqlite_tasks_next_due,
    .tasks_release_all = sqlite_tasks_release_all,
    .task_add = sqlite_task_add,
    .results_commit = sqlite_results_commit,
    .pair_attempts = sqlite_pair_attempts,
    .event_get = sqlite_event_get,
    .events_list = sqlite_events_list,
    .attempts_list = sqlite_attempts_list,
    .attempt_get = sqlite_attempt_get,
    .metrics = sqlite_metrics,
    .log_mark = sqlite_log_mark,
    .log_prune = sqlite_log_prune,
    .last_error = op_last_error,
    .health = op_health,
};

int sqlite_store_open(const hp_config *cfg, bool do_migrate, hp_store **out, char *err, size_t errlen)
{
    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "store: DATA_DIR: cannot create %s: %s", cfg->data_dir, strerror(errno));
        return HP_EIO;
    }
    sqlite_store *st = calloc(1, sizeof *st);
    if (!st) return HP_ENOMEM;
    st->base.ops = &sqlite_ops;
    memcpy(st->key, cfg->aes_key, sizeof st->key);
    pthread_mutex_init(&st->lock, NULL);
    pthread_mutex_init(&st->err_lock, NULL);
    char path[4096];
    /* leases are released at start-up, which is only safe for a sole owner */
    snprintf(path, sizeof path, "%s/hookpost.lock", cfg->data_dir);
    st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (st->lock_fd < 0 || flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errlen, "store: DATA_DIR %s is in use by another hookpost process", cfg->data_dir);
        op_close(&st->base);
        return HP_EBUSY;
    }
    snprintf(path, sizeof path, "%s/hookpost.db", cfg->data_dir);
    int rc = HP_OK, version = 0;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK) {
        snprintf(err, errlen, "store: cannot open %s: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
        rc = HP_ESTORE;
    }
    if (rc == HP_OK) {
        sqlite3_busy_timeout(st->db, 5000);
        rc = sqlite_exec(st->db, !strcmp(cfg->sqlite_synchronous, "full")
                                     ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                                     : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
        if (rc != HP_OK) snprintf(err, errlen, "store: %s: %s", path, sqlite3_errmsg(st->db));
    }
    if (rc == HP_OK && (rc = current_version(st->db, &version)) != HP_OK)
        snprintf(err, errlen, "store: %s: %s", path, sqlite3_errmsg(st->db));
    if (rc == HP_OK && version > LATEST_VERSION) {
        snprintf(err, errlen, "store: %s has schema version %d, newer than this build (%d)", path, version,
                 LATEST_VERSION);
        rc = HP_ESTORE;
    }
    if (rc == HP_OK && version < LATEST_VERSION) {
        if (!do_migrate) {
            snprintf(err, errlen, "store: %s has pending migrations (%d -> %d); run `hookpost migrate`", path,
                     version, LATEST_VERSION);
            rc = HP_ESTORE;
        } else if ((rc = migrate(st->db, version)) != HP_OK) {
            snprintf(err, errlen, "store: migration failed: %s", sqlite3_errmsg(st->db));
        }
    }
    if (rc == HP_OK) rc = sqlite_handed_ids_init(st);
    /* the reader before the checkpointer thread, which uses it */
    if (rc == HP_OK && (rc = reader_open(st, path, &st->reader)) != HP_OK)
        snprintf(err, errlen, "store: cannot open a reader on %s: %s", path,
                 st->reader && st->reader->db ? sqlite3_errmsg(st->reader->db) : "out of memory");
    if (rc == HP_OK && (rc = reader_open(st, path, &st->slow_reader)) != HP_OK)
        snprintf(err, errlen, "store: cannot open a reader on %s: %s", path,
                 st->slow_reader && st->slow_reader->db ? sqlite3_errmsg(st->slow_reader->db) : "out of memory");
    if (rc == HP_OK && (rc = sqlite_checkpointer_start(st, path)) != HP_OK)
        snprintf(err, errlen, "store: cannot start the checkpointer on %s", path);
    if (rc != HP_OK) {
        op_close(&st->base);
        return rc;
    }
    *out = &st->base;
    return HP_OK;
}
