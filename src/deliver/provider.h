/* provider.h - destination types: what each type's config and credentials
 * look like, how they are validated and displayed, and (with the pipeline)
 * how an event is delivered to it.
 *
 * The registry is immutable static data: every function here is thread-safe.
 * Only types that can actually deliver are registered, so GET
 * /destination-types never offers something that would silently not work. */
#ifndef HP_PROVIDER_H
#define HP_PROVIDER_H

#include "config.h"
#include "core/model.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>

struct signer_opts;
struct delivery;

typedef struct {
    const char *key;
    const char *type;        /* text | checkbox | key_value_map | select */
    const char *label;
    const char *description;
    bool required;
    bool sensitive;          /* masked in API responses */
    const char *default_value;
    const char *pattern;     /* shown to clients (JS regex syntax); checked by the provider */
    int minlength, maxlength;
} provider_field;

/* What a provider's validation gets to know about the request. */
typedef struct {
    const hp_config *cfg;
    const struct signer_opts *signer; /* webhook secret generation */
    bool admin;                       /* admin key (true) or tenant JWT */
    int64_t now_ms;
    const json_t *credentials_input;  /* credentials object as sent (NULL if absent) */
} provider_ctx;

typedef struct provider {
    const char *type, *label, *description, *icon, *instructions;
    const provider_field *config_fields;
    size_t nconfig_fields;
    const provider_field *credential_fields;
    size_t ncredential_fields;

    /* Checks and completes d (config and credentials already merged for a
     * PATCH; `old` is the stored destination then, NULL on create). Appends
     * one message per problem to errs (a JSON array of strings) and may fill
     * generated values (a webhook secret). Returns HP_OK or HP_ENOMEM; the
     * verdict is whether errs grew. */
    int (*prepare)(const provider_ctx *ctx, hp_destination *d, const hp_destination *old, json_t *errs);

    /* Human-readable target (webhook: its URL). Caller frees; may be NULL. */
    char *(*target)(const hp_destination *d);

    /* Credentials as the API shows them (new reference). NULL = default
     * rendering: sensitive fields masked with model_mask(). */
    json_t *(*display_credentials)(const hp_destination *d, int64_t now_ms);

    /* Sets up dl->easy for one attempt: a fresh curl easy handle, or one
     * this provider set up for an earlier attempt, NOT reset in between. So
     * every option any attempt of this type sets must be set by every
     * attempt (a conditional one set back to its default when not wanted);
     * conditions fixed by the loaded config are fine. HP_OK, or an error
     * that fails the attempt without a transfer (then outcome() is still
     * called with CURLE_FAILED_INIT, and the handle is reset before reuse). */
    int (*request)(struct delivery *dl);

    /* Turns the finished transfer into the attempt's status, code and
     * response_data, and (unless rc is CURLE_FAILED_INIT: nothing was
     * handed to curl) its duration_ms and request_data, the type's own
     * account of what it sent, as JSON object text. */
    void (*outcome)(struct delivery *dl, CURLcode rc, hp_attempt *a);
} provider;

/* The provider for type, or NULL. */
const provider *provider_find(const char *type);

/* All registered providers, NULL-terminated. */
const provider *const *provider_all(void);

/* DestinationTypeSchema rendering (new reference). */
json_t *provider_schema_json(const provider *p);

/* Credentials for the API: p->display_credentials or masking. New reference. */
json_t *provider_display_credentials(const provider *p, const hp_destination *d, int64_t now_ms);

/* Generic checks every type shares: required config/credential fields
 * present and non-empty. Appends "config.<key> is required" style messages. */
void provider_check_required(const provider *p, const hp_destination *d, json_t *errs);

/* Appends a printf-formatted message to errs. */
void provider_error(json_t *errs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern const provider provider_webhook;

#endif
