/* events.c - /events: the event log, listed with filters and cursor
 * pagination, or read one by id. A tenant JWT sees its own tenant's events
 * only (log_query.h). */
#include "api/api.h"
#include "api/log_query.h"
#include "core/err.h"
#include "store/store.h"

void api_events_list(http_req *req, http_res *res)
{
    log_query lq;
    if (!log_query_parse(req, res, LOG_EVENTS, &lq)) return;
    store_log_page page;
    int rc = store_events_list(req->app->store, &lq.q, &page);
    if (rc != HP_OK) {
        http_internal(res, rc);
        log_query_free(&lq);
        return;
    }
    if (lq.page.backward) paging_flip(page.items, page.n);
    json_t *models = json_array();
    for (size_t i = 0; i < page.n; i++) json_array_append_new(models, api_event_json(res, page.items[i], true));
    const hp_event *first = page.n ? page.items[0] : NULL, *last = page.n ? page.items[page.n - 1] : NULL;
    json_t *pagination = paging_json(&log_event_pages, &lq.page, page.n, page.more, first ? first->time : 0,
                                     first ? first->id : NULL, last ? last->time : 0, last ? last->id : NULL);
    http_json(res, 200, json_pack("{s:o, s:o}", "models", models, "pagination", pagination));
    store_events_page_free(&page);
    log_query_free(&lq);
}

void api_event_get(http_req *req, http_res *res)
{
    const char *tenant_id;
    if (!log_tenant_scope(req, res, &tenant_id)) return;
    hp_event *e = NULL;
    int rc = store_event_get(req->app->store, http_param(req, "event_id"), tenant_id, &e);
    if (rc == HP_ENOTFOUND) http_error(res, 404, "event not found");
    else if (rc != HP_OK) http_internal(res, rc);
    else http_json(res, 200, api_event_json(res, e, true));
    event_free(e);
}
