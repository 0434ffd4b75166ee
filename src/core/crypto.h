/* crypto.h - the primitives hookpost needs, over OpenSSL 3.
 *
 * AES-256-GCM sealing of secrets at rest, HMAC for signatures, a CSPRNG and
 * the hex/base64 codecs that go with them. All functions are thread-safe;
 * the only state is per thread (a block of random bytes, HMAC contexts),
 * released when the thread ends. Errors follow err.h. Buffers returned through `char **` /
 * `uint8_t **` out-parameters are malloc'd and owned by the caller (free()). */
#ifndef HP_CRYPTO_H
#define HP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_KEY_LEN 32

/* Fills buf with n cryptographically random bytes. HP_OK or HP_ECRYPTO. */
int crypto_random(void *buf, size_t n);

/* Derives the 32-byte AES key from AES_ENCRYPTION_SECRET (SHA-256 of the
 * secret's bytes, so any secret length works). */
void crypto_key_derive(const char *secret, uint8_t key[CRYPTO_KEY_LEN]);

/* Seals pt with AES-256-GCM under a fresh random 12-byte nonce. *out receives
 * nonce || ciphertext || 16-byte tag (n + 28 bytes). HP_OK, HP_ENOMEM, HP_ECRYPTO. */
int crypto_seal(const uint8_t key[CRYPTO_KEY_LEN], const void *pt, size_t n,
                uint8_t **out, size_t *out_len);

/* Opens what crypto_seal produced. *pt is NUL-terminated (not counted in
 * *pt_len). HP_ECRYPTO when the input is short, tampered or under another key. */
int crypto_open(const uint8_t key[CRYPTO_KEY_LEN], const uint8_t *in, size_t n,
                char **pt, size_t *pt_len);

/* HMAC with SHA-256 (alg "sha256") or SHA-1 (alg "sha1"). out must hold 32
 * bytes; *out_len gets the MAC length. HP_OK or HP_EINVAL for another alg. */
int crypto_hmac(const char *alg, const void *key, size_t key_len,
                const void *msg, size_t msg_len, uint8_t out[32], size_t *out_len);

/* SHA-256 of msg into out. */
void crypto_sha256(const void *msg, size_t n, uint8_t out[32]);

/* Lower-case hex / standard padded base64 encodings; NULL on allocation failure. */
char *crypto_hex(const uint8_t *in, size_t n);
char *crypto_b64(const uint8_t *in, size_t n);

/* Decodes standard base64 (padding optional). HP_EINVAL on bad input. */
int crypto_b64_decode(const char *in, uint8_t **out, size_t *out_len);

/* Constant-time comparison of two n-byte buffers. */
bool crypto_equal(const void *a, const void *b, size_t n);

#endif
