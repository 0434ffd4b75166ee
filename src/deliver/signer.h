/* signer.h - the headers that sign and describe a webhook request.
 *
 * Turns one delivery (event id, topic, delivery time, body, metadata) and a
 * webhook destination's secrets into the HTTP headers Outpost sends, in both
 * of its modes (DESTINATIONS_WEBHOOK_MODE):
 *
 *   default   <prefix>event-id, <prefix>topic, <prefix>timestamp (RFC 3339),
 *             <prefix><other metadata key>, <prefix>signature. The signature
 *             header comes from two Go text/template strings; each signature
 *             is HMAC(alg, key = the secret string as stored, content).
 *   standard  Standard Webhooks: <prefix>id, <prefix>timestamp (unix s),
 *             <prefix>signature = "v1,<b64>" entries separated by one space,
 *             content "<id>.<ts>.<body>", HMAC-SHA256 keyed with the base64
 *             part of "whsec_<base64>"; other metadata as <prefix><key>, and
 *             the event's own metadata keys also unprefixed.
 *
 * While a previous secret is still valid (now < previous_secret_invalid_at)
 * it is signed too, after the current one.
 *
 * Templates: a small Go text/template subset, parsed once by
 * signer_opts_compile and rendered per request. Supported:
 *   literal text, {{/ * comments * /}}, {{- and -}} whitespace trimming;
 *   fields .EventID .Topic .Body .Timestamp .Signatures (.RandomHex
 *   .RandomBase64 .RandomAlphanumeric in the secret template), $ for the
 *   root inside range, .Timestamp.Unix / .UnixMilli / .UnixNano;
 *   "strings" and `raw strings`, integers, ( ) grouping, | pipelines;
 *   functions join SEP LIST (sprig order, so `.Signatures | join ","`),
 *   index LIST N, slice LIST I [J] (also on strings), len X;
 *   {{range LIST}}...{{.}}...{{else}}...{{end}}.
 * Printing .Timestamp gives RFC 3339 UTC seconds ("2024-06-01T08:23:36Z"),
 * which differs from Go's time.Time String(); a list prints as Go does,
 * "[a b]". Fields a template cannot see (.Body in the header template,
 * .Signatures in the content template, unknown names) are refused at compile
 * time rather than failing every delivery. `index`/`slice` out of range is a
 * render-time error (HP_EINVAL), as in Go.
 *
 * Thread-safety: a compiled signer_opts is read-only and may be shared by any
 * number of threads calling signer_headers / signer_generate_secret. Compile
 * and free it from one thread, before and after that use.
 *
 * Errors follow core/err.h. Validation messages (const char **err) point to
 * static text or to a thread-local buffer that stays valid until the next
 * signer_* call on the same thread. */
#ifndef HP_SIGNER_H
#define HP_SIGNER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SIGNER_MODE_DEFAULT = 0, /* "default" */
    SIGNER_MODE_STANDARD,    /* "standard" (Standard Webhooks) */
} signer_mode;

typedef enum {
    SIGNER_ENC_HEX = 0, /* "hex", lower case */
    SIGNER_ENC_BASE64,  /* "base64", standard alphabet, padded */
} signer_encoding;

typedef enum {
    SIGNER_ALG_SHA256 = 0, /* "hmac-sha256" */
    SIGNER_ALG_SHA1,       /* "hmac-sha1" */
} signer_algorithm;

typedef struct signer_tmpl signer_tmpl; /* a compiled template; opaque */

/* Webhook signing configuration, filled by the config module. String fields
 * are borrowed: they must outlive the struct (the config owns them). NULL
 * means "not set" everywhere. The three signer_tmpl pointers are owned by the
 * struct, written by signer_opts_compile and released by signer_opts_free. */
typedef struct signer_opts {
    /* DESTINATIONS_WEBHOOK_MODE (default). See signer_parse_mode. */
    signer_mode mode;
    /* DESTINATIONS_WEBHOOK_HEADER_PREFIX. NULL or "" = the mode's default
     * ("x-outpost-" / "webhook-"); whitespace only = no prefix. Must otherwise
     * match ^[a-zA-Z0-9][a-zA-Z0-9_-]*$. Lower-cased on output. */
    const char *header_prefix;
    /* DESTINATIONS_WEBHOOK_{EVENT_ID,SIGNATURE,TIMESTAMP,TOPIC}_HEADER_NAME
     * (default mode only). NULL = unset: <prefix>event-id etc.; "" = that
     * header is not sent; anything else is the full header name (no prefix
     * added), which must match ^[a-zA-Z0-9][a-zA-Z0-9_-]*$ and not be
     * reserved (content-type, content-length, host, connection, user-agent). */
    const char *event_id_header;
    const char *signature_header;
    const char *timestamp_header;
    const char *topic_header;
    /* DESTINATIONS_WEBHOOK_DISABLE_DEFAULT_{EVENT_ID,SIGNATURE,TIMESTAMP,
     * TOPIC}_HEADER (deprecated, false). Only honoured while the matching
     * *_header name above is NULL: a set name wins. Default mode only. */
    bool disable_event_id_header;
    bool disable_signature_header;
    bool disable_timestamp_header;
    bool disable_topic_header;
    /* DESTINATIONS_WEBHOOK_SIGNATURE_CONTENT_TEMPLATE ({{.Body}}); fields
     * .EventID .Topic .Timestamp .Body. NULL or "" = default. Default mode. */
    const char *content_template;
    /* DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_TEMPLATE
     * (v0={{.Signatures | join ","}}); fields .EventID .Topic .Timestamp
     * .Signatures. NULL or "" = default. Default mode. */
    const char *header_template;
    /* DESTINATIONS_WEBHOOK_SIGNING_SECRET_TEMPLATE (whsec_{{.RandomHex}});
     * fields .RandomHex .RandomBase64 .RandomAlphanumeric, at least one of
     * which must be used. NULL or "" = default. Default mode. */
    const char *secret_template;
    /* DESTINATIONS_WEBHOOK_SIGNATURE_ENCODING (hex). Default mode. */
    signer_encoding encoding;
    /* DESTINATIONS_WEBHOOK_SIGNATURE_ALGORITHM (hmac-sha256). Default mode. */
    signer_algorithm algorithm;
    /* DESTINATIONS_INCLUDE_MILLISECOND_TIMESTAMP (false): signer_merge_metadata
     * adds "timestamp-ms" (RFC 3339 with fraction) when the caller passes it. */
    bool include_ms_timestamp;

    /* Compiled templates (NULL until signer_opts_compile). */
    signer_tmpl *content_tmpl, *header_tmpl, *secret_tmpl;
} signer_opts;

/* Fills o with the defaults above (all names/templates unset). */
void signer_opts_default(signer_opts *o);

/* String -> enum helpers for the config module. NULL or "" gives the
 * default. mode/encoding: HP_OK or HP_EINVAL for an unknown value (out
 * untouched). The algorithm never fails: unknown values mean hmac-sha256,
 * as in Outpost. */
int signer_parse_mode(const char *s, signer_mode *out);
int signer_parse_encoding(const char *s, signer_encoding *out);
signer_algorithm signer_parse_algorithm(const char *s);

/* Checks o without changing it: header names (syntax, reserved, two headers
 * resolving to the same name, case-insensitively), the prefix, the enums, and
 * that the templates the mode uses parse. HP_OK, HP_EINVAL (with *err set to
 * a message naming the env var), HP_ENOMEM. err may be NULL. */
int signer_opts_validate(const signer_opts *o, const char **err);

/* signer_opts_validate, then parses the templates the mode uses into o (any
 * earlier compiled form is released first). Call once at startup. Same
 * returns; on failure o holds no compiled templates. */
int signer_opts_compile(signer_opts *o, const char **err);

/* Releases the compiled templates; the borrowed strings are left alone.
 * Safe on a struct that was never compiled. */
void signer_opts_free(signer_opts *o);

/* Builds the metadata map every destination type receives: system keys
 * {event-id, topic, timestamp} (timestamp = now_ms as RFC 3339 UTC seconds;
 * include_ms adds "timestamp-ms" in Go's RFC3339Nano form, e.g.
 * "2024-06-01T08:23:36.12Z"), overridden by delivery_metadata, overridden by
 * event_metadata (later wins). String values are copied; numbers and
 * booleans are converted to their JSON text; null, arrays and objects are
 * skipped. Either metadata may be NULL. Returns a new object (caller
 * json_decref's it) or NULL when out of memory. */
json_t *signer_merge_metadata(const char *event_id, const char *topic, int64_t now_ms,
                              const json_t *delivery_metadata, const json_t *event_metadata,
                              bool include_ms);

/* One delivery. Everything is borrowed for the duration of the call. */
typedef struct signer_input {
    const char *event_id;         /* required */
    const char *topic;            /* NULL = "" */
    int64_t now_ms;               /* delivery time, ms since the epoch */
    const void *body;             /* the event data bytes as published */
    size_t body_len;
    const json_t *metadata;       /* signer_merge_metadata result; NULL = build
                                   * it from event_id/topic/now_ms/event_metadata
                                   * and opts->include_ms_timestamp */
    const json_t *event_metadata; /* the event's own metadata object, or NULL */
    const char *secret;           /* current secret; NULL/"" = none */
    const char *previous_secret;  /* NULL/"" = none */
    int64_t previous_secret_invalid_at_ms; /* previous is signed while now_ms < this */
} signer_input;

/* One request header. name is lower case. Both strings belong to the array
 * returned by signer_headers. value may be empty (with libcurl send it as
 * "name;" rather than "name:"). */
typedef struct {
    const char *name;
    char *value;
} signer_header;

/* Computes the webhook headers for in under o (compiled or not; an
 * uncompiled o has its templates parsed on every call). *out receives a
 * malloc'd array of *n headers, unique by name, to free with
 * signer_headers_free. Metadata-derived headers whose name is not an HTTP
 * token, is reserved, or whose value holds control characters are left out
 * (never injected). Without any valid secret no signature header is sent.
 * HP_OK; HP_EINVAL for an invalid o, a template render error, a standard-mode
 * secret that is not whsec_<base64>, or an id/signature value that cannot be
 * a header; HP_ENOMEM; HP_ECRYPTO. *out and *n are untouched on failure. */
int signer_headers(const signer_opts *o, const signer_input *in, signer_header **out, size_t *n);

/* Frees what signer_headers returned (h may be NULL). */
void signer_headers_free(signer_header *h, size_t n);

/* A new signing secret for a destination, malloc'd into *out (caller frees).
 * Default mode renders opts->secret_template: .RandomHex = 64 hex chars of 32
 * random bytes, .RandomBase64 = standard base64 of the same bytes,
 * .RandomAlphanumeric = 32 chars of [A-Za-z0-9]. Standard mode always gives
 * "whsec_" + base64(32 random bytes). HP_OK, HP_EINVAL (bad template),
 * HP_ENOMEM, HP_ECRYPTO. */
int signer_generate_secret(const signer_opts *o, char **out);

/* The lower-case name of the signature header under o (malloc'd), or NULL
 * when it is disabled (or out of memory). For the portal's instructions. */
char *signer_signature_header(const signer_opts *o);

/* ^[a-zA-Z0-9][a-zA-Z0-9_-]*$, the rule for configured header names (also
 * used for config.custom_headers). */
bool signer_header_name_valid(const char *name);

/* No control characters other than tab: a CR or LF in a value would start
 * a header of the sender's choosing. */
bool signer_header_value_valid(const char *value, size_t len);

/* content-type, content-length, host, connection or user-agent, any case. */
bool signer_header_name_reserved(const char *name);

#endif
