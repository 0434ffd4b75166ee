/* destinations.c - /tenants/{id}/destinations: list, create, read, merge-patch
 * update, delete, enable and disable. Validation collects every problem of a
 * request into one 422 and stores nothing unless all of it is valid. */
#include "api/api.h"
#include "core/err.h"
#include "core/filter.h"
#include "core/ids.h"
#include "core/mergepatch.h"
#include "core/topics.h"
#include "deliver/provider.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static void send_destination(http_req *req, http_res *res, int status, const hp_destination *d)
{
    http_json(res, status, destination_to_json(d, req->now_ms));
}

static hp_destination *load(http_req *req, http_res *res)
{
    hp_destination *d = NULL;
    int rc = store_destination_get(req->app->store, req->tenant->id, http_param(req, "destination_id"), &d);
    if (rc != HP_OK) http_store_error(res, rc, true);
    return rc == HP_OK ? d : NULL;
}

static bool type_listed(const json_t *types, const char *type)
{
    size_t i;
    json_t *v;
    if (!json_array_size(types)) return true;
    json_array_foreach(types, i, v) if (!strcmp(json_string_value(v), type)) return true;
    return false;
}

/* Outpost's rule: a destination is listed when it takes every asked topic. */
static bool topics_listed(const json_t *wanted, const json_t *dest_topics)
{
    size_t i;
    json_t *v;
    json_array_foreach(wanted, i, v) if (!topics_subscribed(dest_topics, json_string_value(v))) return false;
    return true;
}

void api_destinations_list(http_req *req, http_res *res)
{
    hp_destination **items = NULL;
    size_t n = 0;
    int rc = store_destination_list(req->app->store, req->tenant->id, &items, &n);
    if (rc != HP_OK) {
        http_internal(res, rc);
        return;
    }
    json_t *types = http_query_array(req, "type"), *topics = http_query_array(req, "topics");
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        if (type_listed(types, items[i]->type) && topics_listed(topics, items[i]->topics))
            json_array_append_new(out, destination_to_json(items[i], req->now_ms));
    http_json(res, 200, out);
    json_decref(types);
    json_decref(topics);
    store_destination_list_free(items, n);
}

void api_destination_get(http_req *req, http_res *res)
{
    hp_destination *d = load(req, res);
    if (!d) return;
    send_destination(req, res, 200, d);
    destination_free(d);
}

/* topics member -> normalised array (kept in *out); problems into errs. */
static void parse_topics(const http_req *req, const json_t *in, json_t *errs, json_t **out)
{
    const hp_config *cfg = req->app->cfg;
    const char *why = NULL;
    *out = NULL;
    if (topics_normalize(in, (const char *const *)cfg->topics, cfg->ntopics, cfg->topics_allow_wildcards, out,
                         &why) != HP_OK)
        json_array_append_new(errs, json_string(why ? why : "topics is invalid"));
}

/* filter member: null or {} clears, an object replaces. */
static void parse_filter(const json_t *in, json_t *errs, json_t **out)
{
    *out = NULL;
    if (!in || json_is_null(in) || (json_is_object(in) && json_object_size(in) == 0)) return;
    const char *why = NULL;
    if (!json_is_object(in) || filter_validate(in, &why) != HP_OK) {
        json_array_append_new(errs, json_string(why ? why : "filter is invalid"));
        return;
    }
    *out = json_deep_copy(in);
}

static provider_ctx make_ctx(const http_req *req, const json_t *body)
{
    provider_ctx ctx = {
        .cfg = req->app->cfg,
        .signer = &req->app->signer,
        .admin = req->auth.role == ROLE_ADMIN,
        .now_ms = req->now_ms,
        .credentials_input = json_object_get(body, "credentials"),
    };
    return ctx;
}

static int store_error_answer(http_res *res, int rc)
{
    if (rc == HP_EEXISTS) http_error(res, 400, "destination already exists");
    else if (rc == HP_ELIMIT) http_error(res, 400, "maximum number of destinations per tenant reached");
    else if (rc == HP_ENOTFOUND) http_error(res, 404, "tenant not found");
    else http_internal(res, rc);
    return rc;
}

void api_destination_create(http_req *req, http_res *res)
{
    json_t *body = http_body_object(req, res, false);
    if (!body) return;
    if (req->auth.role != ROLE_ADMIN && (json_object_get(body, "created_at") || json_object_get(body, "updated_at"))) {
        http_empty(res, 403);
        json_decref(body);
        return;
    }
    json_t *errs = json_array();
    hp_destination *d = calloc(1, sizeof *d);
    d->tenant_id = strdup(req->tenant->id);

    const json_t *type = json_object_get(body, "type");
    const provider *p = NULL;
    if (!json_is_string(type) || !*json_string_value(type)) {
        json_array_append_new(errs, json_string("type is required"));
    } else if (!(p = provider_find(json_string_value(type)))) {
        json_array_append_new(errs, json_string("type is invalid"));
    } else {
        d->type = strdup(p->type);
    }
    const json_t *id = json_object_get(body, "id");
    if (id && !json_is_null(id)) {
        if (!json_is_string(id) || !id_valid(json_string_value(id))) json_array_append_new(errs, json_string("id is invalid"));
        else d->id = strdup(json_string_value(id));
    } else {
        d->id = id_generate(req->app->cfg, ID_DESTINATION);
    }
    parse_topics(req, json_object_get(body, "topics"), errs, &d->topics);
    parse_filter(json_object_get(body, "filter"), errs, &d->filter);
    api_string_map(json_object_get(body, "config"), "config", false, errs, &d->config);
    api_string_map(json_object_get(body, "credentials"), "credentials", false, errs, &d->credentials);
    api_string_map(json_object_get(body, "delivery_metadata"), "delivery_metadata", false, errs, &d->delivery_metadata);
    api_string_map(json_object_get(body, "metadata"), "metadata", false, errs, &d->metadata);
    if (!d->config) d->config = json_object();
    if (!d->credentials) d->credentials = json_object();
    d->created_at = d->updated_at = req->now_ms;
    api_past_time(body, "disabled_at", req->now_ms, errs, &d->disabled_at);
    if (api_past_time(body, "created_at", req->now_ms, errs, &d->created_at) == HP_OK && !d->created_at)
        d->created_at = req->now_ms;
    d->updated_at = d->created_at;
    if (api_past_time(body, "updated_at", req->now_ms, errs, &d->updated_at) == HP_OK && !d->updated_at)
        d->updated_at = d->created_at;

    provider_ctx ctx = make_ctx(req, body);
    int rc = HP_OK;
    if (p && (rc = p->prepare(&ctx, d, NULL, errs)) != HP_OK) http_internal(res, rc);
    else if (json_array_size(errs)) http_validation(res, json_incref(errs));
    else if (!d->id || !d->tenant_id) http_internal(res, HP_ENOMEM);
    else if ((rc = store_destination_create(req->app->store, d, req->app->cfg->max_destinations_per_tenant)) != HP_OK)
        store_error_answer(res, rc);
    else send_destination(req, res, 201, d);
    destination_free(d);
    json_decref(errs);
    json_decref(body);
}

/* Merge-patches one string-map member of the destination. */
static void patch_map(const json_t *body, const char *field, json_t **target, json_t *errs, bool keep_empty)
{
    json_t *in = json_object_get(body, field);
    if (!in) return;
    if (json_is_null(in)) {
        json_decref(*target);
        *target = keep_empty ? json_object() : NULL;
        return;
    }
    json_t *patch = NULL;
    api_string_map(in, field, true, errs, &patch);
    if (!patch) return;
    json_t *merged = mergepatch_apply(*target ? *target : json_object(), patch);
    *target = merged;
    if (!keep_empty && merged && json_object_size(merged) == 0) {
        json_decref(merged);
        *target = NULL;
    }
    json_decref(patch);
}

void api_destination_update(http_req *req, http_res *res)
{
    hp_destination *old = load(req, res);
    if (!old) return;
    json_t *body = http_body_object(req, res, false);
    hp_destination *d = body ? destination_dup(old) : NULL;
    json_t *errs = json_array();
    if (!body || !d) {
        if (body) http_internal(res, HP_ENOMEM);
        goto done;
    }
    const json_t *type = json_object_get(body, "type");
    if (type && !(json_is_string(type) && !strcmp(json_string_value(type), old->type)))
        json_array_append_new(errs, json_string("type cannot be updated"));
    if (json_object_get(body, "topics")) {
        json_t *topics = NULL;
        parse_topics(req, json_object_get(body, "topics"), errs, &topics);
        if (topics) {
            json_decref(d->topics);
            d->topics = topics;
        }
    }
    if (json_object_get(body, "filter")) {
        json_decref(d->filter);
        parse_filter(json_object_get(body, "filter"), errs, &d->filter);
    }
    patch_map(body, "config", &d->config, errs, true);
    patch_map(body, "credentials", &d->credentials, errs, true);
    patch_map(body, "delivery_metadata", &d->delivery_metadata, errs, false);
    patch_map(body, "metadata", &d->metadata, errs, false);
    int64_t disabled;
    if (api_past_time(body, "disabled_at", req->now_ms, errs, &disabled) == HP_OK)
        d->disabled_at = disabled;
    d->updated_at = req->now_ms;

    const provider *p = provider_find(d->type);
    provider_ctx ctx = make_ctx(req, body);
    int rc = HP_OK;
    if (p && (rc = p->prepare(&ctx, d, old, errs)) != HP_OK) http_internal(res, rc);
    else if (json_array_size(errs)) http_validation(res, json_incref(errs));
    else if ((rc = store_destination_update(req->app->store, d)) != HP_OK) http_store_error(res, rc, true);
    else send_destination(req, res, 200, d);
done:
    destination_free(d);
    destination_free(old);
    json_decref(errs);
    json_decref(body);
}

void api_destination_delete(http_req *req, http_res *res)
{
    int rc = store_destination_delete(req->app->store, req->tenant->id, http_param(req, "destination_id"));
    if (rc != HP_OK) http_store_error(res, rc, true);
    else http_json(res, 200, json_pack("{s:b}", "success", 1));
}

static void set_disabled(http_req *req, http_res *res, bool disable)
{
    hp_destination *d = load(req, res);
    if (!d) return;
    int rc = HP_OK;
    if (disable != (d->disabled_at != 0)) {
        d->disabled_at = disable ? req->now_ms : 0;
        d->updated_at = req->now_ms;
        rc = store_destination_update(req->app->store, d);
    }
    if (rc != HP_OK) http_store_error(res, rc, true);
    else send_destination(req, res, 200, d);
    destination_free(d);
}

void api_destination_enable(http_req *req, http_res *res)
{
    set_disabled(req, res, false);
}

void api_destination_disable(http_req *req, http_res *res)
{
    set_disabled(req, res, true);
}
