/* offload.c - the background thread for slow API reads (offload.h). */
#include "queue/offload.h"
#include "core/err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct offload {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    offload_job *head, *tail;
    size_t queued, max_queued;
    bool stopping;
    char name[16];
};

static void *run(void *arg)
{
    offload *o = arg;
    pthread_setname_np(pthread_self(), o->name);
    pthread_mutex_lock(&o->lock);
    for (;;) {
        while (!o->head && !o->stopping) pthread_cond_wait(&o->cond, &o->lock);
        offload_job *job = o->head;
        if (!job) break;
        o->head = job->next;
        if (!o->head) o->tail = NULL;
        o->queued--;
        bool cancelled = o->stopping;
        pthread_mutex_unlock(&o->lock);
        job->run(job, cancelled);
        pthread_mutex_lock(&o->lock);
    }
    pthread_mutex_unlock(&o->lock);
    return NULL;
}

int offload_start(const char *thread_name, size_t max_queued, offload **out)
{
    offload *o = calloc(1, sizeof *o);
    if (!o) return HP_ENOMEM;
    o->max_queued = max_queued;
    snprintf(o->name, sizeof o->name, "%s", thread_name);
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->cond, NULL);
    if (pthread_create(&o->thread, NULL, run, o) != 0) {
        pthread_mutex_destroy(&o->lock);
        pthread_cond_destroy(&o->cond);
        free(o);
        return HP_ENOMEM;
    }
    *out = o;
    return HP_OK;
}

int offload_submit(offload *o, offload_job *job)
{
    if (!o) return HP_EBUSY;
    pthread_mutex_lock(&o->lock);
    if (o->stopping || o->queued >= o->max_queued) {
        pthread_mutex_unlock(&o->lock);
        return HP_EBUSY;
    }
    job->next = NULL;
    if (o->tail) o->tail->next = job;
    else o->head = job;
    o->tail = job;
    o->queued++;
    pthread_cond_signal(&o->cond);
    pthread_mutex_unlock(&o->lock);
    return HP_OK;
}

void offload_stop(offload *o)
{
    if (!o) return;
    pthread_mutex_lock(&o->lock);
    o->stopping = true;
    pthread_cond_signal(&o->cond);
    pthread_mutex_unlock(&o->lock);
    pthread_join(o->thread, NULL);
    pthread_mutex_destroy(&o->lock);
    pthread_cond_destroy(&o->cond);
    free(o);
}
