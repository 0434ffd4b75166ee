/* server.c - libmicrohttpd glue: body accumulation with a size cap, request
 * and response conversion, security headers. No API logic lives here. */
#include "http/server.h"
#include "http/router.h"
#include "core/err.h"
#include "core/util.h"
#include "log.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct hp_server {
    struct MHD_Daemon *daemon;
    const hp_app *app;
};

/* Per-request state between libmicrohttpd's calls (also the handle a
 * deferred handler holds). */
typedef struct http_deferred {
    hp_buf body;
    bool too_large;
    bool query_too_large; /* set by on_uri: answer 414 */
    bool responded;  /* a 413 or 414 went out before the body was read */
    bool deferred;   /* suspended, waiting for http_deferred_finish */
    int ready;       /* the deferred answer is in `pending` (atomic) */
    http_res pending;
    struct MHD_Connection *conn;
} conn_ctx;

http_deferred *http_defer(http_req *req)
{
    conn_ctx *ctx = req->server_ctx;
    ctx->deferred = true;
    MHD_suspend_connection(ctx->conn);
    return ctx;
}

void http_deferred_finish(http_deferred *d, http_res *res)
{
    conn_ctx *ctx = d;
    ctx->pending = *res;
    memset(res, 0, sizeof *res);
    __atomic_store_n(&ctx->ready, 1, __ATOMIC_RELEASE);
    MHD_resume_connection(ctx->conn);
}

static const char CSP[] = "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; "
                          "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                          "form-action 'self'";

static enum MHD_Result send_response(struct MHD_Connection *c, http_res *res)
{
    char *text = NULL;
    struct MHD_Response *r;
    /* decided before the body changes hands (json_text goes to MHD) */
    bool json_body = !res->raw && (res->json || res->json_text) && !res->empty;
    if (res->raw) {
        r = MHD_create_response_from_buffer(res->raw_len, (void *)res->raw,
                                            res->owned_raw ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    } else if (res->json_text && !res->empty) {
        r = MHD_create_response_from_buffer(res->json_text_len, res->json_text, MHD_RESPMEM_MUST_FREE);
        if (r) res->json_text = NULL;
    } else if (res->json && !res->empty) {
        size_t n = 0;
        text = http_json_render(res, &n);
        r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
        if (!r) free(text);
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!r) return MHD_NO;
    if (res->raw) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
        MHD_add_response_header(r, "Content-Security-Policy", CSP);
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    } else if (json_body) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (res->cache_control) MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, res->cache_control);
    if (res->location) MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
    if (res->etag) MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, res->etag);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

static void req_free(http_req *req, http_res *res)
{
    for (size_t i = 0; i < req->nparams; i++) free(req->param_values[i]);
    free(req->auth.tenant_id);
    tenant_free(req->tenant);
    http_res_release(res);
}

static enum MHD_Result respond_error(struct MHD_Connection *c, int status, const char *message)
{
    http_res res = {0};
    http_error(&res, status, message);
    enum MHD_Result ok = send_response(c, &res);
    json_decref(res.json);
    return ok;
}

typedef struct {
    const char *length;  /* the first Content-Length */
    bool lengths_differ; /* another Content-Length with a different value */
    int codings, hosts;  /* Transfer-Encoding and Host headers */
} framing;

static enum MHD_Result scan_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    framing *f = cls;
    if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
        if (!f->length) f->length = value ? value : "";
        else if (strcmp(f->length, value ? value : "") != 0) f->lengths_differ = true;
    } else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
        f->codings++;
    } else if (!strcasecmp(key, MHD_HTTP_HEADER_HOST)) {
        f->hosts++;
    }
    return MHD_YES;
}

/* What is wrong with how the request says where its body ends, or NULL.
 * libmicrohttpd accepts these; a proxy in front of hookpost may read them
 * differently (request smuggling), so they are refused (RFC 9112 3.2, 6.3). */
static const char *framing_problem(struct MHD_Connection *c, const char *version)
{
    framing f = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, scan_framing, &f);
    bool http11 = !strcmp(version, MHD_HTTP_VERSION_1_1);
    if (f.lengths_differ) return "conflicting Content-Length headers";
    if (f.length && f.codings) return "Content-Length and Transfer-Encoding must not be sent together";
    if (f.codings > 1) return "more than one Transfer-Encoding header";
    if (f.codings && !http11) return "Transfer-Encoding needs HTTP/1.1";
    if (f.hosts > 1) return "more than one Host header";
    if (!f.hosts && http11) return "Host header required";
    return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    hp_server *srv = cls;
    long limit = srv->app->cfg->max_body_bytes;
    conn_ctx *ctx = *con_cls;
    if (ctx && ctx->query_too_large) {
        *upload_size = 0; /* a body is not read */
        if (ctx->responded) return MHD_YES;
        ctx->responded = true;
        return respond_error(c, 414, "query string too large: too many parameters");
    }
    if (!ctx) {
        ctx = calloc(1, sizeof *ctx);
        if (!ctx) return MHD_NO;
        *con_cls = ctx;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoll(cl, NULL, 10) > limit) {
            ctx->too_large = ctx->responded = true;
            return respond_error(c, 413, "request body too large");
        }
        /* libmicrohttpd frames only chunked bodies; with any other coding
         * it would wait for a body it cannot delimit until the connection
         * times out (RFC 9112 6.1: answer 501) */
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if (te && strcasecmp(te, "chunked") != 0) {
            ctx->responded = true;
            return respond_error(c, 501, "unsupported Transfer-Encoding: only chunked is understood");
        }
        const char *problem = framing_problem(c, version);
        if (problem) {
            ctx->responded = true;
            return respond_error(c, 400, problem);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!ctx->too_large && ctx->body.len + *upload_size > (size_t)limit) {
            ctx->too_large = true;
            hp_buf_free(&ctx->body);
        }
        if (!ctx->too_large && hp_buf_append(&ctx->body, upload, *upload_size) != HP_OK) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (ctx->responded) return MHD_YES;
    if (ctx->too_large) return respond_error(c, 413, "request body too large");
    if (ctx->deferred) {
        if (!__atomic_load_n(&ctx->ready, __ATOMIC_ACQUIRE)) return MHD_YES;
        enum MHD_Result ok = send_response(c, &ctx->pending);
        http_res_release(&ctx->pending);
        return ok;
    }
    ctx->conn = c;

    http_req req = {
        .app = srv->app,
        .conn = c,
        .method = method,
        .path = url,
        .body = ctx->body.data ? ctx->body.data : "",
        .body_len = ctx->body.len,
        .now_ms = hp_now_ms(),
        .server_ctx = ctx,
    };
    http_res res = {.status = 200};
    router_dispatch(&req, &res);
    enum MHD_Result ok = ctx->deferred ? MHD_YES : send_response(c, &res);
    log_debug("%s %s -> %d", method, url, res.status);
    req_free(&req, &res);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    conn_ctx *ctx = *con_cls;
    if (!ctx) return;
    hp_buf_free(&ctx->body);
    /* an answer that was ready but never sent (the client went away) */
    if (__atomic_load_n(&ctx->ready, __ATOMIC_ACQUIRE)) http_res_release(&ctx->pending);
    free(ctx);
    *con_cls = NULL;
}

/* libmicrohttpd (0.9.75) keeps each query parameter as a record in the
 * connection's memory pool (32 KiB by default, kept so because the pool is
 * zeroed on every request): a query whose records do not fit makes it drop
 * the request without any answer, and the client waits for the 60 s
 * connection timeout. This callback sees the request line just before the
 * query is parsed; measured, a request needs about its length plus 66 bytes
 * per parameter. A query that would not fit, with room left for the
 * headers, is cut off at the '?' (in the request buffer libmicrohttpd is
 * about to parse in place, so nothing is parsed) and answered 414 with a
 * JSON body instead. Ordinary requests get NULL (on_request sets them up). */
#define MHD_POOL_BYTES (32 * 1024)
#define QUERY_RECORD_BYTES 72
#define QUERY_BUDGET (MHD_POOL_BYTES - 6 * 1024)

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    const char *q = strchr(uri, '?');
    if (!q) return NULL;
    size_t n = 1;
    for (const char *p = q + 1; *p; p++) n += *p == '&';
    if ((size_t)(q - uri) + strlen(q) + n * QUERY_RECORD_BYTES <= QUERY_BUDGET) return NULL;
    conn_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->query_too_large = true;
#if MHD_VERSION == 0x00097500
    /* only where this was verified; elsewhere the query is left alone (a
     * 414 still goes out if libmicrohttpd gets as far as the handler) */
    ((char *)q)[1] = '\0';
#endif
    return ctx;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decoding of the path and of query keys and values, in place, as
 * libmicrohttpd's own except that %00 stays as written: a decoded NUL would
 * end the C string early, so "/tenants/a%00b" would act on tenant "a" and
 * "?tenant_id=a%00b" would filter on "a". ('+' in the query is already a
 * space when this runs.) */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        int hi = r[0] == '%' ? hex_value(r[1]) : -1, lo = hi >= 0 ? hex_value(r[2]) : -1;
        if (lo >= 0 && (hi || lo)) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_debug("http: %s", msg);
}

int server_start(const hp_app *app, hp_server **out, char *err, size_t errlen)
{
    hp_server *srv = calloc(1, sizeof *srv);
    if (!srv) return HP_ENOMEM;
    srv->app = app;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = app->cfg->http_threads ? (unsigned)app->cfg->http_threads : (unsigned)(ncpu > 0 ? ncpu : 2);
    /* poll(), not epoll: with epoll (0.9.75, thread pool) a connection
     * resumed by the committer was now and then not picked up until the
     * worker woke for another reason. At the end of a burst nothing else
     * woke it: measured with 256 publishing connections, ~1 run in 4 left
     * the last ~128 publishes unanswered until the 60 s connection timeout
     * closed them. poll() re-reads the wake-up channel every round (0 in
     * 12 runs) and measured level with epoll at 64 connections. */
    srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG |
                                       MHD_ALLOW_SUSPEND_RESUME,
                                   (uint16_t)app->cfg->api_port, NULL, NULL, on_request, srv,
                                   /* first, or some messages go to libmicrohttpd's own stderr logger */
                                   MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
                                   MHD_OPTION_THREAD_POOL_SIZE, threads,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                   MHD_OPTION_UNESCAPE_CALLBACK, unescape, srv,
                                   MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                                   MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
                                   MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "http: cannot listen on port %d (API_PORT): in use or not permitted",
                 app->cfg->api_port);
        free(srv);
        return HP_EIO;
    }
    *out = srv;
    return HP_OK;
}

void server_quiesce(hp_server *srv)
{
    if (srv) MHD_quiesce_daemon(srv->daemon);
}

void server_stop(hp_server *srv)
{
    if (!srv) return;
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
