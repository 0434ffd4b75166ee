/* paging.c - parsing and rendering of cursor pagination. */
#include "api/paging.h"
#include "core/cursor.h"
#include "core/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool parse_int(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

bool paging_parse(const http_req *req, http_res *res, const page_spec *spec, page_params *out)
{
    memset(out, 0, sizeof *out);
    out->limit = spec->default_limit;
    out->desc = true;
    const char *limit = http_query(req, "limit"), *dir = http_query(req, "dir");
    const char *next = http_query(req, "next"), *prev = http_query(req, "prev");
    const char *order_by = http_query(req, "order_by");
    long l;
    if (limit && *limit) {
        bool ok = parse_int(limit, &l);
        if (spec->strict_limit && (!ok || l < 1 || l > spec->max_limit)) {
            http_error_data(res, 400, "invalid limit",
                            json_pack("{s:s}", "query.limit", "must be an integer between 1 and 100"));
            return false;
        }
        if (ok && l >= 1) out->limit = (int)(l > spec->max_limit ? spec->max_limit : l);
    }
    if (dir && *dir) {
        if (strcmp(dir, "asc") && strcmp(dir, "desc")) {
            http_error_data(res, 422, "validation error", json_pack("{s:s}", "query.dir", "must be 'asc' or 'desc'"));
            return false;
        }
        out->desc = !strcmp(dir, "desc");
    }
    if (order_by && *order_by && strcmp(order_by, spec->order_by)) {
        http_error_data(res, 422, "validation error", json_pack("{s:s+}", "query.order_by", "must be ", spec->order_by));
        return false;
    }
    if (next && *next && prev && *prev) {
        http_error(res, 400, "cannot specify both 'next' and 'prev' cursors");
        return false;
    }
    const char *cursor = next && *next ? next : prev && *prev ? prev : NULL;
    if (!cursor) return true;
    char *id = NULL;
    if (cursor_decode(spec->resource, cursor, &out->seek.time_ms, &id) != HP_OK) {
        http_error(res, 400, "invalid cursor");
        return false;
    }
    out->seek.id = id;
    out->has_cursor = true;
    out->backward = cursor == prev;
    return true;
}

void paging_free(page_params *p)
{
    free((char *)p->seek.id);
    p->seek.id = NULL;
}

static json_t *cursor_json(const char *resource, int64_t t, const char *id)
{
    char *c = NULL;
    if (cursor_encode(resource, t, id, &c) != HP_OK) return json_null();
    json_t *s = json_string(c);
    free(c);
    return s;
}

json_t *paging_json(const page_spec *spec, const page_params *p, size_t n, bool more, int64_t first_t,
                    const char *first_id, int64_t last_t, const char *last_id)
{
    /* forward: more rows ahead -> next; came from a cursor -> prev.
     * backward: more rows behind -> prev; came from a cursor -> next. */
    bool has_next = n && (p->backward ? p->has_cursor : more);
    bool has_prev = n && (p->backward ? more : p->has_cursor);
    json_t *o = json_object();
    json_object_set_new(o, "order_by", json_string(spec->order_by));
    json_object_set_new(o, "dir", json_string(p->desc ? "desc" : "asc"));
    json_object_set_new(o, "limit", json_integer(p->limit));
    json_object_set_new(o, "next", has_next ? cursor_json(spec->resource, last_t, last_id) : json_null());
    json_object_set_new(o, "prev", has_prev ? cursor_json(spec->resource, first_t, first_id) : json_null());
    return o;
}

void paging_flip(void **items, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        void *t = items[i];
        items[i] = items[n - 1 - i];
        items[n - 1 - i] = t;
    }
}
