/* event_cache.h - events just published, kept in memory so their first
 * deliveries need not read them back from the store.
 *
 * Publish puts each event in before it is committed (so no delivery can look
 * for it before it is there), holding a reference until the commit is done,
 * and drops it if the commit failed or the event was a duplicate. Each
 * delivery takes a shared reference and releases it when done.
 * An entry leaves the map once every expected delivery has taken it and is
 * freed when the last reference goes. A full cache simply declines new
 * events (the engine then reads them from the store), so memory stays
 * bounded however far delivery falls behind. Thread-safe (one mutex). */
#ifndef HP_EVENT_CACHE_H
#define HP_EVENT_CACHE_H

#include "core/model.h"

#include <stddef.h>

typedef struct event_cache event_cache;
typedef struct cached_event cached_event;

event_cache *event_cache_new(size_t max_events);
/* Frees the cache and every entry still in it; no reference may be held. */
void event_cache_free(event_cache *c);

/* Takes ownership of e and returns the publisher's reference, or NULL (e
 * not taken) when the cache is full, e matched nothing or its id is cached. */
cached_event *event_cache_put(event_cache *c, hp_event *e);

/* The publisher's commit failed or found a duplicate: removes the entry (if
 * still in the map) and releases the reference. */
void event_cache_drop(event_cache *c, cached_event *ce);

/* A shared reference to the event with this id and tenant, or NULL. */
cached_event *event_cache_take(event_cache *c, const char *id, const char *tenant_id);
const hp_event *cached_event_get(const cached_event *ce);
void event_cache_release(event_cache *c, cached_event *ce);

#endif
