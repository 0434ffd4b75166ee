/* engine.h - the delivery engine: claims due tasks from the store under a
 * lease, runs each attempt through its destination's provider on one curl
 * multi handle (bounded concurrency, keep-alive reuse per host), logs the
 * attempt and schedules retries, committing results in batches.
 *
 * DELIVERY_THREADS workers (one per CPU by default) share the work; each has
 * its own curl multi handle and an equal share of DELIVERY_MAX_CONCURRENCY,
 * and claims from the store independently. engine_wake is thread-safe and
 * cheap: the committer calls it after every publish commit so new tasks go
 * out at once. */
#ifndef HP_ENGINE_H
#define HP_ENGINE_H

#include "app.h"

typedef struct engine engine;

int engine_start(const hp_app *app, engine **out);
void engine_wake(engine *e);
/* Finishes the transfers in flight (up to the delivery timeout), commits
 * their results and stops. Tasks not started stay in the store. */
void engine_stop(engine *e);

#endif
