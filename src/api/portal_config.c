/* portal_config.c - GET /portal-config.js: the portal's branding and
 * feature flags as a script (window.PORTAL_CONFIGS), so the embedded static
 * files stay the same for every deployment and the page's CSP can stay
 * 'self'-only. */
#include "api/api.h"
#include "core/err.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* A sample delivery, signed the way real ones are: its headers tell which
 * name carries what under the running configuration (prefix, per-header
 * names, disabled headers, mode), so the portal's instructions and snippets
 * name exactly the headers receivers get. */
#define SAMPLE_ID "hookpost-portal-sample-id"
#define SAMPLE_TOPIC "hookpost-portal-sample-topic"
#define SAMPLE_META_KEY "hookpost-portal-sample-key"
#define SAMPLE_META_VALUE "hookpost-portal-sample-value"
#define SAMPLE_MS 1700000000000LL
#define SAMPLE_TS_RFC3339 "2023-11-14T22:13:20Z"
#define SAMPLE_TS_UNIX "1700000000"
#define SAMPLE_SECRET "whsec_aG9va3Bvc3QtcG9ydGFsLXNhbXBsZS1rZXk=" /* valid in both modes */

static void add_header_names(json_t *o, const signer_opts *so, const char *sig_header)
{
    json_t *meta = json_pack("{s:s}", SAMPLE_META_KEY, SAMPLE_META_VALUE);
    signer_input in = {
        .event_id = SAMPLE_ID,
        .topic = SAMPLE_TOPIC,
        .now_ms = SAMPLE_MS,
        .body = "{}",
        .body_len = 2,
        .event_metadata = meta,
        .secret = SAMPLE_SECRET,
    };
    signer_header *h = NULL;
    size_t n = 0;
    const char *id = NULL, *topic = NULL, *ts = NULL, *prefix_from = NULL;
    if (meta && signer_headers(so, &in, &h, &n) == HP_OK) {
        for (size_t i = 0; i < n; i++) {
            const char *name = h[i].name, *v = h[i].value ? h[i].value : "";
            if (sig_header && !strcmp(name, sig_header)) continue;
            if (!strcmp(v, SAMPLE_ID)) id = name;
            else if (!strcmp(v, SAMPLE_TOPIC)) topic = name;
            else if (!strcmp(v, SAMPLE_TS_RFC3339) || !strcmp(v, SAMPLE_TS_UNIX)) ts = name;
            /* standard mode also sends event metadata unprefixed: keep the
             * prefixed copy */
            else if (!strcmp(v, SAMPLE_META_VALUE) && (!prefix_from || strlen(name) > strlen(prefix_from)))
                prefix_from = name;
        }
    }
    size_t kl = strlen(SAMPLE_META_KEY), pl = prefix_from ? strlen(prefix_from) : 0;
    json_object_set_new(o, "HEADER_PREFIX",
                        prefix_from && pl >= kl ? json_stringn(prefix_from, pl - kl) : json_null());
    json_object_set_new(o, "EVENT_ID_HEADER", str_or_null(id));
    json_object_set_new(o, "TOPIC_HEADER", str_or_null(topic));
    json_object_set_new(o, "TIMESTAMP_HEADER", str_or_null(ts));
    signer_headers_free(h, n);
    json_decref(meta);
}

void api_portal_config(http_req *req, http_res *res)
{
    const hp_config *c = req->app->cfg;
    const signer_opts *so = &req->app->signer;
    json_t *topics = json_array();
    for (size_t i = 0; i < c->ntopics; i++) json_array_append_new(topics, json_string(c->topics[i]));
    char *sig_header = signer_signature_header(so);
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:s}",
                          "ORGANIZATION_NAME", str_or_null(c->portal_organization_name),
                          "BRAND_COLOR", str_or_null(c->portal_brand_color),
                          "LOGO", str_or_null(c->portal_logo),
                          "LOGO_DARK", str_or_null(c->portal_logo_dark),
                          "FAVICON_URL", str_or_null(c->portal_favicon_url),
                          "FORCE_THEME", str_or_null(c->portal_force_theme),
                          "REFERER_URL", str_or_null(c->portal_referer_url),
                          "REFRESH_URL", str_or_null(c->portal_refresh_url),
                          "TOPICS", topics,
                          "TOPICS_ALLOW_WILDCARDS", c->topics_allow_wildcards,
                          "DISABLE_OUTPOST_BRANDING", c->portal_disable_outpost_branding,
                          "ENABLE_DESTINATION_FILTER", c->portal_enable_destination_filter,
                          "ENABLE_WEBHOOK_CUSTOM_HEADERS", c->portal_enable_webhook_custom_headers,
                          "VERSION", HP_VERSION);
    /* What receivers must verify, for the portal's instructions and
     * snippets: the mode, every header name in effect (null = not sent) and,
     * in default mode, the HMAC's algorithm, encoding and templates (null =
     * the default template). */
    json_object_set_new(o, "WEBHOOK_MODE", json_string(so->mode == SIGNER_MODE_STANDARD ? "standard" : "default"));
    json_object_set_new(o, "SIGNATURE_HEADER", str_or_null(sig_header));
    add_header_names(o, so, sig_header);
    json_object_set_new(o, "SIGNATURE_ALGORITHM", json_string(so->algorithm == SIGNER_ALG_SHA1 ? "hmac-sha1" : "hmac-sha256"));
    json_object_set_new(o, "SIGNATURE_ENCODING", json_string(so->encoding == SIGNER_ENC_BASE64 ? "base64" : "hex"));
    json_object_set_new(o, "SIGNATURE_CONTENT_TEMPLATE", str_or_null(so->content_template));
    json_object_set_new(o, "SIGNATURE_HEADER_TEMPLATE", str_or_null(so->header_template));
    free(sig_header);
    /* '<' escaped so no value can close a script context */
    char *text = json_dumps(o, JSON_COMPACT | JSON_ESCAPE_SLASH);
    json_decref(o);
    hp_buf js = {0};
    hp_buf_printf(&js, "window.PORTAL_CONFIGS = %s;\n", text ? text : "{}");
    free(text);
    res->status = 200;
    res->owned_raw = js.data;
    res->raw = js.data;
    res->raw_len = js.len;
    res->content_type = "text/javascript; charset=utf-8";
    res->cache_control = "no-cache";
}
