/* http.c - request accessors and the JSON response/error helpers. */
#include "http/http.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/util.h"
#include "log.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *http_param(const http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nparams; i++)
        if (strlen(name) == req->param_name_lens[i] && !strncmp(req->param_names[i], name, req->param_name_lens[i]))
            return req->param_values[i];
    return NULL;
}

const char *http_query(const http_req *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(const http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

typedef struct {
    const char *key;
    size_t keylen;
    json_t *plain;   /* key= and key[]= values in order */
    json_t *indexed; /* [index, value] pairs */
} array_collect;

static enum MHD_Result collect_array(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    array_collect *ac = cls;
    if (!value || strncmp(key, ac->key, ac->keylen) != 0) return MHD_YES;
    const char *rest = key + ac->keylen;
    /* values are kept as sent, UTF-8 or not: json_string() would refuse
     * invalid UTF-8 and the filter would silently disappear (widening the
     * query); kept, it matches nothing, since stored ids and topics are
     * always valid UTF-8 */
    if (!*rest || !strcmp(rest, "[]")) {
        json_array_append_new(ac->plain, json_string_nocheck(value));
    } else if (*rest == '[') {
        char *end;
        long idx = strtol(rest + 1, &end, 10);
        if (end != rest + 1 && !strcmp(end, "]"))
            json_array_append_new(ac->indexed, json_pack("[Io]", (json_int_t)idx, json_string_nocheck(value)));
    }
    return MHD_YES;
}

static int by_index(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_array_get(*(json_t *const *)a, 0));
    json_int_t y = json_integer_value(json_array_get(*(json_t *const *)b, 0));
    return (x > y) - (x < y);
}

json_t *http_query_array(const http_req *req, const char *key)
{
    array_collect ac = {key, strlen(key), json_array(), json_array()};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_array, &ac);
    size_t n = json_array_size(ac.indexed);
    if (n) {
        json_t **pairs = malloc(n * sizeof *pairs);
        for (size_t i = 0; pairs && i < n; i++) pairs[i] = json_array_get(ac.indexed, i);
        if (pairs) qsort(pairs, n, sizeof *pairs, by_index);
        for (size_t i = 0; pairs && i < n; i++) json_array_append(ac.plain, json_array_get(pairs[i], 1));
        free(pairs);
    }
    json_decref(ac.indexed);
    return ac.plain;
}

json_t *http_body_object(const http_req *req, http_res *res, bool allow_empty)
{
    if (req->body_len == 0 && allow_empty) return NULL;
    json_t *v = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        http_error(res, 422, "invalid JSON");
        return NULL;
    }
    return v;
}

struct http_verbatim {
    char mark[48]; /* "\x1fhookpost-verbatim-<nonce>-": the start of each placeholder */
    size_t n, cap;
    hp_buf *texts;
};

static void verbatim_free(http_verbatim *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->n; i++) hp_buf_free(&v->texts[i]);
    free(v->texts);
    free(v);
}

static http_verbatim *verbatim_new(void)
{
    http_verbatim *v = calloc(1, sizeof *v);
    unsigned char nonce[8];
    if (!v || crypto_random(nonce, sizeof nonce) != HP_OK) {
        free(v);
        return NULL;
    }
    int at = snprintf(v->mark, sizeof v->mark, "\x1fhookpost-verbatim-");
    for (size_t i = 0; i < sizeof nonce; i++) at += snprintf(v->mark + at, sizeof v->mark - at, "%02x", nonce[i]);
    snprintf(v->mark + at, sizeof v->mark - at, "-");
    return v;
}

json_t *http_json_verbatim(http_res *res, const char *text, size_t len)
{
    if (!res->verbatim && !(res->verbatim = verbatim_new())) return NULL;
    http_verbatim *v = res->verbatim;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        hp_buf *grown = realloc(v->texts, cap * sizeof *grown);
        if (!grown) return NULL;
        v->texts = grown;
        v->cap = cap;
    }
    hp_buf *t = &v->texts[v->n];
    memset(t, 0, sizeof *t);
    if (hp_buf_append(t, text, len) != HP_OK) {
        hp_buf_free(t);
        return NULL;
    }
    char placeholder[sizeof v->mark + 24];
    snprintf(placeholder, sizeof placeholder, "%s%zu", v->mark, v->n);
    json_t *p = json_string(placeholder);
    if (p) v->n++;
    else hp_buf_free(t);
    return p;
}

/* Replaces each quoted placeholder in the dumped body (where jansson wrote
 * the mark's \x1f as \u001F) with its text. */
static char *splice_verbatim(const http_verbatim *v, const char *body, size_t body_len, size_t *len)
{
    char quoted[sizeof v->mark + 8];
    int qlen = snprintf(quoted, sizeof quoted, "\"\\u001F%s", v->mark + 1);
    hp_buf out = {0};
    const char *at = body, *end = body + body_len;
    int rc = HP_OK;
    while (rc == HP_OK) {
        const char *hit = memmem(at, (size_t)(end - at), quoted, (size_t)qlen);
        if (!hit) break;
        char *digits_end = (char *)hit + qlen;
        unsigned long long i = 0;
        if (*digits_end >= '0' && *digits_end <= '9') i = strtoull(digits_end, &digits_end, 10);
        if (digits_end == hit + qlen || *digits_end != '"' || i >= v->n) { /* not ours after all */
            rc = hp_buf_append(&out, at, (size_t)(hit + qlen - at));
            at = hit + qlen;
            continue;
        }
        rc = hp_buf_append(&out, at, (size_t)(hit - at));
        if (rc == HP_OK) rc = hp_buf_append(&out, v->texts[i].data, v->texts[i].len);
        at = digits_end + 1;
    }
    if (rc == HP_OK) rc = hp_buf_append(&out, at, (size_t)(end - at));
    if (rc == HP_OK) rc = hp_buf_append(&out, "", 1); /* NUL-terminated, not counted */
    if (rc != HP_OK) {
        hp_buf_free(&out);
        return NULL;
    }
    *len = out.len - 1;
    return out.data;
}

char *http_json_render(const http_res *res, size_t *len)
{
    *len = 0;
    char *text = json_dumps(res->json, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) return NULL;
    *len = strlen(text);
    if (!res->verbatim || !res->verbatim->n) return text;
    size_t dumped = *len;
    *len = 0;
    char *spliced = splice_verbatim(res->verbatim, text, dumped, len);
    free(text);
    return spliced;
}

static void reset(http_res *res)
{
    json_decref(res->json);
    res->json = NULL;
    free(res->json_text);
    res->json_text = NULL;
    res->json_text_len = 0;
    res->raw = NULL;
    res->raw_len = 0;
    res->empty = false;
}

void http_res_release(http_res *res)
{
    json_decref(res->json);
    verbatim_free(res->verbatim);
    free(res->json_text);
    free(res->location);
    free(res->owned_raw);
    memset(res, 0, sizeof *res);
}

void http_json(http_res *res, int status, json_t *body)
{
    reset(res);
    res->status = status;
    res->json = body;
}

void http_json_text(http_res *res, int status, char *text, size_t len)
{
    if (!text) {
        http_internal(res, HP_ENOMEM);
        return;
    }
    reset(res);
    res->status = status;
    res->json_text = text;
    res->json_text_len = len;
}

void http_error_data(http_res *res, int status, const char *message, json_t *data)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_integer(status));
    json_t *text = json_string(message);
    if (!text && message) {
        /* a message quoting client text that is not (or no longer, once
         * cut) valid UTF-8: keep the message rather than drop it */
        char *copy = strdup(message);
        if (copy) hp_utf8_scrub(copy);
        text = copy ? json_string(copy) : NULL;
        free(copy);
    }
    json_object_set_new(o, "message", text ? text : json_string("error"));
    if (data) json_object_set_new(o, "data", data);
    http_json(res, status, o);
}

void http_error(http_res *res, int status, const char *message)
{
    http_error_data(res, status, message, NULL);
}

void http_empty(http_res *res, int status)
{
    reset(res);
    res->status = status;
    res->empty = true;
}

void http_validation(http_res *res, json_t *errors)
{
    http_error_data(res, 422, "validation error", errors);
}

void http_internal(http_res *res, int err)
{
    log_error("request failed: %s", hp_strerror(err));
    http_error(res, 500, "internal server error");
}

void http_store_error(http_res *res, int err, bool empty_404)
{
    if (err == HP_ENOTFOUND && empty_404) http_empty(res, 404);
    else http_internal(res, err);
}
