/* log_query.c - parsing of the log endpoints' filters, time range, paging,
 * tenancy and include list (log_query.h). */
#include "api/log_query.h"
#include "core/err.h"
#include "core/util.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const page_spec log_event_pages = {
    .resource = "evt", .order_by = "time", .default_limit = 100, .max_limit = 1000, .strict_limit = false,
};
const page_spec log_attempt_pages = {
    .resource = "att", .order_by = "time", .default_limit = 100, .max_limit = 1000, .strict_limit = false,
};

static const char *const time_ops[] = {"gte", "gt", "lte", "lt"};
#define NTIME_OPS (sizeof time_ops / sizeof time_ops[0])

/* An array query parameter without its empty values. New reference. */
static json_t *query_list(const http_req *req, const char *key)
{
    json_t *all = http_query_array(req, key), *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v) if (*json_string_value(v)) json_array_append(out, v);
    json_decref(all);
    return out;
}

static json_t *only(const char *value)
{
    return json_pack("[s]", value);
}

/* ---- tenancy ---- */

static bool tenant_filter(const http_req *req, http_res *res, log_kind kind, json_t **out)
{
    if (kind == LOG_DEST_ATTEMPTS) {
        *out = only(req->tenant->id);
        return true;
    }
    json_t *ids = query_list(req, "tenant_id");
    if (req->auth.role != ROLE_TENANT) {
        *out = ids;
        return true;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        if (strcmp(json_string_value(v), req->auth.tenant_id) != 0) {
            json_decref(ids);
            http_empty(res, 403);
            return false;
        }
    }
    json_decref(ids);
    *out = only(req->auth.tenant_id);
    return true;
}

bool log_tenant_scope(const http_req *req, http_res *res, const char **tenant_id)
{
    const char *asked = http_query(req, "tenant_id");
    if (req->auth.role == ROLE_TENANT) {
        if (!hp_empty(asked) && strcmp(asked, req->auth.tenant_id) != 0) {
            http_empty(res, 403);
            return false;
        }
        *tenant_id = req->auth.tenant_id;
        return true;
    }
    *tenant_id = hp_empty(asked) ? NULL : asked;
    return true;
}

/* ---- time range ---- */

typedef struct {
    char bad[80]; /* the first time[<op>] key with an unknown op */
} time_scan;

static enum MHD_Result scan_time_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    time_scan *ts = cls;
    size_t n = strlen(key);
    if (ts->bad[0] || n < 6 || strncmp(key, "time[", 5) != 0 || key[n - 1] != ']') return MHD_YES;
    for (size_t i = 0; i < NTIME_OPS; i++)
        if (n - 6 == strlen(time_ops[i]) && !strncmp(key + 5, time_ops[i], n - 6)) return MHD_YES;
    snprintf(ts->bad, sizeof ts->bad, "%s", key);
    return MHD_YES;
}

/* Reads time[op]; *set false when absent or empty; *sub_ms when it is finer
 * than the millisecond times are stored with. */
static bool time_value(const http_req *req, http_res *res, const char *op, int64_t *ms, bool *set, bool *sub_ms)
{
    char key[16], field[32];
    snprintf(key, sizeof key, "time[%s]", op);
    const char *v = http_query(req, key);
    *set = false;
    if (hp_empty(v)) return true;
    if (hp_time_parse_fine(v, ms, sub_ms) != HP_OK) {
        snprintf(field, sizeof field, "query.%s", key);
        http_error_data(res, 422, "validation error",
                        json_pack("{s:s}", field, "invalid format, expected RFC3339 or YYYY-MM-DD"));
        return false;
    }
    *set = true;
    return true;
}

static bool time_range(const http_req *req, http_res *res, store_log_query *q)
{
    time_scan ts = {{0}};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, scan_time_key, &ts);
    if (ts.bad[0]) {
        char field[96];
        snprintf(field, sizeof field, "query.%s", ts.bad);
        http_error_data(res, 400, "not supported", json_pack("{s:s}", field, "operator not supported"));
        return false;
    }
    q->time_gte = INT64_MIN;
    q->time_lte = INT64_MAX;
    for (size_t i = 0; i < NTIME_OPS; i++) {
        int64_t ms;
        bool set, sub_ms = false;
        if (!time_value(req, res, time_ops[i], &ms, &set, &sub_ms)) return false;
        if (!set) continue;
        /* as inclusive bounds on whole milliseconds: x = ms + f, 0 <= f < 1;
         * t > x and t >= x (f > 0) mean t >= ms + 1, t < x (f = 0) means
         * t <= ms - 1, t < x (f > 0) and t <= x mean t <= ms */
        if (!strcmp(time_ops[i], "gt") || (!strcmp(time_ops[i], "gte") && sub_ms)) ms++;
        if (!strcmp(time_ops[i], "lt") && !sub_ms) ms--;
        if (time_ops[i][0] == 'g' && ms > q->time_gte) q->time_gte = ms;
        if (time_ops[i][0] == 'l' && ms < q->time_lte) q->time_lte = ms;
    }
    return true;
}

/* ---- the rest ---- */

static bool status_filter(const http_req *req, http_res *res, int *status)
{
    const char *v = http_query(req, "status");
    *status = 0;
    if (hp_empty(v)) return true;
    if (!strcmp(v, "success")) *status = 1;
    else if (!strcmp(v, "failed")) *status = -1;
    else {
        http_error_data(res, 422, "validation error", json_pack("{s:s}", "query.status", "must be 'success' or 'failed'"));
        return false;
    }
    return true;
}

static void array_filters(const http_req *req, log_kind kind, store_log_query *q)
{
    q->topics = query_list(req, "topic");
    if (kind == LOG_EVENTS) {
        q->ids = query_list(req, "id");
        q->destination_ids = query_list(req, "destination_id");
        return;
    }
    q->event_ids = query_list(req, "event_id");
    q->destination_types = query_list(req, "destination_type");
    q->destination_ids = kind == LOG_DEST_ATTEMPTS ? only(http_param(req, "destination_id"))
                                                   : query_list(req, "destination_id");
}

/* A filter that failed to build (allocation) must not widen the query. */
static bool filters_built(const store_log_query *q, log_kind kind)
{
    if (!q->tenant_ids || !q->topics || !q->destination_ids) return false;
    return kind == LOG_EVENTS ? q->ids != NULL : q->event_ids && q->destination_types;
}

bool log_query_parse(const http_req *req, http_res *res, log_kind kind, log_query *out)
{
    memset(out, 0, sizeof *out);
    store_log_query *q = &out->q;
    const page_spec *spec = kind == LOG_EVENTS ? &log_event_pages : &log_attempt_pages;
    if (!tenant_filter(req, res, kind, &q->tenant_ids)) return false;
    bool ok = paging_parse(req, res, spec, &out->page) && time_range(req, res, q)
              && (kind == LOG_EVENTS || status_filter(req, res, &q->status));
    if (!ok) {
        log_query_free(out);
        return false;
    }
    array_filters(req, kind, q);
    if (!filters_built(q, kind)) {
        log_query_free(out);
        http_internal(res, HP_ENOMEM);
        return false;
    }
    q->limit = out->page.limit;
    q->desc = out->page.backward ? !out->page.desc : out->page.desc;
    q->after = out->page.has_cursor ? &out->page.seek : NULL;
    return true;
}

void log_query_free(log_query *lq)
{
    store_log_query *q = &lq->q;
    json_decref(q->ids);
    json_decref(q->tenant_ids);
    json_decref(q->destination_ids);
    json_decref(q->topics);
    json_decref(q->event_ids);
    json_decref(q->destination_types);
    paging_free(&lq->page);
    memset(lq, 0, sizeof *lq);
}

void log_include_parse(const http_req *req, log_include *inc)
{
    memset(inc, 0, sizeof *inc);
    json_t *values = http_query_array(req, "include");
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v) {
        /* one value may also list several: include=event,response_data */
        char *list = hp_strdup(json_string_value(v)), *save = NULL;
        for (char *tok = list ? strtok_r(list, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
            if (!strcmp(tok, "event")) inc->event = true;
            else if (!strcmp(tok, "event.data")) inc->event = inc->event_data = true;
            else if (!strcmp(tok, "response_data")) inc->response_data = true;
            else if (!strcmp(tok, "request_data")) inc->request_data = true;
            else if (!strcmp(tok, "destination")) inc->destination = true;
        }
        free(list);
    }
    json_decref(values);
}
