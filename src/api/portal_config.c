/* portal_config.c - GET /portal-config.js: the portal's branding and
 * feature flags as a script (window.PORTAL_CONFIGS), so the embedded static
 * files stay the same for every deployment and the page's CSP can stay
 * 'self'-only. */
#include "api/api.h"
#include "core/util.h"

#include <stdlib.h>

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

void api_portal_config(http_req *req, http_res *res)
{
    const hp_config *c = req->app->cfg;
    json_t *topics = json_array();
    for (size_t i = 0; i < c->ntopics; i++) json_array_append_new(topics, json_string(c->topics[i]));
    char *sig_header = signer_signature_header(&req->app->signer);
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
    /* what receivers must verify, for the portal's instructions and snippets */
    json_object_set_new(o, "WEBHOOK_MODE", json_string(c->webhook_mode));
    json_object_set_new(o, "SIGNATURE_HEADER", str_or_null(sig_header));
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
