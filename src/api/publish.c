/* publish.c - POST /publish: validate, match the tenant's destinations, and
 * answer 202 only once the event and its delivery tasks are durable (the
 * connection waits, suspended, for the group commit). */
#include "api/api.h"
#include "core/err.h"
#include "core/filter.h"
#include "core/ids.h"
#include "core/jsonspan.h"
#include "core/topics.h"
#include "core/util.h"
#include "deliver/event_cache.h"
#include "deliver/provider.h"
#include "queue/committer.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* How publish bodies are read: numbers beyond 64 bits are valid JSON (only
 * their value is approximated, for filters; the bytes delivered stay exact),
 * and "\u0000" may appear in data's strings. */
#define BODY_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL)

typedef struct {
    publish_job job;     /* first: the committer hands this pointer back */
    hp_event *event;        /* owned, unless `cached` holds it */
    cached_event *cached;   /* the event cache's entry, for the engine */
    event_cache *events;
    http_deferred *reply;
} pending_publish;

/* Sends the answer and lets go of the event: the engine keeps it only if
 * its tasks were committed. */
static void publish_finish(pending_publish *p, http_res *res, bool committed)
{
    http_deferred_finish(p->reply, res);
    if (!p->cached) event_free(p->event);
    else if (committed) event_cache_release(p->events, p->cached);
    else event_cache_drop(p->events, p->cached);
    free(p);
}

/* {"id":..,"duplicate":..,"destination_ids":[..]}, written directly: one
 * per publish, on the committer thread that every publish waits for. */
static char *accepted_json(const hp_event *e, bool dup, size_t *len)
{
    hp_buf b = {0};
    int rc = hp_buf_puts(&b, "{\"id\":");
    if (rc == HP_OK) rc = hp_buf_json_string(&b, e->id, strlen(e->id));
    if (rc == HP_OK) rc = hp_buf_puts(&b, dup ? ",\"duplicate\":true,\"destination_ids\":[" : ",\"duplicate\":false,\"destination_ids\":[");
    size_t i;
    json_t *v;
    json_array_foreach(dup ? NULL : e->matched, i, v) {
        if (rc == HP_OK && i) rc = hp_buf_puts(&b, ",");
        if (rc == HP_OK) rc = hp_buf_json_string(&b, json_string_value(v), json_string_length(v));
    }
    if (rc == HP_OK) rc = hp_buf_puts(&b, "]}");
    if (rc != HP_OK) {
        hp_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data;
}

static void publish_done(publish_job *job, int rc)
{
    pending_publish *p = (pending_publish *)job;
    bool dup = job->publish.duplicate;
    http_res res = {0};
    if (rc != HP_OK) {
        http_internal(&res, rc);
    } else {
        size_t len = 0;
        char *text = accepted_json(p->event, dup, &len);
        http_json_text(&res, 202, text, len);
    }
    publish_finish(p, &res, rc == HP_OK && !dup);
}

/* With TOPICS set a topic is required and must be one of them, or "*" (an
 * event for every destination, as Outpost accepts it). */
static const char *topic_problem(const hp_config *cfg, const char *topic)
{
    if (!cfg->ntopics) return NULL;
    if (!topic || !*topic) return "topic is required";
    if (!strcmp(topic, "*")) return NULL;
    for (size_t i = 0; i < cfg->ntopics; i++)
        if (!strcmp(cfg->topics[i], topic)) return NULL;
    return "topic is invalid";
}

/* `data` may hold "\u0000" (Outpost accepts it, and its bytes are sent as
 * they came), but the fields hookpost keeps as C strings may not. */
static bool has_nul(const json_t *s)
{
    return json_is_string(s) && strlen(json_string_value(s)) != json_string_length(s);
}

static const char *string_member(const json_t *body, const char *key, bool *bad, json_t *errs)
{
    json_t *v = json_object_get(body, key);
    if (v && !json_is_null(v) && !json_is_string(v)) *bad = true;
    if (has_nul(v)) {
        char msg[64];
        snprintf(msg, sizeof msg, "%s must not contain NUL characters", key);
        json_array_append_new(errs, json_string(msg));
        return NULL;
    }
    return json_string_value(v);
}

/* Builds the event from a validated body; problems go to errs. */
static hp_event *parse_event(const http_req *req, const json_t *body, json_t *errs)
{
    const hp_config *cfg = req->app->cfg;
    hp_event *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    bool bad = false;
    size_t nerrs = json_array_size(errs);
    const char *tenant = string_member(body, "tenant_id", &bad, errs);
    if (nerrs == json_array_size(errs) && (bad || !tenant || !*tenant))
        json_array_append_new(errs, json_string("tenant_id is required"));
    bad = false;
    const char *id = string_member(body, "id", &bad, errs);
    if (bad || (id && !id_valid(id))) json_array_append_new(errs, json_string("id is invalid"));
    bad = false;
    nerrs = json_array_size(errs);
    const char *topic = string_member(body, "topic", &bad, errs);
    const char *problem = bad ? "topic is invalid" : topic_problem(cfg, topic);
    if (problem && nerrs == json_array_size(errs)) json_array_append_new(errs, json_string(problem));
    bad = false;
    const char *dest = string_member(body, "destination_id", &bad, errs);
    if (bad) json_array_append_new(errs, json_string("destination_id is invalid"));
    json_t *data = json_object_get(body, "data");
    if (!data || json_is_null(data)) json_array_append_new(errs, json_string("data is required"));
    else if (!json_is_object(data)) json_array_append_new(errs, json_string("data must be an object"));
    json_t *retry = json_object_get(body, "eligible_for_retry");
    if (json_is_null(retry)) retry = NULL; /* null = not given: the default (true) */
    if (retry && !json_is_boolean(retry)) json_array_append_new(errs, json_string("eligible_for_retry must be a boolean"));
    json_t *time = json_object_get(body, "time");
    e->time = req->now_ms;
    if (time && !json_is_null(time) && (!json_is_string(time) || hp_time_parse(json_string_value(time), &e->time) != HP_OK))
        json_array_append_new(errs, json_string("time must be an RFC 3339 timestamp"));
    json_t *meta = json_object_get(body, "metadata");
    const char *key;
    json_t *v;
    if (meta && !json_is_null(meta) && !json_is_object(meta)) json_array_append_new(errs, json_string("metadata must be an object"));
    json_object_foreach(meta, key, v) {
        if (!json_is_string(v) || has_nul(v)) {
            char msg[300];
            snprintf(msg, sizeof msg, "metadata.%.200s must be a string%s", key,
                     has_nul(v) ? " without NUL characters" : "");
            hp_utf8_scrub(msg); /* %.200s may split a character of the key */
            json_array_append_new(errs, json_string(msg));
        }
    }
    e->tenant_id = hp_strdup(tenant);
    e->id = id && *id ? strdup(id) : id_generate(cfg, ID_EVENT);
    e->topic = strdup(topic ? topic : "");
    e->destination_id = dest && *dest ? strdup(dest) : NULL;
    e->eligible_for_retry = !retry || json_is_true(retry);
    e->metadata = json_is_object(meta) ? json_deep_copy(meta) : json_object();
    e->matched = json_array();
    return e;
}

/* Copies the `data` member's exact bytes, [start, end) of the request body. */
static int keep_raw_data(const http_req *req, hp_event *e, size_t start, size_t end)
{
    e->data = strndup(req->body + start, end - start);
    e->data_len = end - start;
    return e->data ? HP_OK : HP_ENOMEM;
}

/* What destination filters see of e; data NULL: parse e->data's text.
 * NULL when out of memory. */
static json_t *filter_document(const hp_event *e, const json_t *data)
{
    json_t *parsed = data ? NULL : json_loadb(e->data, e->data_len, BODY_FLAGS, NULL);
    if (!data && !parsed) return NULL;
    char ts[HP_TIME_LEN];
    json_t *doc = filter_input(e->id, e->topic, hp_time_format(e->time, ts), e->metadata, data ? data : parsed);
    json_decref(parsed);
    return doc;
}

/* Fills e->matched with the ids of the tenant's enabled destinations whose
 * topics and filter take e. The filter document is built only if needed,
 * from `data`, or when that is NULL from e->data's text. */
static int match_destinations(const http_req *req, hp_event *e, const json_t *data)
{
    store_routes *routes = NULL;
    int rc = store_routes_get(req->app->store, e->tenant_id, &routes);
    if (rc != HP_OK) return rc;
    json_t *input = NULL;
    for (size_t i = 0; i < routes->n; i++) {
        const store_route *r = &routes->items[i];
        if (r->disabled || (e->destination_id && strcmp(r->id, e->destination_id))) continue;
        if (!topics_event_matches(r->topics, e->topic)) continue;
        if (r->filter && !input && (input = filter_document(e, data)) == NULL) {
            store_routes_release(routes);
            return HP_ENOMEM;
        }
        if (!r->filter || filter_match(r->filter, input)) json_array_append_new(e->matched, json_string(r->id));
    }
    json_decref(input);
    store_routes_release(routes);
    return HP_OK;
}

void api_publish_submit(http_req *req, http_res *res, hp_event *e)
{
    pending_publish *p = calloc(1, sizeof *p);
    if (!p) {
        event_free(e);
        http_internal(res, HP_ENOMEM);
        return;
    }
    p->event = e;
    p->events = req->app->events;
    p->cached = event_cache_put(p->events, e);
    p->job.publish.event = e;
    p->job.done = publish_done;
    p->reply = http_defer(req);
    if (committer_submit(req->app->committer, &p->job) != HP_OK) {
        http_res busy = {0};
        http_error(&busy, 503, "shutting down");
        publish_finish(p, &busy, false);
    }
}

/* The members parse_event reads, from the fast check of the body
 * (jsonspan_scan) without a tree of `data`: scalars as jansson values,
 * metadata parsed alone, `data` as an empty object standing in for the
 * real one, whose bytes are at [*data_start, *data_end). NULL when the body
 * is not of the common shape (invalid, escaped strings, a member of an
 * unexpected type, ...): the full parse then decides and words the answer. */
static json_t *scanned_body(const http_req *req, size_t *data_start, size_t *data_end)
{
    static const char *const strings[] = {"tenant_id", "id", "topic", "destination_id", "time"};
    jsonspan_field f[16];
    size_t n = 0;
    if (jsonspan_scan(req->body, req->body_len, f, 16, &n) != HP_OK) return NULL;
    json_t *body = json_object();
    bool have_data = false;
    for (size_t i = 0; body && i < n; i++) {
        const char *v = req->body + f[i].start;
        size_t vlen = f[i].end - f[i].start;
        json_t *value = NULL;
        char name[24];
        if (f[i].name_len >= sizeof name) continue; /* not one hookpost reads */
        memcpy(name, f[i].name, f[i].name_len);
        name[f[i].name_len] = '\0';
        bool is_string_member = false;
        for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++) is_string_member |= !strcmp(name, strings[k]);
        if (is_string_member) {
            if (f[i].kind == '"' && !f[i].escaped) value = json_stringn_nocheck(v + 1, vlen - 2); /* UTF-8 checked by the scan */
            else if (f[i].kind == 'n') value = json_null();
        } else if (!strcmp(name, "eligible_for_retry")) {
            if (f[i].kind == 't' || f[i].kind == 'f' || f[i].kind == 'n')
                value = f[i].kind == 'n' ? json_null() : json_boolean(f[i].kind == 't');
        } else if (!strcmp(name, "metadata")) {
            if (f[i].kind == '{') value = json_loadb(v, vlen, BODY_FLAGS, NULL);
            else if (f[i].kind == 'n') value = json_null();
        } else if (!strcmp(name, "data")) {
            if (f[i].kind == '{') value = json_object();
            *data_start = f[i].start;
            *data_end = f[i].end;
            have_data = true;
        } else {
            continue;
        }
        if (!value || json_object_set_new(body, name, value) != 0) {
            json_decref(body);
            body = NULL;
        }
    }
    if (body && !have_data) json_object_set_new(body, "data", json_null()); /* "data is required" */
    return body;
}

void api_publish(http_req *req, http_res *res)
{
    size_t data_start = 0, data_end = 0;
    json_t *data = NULL; /* the parsed `data`, from the full parse only */
    json_t *body = scanned_body(req, &data_start, &data_end);
    if (!body) {
        body = json_loadb(req->body, req->body_len, BODY_FLAGS, NULL);
        if (!json_is_object(body)) {
            json_decref(body);
            http_error(res, 422, "invalid JSON");
            return;
        }
        data = json_object_get(body, "data");
    }
    json_t *errs = json_array();
    hp_event *e = parse_event(req, body, errs);
    int rc = e ? HP_OK : HP_ENOMEM;
    if (rc == HP_OK && json_array_size(errs)) {
        http_validation(res, json_incref(errs));
        goto done;
    }
    /* after the full parse, data's bytes are still to be found (jansson
     * accepted the text, so this succeeds) */
    if (rc == HP_OK && data && jsonspan_member(req->body, req->body_len, "data", &data_start, &data_end) != HP_OK)
        rc = HP_EINVAL;
    if (rc == HP_OK) rc = keep_raw_data(req, e, data_start, data_end);
    if (rc == HP_OK) rc = match_destinations(req, e, data);
    if (rc != HP_OK) {
        http_internal(res, rc);
        goto done;
    }
    api_publish_submit(req, res, e);
    e = NULL;
done:
    event_free(e);
    json_decref(errs);
    json_decref(body);
}
