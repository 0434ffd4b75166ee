/* log_query.h - the query string shared by the log endpoints (/events,
 * /attempts and a destination's attempts), parsed into a store_log_query.
 *
 *   arrays     id, tenant_id, destination_id, topic, event_id,
 *              destination_type (key=a&key=b, key[]=, key[0]=; empty values
 *              are dropped)
 *   status     success | failed (attempts), else 422 {"query.status": ..}
 *   time[op]   gte, lte, gt, lt: RFC 3339 (fractions allowed) or YYYY-MM-DD;
 *              gt/lt become gte+1ms/lte-1ms; a bad value -> 422
 *              {"query.time[op]": ..}; any other op -> 400
 *   paging     limit (default 100, capped at 1000), dir, order_by=time,
 *              next/prev (paging.h)
 *   include    event, event.data, response_data, request_data (a hookpost
 *              extension), destination (attempts)
 *
 * Tenancy: a tenant JWT only ever sees its own tenant. Naming another tenant
 * in tenant_id -> 403 (empty body); otherwise the filter is forced to the
 * token's tenant. On a destination's attempts route, tenant and destination
 * come from the path and the query cannot widen them.
 *
 * Functions returning bool: false = res already holds the error answer.
 * Ownership: log_query_free releases everything log_query_parse made. */
#ifndef HP_LOG_QUERY_H
#define HP_LOG_QUERY_H

#include "api/paging.h"
#include "http/http.h"
#include "store/store.h"

typedef enum {
    LOG_EVENTS,            /* GET /events */
    LOG_ATTEMPTS,          /* GET /attempts */
    LOG_DEST_ATTEMPTS,     /* GET /tenants/:tenant_id/destinations/:destination_id/attempts */
} log_kind;

typedef struct {
    store_log_query q;     /* ready for store_*_list; q.after points into page */
    page_params page;
} log_query;

typedef struct {
    bool event;            /* event summary */
    bool event_data;       /* ... with its data */
    bool response_data;
    bool request_data;     /* hookpost extension */
    bool destination;
} log_include;

/* Cursor resources and limits of the two log listings. */
extern const page_spec log_event_pages;
extern const page_spec log_attempt_pages;

bool log_query_parse(const http_req *req, http_res *res, log_kind kind, log_query *out);
void log_query_free(log_query *lq);

/* The tenant a read of one event or attempt is restricted to: a JWT's own
 * tenant (403 if ?tenant_id= names another), else the admin's ?tenant_id=,
 * else NULL (any tenant). *tenant_id is borrowed from req. */
bool log_tenant_scope(const http_req *req, http_res *res, const char **tenant_id);

/* Reads include (unknown values are ignored; event.data implies event). */
void log_include_parse(const http_req *req, log_include *inc);

#endif
