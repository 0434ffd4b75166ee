/* metrics.c - /metrics/events and /metrics/attempts (Outpost's Metrics API):
 * counts and rates of the event and attempt log over a time range, per time
 * bucket (granularity) and per dimension, for dashboards such as "failure
 * rate per destination" or "events per topic".
 *
 *   time[start], time[end]   required, RFC 3339; rows with start <= time < end
 *                            (an event's own time, an attempt's time)
 *   measures                 required; events: count, rate; attempts: also
 *                            successful_count, failed_count, error_rate,
 *                            first_attempt_count, retry_count,
 *                            manual_retry_count, avg_attempt_number,
 *                            successful_rate, failed_rate
 *   dimensions               events: tenant_id, topic, destination_id;
 *                            attempts: also destination_type, status, code,
 *                            manual, attempt_number
 *   filters[<dimension>]     one or more values each
 *   granularity              "<n><unit>" (bucket.h); absent = one row per
 *                            dimension combination over the whole range
 * Lists take Outpost's three forms (key=a&key=b, key[]=, key[0]=).
 *
 * With a granularity every bucket of the range is answered, empty ones with
 * zeros, for each dimension combination found (sorted); rates are per second
 * of the bucket (of the range without one). Attempt numbers are 1-based as
 * in the attempts API, so first_attempt_count counts attempt_number 1.
 * At most ROW_LIMIT rows are answered (metadata.truncated tells).
 *
 * Tenancy: a tenant JWT sees its own tenant only and may not name tenant_id
 * as a dimension or filter (403); an admin may narrow with tenant_id or
 * filters[tenant_id]. Every bad parameter is a 400 naming it. */
#include "api/api.h"
#include "api/log_query.h"
#include "core/bucket.h"
#include "core/err.h"
#include "core/util.h"
#include "store/store.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_LIMIT 100000
#define MAX_BUCKETS 100000

typedef enum {
    M_COUNT,
    M_SUCCESSFUL_COUNT,
    M_FAILED_COUNT,
    M_ERROR_RATE,
    M_FIRST_ATTEMPT_COUNT,
    M_RETRY_COUNT,
    M_MANUAL_RETRY_COUNT,
    M_AVG_ATTEMPT_NUMBER,
    M_RATE,
    M_SUCCESSFUL_RATE,
    M_FAILED_RATE,
    M_NMEASURES
} measure;

static const char *const measure_names[M_NMEASURES] = {
    "count", "successful_count", "failed_count", "error_rate", "first_attempt_count", "retry_count",
    "manual_retry_count", "avg_attempt_number", "rate", "successful_rate", "failed_rate",
};

static const char *const field_names[METRIC_NFIELDS] = {
    "tenant_id", "topic", "destination_id", "destination_type", "status", "code", "manual", "attempt_number",
};

#define BIT(i) (1u << (i))
#define EVENT_MEASURES (BIT(M_COUNT) | BIT(M_RATE))
#define EVENT_FIELDS (BIT(METRIC_TENANT) | BIT(METRIC_TOPIC) | BIT(METRIC_DESTINATION))

typedef struct {
    store_metrics_query q;
    measure measures[M_NMEASURES];
    size_t nmeasures;
    json_t *filters[METRIC_NFIELDS]; /* owned; q.filters points at them */
    char granularity[16];
} metrics_request;

static void request_free(metrics_request *m)
{
    for (int f = 0; f < METRIC_NFIELDS; f++) json_decref(m->filters[f]);
}

static int name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}

static void bad(http_res *res, const char *fmt, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, what);
    http_error(res, 400, msg);
}

/* ---- parameters ---- */

static bool parse_time(const http_req *req, http_res *res, const char *key, int64_t *ms)
{
    const char *v = http_query(req, key);
    if (hp_empty(v)) {
        http_error(res, 400, "time[start] and time[end] are required");
        return false;
    }
    if (hp_time_parse(v, ms) != HP_OK) {
        bad(res, "invalid %s: expected an RFC 3339 time such as 2026-03-02T00:00:00Z", key);
        return false;
    }
    return true;
}

/* Names of a list parameter as indexes into names, each once, in the order
 * given; only those in `allowed` (a bit mask) pass. */
static bool parse_names(const http_req *req, http_res *res, const char *key, const char *const *names, int n,
                        unsigned allowed, int *out, size_t *count)
{
    json_t *values = http_query_array(req, key);
    size_t i;
    json_t *v;
    *count = 0;
    json_array_foreach(values, i, v) {
        const char *name = json_string_value(v);
        if (!*name) continue;
        int k = name_index(names, n, name);
        if (k < 0 || !(allowed & BIT(k))) {
            char what[96];
            snprintf(what, sizeof what, "%s \"%.60s\"", key, name);
            json_decref(values);
            bad(res, "unknown %s", what);
            return false;
        }
        bool seen = false;
        for (size_t j = 0; j < *count; j++) seen |= out[j] == k;
        if (!seen) out[(*count)++] = k;
    }
    json_decref(values);
    return true;
}

typedef struct {
    unsigned allowed;
    char unknown[80]; /* the first filters[<name>] key naming no allowed field */
} filter_scan;

static enum MHD_Result scan_filter_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    filter_scan *fs = cls;
    if (fs->unknown[0] || strncmp(key, "filters[", 8) != 0) return MHD_YES;
    const char *name = key + 8, *close = strchr(name, ']');
    for (int f = 0; close && f < METRIC_NFIELDS; f++)
        if ((fs->allowed & BIT(f)) && strlen(field_names[f]) == (size_t)(close - name) &&
            !strncmp(name, field_names[f], (size_t)(close - name)))
            return MHD_YES;
    snprintf(fs->unknown, sizeof fs->unknown, "%.79s", key);
    return MHD_YES;
}

/* A filter value in the store's text form (store.h), or NULL if invalid. */
static json_t *filter_value(store_metric_field f, const char *v)
{
    if (f == METRIC_STATUS) return strcmp(v, "success") && strcmp(v, "failed") ? NULL : json_string(v);
    if (f == METRIC_MANUAL) return strcmp(v, "true") && strcmp(v, "false") ? NULL : json_string(v);
    if (f != METRIC_ATTEMPT_NUMBER) return json_string_nocheck(v);
    char *end, text[24];
    long n = strtol(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || n < 0 || n > 1000000) return NULL;
    snprintf(text, sizeof text, "%ld", n);
    return json_string(text);
}

static bool parse_filters(const http_req *req, http_res *res, unsigned allowed, metrics_request *m)
{
    filter_scan fs = {.allowed = allowed};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, scan_filter_key, &fs);
    if (fs.unknown[0]) {
        bad(res, "unknown filter %s", fs.unknown);
        return false;
    }
    for (int f = 0; f < METRIC_NFIELDS; f++) {
        if (!(allowed & BIT(f))) continue;
        char key[40];
        snprintf(key, sizeof key, "filters[%s]", field_names[f]);
        json_t *given = http_query_array(req, key), *values = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(given, i, v) {
            const char *text = json_string_value(v);
            if (!*text) continue;
            json_t *value = filter_value((store_metric_field)f, text);
            if (!value) {
                json_decref(given);
                json_decref(values);
                bad(res, "invalid value in %s", key);
                return false;
            }
            json_array_append_new(values, value);
        }
        json_decref(given);
        if (json_array_size(values)) m->filters[f] = values;
        else json_decref(values);
    }
    return true;
}

/* A tenant JWT is held to its tenant; an admin's tenant_id narrows the
 * tenant filter (to nothing when the two disagree). */
static bool scope_tenant(const http_req *req, http_res *res, metrics_request *m)
{
    bool tenant_role = req->auth.role == ROLE_TENANT;
    for (size_t i = 0; tenant_role && i < m->q.ndims; i++) {
        if (m->q.dims[i] != METRIC_TENANT) continue;
        http_error(res, 403, "tenant_id dimension is not allowed for tenant-scoped requests");
        return false;
    }
    if (tenant_role && m->filters[METRIC_TENANT]) {
        http_error(res, 403, "tenant_id filter is not allowed for tenant-scoped requests");
        return false;
    }
    const char *scope;
    if (!log_tenant_scope(req, res, &scope)) return false;
    if (!scope) return true;
    json_t *kept = json_array(), *listed = m->filters[METRIC_TENANT];
    size_t i;
    json_t *v;
    json_array_foreach(listed, i, v) if (!strcmp(json_string_value(v), scope)) json_array_append(kept, v);
    if (!listed) json_array_append_new(kept, json_string_nocheck(scope));
    json_decref(listed);
    m->filters[METRIC_TENANT] = kept; /* empty: matches nothing */
    return true;
}

static size_t bucket_count(int64_t start, int64_t end, bucket_spec b)
{
    size_t n = 0;
    for (int64_t t = bucket_floor(start, b); t < end && n <= MAX_BUCKETS; t = bucket_next(t, b)) n++;
    return n;
}

static bool parse_request(const http_req *req, http_res *res, bool attempts, metrics_request *m)
{
    memset(m, 0, sizeof *m);
    unsigned measures_ok = attempts ? BIT(M_NMEASURES) - 1 : EVENT_MEASURES;
    unsigned fields_ok = attempts ? BIT(METRIC_NFIELDS) - 1 : EVENT_FIELDS;
    store_metrics_query *q = &m->q;
    q->attempts = attempts;
    q->row_limit = ROW_LIMIT;
    if (!parse_time(req, res, "time[start]", &q->start_ms) || !parse_time(req, res, "time[end]", &q->end_ms))
        return false;
    if (q->end_ms <= q->start_ms) {
        http_error(res, 400, "time[end] must be after time[start]");
        return false;
    }
    const char *gran = http_query(req, "granularity");
    if (!hp_empty(gran)) {
        if (bucket_parse(gran, &q->bucket) != HP_OK) {
            bad(res, "invalid granularity \"%.20s\": expected <number><unit>, unit one of s (1-60), m (1-60), "
                     "h (1-24), d (1-31), w (1-4), M (1-12)", gran);
            return false;
        }
        snprintf(m->granularity, sizeof m->granularity, "%d%c", q->bucket.value, q->bucket.unit);
        if (bucket_count(q->start_ms, q->end_ms, q->bucket) > MAX_BUCKETS) {
            http_error(res, 400, "time range produces more than 100000 buckets: use a coarser granularity");
            return false;
        }
    }
    int idx[M_NMEASURES];
    if (!parse_names(req, res, "measures", measure_names, M_NMEASURES, measures_ok, idx, &m->nmeasures))
        return false;
    if (!m->nmeasures) {
        http_error(res, 400, "at least one measure is required (e.g. measures=count)");
        return false;
    }
    for (size_t i = 0; i < m->nmeasures; i++) m->measures[i] = (measure)idx[i];
    int dims[METRIC_NFIELDS];
    if (!parse_names(req, res, "dimensions", field_names, METRIC_NFIELDS, fields_ok, dims, &q->ndims)) return false;
    for (size_t i = 0; i < q->ndims; i++) q->dims[i] = (store_metric_field)dims[i];
    if (!parse_filters(req, res, fields_ok, m) || !scope_tenant(req, res, m)) return false;
    for (int f = 0; f < METRIC_NFIELDS; f++) q->filters[f] = m->filters[f];
    return true;
}

/* ---- the answer ---- */

/* The shortest %g text that reads back as v (as Go's encoder writes it). */
static void put_real(hp_buf *b, double v)
{
    char text[40];
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, v);
        if (strtod(text, NULL) == v) break;
    }
    hp_buf_puts(b, text);
}

static void put_measure(hp_buf *b, measure k, const store_metrics_row *r, double seconds)
{
    int64_t failed = r->count - r->succeeded;
    switch (k) {
    case M_COUNT: hp_buf_printf(b, "%lld", (long long)r->count); break;
    case M_SUCCESSFUL_COUNT: hp_buf_printf(b, "%lld", (long long)r->succeeded); break;
    case M_FAILED_COUNT: hp_buf_printf(b, "%lld", (long long)failed); break;
    case M_FIRST_ATTEMPT_COUNT: hp_buf_printf(b, "%lld", (long long)r->first_attempts); break;
    case M_RETRY_COUNT: hp_buf_printf(b, "%lld", (long long)(r->count - r->first_attempts)); break;
    case M_MANUAL_RETRY_COUNT: hp_buf_printf(b, "%lld", (long long)r->manual); break;
    case M_ERROR_RATE: put_real(b, r->count ? (double)failed / (double)r->count : 0); break;
    case M_AVG_ATTEMPT_NUMBER: put_real(b, r->count ? (double)r->attempt_number_sum / (double)r->count : 0); break;
    case M_RATE: put_real(b, (double)r->count / seconds); break;
    case M_SUCCESSFUL_RATE: put_real(b, (double)r->succeeded / seconds); break;
    case M_FAILED_RATE: put_real(b, (double)failed / seconds); break;
    default: break;
    }
}

typedef struct {
    hp_buf body;
    size_t rows;
    bool truncated;
} answer;

/* One data point; dims and the aggregates come from r (zeros, with r's
 * dims, for an empty bucket: see put_bucket_rows). */
static void put_row(answer *a, const metrics_request *m, const store_metrics_row *r, int64_t bucket_ms)
{
    const store_metrics_query *q = &m->q;
    hp_buf *b = &a->body;
    hp_buf_puts(b, a->rows ? ",{" : "{");
    if (q->bucket.unit) {
        char when[HP_TIME_LEN];
        hp_buf_printf(b, "\"time_bucket\":\"%s\",", hp_time_format_sec(bucket_ms, when));
    }
    hp_buf_puts(b, "\"dimensions\":{");
    for (size_t d = 0; d < q->ndims; d++) {
        hp_buf_printf(b, "%s\"%s\":", d ? "," : "", field_names[q->dims[d]]);
        hp_buf_json_string(b, r->dims[d], strlen(r->dims[d]));
    }
    double seconds = (double)(q->bucket.unit ? bucket_next(bucket_ms, q->bucket) - bucket_ms
                                             : q->end_ms - q->start_ms) / 1000.0;
    hp_buf_puts(b, "},\"metrics\":{");
    for (size_t i = 0; i < m->nmeasures; i++) {
        hp_buf_printf(b, "%s\"%s\":", i ? "," : "", measure_names[m->measures[i]]);
        put_measure(b, m->measures[i], r, seconds);
    }
    hp_buf_puts(b, "}}");
    a->rows++;
}

static bool same_dims(const store_metrics_row *a, const store_metrics_row *b, size_t ndims)
{
    for (size_t d = 0; d < ndims; d++)
        if (strcmp(a->dims[d], b->dims[d])) return false;
    return true;
}

/* Every bucket of the range for one dimension combination: rows[0..n) are
 * that combination's groups in bucket order. */
static void put_bucket_rows(answer *a, const metrics_request *m, const store_metrics_row *rows, size_t n)
{
    const store_metrics_query *q = &m->q;
    store_metrics_row zero = rows[0];
    zero.count = zero.succeeded = zero.first_attempts = zero.manual = zero.attempt_number_sum = 0;
    size_t next = 0;
    for (int64_t t = bucket_floor(q->start_ms, q->bucket); t < q->end_ms; t = bucket_next(t, q->bucket)) {
        if (a->rows == ROW_LIMIT) {
            a->truncated = true;
            return;
        }
        bool found = next < n && rows[next].bucket_ms == t;
        put_row(a, m, found ? &rows[next] : &zero, t);
        if (found) next++;
    }
}

static void put_data(answer *a, const metrics_request *m, const store_metrics_result *r)
{
    const store_metrics_query *q = &m->q;
    if (!q->bucket.unit) {
        for (size_t i = 0; i < r->n; i++) put_row(a, m, &r->rows[i], 0);
        return;
    }
    if (!r->n && !q->ndims) {
        /* nothing happened: still every bucket, with zeros */
        store_metrics_row none = {0};
        put_bucket_rows(a, m, &none, 0);
        return;
    }
    for (size_t i = 0; i < r->n && !a->truncated;) {
        size_t j = i + 1;
        while (j < r->n && same_dims(&r->rows[i], &r->rows[j], q->ndims)) j++;
        put_bucket_rows(a, m, &r->rows[i], j - i);
        i = j;
    }
}

static void handle(http_req *req, http_res *res, bool attempts)
{
    int64_t began = hp_now_ms();
    metrics_request m;
    if (!parse_request(req, res, attempts, &m)) {
        request_free(&m);
        return;
    }
    store_metrics_result r;
    int rc = store_metrics(req->app->store, &m.q, &r);
    if (rc == HP_EBUSY) http_error(res, 503, "metrics query took too long: narrow the time range or the filters");
    else if (rc != HP_OK) http_internal(res, rc);
    if (rc != HP_OK) {
        request_free(&m);
        return;
    }
    answer a = {.truncated = r.truncated};
    hp_buf_puts(&a.body, "{\"data\":[");
    put_data(&a, &m, &r);
    hp_buf_puts(&a.body, "],\"metadata\":{");
    if (m.granularity[0]) hp_buf_printf(&a.body, "\"granularity\":\"%s\",", m.granularity);
    hp_buf_printf(&a.body, "\"query_time_ms\":%lld,\"row_count\":%zu,\"row_limit\":%d,\"truncated\":%s}}",
                  (long long)(hp_now_ms() - began), a.rows, ROW_LIMIT, a.truncated ? "true" : "false");
    http_json_text(res, 200, a.body.data, a.body.len);
    store_metrics_result_free(&r);
    request_free(&m);
}

void api_metrics_events(http_req *req, http_res *res)
{
    handle(req, res, false);
}

void api_metrics_attempts(http_req *req, http_res *res)
{
    handle(req, res, true);
}
