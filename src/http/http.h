/* http.h - the request/response model every API handler works with, and the
 * helpers that produce hookpost's JSON bodies and errors.
 *
 * A handler gets a fully-read request (body included, auth resolved) and
 * fills an http_res; it never touches libmicrohttpd. Handlers run on the
 * HTTP worker threads; everything they reach through req->app is
 * thread-safe. Error bodies are always {"status", "message", "data"?}. */
#ifndef HP_HTTP_H
#define HP_HTTP_H

#include "app.h"
#include "core/model.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { ROLE_NONE, ROLE_ADMIN, ROLE_TENANT } http_role;

typedef struct {
    http_role role;
    char *tenant_id;     /* ROLE_TENANT: the token's subject (owned) */
    bool read_only;      /* ROLE_TENANT: token carries permissions ["read"] */
} http_auth;

#define HTTP_MAX_PARAMS 4

typedef struct http_req {
    const hp_app *app;
    void *conn;                 /* the libmicrohttpd connection (server.c only) */
    const char *method;
    const char *path;
    const char *body;           /* NUL-terminated; body_len excludes the NUL */
    size_t body_len;
    const char *param_names[HTTP_MAX_PARAMS]; /* point into the route pattern */
    size_t param_name_lens[HTTP_MAX_PARAMS];
    char *param_values[HTTP_MAX_PARAMS];      /* owned */
    size_t nparams;
    http_auth auth;
    hp_tenant *tenant;          /* the path's tenant when the route needs one (owned) */
    int64_t now_ms;             /* request time */
    void *server_ctx;           /* server.c's per-connection state */
} http_req;

typedef struct http_verbatim http_verbatim;

typedef struct http_res {
    int status;
    json_t *json;               /* body (owned); NULL = no JSON body */
    http_verbatim *verbatim;    /* JSON text standing in for placeholders in json (owned; kept
                                 * when the body is replaced: unused placeholders cost nothing) */
    char *json_text;            /* or the JSON body already as text (owned) */
    size_t json_text_len;
    const void *raw;            /* or a raw body (assets: static) */
    char *owned_raw;            /* set when raw must be freed after sending */
    size_t raw_len;
    const char *content_type;   /* for raw bodies */
    char *location;             /* Location header (owned) */
    const char *cache_control;  /* static string */
    const char *etag;           /* ETag header (static string) */
    bool empty;                 /* send no body at all (Outpost's empty 401/403/404) */
} http_res;

/* Deferred answers: a handler that must wait (for a group commit) calls
 * http_defer and returns without filling res; the connection is suspended.
 * Later, from any thread, http_deferred_finish sends the answer (the
 * contents of *res are taken over; res itself may be on the caller's stack).
 * Every deferred request must be finished exactly once. */
typedef struct http_deferred http_deferred;
http_deferred *http_defer(http_req *req);
void http_deferred_finish(http_deferred *d, http_res *res);

/* A path parameter by name (":tenant_id" in the route -> "tenant_id"). */
const char *http_param(const http_req *req, const char *name);

/* A request header by name (any case), or NULL. */
const char *http_header(const http_req *req, const char *name);

/* The first value of a query parameter, or NULL. */
const char *http_query(const http_req *req, const char *key);

/* Every value of an array query parameter, accepting Outpost's three forms:
 * key=a&key=b, key[]=a&key[]=b and key[0]=a&key[1]=b (ordered by index).
 * New array reference (empty when absent). */
json_t *http_query_array(const http_req *req, const char *key);

/* Parses the request body as a JSON object. On failure fills res with 422
 * "invalid JSON" and returns NULL. An empty body yields NULL without error
 * when allow_empty (and sets *was_empty). */
json_t *http_body_object(const http_req *req, http_res *res, bool allow_empty);

/* Frees what res owns (body, Location, owned raw body) and zeroes it. */
void http_res_release(http_res *res);

/* Response helpers; each replaces whatever res held. `body` is stolen. */
void http_json(http_res *res, int status, json_t *body);

/* A value for the body that is written out as these exact bytes: JSON text
 * kept as received (an event's data), so the API shows what was published
 * (0.1, not 0.10000000000000001; 1e2, not 100.0). Returns a new placeholder
 * to put in the body, or NULL without memory. text must be valid JSON (it is
 * not checked) and is copied. Placeholders are strings that carry a random
 * per-response nonce, so no other string of the body can pass for one. */
json_t *http_json_verbatim(http_res *res, const char *text, size_t len);

/* res->json as text, with the verbatim values in place; *len its length.
 * NULL without memory. The caller frees it. */
char *http_json_render(const http_res *res, size_t *len);
/* The same for a body already serialised (hot paths); `text` (malloc'd) is
 * stolen, NULL is answered as an out-of-memory 500. */
void http_json_text(http_res *res, int status, char *text, size_t len);
void http_error(http_res *res, int status, const char *message);
void http_error_data(http_res *res, int status, const char *message, json_t *data);
void http_empty(http_res *res, int status);
void http_validation(http_res *res, json_t *errors); /* 422 "validation error" */
void http_internal(http_res *res, int err);          /* 500, logs err */

/* Maps a store error to the conventional response (404 empty for
 * HP_ENOTFOUND when `empty_404`, else 500). */
void http_store_error(http_res *res, int err, bool empty_404);

#endif
