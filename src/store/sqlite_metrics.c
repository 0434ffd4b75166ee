/* sqlite_metrics.c - the metrics API's aggregates over the event and attempt
 * log (store_metrics in store.h).
 *
 * One GROUP BY query per request on the reader connection: rows are picked
 * by time through the (tenant_id, time) or (time) index, grouped by the
 * requested fields and by hp_bucket(time, unit, value), a SQL function that
 * is bucket_floor itself, so the API's empty buckets line up with the ones
 * SQLite fills. Every aggregate is computed whatever was asked (they cost a
 * few additions per row); the API picks and derives the measures.
 *
 * A query over a long range of a busy log can take seconds, so it runs on a
 * connection of its own (sqlite_store.slow_reader) and a progress handler
 * interrupts it at the caller's deadline. HAVING without GROUP BY needs
 * SQLite 3.39, so an ungrouped query's empty row is dropped here instead. */
#include "store/sqlite_int.h"
#include "core/bucket.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

/* Each field as a text SQL expression, on events and on attempts (NULL:
 * the field does not exist there). */
static const struct {
    const char *events, *attempts;
} field_sql[METRIC_NFIELDS] = {
    [METRIC_TENANT] = {"tenant_id", "tenant_id"},
    [METRIC_TOPIC] = {"topic", "topic"},
    [METRIC_DESTINATION] = {"COALESCE(destination_id, '')", "destination_id"},
    [METRIC_DESTINATION_TYPE] = {NULL, "destination_type"},
    [METRIC_STATUS] = {NULL, "CASE success WHEN 1 THEN 'success' ELSE 'failed' END"},
    [METRIC_CODE] = {NULL, "COALESCE(code, '')"},
    [METRIC_MANUAL] = {NULL, "CASE manual WHEN 1 THEN 'true' ELSE 'false' END"},
    [METRIC_ATTEMPT_NUMBER] = {NULL, "CAST(attempt_number AS TEXT)"},
};

static void bucket_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *unit = sqlite3_value_text(argv[1]);
    bucket_spec b = {unit ? (char)unit[0] : 0, sqlite3_value_int(argv[2])};
    if (b.value < 1) b.value = 1;
    sqlite3_result_int64(ctx, bucket_floor(sqlite3_value_int64(argv[0]), b));
}

int sqlite_metrics_register(sqlite3 *db)
{
    int rc = sqlite3_create_function(db, "hp_bucket", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                     NULL, bucket_fn, NULL, NULL);
    return rc == SQLITE_OK ? HP_OK : HP_ESTORE;
}

static const char *field(const store_metrics_query *q, store_metric_field f)
{
    return q->attempts ? field_sql[f].attempts : field_sql[f].events;
}

/* SELECT [bucket,] dims..., aggregates FROM ... WHERE ... GROUP BY ... */
static int build_sql(const store_metrics_query *q, hp_buf *sql)
{
    hp_buf group = {0};
    hp_buf_puts(sql, "SELECT ");
    for (size_t i = 0; i < q->ndims; i++) {
        const char *expr = field(q, q->dims[i]);
        if (!expr) {
            hp_buf_free(&group);
            return HP_EINVAL;
        }
        hp_buf_printf(sql, "%s, ", expr);
        hp_buf_printf(&group, "%s%d", group.len ? ", " : "", (int)i + 1);
    }
    if (q->bucket.unit) {
        hp_buf_puts(sql, "hp_bucket(time, ?, ?), ");
        hp_buf_printf(&group, "%s%d", group.len ? ", " : "", (int)q->ndims + 1);
    }
    hp_buf_puts(sql, q->attempts ? "COUNT(*), SUM(success), SUM(attempt_number = 1), SUM(manual), SUM(attempt_number)"
                                 " FROM attempts WHERE time >= ? AND time < ?"
                                 : "COUNT(*), 0, 0, 0, 0 FROM events WHERE time >= ? AND time < ?");
    for (int f = 0; f < METRIC_NFIELDS; f++) {
        if (!q->filters[f]) continue;
        const char *expr = field(q, (store_metric_field)f);
        if (!expr) {
            hp_buf_free(&group);
            return HP_EINVAL;
        }
        sqlite_in_clause(sql, expr, q->filters[f]);
        if (!json_array_size(q->filters[f])) hp_buf_puts(sql, " AND 0"); /* asked for none of the values */
    }
    if (group.len) hp_buf_printf(sql, " GROUP BY %s ORDER BY %s", group.data, group.data);
    hp_buf_puts(sql, " LIMIT ?");
    hp_buf_free(&group);
    return sql->data ? HP_OK : HP_ENOMEM;
}

static void bind_all(sqlite3_stmt *s, const store_metrics_query *q)
{
    int i = 1;
    if (q->bucket.unit) {
        char unit[2] = {q->bucket.unit, '\0'};
        sqlite3_bind_text(s, i++, unit, 1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, i++, q->bucket.value);
    }
    sqlite3_bind_int64(s, i++, q->start_ms);
    sqlite3_bind_int64(s, i++, q->end_ms);
    for (int f = 0; f < METRIC_NFIELDS; f++)
        if (q->filters[f]) sqlite_bind_strings(s, &i, q->filters[f]);
    sqlite3_bind_int64(s, i, (sqlite3_int64)q->row_limit + 1);
}

static int read_row(sqlite3_stmt *s, const store_metrics_query *q, store_metrics_row *row)
{
    memset(row, 0, sizeof *row);
    int c = 0;
    for (size_t i = 0; i < q->ndims; i++, c++) {
        const unsigned char *v = sqlite3_column_text(s, c);
        if (!(row->dims[i] = strdup(v ? (const char *)v : ""))) return HP_ENOMEM;
    }
    if (q->bucket.unit) row->bucket_ms = sqlite3_column_int64(s, c++);
    row->count = sqlite3_column_int64(s, c++);
    row->succeeded = sqlite3_column_int64(s, c++);
    row->first_attempts = sqlite3_column_int64(s, c++);
    row->manual = sqlite3_column_int64(s, c++);
    row->attempt_number_sum = sqlite3_column_int64(s, c);
    return HP_OK;
}

static int past_deadline(void *arg)
{
    return hp_now_ms() > *(const int64_t *)arg;
}

static int run(sqlite_store *st, const store_metrics_query *q, store_metrics_result *out)
{
    memset(out, 0, sizeof *out);
    out->ndims = q->ndims;
    hp_buf sql = {0};
    int rc = build_sql(q, &sql);
    sqlite3_stmt *s = NULL;
    if (rc == HP_OK) rc = sqlite_prepare(st->db, sql.data, &s);
    hp_buf_free(&sql);
    if (rc != HP_OK) return rc;
    bind_all(s, q);
    if (hp_now_ms() > q->deadline_ms) {
        sqlite3_finalize(s);
        return HP_EBUSY;
    }
    sqlite3_progress_handler(st->db, 10000, past_deadline, (void *)&q->deadline_ms);
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (!q->ndims && !q->bucket.unit && sqlite3_column_int64(s, 0) == 0) continue; /* nothing matched */
        if (out->n == q->row_limit) {
            out->truncated = true;
            break;
        }
        if (out->n == cap) {
            size_t grown_cap = cap ? cap * 2 : 64;
            store_metrics_row *grown = realloc(out->rows, grown_cap * sizeof *grown);
            if (!grown) {
                rc = HP_ENOMEM;
                break;
            }
            out->rows = grown;
            cap = grown_cap;
        }
        rc = read_row(s, q, &out->rows[out->n]);
        out->n++; /* a half-read row is freed with the rest */
        if (rc != HP_OK) break;
    }
    if (rc == HP_OK && step == SQLITE_INTERRUPT) rc = HP_EBUSY;
    else if (rc == HP_OK && step != SQLITE_ROW && step != SQLITE_DONE) rc = HP_ESTORE;
    sqlite3_finalize(s);
    sqlite3_progress_handler(st->db, 0, NULL, NULL);
    if (rc != HP_OK) store_metrics_result_free(out);
    return rc;
}

int sqlite_metrics(hp_store *st, const store_metrics_query *q, store_metrics_result *out)
{
    sqlite_store *r = S(st)->slow_reader;
    WITH_LOCK(&r->base, run(r, q, out));
}
