/* paging.h - keyset (cursor) pagination shared by every list endpoint.
 *
 * A walk goes in `dir` order (desc by default). `next` continues after the
 * last row shown; `prev` goes back before the first. Cursors are opaque
 * (core/cursor.h) and carry (time, id), so rows sharing a timestamp are
 * neither skipped nor repeated. */
#ifndef HP_PAGING_H
#define HP_PAGING_H

#include "http/http.h"
#include "store/store.h"

typedef struct {
    int limit;
    bool desc;           /* the walk's order */
    bool backward;       /* a prev cursor: fetch in reverse, then flip */
    bool has_cursor;
    store_seek seek;     /* valid when has_cursor; seek.id owned */
} page_params;

typedef struct {
    const char *resource;   /* cursor resource: "tnt", "evt", "att" */
    const char *order_by;   /* shown in the response */
    int default_limit, max_limit;
    bool strict_limit;      /* out of range -> 400 (tenants) instead of clamping */
} page_spec;

/* Reads limit, dir, next, prev (and validates order_by when given).
 * false = res holds the 400/422 answer. */
bool paging_parse(const http_req *req, http_res *res, const page_spec *spec, page_params *out);
void paging_free(page_params *p);

/* The `pagination` object for a page whose first/last rows have the given
 * keys (n rows; `more` = the store saw rows beyond the page in fetch order).
 * New reference. */
json_t *paging_json(const page_spec *spec, const page_params *p, size_t n, bool more, int64_t first_t,
                    const char *first_id, int64_t last_t, const char *last_id);

/* Reverses an array of n pointers in place (backward pages are fetched in
 * reverse order). */
void paging_flip(void **items, size_t n);

#endif
