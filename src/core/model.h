/* model.h - the domain objects shared by the API, the store and delivery:
 * tenants and destinations, with their JSON renderings.
 *
 * Ownership: every pointer member is owned by the struct and released by the
 * matching *_free(). json_t members hold one reference each. Objects are not
 * shared between threads while being mutated. */
#ifndef HP_MODEL_H
#define HP_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct hp_tenant {
    char *id;
    json_t *metadata;        /* object of strings, or NULL */
    int64_t created_at;      /* ms since epoch */
    int64_t updated_at;
    /* derived from the tenant's destinations when read from the store */
    int destinations_count;
    json_t *topics;          /* sorted union of destination topics (array) */
} hp_tenant;

typedef struct hp_destination {
    char *id;
    char *tenant_id;
    char *type;              /* "webhook", ... */
    json_t *topics;          /* normalised array of strings */
    json_t *filter;          /* object, or NULL = match everything */
    json_t *config;          /* object of strings */
    json_t *credentials;     /* object of strings (plaintext in memory, sealed at rest) */
    json_t *delivery_metadata; /* object of strings, or NULL (sealed at rest) */
    json_t *metadata;        /* object of strings, or NULL */
    int64_t created_at;
    int64_t updated_at;
    int64_t disabled_at;     /* 0 = enabled */
} hp_destination;

/* A published event. `data` is the JSON object exactly as received (key
 * order and number text preserved), NUL-terminated. */
typedef struct hp_event {
    char *id;
    char *tenant_id;
    char *destination_id;    /* publish routed to one destination, or NULL */
    char *topic;             /* "" when published without one */
    int64_t time;            /* event time, ms */
    bool eligible_for_retry;
    json_t *metadata;        /* object of strings (never NULL once built) */
    char *data;
    size_t data_len;
    json_t *matched;         /* array of matched destination ids */
} hp_event;

/* One delivery attempt, as logged. */
typedef struct hp_attempt {
    char *id;
    char *event_id;
    char *tenant_id;
    char *destination_id;
    char *destination_type;
    char *topic;
    bool success;
    int64_t time;            /* when the attempt finished, ms */
    char *code;              /* HTTP status text or an error class */
    int attempt_number;      /* 1-based, per (event, destination) */
    bool manual;
    json_t *response_data;   /* object or NULL */
    int64_t event_time;      /* for include=event without a second lookup */
    /* hookpost extensions (not in Outpost's attempt) */
    char *request_data;      /* what was sent, as compact JSON object text
                              * built once by the provider (webhook: {method,
                              * url, headers}); NULL when nothing was sent */
    int64_t duration_ms;     /* wall time of the transfer; 0 without one */
} hp_attempt;

void event_free(hp_event *e);
void attempt_free(hp_attempt *a);

/* API renderings (new references). An event's `data` is not in it: the API
 * adds the stored text as it is (api_event_json). with_response /
 * with_request add response_data / request_data (JSON null when the attempt
 * has none). duration_ms is always there. */
json_t *event_to_json(const hp_event *e);
json_t *attempt_to_json(const hp_attempt *a, bool with_response, bool with_request);

void tenant_free(hp_tenant *t);
void destination_free(hp_destination *d);

/* Deep copy; NULL on allocation failure. */
hp_destination *destination_dup(const hp_destination *d);

/* The API rendering of a tenant (new reference). */
json_t *tenant_to_json(const hp_tenant *t);

/* The API rendering of a destination (new reference). Sensitive credential
 * fields of the type are masked; webhook secrets are shown in clear, and an
 * expired previous_secret is omitted. `now_ms` decides expiry. */
json_t *destination_to_json(const hp_destination *d, int64_t now_ms);

/* Outpost's masking of sensitive values: shorter than 10 characters -> all
 * '*', otherwise the first 4 characters then '*' for the rest. Caller frees. */
char *model_mask(const char *value);

#endif
