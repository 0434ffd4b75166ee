/* tenants.c - /tenants: upsert, read, delete, list, and the tenant's JWT and
 * portal link. */
#include "api/api.h"
#include "api/paging.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/token.h"
#include "core/util.h"
#include "store/store.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const page_spec tenant_pages = {
    .resource = "tnt", .order_by = "created_at", .default_limit = 20, .max_limit = 100, .strict_limit = true,
};

void api_tenant_put(http_req *req, http_res *res)
{
    const char *id = http_param(req, "tenant_id");
    json_t *errs = json_array(), *metadata = NULL;
    json_t *body = http_body_object(req, res, true);
    if (!body && req->body_len) goto done;
    if (!id_valid(id)) json_array_append_new(errs, json_string("tenant_id is invalid"));
    api_string_map(json_object_get(body, "metadata"), "metadata", false, errs, &metadata);
    if (json_array_size(errs)) {
        http_validation(res, json_incref(errs));
        goto done;
    }
    hp_tenant *t = NULL;
    bool created = false;
    int rc = store_tenant_upsert(req->app->store, id, metadata, req->now_ms, &t, &created);
    if (rc != HP_OK) {
        http_internal(res, rc);
        goto done;
    }
    http_json(res, created ? 201 : 200, tenant_to_json(t));
    tenant_free(t);
done:
    json_decref(metadata);
    json_decref(body);
    json_decref(errs);
}

void api_tenant_get(http_req *req, http_res *res)
{
    http_json(res, 200, tenant_to_json(req->tenant));
}

void api_tenant_delete(http_req *req, http_res *res)
{
    int rc = store_tenant_delete(req->app->store, req->tenant->id);
    if (rc == HP_ENOTFOUND) http_error(res, 404, "tenant not found");
    else if (rc != HP_OK) http_internal(res, rc);
    else http_json(res, 200, json_pack("{s:b}", "success", 1));
}

void api_tenants_list(http_req *req, http_res *res)
{
    page_params pp;
    if (!paging_parse(req, res, &tenant_pages, &pp)) return;
    json_t *ids = http_query_array(req, "id");
    if (req->auth.role == ROLE_TENANT) {
        /* a tenant sees itself only, whatever it asks for */
        bool asked_other = false;
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v) asked_other |= strcmp(json_string_value(v), req->auth.tenant_id) != 0;
        json_decref(ids);
        ids = json_pack("[s]", asked_other ? "" : req->auth.tenant_id);
    }
    store_tenant_query q = {
        .ids = ids, .limit = pp.limit,
        .desc = pp.backward ? !pp.desc : pp.desc,
        .after = pp.has_cursor ? &pp.seek : NULL,
    };
    store_tenant_page page;
    int rc = ids ? store_tenant_list(req->app->store, &q, &page) : HP_ENOMEM;
    if (rc != HP_OK) {
        http_internal(res, rc);
        goto done;
    }
    if (pp.backward) paging_flip((void **)page.items, page.n);
    json_t *models = json_array();
    for (size_t i = 0; i < page.n; i++) json_array_append_new(models, tenant_to_json(page.items[i]));
    hp_tenant *first = page.n ? page.items[0] : NULL, *last = page.n ? page.items[page.n - 1] : NULL;
    json_t *pagination = paging_json(&tenant_pages, &pp, page.n, page.more, first ? first->created_at : 0,
                                     first ? first->id : NULL, last ? last->created_at : 0, last ? last->id : NULL);
    http_json(res, 200, json_pack("{s:o, s:o, s:I}", "models", models, "pagination", pagination, "count",
                                  (json_int_t)page.total));
    store_tenant_page_free(&page);
done:
    json_decref(ids);
    paging_free(&pp);
}

/* Reads ?expires_in= (seconds, 60..86400) and ?permissions[]= (read, write).
 * false = res holds the 422. */
static bool token_options(const http_req *req, http_res *res, int64_t *ttl, bool *read_only)
{
    *ttl = TOKEN_DEFAULT_TTL_S;
    *read_only = false;
    const char *exp = http_query(req, "expires_in");
    if (exp && *exp) {
        char *end;
        long v = strtol(exp, &end, 10);
        if (*end || v < TOKEN_MIN_TTL_S || v > TOKEN_MAX_TTL_S) {
            http_error_data(res, 422, "validation error",
                            json_pack("{s:s}", "query.expires_in", "must be an integer between 60 and 86400"));
            return false;
        }
        *ttl = v;
    }
    json_t *perms = http_query_array(req, "permissions");
    bool write = json_array_size(perms) == 0, bad = false;
    size_t i;
    json_t *p;
    json_array_foreach(perms, i, p) {
        /* also accept one comma-separated value: permissions=read,write */
        char *copy = strdup(json_string_value(p)), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (!strcmp(tok, "write")) write = true;
            else if (strcmp(tok, "read")) bad = true;
        }
        free(copy);
    }
    json_decref(perms);
    if (bad) {
        http_error_data(res, 422, "validation error",
                        json_pack("{s:s}", "query.permissions", "must be read or read,write"));
        return false;
    }
    *read_only = !write;
    return true;
}

/* Issues the token for req->tenant; false = res holds the error. */
static bool issue(const http_req *req, http_res *res, char **token, int64_t *expires_at)
{
    int64_t ttl;
    bool read_only;
    if (!token_options(req, res, &ttl, &read_only)) return false;
    const hp_config *cfg = req->app->cfg;
    if (hp_empty(cfg->api_jwt_secret)) {
        http_error(res, 501, "tenant tokens are disabled: API_JWT_SECRET is not set");
        return false;
    }
    int64_t now = req->now_ms / 1000;
    int rc = token_issue(cfg->api_jwt_secret, req->tenant->id, cfg->deployment_id, now, ttl, read_only, token);
    if (rc != HP_OK) {
        http_internal(res, rc);
        return false;
    }
    *expires_at = now + ttl;
    return true;
}

static json_t *expiry_json(int64_t expires_at)
{
    char buf[HP_TIME_LEN];
    return json_string(hp_time_format_sec(expires_at * 1000, buf));
}

void api_tenant_token(http_req *req, http_res *res)
{
    char *token;
    int64_t exp;
    if (!issue(req, res, &token, &exp)) return;
    http_json(res, 200, json_pack("{s:s, s:s, s:o}", "token", token, "tenant_id", req->tenant->id, "expires_at",
                                  expiry_json(exp)));
    free(token);
}

void api_tenant_portal(http_req *req, http_res *res)
{
    char *token;
    int64_t exp;
    if (!issue(req, res, &token, &exp)) return;
    const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    /* behind a TLS-terminating proxy the link must say https */
    const char *proto = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
    const char *fwd_host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Forwarded-Host");
    if (fwd_host && *fwd_host) host = fwd_host;
    const char *scheme = proto && !strcasecmp(proto, "https") ? "https" : "http";
    const char *theme = http_query(req, "theme");
    bool themed = theme && (!strcmp(theme, "light") || !strcmp(theme, "dark"));
    hp_buf url = {0};
    hp_buf_printf(&url, "%s://%s?token=%s", scheme, host ? host : "localhost", token);
    if (themed) hp_buf_printf(&url, "&theme=%s", theme);
    http_json(res, 200, json_pack("{s:s, s:s, s:o}", "redirect_url", url.data ? url.data : "", "tenant_id",
                                  req->tenant->id, "expires_at", expiry_json(exp)));
    hp_buf_free(&url);
    free(token);
}
