/* app.c - builds and tears down the process-wide hp_app. */
#include "app.h"
#include "core/err.h"
#include "deliver/event_cache.h"

#include <stdio.h>
#include <string.h>

static int signer_from_config(signer_opts *o, const hp_config *cfg, char *err, size_t errlen)
{
    signer_opts_default(o);
    if (signer_parse_mode(cfg->webhook_mode, &o->mode) != HP_OK ||
        signer_parse_encoding(cfg->webhook_signature_encoding, &o->encoding) != HP_OK) {
        snprintf(err, errlen, "config: DESTINATIONS_WEBHOOK_SIGNATURE_ENCODING: must be hex or base64");
        return HP_EINVAL;
    }
    o->algorithm = signer_parse_algorithm(cfg->webhook_signature_algorithm);
    o->header_prefix = cfg->webhook_header_prefix;
    o->event_id_header = cfg->webhook_event_id_header;
    o->signature_header = cfg->webhook_signature_header;
    o->timestamp_header = cfg->webhook_timestamp_header;
    o->topic_header = cfg->webhook_topic_header;
    o->disable_event_id_header = cfg->webhook_disable_event_id;
    o->disable_signature_header = cfg->webhook_disable_signature;
    o->disable_timestamp_header = cfg->webhook_disable_timestamp;
    o->disable_topic_header = cfg->webhook_disable_topic;
    o->content_template = cfg->webhook_signature_content_template;
    o->header_template = cfg->webhook_signature_header_template;
    o->secret_template = cfg->webhook_signing_secret_template;
    o->include_ms_timestamp = cfg->include_millisecond_timestamp;
    const char *why = NULL;
    int rc = signer_opts_compile(o, &why);
    if (rc != HP_OK) snprintf(err, errlen, "config: %s", why ? why : "invalid webhook signing settings");
    return rc;
}

/* Events kept for their first deliveries; beyond this the engine reads them
 * back from the store (a backlog of this size is ~20 MB of small events). */
#define EVENT_CACHE_MAX 65536

int app_init(hp_app *app, const hp_config *cfg, bool migrate, char *err, size_t errlen)
{
    memset(app, 0, sizeof *app);
    app->cfg = cfg;
    int rc = signer_from_config(&app->signer, cfg, err, errlen);
    if (rc == HP_OK) rc = store_open(cfg, migrate, &app->store, err, errlen);
    if (rc == HP_OK && !(app->events = event_cache_new(EVENT_CACHE_MAX))) rc = HP_ENOMEM;
    if (rc != HP_OK) app_free(app);
    return rc;
}

void app_free(hp_app *app)
{
    store_close(app->store);
    app->store = NULL;
    event_cache_free(app->events);
    app->events = NULL;
    signer_opts_free(&app->signer);
}
