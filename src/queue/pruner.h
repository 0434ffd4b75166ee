/* pruner.h - log retention: one thread that periodically records how far
 * the event and attempt log reach (store_log_mark) and deletes what was
 * logged more than LOG_RETENTION_SECONDS (or LOG_RETENTION_DAYS) ago
 * (store_log_prune), a bounded batch per transaction so publishing and
 * delivery never wait long for the store.
 *
 * Thread-safety: pruner_start and pruner_stop are called by the owner
 * (main) only; pruner_health from any thread. Errors follow err.h. */
#ifndef HP_PRUNER_H
#define HP_PRUNER_H

#include "config.h"
#include "store/store.h"

typedef struct pruner pruner;

/* The retention in milliseconds the configuration asks for; 0 = forever. */
int64_t pruner_retention_ms(const hp_config *cfg);

/* Starts the thread; when retention is 0 nothing starts and *out is NULL.
 * HP_OK or HP_ENOMEM. */
int pruner_start(hp_store *st, const hp_config *cfg, pruner **out);

/* Whether retention works: false with the reason in why while the last
 * round of marking and pruning failed (until one succeeds) or the current
 * one has made no progress (a deleted batch) for over PRUNER_STALL_MS. */
#define PRUNER_STALL_MS 10000
bool pruner_health(pruner *p, int64_t now_ms, char *why, size_t len);

/* Stops the thread (within one batch) and frees it. NULL is fine. */
void pruner_stop(pruner *p);

#endif
