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
#include "core/bucket.h"
#include "core/err.h"
#include "core/util.h"
#include "queue/offload.h"
#include "store/store.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_LIMIT 100000
#define MAX_BUCKETS 100000
/* From the request's arrival (time in the queue counts). Kept under the
 * WAL checkpoint's stall threshold: a scan holds a snapshot that keeps the
 * WAL from restarting meanwhile. */
#define METRICS_TIMEOUT_MS 8000

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

/* Times are kept in whole milliseconds: a bound finer than that becomes
 * the next millisecond (start <= t <= x.f is t < ms + 1, and t >= x.f is
 * t >= ms + 1), as the log API does. */
static bool parse_time(const http_req *req, http_res *res, const char *key, int64_t *ms)
{
    const char *v = http_query(req, key);
    bool finer = false;
    if (hp_empty(v)) {
        http_error(res, 400, "time[start] and time[end] are required");
        return false;
    }
    if (hp_time_parse_fine(v, ms, &finer) != HP_OK) {
        bad(res, "invalid %s: expected an RFC 3339 time such as 2026-03-02T00:00:00Z", key);
        return false;
    }
    if (finer) ++*ms;
    return true;
}

/* Bucket starts are written as RFC 3339, which has four-digit years. */
#define YEAR_0_MS INT64_C(-62167219200000)      /* 0000-01-01T00:00:00Z */
#define YEAR_10000_MS INT64_C(253402300800000)  /* 10000-01-01T00:00:00Z */

static bool in_years(int64_t start, int64_t end, bucket_spec b)
{
    return start >= YEAR_0_MS && end <= YEAR_10000_MS && (!b.unit || bucket_floor(start, b) >= YEAR_0_MS);
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
    char unknown[80];   /* the first filters[<name>] key naming no allowed field */
    char malformed[80]; /* the first list key of another shape than key, key[] or key[<n>] */
} key_scan;

/* After a list's name: nothing, "[]" or "[<digits>]". */
static bool list_suffix_ok(const char *rest)
{
    if (!*rest || !strcmp(rest, "[]")) return true;
    if (*rest++ != '[' || *rest < '0' || *rest > '9') return false;
    while (*rest >= '0' && *rest <= '9') rest++;
    return !strcmp(rest, "]");
}

/* Every list key is checked: one of another shape would be ignored by
 * http_query_array, and an ignored filter widens the answer. */
static enum MHD_Result scan_list_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    key_scan *ks = cls;
    if (ks->unknown[0] || ks->malformed[0]) return MHD_YES;
    static const char *const lists[] = {"measures", "dimensions"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        size_t n = strlen(lists[i]);
        if (!strncmp(key, lists[i], n) && !list_suffix_ok(key + n))
            snprintf(ks->malformed, sizeof ks->malformed, "%.79s", key);
    }
    if (strncmp(key, "filters", 7) != 0) return MHD_YES;
    const char *name = key + 8, *close = key[7] == '[' ? strchr(name, ']') : NULL;
    if (!close || !list_suffix_ok(close + 1)) {
        snprintf(ks->malformed, sizeof ks->malformed, "%.79s", key);
        return MHD_YES;
    }
    for (int f = 0; f < METRIC_NFIELDS; f++)
        if ((ks->allowed & BIT(f)) && strlen(field_names[f]) == (size_t)(close - name) &&
            !strncmp(name, field_names[f], (size_t)(close - name)))
            return MHD_YES;
    snprintf(ks->unknown, sizeof ks->unknown, "%.79s", key);
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

static bool check_list_keys(const http_req *req, http_res *res, unsigned allowed)
{
    key_scan ks = {.allowed = allowed};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, scan_list_key, &ks);
    if (ks.malformed[0]) {
        bad(res, "malformed parameter %s: lists are key=a&key=b, key[]=a or key[0]=a", ks.malformed);
        return false;
    }
    if (ks.unknown[0]) {
        bad(res, "unknown filter %s", ks.unknown);
        return false;
    }
    return true;
}

static bool parse_filters(const http_req *req, http_res *res, unsigned allowed, metrics_request *m)
{
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
    json_t *scope = http_query_array(req, "tenant_id");
    size_t i;
    json_t *v;
    for (size_t k = json_array_size(scope); k-- > 0;) /* tenant_id= names none */
        if (!*json_string_value(json_array_get(scope, k))) json_array_remove(scope, k);
    json_array_foreach(scope, i, v) {
        if (!tenant_role || !strcmp(json_string_value(v), req->auth.tenant_id)) continue;
        json_decref(scope);
        http_error(res, 403, "a tenant token may only read its own tenant's metrics");
        return false;
    }
    if (tenant_role) {
        json_decref(scope);
        scope = json_pack("[s]", req->auth.tenant_id);
    }
    if (!json_array_size(scope)) {
        json_decref(scope);
        return true;
    }
    json_t *kept = json_array(), *listed = m->filters[METRIC_TENANT];
    if (!kept) {
        /* never fall back to "no tenant filter" */
        json_decref(scope);
        http_internal(res, HP_ENOMEM);
        return false;
    }
    json_array_foreach(scope, i, v) {
        bool in_filter = !listed;
        size_t j;
        json_t *w;
        json_array_foreach(listed, j, w) in_filter |= json_equal(v, w);
        if (in_filter) json_array_append(kept, v);
    }
    json_decref(scope);
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
    }
    if (!in_years(q->start_ms, q->end_ms, q->bucket)) {
        http_error(res, 400, "the time range and its buckets must lie within the years 0000-9999");
        return false;
    }
    if (q->bucket.unit && bucket_count(q->start_ms, q->end_ms, q->bucket) > MAX_BUCKETS) {
        http_error(res, 400, "time range produces more than 100000 buckets: use a coarser granularity");
        return false;
    }
    if (!check_list_keys(req, res, fields_ok)) return false;
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

/* The answer for a query that ran (rc from store_metrics). */
static void answer_query(http_res *res, const metrics_request *m, int rc, const store_metrics_result *r, int64_t began)
{
    if (rc == HP_EBUSY) {
        http_error(res, 503, "metrics query took too long: narrow the time range or the filters");
        return;
    }
    if (rc != HP_OK) {
        http_internal(res, rc);
        return;
    }
    answer a = {0};
    hp_buf_puts(&a.body, "{\"data\":[");
    put_data(&a, m, r);
    a.truncated |= r->truncated; /* after the fill: the fill stops at ROW_LIMIT by itself */
    hp_buf_puts(&a.body, "],\"metadata\":{");
    if (m->granularity[0]) hp_buf_printf(&a.body, "\"granularity\":\"%s\",", m->granularity);
    hp_buf_printf(&a.body, "\"query_time_ms\":%lld,\"row_count\":%zu,\"row_limit\":%d,\"truncated\":%s}}",
                  (long long)(hp_now_ms() - began), a.rows, ROW_LIMIT, a.truncated ? "true" : "false");
    if (a.body.failed) {
        hp_buf_free(&a.body);
        http_internal(res, HP_ENOMEM);
        return;
    }
    http_json_text(res, 200, a.body.data, a.body.len);
}

/* A parsed request waiting for, or running on, the offload thread. */
typedef struct {
    offload_job job;
    metrics_request m;
    http_deferred *reply;
    hp_store *store;
    int64_t began;
} metrics_job;

static void run_job(offload_job *job, bool cancelled)
{
    metrics_job *j = (metrics_job *)job;
    http_res res = {0};
    if (cancelled) {
        http_error(&res, 503, "shutting down");
    } else {
        store_metrics_result r;
        int rc = store_metrics(j->store, &j->m.q, &r);
        answer_query(&res, &j->m, rc, &r, j->began);
        if (rc == HP_OK) store_metrics_result_free(&r);
    }
    http_deferred_finish(j->reply, &res);
    request_free(&j->m);
    free(j);
}

static void handle(http_req *req, http_res *res, bool attempts)
{
    metrics_job *j = calloc(1, sizeof *j);
    if (!j) {
        http_internal(res, HP_ENOMEM);
        return;
    }
    if (!parse_request(req, res, attempts, &j->m)) {
        request_free(&j->m);
        free(j);
        return;
    }
    j->began = hp_now_ms();
    j->m.q.deadline_ms = j->began + METRICS_TIMEOUT_MS; /* waiting in the queue counts */
    j->store = req->app->store;
    j->job.run = run_job;
    j->reply = http_defer(req);
    if (offload_submit(req->app->slow_reads, &j->job) != HP_OK) {
        http_res busy = {0};
        http_error(&busy, 503, "too many metrics queries are waiting: try again shortly");
        http_deferred_finish(j->reply, &busy);
        request_free(&j->m);
        free(j);
    }
}

void api_metrics_events(http_req *req, http_res *res)
{
    handle(req, res, false);
}

void api_metrics_attempts(http_req *req, http_res *res)
{
    handle(req, res, true);
}
