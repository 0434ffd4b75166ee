/* test_crypto.c - unit tests for src/core/crypto.c: AES-256-GCM seal/open
 * (round trips, tampering, wrong keys, nonce freshness, the documented
 * nonce || ciphertext || tag layout), HMAC against the RFC 4231 / RFC 2202
 * vectors, SHA-256 and key derivation, hex and base64 codecs, crypto_equal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "core/crypto.h"
#include "core/err.h"

static const char *const SENTINEL_PTR = "untouched";

static void key_from(uint8_t key[CRYPTO_KEY_LEN], uint8_t seed) {
    for (int i = 0; i < CRYPTO_KEY_LEN; i++) key[i] = (uint8_t)(seed + 7 * i);
}

/* Asserts that the lower-case hex of in[0..n) is want. */
static void assert_hex(const uint8_t *in, size_t n, const char *want) {
    char *h = crypto_hex(in, n);
    assert_non_null(h);
    if (strcmp(h, want) != 0) {
        print_error("got %s, want %s\n", h, want);
        free(h);
        fail();
    }
    free(h);
}

/* Seals pt and opens it again, checking length, layout and contents. */
static void round_trip(const uint8_t key[CRYPTO_KEY_LEN], const void *pt, size_t n) {
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    assert_int_equal(crypto_seal(key, pt, n, &sealed, &sealed_len), HP_OK);
    assert_non_null(sealed);
    assert_int_equal(sealed_len, n + 28);

    char *out = NULL;
    size_t out_len = 12345;
    assert_int_equal(crypto_open(key, sealed, sealed_len, &out, &out_len), HP_OK);
    assert_non_null(out);
    assert_int_equal(out_len, n);
    if (n) assert_memory_equal(out, pt, n);
    assert_int_equal(out[n], '\0'); /* NUL-terminated, not counted */
    free(out);
    free(sealed);
}

static void test_seal_round_trip(void **state) {
    (void)state;
    uint8_t key[CRYPTO_KEY_LEN];
    key_from(key, 1);
    round_trip(key, "", 0);
    round_trip(key, "x", 1);
    round_trip(key, "\0", 1);
    round_trip(key, "super secret value", 18);
    /* a block boundary and its neighbours */
    uint8_t small[33];
    for (size_t i = 0; i < sizeof small; i++) small[i] = (uint8_t)(0xf0 ^ i);
    round_trip(key, small, 15);
    round_trip(key, small, 16);
    round_trip(key, small, 17);
    round_trip(key, small, 33);

    /* 1 MiB of binary data, NULs included */
    size_t big_n = 1u << 20;
    uint8_t *big = malloc(big_n);
    assert_non_null(big);
    assert_int_equal(crypto_random(big, big_n), HP_OK);
    big[0] = 0;
    big[big_n / 2] = 0;
    round_trip(key, big, big_n);
    free(big);
}

static void test_seal_layout_matches_openssl(void **state) {
    (void)state;
    /* The sealed form is stored at rest, so its layout is a contract:
     * 12-byte nonce || ciphertext || 16-byte tag, AES-256-GCM without AAD.
     * Decrypt with OpenSSL directly to pin it. */
    uint8_t key[CRYPTO_KEY_LEN];
    crypto_key_derive("layout-secret", key);
    const char *pt = "whsec_0123456789abcdef";
    size_t n = strlen(pt);
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    assert_int_equal(crypto_seal(key, pt, n, &sealed, &sealed_len), HP_OK);
    assert_int_equal(sealed_len, 12 + n + 16);
    assert_null(memmem(sealed, sealed_len, "whsec_", 6)); /* not stored in clear */

    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    assert_non_null(ctx);
    uint8_t dec[64];
    int len = 0, len2 = 0;
    assert_int_equal(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, sealed), 1);
    assert_int_equal(EVP_DecryptUpdate(ctx, dec, &len, sealed + 12, (int)n), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, sealed + 12 + n), 1);
    assert_int_equal(EVP_DecryptFinal_ex(ctx, dec + len, &len2), 1);
    EVP_CIPHER_CTX_free(ctx);
    assert_int_equal(len + len2, (int)n);
    assert_memory_equal(dec, pt, n);

    /* and the other way: a blob built by OpenSSL opens with crypto_open */
    uint8_t blob[12 + 5 + 16];
    memcpy(blob, "fixed-nonce!", 12);
    ctx = EVP_CIPHER_CTX_new();
    assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, blob), 1);
    assert_int_equal(EVP_EncryptUpdate(ctx, blob + 12, &len, (const uint8_t *)"hello", 5), 1);
    assert_int_equal(EVP_EncryptFinal_ex(ctx, blob + 12 + len, &len2), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, blob + 17), 1);
    EVP_CIPHER_CTX_free(ctx);
    char *out = NULL;
    size_t out_len = 0;
    assert_int_equal(crypto_open(key, blob, sizeof blob, &out, &out_len), HP_OK);
    assert_int_equal(out_len, 5);
    assert_string_equal(out, "hello");
    free(out);
    free(sealed);
}

/* crypto_open must fail with HP_ECRYPTO and leave *pt / *pt_len untouched. */
static void assert_open_fails(const uint8_t key[CRYPTO_KEY_LEN], const uint8_t *in, size_t n) {
    char *out = (char *)SENTINEL_PTR;
    size_t out_len = 4242;
    int rc = crypto_open(key, in, n, &out, &out_len);
    if (rc == HP_OK && out != SENTINEL_PTR) free(out);
    assert_int_equal(rc, HP_ECRYPTO);
    assert_ptr_equal(out, SENTINEL_PTR);
    assert_int_equal(out_len, 4242);
}

static void test_tamper_any_byte(void **state) {
    (void)state;
    uint8_t key[CRYPTO_KEY_LEN];
    key_from(key, 2);
    static const size_t lens[] = {0, 1, 16, 40};
    const char *text = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        uint8_t *sealed = NULL;
        size_t sealed_len = 0;
        assert_int_equal(crypto_seal(key, text, lens[li], &sealed, &sealed_len), HP_OK);
        /* every byte: nonce, ciphertext and tag; both a low and a high bit */
        for (size_t i = 0; i < sealed_len; i++) {
            for (int bit = 0; bit < 8; bit += 7) {
                sealed[i] ^= (uint8_t)(1u << bit);
                assert_open_fails(key, sealed, sealed_len);
                sealed[i] ^= (uint8_t)(1u << bit);
            }
        }
        /* truncated or extended */
        assert_open_fails(key, sealed, sealed_len - 1);
        uint8_t *longer = malloc(sealed_len + 1);
        assert_non_null(longer);
        memcpy(longer, sealed, sealed_len);
        longer[sealed_len] = 0;
        assert_open_fails(key, longer, sealed_len + 1);
        free(longer);
        /* untouched still opens */
        char *out = NULL;
        size_t out_len = 0;
        assert_int_equal(crypto_open(key, sealed, sealed_len, &out, &out_len), HP_OK);
        assert_int_equal(out_len, lens[li]);
        free(out);
        free(sealed);
    }

    /* one flipped byte deep inside a 1 MiB message */
    size_t big_n = 1u << 20;
    uint8_t *big = calloc(1, big_n);
    assert_non_null(big);
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    assert_int_equal(crypto_seal(key, big, big_n, &sealed, &sealed_len), HP_OK);
    sealed[12 + 777777] ^= 0x20;
    assert_open_fails(key, sealed, sealed_len);
    free(sealed);
    free(big);
}

static void test_wrong_key(void **state) {
    (void)state;
    uint8_t key[CRYPTO_KEY_LEN], other[CRYPTO_KEY_LEN];
    crypto_key_derive("right secret", key);
    crypto_key_derive("wrong secret", other);
    for (size_t n = 0; n <= 32; n += 8) {
        uint8_t *sealed = NULL;
        size_t sealed_len = 0;
        assert_int_equal(crypto_seal(key, "abcdefghijklmnopqrstuvwxyz012345", n, &sealed, &sealed_len), HP_OK);
        assert_open_fails(other, sealed, sealed_len);
        /* a key differing in a single bit */
        uint8_t near[CRYPTO_KEY_LEN];
        memcpy(near, key, sizeof near);
        near[CRYPTO_KEY_LEN - 1] ^= 1;
        assert_open_fails(near, sealed, sealed_len);
        free(sealed);
    }
}

static void test_nonces_differ(void **state) {
    (void)state;
    uint8_t key[CRYPTO_KEY_LEN];
    key_from(key, 3);
    const char *pt = "same text every time";
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    assert_int_equal(crypto_seal(key, pt, strlen(pt), &a, &alen), HP_OK);
    assert_int_equal(crypto_seal(key, pt, strlen(pt), &b, &blen), HP_OK);
    assert_int_equal(alen, blen);
    assert_memory_not_equal(a, b, 12);          /* nonce */
    assert_memory_not_equal(a + 12, b + 12, alen - 12); /* hence ciphertext and tag */
    free(a);
    free(b);
    /* many seals of the empty text: all nonces distinct */
    enum { N = 64 };
    uint8_t nonces[N][12];
    for (int i = 0; i < N; i++) {
        uint8_t *s = NULL;
        size_t sl = 0;
        assert_int_equal(crypto_seal(key, "", 0, &s, &sl), HP_OK);
        memcpy(nonces[i], s, 12);
        free(s);
        for (int j = 0; j < i; j++) assert_memory_not_equal(nonces[i], nonces[j], 12);
    }
}

static void test_short_input(void **state) {
    (void)state;
    uint8_t key[CRYPTO_KEY_LEN];
    key_from(key, 4);
    uint8_t junk[64];
    memset(junk, 0x41, sizeof junk);
    for (size_t n = 0; n < 28; n++) assert_open_fails(key, junk, n);
    /* 28 bytes is the empty message, but with a bogus tag */
    assert_open_fails(key, junk, 28);
    assert_open_fails(key, junk, sizeof junk);
}

static void test_hmac_rfc4231(void **state) {
    (void)state;
    uint8_t out[32];
    size_t out_len = 0;
    uint8_t key1[20];
    memset(key1, 0x0b, sizeof key1);
    /* RFC 4231 test case 1 */
    assert_int_equal(crypto_hmac("sha256", key1, sizeof key1, "Hi There", 8, out, &out_len), HP_OK);
    assert_int_equal(out_len, 32);
    assert_hex(out, out_len, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    /* RFC 4231 test case 2 */
    const char *msg2 = "what do ya want for nothing?";
    assert_int_equal(crypto_hmac("sha256", "Jefe", 4, msg2, strlen(msg2), out, &out_len), HP_OK);
    assert_int_equal(out_len, 32);
    assert_hex(out, out_len, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* RFC 4231 test case 6: key longer than the block size */
    uint8_t key6[131];
    memset(key6, 0xaa, sizeof key6);
    const char *msg6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    assert_int_equal(crypto_hmac("sha256", key6, sizeof key6, msg6, strlen(msg6), out, &out_len), HP_OK);
    assert_hex(out, out_len, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_hmac_rfc2202_sha1(void **state) {
    (void)state;
    uint8_t out[32];
    size_t out_len = 0;
    uint8_t key1[20];
    memset(key1, 0x0b, sizeof key1);
    /* RFC 2202 HMAC-SHA-1 test cases 1, 2 and 3 */
    assert_int_equal(crypto_hmac("sha1", key1, sizeof key1, "Hi There", 8, out, &out_len), HP_OK);
    assert_int_equal(out_len, 20);
    assert_hex(out, out_len, "b617318655057264e28bc0b6fb378c8ef146be00");
    const char *msg2 = "what do ya want for nothing?";
    assert_int_equal(crypto_hmac("sha1", "Jefe", 4, msg2, strlen(msg2), out, &out_len), HP_OK);
    assert_int_equal(out_len, 20);
    assert_hex(out, out_len, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    uint8_t key3[20], msg3[50];
    memset(key3, 0xaa, sizeof key3);
    memset(msg3, 0xdd, sizeof msg3);
    assert_int_equal(crypto_hmac("sha1", key3, sizeof key3, msg3, sizeof msg3, out, &out_len), HP_OK);
    assert_hex(out, out_len, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
}

static void test_hmac_bad_alg(void **state) {
    (void)state;
    uint8_t out[32];
    size_t out_len = 777;
    assert_int_equal(crypto_hmac("md5", "k", 1, "m", 1, out, &out_len), HP_EINVAL);
    assert_int_equal(crypto_hmac("sha512", "k", 1, "m", 1, out, &out_len), HP_EINVAL);
    assert_int_equal(crypto_hmac("", "k", 1, "m", 1, out, &out_len), HP_EINVAL);
    assert_int_equal(out_len, 777);
}

static void test_sha256_and_key_derive(void **state) {
    (void)state;
    uint8_t out[32];
    crypto_sha256("abc", 3, out);
    assert_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_sha256("", 0, out);
    assert_hex(out, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    uint8_t key[CRYPTO_KEY_LEN];
    crypto_key_derive("secret", key);
    assert_hex(key, 32, "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
    crypto_key_derive("", key);
    assert_hex(key, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* any length works, and different secrets give different keys */
    char longsecret[1000];
    memset(longsecret, 's', sizeof longsecret - 1);
    longsecret[sizeof longsecret - 1] = '\0';
    uint8_t k2[CRYPTO_KEY_LEN];
    crypto_key_derive(longsecret, k2);
    crypto_sha256(longsecret, strlen(longsecret), out);
    assert_memory_equal(k2, out, 32);
    assert_memory_not_equal(k2, key, 32);
}

static void test_random(void **state) {
    (void)state;
    uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
    assert_int_equal(crypto_random(a, sizeof a), HP_OK);
    assert_int_equal(crypto_random(b, sizeof b), HP_OK);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
    assert_int_equal(crypto_random(a, 0), HP_OK);
}

static void test_hex(void **state) {
    (void)state;
    assert_hex((const uint8_t *)"", 0, "");
    static const uint8_t bytes[] = {0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
    assert_hex(bytes, sizeof bytes, "00010f107f80abcdefff");
    uint8_t all[256];
    for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
    char *h = crypto_hex(all, sizeof all);
    assert_non_null(h);
    assert_int_equal(strlen(h), 512);
    for (int i = 0; i < 256; i++) {
        char want[3];
        snprintf(want, sizeof want, "%02x", i);
        assert_memory_equal(h + 2 * i, want, 2);
    }
    free(h);
}

/* Encodes in[0..n) and compares with want. */
static void assert_b64(const char *in, size_t n, const char *want) {
    char *s = crypto_b64((const uint8_t *)in, n);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

/* Decodes in, which must succeed with exactly want[0..n). */
static void assert_b64_dec(const char *in, const char *want, size_t n) {
    uint8_t *out = NULL;
    size_t out_len = 999;
    int rc = crypto_b64_decode(in, &out, &out_len);
    if (rc != HP_OK) {
        print_error("crypto_b64_decode(\"%s\") = %d, want HP_OK\n", in, rc);
        fail();
    }
    if (out_len != n || (n && memcmp(out, want, n) != 0)) {
        print_error("crypto_b64_decode(\"%s\"): got %zu bytes, want %zu\n", in, out_len, n);
        free(out);
        fail();
    }
    free(out);
}

/* Decoding in must fail with HP_EINVAL, leaving the outputs alone. */
static void assert_b64_bad(const char *in) {
    uint8_t *out = (uint8_t *)SENTINEL_PTR;
    size_t out_len = 999;
    int rc = crypto_b64_decode(in, &out, &out_len);
    if (rc == HP_OK) {
        print_error("crypto_b64_decode(\"%s\") = HP_OK (%zu bytes), want HP_EINVAL\n", in, out_len);
        if (out != (uint8_t *)SENTINEL_PTR) free(out);
        fail();
    }
    assert_int_equal(rc, HP_EINVAL);
    assert_ptr_equal(out, SENTINEL_PTR);
    assert_int_equal(out_len, 999);
}

static void test_b64_rfc4648(void **state) {
    (void)state;
    /* RFC 4648 section 10 */
    assert_b64("", 0, "");
    assert_b64("f", 1, "Zg==");
    assert_b64("fo", 2, "Zm8=");
    assert_b64("foo", 3, "Zm9v");
    assert_b64("foob", 4, "Zm9vYg==");
    assert_b64("fooba", 5, "Zm9vYmE=");
    assert_b64("foobar", 6, "Zm9vYmFy");
    /* standard alphabet, not URL-safe */
    assert_b64("\xfb\xff\xbf", 3, "+/+/");
    assert_b64("\0\0\0", 3, "AAAA");

    assert_b64_dec("", "", 0);
    assert_b64_dec("Zg==", "f", 1);
    assert_b64_dec("Zm8=", "fo", 2);
    assert_b64_dec("Zm9v", "foo", 3);
    assert_b64_dec("Zm9vYg==", "foob", 4);
    assert_b64_dec("Zm9vYmE=", "fooba", 5);
    assert_b64_dec("Zm9vYmFy", "foobar", 6);
    assert_b64_dec("+/+/", "\xfb\xff\xbf", 3);
    assert_b64_dec("AAAA", "\0\0\0", 3);
}

static void test_b64_missing_padding(void **state) {
    (void)state;
    assert_b64_dec("Zg", "f", 1);
    assert_b64_dec("Zg=", "f", 1);
    assert_b64_dec("Zm8", "fo", 2);
    assert_b64_dec("Zm9vYg", "foob", 4);
    assert_b64_dec("Zm9vYg=", "foob", 4);
    assert_b64_dec("Zm9vYmE", "fooba", 5);
    assert_b64_dec("AA", "\0", 1);
}

static void test_b64_invalid(void **state) {
    (void)state;
    assert_b64_bad("Z");         /* one char cannot carry a byte */
    assert_b64_bad("Zm9vY");
    assert_b64_bad("Zm9v!");
    assert_b64_bad("Zm9v!A==");
    assert_b64_bad("Zm9$");
    assert_b64_bad("Zm 9");
    assert_b64_bad("Zm9v Ym=");
    assert_b64_bad("Zm9v\nYmFy");
    assert_b64_bad("Zm9v\nYm");
    assert_b64_bad("Zm9v-_8");   /* URL-safe alphabet is not standard base64 */
    assert_b64_bad("Zm9_");
    assert_b64_bad("Zm9v=");
    assert_b64_bad("Zg===");
    assert_b64_bad("Zm8==");
    assert_b64_bad("\xc3\xa9\xc3\xa9");
}

/* '=' is padding only at the very end and only to complete a quantum;
 * anything else ("====", "Zm9v====", "A===", "Zg=A", "=Zm9", ...) is
 * HP_EINVAL, never made-up bytes or a wrapped length. */
static void test_b64_misplaced_padding(void **state) {
    (void)state;
    assert_b64_bad("====");
    assert_b64_bad("Zm9v====");
    assert_b64_bad("A===");
    assert_b64_bad("Zg=A");
    assert_b64_bad("=Zm9");
    assert_b64_bad("Zm=v");
    assert_b64_bad("Zm9vYmE=Zm9v");
}

static void test_b64_binary_round_trip(void **state) {
    (void)state;
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 151 + 7);
    for (size_t n = 0; n <= sizeof data; n++) {
        char *enc = crypto_b64(data, n);
        assert_non_null(enc);
        assert_int_equal(strlen(enc), 4 * ((n + 2) / 3));
        uint8_t *dec = NULL;
        size_t dec_len = 0;
        assert_int_equal(crypto_b64_decode(enc, &dec, &dec_len), HP_OK);
        assert_int_equal(dec_len, n);
        if (n) assert_memory_equal(dec, data, n);
        free(dec);
        /* and again with the padding stripped */
        size_t l = strlen(enc);
        while (l && enc[l - 1] == '=') enc[--l] = '\0';
        assert_int_equal(crypto_b64_decode(enc, &dec, &dec_len), HP_OK);
        assert_int_equal(dec_len, n);
        if (n) assert_memory_equal(dec, data, n);
        free(dec);
        free(enc);
    }
}

static void test_equal(void **state) {
    (void)state;
    assert_true(crypto_equal("abcdef", "abcdef", 6));
    assert_false(crypto_equal("abcdef", "abcdeg", 6));
    assert_false(crypto_equal("abcdef", "bbcdef", 6));
    assert_true(crypto_equal("abcdef", "abcxyz", 3)); /* only n bytes compared */
    assert_true(crypto_equal("a", "b", 0));
    uint8_t x[64], y[64];
    memset(x, 0x80, sizeof x);
    memcpy(y, x, sizeof y);
    assert_true(crypto_equal(x, y, sizeof x));
    y[31] ^= 0x01;
    assert_false(crypto_equal(x, y, sizeof x));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_round_trip),
        cmocka_unit_test(test_seal_layout_matches_openssl),
        cmocka_unit_test(test_tamper_any_byte),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_nonces_differ),
        cmocka_unit_test(test_short_input),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_hmac_rfc2202_sha1),
        cmocka_unit_test(test_hmac_bad_alg),
        cmocka_unit_test(test_sha256_and_key_derive),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_b64_rfc4648),
        cmocka_unit_test(test_b64_missing_padding),
        cmocka_unit_test(test_b64_invalid),
        cmocka_unit_test(test_b64_misplaced_padding),
        cmocka_unit_test(test_b64_binary_round_trip),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
