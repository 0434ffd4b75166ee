/* api.h - the handlers of Outpost's v1 API (one file per resource) and the
 * request-parsing helpers they share. Handlers follow router.h's contract:
 * auth is already enforced, req->tenant is loaded when the route asks. */
#ifndef HP_API_H
#define HP_API_H

#include "http/http.h"

/* health.c */
void api_healthz(http_req *req, http_res *res);

/* tenants.c */
void api_tenants_list(http_req *req, http_res *res);
void api_tenant_put(http_req *req, http_res *res);
void api_tenant_get(http_req *req, http_res *res);
void api_tenant_delete(http_req *req, http_res *res);
void api_tenant_token(http_req *req, http_res *res);
void api_tenant_portal(http_req *req, http_res *res);

/* destinations.c */
void api_destinations_list(http_req *req, http_res *res);
void api_destination_create(http_req *req, http_res *res);
void api_destination_get(http_req *req, http_res *res);
void api_destination_update(http_req *req, http_res *res);
void api_destination_delete(http_req *req, http_res *res);
void api_destination_enable(http_req *req, http_res *res);
void api_destination_disable(http_req *req, http_res *res);

/* destination_types.c, topics.c */
void api_destination_types_list(http_req *req, http_res *res);
void api_destination_type_get(http_req *req, http_res *res);
void api_topics_list(http_req *req, http_res *res);

/* publish.c, retry.c */
void api_publish(http_req *req, http_res *res);
/* Makes e durable through the group committer and answers 202 once it is
 * (the request is deferred). Takes ownership of e (matched already set). */
void api_publish_submit(http_req *req, http_res *res, hp_event *e);
/* POST /tenants/{id}/destinations/{id}/test (hookpost extension): sends a
 * test event to one destination, whatever its topics and filter. */
void api_destination_test(http_req *req, http_res *res);
/* GET /portal-config.js: the portal's branding and feature flags. */
void api_portal_config(http_req *req, http_res *res);
void api_retry(http_req *req, http_res *res);

/* events.c, attempts.c */
void api_events_list(http_req *req, http_res *res);
void api_event_get(http_req *req, http_res *res);
void api_attempts_list(http_req *req, http_res *res);
void api_attempt_get(http_req *req, http_res *res);
void api_destination_attempts_list(http_req *req, http_res *res);
void api_destination_attempt_get(http_req *req, http_res *res);

/* metrics.c */
void api_metrics_events(http_req *req, http_res *res);
void api_metrics_attempts(http_req *req, http_res *res);

/* ---- shared helpers (api/common.c) ---- */

/* Validates an object of string values as Outpost does: numbers and booleans
 * are coerced to their text, nested values are an error ("<field>.<key> must
 * be a string"), JSON null members are kept when keep_nulls (merge-patch
 * deletions) and dropped otherwise. `in` NULL or JSON null -> *out NULL.
 * A non-object -> "<field> must be an object". Appends to errs; *out is a new
 * reference or NULL. */
void api_string_map(const json_t *in, const char *field, bool keep_nulls, json_t *errs, json_t **out);

/* An event for an API answer (event_to_json), with its `data` written as the
 * exact text that was published when with_data (http_json_verbatim). A new
 * reference; its placeholder belongs to res, so the result goes into res's
 * body only. */
json_t *api_event_json(http_res *res, const hp_event *e, bool with_data);

/* Parses an optional timestamp member that must not lie in the future.
 * Absent -> HP_ENOTFOUND (*ms untouched); null -> HP_OK with *ms = 0;
 * a bad or future value appends "<field> ..." to errs and returns HP_EINVAL. */
int api_past_time(const json_t *body, const char *field, int64_t now_ms, json_t *errs, int64_t *ms);

#endif
