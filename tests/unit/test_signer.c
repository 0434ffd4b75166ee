/* test_signer.c - webhook signing headers: Standard Webhooks vectors, default
 * mode HMACs checked against OpenSSL directly, rotation, header naming,
 * templates, validation and secret generation (src/deliver/signer.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "deliver/signer.h"

/* 2024-06-01T08:23:36Z */
#define NOW_MS 1717230216000LL
#define BODY "{\"hello\":\"world\",\"n\":1}"

typedef struct {
    signer_header *h;
    size_t n;
} hdrs;

static const char *get(const hdrs *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->h[i].name, name) == 0) return h->h[i].value;
    return NULL;
}

static void sign(const signer_opts *o, const signer_input *in, hdrs *out)
{
    assert_int_equal(signer_headers(o, in, &out->h, &out->n), HP_OK);
    for (size_t i = 0; i < out->n; i++) /* unique, lower case */
        for (size_t j = 0; j < out->n; j++) {
            assert_true(i == j || strcmp(out->h[i].name, out->h[j].name) != 0);
            for (const char *c = out->h[i].name; *c; c++) assert_false(*c >= 'A' && *c <= 'Z');
        }
}

static void drop(hdrs *h)
{
    signer_headers_free(h->h, h->n);
    h->h = NULL;
    h->n = 0;
}

static signer_input input(const char *secret)
{
    signer_input in = {.event_id = "evt_123", .topic = "user.created", .now_ms = NOW_MS,
                       .body = BODY, .body_len = strlen(BODY), .secret = secret};
    return in;
}

/* An independent HMAC over OpenSSL, lower-case hex. */
static void ref_hmac_hex(const EVP_MD *md, const char *key, const char *msg, char *out)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    assert_non_null(HMAC(md, key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), mac, &len));
    for (unsigned i = 0; i < len; i++) sprintf(out + 2 * i, "%02x", mac[i]);
}

static void ref_hmac_b64(const EVP_MD *md, const char *key, const char *msg, char *out)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    assert_non_null(HMAC(md, key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), mac, &len));
    EVP_EncodeBlock((unsigned char *)out, mac, (int)len);
}

static void compiled(signer_opts *o)
{
    const char *err = NULL;
    int rc = signer_opts_compile(o, &err);
    if (rc) fail_msg("compile: %s", err ? err : "?");
}

/* ---- Standard Webhooks ---- */

static void check_vector(const char *secret, const char *id, int64_t ts, const char *body, const char *want)
{
    signer_opts o;
    signer_opts_default(&o);
    o.mode = SIGNER_MODE_STANDARD;
    compiled(&o);
    signer_input in = {.event_id = id, .topic = "t", .now_ms = ts * 1000, .body = body,
                       .body_len = strlen(body), .secret = secret};
    hdrs h;
    sign(&o, &in, &h);
    char tsbuf[32];
    snprintf(tsbuf, sizeof tsbuf, "%lld", (long long)ts);
    assert_string_equal(get(&h, "webhook-id"), id);
    assert_string_equal(get(&h, "webhook-timestamp"), tsbuf);
    assert_string_equal(get(&h, "webhook-signature"), want);
    assert_string_equal(get(&h, "webhook-topic"), "t");
    assert_null(get(&h, "webhook-event-id"));
    drop(&h);
    signer_opts_free(&o);
}

static void test_standard_vectors(void **state)
{
    (void)state;
    check_vector("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                 "{\"test\": 2432232314}", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    check_vector("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553,
                 "{\"email\":\"test@example.com\",\"username\":\"test_user\"}",
                 "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
}

static void test_standard_rotation_and_metadata(void **state)
{
    (void)state;
    signer_opts o;
    signer_opts_default(&o);
    o.mode = SIGNER_MODE_STANDARD;
    compiled(&o);
    const char *a = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", *b = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    json_t *dm = json_pack("{s:s}", "region", "eu");
    json_t *em = json_pack("{s:s, s:s, s:s}", "customer", "c1", "Host", "evil", "x-bad", "a\r\nInjected: 1");
    json_t *meta = signer_merge_metadata("msg_p5jXN8AQM9LWM0D4loKWxJek", "user.created", 1614265330000LL, dm, em,
                                         false);
    signer_input in = {.event_id = "msg_p5jXN8AQM9LWM0D4loKWxJek", .topic = "user.created",
                       .now_ms = 1614265330000LL, .body = "{\"test\": 2432232314}",
                       .body_len = strlen("{\"test\": 2432232314}"), .metadata = meta, .event_metadata = em,
                       .secret = a, .previous_secret = b, .previous_secret_invalid_at_ms = 1614265330001LL};
    hdrs h;
    sign(&o, &in, &h);
    const char *sig = get(&h, "webhook-signature");
    assert_non_null(sig);
    assert_int_equal(strncmp(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,", 51), 0);
    assert_int_equal(strlen(sig), 51 + 44);
    assert_string_equal(get(&h, "webhook-region"), "eu");
    assert_string_equal(get(&h, "webhook-customer"), "c1");
    assert_string_equal(get(&h, "customer"), "c1"); /* event metadata also unprefixed */
    assert_null(get(&h, "region"));                  /* destination metadata is not */
    assert_null(get(&h, "host"));                    /* reserved: never sent */
    assert_null(get(&h, "x-bad"));                   /* CR/LF value: never sent */
    assert_null(get(&h, "webhook-x-bad"));
    drop(&h);

    in.previous_secret_invalid_at_ms = in.now_ms; /* expired: current only */
    sign(&o, &in, &h);
    assert_string_equal(get(&h, "webhook-signature"), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    drop(&h);

    in.secret = "whsec_!!!not-base64"; /* standard mode needs whsec_<base64> */
    signer_header *hh = NULL;
    size_t n = 0;
    assert_int_equal(signer_headers(&o, &in, &hh, &n), HP_EINVAL);
    assert_null(hh);

    json_decref(dm);
    json_decref(em);
    json_decref(meta);
    signer_opts_free(&o);
}

/* ---- default mode ---- */

static void test_default_headers_and_hmac(void **state)
{
    (void)state;
    signer_opts o;
    signer_opts_default(&o);
    compiled(&o);
    json_t *dm = json_pack("{s:s, s:s}", "source", "dest", "team", "a");
    json_t *em = json_pack("{s:s}", "source", "event");
    json_t *meta = signer_merge_metadata("evt_123", "user.created", NOW_MS, dm, em, false);
    signer_input in = input("whsec_abc123");
    in.metadata = meta;
    in.event_metadata = em;
    hdrs h;
    sign(&o, &in, &h);

    char hex[2 * EVP_MAX_MD_SIZE + 1], want[256];
    ref_hmac_hex(EVP_sha256(), "whsec_abc123", BODY, hex); /* key includes whsec_ */
    snprintf(want, sizeof want, "v0=%s", hex);
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    assert_string_equal(get(&h, "x-outpost-event-id"), "evt_123");
    assert_string_equal(get(&h, "x-outpost-topic"), "user.created");
    assert_string_equal(get(&h, "x-outpost-timestamp"), "2024-06-01T08:23:36Z");
    assert_string_equal(get(&h, "x-outpost-source"), "event"); /* event metadata wins */
    assert_string_equal(get(&h, "x-outpost-team"), "a");
    assert_null(get(&h, "source")); /* no unprefixed copies in default mode */
    assert_int_equal(h.n, 6);
    drop(&h);

    /* No secret: no signature header, the rest unchanged. */
    in.secret = NULL;
    sign(&o, &in, &h);
    assert_null(get(&h, "x-outpost-signature"));
    assert_int_equal(h.n, 5);
    drop(&h);

    /* No metadata given: built from the input. */
    signer_input in2 = input("k");
    sign(&o, &in2, &h);
    assert_string_equal(get(&h, "x-outpost-event-id"), "evt_123");
    assert_string_equal(get(&h, "x-outpost-timestamp"), "2024-06-01T08:23:36Z");
    assert_int_equal(h.n, 4);
    drop(&h);

    json_decref(dm);
    json_decref(em);
    json_decref(meta);
    signer_opts_free(&o);
}

static void test_default_rotation(void **state)
{
    (void)state;
    signer_opts o;
    signer_opts_default(&o);
    compiled(&o);
    signer_input in = input("whsec_current");
    in.previous_secret = "whsec_previous";
    in.previous_secret_invalid_at_ms = NOW_MS + 1;
    char cur[65], prev[65], want[256];
    ref_hmac_hex(EVP_sha256(), "whsec_current", BODY, cur);
    ref_hmac_hex(EVP_sha256(), "whsec_previous", BODY, prev);

    hdrs h;
    sign(&o, &in, &h);
    snprintf(want, sizeof want, "v0=%s,%s", cur, prev); /* current first */
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    drop(&h);

    in.previous_secret_invalid_at_ms = NOW_MS; /* now == invalid_at: expired */
    sign(&o, &in, &h);
    snprintf(want, sizeof want, "v0=%s", cur);
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    drop(&h);

    in.previous_secret_invalid_at_ms = 0; /* never set */
    sign(&o, &in, &h);
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    drop(&h);
    signer_opts_free(&o);
}

static void test_header_names(void **state)
{
    (void)state;
    signer_opts o;
    hdrs h;
    json_t *em = json_pack("{s:s}", "Trace-ID", "t1");
    signer_input in = input("k");
    in.event_metadata = em;

    /* Custom prefix, lower-cased. */
    signer_opts_default(&o);
    o.header_prefix = "X-Acme-";
    compiled(&o);
    sign(&o, &in, &h);
    assert_string_equal(get(&h, "x-acme-event-id"), "evt_123");
    assert_string_equal(get(&h, "x-acme-trace-id"), "t1");
    assert_non_null(get(&h, "x-acme-signature"));
    assert_null(get(&h, "x-outpost-event-id"));
    drop(&h);
    signer_opts_free(&o);

    /* Whitespace prefix = no prefix. */
    signer_opts_default(&o);
    o.header_prefix = "  ";
    compiled(&o);
    sign(&o, &in, &h);
    assert_string_equal(get(&h, "event-id"), "evt_123");
    assert_string_equal(get(&h, "topic"), "user.created");
    assert_string_equal(get(&h, "trace-id"), "t1");
    assert_non_null(get(&h, "signature"));
    drop(&h);
    signer_opts_free(&o);

    /* Pinned, disabled ("") and deprecated-disabled names; a set name wins
     * over the deprecated boolean. */
    signer_opts_default(&o);
    o.event_id_header = "X-Request-Id";
    o.topic_header = "";
    o.disable_timestamp_header = true;
    o.signature_header = "X-Signature";
    o.disable_signature_header = true;
    compiled(&o);
    sign(&o, &in, &h);
    assert_string_equal(get(&h, "x-request-id"), "evt_123");
    assert_null(get(&h, "x-outpost-event-id"));
    assert_null(get(&h, "x-outpost-topic"));
    assert_null(get(&h, "x-outpost-timestamp"));
    assert_non_null(get(&h, "x-signature"));
    assert_null(get(&h, "x-outpost-signature"));
    assert_string_equal(get(&h, "x-outpost-trace-id"), "t1");
    assert_int_equal(h.n, 3);
    drop(&h);
    signer_opts_free(&o);

    /* Standard mode with its default prefix and a custom one. */
    signer_opts_default(&o);
    o.mode = SIGNER_MODE_STANDARD;
    o.header_prefix = "x-hook-";
    compiled(&o);
    in.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    sign(&o, &in, &h);
    assert_string_equal(get(&h, "x-hook-id"), "evt_123");
    assert_string_equal(get(&h, "x-hook-timestamp"), "1717230216");
    assert_non_null(get(&h, "x-hook-signature"));
    assert_string_equal(get(&h, "x-hook-topic"), "user.created");
    assert_string_equal(get(&h, "trace-id"), "t1");
    drop(&h);
    signer_opts_free(&o);
    json_decref(em);
}

static void test_templates(void **state)
{
    (void)state;
    signer_opts o;
    hdrs h;
    char mac[129], want[512];
    signer_input in = input("whsec_xyz");
    in.previous_secret = "old";
    in.previous_secret_invalid_at_ms = NOW_MS + 1000;

    /* The documented alternative: timestamped content and header. */
    signer_opts_default(&o);
    o.content_template = "{{.Timestamp.Unix}}.{{.Body}}";
    o.header_template = "t={{.Timestamp.Unix}},v0={{.Signatures | join \",\"}}";
    compiled(&o);
    sign(&o, &in, &h);
    char cur[65], prev[65];
    ref_hmac_hex(EVP_sha256(), "whsec_xyz", "1717230216." BODY, cur);
    ref_hmac_hex(EVP_sha256(), "old", "1717230216." BODY, prev);
    snprintf(want, sizeof want, "t=1717230216,v0=%s,%s", cur, prev);
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    drop(&h);
    signer_opts_free(&o);

    /* Every field, index, join with another separator, RFC 3339 timestamp,
     * comments and whitespace trimming. */
    signer_opts_default(&o);
    o.content_template = "{{ .EventID }}|{{.Topic}}|{{.Timestamp}}|{{.Timestamp.UnixMilli}}|{{- /* c */ -}}  {{.Body}}";
    o.header_template = "first={{index .Signatures 0}};all={{join \"; \" .Signatures}};n={{len .Signatures}}";
    compiled(&o);
    sign(&o, &in, &h);
    ref_hmac_hex(EVP_sha256(), "whsec_xyz", "evt_123|user.created|2024-06-01T08:23:36Z|1717230216000|" BODY, cur);
    ref_hmac_hex(EVP_sha256(), "old", "evt_123|user.created|2024-06-01T08:23:36Z|1717230216000|" BODY, prev);
    snprintf(want, sizeof want, "first=%s;all=%s; %s;n=2", cur, cur, prev);
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    drop(&h);
    signer_opts_free(&o);

    /* range/slice, as Outpost writes the Standard Webhooks header. */
    signer_opts_default(&o);
    o.header_template = "v1,{{index .Signatures 0}}{{range slice .Signatures 1}} v1,{{.}}{{end}}"
                        "{{range $.Signatures}}{{else}}none{{end}}";
    compiled(&o);
    sign(&o, &in, &h);
    ref_hmac_hex(EVP_sha256(), "whsec_xyz", BODY, cur);
    ref_hmac_hex(EVP_sha256(), "old", BODY, prev);
    snprintf(want, sizeof want, "v1,%s v1,%s", cur, prev);
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    drop(&h);

    /* index out of range is a render error, as in Go. */
    signer_opts_free(&o);
    o.header_template = "{{index .Signatures 2}}";
    compiled(&o);
    signer_header *hh = NULL;
    size_t n = 0;
    assert_int_equal(signer_headers(&o, &in, &hh, &n), HP_EINVAL);
    signer_opts_free(&o);

    /* sha1 + base64. */
    signer_opts_default(&o);
    o.algorithm = signer_parse_algorithm("hmac-sha1");
    assert_int_equal(signer_parse_encoding("base64", &o.encoding), HP_OK);
    compiled(&o);
    in.previous_secret = NULL;
    sign(&o, &in, &h);
    ref_hmac_b64(EVP_sha1(), "whsec_xyz", BODY, mac);
    assert_int_equal(strlen(mac), 28);
    snprintf(want, sizeof want, "v0=%s", mac);
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    drop(&h);
    signer_opts_free(&o);

    /* Unknown algorithm means sha256; uncompiled options still work. */
    signer_opts_default(&o);
    o.algorithm = signer_parse_algorithm("hmac-md5");
    o.content_template = "{{.EventID}}.{{.Body}}";
    sign(&o, &in, &h);
    ref_hmac_hex(EVP_sha256(), "whsec_xyz", "evt_123." BODY, cur);
    snprintf(want, sizeof want, "v0=%s", cur);
    assert_string_equal(get(&h, "x-outpost-signature"), want);
    drop(&h);
}

static void expect_invalid(signer_opts *o, const char *needle)
{
    const char *err = NULL;
    assert_int_equal(signer_opts_validate(o, &err), HP_EINVAL);
    assert_non_null(err);
    if (!strstr(err, needle)) fail_msg("error \"%s\" lacks \"%s\"", err, needle);
    err = NULL;
    assert_int_equal(signer_opts_compile(o, &err), HP_EINVAL);
    assert_null(o->content_tmpl);
    assert_null(o->header_tmpl);
    assert_null(o->secret_tmpl);
    signer_header *h = NULL;
    size_t n = 0;
    signer_input in = input("k");
    assert_int_equal(signer_headers(o, &in, &h, &n), HP_EINVAL);
    signer_opts_default(o);
}

static void test_validation(void **state)
{
    (void)state;
    signer_opts o;
    const char *err = NULL;
    signer_opts_default(&o);
    assert_int_equal(signer_opts_validate(&o, &err), HP_OK);

    o.event_id_header = "Host";
    expect_invalid(&o, "DESTINATIONS_WEBHOOK_EVENT_ID_HEADER_NAME");
    o.signature_header = "content-type";
    expect_invalid(&o, "reserved");
    o.topic_header = "user-agent";
    expect_invalid(&o, "reserved");
    o.topic_header = "bad name";
    expect_invalid(&o, "not a valid header name");
    o.timestamp_header = "-x";
    expect_invalid(&o, "DESTINATIONS_WEBHOOK_TIMESTAMP_HEADER_NAME");
    o.event_id_header = "X-Outpost-Topic"; /* collides with the default topic header */
    expect_invalid(&o, "both resolve to header \"x-outpost-topic\"");
    o.signature_header = "sig";
    o.timestamp_header = "SIG";
    expect_invalid(&o, "both resolve");
    o.header_prefix = "x outpost";
    expect_invalid(&o, "DESTINATIONS_WEBHOOK_HEADER_PREFIX");

    o.content_template = "{{.Nope}}";
    expect_invalid(&o, "unknown field");
    o.content_template = "{{.Signatures}}";
    expect_invalid(&o, "not available");
    o.header_template = "{{.Body}}";
    expect_invalid(&o, "not available");
    o.content_template = "{{.Body";
    expect_invalid(&o, "unclosed action");
    o.header_template = "{{range .Signatures}}x";
    expect_invalid(&o, "without {{end}}");
    o.header_template = "{{.Signatures | join}}";
    expect_invalid(&o, "join SEPARATOR LIST");
    o.header_template = "{{.Signatures | upper}}";
    expect_invalid(&o, "unsupported function");
    o.header_template = "{{if .Signatures}}x{{end}}";
    expect_invalid(&o, "unsupported action");
    o.content_template = "{{.Timestamp.Format}}";
    expect_invalid(&o, "Timestamp method");
    o.content_template = "{{.}}";
    expect_invalid(&o, "template data");
    o.header_template = "v0={{.Signatures | join \"\\n\"}}";
    expect_invalid(&o, "control characters");
    o.secret_template = "fixed-secret";
    expect_invalid(&o, "DESTINATIONS_WEBHOOK_SIGNING_SECRET_TEMPLATE");

    /* Disabling two headers is fine: nothing resolves to the same name. */
    o.event_id_header = "";
    o.topic_header = "";
    assert_int_equal(signer_opts_validate(&o, &err), HP_OK);

    /* Standard mode ignores the default-mode settings. */
    signer_opts_default(&o);
    o.mode = SIGNER_MODE_STANDARD;
    o.content_template = "{{.Nope}}";
    assert_int_equal(signer_opts_validate(&o, &err), HP_OK);

    signer_mode m;
    assert_int_equal(signer_parse_mode("standard", &m), HP_OK);
    assert_int_equal(m, SIGNER_MODE_STANDARD);
    assert_int_equal(signer_parse_mode("fancy", &m), HP_EINVAL);
    signer_encoding e;
    assert_int_equal(signer_parse_encoding("base32", &e), HP_EINVAL);
    assert_true(signer_header_name_valid("X-Outpost_1"));
    assert_false(signer_header_name_valid("_x"));
    assert_false(signer_header_name_valid(""));
    assert_true(signer_header_name_reserved("Content-Length"));
}

static void test_merge_metadata(void **state)
{
    (void)state;
    json_t *dm = json_pack("{s:s, s:s, s:b, s:i, s:n}", "topic", "dm-topic", "a", "dm", "flag", 1, "num", 7, "nil");
    json_t *em = json_pack("{s:s}", "a", "em");
    json_t *m = signer_merge_metadata("evt_1", "t", 1717230216120LL, dm, em, true);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "event-id")), "evt_1");
    assert_string_equal(json_string_value(json_object_get(m, "topic")), "dm-topic");
    assert_string_equal(json_string_value(json_object_get(m, "timestamp")), "2024-06-01T08:23:36Z");
    assert_string_equal(json_string_value(json_object_get(m, "timestamp-ms")), "2024-06-01T08:23:36.12Z");
    assert_string_equal(json_string_value(json_object_get(m, "a")), "em");
    assert_string_equal(json_string_value(json_object_get(m, "flag")), "true");
    assert_string_equal(json_string_value(json_object_get(m, "num")), "7");
    assert_null(json_object_get(m, "nil"));
    json_decref(m);

    m = signer_merge_metadata("evt_1", NULL, 1717230216000LL, NULL, NULL, true);
    assert_string_equal(json_string_value(json_object_get(m, "topic")), "");
    assert_string_equal(json_string_value(json_object_get(m, "timestamp-ms")), "2024-06-01T08:23:36Z");
    json_decref(m);
    json_decref(dm);
    json_decref(em);
}

static void test_generate_secret(void **state)
{
    (void)state;
    signer_opts o;
    char *s = NULL, *t = NULL;
    signer_opts_default(&o);
    compiled(&o);
    assert_int_equal(signer_generate_secret(&o, &s), HP_OK);
    assert_int_equal(signer_generate_secret(&o, &t), HP_OK);
    assert_int_equal(strlen(s), 6 + 64);
    assert_int_equal(strncmp(s, "whsec_", 6), 0);
    assert_int_equal(strspn(s + 6, "0123456789abcdef"), 64);
    assert_string_not_equal(s, t);
    free(s);
    free(t);
    signer_opts_free(&o);

    signer_opts_default(&o); /* uncompiled, custom template */
    o.secret_template = "sk_{{.RandomAlphanumeric}}_{{.RandomBase64}}";
    assert_int_equal(signer_generate_secret(&o, &s), HP_OK);
    assert_int_equal(strlen(s), 3 + 32 + 1 + 44);
    assert_int_equal(strspn(s + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"), 32);
    assert_int_equal(s[35], '_');
    free(s);

    /* Standard mode ignores the template: whsec_ + base64(32 bytes), and the
     * result signs. */
    o.mode = SIGNER_MODE_STANDARD;
    assert_int_equal(signer_generate_secret(&o, &s), HP_OK);
    assert_int_equal(strlen(s), 6 + 44);
    assert_int_equal(strncmp(s, "whsec_", 6), 0);
    assert_string_equal(s + 6 + 43, "=");
    signer_input in = input(s);
    hdrs h;
    sign(&o, &in, &h);
    assert_int_equal(strncmp(get(&h, "webhook-signature"), "v1,", 3), 0);
    drop(&h);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_vectors),
        cmocka_unit_test(test_standard_rotation_and_metadata),
        cmocka_unit_test(test_default_headers_and_hmac),
        cmocka_unit_test(test_default_rotation),
        cmocka_unit_test(test_header_names),
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_merge_metadata),
        cmocka_unit_test(test_generate_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
