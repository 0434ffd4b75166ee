/* store.c - picks the backend for the configuration and dispatches the
 * store.h interface to it. */
#include "store/store_impl.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>

int store_open(const hp_config *cfg, bool migrate, hp_store **out, char *err, size_t errlen)
{
    if (cfg->postgres_url && *cfg->postgres_url) {
        snprintf(err, errlen, "store: PostgreSQL is not available in this build");
        return HP_ESTORE;
    }
    return sqlite_store_open(cfg, migrate, out, err, errlen);
}

void store_close(hp_store *st)
{
    if (st) st->ops->close(st);
}

int store_schema_version(hp_store *st, int *current, int *latest)
{
    return st->ops->schema_version(st, current, latest);
}

int store_tenant_upsert(hp_store *st, const char *id, const json_t *metadata, int64_t now_ms,
                        hp_tenant **out, bool *created)
{
    return st->ops->tenant_upsert(st, id, metadata, now_ms, out, created);
}

int store_tenant_get(hp_store *st, const char *id, hp_tenant **out)
{
    return st->ops->tenant_get(st, id, out);
}

int store_tenant_delete(hp_store *st, const char *id)
{
    return st->ops->tenant_delete(st, id);
}

int store_tenant_list(hp_store *st, const store_tenant_query *q, store_tenant_page *out)
{
    return st->ops->tenant_list(st, q, out);
}

void store_tenant_page_free(store_tenant_page *p)
{
    for (size_t i = 0; i < p->n; i++) tenant_free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

int store_destination_list(hp_store *st, const char *tenant_id, hp_destination ***items, size_t *n)
{
    return st->ops->destination_list(st, tenant_id, items, n);
}

void store_destination_list_free(hp_destination **items, size_t n)
{
    for (size_t i = 0; i < n; i++) destination_free(items[i]);
    free(items);
}

int store_destination_get(hp_store *st, const char *tenant_id, const char *id, hp_destination **out)
{
    return st->ops->destination_get(st, tenant_id, id, out);
}

int store_destination_create(hp_store *st, const hp_destination *d, int max_per_tenant)
{
    return st->ops->destination_create(st, d, max_per_tenant);
}

int store_destination_update(hp_store *st, const hp_destination *d)
{
    return st->ops->destination_update(st, d);
}

int store_destination_delete(hp_store *st, const char *tenant_id, const char *id)
{
    return st->ops->destination_delete(st, tenant_id, id);
}

int store_publish_batch(hp_store *st, store_publish *const *batch, size_t n, int64_t due_ms)
{
    return st->ops->publish_batch(st, batch, n, due_ms);
}

int store_tasks_claim(hp_store *st, int64_t now_ms, int64_t lease_until_ms, size_t max, store_task **tasks,
                      size_t *n)
{
    return st->ops->tasks_claim(st, now_ms, lease_until_ms, max, tasks, n);
}

void store_tasks_free(store_task *tasks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(tasks[i].event_id);
        free(tasks[i].tenant_id);
        free(tasks[i].destination_id);
    }
    free(tasks);
}

int store_tasks_next_due(hp_store *st, int64_t now_ms, int64_t *due_ms)
{
    return st->ops->tasks_next_due(st, now_ms, due_ms);
}

int store_tasks_release_all(hp_store *st)
{
    return st->ops->tasks_release_all(st);
}

int store_task_add(hp_store *st, const char *event_id, const char *tenant_id, const char *destination_id,
                   bool manual, int64_t due_ms)
{
    return st->ops->task_add(st, event_id, tenant_id, destination_id, manual, due_ms);
}

int store_results_commit(hp_store *st, store_result *const *results, size_t n)
{
    return st->ops->results_commit(st, results, n);
}

int store_attempt_last_number(hp_store *st, const char *event_id, const char *destination_id, int *number)
{
    return st->ops->attempt_last_number(st, event_id, destination_id, number);
}

int store_event_get(hp_store *st, const char *id, const char *tenant_id, hp_event **out)
{
    return st->ops->event_get(st, id, tenant_id, out);
}

int store_events_list(hp_store *st, const store_log_query *q, store_log_page *out)
{
    return st->ops->events_list(st, q, out);
}

int store_attempts_list(hp_store *st, const store_log_query *q, store_log_page *out)
{
    return st->ops->attempts_list(st, q, out);
}

void store_events_page_free(store_log_page *p)
{
    for (size_t i = 0; i < p->n; i++) event_free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

void store_attempts_page_free(store_log_page *p)
{
    for (size_t i = 0; i < p->n; i++) attempt_free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

int store_attempt_get(hp_store *st, const char *id, const char *tenant_id, hp_attempt **out)
{
    return st->ops->attempt_get(st, id, tenant_id, out);
}
