/* sqlite_log.c - the log side of the embedded store: reading events and
 * attempts back, one by id or a page at a time.
 *
 * Pages are keyset walks on (time, id): a page asks for the rows strictly
 * after a seek position in the walk's order, fetches limit+1 rows to know
 * whether more follow, and never uses OFFSET, so rows sharing a millisecond
 * are neither skipped nor repeated. Filters are "column IN (?,..)" lists;
 * an event's destination filter goes through event_destinations (the
 * destinations the event matched at publish).
 *
 * Events keep `data` as the exact text received; it is handed back as text,
 * never re-serialised. Every entry point runs on the store's reader
 * connection and holds the reader's lock (WITH_LOCK) for its whole
 * operation; writers never wait for it. */
#include "store/sqlite_int.h"
#include "core/err.h"
#include "core/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_COLUMNS "id, tenant_id, destination_id, topic, time, eligible_for_retry, metadata, data, matched"
#define ATTEMPT_COLUMNS "id, event_id, tenant_id, destination_id, destination_type, topic, success, time, code," \
                        " attempt_number, manual, response_data, event_time, request_data, duration_ms"

/* ---- rows -> models ---- */

/* Copies a text column byte for byte (NUL-terminated); *len its length. */
static char *column_text(sqlite3_stmt *s, int i, size_t *len)
{
    const char *text = (const char *)sqlite3_column_text(s, i);
    size_t n = (size_t)sqlite3_column_bytes(s, i);
    char *copy = malloc(n + 1);
    if (!copy) return NULL;
    if (n) memcpy(copy, text, n);
    copy[n] = '\0';
    *len = n;
    return copy;
}

static int event_from_row(sqlite3_stmt *s, void **out)
{
    hp_event *e = calloc(1, sizeof *e);
    if (!e) return HP_ENOMEM;
    e->id = sqlite_column_str(s, 0);
    e->tenant_id = sqlite_column_str(s, 1);
    e->destination_id = sqlite_column_str(s, 2);
    e->topic = sqlite_column_str(s, 3);
    e->time = sqlite3_column_int64(s, 4);
    e->eligible_for_retry = sqlite3_column_int(s, 5) != 0;
    e->metadata = sqlite_column_json(s, 6);
    e->data = column_text(s, 7, &e->data_len);
    e->matched = sqlite_column_json(s, 8);
    if (!e->metadata) e->metadata = json_object();
    if (!e->matched) e->matched = json_array();
    if (!e->id || !e->tenant_id || !e->topic || !e->data || !e->metadata || !e->matched) {
        event_free(e);
        return HP_ENOMEM;
    }
    *out = e;
    return HP_OK;
}

static int attempt_from_row(sqlite3_stmt *s, void **out)
{
    hp_attempt *a = calloc(1, sizeof *a);
    if (!a) return HP_ENOMEM;
    a->id = sqlite_column_str(s, 0);
    a->event_id = sqlite_column_str(s, 1);
    a->tenant_id = sqlite_column_str(s, 2);
    a->destination_id = sqlite_column_str(s, 3);
    a->destination_type = sqlite_column_str(s, 4);
    a->topic = sqlite_column_str(s, 5);
    a->success = sqlite3_column_int(s, 6) != 0;
    a->time = sqlite3_column_int64(s, 7);
    a->code = sqlite_column_str(s, 8);
    a->attempt_number = sqlite3_column_int(s, 9);
    a->manual = sqlite3_column_int(s, 10) != 0;
    a->response_data = sqlite_column_json(s, 11);
    a->event_time = sqlite3_column_int64(s, 12);
    a->request_data = sqlite_column_str(s, 13);
    a->duration_ms = sqlite3_column_int64(s, 14);
    if (!a->id || !a->event_id || !a->tenant_id || !a->destination_id || !a->destination_type || !a->topic
        || !a->code || (!a->request_data && sqlite3_column_type(s, 13) != SQLITE_NULL)) {
        attempt_free(a);
        return HP_ENOMEM;
    }
    *out = a;
    return HP_OK;
}

/* ---- one by id ---- */

typedef int (*row_fn)(sqlite3_stmt *s, void **out);

/* Runs "SELECT .. WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)". */
static int get_one(sqlite_store *st, const char *sql, const char *id, const char *tenant_id, row_fn from_row,
                   void **out)
{
    sqlite3_stmt *s;
    if (sqlite_prepare_cached(st, sql, &s) != HP_OK) return HP_ESTORE;
    sqlite_bind_text(s, 1, id);
    sqlite_bind_text(s, 2, tenant_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) rc = from_row(s, out);
    else rc = rc == SQLITE_DONE ? HP_ENOTFOUND : HP_ESTORE;
    sqlite_release(st, s);
    return rc;
}

static int do_event_get(sqlite_store *st, const char *id, const char *tenant_id, hp_event **out)
{
    void *e = NULL;
    int rc = get_one(st, "SELECT " EVENT_COLUMNS " FROM events WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
                     id, tenant_id, event_from_row, &e);
    if (rc == HP_OK) *out = e;
    return rc;
}

static int do_attempt_get(sqlite_store *st, const char *id, const char *tenant_id, hp_attempt **out)
{
    void *a = NULL;
    int rc = get_one(st, "SELECT " ATTEMPT_COLUMNS " FROM attempts WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
                     id, tenant_id, attempt_from_row, &a);
    if (rc == HP_OK) *out = a;
    return rc;
}

/* ---- pages ---- */

#define MAX_FILTERS 6

/* What differs between the event and the attempt walks. */
typedef struct {
    const char *select;               /* "SELECT <columns> FROM <table> WHERE 1" */
    const char *column[MAX_FILTERS];  /* IN-list filters: column, values */
    const json_t *values[MAX_FILTERS];
    size_t nfilters;
    const json_t *matched;            /* events: destination ids via event_destinations */
    int status;                       /* attempts: 1 success, -1 failed, 0 any */
    row_fn from_row;
    void (*page_free)(store_log_page *p);
} walk;

static void where_sql(hp_buf *sql, const walk *w, const store_log_query *q)
{
    for (size_t i = 0; i < w->nfilters; i++) sqlite_in_clause(sql, w->column[i], w->values[i]);
    if (json_array_size(w->matched)) {
        hp_buf_puts(sql, " AND id IN (SELECT event_id FROM event_destinations WHERE 1");
        sqlite_in_clause(sql, "destination_id", w->matched);
        hp_buf_puts(sql, ")");
    }
    if (w->status) hp_buf_printf(sql, " AND success = %d", w->status > 0);
    if (q->time_gte != INT64_MIN) hp_buf_puts(sql, " AND time >= ?");
    if (q->time_lte != INT64_MAX) hp_buf_puts(sql, " AND time <= ?");
    if (q->after) hp_buf_printf(sql, " AND (time, id) %s (?, ?)", q->desc ? "<" : ">");
    const char *ord = q->desc ? "DESC" : "ASC";
    hp_buf_printf(sql, " ORDER BY time %s, id %s LIMIT ?", ord, ord);
}

/* Binds the parameters where_sql asked for, in the same order. */
static void where_bind(sqlite3_stmt *s, const walk *w, const store_log_query *q, int limit)
{
    int i = 1;
    for (size_t k = 0; k < w->nfilters; k++) sqlite_bind_strings(s, &i, w->values[k]);
    if (json_array_size(w->matched)) sqlite_bind_strings(s, &i, w->matched);
    if (q->time_gte != INT64_MIN) sqlite3_bind_int64(s, i++, q->time_gte);
    if (q->time_lte != INT64_MAX) sqlite3_bind_int64(s, i++, q->time_lte);
    if (q->after) {
        sqlite3_bind_int64(s, i++, q->after->time_ms);
        sqlite_bind_text(s, i++, q->after->id);
    }
    sqlite3_bind_int(s, i, limit + 1);
}

static int run_walk(sqlite_store *st, const walk *w, const store_log_query *q, store_log_page *out)
{
    memset(out, 0, sizeof *out);
    int limit = q->limit > 0 ? q->limit : 1;
    hp_buf sql = {0};
    hp_buf_puts(&sql, w->select);
    where_sql(&sql, w, q);
    if (!sql.data) return HP_ENOMEM;
    sqlite3_stmt *s;
    int rc = sqlite_prepare(st->db, sql.data, &s);
    hp_buf_free(&sql);
    if (rc != HP_OK) return rc;
    where_bind(s, w, q, limit);
    out->items = calloc((size_t)limit, sizeof *out->items);
    if (!out->items) rc = HP_ENOMEM;
    int step = SQLITE_DONE;
    while (rc == HP_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->n == (size_t)limit) {
            out->more = true;
            break;
        }
        rc = w->from_row(s, &out->items[out->n]);
        if (rc == HP_OK) out->n++;
    }
    if (rc == HP_OK && step != SQLITE_ROW && step != SQLITE_DONE) rc = HP_ESTORE;
    sqlite3_finalize(s);
    if (rc != HP_OK) {
        w->page_free(out);
        out->more = false;
    }
    return rc;
}

static void add_filter(walk *w, const char *column, const json_t *values)
{
    if (!json_array_size(values)) return;
    w->column[w->nfilters] = column;
    w->values[w->nfilters++] = values;
}

static int do_events_list(sqlite_store *st, const store_log_query *q, store_log_page *out)
{
    walk w = {
        .select = "SELECT " EVENT_COLUMNS " FROM events WHERE 1",
        .matched = q->destination_ids,
        .from_row = event_from_row,
        .page_free = store_events_page_free,
    };
    add_filter(&w, "id", q->ids);
    add_filter(&w, "tenant_id", q->tenant_ids);
    add_filter(&w, "topic", q->topics);
    return run_walk(st, &w, q, out);
}

static int do_attempts_list(sqlite_store *st, const store_log_query *q, store_log_page *out)
{
    walk w = {
        .select = "SELECT " ATTEMPT_COLUMNS " FROM attempts WHERE 1",
        .status = q->status,
        .from_row = attempt_from_row,
        .page_free = store_attempts_page_free,
    };
    add_filter(&w, "tenant_id", q->tenant_ids);
    add_filter(&w, "event_id", q->event_ids);
    add_filter(&w, "destination_id", q->destination_ids);
    add_filter(&w, "destination_type", q->destination_types);
    add_filter(&w, "topic", q->topics);
    return run_walk(st, &w, q, out);
}

/* ---- locked entry points (store_ops) ---- */

int sqlite_event_get(hp_store *st, const char *id, const char *tenant_id, hp_event **out)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_event_get(r, id, tenant_id, out));
}

int sqlite_attempt_get(hp_store *st, const char *id, const char *tenant_id, hp_attempt **out)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_attempt_get(r, id, tenant_id, out));
}

int sqlite_events_list(hp_store *st, const store_log_query *q, store_log_page *out)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_events_list(r, q, out));
}

int sqlite_attempts_list(hp_store *st, const store_log_query *q, store_log_page *out)
{
    sqlite_store *r = S(st)->reader;
    WITH_LOCK(&r->base, do_attempts_list(r, q, out));
}
