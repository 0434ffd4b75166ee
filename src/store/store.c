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
