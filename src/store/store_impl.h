/* store_impl.h - how a storage backend plugs into store.h.
 *
 * A backend defines a struct whose first member is `hp_store base`, fills a
 * static store_ops table and returns &impl->base from its open function.
 * store.c dispatches every store_* call through base.ops. Contracts of each
 * operation are those of the matching function in store.h. */
#ifndef HP_STORE_IMPL_H
#define HP_STORE_IMPL_H

#include "store/store.h"

#include <pthread.h>
#include <stdint.h>

typedef struct store_ops {
    void (*close)(hp_store *st);
    int (*schema_version)(hp_store *st, int *current, int *latest);
    int (*tenant_upsert)(hp_store *st, const char *id, const json_t *metadata, int64_t now_ms,
                         hp_tenant **out, bool *created);
    int (*tenant_get)(hp_store *st, const char *id, hp_tenant **out);
    int (*tenant_delete)(hp_store *st, const char *id);
    int (*tenant_list)(hp_store *st, const store_tenant_query *q, store_tenant_page *out);
    int (*destination_list)(hp_store *st, const char *tenant_id, hp_destination ***items, size_t *n);
    int (*destination_get)(hp_store *st, const char *tenant_id, const char *id, hp_destination **out);
    int (*destination_create)(hp_store *st, const hp_destination *d, int max_per_tenant);
    int (*destination_update)(hp_store *st, const hp_destination *d);
    int (*destination_delete)(hp_store *st, const char *tenant_id, const char *id);
    int (*publish_batch)(hp_store *st, store_publish *const *batch, size_t n, int64_t due_ms,
                         int64_t lease_until_ms);
    int (*tasks_claim)(hp_store *st, int64_t now_ms, int64_t lease_until_ms, size_t max, store_task **tasks,
                       size_t *n);
    int (*tasks_next_due)(hp_store *st, int64_t now_ms, int64_t *due_ms);
    int (*tasks_release_all)(hp_store *st);
    int (*task_add)(hp_store *st, const char *event_id, const char *tenant_id, const char *destination_id,
                    bool manual, int64_t due_ms);
    int (*results_commit)(hp_store *st, store_result *const *results, size_t n);
    int (*pair_attempts)(hp_store *st, const char *event_id, const char *destination_id, int *last_number,
                         bool *delivered);
    int (*event_get)(hp_store *st, const char *id, const char *tenant_id, hp_event **out);
    int (*events_list)(hp_store *st, const store_log_query *q, store_log_page *out);
    int (*attempts_list)(hp_store *st, const store_log_query *q, store_log_page *out);
    int (*attempt_get)(hp_store *st, const char *id, const char *tenant_id, hp_attempt **out);
    int (*metrics)(hp_store *st, const store_metrics_query *q, store_metrics_result *out);
    int (*log_mark)(hp_store *st, int64_t now_ms);
    int (*log_prune)(hp_store *st, int64_t cutoff_ms, size_t max, size_t *deleted);
    void (*last_error)(hp_store *st, char *buf, size_t len);
    bool (*health)(hp_store *st, int64_t now_ms, char *why, size_t len);
} store_ops;

struct strmap;

/* The part every backend shares; store.c owns everything but `ops`. */
struct hp_store {
    const store_ops *ops;
    pthread_mutex_t routes_lock;
    struct strmap *routes;     /* tenant id -> store_routes* */
    uint64_t routes_gen;       /* bumped on every invalidation */
};

/* The SQLite backend (store/sqlite.c). */
int sqlite_store_open(const hp_config *cfg, bool migrate, hp_store **out, char *err, size_t errlen);

#endif
