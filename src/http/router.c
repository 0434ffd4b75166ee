/* router.c - route matching, authentication and authorisation. */
#include "http/router.h"
#include "api/api.h"
#include "http/assets.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/token.h"
#include "store/store.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#define API_PREFIX "/api/v1"

typedef struct {
    const char *name[HTTP_MAX_PARAMS];
    size_t name_len[HTTP_MAX_PARAMS];
    const char *value[HTTP_MAX_PARAMS];
    size_t value_len[HTTP_MAX_PARAMS];
    size_t n;
} captures;

static size_t segment_len(const char *s)
{
    const char *e = strchr(s, '/');
    return e ? (size_t)(e - s) : strlen(s);
}

/* Matches path against pattern segment by segment, capturing ":name"s. */
static bool match(const char *pattern, const char *path, captures *c)
{
    c->n = 0;
    const char *p = pattern, *s = path;
    while (*p == '/' && *s == '/') {
        p++, s++;
        size_t plen = segment_len(p), slen = segment_len(s);
        if (*p == ':') {
            if (slen == 0 || c->n == HTTP_MAX_PARAMS) return false;
            c->name[c->n] = p + 1;
            c->name_len[c->n] = plen - 1;
            c->value[c->n] = s;
            c->value_len[c->n] = slen;
            c->n++;
        } else if (plen != slen || strncmp(p, s, plen) != 0) {
            return false;
        }
        p += plen, s += slen;
    }
    return *p == '\0' && *s == '\0';
}

static void keep_captures(http_req *req, const captures *c)
{
    for (size_t i = 0; i < c->n; i++) {
        req->param_names[i] = c->name[i];
        req->param_name_lens[i] = c->name_len[i];
        req->param_values[i] = strndup(c->value[i], c->value_len[i]);
    }
    req->nparams = c->n;
}

static bool is_admin_key(const hp_config *cfg, const char *token)
{
    size_t n = strlen(cfg->api_key);
    return n && strlen(token) == n && crypto_equal(token, cfg->api_key, n);
}

/* Resolves the caller. false = answered 401 already. */
static bool authenticate(http_req *req, http_res *res)
{
    const hp_config *cfg = req->app->cfg;
    const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!*cfg->api_key && cfg->allow_unauthenticated) {
        req->auth.role = ROLE_ADMIN;
        return true;
    }
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) goto denied;
    const char *token = h + 7;
    while (*token == ' ') token++;
    if (is_admin_key(cfg, token)) {
        req->auth.role = ROLE_ADMIN;
        return true;
    }
    token_claims claims = {0};
    if (token_verify(cfg->api_jwt_secret, cfg->deployment_id, token, req->now_ms / 1000, &claims) != HP_OK)
        goto denied;
    req->auth.role = ROLE_TENANT;
    req->auth.tenant_id = claims.tenant_id;
    req->auth.read_only = claims.read_only;
    /* a token outlives its tenant only as a stale credential */
    int rc = store_tenant_get(req->app->store, claims.tenant_id, &req->tenant);
    if (rc == HP_OK) return true;
    if (rc != HP_ENOTFOUND) {
        http_internal(res, rc);
        return false;
    }
denied:
    http_empty(res, 401);
    return false;
}

static bool is_read_method(const char *m)
{
    return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

/* Applies the route's auth policy. false = res is already the answer. */
static bool authorize(const route *r, http_req *req, http_res *res)
{
    if (r->auth == AUTH_PUBLIC) return true;
    if (!authenticate(req, res)) return false;
    if (req->auth.role == ROLE_TENANT) {
        if (r->auth == AUTH_ADMIN) {
            http_empty(res, 403);
            return false;
        }
        const char *tid = http_param(req, "tenant_id");
        if (tid && strcmp(tid, req->auth.tenant_id) != 0) {
            http_empty(res, 403);
            return false;
        }
        if (req->auth.read_only && !is_read_method(req->method)) {
            http_error(res, 403, "this token is read-only");
            return false;
        }
        return true;
    }
    if (r->needs_tenant) {
        int rc = store_tenant_get(req->app->store, http_param(req, "tenant_id"), &req->tenant);
        if (rc == HP_ENOTFOUND) {
            http_error(res, 404, "tenant not found");
            return false;
        }
        if (rc != HP_OK) {
            http_internal(res, rc);
            return false;
        }
    }
    return true;
}

static void serve_asset(http_req *req, http_res *res)
{
    if (!is_read_method(req->method)) {
        http_error(res, 405, "method not allowed");
        return;
    }
    const char *path = req->path;
    if (!strcmp(path, "/portal-config.js")) {
        api_portal_config(req, res);
        return;
    }
    const hp_asset *a = strcmp(path, "/") ? assets_find(path) : NULL;
    if (!a) {
        /* single-page app: unknown paths without an extension are views */
        const char *last = strrchr(path, '/');
        if (last && strchr(last, '.')) {
            http_error(res, 404, "not found");
            return;
        }
        a = assets_find("/index.html");
    }
    if (!a) {
        http_error(res, 404, "not found");
        return;
    }
    /* every asset is revalidated (a 304 costs a few bytes): after an upgrade
     * no browser keeps running the previous build's scripts */
    const char *known = http_header(req, "If-None-Match");
    if (known && (strstr(known, a->etag) || !strcmp(known, "*"))) {
        http_empty(res, 304);
    } else {
        res->status = 200;
        res->raw = a->data;
        res->raw_len = a->len;
        res->content_type = a->content_type;
    }
    res->cache_control = "no-cache";
    res->etag = a->etag;
}

void router_dispatch(http_req *req, http_res *res)
{
    const char *path = req->path;
    size_t plen = strlen(API_PREFIX);
    if (!strncmp(path, API_PREFIX, plen) && (path[plen] == '/' || path[plen] == '\0')) {
        path += plen;
    } else if (!strcmp(path, "/api") || !strncmp(path, "/api/", 5)) {
        http_error(res, 404, "not found");
        return;
    } else if (strcmp(path, "/healthz") != 0) {
        serve_asset(req, res);
        return;
    }
    bool path_known = false;
    captures c;
    for (const route *r = api_routes; r->method; r++) {
        if (!match(r->pattern, path, &c)) continue;
        path_known = true;
        if (strcmp(r->method, req->method) != 0) continue;
        keep_captures(req, &c);
        if (authorize(r, req, res)) r->handler(req, res);
        return;
    }
    if (path_known) http_error(res, 405, "method not allowed");
    else http_error(res, 404, "not found");
}
