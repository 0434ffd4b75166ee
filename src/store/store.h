/* store.h - the one storage interface of hookpost.
 *
 * Tenants and destinations (and, with the pipeline, events, delivery tasks and
 * attempts) live behind these functions. The embedded implementation is
 * SQLite (store/sqlite.c); a PostgreSQL one satisfies the same interface, so
 * nothing above this header knows which database it talks to. Implementations
 * plug in through store_ops (store/store_impl.h).
 *
 * Thread-safety: every function may be called from any thread concurrently;
 * the implementation serialises what must be serialised.
 * Errors: err.h codes. HP_ENOTFOUND for missing rows, HP_EEXISTS for
 * duplicate keys, HP_ELIMIT when a configured limit would be exceeded,
 * HP_ESTORE for database failures. On error nothing is changed (every write
 * is one transaction).
 * Ownership: objects returned through out-parameters belong to the caller
 * (tenant_free / destination_free / store_*_list_free). Input objects are
 * borrowed. Destination credentials and delivery_metadata are encrypted
 * with the key given to store_open before they reach the database. */
#ifndef HP_STORE_H
#define HP_STORE_H

#include "core/bucket.h"
#include "core/model.h"
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct hp_store hp_store;

/* Opens the store chosen by the configuration (SQLite under DATA_DIR unless
 * POSTGRES_URL is set) and applies pending migrations when `migrate` is true.
 * With migrate false, a store with pending migrations is refused (HP_ESTORE). */
int store_open(const hp_config *cfg, bool migrate, hp_store **out, char *err, size_t errlen);
void store_close(hp_store *st);

/* Schema version now in the database, and the newest this build knows. */
int store_schema_version(hp_store *st, int *current, int *latest);

/* ---- tenants ---- */

/* Creates the tenant or replaces its metadata. *created tells which. *out gets
 * the stored tenant (with derived fields). metadata may be NULL. */
int store_tenant_upsert(hp_store *st, const char *id, const json_t *metadata, int64_t now_ms,
                        hp_tenant **out, bool *created);
int store_tenant_get(hp_store *st, const char *id, hp_tenant **out);
/* Deletes the tenant and all its destinations. */
int store_tenant_delete(hp_store *st, const char *id);

/* A page position: rows strictly after (time, id) in the walk's order. */
typedef struct {
    int64_t time_ms;
    const char *id;
} store_seek;

typedef struct {
    const json_t *ids;       /* array of tenant ids to keep; NULL or empty = all */
    int limit;               /* rows wanted (the store fetches limit+1 to detect more) */
    bool desc;               /* newest first */
    const store_seek *after; /* NULL = from the start */
} store_tenant_query;

typedef struct {
    hp_tenant **items;
    size_t n;
    bool more;               /* rows exist beyond this page in the walk's order */
    int64_t total;           /* rows matching the filter, ignoring the page */
} store_tenant_page;

int store_tenant_list(hp_store *st, const store_tenant_query *q, store_tenant_page *out);
void store_tenant_page_free(store_tenant_page *p);

/* ---- destinations ---- */

/* All destinations of a tenant, oldest first. *items is an array of n pointers. */
int store_destination_list(hp_store *st, const char *tenant_id, hp_destination ***items, size_t *n);
void store_destination_list_free(hp_destination **items, size_t n);

int store_destination_get(hp_store *st, const char *tenant_id, const char *id, hp_destination **out);

/* Inserts d. HP_ENOTFOUND if the tenant is gone, HP_EEXISTS if the id is
 * taken, HP_ELIMIT if the tenant already has max_per_tenant destinations. */
int store_destination_create(hp_store *st, const hp_destination *d, int max_per_tenant);

/* Replaces the stored destination (tenant_id, id) with d. */
int store_destination_update(hp_store *st, const hp_destination *d);

int store_destination_delete(hp_store *st, const char *tenant_id, const char *id);

/* ---- routing: what publish matches against ---- */

/* One destination as publish sees it. */
typedef struct {
    const char *id;
    const json_t *topics;
    const json_t *filter;     /* NULL = everything */
    bool disabled;
} store_route;

/* An immutable, reference-counted snapshot of a tenant's routes, cached in
 * memory and dropped whenever the tenant's destinations change through this
 * store. (A multi-node backend must also expire it; see ARCHITECTURE.md.) */
typedef struct store_routes {
    int refs;                 /* atomic */
    size_t n;
    store_route *items;
    hp_destination **dests;   /* the rows the items point into */
} store_routes;

/* The tenant's routes (an empty set for an unknown tenant). Release with
 * store_routes_release. */
int store_routes_get(hp_store *st, const char *tenant_id, store_routes **out);
void store_routes_release(store_routes *r);

/* ---- the pipeline: events, delivery tasks, attempts ---- */

/* One publish waiting for its group commit. The store writes `duplicate`
 * (an event with this id already existed: nothing was written).
 * task_ids, when not NULL, has room for one id per matched destination: the
 * event's tasks are then written already leased (claimed by the caller, who
 * delivers them from memory) and their ids stored there in `matched` order. */
typedef struct {
    const hp_event *event;
    int64_t *task_ids;
    bool duplicate;
} store_publish;

/* Writes every event of the batch with one delivery task per matched
 * destination, all in one transaction: due at due_ms, or leased until
 * lease_until_ms for publishes with task_ids. Events whose id exists are
 * marked duplicate and skipped. */
int store_publish_batch(hp_store *st, store_publish *const *batch, size_t n, int64_t due_ms, int64_t lease_until_ms);

/* A claimed delivery task. Task ids are opaque to callers and never 0 (the
 * SQLite store gives hand-overs negative ids, see sqlite_queue.c). */
typedef struct {
    int64_t id;
    char *event_id;
    char *tenant_id;
    char *destination_id;
    bool manual;
    int last_number;    /* the pair's highest stored attempt number when claimed; -1: not read */
    bool delivered;     /* ... and whether one of its stored attempts succeeded */
} store_task;

/* Leases up to max due tasks (due_at <= now, lease expired; hand-overs
 * whose lease ended included) until
 * lease_until, each with its pair's attempts as of the claim
 * (store_pair_attempts). *tasks is an array of *n (store_tasks_free). */
int store_tasks_claim(hp_store *st, int64_t now_ms, int64_t lease_until_ms, size_t max, store_task **tasks,
                      size_t *n);
void store_tasks_free(store_task *tasks, size_t n);

/* The earliest due_at of an unleased (or lease-expired) task, counting a
 * hand-over as due when its lease ends, or HP_ENOTFOUND when there is none. */
int store_tasks_next_due(hp_store *st, int64_t now_ms, int64_t *due_ms);

/* Makes every lease expire now, hand-overs included: the embedded store is
 * owned by one process, so at start-up nothing can still be working on a
 * claimed task. */
int store_tasks_release_all(hp_store *st);

/* Adds a task (a manual retry), due at due_ms. */
int store_task_add(hp_store *st, const char *event_id, const char *tenant_id, const char *destination_id,
                   bool manual, int64_t due_ms);

/* What became of one claimed task. */
typedef struct {
    int64_t task_id;
    hp_attempt *attempt;   /* to log, or NULL when no attempt was made (skipped) */
    int64_t retry_at_ms;   /* > 0: schedule the next automatic attempt then */
    int64_t defer_to_ms;   /* > 0: not attempted (its destination was busy); the
                            * task stays, due then and no longer leased ... */
    int64_t held_until_ms; /* ... if its lease is still this one (else someone
                            * claimed it after the lease ran out: left alone) */
    bool cancel_retries;   /* success: drop other pending automatic tasks of the pair */
    /* The pair has no other task as long as *alone_while (read atomically,
     * under the store's lock, when the result is applied) still equals
     * alone_value; NULL = look for other tasks. */
    const uint64_t *alone_while;
    uint64_t alone_value;
} store_result;

/* Commits a batch of results in one transaction: each task is deleted, its
 * attempt inserted, its retry scheduled (replacing any pending automatic
 * task of the same event and destination, and not at all once an attempt of
 * the pair succeeded, such as a manual retry while this one was in flight);
 * a deferred task is only moved. */
int store_results_commit(hp_store *st, store_result *const *results, size_t n);

/* The highest attempt number logged for (event, destination), 0 when none,
 * and whether any of them succeeded, as of the last commit (never waits for
 * a writer). */
int store_pair_attempts(hp_store *st, const char *event_id, const char *destination_id, int *last_number,
                        bool *delivered);

/* An event by id; tenant_id NULL = any tenant. */
int store_event_get(hp_store *st, const char *id, const char *tenant_id, hp_event **out);

/* ---- the log: listing events and attempts ---- */

typedef struct {
    json_t *ids;             /* arrays of strings; NULL or empty = no filter */
    json_t *tenant_ids;
    json_t *destination_ids; /* events: matched destinations */
    json_t *topics;
    json_t *event_ids;       /* attempts only */
    json_t *destination_types; /* attempts only */
    int status;              /* attempts: 0 any, 1 success, -1 failed */
    int64_t time_gte, time_lte; /* INT64_MIN / INT64_MAX = unbounded */
    int limit;
    bool desc;
    const store_seek *after;
} store_log_query;

typedef struct {
    void **items;            /* hp_event* or hp_attempt* */
    size_t n;
    bool more;
} store_log_page;

int store_events_list(hp_store *st, const store_log_query *q, store_log_page *out);
int store_attempts_list(hp_store *st, const store_log_query *q, store_log_page *out);
void store_events_page_free(store_log_page *p);
void store_attempts_page_free(store_log_page *p);

/* An attempt by id; tenant_id NULL = any tenant. */
int store_attempt_get(hp_store *st, const char *id, const char *tenant_id, hp_attempt **out);

/* ---- the log: aggregates (GET /metrics/events, /metrics/attempts) ---- */

/* What rows are grouped and filtered by. Each field reads as text: status
 * "success" | "failed", manual "true" | "false", attempt_number in decimal,
 * a missing value "". Events have tenant, topic and destination (the
 * destination_id given at publish); attempts have all of them. */
typedef enum {
    METRIC_TENANT,
    METRIC_TOPIC,
    METRIC_DESTINATION,
    METRIC_DESTINATION_TYPE,
    METRIC_STATUS,
    METRIC_CODE,
    METRIC_MANUAL,
    METRIC_ATTEMPT_NUMBER,
    METRIC_NFIELDS
} store_metric_field;

typedef struct {
    bool attempts;                         /* false: events */
    int64_t start_ms, end_ms;              /* by each row's own time, in [start, end) */
    bucket_spec bucket;                    /* unit 0: one group per dimension combination */
    store_metric_field dims[METRIC_NFIELDS];
    size_t ndims;
    const json_t *filters[METRIC_NFIELDS]; /* arrays of text values (as above); NULL = any */
    size_t row_limit;                      /* groups wanted at most */
    int64_t deadline_ms;                   /* wall clock (hp_now_ms) to give up at */
} store_metrics_query;

/* One group. Counts cover every row of the group; for events only count. */
typedef struct {
    int64_t bucket_ms;                     /* the bucket's start (with a bucket unit) */
    char *dims[METRIC_NFIELDS];            /* in the query's dims order */
    int64_t count, succeeded, first_attempts, manual, attempt_number_sum;
} store_metrics_row;

typedef struct {
    store_metrics_row *rows;               /* ordered by dims (in order), then bucket */
    size_t n, ndims;
    bool truncated;                        /* more groups than row_limit exist */
} store_metrics_result;

/* Runs on a connection of its own (a long scan never holds up the log
 * reads or the writers) and one query at a time: meant for one background
 * thread (queue/offload.h), not for the HTTP threads. HP_EBUSY when the
 * deadline passes (the query is interrupted). */
int store_metrics(hp_store *st, const store_metrics_query *q, store_metrics_result *out);
void store_metrics_result_free(store_metrics_result *r);

/* ---- log retention (LOG_RETENTION_DAYS) ---- */

/* Records how far the event and attempt log reach at now_ms. Called
 * periodically; pruning can only go back to a recorded mark. */
int store_log_mark(hp_store *st, int64_t now_ms);

/* Deletes up to max attempts and up to max events (with their destination
 * links) logged before the newest mark at or before cutoff_ms, in one
 * transaction. Events a delivery task still needs are kept. *deleted gets the number of attempts and events
 * deleted (fewer than 2 * max: nothing more to do for now). HP_OK when
 * there is no such mark yet. */
int store_log_prune(hp_store *st, int64_t cutoff_ms, size_t max, size_t *deleted);

/* Whether the store's own background work keeps up (SQLite: WAL checkpoints
 * complete and succeed); false with the reason in why. Never waits for a
 * store operation. */
bool store_health(hp_store *st, int64_t now_ms, char *why, size_t len);
/* rc in words; for HP_ESTORE with the database's own words for the latest
 * failure of any store operation: "store failure (database is locked)".
 * For logs and health reasons; never waits for a store operation. */
void store_describe_error(hp_store *st, int rc, char *buf, size_t len);

#endif
