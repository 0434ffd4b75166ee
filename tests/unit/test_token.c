/* test_token.c - unit tests for src/core/token.c: tenant JWTs. Issued tokens
 * are decoded by hand (header, claims, HS256 signature recomputed with
 * OpenSSL); tokens to verify are built by hand so every rejection path (alg
 * none, non-HMAC algorithms, wrong secret, expiry, issuer, subject, garbage)
 * is exercised with an otherwise valid token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <jwt.h>

#include "core/err.h"
#include "core/token.h"

#define SECRET "jwt-test-secret-0123456789"
#define NOW INT64_C(1717230216)

static char SENTINEL_TENANT[] = "untouched";

/* ---- base64url helpers (independent of the code under test) ---- */

static char *b64url(const void *data, size_t n) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const uint8_t *p = data;
    char *out = malloc(4 * (n / 3 + 1) + 1), *o = out;
    assert_non_null(out);
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = a[v >> 18 & 63], *o++ = a[v >> 12 & 63], *o++ = a[v >> 6 & 63], *o++ = a[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *o++ = a[v >> 18 & 63], *o++ = a[v >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *o++ = a[v >> 18 & 63], *o++ = a[v >> 12 & 63], *o++ = a[v >> 6 & 63];
    }
    *o = '\0';
    return out;
}

static int b64url_val(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Decodes s[0..n) (unpadded base64url) into a NUL-terminated string. */
static char *b64url_decode(const char *s, size_t n) {
    char *out = malloc(n * 3 / 4 + 2);
    assert_non_null(out);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val(s[i]);
        assert_true(v >= 0); /* an issued token uses the URL-safe alphabet, no padding */
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xff);
        }
    }
    out[o] = '\0';
    return out;
}

/* Builds header.payload.signature; md NULL = empty signature. */
static char *make_token(const char *header, const char *payload, const EVP_MD *md, const char *key) {
    char *h = b64url(header, strlen(header));
    char *p = b64url(payload, strlen(payload));
    size_t n = strlen(h) + strlen(p) + 2;
    char *signing = malloc(n);
    assert_non_null(signing);
    snprintf(signing, n, "%s.%s", h, p);
    char *sig = strdup("");
    if (md) {
        uint8_t mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;
        assert_non_null(HMAC(md, key, (int)strlen(key), (const uint8_t *)signing, strlen(signing), mac, &mac_len));
        free(sig);
        sig = b64url(mac, mac_len);
    }
    size_t tn = n + strlen(sig) + 1;
    char *tok = malloc(tn);
    assert_non_null(tok);
    snprintf(tok, tn, "%s.%s", signing, sig);
    free(h);
    free(p);
    free(signing);
    free(sig);
    return tok;
}

static char *claims_json(const char *iss, const char *sub, int64_t exp, const char *extra) {
    json_t *o = json_object();
    if (iss) json_object_set_new(o, "iss", json_string(iss));
    if (sub) json_object_set_new(o, "sub", json_string(sub));
    json_object_set_new(o, "iat", json_integer(NOW - 10));
    if (exp) json_object_set_new(o, "exp", json_integer(exp));
    if (extra) {
        json_t *e = json_loads(extra, 0, NULL);
        assert_non_null(e);
        json_object_update(o, e);
        json_decref(e);
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(s);
    return s;
}

static const char *const HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* A correctly signed HS256 token with the given claims. */
static char *signed_token(const char *iss, const char *sub, int64_t exp, const char *extra) {
    char *c = claims_json(iss, sub, exp, extra);
    char *t = make_token(HS256, c, EVP_sha256(), SECRET);
    free(c);
    return t;
}

/* token_verify must refuse tok with HP_EDENIED and leave *out untouched. */
static void assert_denied_with(const char *secret, const char *tok) {
    token_claims c = {.tenant_id = SENTINEL_TENANT, .read_only = true, .expires_at = 77};
    int rc = token_verify(secret, NULL, tok, NOW, &c);
    if (rc != HP_EDENIED) {
        print_error("token_verify(%s) = %d, want HP_EDENIED\n", tok ? tok : "(null)", rc);
        if (rc == HP_OK) token_claims_free(&c);
        fail();
    }
    assert_ptr_equal(c.tenant_id, SENTINEL_TENANT);
    assert_true(c.read_only);
    assert_int_equal(c.expires_at, 77);
}

static void assert_denied(const char *tok) {
    assert_denied_with(SECRET, tok);
}

/* token_verify must accept tok; returns its claims (caller frees). */
static token_claims verify_ok(const char *tok) {
    token_claims c = {0};
    int rc = token_verify(SECRET, NULL, tok, NOW, &c);
    if (rc != HP_OK) {
        print_error("token_verify(%s) = %d, want HP_OK\n", tok, rc);
        fail();
    }
    assert_non_null(c.tenant_id);
    return c;
}

/* ---- issuing ---- */

/* Splits an issued token and returns its decoded header and payload JSON. */
static void decode_parts(const char *tok, json_t **header, json_t **payload, char **sig_b64, char **signing) {
    const char *d1 = strchr(tok, '.');
    assert_non_null(d1);
    const char *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));
    char *h = b64url_decode(tok, (size_t)(d1 - tok));
    char *p = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1));
    json_error_t e;
    *header = json_loads(h, 0, &e);
    assert_non_null(*header);
    *payload = json_loads(p, 0, &e);
    assert_non_null(*payload);
    free(h);
    free(p);
    *sig_b64 = strdup(d2 + 1);
    *signing = strndup(tok, (size_t)(d2 - tok));
}

static void test_issue_claims(void **state) {
    (void)state;
    char *tok = NULL;
    assert_int_equal(token_issue(SECRET, "tenant_1", NULL, NOW, 3600, false, &tok), HP_OK);
    assert_non_null(tok);

    json_t *h, *p;
    char *sig, *signing;
    decode_parts(tok, &h, &p, &sig, &signing);
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "HS256");
    assert_string_equal(json_string_value(json_object_get(p, "iss")), "outpost");
    assert_string_equal(json_string_value(json_object_get(p, "sub")), "tenant_1");
    assert_true(json_is_integer(json_object_get(p, "iat")));
    assert_true(json_is_integer(json_object_get(p, "exp")));
    assert_int_equal(json_integer_value(json_object_get(p, "iat")), NOW);
    assert_int_equal(json_integer_value(json_object_get(p, "exp")), NOW + 3600);
    assert_null(json_object_get(p, "permissions")); /* full access: no claim */
    assert_null(json_object_get(p, "deployment_id"));

    /* the signature is HMAC-SHA256(secret, header.payload), base64url */
    uint8_t mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const uint8_t *)signing, strlen(signing), mac, &mac_len);
    char *want_sig = b64url(mac, mac_len);
    assert_string_equal(sig, want_sig);
    free(want_sig);

    json_decref(h);
    json_decref(p);
    free(sig);
    free(signing);
    free(tok);
}

static void test_issue_options(void **state) {
    (void)state;
    char *tok = NULL;
    json_t *h, *p;
    char *sig, *signing;

    assert_int_equal(token_issue(SECRET, "t2", "dep-1", NOW, TOKEN_DEFAULT_TTL_S, true, &tok), HP_OK);
    decode_parts(tok, &h, &p, &sig, &signing);
    assert_string_equal(json_string_value(json_object_get(p, "deployment_id")), "dep-1");
    assert_int_equal(json_integer_value(json_object_get(p, "exp")), NOW + 24 * 3600);
    assert_int_equal(json_integer_value(json_object_get(p, "iat")), NOW);
    json_t *perms = json_object_get(p, "permissions");
    assert_true(json_is_array(perms));
    assert_int_equal(json_array_size(perms), 1);
    assert_string_equal(json_string_value(json_array_get(perms, 0)), "read");
    json_decref(h);
    json_decref(p);
    free(sig);
    free(signing);
    free(tok);

    /* empty deployment id: no claim */
    assert_int_equal(token_issue(SECRET, "t3", "", NOW, 60, false, &tok), HP_OK);
    decode_parts(tok, &h, &p, &sig, &signing);
    assert_null(json_object_get(p, "deployment_id"));
    assert_int_equal(json_integer_value(json_object_get(p, "exp")), NOW + 60);
    json_decref(h);
    json_decref(p);
    free(sig);
    free(signing);
    free(tok);

    /* a tenant id needing JSON escaping survives */
    assert_int_equal(token_issue(SECRET, "we\"ird/ténant", NULL, NOW, 60, false, &tok), HP_OK);
    token_claims c = verify_ok(tok);
    assert_string_equal(c.tenant_id, "we\"ird/ténant");
    token_claims_free(&c);
    free(tok);
}

static void test_issue_bad_args(void **state) {
    (void)state;
    char *tok = SENTINEL_TENANT;
    assert_int_equal(token_issue(NULL, "t", NULL, NOW, 60, false, &tok), HP_EINVAL);
    assert_int_equal(token_issue("", "t", NULL, NOW, 60, false, &tok), HP_EINVAL);
    assert_int_equal(token_issue(SECRET, NULL, NULL, NOW, 60, false, &tok), HP_EINVAL);
    assert_int_equal(token_issue(SECRET, "t", NULL, NOW, 0, false, &tok), HP_EINVAL);
    assert_int_equal(token_issue(SECRET, "t", NULL, NOW, -60, false, &tok), HP_EINVAL);
    assert_ptr_equal(tok, SENTINEL_TENANT);
}

/* ---- verifying ---- */

static void test_round_trip(void **state) {
    (void)state;
    char *tok = NULL;
    assert_int_equal(token_issue(SECRET, "tenant_rt", NULL, NOW, 600, false, &tok), HP_OK);
    token_claims c = verify_ok(tok);
    assert_string_equal(c.tenant_id, "tenant_rt");
    assert_false(c.read_only);
    assert_int_equal(c.expires_at, NOW + 600);
    token_claims_free(&c);
    assert_null(c.tenant_id);
    token_claims_free(&c); /* idempotent */
    token_claims_free(NULL);

    /* valid until the last second before exp */
    token_claims c2 = {0};
    assert_int_equal(token_verify(SECRET, NULL, tok, NOW + 599, &c2), HP_OK);
    token_claims_free(&c2);
    free(tok);

    assert_int_equal(token_issue(SECRET, "tenant_ro", NULL, NOW, 600, true, &tok), HP_OK);
    c = verify_ok(tok);
    assert_string_equal(c.tenant_id, "tenant_ro");
    assert_true(c.read_only);
    assert_int_equal(c.expires_at, NOW + 600);
    token_claims_free(&c);
    free(tok);
}

static void test_expired(void **state) {
    (void)state;
    char *tok = NULL;
    assert_int_equal(token_issue(SECRET, "t", NULL, NOW, 60, false, &tok), HP_OK);
    token_claims c = {.tenant_id = SENTINEL_TENANT};
    assert_int_equal(token_verify(SECRET, NULL, tok, NOW + 60, &c), HP_EDENIED); /* exp itself */
    assert_int_equal(token_verify(SECRET, NULL, tok, NOW + 61, &c), HP_EDENIED);
    assert_int_equal(token_verify(SECRET, NULL, tok, NOW + 86400 * 365, &c), HP_EDENIED);
    assert_ptr_equal(c.tenant_id, SENTINEL_TENANT);
    free(tok);

    tok = signed_token("outpost", "t", NOW - 1, NULL);
    assert_denied(tok);
    free(tok);
    tok = signed_token("outpost", "t", NOW, NULL);
    assert_denied(tok);
    free(tok);
    tok = signed_token("outpost", "t", 0, NULL); /* no exp at all */
    assert_denied(tok);
    free(tok);
    tok = signed_token("outpost", "t", 0, "{\"exp\":\"9999999999\"}"); /* not a number */
    assert_denied(tok);
    free(tok);
    tok = signed_token("outpost", "t", NOW + 1, NULL);
    token_claims ok = verify_ok(tok);
    assert_int_equal(ok.expires_at, NOW + 1);
    token_claims_free(&ok);
    free(tok);
}

static void test_wrong_secret(void **state) {
    (void)state;
    char *tok = NULL;
    assert_int_equal(token_issue("another-secret", "t", NULL, NOW, 600, false, &tok), HP_OK);
    assert_denied(tok);
    free(tok);
    assert_int_equal(token_issue(SECRET, "t", NULL, NOW, 600, false, &tok), HP_OK);
    assert_denied_with(SECRET "x", tok);
    assert_denied_with("jwt-test-secret-012345678", tok); /* a prefix of the secret */
    assert_denied_with("", tok);
    assert_denied_with(NULL, tok);
    free(tok);
}

static void test_tampered(void **state) {
    (void)state;
    char *good = signed_token("outpost", "tenant_a", NOW + 600, NULL);
    token_claims c = verify_ok(good);
    assert_string_equal(c.tenant_id, "tenant_a");
    token_claims_free(&c);

    /* swap in another payload, keep the signature */
    char *other = signed_token("outpost", "tenant_b", NOW + 600, NULL);
    const char *gsig = strrchr(good, '.');
    const char *osig = strrchr(other, '.');
    size_t prefix = (size_t)(osig - other);
    char *forged = malloc(prefix + strlen(gsig) + 1);
    assert_non_null(forged);
    memcpy(forged, other, prefix);
    strcpy(forged + prefix, gsig);
    assert_denied(forged);
    free(forged);

    /* flip a character of the signature */
    char *flip = strdup(good);
    char *s = strrchr(flip, '.') + 1;
    s[3] = s[3] == 'A' ? 'B' : 'A';
    assert_denied(flip);
    free(flip);

    /* drop the signature */
    char *nosig = strdup(good);
    strrchr(nosig, '.')[1] = '\0';
    assert_denied(nosig);
    free(nosig);
    free(good);
    free(other);
}

static void test_alg_none(void **state) {
    (void)state;
    char *claims = claims_json("outpost", "tenant_1", NOW + 600, NULL);
    char *tok = make_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, NULL, NULL);
    assert_non_null(strstr(tok, "."));
    assert_int_equal(tok[strlen(tok) - 1], '.'); /* header.payload. */
    assert_denied(tok);
    /* without the trailing dot */
    tok[strlen(tok) - 1] = '\0';
    assert_denied(tok);
    free(tok);
    /* other spellings of none */
    tok = make_token("{\"alg\":\"None\",\"typ\":\"JWT\"}", claims, NULL, NULL);
    assert_denied(tok);
    free(tok);
    tok = make_token("{\"typ\":\"JWT\"}", claims, NULL, NULL);
    assert_denied(tok);
    free(tok);
    /* "none" with a valid HMAC signature attached is still none */
    tok = make_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET);
    assert_denied(tok);
    free(tok);
    free(claims);
}

static void test_hmac_family_accepted(void **state) {
    (void)state;
    char *claims = claims_json("outpost", "tenant_h", NOW + 600, NULL);
    char *tok = make_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims, EVP_sha512(), SECRET);
    token_claims c = verify_ok(tok);
    assert_string_equal(c.tenant_id, "tenant_h");
    assert_int_equal(c.expires_at, NOW + 600);
    assert_false(c.read_only);
    token_claims_free(&c);
    free(tok);

    tok = make_token("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", claims, EVP_sha384(), SECRET);
    c = verify_ok(tok);
    assert_string_equal(c.tenant_id, "tenant_h");
    token_claims_free(&c);
    free(tok);

    /* HS512 but with the wrong secret */
    tok = make_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims, EVP_sha512(), "nope");
    assert_denied(tok);
    free(tok);
    /* the header's algorithm must match the signature's */
    tok = make_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET);
    assert_denied(tok);
    free(tok);
    tok = make_token(HS256, claims, EVP_sha512(), SECRET);
    assert_denied(tok);
    free(tok);
    free(claims);
}

static void test_non_hmac_rejected(void **state) {
    (void)state;
    char *claims = claims_json("outpost", "tenant_1", NOW + 600, NULL);
    /* the classic key-confusion forgery: RS256 label, HMAC-signed with the secret */
    char *tok = make_token("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET);
    assert_denied(tok);
    free(tok);
    tok = make_token("{\"alg\":\"ES256\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET);
    assert_denied(tok);
    free(tok);
    tok = make_token("{\"alg\":\"PS256\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET);
    assert_denied(tok);
    free(tok);
    tok = make_token("{\"alg\":\"HS999\",\"typ\":\"JWT\"}", claims, EVP_sha256(), SECRET);
    assert_denied(tok);
    free(tok);
    free(claims);
}

/* Signs header.payload with RS256 under pkey. */
static char *make_rs256_token(const char *payload, EVP_PKEY *pkey) {
    const char *header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    char *h = b64url(header, strlen(header));
    char *p = b64url(payload, strlen(payload));
    size_t n = strlen(h) + strlen(p) + 2;
    char *signing = malloc(n);
    assert_non_null(signing);
    snprintf(signing, n, "%s.%s", h, p);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_non_null(md);
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey), 1);
    size_t sig_len = 0;
    assert_int_equal(EVP_DigestSign(md, NULL, &sig_len, (const uint8_t *)signing, strlen(signing)), 1);
    uint8_t *sig = malloc(sig_len);
    assert_non_null(sig);
    assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (const uint8_t *)signing, strlen(signing)), 1);
    EVP_MD_CTX_free(md);
    char *sig64 = b64url(sig, sig_len);
    size_t tn = n + strlen(sig64) + 1;
    char *tok = malloc(tn);
    assert_non_null(tok);
    snprintf(tok, tn, "%s.%s", signing, sig64);
    free(h);
    free(p);
    free(signing);
    free(sig);
    free(sig64);
    return tok;
}

static void test_rs256_with_valid_signature_rejected(void **state) {
    (void)state;
    /* If API_JWT_SECRET happens to be a PEM public key, libjwt itself would
     * accept a correctly RS256-signed token; token_verify must still refuse
     * anything outside the HMAC family. */
    EVP_PKEY *pkey = EVP_RSA_gen(2048);
    assert_non_null(pkey);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PUBKEY(bio, pkey), 1);
    char *pem_data = NULL;
    long pem_len = BIO_get_mem_data(bio, &pem_data);
    assert_true(pem_len > 0);
    char *pem = strndup(pem_data, (size_t)pem_len);
    BIO_free(bio);

    char *claims = claims_json("outpost", "tenant_rsa", NOW + 600, NULL);
    char *tok = make_rs256_token(claims, pkey);
    /* the control: libjwt accepts this token with this key */
    jwt_t *jwt = NULL;
    assert_int_equal(jwt_decode(&jwt, tok, (const unsigned char *)pem, (int)strlen(pem)), 0);
    assert_int_equal(jwt_get_alg(jwt), JWT_ALG_RS256);
    jwt_free(jwt);
    /* token_verify does not */
    assert_denied_with(pem, tok);

    free(tok);
    free(claims);
    free(pem);
    EVP_PKEY_free(pkey);
}

static void test_issuer_and_subject(void **state) {
    (void)state;
    char *tok = signed_token("other", "t", NOW + 600, NULL);
    assert_denied(tok);
    free(tok);
    tok = signed_token("Outpost", "t", NOW + 600, NULL);
    assert_denied(tok);
    free(tok);
    tok = signed_token("outpost ", "t", NOW + 600, NULL);
    assert_denied(tok);
    free(tok);
    tok = signed_token("", "t", NOW + 600, NULL);
    assert_denied(tok);
    free(tok);
    tok = signed_token(NULL, "t", NOW + 600, NULL); /* no iss */
    assert_denied(tok);
    free(tok);
    tok = signed_token(NULL, "t", NOW + 600, "{\"iss\":42}");
    assert_denied(tok);
    free(tok);
    tok = signed_token("outpost", NULL, NOW + 600, NULL); /* no sub */
    assert_denied(tok);
    free(tok);
    tok = signed_token("outpost", "", NOW + 600, NULL);
    assert_denied(tok);
    free(tok);
    tok = signed_token("outpost", NULL, NOW + 600, "{\"sub\":123}");
    assert_denied(tok);
    free(tok);
    /* the control: same construction, valid claims */
    tok = signed_token("outpost", "t", NOW + 600, NULL);
    token_claims c = verify_ok(tok);
    assert_string_equal(c.tenant_id, "t");
    token_claims_free(&c);
    free(tok);
}

static void test_garbage(void **state) {
    (void)state;
    assert_denied(NULL);
    assert_denied("");
    assert_denied("garbage");
    assert_denied("a.b.c");
    assert_denied("...");
    assert_denied("..");
    assert_denied("eyJhbGciOiJIUzI1NiJ9");
    assert_denied("eyJhbGciOiJIUzI1NiJ9..");
    assert_denied("Bearer x.y.z");
    char *bad_header = make_token("not json", "{\"iss\":\"outpost\"}", EVP_sha256(), SECRET);
    assert_denied(bad_header);
    free(bad_header);
    char *bad_payload = make_token(HS256, "not json", EVP_sha256(), SECRET);
    assert_denied(bad_payload);
    free(bad_payload);
    char *arr_payload = make_token(HS256, "[1,2]", EVP_sha256(), SECRET);
    assert_denied(arr_payload);
    free(arr_payload);
    /* a valid token with junk around it */
    char *tok = signed_token("outpost", "t", NOW + 600, NULL);
    size_t n = strlen(tok);
    char *junk = malloc(n + 3);
    assert_non_null(junk);
    snprintf(junk, n + 3, "%s.x", tok);
    assert_denied(junk);
    snprintf(junk, n + 3, " %s", tok);
    assert_denied(junk);
    free(junk);
    free(tok);
}

static void test_permissions(void **state) {
    (void)state;
    static const struct {
        const char *extra;
        bool read_only;
    } cases[] = {
        {NULL, false},
        {"{\"permissions\":[\"read\"]}", true},
        {"{\"permissions\":[\"read\",\"write\"]}", false},
        {"{\"permissions\":[\"write\",\"read\"]}", false},
        {"{\"permissions\":[\"write\"]}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *tok = signed_token("outpost", "tenant_p", NOW + 600, cases[i].extra);
        token_claims c = verify_ok(tok);
        if (c.read_only != cases[i].read_only) {
            print_error("permissions %s: read_only %d, want %d\n", cases[i].extra ? cases[i].extra : "(absent)",
                        c.read_only, cases[i].read_only);
            token_claims_free(&c);
            free(tok);
            fail();
        }
        assert_string_equal(c.tenant_id, "tenant_p");
        token_claims_free(&c);
        free(tok);
    }
}

/* DEPLOYMENT_ID: a token is good only where its deployment_id claim (or
 * its absence) matches the verifier's. */
static void test_deployment(void **state) {
    (void)state;
    char *mine = NULL, *none = NULL;
    assert_int_equal(token_issue(SECRET, "t1", "dep-1", NOW, 60, false, &mine), HP_OK);
    assert_int_equal(token_issue(SECRET, "t1", NULL, NOW, 60, false, &none), HP_OK);
    token_claims c = {0};
    assert_int_equal(token_verify(SECRET, "dep-1", mine, NOW, &c), HP_OK);
    assert_string_equal(c.tenant_id, "t1");
    token_claims_free(&c);
    assert_int_equal(token_verify(SECRET, "dep-2", mine, NOW, &c), HP_EDENIED);
    assert_int_equal(token_verify(SECRET, NULL, mine, NOW, &c), HP_EDENIED);
    assert_int_equal(token_verify(SECRET, "", mine, NOW, &c), HP_EDENIED);
    assert_int_equal(token_verify(SECRET, "dep-1", none, NOW, &c), HP_EDENIED);
    assert_int_equal(token_verify(SECRET, "", none, NOW, &c), HP_OK);
    token_claims_free(&c);
    assert_null(c.tenant_id);
    free(mine);
    free(none);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_claims),
        cmocka_unit_test(test_issue_options),
        cmocka_unit_test(test_issue_bad_args),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_expired),
        cmocka_unit_test(test_wrong_secret),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_alg_none),
        cmocka_unit_test(test_hmac_family_accepted),
        cmocka_unit_test(test_non_hmac_rejected),
        cmocka_unit_test(test_rs256_with_valid_signature_rejected),
        cmocka_unit_test(test_issuer_and_subject),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_deployment),
    };
    return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
