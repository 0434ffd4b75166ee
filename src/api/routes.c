/* routes.c - the v1 API's route table (paths below /api/v1). */
#include "api/api.h"
#include "http/router.h"

#define T "/tenants/:tenant_id"
#define D T "/destinations/:destination_id"

const route api_routes[] = {
    {"GET", "/healthz", AUTH_PUBLIC, false, api_healthz},
    {"GET", "/tenants", AUTH_TENANT, false, api_tenants_list},
    {"PUT", T, AUTH_TENANT, false, api_tenant_put},
    {"GET", T, AUTH_TENANT, true, api_tenant_get},
    {"DELETE", T, AUTH_TENANT, true, api_tenant_delete},
    {"GET", T "/token", AUTH_ADMIN, true, api_tenant_token},
    {"GET", T "/portal", AUTH_ADMIN, true, api_tenant_portal},
    {"GET", T "/destinations", AUTH_TENANT, true, api_destinations_list},
    {"POST", T "/destinations", AUTH_TENANT, true, api_destination_create},
    {"GET", D, AUTH_TENANT, true, api_destination_get},
    {"PATCH", D, AUTH_TENANT, true, api_destination_update},
    {"DELETE", D, AUTH_TENANT, true, api_destination_delete},
    {"PUT", D "/enable", AUTH_TENANT, true, api_destination_enable},
    {"PUT", D "/disable", AUTH_TENANT, true, api_destination_disable},
    {"POST", D "/test", AUTH_TENANT, true, api_destination_test},
    {"GET", "/destination-types", AUTH_TENANT, false, api_destination_types_list},
    {"GET", "/destination-types/:type", AUTH_TENANT, false, api_destination_type_get},
    {"GET", "/topics", AUTH_TENANT, false, api_topics_list},
    {"POST", "/publish", AUTH_ADMIN, false, api_publish},
    {"POST", "/retry", AUTH_TENANT, false, api_retry},
    /* log routes (events.c, attempts.c) */
    {"GET", "/events", AUTH_TENANT, false, api_events_list},
    {"GET", "/events/:event_id", AUTH_TENANT, false, api_event_get},
    {"GET", "/attempts", AUTH_TENANT, false, api_attempts_list},
    {"GET", "/attempts/:attempt_id", AUTH_TENANT, false, api_attempt_get},
    {"GET", D "/attempts", AUTH_TENANT, true, api_destination_attempts_list},
    {"GET", D "/attempts/:attempt_id", AUTH_TENANT, true, api_destination_attempt_get},
    /* aggregates of the log (metrics.c) */
    {"GET", "/metrics/events", AUTH_TENANT, false, api_metrics_events},
    {"GET", "/metrics/attempts", AUTH_TENANT, false, api_metrics_attempts},
    {NULL, NULL, AUTH_PUBLIC, false, NULL},
};
