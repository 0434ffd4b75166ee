/* pruner.c - the log retention thread. See pruner.h. */
#include "queue/pruner.h"
#include "core/err.h"
#include "core/util.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Rows per transaction: a few milliseconds of the store lock at a time. */
#define PRUNE_BATCH 2000
/* Marks every tenth of the retention, at least each second and at most
 * each minute: rows go at most that much later than their time. */
#define MARK_MIN_MS 1000
#define MARK_MAX_MS 60000
/* Between two batches of a large backlog, room for everyone else. */
#define BATCH_PAUSE_MS 20

struct pruner {
    hp_store *store;
    int64_t retention_ms;
    int64_t interval_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
    /* for pruner_health, under lock */
    int64_t round_since; /* the round in progress began or last deleted a batch (0 = none) */
    int last_rc;         /* of the last round */
    char last_why[200];
};

int64_t pruner_retention_ms(const hp_config *cfg)
{
    if (cfg->log_retention_seconds > 0) return (int64_t)cfg->log_retention_seconds * 1000;
    return (int64_t)cfg->log_retention_days * 86400 * 1000;
}

/* Sleeps up to ms or until stopped; returns true when stopping. */
static bool pause_ms(pruner *p, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    while (!p->stopping && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&p->cond, &p->lock, &until);
    bool stop = p->stopping;
    pthread_mutex_unlock(&p->lock);
    return stop;
}

static void note_round(pruner *p, int rc)
{
    char why[200] = "";
    if (rc != HP_OK) {
        store_describe_error(p->store, rc, why, sizeof why);
        log_warn("log retention: %s", why);
    }
    pthread_mutex_lock(&p->lock);
    p->round_since = 0;
    p->last_rc = rc;
    memcpy(p->last_why, why, sizeof why);
    pthread_mutex_unlock(&p->lock);
}

/* A long backlog is progress, not a stall: each batch restarts the clock. */
static void note_progress(pruner *p)
{
    pthread_mutex_lock(&p->lock);
    p->round_since = hp_now_ms();
    pthread_mutex_unlock(&p->lock);
}

static void prune_once(pruner *p)
{
    int64_t now = hp_now_ms();
    note_progress(p);
    int rc = store_log_mark(p->store, now);
    size_t total = 0, deleted;
    while (rc == HP_OK) {
        deleted = 0;
        rc = store_log_prune(p->store, now - p->retention_ms, PRUNE_BATCH, &deleted);
        total += deleted;
        if (deleted < PRUNE_BATCH || pause_ms(p, BATCH_PAUSE_MS)) break;
        note_progress(p);
    }
    note_round(p, rc);
    if (total) log_debug("log retention: deleted %zu events and attempts", total);
}

bool pruner_health(pruner *p, int64_t now_ms, char *why, size_t len)
{
    pthread_mutex_lock(&p->lock);
    int64_t running = p->round_since ? now_ms - p->round_since : 0;
    bool ok = p->last_rc == HP_OK && running <= PRUNER_STALL_MS;
    if (p->last_rc != HP_OK) snprintf(why, len, "the last log retention round failed: %s", p->last_why);
    else if (!ok) snprintf(why, len, "a log retention round has been waiting for the store for %lld ms", (long long)running);
    pthread_mutex_unlock(&p->lock);
    return ok;
}

static void *run(void *arg)
{
    pruner *p = arg;
    pthread_setname_np(pthread_self(), "hp-retention");
    do {
        prune_once(p);
    } while (!pause_ms(p, p->interval_ms));
    return NULL;
}

int pruner_start(hp_store *st, const hp_config *cfg, pruner **out)
{
    *out = NULL;
    int64_t retention = pruner_retention_ms(cfg);
    if (retention <= 0) return HP_OK;
    pruner *p = calloc(1, sizeof *p);
    if (!p) return HP_ENOMEM;
    p->store = st;
    p->retention_ms = retention;
    p->interval_ms = retention / 10;
    if (p->interval_ms < MARK_MIN_MS) p->interval_ms = MARK_MIN_MS;
    if (p->interval_ms > MARK_MAX_MS) p->interval_ms = MARK_MAX_MS;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
        free(p);
        return HP_ENOMEM;
    }
    *out = p;
    return HP_OK;
}

void pruner_stop(pruner *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p);
}
