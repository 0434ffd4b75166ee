/* http.c - request accessors and the JSON response/error helpers. */
#include "http/http.h"
#include "core/err.h"
#include "log.h"

#include <microhttpd.h>
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
    json_object_set_new(o, "message", json_string(message));
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
