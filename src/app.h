/* app.h - the explicitly owned singletons of a running hookpost process:
 * the loaded configuration, the store and the compiled webhook signer.
 * main.c creates one hp_app, hands it to the HTTP server and (with the
 * pipeline) the delivery engine, and frees it at exit. After app_init the
 * struct is read-only, so every thread may use it. */
#ifndef HP_APP_H
#define HP_APP_H

#include "config.h"
#include "deliver/signer.h"
#include "store/store.h"

#include <stddef.h>

struct committer;
struct engine;
struct event_cache;
struct pruner;
struct offload;

typedef struct hp_app {
    const hp_config *cfg;   /* borrowed from main */
    hp_store *store;        /* owned */
    signer_opts signer;     /* compiled from cfg */
    struct committer *committer; /* group commit of publishes (main starts/stops it) */
    struct engine *engine;  /* delivery engine (main starts/stops it) */
    struct event_cache *events; /* just-published events for the engine (owned) */
    struct pruner *pruner;  /* log retention, NULL when logs are kept forever (main starts/stops it) */
    struct offload *slow_reads; /* the thread for metrics aggregates (main starts/stops it) */
} hp_app;

/* Opens the store (migrating when `migrate`) and compiles the signer.
 * On failure writes one line into err and returns the HP_E* code. */
int app_init(hp_app *app, const hp_config *cfg, bool migrate, char *err, size_t errlen);
void app_free(hp_app *app);

#endif
