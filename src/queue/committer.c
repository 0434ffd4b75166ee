/* committer.c - the group-commit thread. */
#include "queue/committer.h"
#include "core/err.h"
#include "core/util.h"
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#define MAX_BATCH 4096

struct committer {
    hp_store *store;
    committer_sink sink;
    bool has_sink;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    publish_job *head, *tail;
    results_job *rhead, *rtail;
    store_result **merged; /* the round's results, for one transaction */
    size_t merged_cap;
    bool stopping;
    /* for committer_health, under lock */
    int64_t oldest_queued_ms;  /* when the oldest job not yet being committed arrived (0 = none) */
    int64_t committing_since;  /* when the commit in progress began (0 = none) */
    int64_t failing_since;     /* first of the failed commits in a row (0 = last one succeeded) */
    char fail_why[200];        /* the last failure in the store's words */
};

static publish_job *take_all(committer *c, results_job **results, bool *stop)
{
    pthread_mutex_lock(&c->lock);
    while (!c->head && !c->rhead && !c->stopping) pthread_cond_wait(&c->cond, &c->lock);
    publish_job *jobs = c->head;
    c->head = c->tail = NULL;
    *results = c->rhead;
    c->rhead = c->rtail = NULL;
    c->oldest_queued_ms = 0;
    *stop = c->stopping && !jobs && !*results;
    pthread_mutex_unlock(&c->lock);
    return jobs;
}

static void commit_began(committer *c, int64_t now_ms)
{
    pthread_mutex_lock(&c->lock);
    c->committing_since = now_ms;
    pthread_mutex_unlock(&c->lock);
}

/* Records the outcome; a failure is logged and kept in the store's words,
 * taken now (a later failure elsewhere must not be blamed on it). */
static void commit_ended(committer *c, int rc, size_t n)
{
    char why[sizeof c->fail_why] = "";
    if (rc != HP_OK) {
        store_describe_error(c->store, rc, why, sizeof why);
        log_error("publish commit of %zu events failed: %s", n, why);
    }
    pthread_mutex_lock(&c->lock);
    c->committing_since = 0;
    if (rc == HP_OK) c->failing_since = 0;
    else if (!c->failing_since) c->failing_since = hp_now_ms();
    if (rc != HP_OK) memcpy(c->fail_why, why, sizeof why);
    pthread_mutex_unlock(&c->lock);
}

/* Reserves in-memory hand-over for each publish that has tasks. */
static void reserve_handoffs(committer *c, publish_job **jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        store_publish *p = &jobs[i]->publish;
        size_t tasks = json_array_size(p->event->matched);
        p->task_ids = NULL;
        if (!c->has_sink || !tasks || !c->sink.reserve(c->sink.arg, tasks)) continue;
        p->task_ids = malloc(tasks * sizeof *p->task_ids);
        if (!p->task_ids) c->sink.unreserve(c->sink.arg, tasks);
    }
}

/* Hands committed tasks over (before the 202s: done() may free the event). */
static void deliver_handoffs(committer *c, publish_job **jobs, size_t n, int rc, int64_t lease_until, uint64_t epoch)
{
    bool stored = false;
    for (size_t i = 0; i < n; i++) {
        store_publish *p = &jobs[i]->publish;
        bool committed = rc == HP_OK && !p->duplicate;
        size_t tasks = json_array_size(p->event->matched);
        if (p->task_ids && committed)
            c->sink.handoff(c->sink.arg, p->event, p->task_ids, lease_until, epoch);
        else if (p->task_ids)
            c->sink.unreserve(c->sink.arg, tasks);
        else if (committed && tasks)
            stored = true;
        free(p->task_ids);
        p->task_ids = NULL;
    }
    if (stored && c->has_sink) c->sink.wake(c->sink.arg);
}

static void commit_chunk(committer *c, publish_job **jobs, size_t n)
{
    store_publish *batch[MAX_BATCH];
    for (size_t i = 0; i < n; i++) batch[i] = &jobs[i]->publish;
    reserve_handoffs(c, jobs, n);
    uint64_t epoch = c->has_sink ? c->sink.epoch(c->sink.arg) : 0;
    int64_t now = hp_now_ms(), lease_until = now + (c->has_sink ? c->sink.lease_ms : 0);
    commit_began(c, now);
    int rc = store_publish_batch(c->store, batch, n, now, lease_until);
    commit_ended(c, rc, n);
    deliver_handoffs(c, jobs, n, rc, lease_until, epoch);
    for (size_t i = 0; i < n; i++) jobs[i]->done(jobs[i], rc);
}

static void commit_over(committer *c)
{
    pthread_mutex_lock(&c->lock);
    c->committing_since = 0;
    pthread_mutex_unlock(&c->lock);
}

static int results_transaction(committer *c, store_result *const *results, size_t n)
{
    commit_began(c, hp_now_ms());
    int rc = store_results_commit(c->store, results, n);
    commit_over(c);
    return rc;
}

/* Gathers the round's results into c->merged; *n their count. False when
 * the array cannot grow (each job then commits on its own). */
static bool merge_results(committer *c, const results_job *jobs, size_t *n)
{
    size_t total = 0;
    for (const results_job *j = jobs; j; j = j->next) total += j->n;
    if (total > c->merged_cap) {
        store_result **grown = realloc(c->merged, total * sizeof *grown);
        if (!grown) return false;
        c->merged = grown;
        c->merged_cap = total;
    }
    *n = 0;
    for (const results_job *j = jobs; j; j = j->next) {
        memcpy(c->merged + *n, j->results, j->n * sizeof *c->merged);
        *n += j->n;
    }
    return true;
}

/* The round's results in one transaction; if that fails, each job in its
 * own, so what one job holds cannot fail the others. A failure is for the
 * engine to report (done gets rc). */
static void commit_results(committer *c, results_job *jobs)
{
    size_t n = 0;
    bool merged = jobs && jobs->next && merge_results(c, jobs, &n);
    int rc = merged ? results_transaction(c, c->merged, n) : HP_OK;
    if (rc != HP_OK) merged = false;
    while (jobs) {
        results_job *next = jobs->next; /* done() may free the job */
        jobs->done(jobs, merged ? rc : results_transaction(c, jobs->results, jobs->n));
        jobs = next;
    }
}

static void *run(void *arg)
{
    committer *c = arg;
    pthread_setname_np(pthread_self(), "hp-committer");
    publish_job *chunk[MAX_BATCH];
    bool stop = false;
    while (!stop) {
        results_job *results = NULL;
        publish_job *job = take_all(c, &results, &stop);
        size_t n = 0;
        while (job) {
            publish_job *next = job->next; /* done() may free job */
            chunk[n++] = job;
            if (n == MAX_BATCH) {
                commit_chunk(c, chunk, n);
                n = 0;
            }
            job = next;
        }
        if (n) commit_chunk(c, chunk, n);
        commit_results(c, results);
    }
    return NULL;
}

int committer_start(hp_store *store, const committer_sink *sink, committer **out)
{
    committer *c = calloc(1, sizeof *c);
    if (!c) return HP_ENOMEM;
    c->store = store;
    if (sink) {
        c->sink = *sink;
        c->has_sink = true;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (pthread_create(&c->thread, NULL, run, c) != 0) {
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
        free(c);
        return HP_ENOMEM;
    }
    *out = c;
    return HP_OK;
}

/* Takes c->lock for queueing a job; false (lock released) once stopping. */
static bool queue_open(committer *c)
{
    pthread_mutex_lock(&c->lock);
    if (!c->stopping) return true;
    pthread_mutex_unlock(&c->lock);
    return false;
}

static void queued(committer *c)
{
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

int committer_submit(committer *c, publish_job *job)
{
    job->next = NULL;
    if (!queue_open(c)) return HP_EBUSY;
    if (c->tail) c->tail->next = job;
    else c->head = job;
    c->tail = job;
    if (!c->oldest_queued_ms) c->oldest_queued_ms = hp_now_ms();
    queued(c);
    return HP_OK;
}

int committer_submit_results(committer *c, results_job *job)
{
    job->next = NULL;
    if (!queue_open(c)) return HP_EBUSY;
    if (c->rtail) c->rtail->next = job;
    else c->rhead = job;
    c->rtail = job;
    queued(c);
    return HP_OK;
}

bool committer_health(committer *c, int64_t now_ms, char *why, size_t len)
{
    pthread_mutex_lock(&c->lock);
    int64_t committing = c->committing_since ? now_ms - c->committing_since : 0;
    int64_t waiting = c->oldest_queued_ms ? now_ms - c->oldest_queued_ms : 0;
    bool failing = c->failing_since != 0;
    if (failing) snprintf(why, len, "the last publish commit failed: %s", c->fail_why);
    pthread_mutex_unlock(&c->lock);
    if (failing) return false;
    if (committing > COMMITTER_STALL_MS) {
        snprintf(why, len, "a commit has been running for %lld ms", (long long)committing);
        return false;
    }
    if (waiting > COMMITTER_STALL_MS) {
        snprintf(why, len, "publishes have waited %lld ms for a commit", (long long)waiting);
        return false;
    }
    return true;
}

void committer_stop(committer *c)
{
    if (!c) return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
}

void committer_free(committer *c)
{
    if (!c) return;
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    free(c->merged);
    free(c);
}
