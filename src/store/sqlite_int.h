/* sqlite_int.h - internals shared by the SQLite backend's files:
 * sqlite.c (connection, migrations, tenants, destinations), sqlite_queue.c
 * (publish, tasks, results) and sqlite_log.c (event and attempt queries).
 *
 * Every function taking a sqlite_store expects the caller to hold st->lock
 * (WITH_LOCK does that around one operation). Helpers return err.h codes. */
#ifndef HP_SQLITE_INT_H
#define HP_SQLITE_INT_H

#include "store/store_impl.h"
#include "core/crypto.h"
#include "core/util.h"

#include <pthread.h>
#include <sqlite3.h>

#define SQLITE_STMT_CACHE 64

typedef struct sqlite_store {
    hp_store base;
    sqlite3 *db;
    pthread_mutex_t lock;
    uint8_t key[CRYPTO_KEY_LEN];
    int lock_fd;       /* flock on DATA_DIR/hookpost.lock: one process per store */
    /* WAL checkpoints run on their own thread and connection, so commits on
     * the hot path never pay for copying the WAL back (and its fsyncs) */
    sqlite3 *ckpt_db;
    pthread_t ckpt_thread;
    bool ckpt_running;
    bool ckpt_stop;
    pthread_mutex_t ckpt_lock;
    pthread_cond_t ckpt_cond;
    /* for sqlite_checkpointer_health, under ckpt_lock */
    int64_t ckpt_caught_up_ms; /* the WAL was last copied back whole */
    int ckpt_behind;           /* WAL frames not copied back at the last try */
    char ckpt_error[160];      /* the last try's failure, "" when it worked */
    /* prepared statements for constant SQL texts, keyed by the literal's
     * address: parsing SQL on every call was a large share of publish cost */
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[SQLITE_STMT_CACHE];
    int ncache;
    /* SQLite's message for the latest HP_ESTORE (store_describe_error); its own
     * lock, so reading it never waits for a store operation */
    pthread_mutex_t err_lock;
    char last_error[160];
    bool error_noted; /* this operation's error is already in last_error */
    /* The API's reads (sqlite_log.c; tenants and destinations) run on a second, query-only
     * connection with its own lock and statements: in WAL mode they see
     * every commit yet never wait for the writer (nor it for them). NULL on
     * the reader itself. */
    struct sqlite_store *reader;
    /* A third query-only connection for the metrics aggregates
     * (sqlite_metrics.c): a scan of a long range would hold the reader's
     * lock for seconds, and with it every tenant lookup. The checkpointer
     * never waits for it (its old snapshot only delays a WAL restart). */
    struct sqlite_store *slow_reader;
    struct sqlite_store *owner; /* on the readers: the store they read for */
    /* the last id given to a `handed` row (sqlite_queue.c), under lock: ids
     * are never reused while the process runs, so a result that arrives
     * after its hand-over moved into tasks cannot touch a newer one */
    int64_t handed_last_id;
} sqlite_store;

#define S(st) ((sqlite_store *)(st))

/* Runs `call` (an int expression) with the store's lock held and returns it;
 * a database failure's message is kept for store_describe_error. */
#define WITH_LOCK(st, call)                                                  \
    do {                                                                     \
        pthread_mutex_lock(&S(st)->lock);                                    \
        S(st)->error_noted = false;                                          \
        int rc_ = (call);                                                    \
        if (rc_ == HP_ESTORE && !S(st)->error_noted) sqlite_note_error(S(st)); \
        pthread_mutex_unlock(&S(st)->lock);                                  \
        return rc_;                                                          \
    } while (0)

/* Starts hand-over ids after the largest in the table (sqlite_queue.c). */
int sqlite_handed_ids_init(sqlite_store *st);

/* Keeps the connection's current error message as the store's last error
 * (before a ROLLBACK replaces it). Caller holds st->lock. */
void sqlite_note_error(sqlite_store *st);

int sqlite_exec(sqlite3 *db, const char *sql);
/* Ends the transaction begun with BEGIN: COMMIT when rc is HP_OK (and the
 * commit succeeds), else ROLLBACK. Returns the final code. */
int sqlite_end(sqlite_store *st, int rc);
int sqlite_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt);
/* Like sqlite_prepare for a string literal (its address is the cache key):
 * the statement is prepared once and reused. Pair with sqlite_release. */
int sqlite_prepare_cached(sqlite_store *st, const char *sql, sqlite3_stmt **stmt);
/* Resets a cached statement for reuse, or finalizes an uncached one. */
void sqlite_release(sqlite_store *st, sqlite3_stmt *stmt);
/* Runs a statement that returns no rows: HP_OK, HP_EEXISTS (constraint), HP_ESTORE. */
int sqlite_step_done(sqlite3_stmt *s);
/* NULL binds SQL NULL. */
void sqlite_bind_text(sqlite3_stmt *s, int i, const char *v);
/* The same without a copy, for the hot inserts: v must stay valid until
 * the statement is stepped and released (sqlite_release clears bindings). */
void sqlite_bind_text_static(sqlite3_stmt *s, int i, const char *v);
/* Compact JSON text; NULL / JSON null binds SQL NULL. */
int sqlite_bind_json(sqlite3_stmt *s, int i, const json_t *v);
/* AES-GCM sealed JSON (credentials). */
int sqlite_bind_sealed(sqlite_store *st, sqlite3_stmt *s, int i, const json_t *v);
/* Parses a JSON text column (new reference; NULL for SQL NULL). */
json_t *sqlite_column_json(sqlite3_stmt *s, int i);
int sqlite_column_sealed(sqlite_store *st, sqlite3_stmt *s, int i, json_t **out);
/* strdup of a text column; NULL for SQL NULL. */
char *sqlite_column_str(sqlite3_stmt *s, int i);

/* Binds every string of a JSON array from index *i on, advancing *i. */
void sqlite_bind_strings(sqlite3_stmt *s, int *i, const json_t *arr);
/* Appends " AND <column> IN (?,?,..)" for a non-empty array. */
void sqlite_in_clause(hp_buf *sql, const char *column, const json_t *arr);

/* sqlite_checkpoint.c: start after the schema is ready; stop before close. */
int sqlite_checkpointer_start(sqlite_store *st, const char *path);
void sqlite_checkpointer_stop(sqlite_store *st);
/* store_health for the checkpointer: see store.h. */
bool sqlite_checkpointer_health(sqlite_store *st, int64_t now_ms, char *why, size_t len);

/* sqlite_queue.c */
int sqlite_publish_batch(hp_store *st, store_publish *const *batch, size_t n, int64_t due_ms,
                         int64_t lease_until_ms);
int sqlite_tasks_claim(hp_store *st, int64_t now_ms, int64_t lease_until_ms, size_t max, store_task **tasks,
                       size_t *n);
int sqlite_tasks_next_due(hp_store *st, int64_t now_ms, int64_t *due_ms);
int sqlite_tasks_release_all(hp_store *st);
int sqlite_task_add(hp_store *st, const char *event_id, const char *tenant_id, const char *destination_id,
                    bool manual, int64_t due_ms);
int sqlite_results_commit(hp_store *st, store_result *const *results, size_t n);
int sqlite_pair_attempts(hp_store *st, const char *event_id, const char *destination_id, int *last_number,
                         bool *delivered);

/* sqlite_log.c */
int sqlite_event_get(hp_store *st, const char *id, const char *tenant_id, hp_event **out);
int sqlite_events_list(hp_store *st, const store_log_query *q, store_log_page *out);
int sqlite_attempts_list(hp_store *st, const store_log_query *q, store_log_page *out);
int sqlite_attempt_get(hp_store *st, const char *id, const char *tenant_id, hp_attempt **out);

/* sqlite_metrics.c */
int sqlite_metrics(hp_store *st, const store_metrics_query *q, store_metrics_result *out);
/* Registers hp_bucket(ms, unit, value) (bucket_floor) on a connection. */
int sqlite_metrics_register(sqlite3 *db);

/* sqlite_retention.c */
int sqlite_log_mark(hp_store *st, int64_t now_ms);
int sqlite_log_prune(hp_store *st, int64_t cutoff_ms, size_t max, size_t *deleted);

#endif
