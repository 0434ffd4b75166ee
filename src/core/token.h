/* token.h - tenant JWTs: HS256, iss "outpost", sub = tenant id, signed with
 * API_JWT_SECRET. Tokens carry an optional `permissions` claim; ["read"]
 * makes a read-only session (portal support views) that the API enforces.
 *
 * Thread-safe, no state. Errors: HP_EDENIED for any token that must not be
 * accepted (bad signature, alg none or non-HMAC, expired, other issuer,
 * malformed), HP_ENOMEM, HP_EINVAL for bad issuing arguments. */
#ifndef HP_TOKEN_H
#define HP_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#define TOKEN_DEFAULT_TTL_S (24 * 3600)
#define TOKEN_MIN_TTL_S 60
#define TOKEN_MAX_TTL_S (24 * 3600)

typedef struct {
    char *tenant_id;     /* owned; token_claims_free */
    bool read_only;
    int64_t expires_at;  /* unix seconds */
} token_claims;

/* Issues a token for tenant_id valid for ttl_s seconds from now_s.
 * deployment_id may be NULL/empty. *out is malloc'd (caller frees). */
int token_issue(const char *secret, const char *tenant_id, const char *deployment_id, int64_t now_s,
                int64_t ttl_s, bool read_only, char **out);

/* Verifies a token and fills *out: signature (HMAC), iss "outpost", sub,
 * exp after now_s, and the deployment_id claim equal to deployment_id
 * (absent and empty are equal), so a deployment that shares the JWT secret
 * with another never accepts the other's tokens. HP_EDENIED otherwise
 * (*out untouched), HP_ENOMEM. */
int token_verify(const char *secret, const char *deployment_id, const char *token, int64_t now_s,
                 token_claims *out);

void token_claims_free(token_claims *c);

#endif
