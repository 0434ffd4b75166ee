/* test_config.c - unit tests for src/config.c: defaults, the YAML file
 * (snake_case keys, nested sections, lists), environment overrides, value
 * validation with one-line errors naming the variable, the API_KEY /
 * AES_ENCRYPTION_SECRET requirements, RETRY_SCHEDULE vs MAX_RETRY_LIMIT, the
 * PORTAL_ACCENT_COLOR alias and TOPICS splitting.
 *
 * Every test starts and ends with every configuration variable (and CONFIG)
 * unset, and removes the temporary YAML files it wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "core/crypto.h"
#include "core/err.h"

static const char *const ALL_VARS[] = {
    "CONFIG", "SERVICE", "LOG_LEVEL", "API_PORT", "API_KEY", "API_ALLOW_UNAUTHENTICATED", "API_JWT_SECRET",
    "AES_ENCRYPTION_SECRET", "TOPICS", "TOPICS_ALLOW_WILDCARDS", "MAX_DESTINATIONS_PER_TENANT",
    "DEPLOYMENT_ID", "DATA_DIR", "POSTGRES_URL", "API_MAX_BODY_BYTES", "API_THREADS", "HTTP_USER_AGENT",
    "DELIVERY_TIMEOUT_SECONDS", "DELIVERY_MAX_CONCURRENCY", "MAX_RETRY_LIMIT", "RETRY_INTERVAL_SECONDS",
    "RETRY_SCHEDULE", "DESTINATIONS_WEBHOOK_MODE", "DESTINATIONS_WEBHOOK_HEADER_PREFIX",
    "DESTINATIONS_WEBHOOK_EVENT_ID_HEADER_NAME", "DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_NAME",
    "DESTINATIONS_WEBHOOK_TIMESTAMP_HEADER_NAME", "DESTINATIONS_WEBHOOK_TOPIC_HEADER_NAME",
    "DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_EVENT_ID_HEADER", "DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_SIGNATURE_HEADER",
    "DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_TIMESTAMP_HEADER", "DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_TOPIC_HEADER",
    "DESTINATIONS_WEBHOOK_SIGNATURE_CONTENT_TEMPLATE", "DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_TEMPLATE",
    "DESTINATIONS_WEBHOOK_SIGNATURE_ENCODING", "DESTINATIONS_WEBHOOK_SIGNATURE_ALGORITHM",
    "DESTINATIONS_WEBHOOK_SIGNING_SECRET_TEMPLATE", "DESTINATIONS_WEBHOOK_PROXY_URL",
    "DESTINATIONS_WEBHOOK_MAX_RESPONSE_BODY_BYTES", "DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP",
    "PORTAL_REFERER_URL", "PORTAL_REFRESH_URL", "PORTAL_ORGANIZATION_NAME", "PORTAL_BRAND_COLOR",
    "PORTAL_ACCENT_COLOR", "PORTAL_LOGO", "PORTAL_LOGO_DARK", "PORTAL_FAVICON_URL", "PORTAL_FORCE_THEME",
    "PORTAL_DISABLE_OUTPOST_BRANDING", "PORTAL_ENABLE_DESTINATION_FILTER", "PORTAL_ENABLE_WEBHOOK_CUSTOM_HEADERS",
    "IDGEN_TYPE", "IDGEN_EVENT_PREFIX", "IDGEN_DESTINATION_PREFIX", "IDGEN_ATTEMPT_PREFIX",
};

/* Temporary files written by the current test, removed in teardown. */
static char tmp_paths[16][64];
static int ntmp;

static void clear_env(void) {
    for (size_t i = 0; i < sizeof ALL_VARS / sizeof ALL_VARS[0]; i++) unsetenv(ALL_VARS[i]);
}

static int setup(void **state) {
    (void)state;
    clear_env();
    ntmp = 0;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    clear_env();
    for (int i = 0; i < ntmp; i++) unlink(tmp_paths[i]);
    ntmp = 0;
    return 0;
}

static void env(const char *name, const char *value) {
    assert_int_equal(setenv(name, value, 1), 0);
}

/* The two variables every valid configuration needs. */
static void env_required(void) {
    env("API_KEY", "admin-key");
    env("AES_ENCRYPTION_SECRET", "aes-secret");
}

/* Writes text to a fresh temporary file; returns its path. */
static const char *yaml_file(const char *text) {
    assert_true(ntmp < (int)(sizeof tmp_paths / sizeof tmp_paths[0]));
    char *path = tmp_paths[ntmp];
    snprintf(path, sizeof tmp_paths[0], "/tmp/hp_test_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    ntmp++;
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static hp_config *load_ok(const char *file) {
    hp_config *cfg = NULL;
    char err[512] = "";
    int rc = config_load(file, &cfg, err, sizeof err);
    if (rc != HP_OK) {
        print_error("config_load = %d (%s), want HP_OK\n", rc, err);
        fail();
    }
    assert_non_null(cfg);
    return cfg;
}

/* config_load must fail with want_rc and a single line naming `name`; *out
 * stays untouched. */
static void load_fails(const char *file, int want_rc, const char *name) {
    hp_config *cfg = (hp_config *)(uintptr_t)0x1;
    char err[512];
    memset(err, 'Z', sizeof err);
    err[sizeof err - 1] = '\0';
    int rc = config_load(file, &cfg, err, sizeof err);
    if (rc == HP_OK) {
        print_error("config_load = HP_OK, want %d naming %s\n", want_rc, name);
        config_free(cfg);
        fail();
    }
    assert_int_equal(rc, want_rc);
    assert_ptr_equal(cfg, (hp_config *)(uintptr_t)0x1);
    assert_true(strlen(err) > 0);
    assert_true(err[0] != 'Z');
    if (!strstr(err, name)) {
        print_error("error \"%s\" does not name %s\n", err, name);
        fail();
    }
    assert_null(strchr(err, '\n'));
}

/* Sets name=value (on top of the required variables) and expects HP_EINVAL naming it. */
static void bad_value(const char *name, const char *value) {
    clear_env();
    env_required();
    env(name, value);
    load_fails(NULL, HP_EINVAL, name);
}

static void good_value(const char *name, const char *value) {
    clear_env();
    env_required();
    env(name, value);
    hp_config *cfg = load_ok(NULL);
    config_free(cfg);
}

static void test_defaults(void **state) {
    (void)state;
    env_required();
    hp_config *c = load_ok(NULL);
    assert_string_equal(c->service, "");
    assert_string_equal(c->log_level, "info");
    assert_int_equal(c->api_port, 3333);
    assert_string_equal(c->api_key, "admin-key");
    assert_false(c->allow_unauthenticated);
    assert_string_equal(c->aes_secret, "aes-secret");
    assert_null(c->topics);
    assert_int_equal(c->ntopics, 0);
    assert_false(c->topics_allow_wildcards);
    assert_int_equal(c->max_destinations_per_tenant, 20);
    assert_string_equal(c->data_dir, "./data");
    assert_null(c->postgres_url);
    assert_int_equal(c->max_body_bytes, 1048576);
    assert_int_equal(c->http_threads, 0);
    assert_non_null(c->http_user_agent);
    assert_true(strncmp(c->http_user_agent, "hookpost/", 9) == 0);
    assert_int_equal(c->delivery_timeout_seconds, 5);
    assert_int_equal(c->delivery_max_concurrency, 256);
    assert_int_equal(c->max_retry_limit, 10);
    assert_int_equal(c->retry_interval_seconds, 30);
    assert_null(c->retry_schedule);
    assert_int_equal(c->nretry_schedule, 0);
    assert_string_equal(c->webhook_mode, "default");
    assert_null(c->webhook_header_prefix);
    assert_null(c->webhook_event_id_header);
    assert_null(c->webhook_signature_header);
    assert_null(c->webhook_timestamp_header);
    assert_null(c->webhook_topic_header);
    assert_false(c->webhook_disable_event_id);
    assert_false(c->webhook_disable_signature);
    assert_string_equal(c->webhook_signature_content_template, "{{.Body}}");
    assert_string_equal(c->webhook_signature_encoding, "hex");
    assert_string_equal(c->webhook_signature_algorithm, "hmac-sha256");
    assert_string_equal(c->webhook_signing_secret_template, "whsec_{{.RandomHex}}");
    assert_null(c->webhook_proxy_url);
    assert_int_equal(c->webhook_max_response_body_bytes, 131072);
    assert_false(c->include_millisecond_timestamp);
    assert_null(c->portal_organization_name);
    assert_null(c->portal_brand_color);
    assert_null(c->portal_force_theme);
    assert_false(c->portal_disable_outpost_branding);
    assert_string_equal(c->idgen_type, "uuidv7");
    assert_string_equal(c->idgen_event_prefix, "");
    /* the AES key is SHA-256 of the secret */
    uint8_t want[32];
    crypto_sha256("aes-secret", strlen("aes-secret"), want);
    assert_memory_equal(c->aes_key, want, 32);
    config_free(c);
    config_free(NULL);
}

static void test_required_api_key(void **state) {
    (void)state;
    env("AES_ENCRYPTION_SECRET", "aes");
    load_fails(NULL, HP_EINVAL, "API_KEY"); /* unset */
    env("API_KEY", "");
    load_fails(NULL, HP_EINVAL, "API_KEY"); /* empty */
    env("API_ALLOW_UNAUTHENTICATED", "false");
    load_fails(NULL, HP_EINVAL, "API_KEY");
    env("API_ALLOW_UNAUTHENTICATED", "true");
    hp_config *c = load_ok(NULL);
    assert_true(c->allow_unauthenticated);
    assert_string_equal(c->api_key, "");
    config_free(c);
    unsetenv("API_KEY");
    c = load_ok(NULL);
    assert_true(c->allow_unauthenticated);
    config_free(c);
    /* a key and the opt-in together are fine */
    env("API_KEY", "k");
    c = load_ok(NULL);
    assert_string_equal(c->api_key, "k");
    config_free(c);
}

static void test_required_aes_secret(void **state) {
    (void)state;
    env("API_KEY", "k");
    load_fails(NULL, HP_EINVAL, "AES_ENCRYPTION_SECRET");
    env("AES_ENCRYPTION_SECRET", "");
    load_fails(NULL, HP_EINVAL, "AES_ENCRYPTION_SECRET");
    /* API_ALLOW_UNAUTHENTICATED does not waive it */
    env("API_ALLOW_UNAUTHENTICATED", "true");
    load_fails(NULL, HP_EINVAL, "AES_ENCRYPTION_SECRET");
    env("AES_ENCRYPTION_SECRET", "x");
    hp_config *c = load_ok(NULL);
    uint8_t want[32];
    crypto_sha256("x", 1, want);
    assert_memory_equal(c->aes_key, want, 32);
    config_free(c);
}

static void test_invalid_integers(void **state) {
    (void)state;
    bad_value("API_PORT", "abc");
    bad_value("API_PORT", "70000");
    bad_value("API_PORT", "65536");
    bad_value("API_PORT", "0");
    bad_value("API_PORT", "-1");
    bad_value("API_PORT", "");
    bad_value("API_PORT", "80x");
    bad_value("API_PORT", "3.5");
    bad_value("API_PORT", "99999999999999999999999");
    bad_value("MAX_DESTINATIONS_PER_TENANT", "0");
    bad_value("MAX_DESTINATIONS_PER_TENANT", "many");
    bad_value("MAX_RETRY_LIMIT", "-1");
    bad_value("RETRY_INTERVAL_SECONDS", "0");
    bad_value("DELIVERY_TIMEOUT_SECONDS", "ten");
    bad_value("API_MAX_BODY_BYTES", "1023");
    good_value("API_PORT", "1");
    good_value("API_PORT", "65535");
    good_value("MAX_RETRY_LIMIT", "0");

    clear_env();
    env_required();
    env("API_PORT", "8080");
    env("MAX_DESTINATIONS_PER_TENANT", "3");
    env("MAX_RETRY_LIMIT", "4");
    env("RETRY_INTERVAL_SECONDS", "7");
    env("API_MAX_BODY_BYTES", "2048");
    hp_config *c = load_ok(NULL);
    assert_int_equal(c->api_port, 8080);
    assert_int_equal(c->max_destinations_per_tenant, 3);
    assert_int_equal(c->max_retry_limit, 4);
    assert_int_equal(c->retry_interval_seconds, 7);
    assert_int_equal(c->max_body_bytes, 2048);
    config_free(c);
}

static void test_invalid_enums_and_bools(void **state) {
    (void)state;
    bad_value("TOPICS_ALLOW_WILDCARDS", "maybe");
    bad_value("API_ALLOW_UNAUTHENTICATED", "sure");
    bad_value("PORTAL_DISABLE_OUTPOST_BRANDING", "2");
    bad_value("DESTINATIONS_WEBHOOK_MODE", "x");
    bad_value("DESTINATIONS_WEBHOOK_MODE", "");
    bad_value("SERVICE", "worker");
    bad_value("LOG_LEVEL", "verbose");
    bad_value("IDGEN_TYPE", "uuidv5");
    bad_value("PORTAL_FORCE_THEME", "blue");
    bad_value("DEPLOYMENT_ID", "bad id!");
    bad_value("DATA_DIR", "");
    bad_value("POSTGRES_URL", "postgres://localhost/outpost");
    bad_value("SERVICE", "api"); /* roles split only on the cluster store */
    good_value("SERVICE", "");
    good_value("LOG_LEVEL", "debug");
    good_value("DEPLOYMENT_ID", "dep_1-A");
    good_value("PORTAL_FORCE_THEME", "dark");

    static const char *const truthy[] = {"true", "TRUE", "True", "1", "yes", "on"};
    static const char *const falsy[] = {"false", "FALSE", "0", "no", "off"};
    for (size_t i = 0; i < sizeof truthy / sizeof truthy[0]; i++) {
        clear_env();
        env_required();
        env("TOPICS_ALLOW_WILDCARDS", truthy[i]);
        hp_config *c = load_ok(NULL);
        assert_true(c->topics_allow_wildcards);
        config_free(c);
    }
    for (size_t i = 0; i < sizeof falsy / sizeof falsy[0]; i++) {
        clear_env();
        env_required();
        env("TOPICS_ALLOW_WILDCARDS", falsy[i]);
        hp_config *c = load_ok(NULL);
        assert_false(c->topics_allow_wildcards);
        config_free(c);
    }

    clear_env();
    env_required();
    env("DESTINATIONS_WEBHOOK_MODE", "standard");
    hp_config *c = load_ok(NULL);
    assert_string_equal(c->webhook_mode, "standard");
    config_free(c);
}

static void test_error_buffer_truncated(void **state) {
    (void)state;
    env_required();
    env("API_PORT", "abcdefghijklmnopqrstuvwxyz");
    /* an exactly sized heap buffer: ASan catches any write past it */
    char *err = malloc(16);
    assert_non_null(err);
    hp_config *c = NULL;
    assert_int_equal(config_load(NULL, &c, err, 16), HP_EINVAL);
    assert_true(memchr(err, '\0', 16) != NULL);
    assert_true(strlen(err) > 0);
    free(err);
    assert_null(c);
}

static void test_retry_schedule(void **state) {
    (void)state;
    env_required();
    env("MAX_RETRY_LIMIT", "3");
    hp_config *c = load_ok(NULL);
    assert_int_equal(c->max_retry_limit, 3);
    assert_null(c->retry_schedule);
    config_free(c);

    env("RETRY_SCHEDULE", "5, 10 ,60,300,900");
    c = load_ok(NULL);
    assert_int_equal(c->nretry_schedule, 5);
    assert_non_null(c->retry_schedule);
    assert_int_equal(c->retry_schedule[0], 5);
    assert_int_equal(c->retry_schedule[1], 10);
    assert_int_equal(c->retry_schedule[2], 60);
    assert_int_equal(c->retry_schedule[3], 300);
    assert_int_equal(c->retry_schedule[4], 900);
    assert_int_equal(c->max_retry_limit, 5); /* limit = schedule length, not 3 */
    config_free(c);

    env("MAX_RETRY_LIMIT", "50");
    env("RETRY_SCHEDULE", "1");
    c = load_ok(NULL);
    assert_int_equal(c->nretry_schedule, 1);
    assert_int_equal(c->retry_schedule[0], 1);
    assert_int_equal(c->max_retry_limit, 1);
    config_free(c);

    bad_value("RETRY_SCHEDULE", "5,0");
    bad_value("RETRY_SCHEDULE", "0");
    bad_value("RETRY_SCHEDULE", "5,abc");
    bad_value("RETRY_SCHEDULE", "-5");
    bad_value("RETRY_SCHEDULE", "5,1.5");
}

static void test_accent_color_alias(void **state) {
    (void)state;
    env_required();
    env("PORTAL_ACCENT_COLOR", "#00ff00");
    hp_config *c = load_ok(NULL);
    assert_string_equal(c->portal_brand_color, "#00ff00");
    config_free(c);

    env("PORTAL_BRAND_COLOR", "#ff0000");
    c = load_ok(NULL);
    assert_string_equal(c->portal_brand_color, "#ff0000"); /* BRAND wins */
    config_free(c);

    unsetenv("PORTAL_ACCENT_COLOR");
    c = load_ok(NULL);
    assert_string_equal(c->portal_brand_color, "#ff0000");
    config_free(c);

    /* the same in the file */
    clear_env();
    env_required();
    c = load_ok(yaml_file("portal:\n  accent_color: \"#0000ff\"\n"));
    assert_string_equal(c->portal_brand_color, "#0000ff");
    config_free(c);
    c = load_ok(yaml_file("portal:\n  accent_color: \"#0000ff\"\n  brand_color: \"#111111\"\n"));
    assert_string_equal(c->portal_brand_color, "#111111");
    config_free(c);
    c = load_ok(yaml_file("portal:\n  brand_color: \"#222222\"\n  accent_color: \"#0000ff\"\n"));
    assert_string_equal(c->portal_brand_color, "#222222");
    config_free(c);
}

static void test_topics_env(void **state) {
    (void)state;
    env_required();
    env("TOPICS", " user.created , ,order.*,,  invoice.paid  ,");
    hp_config *c = load_ok(NULL);
    assert_int_equal(c->ntopics, 3);
    assert_non_null(c->topics);
    assert_string_equal(c->topics[0], "user.created");
    assert_string_equal(c->topics[1], "order.*");
    assert_string_equal(c->topics[2], "invoice.paid");
    assert_null(c->topics[3]);
    config_free(c);

    env("TOPICS", "single");
    c = load_ok(NULL);
    assert_int_equal(c->ntopics, 1);
    assert_string_equal(c->topics[0], "single");
    assert_null(c->topics[1]);
    config_free(c);

    env("TOPICS", " , ,, ");
    c = load_ok(NULL);
    assert_int_equal(c->ntopics, 0);
    config_free(c);

    /* many topics (the list grows) */
    char many[2048] = "";
    for (int i = 0; i < 100; i++) {
        char item[16];
        snprintf(item, sizeof item, "%st%d", i ? "," : "", i);
        strcat(many, item);
    }
    env("TOPICS", many);
    c = load_ok(NULL);
    assert_int_equal(c->ntopics, 100);
    assert_string_equal(c->topics[0], "t0");
    assert_string_equal(c->topics[57], "t57");
    assert_string_equal(c->topics[99], "t99");
    assert_null(c->topics[100]);
    config_free(c);
}

static const char FULL_YAML[] =
    "# a full configuration file\n"
    "api_port: 4444\n"
    "api_key: from-file\n"
    "aes_encryption_secret: file-aes\n"
    "log_level: debug\n"
    "topics:\n"
    "  - user.created\n"
    "  - \" order.*  \"\n"
    "  - \"\"\n"
    "  - invoice.paid\n"
    "topics_allow_wildcards: true\n"
    "max_destinations_per_tenant: 5\n"
    "data_dir: /tmp/hp-data\n"
    "retry_schedule: [1, 2, 3]\n"
    "portal:\n"
    "  organization_name: Acme Inc\n"
    "  brand_color: \"#ff0000\"\n"
    "  disable_outpost_branding: yes\n"
    "destinations:\n"
    "  webhook:\n"
    "    mode: standard\n"
    "    header_prefix: x-acme-\n"
    "    signature_encoding: base64\n"
    "  include_millisecond_timestamp: true\n"
    "idgen:\n"
    "  type: nanoid\n"
    "  event_prefix: evt_\n"
    "unknown_key: ignored\n"
    "unknown_section:\n"
    "  nested: 1\n";

static void test_yaml_file(void **state) {
    (void)state;
    hp_config *c = load_ok(yaml_file(FULL_YAML));
    assert_int_equal(c->api_port, 4444);
    assert_string_equal(c->api_key, "from-file");
    assert_string_equal(c->aes_secret, "file-aes");
    assert_string_equal(c->log_level, "debug");
    assert_int_equal(c->ntopics, 3);
    assert_string_equal(c->topics[0], "user.created");
    assert_string_equal(c->topics[1], "order.*");
    assert_string_equal(c->topics[2], "invoice.paid");
    assert_null(c->topics[3]);
    assert_true(c->topics_allow_wildcards);
    assert_int_equal(c->max_destinations_per_tenant, 5);
    assert_string_equal(c->data_dir, "/tmp/hp-data");
    assert_int_equal(c->nretry_schedule, 3);
    assert_int_equal(c->retry_schedule[0], 1);
    assert_int_equal(c->retry_schedule[2], 3);
    assert_int_equal(c->max_retry_limit, 3);
    assert_string_equal(c->portal_organization_name, "Acme Inc");
    assert_string_equal(c->portal_brand_color, "#ff0000");
    assert_true(c->portal_disable_outpost_branding);
    assert_string_equal(c->webhook_mode, "standard");
    assert_string_equal(c->webhook_header_prefix, "x-acme-");
    assert_string_equal(c->webhook_signature_encoding, "base64");
    assert_true(c->include_millisecond_timestamp);
    assert_string_equal(c->idgen_type, "nanoid");
    assert_string_equal(c->idgen_event_prefix, "evt_");
    /* untouched keys keep their defaults */
    assert_int_equal(c->retry_interval_seconds, 30);
    assert_string_equal(c->webhook_signature_algorithm, "hmac-sha256");
    uint8_t want[32];
    crypto_sha256("file-aes", 8, want);
    assert_memory_equal(c->aes_key, want, 32);
    config_free(c);
}

static void test_env_overrides_file(void **state) {
    (void)state;
    const char *path = yaml_file(FULL_YAML);
    env("API_PORT", "5555");
    env("PORTAL_ORGANIZATION_NAME", "EnvCo");
    env("DESTINATIONS_WEBHOOK_MODE", "default");
    env("TOPICS", "from.env");
    env("TOPICS_ALLOW_WILDCARDS", "false");
    env("AES_ENCRYPTION_SECRET", "env-aes");
    hp_config *c = load_ok(path);
    assert_int_equal(c->api_port, 5555);
    assert_string_equal(c->portal_organization_name, "EnvCo");
    assert_string_equal(c->webhook_mode, "default");
    assert_int_equal(c->ntopics, 1);
    assert_string_equal(c->topics[0], "from.env");
    assert_false(c->topics_allow_wildcards);
    assert_string_equal(c->aes_secret, "env-aes");
    uint8_t want[32];
    crypto_sha256("env-aes", 7, want);
    assert_memory_equal(c->aes_key, want, 32);
    /* what the environment does not set still comes from the file */
    assert_string_equal(c->api_key, "from-file");
    assert_string_equal(c->portal_brand_color, "#ff0000");
    assert_string_equal(c->idgen_type, "nanoid");
    config_free(c);

    /* an environment value replaces an invalid file value entirely */
    clear_env();
    path = yaml_file("api_port: abc\napi_key: k\naes_encryption_secret: s\n");
    load_fails(path, HP_EINVAL, "API_PORT");
    env("API_PORT", "6000");
    c = load_ok(path);
    assert_int_equal(c->api_port, 6000);
    config_free(c);

    /* an empty environment value overrides too */
    clear_env();
    path = yaml_file("api_key: k\naes_encryption_secret: s\n");
    env("API_KEY", "");
    load_fails(path, HP_EINVAL, "API_KEY");
}

static void test_config_env_var(void **state) {
    (void)state;
    const char *a = yaml_file("api_port: 4001\napi_key: k\naes_encryption_secret: s\n");
    const char *b = yaml_file("api_port: 4002\napi_key: k\naes_encryption_secret: s\n");
    env("CONFIG", a);
    hp_config *c = load_ok(NULL);
    assert_int_equal(c->api_port, 4001);
    config_free(c);
    /* an explicit file wins over $CONFIG */
    c = load_ok(b);
    assert_int_equal(c->api_port, 4002);
    config_free(c);
    /* CONFIG set but empty: no file */
    env("CONFIG", "");
    env_required();
    c = load_ok(NULL);
    assert_int_equal(c->api_port, 3333);
    config_free(c);
}

static void test_yaml_errors(void **state) {
    (void)state;
    env_required();
    load_fails("/nonexistent/hookpost/config.yaml", HP_EIO, "/nonexistent/hookpost/config.yaml");
    env("CONFIG", "/nonexistent/hookpost/other.yaml");
    load_fails(NULL, HP_EIO, "/nonexistent/hookpost/other.yaml");
    unsetenv("CONFIG");

    /* syntax errors */
    load_fails(yaml_file("api_port: [1, 2\n"), HP_EINVAL, "config");
    load_fails(yaml_file("portal:\n  organization_name: \"unterminated\n"), HP_EINVAL, "config");
    load_fails(yaml_file("a: b\n c: d\n\t- e\n"), HP_EINVAL, "config");
    /* lists of mappings are not lists of scalars */
    load_fails(yaml_file("topics:\n  - name: x\n"), HP_EINVAL, "topics");

    /* invalid values in the file name the variable */
    load_fails(yaml_file("api_port: abc\n"), HP_EINVAL, "API_PORT");
    load_fails(yaml_file("api_port: 70000\n"), HP_EINVAL, "API_PORT");
    load_fails(yaml_file("topics_allow_wildcards: maybe\n"), HP_EINVAL, "TOPICS_ALLOW_WILDCARDS");
    load_fails(yaml_file("destinations:\n  webhook:\n    mode: x\n"), HP_EINVAL, "DESTINATIONS_WEBHOOK_MODE");
    load_fails(yaml_file("retry_schedule:\n  - 5\n  - 0\n"), HP_EINVAL, "RETRY_SCHEDULE");

    /* an empty file is just the defaults */
    hp_config *c = load_ok(yaml_file(""));
    assert_int_equal(c->api_port, 3333);
    config_free(c);
}

static void test_set_but_empty(void **state) {
    (void)state;
    env_required();
    env("DESTINATIONS_WEBHOOK_EVENT_ID_HEADER_NAME", "");
    env("DESTINATIONS_WEBHOOK_TOPIC_HEADER_NAME", "x-my-topic");
    env("PORTAL_ORGANIZATION_NAME", "");
    hp_config *c = load_ok(NULL);
    assert_non_null(c->webhook_event_id_header); /* "" = header off, not unset */
    assert_string_equal(c->webhook_event_id_header, "");
    assert_string_equal(c->webhook_topic_header, "x-my-topic");
    assert_null(c->webhook_signature_header);
    assert_non_null(c->portal_organization_name);
    assert_string_equal(c->portal_organization_name, "");
    config_free(c);
}

/* Integer values are parsed whole: text after a long run of spaces is
 * still seen and rejected. */
static void test_long_integer_value_truncated(void **state) {
    (void)state;
    char v[128];
    snprintf(v, sizeof v, "3334%60sabc", "");
    assert_int_equal(strlen(v), 67);
    bad_value("API_PORT", v);
}

/* YAML null (~, null, empty) leaves the setting at its default, as unset. */
static void test_yaml_null_leaves_default(void **state) {
    (void)state;
    env_required();
    hp_config *c = load_ok(yaml_file("postgres_url: ~\nportal:\n  organization_name: null\n"));
    assert_true(c->postgres_url == NULL || *c->postgres_url == '\0');
    assert_true(c->portal_organization_name == NULL || *c->portal_organization_name == '\0');
    config_free(c);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_defaults),
        T(test_required_api_key),
        T(test_required_aes_secret),
        T(test_invalid_integers),
        T(test_invalid_enums_and_bools),
        T(test_error_buffer_truncated),
        T(test_retry_schedule),
        T(test_accent_color_alias),
        T(test_topics_env),
        T(test_yaml_file),
        T(test_env_overrides_file),
        T(test_config_env_var),
        T(test_yaml_errors),
        T(test_set_but_empty),
        T(test_long_integer_value_truncated),
        T(test_yaml_null_leaves_default),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
