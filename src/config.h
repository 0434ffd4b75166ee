/* config.h - hookpost's configuration: Outpost's environment variable names
 * and defaults, optionally read from a YAML file first (--config FILE or
 * CONFIG; snake_case keys, nested sections like `portal:`), environment wins.
 *
 * config_load() builds one immutable hp_config at start-up; afterwards it is
 * only read, from any thread. config_free() releases it. String fields are
 * NULL when unset (some variables distinguish unset from set-but-empty). */
#ifndef HP_CONFIG_H
#define HP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct hp_config {
    /* core */
    char *service;                /* SERVICE: "" (all) | api | delivery | log */
    char *log_level;              /* LOG_LEVEL: debug|info|warn|error */
    int log_retention_days;       /* LOG_RETENTION_DAYS: 0 = keep the log forever */
    long log_retention_seconds;   /* LOG_RETENTION_SECONDS: overrides the days when > 0 */
    int api_port;                 /* API_PORT */
    char *api_key;                /* API_KEY; empty = refuse to start unless allow_unauthenticated */
    bool allow_unauthenticated;   /* API_ALLOW_UNAUTHENTICATED: opt-in to Outpost's "VPC mode" */
    char *api_jwt_secret;         /* API_JWT_SECRET */
    char *aes_secret;             /* AES_ENCRYPTION_SECRET */
    uint8_t aes_key[32];          /* derived from aes_secret */
    char **topics;                /* TOPICS, split on commas, trimmed; NULL-terminated */
    size_t ntopics;
    bool topics_allow_wildcards;  /* TOPICS_ALLOW_WILDCARDS */
    int max_destinations_per_tenant; /* MAX_DESTINATIONS_PER_TENANT */
    char *deployment_id;          /* DEPLOYMENT_ID */
    char *data_dir;               /* DATA_DIR: embedded SQLite store lives here */
    char *postgres_url;           /* POSTGRES_URL: cluster store (later) */
    char *sqlite_synchronous;     /* SQLITE_SYNCHRONOUS: normal (survives a process crash) | full (also power loss) */
    long max_body_bytes;          /* API_MAX_BODY_BYTES: request body limit -> 413 */
    int http_threads;             /* API_THREADS: HTTP worker threads (0 = number of CPUs) */
    char *http_user_agent;        /* HTTP_USER_AGENT */

    /* delivery and retries */
    int delivery_timeout_seconds; /* DELIVERY_TIMEOUT_SECONDS */
    int delivery_max_concurrency; /* DELIVERY_MAX_CONCURRENCY: in-flight requests */
    int delivery_max_per_destination; /* DELIVERY_MAX_PER_DESTINATION: 0 = half of the above */
    int delivery_handoff_tasks;   /* DELIVERY_HANDOFF_TASKS: in-memory bound of new tasks */
    int delivery_threads;         /* DELIVERY_THREADS: delivery worker threads (0 = one per CPU) */
    int max_retry_limit;          /* MAX_RETRY_LIMIT (overridden by RETRY_SCHEDULE's length) */
    int retry_interval_seconds;   /* RETRY_INTERVAL_SECONDS */
    int *retry_schedule;          /* RETRY_SCHEDULE, seconds; NULL when unset */
    size_t nretry_schedule;

    /* webhook wire format (see deliver/signer.h for what each means) */
    char *webhook_mode;           /* DESTINATIONS_WEBHOOK_MODE: default|standard */
    char *webhook_header_prefix;  /* DESTINATIONS_WEBHOOK_HEADER_PREFIX (NULL = mode default) */
    char *webhook_event_id_header, *webhook_signature_header,
         *webhook_timestamp_header, *webhook_topic_header; /* *_HEADER_NAME; NULL unset, "" off */
    bool webhook_disable_event_id, webhook_disable_signature,
         webhook_disable_timestamp, webhook_disable_topic; /* DISABLE_DEFAULT_*_HEADER */
    char *webhook_signature_content_template, *webhook_signature_header_template;
    char *webhook_signature_encoding, *webhook_signature_algorithm;
    char *webhook_signing_secret_template;
    char *webhook_proxy_url;
    bool webhook_block_internal;  /* DESTINATIONS_WEBHOOK_BLOCK_INTERNAL_ADDRESSES: refuse loopback/private targets */
    long webhook_max_response_body_bytes;
    bool include_millisecond_timestamp; /* DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP */

    /* portal */
    char *portal_referer_url, *portal_refresh_url, *portal_organization_name,
         *portal_brand_color, *portal_logo, *portal_logo_dark, *portal_favicon_url,
         *portal_force_theme;
    bool portal_disable_outpost_branding, portal_enable_destination_filter,
         portal_enable_webhook_custom_headers;

    /* ids */
    char *idgen_type;             /* IDGEN_TYPE: uuidv4|uuidv7|nanoid */
    char *idgen_event_prefix, *idgen_destination_prefix, *idgen_attempt_prefix;
} hp_config;

/* Loads defaults, then the YAML file named by `file` (may be NULL; falls back
 * to $CONFIG), then the environment, then validates. On failure returns
 * HP_EINVAL (or HP_EIO for an unreadable file) and writes one line naming the
 * variable and the problem into err (size errlen). *out is owned by the caller. */
int config_load(const char *file, hp_config **out, char *err, size_t errlen);

void config_free(hp_config *cfg);

/* Writes the table of every variable, its default and meaning (for --help). */
void config_print_help(FILE *f);

#endif
