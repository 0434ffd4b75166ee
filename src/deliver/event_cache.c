/* event_cache.c - see event_cache.h. */
#include "deliver/event_cache.h"
#include "core/err.h"
#include "core/strmap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct cached_event {
    hp_event *event;
    int refs;          /* the map's reference (while in it) + deliveries holding it */
    int expected;      /* deliveries that have not taken it yet */
};

struct event_cache {
    pthread_mutex_t lock;
    strmap *map;       /* event id -> cached_event */
    size_t max;
};

event_cache *event_cache_new(size_t max_events)
{
    event_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->map = strmap_new())) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    c->max = max_events;
    return c;
}

static void entry_free(const char *key, void *value, void *arg)
{
    cached_event *ce = value;
    event_free(ce->event);
    free(ce);
}

void event_cache_free(event_cache *c)
{
    if (!c) return;
    strmap_each(c->map, entry_free, NULL);
    strmap_free(c->map);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

cached_event *event_cache_put(event_cache *c, hp_event *e)
{
    size_t n = json_array_size(e->matched);
    cached_event *ce = NULL;
    pthread_mutex_lock(&c->lock);
    if (n && strmap_size(c->map) < c->max && !strmap_get(c->map, e->id) && (ce = calloc(1, sizeof *ce))) {
        ce->event = e;
        ce->refs = 2; /* the map's and the publisher's */
        ce->expected = (int)n;
        if (strmap_put(c->map, e->id, ce) != HP_OK) {
            free(ce);
            ce = NULL;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return ce;
}

/* Drops one reference; the caller holds the lock. */
static void unref(cached_event *ce)
{
    if (--ce->refs > 0) return;
    event_free(ce->event);
    free(ce);
}

cached_event *event_cache_take(event_cache *c, const char *id, const char *tenant_id)
{
    pthread_mutex_lock(&c->lock);
    cached_event *ce = strmap_get(c->map, id);
    if (ce && strcmp(ce->event->tenant_id, tenant_id) != 0) ce = NULL;
    if (ce) {
        ce->refs++;
        /* once every expected delivery has it, the map lets go (a retry
         * taking it early only makes later ones read the store) */
        if (--ce->expected <= 0) {
            strmap_del(c->map, id);
            unref(ce);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return ce;
}

void event_cache_drop(event_cache *c, cached_event *ce)
{
    pthread_mutex_lock(&c->lock);
    if (strmap_get(c->map, ce->event->id) == ce) {
        strmap_del(c->map, ce->event->id);
        ce->refs--; /* the map's; the publisher's keeps it alive */
    }
    unref(ce);
    pthread_mutex_unlock(&c->lock);
}

const hp_event *cached_event_get(const cached_event *ce)
{
    return ce->event;
}

void event_cache_release(event_cache *c, cached_event *ce)
{
    if (!ce) return;
    pthread_mutex_lock(&c->lock);
    unref(ce);
    pthread_mutex_unlock(&c->lock);
}
