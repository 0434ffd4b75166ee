/* engine.h - the delivery engine: takes new tasks straight from the
 * committer (written already leased, so never read back) and claims due ones
 * from the store under a lease (retries, manual retries, overflow beyond the
 * in-memory bound, whatever a crash left behind); runs each attempt through
 * its destination's provider on a curl multi handle (bounded concurrency,
 * keep-alive reuse per host), logs the attempt and schedules retries,
 * committing results in batches through the committer (engine_use_committer).
 *
 * DELIVERY_THREADS workers (one per CPU by default) share the work; each has
 * its own curl multi handle, inbox of hand-overs and an equal share of
 * DELIVERY_MAX_CONCURRENCY, and claims from the store independently. A slow
 * destination never has more than DELIVERY_MAX_PER_DESTINATION transfers in
 * flight over all workers; its other tasks wait in memory, still leased.
 * engine_wake and the committer sink are thread-safe and cheap. */
#ifndef HP_ENGINE_H
#define HP_ENGINE_H

#include "app.h"
#include "queue/committer.h"

typedef struct engine engine;

int engine_start(const hp_app *app, engine **out);
void engine_wake(engine *e);
/* The engine as the committer's sink: new tasks are handed over in memory
 * (up to a bound) instead of being claimed back from the store. */
void engine_committer_sink(engine *e, committer_sink *out);
/* Results are committed through c from now on (committer_submit_results),
 * so workers never wait for the store's writer lock; until then, and once
 * c is stopping, each worker commits its own. c must stay allocated until
 * engine_stop has returned. */
void engine_use_committer(engine *e, committer *c);
/* Whether deliveries are flowing: false (with the reason in why) while a
 * worker's last result commit or claim failed (until one succeeds) or a
 * worker's loop has not come round for ENGINE_STALL_MS (it comes round at
 * least every second when healthy). Thread-safe. */
#define ENGINE_STALL_MS 30000
bool engine_health(engine *e, int64_t now_ms, char *why, size_t len);
/* Finishes the transfers in flight (up to the delivery timeout), commits
 * their results and stops. Tasks not started stay in the store. */
void engine_stop(engine *e);

#endif
