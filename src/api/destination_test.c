/* destination_test.c - POST /tenants/{id}/destinations/{id}/test: a
 * hookpost extension (from Hook Mesh's "test webhook") that lets a tenant
 * check a destination from the portal. The test event goes through the
 * normal pipeline, so it is signed, logged and visible like any other. */
#include "api/api.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/util.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

/* The first concrete topic the destination takes, else "hookpost.test". */
static const char *test_topic(const hp_config *cfg, const hp_destination *d)
{
    size_t i;
    json_t *t;
    json_array_foreach(d->topics, i, t) {
        const char *s = json_string_value(t);
        if (s && !strchr(s, '*')) return s;
    }
    return cfg->ntopics ? cfg->topics[0] : "hookpost.test";
}

void api_destination_test(http_req *req, http_res *res)
{
    hp_destination *d = NULL;
    int rc = store_destination_get(req->app->store, req->tenant->id, http_param(req, "destination_id"), &d);
    if (rc != HP_OK) {
        http_store_error(res, rc, true);
        return;
    }
    if (d->disabled_at) {
        http_error_data(res, 400, "Destination is disabled", json_pack("{s:s}", "error", "destination_disabled"));
        destination_free(d);
        return;
    }
    hp_event *e = calloc(1, sizeof *e);
    if (e) {
        char ts[HP_TIME_LEN];
        e->id = id_generate(req->app->cfg, ID_EVENT);
        e->tenant_id = strdup(d->tenant_id);
        e->destination_id = strdup(d->id);
        e->topic = strdup(test_topic(req->app->cfg, d));
        e->time = req->now_ms;
        e->eligible_for_retry = false;
        e->metadata = json_pack("{s:s}", "test", "true");
        e->matched = json_pack("[s]", d->id);
        json_t *payload = json_pack("{s:s, s:s, s:s}", "type", "hookpost.test", "message",
                                    "This is a test event sent from the portal.", "sent_at",
                                    hp_time_format(req->now_ms, ts));
        e->data = json_dumps(payload, JSON_COMPACT);
        e->data_len = e->data ? strlen(e->data) : 0;
        json_decref(payload);
    }
    destination_free(d);
    if (!e || !e->id || !e->tenant_id || !e->topic || !e->data || !e->matched || !e->metadata) {
        event_free(e);
        http_internal(res, HP_ENOMEM);
        return;
    }
    api_publish_submit(req, res, e);
}
