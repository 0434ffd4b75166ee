/* config.c - loads hp_config from defaults, a YAML file and the environment.
 *
 * Every variable is one row of the `vars` table: its environment name, its
 * YAML key (dotted for nested sections), its type, where it lands in the
 * struct, its default and its help line. All sources are reduced to strings
 * first and go through the same parser, so a value means the same thing in
 * the file and in the environment. */
#include "config.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef enum { T_STR, T_INT, T_LONG, T_BOOL, T_TOPICS, T_SCHEDULE } var_type;

typedef struct {
    const char *env;
    const char *yaml;
    var_type type;
    size_t off;
    const char *def;  /* NULL = unset */
    long min, max;    /* for T_INT / T_LONG */
    const char *help;
} var_def;

#define F(field) offsetof(hp_config, field)

static const var_def vars[] = {
    {"SERVICE", "service", T_STR, F(service), "", 0, 0, "role of this process: empty (all); api, delivery or log need the cluster store (POSTGRES_URL)"},
    {"LOG_LEVEL", "log_level", T_STR, F(log_level), "info", 0, 0, "debug, info, warn or error"},
    {"LOG_RETENTION_DAYS", "log_retention_days", T_INT, F(log_retention_days), "0", 0, 36500, "events and attempts older than this are deleted, except events still being delivered (0 = keep forever)"},
    {"LOG_RETENTION_SECONDS", "log_retention_seconds", T_LONG, F(log_retention_seconds), "0", 0, 3153600000L, "the same in seconds, for finer control; overrides LOG_RETENTION_DAYS when set"},
    {"API_PORT", "api_port", T_INT, F(api_port), "3333", 1, 65535, "HTTP port of the API and portal"},
    {"API_KEY", "api_key", T_STR, F(api_key), "", 0, 0, "admin API key (Bearer); required unless API_ALLOW_UNAUTHENTICATED=true"},
    {"API_ALLOW_UNAUTHENTICATED", "api_allow_unauthenticated", T_BOOL, F(allow_unauthenticated), "false", 0, 0, "with an empty API_KEY, serve every request as admin (trusted networks only)"},
    {"API_JWT_SECRET", "api_jwt_secret", T_STR, F(api_jwt_secret), "", 0, 0, "HS256 secret for tenant JWTs (portal and tenant-scoped API access)"},
    {"AES_ENCRYPTION_SECRET", "aes_encryption_secret", T_STR, F(aes_secret), "", 0, 0, "secret that encrypts destination credentials at rest (required)"},
    {"TOPICS", "topics", T_TOPICS, F(topics), NULL, 0, 0, "comma-separated list of allowed topics (unset = any topic)"},
    {"TOPICS_ALLOW_WILDCARDS", "topics_allow_wildcards", T_BOOL, F(topics_allow_wildcards), "false", 0, 0, "allow '*' patterns such as user.* in destination topics"},
    {"MAX_DESTINATIONS_PER_TENANT", "max_destinations_per_tenant", T_INT, F(max_destinations_per_tenant), "20", 1, 1000000, "destinations a tenant may have"},
    {"DEPLOYMENT_ID", "deployment_id", T_STR, F(deployment_id), "", 0, 0, "optional deployment id ([A-Za-z0-9_-]{1,64}) carried in tenant JWTs"},
    {"DATA_DIR", "data_dir", T_STR, F(data_dir), "./data", 0, 0, "directory of the embedded SQLite store"},
    {"POSTGRES_URL", "postgres_url", T_STR, F(postgres_url), NULL, 0, 0, "PostgreSQL store for cluster mode (not yet supported)"},
    {"SQLITE_SYNCHRONOUS", "sqlite_synchronous", T_STR, F(sqlite_synchronous), "normal", 0, 0, "normal: a 202'd event survives a process crash; full: also an OS crash or power loss (fsync per group commit)"},
    {"API_MAX_BODY_BYTES", "api_max_body_bytes", T_LONG, F(max_body_bytes), "1048576", 1024, 1L << 30, "largest request body accepted (larger -> 413)"},
    {"API_THREADS", "api_threads", T_INT, F(http_threads), "0", 0, 1024, "HTTP worker threads (0 = one per CPU)"},
    {"HTTP_USER_AGENT", "http_user_agent", T_STR, F(http_user_agent), "hookpost/" HP_VERSION, 0, 0, "User-Agent of outgoing deliveries"},
    {"DELIVERY_TIMEOUT_SECONDS", "delivery_timeout_seconds", T_INT, F(delivery_timeout_seconds), "5", 1, 3600, "timeout of one delivery attempt"},
    {"DELIVERY_MAX_CONCURRENCY", "delivery_max_concurrency", T_INT, F(delivery_max_concurrency), "256", 1, 100000, "deliveries in flight at once"},
    {"DELIVERY_MAX_PER_DESTINATION", "delivery_max_per_destination", T_INT, F(delivery_max_per_destination), "0", 0, 100000, "deliveries in flight at once to one slow destination (transfers averaging 250 ms or more, or none ending for 250 ms), so a slow receiver cannot take every slot (0 = half of DELIVERY_MAX_CONCURRENCY)"},
    {"DELIVERY_HANDOFF_TASKS", "delivery_handoff_tasks", T_INT, F(delivery_handoff_tasks), "16384", 0, 10000000, "new tasks handed to delivery in memory before they are read back from the store (0 = always from the store)"},
    {"DELIVERY_THREADS", "delivery_threads", T_INT, F(delivery_threads), "0", 0, 256, "delivery worker threads, each with its own connections (0 = one per CPU)"},
    {"MAX_RETRY_LIMIT", "max_retry_limit", T_INT, F(max_retry_limit), "10", 0, 1000, "automatic retries after the first attempt"},
    {"RETRY_INTERVAL_SECONDS", "retry_interval_seconds", T_INT, F(retry_interval_seconds), "30", 1, 86400, "base of the exponential retry backoff"},
    {"RETRY_SCHEDULE", "retry_schedule", T_SCHEDULE, F(retry_schedule), NULL, 0, 0, "comma-separated retry delays in seconds; overrides MAX_RETRY_LIMIT"},
    {"DESTINATIONS_WEBHOOK_MODE", "destinations.webhook.mode", T_STR, F(webhook_mode), "default", 0, 0, "webhook signing mode: default or standard (Standard Webhooks)"},
    {"DESTINATIONS_WEBHOOK_HEADER_PREFIX", "destinations.webhook.header_prefix", T_STR, F(webhook_header_prefix), NULL, 0, 0, "prefix of webhook headers (default x-outpost-, standard mode webhook-)"},
    {"DESTINATIONS_WEBHOOK_EVENT_ID_HEADER_NAME", "destinations.webhook.event_id_header_name", T_STR, F(webhook_event_id_header), NULL, 0, 0, "event id header name (empty disables)"},
    {"DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_NAME", "destinations.webhook.signature_header_name", T_STR, F(webhook_signature_header), NULL, 0, 0, "signature header name (empty disables)"},
    {"DESTINATIONS_WEBHOOK_TIMESTAMP_HEADER_NAME", "destinations.webhook.timestamp_header_name", T_STR, F(webhook_timestamp_header), NULL, 0, 0, "timestamp header name (empty disables)"},
    {"DESTINATIONS_WEBHOOK_TOPIC_HEADER_NAME", "destinations.webhook.topic_header_name", T_STR, F(webhook_topic_header), NULL, 0, 0, "topic header name (empty disables)"},
    {"DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_EVENT_ID_HEADER", "destinations.webhook.disable_default_event_id_header", T_BOOL, F(webhook_disable_event_id), "false", 0, 0, "deprecated: drop the event id header"},
    {"DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_SIGNATURE_HEADER", "destinations.webhook.disable_default_signature_header", T_BOOL, F(webhook_disable_signature), "false", 0, 0, "deprecated: drop the signature header"},
    {"DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_TIMESTAMP_HEADER", "destinations.webhook.disable_default_timestamp_header", T_BOOL, F(webhook_disable_timestamp), "false", 0, 0, "deprecated: drop the timestamp header"},
    {"DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_TOPIC_HEADER", "destinations.webhook.disable_default_topic_header", T_BOOL, F(webhook_disable_topic), "false", 0, 0, "deprecated: drop the topic header"},
    {"DESTINATIONS_WEBHOOK_SIGNATURE_CONTENT_TEMPLATE", "destinations.webhook.signature_content_template", T_STR, F(webhook_signature_content_template), "{{.Body}}", 0, 0, "what is signed (default mode)"},
    {"DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_TEMPLATE", "destinations.webhook.signature_header_template", T_STR, F(webhook_signature_header_template), "v0={{.Signatures | join \",\"}}", 0, 0, "signature header value (default mode)"},
    {"DESTINATIONS_WEBHOOK_SIGNATURE_ENCODING", "destinations.webhook.signature_encoding", T_STR, F(webhook_signature_encoding), "hex", 0, 0, "hex or base64"},
    {"DESTINATIONS_WEBHOOK_SIGNATURE_ALGORITHM", "destinations.webhook.signature_algorithm", T_STR, F(webhook_signature_algorithm), "hmac-sha256", 0, 0, "hmac-sha256 or hmac-sha1"},
    {"DESTINATIONS_WEBHOOK_SIGNING_SECRET_TEMPLATE", "destinations.webhook.signing_secret_template", T_STR, F(webhook_signing_secret_template), "whsec_{{.RandomHex}}", 0, 0, "template of generated webhook secrets (default mode)"},
    {"DESTINATIONS_WEBHOOK_PROXY_URL", "destinations.webhook.proxy_url", T_STR, F(webhook_proxy_url), NULL, 0, 0, "egress proxy for webhook deliveries"},
    {"DESTINATIONS_WEBHOOK_BLOCK_INTERNAL_ADDRESSES", "destinations.webhook.block_internal_addresses", T_BOOL, F(webhook_block_internal), "false", 0, 0, "refuse deliveries to loopback, private, link-local and CGNAT addresses (checked on the connected IP, redirects included)"},
    {"DESTINATIONS_WEBHOOK_MAX_RESPONSE_BODY_BYTES", "destinations.webhook.max_response_body_bytes", T_LONG, F(webhook_max_response_body_bytes), "131072", 0, 1L << 30, "response body bytes stored per attempt (0 = unlimited)"},
    {"DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP", "destinations.include_millisecond_timestamp", T_BOOL, F(include_millisecond_timestamp), "false", 0, 0, "also send a timestamp-ms metadata entry"},
    {"PORTAL_REFERER_URL", "portal.referer_url", T_STR, F(portal_referer_url), NULL, 0, 0, "where the portal's back link and expired sessions go"},
    {"PORTAL_REFRESH_URL", "portal.refresh_url", T_STR, F(portal_refresh_url), NULL, 0, 0, "where an expired portal session is sent to get a new token"},
    {"PORTAL_ORGANIZATION_NAME", "portal.organization_name", T_STR, F(portal_organization_name), NULL, 0, 0, "name shown in the portal"},
    {"PORTAL_BRAND_COLOR", "portal.brand_color", T_STR, F(portal_brand_color), NULL, 0, 0, "accent colour of the portal (PORTAL_ACCENT_COLOR also accepted)"},
    {"PORTAL_ACCENT_COLOR", "portal.accent_color", T_STR, F(portal_brand_color), NULL, 0, 0, "alias of PORTAL_BRAND_COLOR"},
    {"PORTAL_LOGO", "portal.logo", T_STR, F(portal_logo), NULL, 0, 0, "logo URL (light theme)"},
    {"PORTAL_LOGO_DARK", "portal.logo_dark", T_STR, F(portal_logo_dark), NULL, 0, 0, "logo URL (dark theme)"},
    {"PORTAL_FAVICON_URL", "portal.favicon_url", T_STR, F(portal_favicon_url), NULL, 0, 0, "favicon URL"},
    {"PORTAL_FORCE_THEME", "portal.force_theme", T_STR, F(portal_force_theme), NULL, 0, 0, "light or dark: ignore the user's preference"},
    {"PORTAL_DISABLE_OUTPOST_BRANDING", "portal.disable_outpost_branding", T_BOOL, F(portal_disable_outpost_branding), "false", 0, 0, "hide the 'Powered by' footer"},
    {"PORTAL_ENABLE_DESTINATION_FILTER", "portal.enable_destination_filter", T_BOOL, F(portal_enable_destination_filter), "false", 0, 0, "show the event filter editor"},
    {"PORTAL_ENABLE_WEBHOOK_CUSTOM_HEADERS", "portal.enable_webhook_custom_headers", T_BOOL, F(portal_enable_webhook_custom_headers), "false", 0, 0, "show the webhook custom headers editor"},
    {"IDGEN_TYPE", "idgen.type", T_STR, F(idgen_type), "uuidv7", 0, 0, "generated ids: uuidv7 (time-ordered: the log indexes append), uuidv4 or nanoid"},
    {"IDGEN_EVENT_PREFIX", "idgen.event_prefix", T_STR, F(idgen_event_prefix), "", 0, 0, "prefix of generated event ids"},
    {"IDGEN_DESTINATION_PREFIX", "idgen.destination_prefix", T_STR, F(idgen_destination_prefix), "", 0, 0, "prefix of generated destination ids"},
    {"IDGEN_ATTEMPT_PREFIX", "idgen.attempt_prefix", T_STR, F(idgen_attempt_prefix), "", 0, 0, "prefix of generated attempt ids"},
};
#define NVARS (sizeof(vars) / sizeof(vars[0]))

/* Raw string value per variable, before parsing. */
typedef struct {
    char *raw[NVARS];
} raw_values;

static void raw_set(raw_values *rv, size_t i, const char *v)
{
    free(rv->raw[i]);
    rv->raw[i] = hp_strdup(v);
}

static void raw_free(raw_values *rv)
{
    for (size_t i = 0; i < NVARS; i++) free(rv->raw[i]);
}

static bool parse_bool(const char *s, bool *out)
{
    if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no") || !strcasecmp(s, "off") || !*s) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) return false;
    *out = v;
    return true;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

/* Splits a comma list into a NULL-terminated array of trimmed, non-empty items. */
static char **split_list(const char *s, size_t *n)
{
    char *copy = strdup(s), *save = NULL;
    size_t cap = 8, len = 0;
    char **items = calloc(cap, sizeof(char *));
    if (!copy || !items) { free(copy); free(items); return NULL; }
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *t = trim(tok);
        if (!*t) continue;
        if (len + 2 > cap) {
            char **p = realloc(items, (cap *= 2) * sizeof(char *));
            if (!p) break;
            items = p;
        }
        items[len++] = strdup(t);
    }
    items[len] = NULL;
    free(copy);
    *n = len;
    return items;
}

static void free_list(char **items)
{
    for (size_t i = 0; items && items[i]; i++) free(items[i]);
    free(items);
}

static int apply(hp_config *cfg, const var_def *v, const char *s, char *err, size_t errlen)
{
    void *field = (char *)cfg + v->off;
    long l;
    bool b;
    switch (v->type) {
    case T_STR:
        free(*(char **)field);
        *(char **)field = strdup(s);
        return HP_OK;
    case T_INT:
    case T_LONG:
    {
        char *tmp = strdup(s);
        bool ok = tmp && parse_long(trim(tmp), v->min, v->max, &l);
        free(tmp);
        if (!ok) {
            snprintf(err, errlen, "config: %s: must be an integer between %ld and %ld (got \"%.64s\")",
                     v->env, v->min, v->max, s);
            return HP_EINVAL;
        }
    }
        if (v->type == T_INT) *(int *)field = (int)l;
        else *(long *)field = l;
        return HP_OK;
    case T_BOOL:
        if (!parse_bool(s, &b)) {
            snprintf(err, errlen, "config: %s: must be true or false (got \"%s\")", v->env, s);
            return HP_EINVAL;
        }
        *(bool *)field = b;
        return HP_OK;
    case T_TOPICS:
        free_list(cfg->topics);
        cfg->topics = split_list(s, &cfg->ntopics);
        return cfg->topics ? HP_OK : HP_ENOMEM;
    case T_SCHEDULE: {
        size_t n = 0;
        char **items = split_list(s, &n);
        free(cfg->retry_schedule);
        cfg->retry_schedule = n ? calloc(n, sizeof(int)) : NULL;
        cfg->nretry_schedule = n;
        for (size_t i = 0; i < n; i++) {
            if (!parse_long(items[i], 1, 7 * 86400, &l)) {
                snprintf(err, errlen, "config: %s: every entry must be a number of seconds >= 1 (got \"%s\")",
                         v->env, items[i]);
                free_list(items);
                return HP_EINVAL;
            }
            cfg->retry_schedule[i] = (int)l;
        }
        free_list(items);
        return HP_OK;
    }
    }
    return HP_EINVAL;
}

/* Flattens a YAML mapping into dotted keys; sequences become comma lists. */
static int yaml_collect(yaml_parser_t *p, const char *prefix, raw_values *rv, char *err, size_t errlen);

static const var_def *yaml_var(const char *key)
{
    for (size_t i = 0; i < NVARS; i++)
        if (!strcmp(vars[i].yaml, key)) return &vars[i];
    return NULL;
}

static void yaml_store(raw_values *rv, const char *key, const char *value)
{
    for (size_t i = 0; i < NVARS; i++)
        if (!strcmp(vars[i].yaml, key)) raw_set(rv, i, value);
}

/* A plain ~, null or empty scalar leaves the setting at its default. */
static bool yaml_is_null(const yaml_event_t *ev)
{
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    const char *v = (const char *)ev->data.scalar.value;
    return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static int yaml_sequence(yaml_parser_t *p, hp_buf *out)
{
    yaml_event_t ev;
    for (;;) {
        if (!yaml_parser_parse(p, &ev)) return HP_EINVAL;
        yaml_event_type_t t = ev.type;
        if (t == YAML_SCALAR_EVENT) {
            if (out->len) hp_buf_puts(out, ",");
            hp_buf_append(out, ev.data.scalar.value, ev.data.scalar.length);
        }
        yaml_event_delete(&ev);
        if (t == YAML_SEQUENCE_END_EVENT) return HP_OK;
        if (t != YAML_SCALAR_EVENT) return HP_EINVAL;
    }
}

static int yaml_collect(yaml_parser_t *p, const char *prefix, raw_values *rv, char *err, size_t errlen)
{
    yaml_event_t ev;
    for (;;) {
        if (!yaml_parser_parse(p, &ev)) {
            snprintf(err, errlen, "config: file: YAML syntax error at line %zu: %s",
                     p->problem_mark.line + 1, p->problem ? p->problem : "?");
            return HP_EINVAL;
        }
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            return HP_OK;
        }
        if (ev.type != YAML_SCALAR_EVENT) { /* stream/document starts, top-level mapping */
            yaml_event_delete(&ev);
            continue;
        }
        char key[256];
        snprintf(key, sizeof key, "%s%s%.*s", prefix, *prefix ? "." : "",
                 (int)ev.data.scalar.length, (char *)ev.data.scalar.value);
        yaml_event_delete(&ev);
        if (!yaml_parser_parse(p, &ev)) {
            snprintf(err, errlen, "config: file: YAML syntax error near key %s", key);
            return HP_EINVAL;
        }
        int rc = HP_OK;
        if (ev.type == YAML_SCALAR_EVENT) {
            if (!yaml_is_null(&ev)) yaml_store(rv, key, (char *)ev.data.scalar.value);
        } else if (ev.type == YAML_MAPPING_START_EVENT) {
            const var_def *v = yaml_var(key);
            if (v) { /* a setting is one value, never a section */
                snprintf(err, errlen, "config: %s: expected a value, got a mapping (YAML key %s)", v->env, key);
                rc = HP_EINVAL;
            } else {
                rc = yaml_collect(p, key, rv, err, errlen);
            }
        } else if (ev.type == YAML_SEQUENCE_START_EVENT) {
            hp_buf b = {0};
            hp_buf_puts(&b, "");
            rc = yaml_sequence(p, &b);
            if (rc == HP_OK) yaml_store(rv, key, b.data);
            else if (yaml_var(key)) snprintf(err, errlen, "config: %s: lists may only hold scalars (YAML key %s)", yaml_var(key)->env, key);
            else snprintf(err, errlen, "config: file: %s: lists may only hold scalars", key);
            hp_buf_free(&b);
        }
        yaml_event_delete(&ev);
        if (rc != HP_OK) return rc;
    }
}

static int load_yaml(const char *file, raw_values *rv, char *err, size_t errlen)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        snprintf(err, errlen, "config: CONFIG: cannot read %s: %s", file, strerror(errno));
        return HP_EIO;
    }
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    int rc = yaml_collect(&p, "", rv, err, errlen);
    yaml_parser_delete(&p);
    fclose(f);
    return rc;
}

static int validate(hp_config *cfg, char *err, size_t errlen)
{
#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return HP_EINVAL; } while (0)
    static const char *services[] = {"", "api", "delivery", "log", NULL};
    static const char *levels[] = {"debug", "info", "warn", "error", NULL};
    bool ok = false;
    for (int i = 0; services[i]; i++) ok |= !strcmp(cfg->service, services[i]);
    if (!ok) FAIL("config: SERVICE: must be empty, api, delivery or log (got \"%s\")", cfg->service);
    if (*cfg->service && !(cfg->postgres_url && *cfg->postgres_url))
        FAIL("config: SERVICE: the embedded store runs every role in one process; splitting roles needs POSTGRES_URL");
    ok = false;
    for (int i = 0; levels[i]; i++) ok |= !strcasecmp(cfg->log_level, levels[i]);
    if (!ok) FAIL("config: LOG_LEVEL: must be debug, info, warn or error (got \"%s\")", cfg->log_level);
    if (hp_empty(cfg->api_key) && !cfg->allow_unauthenticated)
        FAIL("config: API_KEY: is empty; set an admin key, or API_ALLOW_UNAUTHENTICATED=true to serve every request as admin");
    if (hp_empty(cfg->aes_secret)) FAIL("config: AES_ENCRYPTION_SECRET: is required (it encrypts destination credentials)");
    if (hp_empty(cfg->data_dir)) FAIL("config: DATA_DIR: must not be empty");
    if (cfg->postgres_url && *cfg->postgres_url)
        FAIL("config: POSTGRES_URL: the PostgreSQL store is not available in this build yet; unset it to use the embedded store");
    if (*cfg->deployment_id) {
        size_t n = strlen(cfg->deployment_id);
        bool good = n <= 64;
        for (size_t i = 0; i < n; i++)
            good &= isalnum((unsigned char)cfg->deployment_id[i]) || cfg->deployment_id[i] == '_' || cfg->deployment_id[i] == '-';
        if (!good) FAIL("config: DEPLOYMENT_ID: must match ^[A-Za-z0-9_-]{1,64}$");
    }
    if (strcmp(cfg->sqlite_synchronous, "normal") && strcmp(cfg->sqlite_synchronous, "full"))
        FAIL("config: SQLITE_SYNCHRONOUS: must be normal or full (got \"%s\")", cfg->sqlite_synchronous);
    if (strcmp(cfg->webhook_mode, "default") && strcmp(cfg->webhook_mode, "standard"))
        FAIL("config: DESTINATIONS_WEBHOOK_MODE: must be default or standard (got \"%s\")", cfg->webhook_mode);
    if (strcmp(cfg->idgen_type, "uuidv4") && strcmp(cfg->idgen_type, "uuidv7") && strcmp(cfg->idgen_type, "nanoid"))
        FAIL("config: IDGEN_TYPE: must be uuidv4, uuidv7 or nanoid (got \"%s\")", cfg->idgen_type);
    if (cfg->portal_force_theme && *cfg->portal_force_theme &&
        strcmp(cfg->portal_force_theme, "light") && strcmp(cfg->portal_force_theme, "dark"))
        FAIL("config: PORTAL_FORCE_THEME: must be light or dark (got \"%s\")", cfg->portal_force_theme);
    if (cfg->nretry_schedule) cfg->max_retry_limit = (int)cfg->nretry_schedule;
    return HP_OK;
#undef FAIL
}

int config_load(const char *file, hp_config **out, char *err, size_t errlen)
{
    raw_values rv = {0};
    for (size_t i = 0; i < NVARS; i++)
        if (vars[i].def) raw_set(&rv, i, vars[i].def);
    if (!file) file = getenv("CONFIG");
    int rc = HP_OK;
    if (file && *file) rc = load_yaml(file, &rv, err, errlen);
    for (size_t i = 0; rc == HP_OK && i < NVARS; i++) {
        const char *e = getenv(vars[i].env);
        if (e) raw_set(&rv, i, e);
    }
    /* PORTAL_ACCENT_COLOR is an alias; PORTAL_BRAND_COLOR wins when both are set. */
    hp_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) rc = HP_ENOMEM;
    for (size_t i = 0; rc == HP_OK && i < NVARS; i++) {
        if (!rv.raw[i]) continue;
        if (!strcmp(vars[i].env, "PORTAL_ACCENT_COLOR") && cfg->portal_brand_color) continue;
        rc = apply(cfg, &vars[i], rv.raw[i], err, errlen);
    }
    raw_free(&rv);
    if (rc == HP_OK) rc = validate(cfg, err, errlen);
    if (rc != HP_OK) {
        config_free(cfg);
        return rc;
    }
    crypto_key_derive(cfg->aes_secret, cfg->aes_key);
    *out = cfg;
    return HP_OK;
}

void config_free(hp_config *cfg)
{
    if (!cfg) return;
    for (size_t i = 0; i < NVARS; i++) {
        void *field = (char *)cfg + vars[i].off;
        if (vars[i].type == T_STR) {
            free(*(char **)field);
            *(char **)field = NULL; /* aliases share a field */
        }
    }
    free_list(cfg->topics);
    free(cfg->retry_schedule);
    memset(cfg->aes_key, 0, sizeof cfg->aes_key);
    free(cfg);
}

void config_print_help(FILE *f)
{
    fprintf(f, "Configuration (environment variable, YAML key, default):\n");
    for (size_t i = 0; i < NVARS; i++) {
        fprintf(f, "  %-52s %s\n", vars[i].env, vars[i].help);
        fprintf(f, "  %-52s yaml: %s%s%s\n", "", vars[i].yaml,
                vars[i].def && *vars[i].def ? "  default: " : "", vars[i].def ? vars[i].def : "");
    }
}
