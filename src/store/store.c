/* store.c - picks the backend for the configuration and dispatches the
 * store.h interface to it. */
#include "store/store_impl.h"
#include "core/err.h"
#include "core/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_open(const hp_config *cfg, bool migrate, hp_store **out, char *err, size_t errlen)
{
    if (cfg->postgres_url && *cfg->postgres_url) {
        snprintf(err, errlen, "store: PostgreSQL is not available in this build");
        return HP_ESTORE;
    }
    int rc = sqlite_store_open(cfg, migrate, out, err, errlen);
    if (rc != HP_OK) return rc;
    hp_store *st = *out;
    pthread_mutex_init(&st->routes_lock, NULL);
    st->routes = strmap_new();
    st->routes_gen = 0;
    if (!st->routes) {
        store_close(st);
        return HP_ENOMEM;
    }
    return HP_OK;
}

/* Tenants whose routes stay in memory (each holds its decrypted destinations). */
#define ROUTES_CACHE_MAX 1024

static void release_each(const char *key, void *value, void *arg)
{
    store_routes_release(value);
}

void store_close(hp_store *st)
{
    if (!st) return;
    if (st->routes) {
        strmap_each(st->routes, release_each, NULL);
        strmap_free(st->routes);
        pthread_mutex_destroy(&st->routes_lock);
    }
    st->ops->close(st);
}

/* ---- route cache ---- */

void store_routes_release(store_routes *r)
{
    if (!r || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) > 0) return;
    store_destination_list_free(r->dests, r->n);
    free(r->items);
    free(r);
}

static void routes_invalidate(hp_store *st, const char *tenant_id)
{
    pthread_mutex_lock(&st->routes_lock);
    st->routes_gen++;
    store_routes_release(strmap_del(st->routes, tenant_id));
    pthread_mutex_unlock(&st->routes_lock);
}

static int routes_load(hp_store *st, const char *tenant_id, store_routes **out)
{
    store_routes *r = calloc(1, sizeof *r);
    if (!r) return HP_ENOMEM;
    int rc = st->ops->destination_list(st, tenant_id, &r->dests, &r->n);
    if (rc == HP_OK && r->n && !(r->items = calloc(r->n, sizeof *r->items))) rc = HP_ENOMEM;
    if (rc != HP_OK) {
        if (r->dests) store_destination_list_free(r->dests, r->n);
        free(r);
        return rc;
    }
    for (size_t i = 0; i < r->n; i++) {
        const hp_destination *d = r->dests[i];
        r->items[i] = (store_route){d->id, d->topics, d->filter, d->disabled_at != 0};
    }
    r->refs = 1;
    *out = r;
    return HP_OK;
}

int store_routes_get(hp_store *st, const char *tenant_id, store_routes **out)
{
    pthread_mutex_lock(&st->routes_lock);
    store_routes *r = strmap_get(st->routes, tenant_id);
    uint64_t gen = st->routes_gen;
    if (r) __atomic_add_fetch(&r->refs, 1, __ATOMIC_ACQ_REL);
    pthread_mutex_unlock(&st->routes_lock);
    if (r) {
        *out = r;
        return HP_OK;
    }
    int rc = routes_load(st, tenant_id, &r);
    if (rc != HP_OK) return rc;
    /* cache it only if no write happened while we read: else it may be stale */
    pthread_mutex_lock(&st->routes_lock);
    if (strmap_size(st->routes) >= ROUTES_CACHE_MAX) {
        /* bounded memory with many active tenants: start over, the busy ones come back first */
        strmap_clear(st->routes, release_each, NULL);
    }
    if (gen == st->routes_gen && !strmap_get(st->routes, tenant_id) &&
        strmap_put(st->routes, tenant_id, r) == HP_OK)
        __atomic_add_fetch(&r->refs, 1, __ATOMIC_ACQ_REL);
    pthread_mutex_unlock(&st->routes_lock);
    *out = r;
    return HP_OK;
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
    int rc = st->ops->tenant_delete(st, id);
    routes_invalidate(st, id);
    return rc;
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
    int rc = st->ops->destination_create(st, d, max_per_tenant);
    routes_invalidate(st, d->tenant_id);
    return rc;
}

int store_destination_update(hp_store *st, const hp_destination *d)
{
    int rc = st->ops->destination_update(st, d);
    routes_invalidate(st, d->tenant_id);
    return rc;
}

int store_destination_delete(hp_store *st, const char *tenant_id, const char *id)
{
    int rc = st->ops->destination_delete(st, tenant_id, id);
    routes_invalidate(st, tenant_id);
    return rc;
}

int store_publish_batch(hp_store *st, store_publish *const *batch, size_t n, int64_t due_ms, int64_t lease_until_ms)
{
    return st->ops->publish_batch(st, batch, n, due_ms, lease_until_ms);
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

int store_pair_attempts(hp_store *st, const char *event_id, const char *destination_id, int *last_number,
                        bool *delivered)
{
    return st->ops->pair_attempts(st, event_id, destination_id, last_number, delivered);
}

int store_event_get(hp_store *st, const char *id, const char *tenant_id, hp_event **out)
{
    return st->ops->event_get(st, id, tenant_id, out);
}

int store_events_list(hp_store *st, const store_log_query *q, store_log_page *out)
{
    return st->ops->events_list(st, q, out);
}

int store_metrics(hp_store *st, const store_metrics_query *q, store_metrics_result *out)
{
    return st->ops->metrics(st, q, out);
}

void store_metrics_result_free(store_metrics_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++)
        for (size_t d = 0; d < r->ndims; d++) free(r->rows[i].dims[d]);
    free(r->rows);
    memset(r, 0, sizeof *r);
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

int store_log_mark(hp_store *st, int64_t now_ms)
{
    return st->ops->log_mark(st, now_ms);
}

int store_log_prune(hp_store *st, int64_t cutoff_ms, size_t max, size_t *deleted)
{
    return st->ops->log_prune(st, cutoff_ms, max, deleted);
}

void store_describe_error(hp_store *st, int rc, char *buf, size_t len)
{
    char why[160] = "";
    if (rc == HP_ESTORE) st->ops->last_error(st, why, sizeof why);
    if (*why) snprintf(buf, len, "%s (%s)", hp_strerror(rc), why);
    else snprintf(buf, len, "%s", hp_strerror(rc));
}

bool store_health(hp_store *st, int64_t now_ms, char *why, size_t len)
{
    return st->ops->health(st, now_ms, why, len);
}
