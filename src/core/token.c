/* token.c - issuing and verifying tenant JWTs with libjwt.
 *
 * libjwt decodes any algorithm it knows; we accept only the HMAC family
 * (what Outpost accepts) and check expiry and issuer ourselves, so an
 * `alg: none` token or one signed with a public key never passes. */
#include "core/token.h"
#include "core/err.h"

#include <jansson.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

int token_issue(const char *secret, const char *tenant_id, const char *deployment_id, int64_t now_s,
                int64_t ttl_s, bool read_only, char **out)
{
    if (!secret || !*secret || !tenant_id || !*tenant_id || ttl_s <= 0) return HP_EINVAL;
    jwt_t *jwt = NULL;
    if (jwt_new(&jwt) != 0) return HP_ENOMEM;
    int rc = HP_ENOMEM;
    if (jwt_add_grant(jwt, "iss", "outpost") || jwt_add_grant(jwt, "sub", tenant_id) ||
        jwt_add_grant_int(jwt, "iat", (long)now_s) || jwt_add_grant_int(jwt, "exp", (long)(now_s + ttl_s)))
        goto done;
    if (deployment_id && *deployment_id && jwt_add_grant(jwt, "deployment_id", deployment_id)) goto done;
    if (read_only && jwt_add_grants_json(jwt, "{\"permissions\":[\"read\"]}")) goto done;
    if (jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret, (int)strlen(secret))) goto done;
    char *s = jwt_encode_str(jwt);
    if (!s) goto done;
    *out = s;
    rc = HP_OK;
done:
    jwt_free(jwt);
    return rc;
}

/* permissions absent = full access; present without "write" = read-only. */
static bool claims_read_only(jwt_t *jwt)
{
    char *perms = jwt_get_grants_json(jwt, "permissions");
    if (!perms) return false;
    json_t *arr = json_loads(perms, JSON_DECODE_ANY, NULL);
    free(perms);
    bool write = false;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *p = json_string_value(v);
        if (p && (!strcmp(p, "write") || !strcmp(p, "*"))) write = true;
    }
    json_decref(arr);
    return !write;
}

static bool same_deployment(const char *claim, const char *deployment_id)
{
    return !strcmp(claim ? claim : "", deployment_id ? deployment_id : "");
}

int token_verify(const char *secret, const char *deployment_id, const char *token, int64_t now_s,
                 token_claims *out)
{
    if (!secret || !*secret || !token || !*token) return HP_EDENIED;
    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, (const unsigned char *)secret, (int)strlen(secret)) != 0) return HP_EDENIED;
    int rc = HP_EDENIED;
    jwt_alg_t alg = jwt_get_alg(jwt);
    if (alg != JWT_ALG_HS256 && alg != JWT_ALG_HS384 && alg != JWT_ALG_HS512) goto done;
    /* RFC 7515 4.1.11: "crit" names extensions the token must not be
     * accepted without; hookpost understands none */
    char *crit = jwt_get_headers_json(jwt, "crit");
    if (crit) {
        free(crit);
        goto done;
    }
    const char *iss = jwt_get_grant(jwt, "iss");
    const char *sub = jwt_get_grant(jwt, "sub");
    long exp = jwt_get_grant_int(jwt, "exp");
    if (!iss || strcmp(iss, "outpost") != 0 || !sub || !*sub) goto done;
    if (exp <= 0 || exp <= now_s) goto done;
    if (!same_deployment(jwt_get_grant(jwt, "deployment_id"), deployment_id)) goto done;
    out->tenant_id = strdup(sub);
    if (!out->tenant_id) {
        rc = HP_ENOMEM;
        goto done;
    }
    out->read_only = claims_read_only(jwt);
    out->expires_at = exp;
    rc = HP_OK;
done:
    jwt_free(jwt);
    return rc;
}

void token_claims_free(token_claims *c)
{
    if (!c) return;
    free(c->tenant_id);
    c->tenant_id = NULL;
}
