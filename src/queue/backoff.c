/* backoff.c - retry budget and delays (exponential or RETRY_SCHEDULE). */
#include "queue/backoff.h"

#define MAX_DELAY_MS (24LL * 3600 * 1000)

bool backoff_should_retry(const hp_config *cfg, bool eligible_for_retry, int attempt)
{
    return eligible_for_retry && attempt <= cfg->max_retry_limit;
}

int64_t backoff_delay_ms(const hp_config *cfg, int attempt, int64_t retry_after_s)
{
    int i = attempt > 1 ? attempt - 1 : 0;
    int64_t delay;
    if (cfg->nretry_schedule) {
        size_t k = (size_t)i < cfg->nretry_schedule ? (size_t)i : cfg->nretry_schedule - 1;
        delay = (int64_t)cfg->retry_schedule[k] * 1000;
    } else {
        delay = (int64_t)cfg->retry_interval_seconds * 1000;
        for (int k = 0; k < i && delay < MAX_DELAY_MS; k++) delay *= 2;
    }
    if (retry_after_s > MAX_DELAY_MS / 1000) retry_after_s = MAX_DELAY_MS / 1000;
    if (retry_after_s > 0 && retry_after_s * 1000 > delay) delay = retry_after_s * 1000;
    return delay < MAX_DELAY_MS ? delay : MAX_DELAY_MS;
}
