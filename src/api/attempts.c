/* attempts.c - the attempt log: /attempts (every tenant for the admin, its
 * own for a tenant JWT) and /tenants/{id}/destinations/{id}/attempts (one
 * destination), listed with filters and cursor pagination or read one by id.
 *
 * include= adds to each attempt: `event` (the event without its matched
 * destinations; `event.data` with its data), `response_data`,
 * `request_data` (hookpost extension: what was sent, without the body) and
 * `destination` (omitted once the destination is deleted). Events and
 * destinations are loaded once per request however many attempts share
 * them. */
#include "api/api.h"
#include "api/log_query.h"
#include "core/err.h"
#include "core/util.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* Renders attempts for one request, remembering what it loaded. */
typedef struct {
    const http_req *req;
    http_res *res;        /* the answer: holds the events' data (api_event_json) */
    log_include inc;
    json_t *events;       /* event id -> rendered event, or JSON null when missing */
    json_t *destinations; /* "<tenant>/<destination>" -> rendered destination, or JSON null */
} renderer;

static void renderer_init(renderer *r, const http_req *req, http_res *res)
{
    r->req = req;
    r->res = res;
    log_include_parse(req, &r->inc);
    r->events = json_object();
    r->destinations = json_object();
}

static void renderer_free(renderer *r)
{
    json_decref(r->events);
    json_decref(r->destinations);
}

/* Remembers v (stolen) under key and returns it borrowed, or NULL for a
 * JSON null (the thing is gone). */
static json_t *remember(json_t *cache, const char *key, json_t *v)
{
    json_object_set_new(cache, key, v);
    json_t *kept = json_object_get(cache, key);
    return json_is_null(kept) ? NULL : kept;
}

static int event_json(renderer *r, const hp_attempt *a, json_t **out)
{
    json_t *cached = json_object_get(r->events, a->event_id);
    if (cached) {
        *out = json_is_null(cached) ? NULL : cached;
        return HP_OK;
    }
    hp_event *e = NULL;
    int rc = store_event_get(r->req->app->store, a->event_id, a->tenant_id, &e);
    if (rc != HP_OK && rc != HP_ENOTFOUND) return rc;
    json_t *v = json_null();
    if (e) {
        v = api_event_json(r->res, e, r->inc.event_data);
        json_object_del(v, "matched_destination_ids");
        event_free(e);
    }
    *out = remember(r->events, a->event_id, v);
    return HP_OK;
}

static int destination_json(renderer *r, const hp_attempt *a, json_t **out)
{
    hp_buf key = {0};
    hp_buf_printf(&key, "%s/%s", a->tenant_id, a->destination_id);
    if (!key.data) return HP_ENOMEM;
    json_t *cached = json_object_get(r->destinations, key.data);
    int rc = HP_OK;
    if (cached) {
        *out = json_is_null(cached) ? NULL : cached;
    } else {
        hp_destination *d = NULL;
        rc = store_destination_get(r->req->app->store, a->tenant_id, a->destination_id, &d);
        if (rc == HP_OK || rc == HP_ENOTFOUND) {
            *out = remember(r->destinations, key.data, d ? destination_to_json(d, r->req->now_ms) : json_null());
            rc = HP_OK;
        }
        destination_free(d);
    }
    hp_buf_free(&key);
    return rc;
}

/* One attempt with what include asked for (new reference in *out). */
static int render(renderer *r, const hp_attempt *a, json_t **out)
{
    json_t *event = NULL, *destination = NULL;
    int rc = HP_OK;
    if (r->inc.event) rc = event_json(r, a, &event);
    if (rc == HP_OK && r->inc.destination) rc = destination_json(r, a, &destination);
    if (rc != HP_OK) return rc;
    json_t *o = attempt_to_json(a, r->inc.response_data, r->inc.request_data);
    if (event) {
        /* the summary names the destination this attempt went to */
        json_t *summary = json_copy(event);
        json_object_set_new(summary, "destination_id", json_string(a->destination_id));
        json_object_set_new(o, "event", summary);
    }
    if (destination) json_object_set(o, "destination", destination);
    *out = o;
    return HP_OK;
}

/* ---- lists ---- */

static void send_page(http_req *req, http_res *res, log_query *lq, store_log_page *page)
{
    renderer r;
    renderer_init(&r, req, res);
    json_t *models = json_array();
    int rc = HP_OK;
    for (size_t i = 0; rc == HP_OK && i < page->n; i++) {
        json_t *o = NULL;
        rc = render(&r, page->items[i], &o);
        if (rc == HP_OK) json_array_append_new(models, o);
    }
    renderer_free(&r);
    if (rc != HP_OK) {
        json_decref(models);
        http_internal(res, rc);
        return;
    }
    const hp_attempt *first = page->n ? page->items[0] : NULL, *last = page->n ? page->items[page->n - 1] : NULL;
    json_t *pagination = paging_json(&log_attempt_pages, &lq->page, page->n, page->more, first ? first->time : 0,
                                     first ? first->id : NULL, last ? last->time : 0, last ? last->id : NULL);
    http_json(res, 200, json_pack("{s:o, s:o}", "models", models, "pagination", pagination));
}

static void list(http_req *req, http_res *res, log_kind kind)
{
    log_query lq;
    if (!log_query_parse(req, res, kind, &lq)) return;
    store_log_page page;
    int rc = store_attempts_list(req->app->store, &lq.q, &page);
    if (rc == HP_OK) {
        if (lq.page.backward) paging_flip(page.items, page.n);
        send_page(req, res, &lq, &page);
        store_attempts_page_free(&page);
    } else {
        http_internal(res, rc);
    }
    log_query_free(&lq);
}

/* The path's destination must exist for its tenant: else 404, empty body. */
static bool destination_exists(http_req *req, http_res *res)
{
    hp_destination *d = NULL;
    int rc = store_destination_get(req->app->store, req->tenant->id, http_param(req, "destination_id"), &d);
    destination_free(d);
    if (rc != HP_OK) http_store_error(res, rc, true);
    return rc == HP_OK;
}

void api_attempts_list(http_req *req, http_res *res)
{
    list(req, res, LOG_ATTEMPTS);
}

void api_destination_attempts_list(http_req *req, http_res *res)
{
    if (destination_exists(req, res)) list(req, res, LOG_DEST_ATTEMPTS);
}

/* ---- one attempt ---- */

/* Sends the attempt if it belongs to tenant_id (NULL: any) and, when
 * destination_id is given, to that destination. */
static void send_one(http_req *req, http_res *res, const char *tenant_id, const char *destination_id)
{
    hp_attempt *a = NULL;
    int rc = store_attempt_get(req->app->store, http_param(req, "attempt_id"), tenant_id, &a);
    if (rc == HP_OK && destination_id && strcmp(a->destination_id, destination_id) != 0) rc = HP_ENOTFOUND;
    json_t *o = NULL;
    renderer r;
    renderer_init(&r, req, res);
    if (rc == HP_OK) rc = render(&r, a, &o);
    renderer_free(&r);
    if (rc == HP_ENOTFOUND) http_error(res, 404, "attempt not found");
    else if (rc != HP_OK) http_internal(res, rc);
    else http_json(res, 200, o);
    attempt_free(a);
}

void api_attempt_get(http_req *req, http_res *res)
{
    const char *tenant_id;
    if (log_tenant_scope(req, res, &tenant_id)) send_one(req, res, tenant_id, NULL);
}

void api_destination_attempt_get(http_req *req, http_res *res)
{
    if (destination_exists(req, res)) send_one(req, res, req->tenant->id, http_param(req, "destination_id"));
}
