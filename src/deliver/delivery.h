/* delivery.h - one delivery attempt in flight: what the engine hands a
 * provider and what the provider leaves behind for the attempt log.
 *
 * The engine owns a delivery from claim to commit; providers only fill the
 * transfer (request) and read its outcome. Not shared between threads. */
#ifndef HP_DELIVERY_H
#define HP_DELIVERY_H

#include "app.h"
#include "core/model.h"
#include "core/util.h"
#include "store/store.h"

#include <curl/curl.h>

typedef struct delivery {
    const hp_app *app;
    store_task task;            /* the claimed task (strings owned) */
    const hp_event *event;      /* from the event cache or owned_event */
    hp_event *owned_event;      /* read from the store: freed with the delivery */
    struct cached_event *cached; /* or a reference into the event cache */
    const hp_destination *dest; /* inside `routes` */
    store_routes *routes;       /* the tenant's routes (a reference) */
    int attempt_number;
    bool numbered;              /* attempt_number is reserved in the engine */
    bool first_attempt;         /* a new event's only task (see engine.c) */
    uint64_t epoch;             /* the engine's manual_epoch then */
    uint64_t numbers_as_of;     /* the engine's numbers_gen before task.last_number was read */
    int64_t started_ms;

    CURL *easy;                 /* set up by the provider's request() */
    const struct provider *easy_set_up_by; /* that provider, once request() succeeded */
    struct curl_slist *headers;
    hp_buf response;            /* body received, up to the configured cap */
    bool response_truncated;
    int64_t retry_after_s;      /* from a Retry-After header, 0 if none */
    char blocked_ip[64];        /* set when the connected address was refused */
} delivery;

/* Error class of a failed transfer: dns_error, connection_refused,
 * timeout, tls_error, ... (Outpost's attempt codes). Static string. */
const char *delivery_error_class(CURLcode rc);

#endif
