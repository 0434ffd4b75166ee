/* committer.c - the group-commit thread. */
#include "queue/committer.h"
#include "core/err.h"
#include "core/util.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>

#define MAX_BATCH 4096

struct committer {
    hp_store *store;
    void (*on_commit)(void *arg);
    void *arg;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    publish_job *head, *tail;
    bool stopping;
};

static publish_job *take_all(committer *c, bool *stop)
{
    pthread_mutex_lock(&c->lock);
    while (!c->head && !c->stopping) pthread_cond_wait(&c->cond, &c->lock);
    publish_job *jobs = c->head;
    c->head = c->tail = NULL;
    *stop = c->stopping && !jobs;
    pthread_mutex_unlock(&c->lock);
    return jobs;
}

static void commit_chunk(committer *c, publish_job **jobs, size_t n)
{
    store_publish *batch[MAX_BATCH];
    for (size_t i = 0; i < n; i++) batch[i] = &jobs[i]->publish;
    int rc = store_publish_batch(c->store, batch, n, hp_now_ms());
    if (rc != HP_OK) log_error("publish commit of %zu events failed: %s", n, hp_strerror(rc));
    for (size_t i = 0; i < n; i++) jobs[i]->done(jobs[i], rc);
    if (rc == HP_OK && c->on_commit) c->on_commit(c->arg);
}

static void *run(void *arg)
{
    committer *c = arg;
    pthread_setname_np(pthread_self(), "hp-committer");
    publish_job *chunk[MAX_BATCH];
    bool stop = false;
    while (!stop) {
        publish_job *job = take_all(c, &stop);
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
    }
    return NULL;
}

int committer_start(hp_store *store, void (*on_commit)(void *arg), void *arg, committer **out)
{
    committer *c = calloc(1, sizeof *c);
    if (!c) return HP_ENOMEM;
    c->store = store;
    c->on_commit = on_commit;
    c->arg = arg;
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

int committer_submit(committer *c, publish_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->stopping) {
        pthread_mutex_unlock(&c->lock);
        return HP_EBUSY;
    }
    if (c->tail) c->tail->next = job;
    else c->head = job;
    c->tail = job;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return HP_OK;
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
    free(c);
}
