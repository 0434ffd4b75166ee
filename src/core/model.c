/* model.c - lifetime and JSON rendering of tenants and destinations. */
#include "core/model.h"
#include "core/util.h"
#include "deliver/provider.h"

#include <stdlib.h>
#include <string.h>

void tenant_free(hp_tenant *t)
{
    if (!t) return;
    free(t->id);
    json_decref(t->metadata);
    json_decref(t->topics);
    free(t);
}

void destination_free(hp_destination *d)
{
    if (!d) return;
    free(d->id);
    free(d->tenant_id);
    free(d->type);
    json_decref(d->topics);
    json_decref(d->filter);
    json_decref(d->config);
    json_decref(d->credentials);
    json_decref(d->delivery_metadata);
    json_decref(d->metadata);
    free(d);
}

static json_t *copy(const json_t *v)
{
    return v ? json_deep_copy(v) : NULL;
}

hp_destination *destination_dup(const hp_destination *d)
{
    hp_destination *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    *c = *d;
    c->id = hp_strdup(d->id);
    c->tenant_id = hp_strdup(d->tenant_id);
    c->type = hp_strdup(d->type);
    c->topics = copy(d->topics);
    c->filter = copy(d->filter);
    c->config = copy(d->config);
    c->credentials = copy(d->credentials);
    c->delivery_metadata = copy(d->delivery_metadata);
    c->metadata = copy(d->metadata);
    if (!c->id || !c->tenant_id || !c->type) {
        destination_free(c);
        return NULL;
    }
    return c;
}

static json_t *time_json(int64_t ms)
{
    char buf[HP_TIME_LEN];
    return json_string(hp_time_format(ms, buf));
}

json_t *tenant_to_json(const hp_tenant *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(t->id));
    json_object_set_new(o, "destinations_count", json_integer(t->destinations_count));
    json_object_set_new(o, "topics", t->topics ? json_incref(t->topics) : json_array());
    json_object_set_new(o, "metadata", t->metadata ? json_incref(t->metadata) : json_null());
    json_object_set_new(o, "created_at", time_json(t->created_at));
    json_object_set_new(o, "updated_at", time_json(t->updated_at));
    return o;
}

char *model_mask(const char *value)
{
    size_t n = strlen(value);
    char *m = malloc(n + 1);
    if (!m) return NULL;
    size_t keep = n < 10 ? 0 : 4;
    memcpy(m, value, keep);
    memset(m + keep, '*', n - keep);
    m[n] = '\0';
    return m;
}

json_t *destination_to_json(const hp_destination *d, int64_t now_ms)
{
    const provider *p = provider_find(d->type);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(d->id));
    json_object_set_new(o, "tenant_id", json_string(d->tenant_id));
    json_object_set_new(o, "type", json_string(d->type));
    json_object_set_new(o, "topics", json_incref(d->topics));
    if (d->filter) json_object_set_new(o, "filter", json_incref(d->filter));
    json_object_set_new(o, "config", json_incref(d->config));
    json_t *creds = p ? provider_display_credentials(p, d, now_ms) : json_object();
    json_object_set_new(o, "credentials", creds ? creds : json_object());
    if (d->delivery_metadata) json_object_set_new(o, "delivery_metadata", json_incref(d->delivery_metadata));
    if (d->metadata) json_object_set_new(o, "metadata", json_incref(d->metadata));
    json_object_set_new(o, "created_at", time_json(d->created_at));
    json_object_set_new(o, "updated_at", time_json(d->updated_at));
    json_object_set_new(o, "disabled_at", d->disabled_at ? time_json(d->disabled_at) : json_null());
    char *target = p && p->target ? p->target(d) : NULL;
    json_object_set_new(o, "target", json_string(target ? target : ""));
    free(target);
    return o;
}

void event_free(hp_event *e)
{
    if (!e) return;
    free(e->id);
    free(e->tenant_id);
    free(e->destination_id);
    free(e->topic);
    json_decref(e->metadata);
    free(e->data);
    json_decref(e->matched);
    free(e);
}

void attempt_free(hp_attempt *a)
{
    if (!a) return;
    free(a->id);
    free(a->event_id);
    free(a->tenant_id);
    free(a->destination_id);
    free(a->destination_type);
    free(a->topic);
    free(a->code);
    json_decref(a->response_data);
    free(a->request_data);
    free(a);
}

json_t *event_to_json(const hp_event *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(e->id));
    json_object_set_new(o, "tenant_id", json_string(e->tenant_id));
    if (e->destination_id) json_object_set_new(o, "destination_id", json_string(e->destination_id));
    json_object_set_new(o, "matched_destination_ids", e->matched ? json_incref(e->matched) : json_array());
    json_object_set_new(o, "topic", json_string(e->topic ? e->topic : ""));
    json_object_set_new(o, "time", time_json(e->time));
    json_object_set_new(o, "eligible_for_retry", json_boolean(e->eligible_for_retry));
    json_object_set_new(o, "metadata", e->metadata ? json_incref(e->metadata) : json_object());
    return o;
}

json_t *attempt_to_json(const hp_attempt *a, bool with_response, bool with_request)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "tenant_id", json_string(a->tenant_id));
    json_object_set_new(o, "event_id", json_string(a->event_id));
    json_object_set_new(o, "destination_id", json_string(a->destination_id));
    json_object_set_new(o, "destination_type", json_string(a->destination_type));
    json_object_set_new(o, "topic", json_string(a->topic ? a->topic : ""));
    json_object_set_new(o, "status", json_string(a->success ? "success" : "failed"));
    json_object_set_new(o, "time", time_json(a->time));
    json_object_set_new(o, "code", json_string(a->code ? a->code : ""));
    json_object_set_new(o, "attempt_number", json_integer(a->attempt_number));
    json_object_set_new(o, "manual", json_boolean(a->manual));
    json_object_set_new(o, "duration_ms", json_integer(a->duration_ms));
    if (with_response)
        json_object_set_new(o, "response_data", a->response_data ? json_incref(a->response_data) : json_null());
    if (with_request) {
        json_t *req = a->request_data ? json_loads(a->request_data, 0, NULL) : NULL;
        json_object_set_new(o, "request_data", req ? req : json_null());
    }
    return o;
}
