/* crypto.c - AES-256-GCM sealing, HMAC, randomness and codecs over OpenSSL 3. */
#include "core/crypto.h"
#include "core/err.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NONCE_LEN 12
#define TAG_LEN 16

/* Small requests (ids) are served from a per-thread block of CSPRNG output:
 * one RAND_bytes call per 4 KiB instead of per id. Bytes are handed out once
 * and wiped as they go. */
#define RANDOM_BLOCK 4096
#define RANDOM_SMALL 64

int crypto_random(void *buf, size_t n)
{
    static _Thread_local uint8_t block[RANDOM_BLOCK];
    static _Thread_local size_t left;
    if (n > RANDOM_SMALL) return RAND_bytes(buf, (int)n) == 1 ? HP_OK : HP_ECRYPTO;
    if (left < n) {
        if (RAND_bytes(block, sizeof block) != 1) return HP_ECRYPTO;
        left = sizeof block;
    }
    uint8_t *from = block + sizeof block - left;
    memcpy(buf, from, n);
    memset(from, 0, n);
    left -= n;
    return HP_OK;
}

void crypto_sha256(const void *msg, size_t n, uint8_t out[32])
{
    SHA256(msg, n, out);
}

void crypto_key_derive(const char *secret, uint8_t key[CRYPTO_KEY_LEN])
{
    crypto_sha256(secret, strlen(secret), key);
}

int crypto_seal(const uint8_t key[CRYPTO_KEY_LEN], const void *pt, size_t n,
                uint8_t **out, size_t *out_len)
{
    uint8_t *buf = malloc(NONCE_LEN + n + TAG_LEN);
    if (!buf) return HP_ENOMEM;
    int rc = HP_ECRYPTO, len = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx || crypto_random(buf, NONCE_LEN) != HP_OK) goto done;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf) != 1) goto done;
    if (n && EVP_EncryptUpdate(ctx, buf + NONCE_LEN, &len, pt, (int)n) != 1) goto done;
    if (EVP_EncryptFinal_ex(ctx, buf + NONCE_LEN + len, &len) != 1) goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + NONCE_LEN + n) != 1) goto done;
    *out = buf;
    *out_len = NONCE_LEN + n + TAG_LEN;
    buf = NULL;
    rc = HP_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    free(buf);
    return rc;
}

int crypto_open(const uint8_t key[CRYPTO_KEY_LEN], const uint8_t *in, size_t n,
                char **pt, size_t *pt_len)
{
    if (n < NONCE_LEN + TAG_LEN) return HP_ECRYPTO;
    size_t body = n - NONCE_LEN - TAG_LEN;
    char *buf = malloc(body + 1);
    if (!buf) return HP_ENOMEM;
    int rc = HP_ECRYPTO, len = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx) goto done;
    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in) != 1) goto done;
    if (body && EVP_DecryptUpdate(ctx, (uint8_t *)buf, &len, in + NONCE_LEN, (int)body) != 1) goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)(in + NONCE_LEN + body)) != 1) goto done;
    if (EVP_DecryptFinal_ex(ctx, (uint8_t *)buf + len, &len) != 1) goto done;
    buf[body] = '\0';
    *pt = buf;
    *pt_len = body;
    buf = NULL;
    rc = HP_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    free(buf);
    return rc;
}

/* One HMAC context per thread and digest, kept for the thread's life and
 * re-keyed per call: OpenSSL's one-shot HMAC() looks the algorithms up on
 * every call, which costs more than the MAC of a webhook body. The fetched
 * EVP_MAC is immutable and shared; the contexts are freed at thread exit. */
enum { HMAC_SHA256, HMAC_SHA1, HMAC_DIGESTS };
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;
static pthread_key_t hmac_key;
static EVP_MAC *hmac_mac;

typedef struct {
    EVP_MAC_CTX *ctx[HMAC_DIGESTS];
} hmac_contexts;

static void hmac_contexts_free(void *arg)
{
    hmac_contexts *h = arg;
    for (int i = 0; i < HMAC_DIGESTS; i++) EVP_MAC_CTX_free(h->ctx[i]);
    free(h);
}

static void hmac_setup(void)
{
    if (pthread_key_create(&hmac_key, hmac_contexts_free) == 0) hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static EVP_MAC_CTX *hmac_context(int digest)
{
    pthread_once(&hmac_once, hmac_setup);
    if (!hmac_mac) return NULL;
    hmac_contexts *h = pthread_getspecific(hmac_key);
    if (!h) {
        if (!(h = calloc(1, sizeof *h))) return NULL;
        if (pthread_setspecific(hmac_key, h) != 0) {
            free(h);
            return NULL;
        }
    }
    if (!h->ctx[digest]) {
        char *name = digest == HMAC_SHA256 ? "SHA256" : "SHA1";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
                               OSSL_PARAM_construct_end()};
        EVP_MAC_CTX *c = EVP_MAC_CTX_new(hmac_mac);
        if (!c || !EVP_MAC_CTX_set_params(c, params)) {
            EVP_MAC_CTX_free(c);
            return NULL;
        }
        h->ctx[digest] = c;
    }
    return h->ctx[digest];
}

int crypto_hmac(const char *alg, const void *key, size_t key_len,
                const void *msg, size_t msg_len, uint8_t out[32], size_t *out_len)
{
    int digest;
    if (strcmp(alg, "sha256") == 0) digest = HMAC_SHA256;
    else if (strcmp(alg, "sha1") == 0) digest = HMAC_SHA1;
    else return HP_EINVAL;
    EVP_MAC_CTX *c = hmac_context(digest);
    size_t len = 0;
    /* never a NULL key: EVP_MAC_init would keep this thread's previous one */
    if (!c || !EVP_MAC_init(c, key_len ? key : (const void *)"", key_len, NULL) || !EVP_MAC_update(c, msg, msg_len) ||
        !EVP_MAC_final(c, out, &len, 32))
        return HP_ECRYPTO;
    *out_len = len;
    return HP_OK;
}

char *crypto_hex(const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);
    if (!s) return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[in[i] >> 4];
        s[2 * i + 1] = digits[in[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

char *crypto_b64(const uint8_t *in, size_t n)
{
    char *s = malloc(4 * ((n + 2) / 3) + 1);
    if (!s) return NULL;
    EVP_EncodeBlock((unsigned char *)s, in, (int)n);
    return s;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int crypto_b64_decode(const char *in, uint8_t **out, size_t *out_len)
{
    size_t n = strlen(in);
    /* padding only at the end, at most two, and only to complete a quantum */
    size_t pad = 0;
    while (pad < n && in[n - 1 - pad] == '=') pad++;
    size_t data = n - pad;
    if (pad > (4 - data % 4) % 4 || data % 4 == 1) return HP_EINVAL;
    uint8_t *buf = malloc(data / 4 * 3 + 3);
    if (!buf) return HP_ENOMEM;
    size_t len = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data; i++) {
        int v = b64_value(in[i]);
        if (v < 0) {
            free(buf);
            return HP_EINVAL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[len++] = (uint8_t)(acc >> bits);
        }
    }
    *out = buf;
    *out_len = len;
    return HP_OK;
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
