/* webhook.c - the webhook destination type: an HTTPS endpoint that receives
 * each event as a signed POST. This file holds its schema, validation
 * (URL, custom headers, the secret and its rotation rules), display, and
 * delivery: building the request and logging what it sent and got back. */
#include "deliver/delivery.h"
#include "deliver/provider.h"
#include "deliver/signer.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/netaddr.h"
#include "core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#define ROTATION_WINDOW_MS (24LL * 3600 * 1000)

static const provider_field config_fields[] = {
    {.key = "url", .type = "text", .label = "URL", .required = true,
     .description = "The URL to send the webhook events to.", .pattern = "^https?://\\S+$"},
    {.key = "custom_headers", .type = "key_value_map", .label = "Custom headers",
     .description = "Extra HTTP headers sent with every request, as a JSON object of names to values."},
};

static const provider_field credential_fields[] = {
    {.key = "secret", .type = "text", .label = "Signing secret",
     .description = "Secret used to sign every request; generated when not given."},
    {.key = "previous_secret", .type = "text", .label = "Previous secret",
     .description = "The secret before the last rotation; still signed with until it expires."},
    {.key = "previous_secret_invalid_at", .type = "text", .label = "Previous secret expires at",
     .description = "When the previous secret stops being used (RFC 3339)."},
};

static bool url_valid(const char *url)
{
    const char *rest = !strncmp(url, "https://", 8) ? url + 8 : !strncmp(url, "http://", 7) ? url + 7 : NULL;
    if (!rest || !*rest) return false;
    for (const char *p = rest; *p; p++)
        if (isspace((unsigned char)*p)) return false;
    return true;
}

static void check_custom_headers(const char *text, json_t *errs)
{
    json_t *h = json_loads(text, 0, NULL);
    if (!json_is_object(h)) {
        provider_error(errs, "config.custom_headers must be a JSON object of header names to string values");
        json_decref(h);
        return;
    }
    const char *name;
    json_t *value;
    json_object_foreach(h, name, value) {
        if (!signer_header_name_valid(name))
            provider_error(errs, "config.custom_headers.%s is not a valid header name", name);
        else if (signer_header_name_reserved(name))
            provider_error(errs, "config.custom_headers.%s is forbidden", name);
        else if (!json_is_string(value) || !*json_string_value(value))
            provider_error(errs, "config.custom_headers.%s must be a non-empty string", name);
        else if (!signer_header_value_valid(json_string_value(value), json_string_length(value)))
            provider_error(errs, "config.custom_headers.%s must not contain control characters", name);
    }
    json_decref(h);
}

static const char *cred(const json_t *creds, const char *key)
{
    return json_string_value(json_object_get(creds, key));
}

static bool rotate_requested(const json_t *input)
{
    json_t *r = json_object_get(input, "rotate_secret");
    return json_is_true(r) || (json_is_string(r) && !strcmp(json_string_value(r), "true"));
}

static bool secret_format_ok(const provider_ctx *ctx, const char *secret)
{
    if (ctx->signer->mode != SIGNER_MODE_STANDARD) return *secret != '\0';
    if (strncmp(secret, "whsec_", 6) != 0) return false;
    uint8_t *raw;
    size_t n;
    if (crypto_b64_decode(secret + 6, &raw, &n) != HP_OK) return false;
    free(raw);
    return n > 0;
}

static int set_time(json_t *creds, const char *key, int64_t ms)
{
    char buf[HP_TIME_LEN];
    return json_object_set_new(creds, key, json_string(hp_time_format_sec(ms, buf))) ? HP_ENOMEM : HP_OK;
}

static int generate_into(const provider_ctx *ctx, json_t *creds)
{
    char *secret = NULL;
    int rc = signer_generate_secret(ctx->signer, &secret);
    if (rc != HP_OK) return rc;
    rc = json_object_set_new(creds, "secret", json_string(secret)) ? HP_ENOMEM : HP_OK;
    free(secret);
    return rc;
}

/* A tenant may resend what is stored (forms echo values) but not change it. */
static bool tenant_changes(const json_t *input, const json_t *stored, const char *key)
{
    const char *in = cred(input, key);
    if (!in) return false;
    const char *cur = cred(stored, key);
    return !cur || strcmp(in, cur) != 0;
}

static int prepare_credentials(const provider_ctx *ctx, hp_destination *d, const hp_destination *old, json_t *errs)
{
    const json_t *in = ctx->credentials_input;
    json_t *creds = d->credentials;
    bool rotate = rotate_requested(in);
    json_object_del(creds, "rotate_secret");

    if (!old && rotate) {
        provider_error(errs, "credentials.rotate_secret is forbidden");
        return HP_OK;
    }
    /* A rotation ignores the other credentials sent (a tenant may give
     * previous_secret_invalid_at with it, as in Outpost). Otherwise a tenant
     * may resend its secrets but not change them, and cannot drop them
     * either: `credentials: null` or `secret: null` keeps what is stored, so
     * a secret changes only through a rotation with its grace period. */
    if (!ctx->admin && !rotate) {
        const json_t *stored = old ? old->credentials : NULL;
        static const char *const keys[] = {"secret", "previous_secret", "previous_secret_invalid_at"};
        for (size_t i = 0; i < 3; i++)
            if (tenant_changes(in, stored, keys[i])) provider_error(errs, "credentials.%s is forbidden", keys[i]);
        if (json_array_size(errs)) return HP_OK;
        for (size_t i = 0; stored && i < 3; i++) {
            const char *v = cred(stored, keys[i]);
            if (v && json_object_set_new(creds, keys[i], json_string(v))) return HP_ENOMEM;
        }
    }
    if (rotate) {
        const char *current = old ? cred(old->credentials, "secret") : NULL;
        if (current) json_object_set_new(creds, "previous_secret", json_string(current));
        int64_t until = ctx->now_ms + ROTATION_WINDOW_MS;
        const char *req_until = cred(in, "previous_secret_invalid_at");
        if (req_until && hp_time_parse(req_until, &until) != HP_OK)
            provider_error(errs, "credentials.previous_secret_invalid_at must be an RFC 3339 time");
        if (set_time(creds, "previous_secret_invalid_at", until) != HP_OK) return HP_ENOMEM;
        return generate_into(ctx, creds);
    }
    if (ctx->admin && in && json_object_size(in)) {
        bool has_prev = cred(in, "previous_secret") != NULL;
        const char *inv = cred(in, "previous_secret_invalid_at");
        if (!cred(in, "secret") && (has_prev || inv)) provider_error(errs, "credentials.secret is required");
        if (inv && !has_prev && !cred(old ? old->credentials : NULL, "previous_secret"))
            provider_error(errs, "credentials.previous_secret is required");
        int64_t t;
        if (inv && hp_time_parse(inv, &t) != HP_OK)
            provider_error(errs, "credentials.previous_secret_invalid_at must be an RFC 3339 time");
        if (has_prev && !inv && set_time(creds, "previous_secret_invalid_at", ctx->now_ms + ROTATION_WINDOW_MS))
            return HP_ENOMEM;
    }
    const char *secret = cred(creds, "secret");
    if (!secret || !*secret) return generate_into(ctx, creds);
    if (!secret_format_ok(ctx, secret))
        provider_error(errs, "credentials.secret failed format validation");
    return HP_OK;
}

static int webhook_prepare(const provider_ctx *ctx, hp_destination *d, const hp_destination *old, json_t *errs)
{
    provider_check_required(&provider_webhook, d, errs);
    const char *url = json_string_value(json_object_get(d->config, "url"));
    if (url && *url && !url_valid(url)) provider_error(errs, "config.url failed pattern validation");
    const char *headers = json_string_value(json_object_get(d->config, "custom_headers"));
    if (headers && *headers) check_custom_headers(headers, errs);
    else if (headers) json_object_del(d->config, "custom_headers");
    return prepare_credentials(ctx, d, old, errs);
}

static char *webhook_target(const hp_destination *d)
{
    return hp_strdup(json_string_value(json_object_get(d->config, "url")));
}

/* Secrets are shown in clear (the tenant needs them to verify); an expired
 * previous secret is no longer part of the destination. */
static json_t *webhook_display_credentials(const hp_destination *d, int64_t now_ms)
{
    json_t *out = json_deep_copy(d->credentials);
    int64_t until = 0;
    const char *inv = cred(out, "previous_secret_invalid_at");
    if (inv && (hp_time_parse(inv, &until) != HP_OK || until <= now_ms)) {
        json_object_del(out, "previous_secret");
        json_object_del(out, "previous_secret_invalid_at");
    }
    return out;
}

/* ---- delivery ---- */

static int add_header(delivery *dl, const char *name, const char *value)
{
    size_t nlen = strlen(name), vlen = strlen(value);
    char stack[512], *line = nlen + vlen + 3 <= sizeof stack ? stack : malloc(nlen + vlen + 3);
    if (!line) return HP_ENOMEM;
    memcpy(line, name, nlen);
    /* curl drops "name:" with an empty value; "name;" sends it empty */
    if (vlen) {
        memcpy(line + nlen, ": ", 2);
        memcpy(line + nlen + 2, value, vlen + 1);
    } else {
        memcpy(line + nlen, ";", 2);
    }
    struct curl_slist *l = curl_slist_append(dl->headers, line);
    if (line != stack) free(line);
    if (!l) return HP_ENOMEM;
    dl->headers = l;
    return HP_OK;
}

/* true if the list already sends a header called name (any case). */
static bool header_listed(const struct curl_slist *l, const char *name)
{
    size_t n = strlen(name);
    for (; l; l = l->next)
        if (!strncasecmp(l->data, name, n) && (l->data[n] == ':' || l->data[n] == ';')) return true;
    return false;
}

/* Added after the signing headers: as in Outpost (custom headers set first,
 * then overwritten), a custom header named like one hookpost sets is not
 * sent, so a receiver never sees a second, forged signature or event id. */
static int add_custom_headers(delivery *dl)
{
    const char *text = json_string_value(json_object_get(dl->dest->config, "custom_headers"));
    json_t *h = text ? json_loads(text, 0, NULL) : NULL;
    const char *name;
    json_t *value;
    int rc = HP_OK;
    json_object_foreach(h, name, value) {
        /* whatever a stored row holds (rows written before a check existed,
         * or one that slipped past it), never put a raw CR/LF, a malformed
         * name or one of hookpost's own headers on the wire */
        if (rc == HP_OK && json_is_string(value) && signer_header_name_valid(name) &&
            !signer_header_name_reserved(name) &&
            signer_header_value_valid(json_string_value(value), json_string_length(value)) &&
            !header_listed(dl->headers, name))
            rc = add_header(dl, name, json_string_value(value));
    }
    json_decref(h);
    return rc;
}

static int add_signed_headers(delivery *dl)
{
    const hp_event *e = dl->event;
    const json_t *creds = dl->dest->credentials;
    int64_t prev_until = 0;
    const char *inv = cred(creds, "previous_secret_invalid_at");
    if (inv) hp_time_parse(inv, &prev_until);
    json_t *metadata = signer_merge_metadata(e->id, e->topic, dl->started_ms, dl->dest->delivery_metadata,
                                             e->metadata, dl->app->cfg->include_millisecond_timestamp);
    if (!metadata) return HP_ENOMEM;
    signer_input in = {
        .event_id = e->id,
        .topic = e->topic,
        .now_ms = dl->started_ms,
        .body = e->data,
        .body_len = e->data_len,
        .metadata = metadata,
        .event_metadata = e->metadata,
        .secret = cred(creds, "secret"),
        .previous_secret = cred(creds, "previous_secret"),
        .previous_secret_invalid_at_ms = prev_until,
    };
    signer_header *hs = NULL;
    size_t n = 0;
    int rc = signer_headers(&dl->app->signer, &in, &hs, &n);
    for (size_t i = 0; rc == HP_OK && i < n; i++) rc = add_header(dl, hs[i].name, hs[i].value);
    signer_headers_free(hs, n);
    json_decref(metadata);
    return rc;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    delivery *dl = arg;
    size_t len = size * n;
    long cap = dl->app->cfg->webhook_max_response_body_bytes;
    if (dl->response_truncated) return len;
    if (cap > 0 && dl->response.len + len > (size_t)cap) {
        dl->response_truncated = true;
        hp_buf_free(&dl->response);
        return len;
    }
    return hp_buf_append(&dl->response, data, len) == HP_OK ? len : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    delivery *dl = arg;
    size_t len = size * n;
    if (len > 5 && !strncmp(data, "HTTP/", 5)) dl->retry_after_s = 0; /* a new response (after a redirect) */
    if (len > 12 && !strncasecmp(data, "retry-after:", 12)) {
        char value[128];
        size_t vlen = len - 12 < sizeof value - 1 ? len - 12 : sizeof value - 1;
        memcpy(value, data + 12, vlen);
        value[vlen] = '\0';
        char *end;
        long secs = strtol(value, &end, 10);
        if (end != value && secs > 0) {
            dl->retry_after_s = secs;
        } else {
            time_t when = curl_getdate(value, NULL);
            if (when > 0 && (int64_t)when * 1000 > dl->started_ms)
                dl->retry_after_s = ((int64_t)when * 1000 - dl->started_ms) / 1000;
        }
    }
    return len;
}

/* Runs once connected, before anything is sent: with
 * DESTINATIONS_WEBHOOK_BLOCK_INTERNAL_ADDRESSES the address the name
 * resolved to decides, so DNS tricks and redirects cannot reach inside. */
static int on_connected(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
    delivery *dl = arg;
    if (!netaddr_is_internal(primary_ip)) return CURL_PREREQFUNC_OK;
    snprintf(dl->blocked_ip, sizeof dl->blocked_ip, "%s", primary_ip);
    return CURL_PREREQFUNC_ABORT;
}

static int webhook_request(delivery *dl)
{
    const hp_config *cfg = dl->app->cfg;
    const char *url = json_string_value(json_object_get(dl->dest->config, "url"));
    if (!url) return HP_EINVAL;
    int rc = add_header(dl, "Content-Type", "application/json");
    if (rc == HP_OK) rc = add_signed_headers(dl);
    if (rc == HP_OK) rc = add_custom_headers(dl);
    if (rc != HP_OK) return rc;
    /* "Expect:" removes curl's 100-continue handshake, a round trip per request */
    struct curl_slist *l = curl_slist_append(dl->headers, "Expect:");
    if (!l) return HP_ENOMEM;
    dl->headers = l;
    CURL *c = dl->easy;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, dl->headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, dl->event->data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)dl->event->data_len);
    curl_easy_setopt(c, CURLOPT_USERAGENT, cfg->http_user_agent);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->delivery_timeout_seconds * 1000L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    /* Go's client (Outpost) gives up at the 10th redirect: 10 requests in all */
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 9L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, dl);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, dl);
    if (cfg->webhook_proxy_url && *cfg->webhook_proxy_url) {
        curl_easy_setopt(c, CURLOPT_PROXY, cfg->webhook_proxy_url); /* the proxy enforces egress then */
    } else if (cfg->webhook_block_internal) {
        curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_connected);
        curl_easy_setopt(c, CURLOPT_PREREQDATA, dl);
    }
    return HP_OK;
}

/* Response bodies are stored as JSON strings; bytes that are not UTF-8 are
 * replaced so a binary answer cannot break the log. */
static json_t *body_string(const hp_buf *b)
{
    json_t *s = json_stringn(b->data ? b->data : "", b->len);
    if (s) return s;
    char *copy = malloc(b->len + 1);
    if (!copy) return json_string("");
    for (size_t i = 0; i < b->len; i++) copy[i] = (unsigned char)b->data[i] < 0x80 ? b->data[i] : '?';
    s = json_stringn(copy, b->len);
    free(copy);
    return s;
}

/* ---- what an attempt sent (hookpost's attempt.request_data) ---- */

typedef struct {
    const char *name, *value;
    size_t name_len, value_len;
} header_field;

/* Reads one entry of the curl header list the way libcurl sends it:
 * "Name: value", or exactly "Name;" for an empty value. False for "Name:"
 * with nothing after it, which only stops curl from adding that header. */
static bool header_field_parse(const char *line, header_field *f)
{
    const char *sep = strchr(line, ':');
    const char *v;
    if (sep) {
        v = sep + 1;
        while (*v == ' ' || *v == '\t') v++;
        if (!*v) return false;
    } else {
        sep = strchr(line, ';');
        if (!sep || sep[1]) return false;
        v = sep + 1;
    }
    if (sep == line) return false;
    size_t vlen = strlen(v);
    while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;
    *f = (header_field){.name = line, .name_len = (size_t)(sep - line), .value = v, .value_len = vlen};
    return true;
}

static bool same_name(const header_field *a, const header_field *b)
{
    return a->name_len == b->name_len && !strncasecmp(a->name, b->name, a->name_len);
}

/* The headers the request sent, in order: the User-Agent (curl sends
 * CURLOPT_USERAGENT when it is not empty) and each entry of the curl list
 * that sends a header. In `stack` when it has room, else malloc'd (NULL
 * when out of memory): the caller frees a result that is not `stack`. */
static header_field *sent_headers(const delivery *dl, header_field *stack, size_t cap, size_t *n)
{
    size_t count = 1;
    for (const struct curl_slist *l = dl->headers; l; l = l->next) count++;
    header_field *f = count <= cap ? stack : malloc(count * sizeof *f);
    if (!f) return NULL;
    const char *ua = dl->app->cfg->http_user_agent;
    *n = 0;
    if (ua && *ua) f[(*n)++] = (header_field){.name = "User-Agent", .name_len = 10, .value = ua, .value_len = strlen(ua)};
    for (const struct curl_slist *l = dl->headers; l; l = l->next)
        if (header_field_parse(l->data, &f[*n])) (*n)++;
    return f;
}

/* Appends "name":"value" for f[i] to the headers object (`first`: no
 * comma). When later fields carry the same name (a custom header spelled
 * like a signing header), their values are joined with ", ", the way a
 * receiver combines them; only that rare case allocates. */
static int append_header(hp_buf *b, bool *first, const header_field *f, size_t n, size_t i)
{
    if (!*first && hp_buf_append(b, ",", 1) != HP_OK) return HP_ENOMEM;
    *first = false;
    if (hp_buf_json_string(b, f[i].name, f[i].name_len) != HP_OK || hp_buf_append(b, ":", 1) != HP_OK)
        return HP_ENOMEM;
    size_t j = i + 1;
    while (j < n && !same_name(&f[i], &f[j])) j++;
    if (j == n) return hp_buf_json_string(b, f[i].value, f[i].value_len);
    hp_buf joined = {0};
    int rc = hp_buf_append(&joined, f[i].value, f[i].value_len);
    for (; rc == HP_OK && j < n; j++) {
        if (!same_name(&f[i], &f[j])) continue;
        rc = hp_buf_append(&joined, ", ", 2);
        if (rc == HP_OK) rc = hp_buf_append(&joined, f[j].value, f[j].value_len);
    }
    if (rc == HP_OK) rc = hp_buf_json_string(b, joined.data, joined.len);
    hp_buf_free(&joined);
    return rc;
}

static bool named_before(const header_field *f, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (same_name(&f[j], &f[i])) return true;
    return false;
}

/* {"method":"POST","url":..,"headers":{..}}: the configured URL and the
 * headers as this provider handed them to curl (names as spelled there),
 * plus the User-Agent; curl's own Host, Accept and Content-Length are not
 * reported. Each header line is read once, the text built in one buffer
 * sized up front, no JSON objects per delivery. Caller frees; NULL when out
 * of memory. */
static char *request_json(const delivery *dl)
{
    const char *url = json_string_value(json_object_get(dl->dest->config, "url"));
    header_field stack[32];
    size_t n = 0, url_len = url ? strlen(url) : 0, estimate = 64 + url_len;
    header_field *f = sent_headers(dl, stack, sizeof stack / sizeof *stack, &n);
    if (!f) return NULL;
    for (size_t i = 0; i < n; i++) estimate += f[i].name_len + f[i].value_len + 8;
    hp_buf b = {0};
    bool first = true;
    int rc = hp_buf_reserve(&b, estimate);
    if (rc == HP_OK) rc = hp_buf_puts(&b, "{\"method\":\"POST\",\"url\":");
    if (rc == HP_OK) rc = hp_buf_json_string(&b, url ? url : "", url_len);
    if (rc == HP_OK) rc = hp_buf_puts(&b, ",\"headers\":{");
    for (size_t i = 0; rc == HP_OK && i < n; i++)
        if (!named_before(f, i)) rc = append_header(&b, &first, f, n, i);
    if (rc == HP_OK) rc = hp_buf_puts(&b, "}}");
    if (f != stack) free(f);
    if (rc != HP_OK) hp_buf_free(&b);
    return b.data;
}

/* Wall time of the whole transfer as libcurl measured it: from its start
 * (name resolution included) through any redirects to its end, in ms. */
static int64_t transfer_ms(CURL *easy)
{
    curl_off_t us = 0;
    if (curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &us) != CURLE_OK || us < 0) return 0;
    return (int64_t)((us + 500) / 1000);
}

static void webhook_outcome(delivery *dl, CURLcode rc, hp_attempt *a)
{
    /* CURLE_FAILED_INIT: the request was never handed to curl */
    if (rc != CURLE_FAILED_INIT) {
        a->duration_ms = transfer_ms(dl->easy);
        a->request_data = request_json(dl);
    }
    if (rc != CURLE_OK && dl->blocked_ip[0]) {
        char msg[160];
        snprintf(msg, sizeof msg, "destination address %s is internal and deliveries there are blocked",
                 dl->blocked_ip);
        a->success = false;
        a->code = strdup("blocked_address");
        a->response_data = json_pack("{s:s}", "error", msg);
        return;
    }
    if (rc != CURLE_OK) {
        dl->retry_after_s = 0;
        a->success = false;
        a->code = strdup(delivery_error_class(rc));
        a->response_data = json_pack("{s:s}", "error", rc == CURLE_FAILED_INIT ? "request could not be built"
                                                                                 : curl_easy_strerror(rc));
        return;
    }
    long status = 0;
    curl_easy_getinfo(dl->easy, CURLINFO_RESPONSE_CODE, &status);
    char code[16];
    snprintf(code, sizeof code, "%ld", status);
    a->code = strdup(code);
    a->success = status >= 200 && status < 400;
    if (status != 429 && status != 503) dl->retry_after_s = 0; /* only these two ask for a delay */
    json_t *body;
    if (dl->response_truncated) {
        char msg[96];
        snprintf(msg, sizeof msg, "Response body exceeded %ld bytes and was not stored",
                 dl->app->cfg->webhook_max_response_body_bytes);
        body = json_string(msg);
    } else {
        body = body_string(&dl->response);
    }
    a->response_data = json_pack("{s:I, s:o}", "status", (json_int_t)status, "body", body);
}

const provider provider_webhook = {
    .type = "webhook",
    .label = "Webhook",
    .description = "Send events as signed HTTP POST requests to a URL.",
    .icon = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\" fill=\"none\" stroke=\"currentColor\" "
            "stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\"><path d=\"M18 16.98h-5.99c-1.1 0-1.95.94-2.48 "
            "1.9A4 4 0 0 1 2 17c.01-.7.2-1.4.57-2\"/><path d=\"m6 17 3.13-5.78c.53-.97.1-2.18-.5-3.1a4 4 0 1 1 6.89-4.06\"/>"
            "<path d=\"m12 6 3.13 5.73C15.66 12.7 16.9 13 18 13a4 4 0 0 1 0 8\"/></svg>",
    .instructions = "Receive events as HTTP POST requests with a JSON body.\n\n"
                    "Every request is signed with the destination's secret. Verify the signature header "
                    "against an HMAC-SHA256 of the raw request body before trusting the payload, and "
                    "answer with a 2xx status within the delivery timeout.",
    .config_fields = config_fields,
    .nconfig_fields = sizeof config_fields / sizeof config_fields[0],
    .credential_fields = credential_fields,
    .ncredential_fields = sizeof credential_fields / sizeof credential_fields[0],
    .prepare = webhook_prepare,
    .target = webhook_target,
    .display_credentials = webhook_display_credentials,
    .request = webhook_request,
    .outcome = webhook_outcome,
};
