/* router.h - maps a request to its handler and enforces Outpost's auth
 * rules before the handler runs:
 *   - admin API key or tenant JWT (Bearer); anything else -> 401, empty body;
 *   - a JWT whose tenant no longer exists -> 401;
 *   - a JWT on an admin-only route, or on another tenant's path -> 403;
 *   - a read-only JWT on a method that changes state -> 403;
 *   - admin on a tenant route whose tenant is missing -> 404 "tenant not found".
 * Unknown /api paths -> 404 JSON, known path with another method -> 405 JSON;
 * other paths are the portal's static files. Thread-safe (immutable table). */
#ifndef HP_ROUTER_H
#define HP_ROUTER_H

#include "http/http.h"

typedef enum {
    AUTH_PUBLIC,  /* no credentials needed */
    AUTH_ADMIN,   /* admin key only */
    AUTH_TENANT,  /* admin, or a JWT of the path's tenant */
} route_auth;

typedef void (*route_handler)(http_req *req, http_res *res);

typedef struct {
    const char *method;
    const char *pattern;  /* below /api/v1; ":name" segments are parameters */
    route_auth auth;
    bool needs_tenant;    /* the :tenant_id must exist (loaded into req->tenant) */
    route_handler handler;
} route;

/* The API's routes (src/api/routes.c), terminated by a NULL method. */
extern const route api_routes[];

/* Resolves auth, picks the route and runs it. Always fills res. */
void router_dispatch(http_req *req, http_res *res);

#endif
