/* retry.c - POST /retry: a manual attempt of one event to one destination,
 * queued durably and delivered at once. Unlike Outpost we do not require an
 * earlier attempt: events that matched nothing are stored and may be sent
 * to a destination created later. */
#include "api/api.h"
#include "core/err.h"
#include "core/filter.h"
#include "core/topics.h"
#include "core/util.h"
#include "deliver/engine.h"
#include "store/store.h"

#include <string.h>

static bool event_matches(const hp_destination *d, const hp_event *e)
{
    if (!topics_event_matches(d->topics, e->topic)) return false;
    if (!d->filter) return true;
    json_t *data = json_loadb(e->data, e->data_len, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, NULL);
    char ts[HP_TIME_LEN];
    json_t *input = filter_input(e->id, e->topic, hp_time_format(e->time, ts), e->metadata, data);
    bool ok = filter_match(d->filter, input);
    json_decref(input);
    json_decref(data);
    return ok;
}

void api_retry(http_req *req, http_res *res)
{
    json_t *body = http_body_object(req, res, false);
    if (!body) return;
    const char *event_id = json_string_value(json_object_get(body, "event_id"));
    const char *dest_id = json_string_value(json_object_get(body, "destination_id"));
    hp_event *e = NULL;
    hp_destination *d = NULL;
    json_t *errs = json_array();
    if (!event_id || !*event_id) json_array_append_new(errs, json_string("event_id is required"));
    if (!dest_id || !*dest_id) json_array_append_new(errs, json_string("destination_id is required"));
    if (json_array_size(errs)) {
        http_validation(res, json_incref(errs));
        goto done;
    }
    const char *tenant = req->auth.role == ROLE_TENANT ? req->auth.tenant_id : NULL;
    int rc = store_event_get(req->app->store, event_id, tenant, &e);
    if (rc == HP_ENOTFOUND) {
        http_error(res, 404, "event not found");
        goto done;
    }
    if (rc == HP_OK) rc = store_destination_get(req->app->store, e->tenant_id, dest_id, &d);
    if (rc == HP_ENOTFOUND) {
        http_error(res, 404, "destination not found");
        goto done;
    }
    if (rc != HP_OK) {
        http_internal(res, rc);
        goto done;
    }
    if (d->disabled_at) {
        http_error_data(res, 400, "Destination is disabled", json_pack("{s:s}", "error", "destination_disabled"));
        goto done;
    }
    if (!event_matches(d, e)) {
        http_error(res, 400, "destination does not match event");
        goto done;
    }
    rc = store_task_add(req->app->store, e->id, e->tenant_id, d->id, true, req->now_ms);
    if (rc != HP_OK) {
        http_internal(res, rc);
        goto done;
    }
    engine_wake(req->app->engine);
    http_json(res, 202, json_pack("{s:b}", "success", 1));
done:
    event_free(e);
    destination_free(d);
    json_decref(errs);
    json_decref(body);
}
