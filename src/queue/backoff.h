/* backoff.h - when the next automatic attempt happens after a failure.
 * Pure functions of the configuration; thread-safe. */
#ifndef HP_BACKOFF_H
#define HP_BACKOFF_H

#include "config.h"

#include <stdbool.h>
#include <stdint.h>

/* Whether attempt number `attempt` (1-based) failing leaves budget for
 * another automatic attempt: attempts run up to 1 + MAX_RETRY_LIMIT. */
bool backoff_should_retry(const hp_config *cfg, bool eligible_for_retry, int attempt);

/* Delay in ms before the attempt after failed attempt `attempt`:
 * RETRY_SCHEDULE[attempt-1] (last entry repeated) or
 * RETRY_INTERVAL_SECONDS * 2^(attempt-1). A Retry-After from the receiver
 * (retry_after_s > 0, from a 429 or 503) lengthens the delay up to 24 h but
 * never shortens it. */
int64_t backoff_delay_ms(const hp_config *cfg, int attempt, int64_t retry_after_s);

#endif
