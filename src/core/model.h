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
