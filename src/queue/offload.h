/* offload.h - a background thread for slow, read-only API work (metrics
 * aggregates), so a long query never holds up the HTTP threads, each of
 * which serves many connections (publishes among them).
 *
 * Jobs run one at a time in submission order. A job is owned by the caller
 * until offload_submit succeeds, then by the offload, which calls
 * job->run(job, cancelled) exactly once: cancelled is true for jobs still
 * queued when offload_stop runs (the job must still answer its client and
 * free itself).
 *
 * Thread-safety: offload_submit from any thread; offload_start and
 * offload_stop by the owner (main) only. Errors follow err.h. */
#ifndef HP_OFFLOAD_H
#define HP_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct offload_job {
    void (*run)(struct offload_job *job, bool cancelled);
    struct offload_job *next; /* the offload's */
} offload_job;

typedef struct offload offload;

/* Starts the thread (named thread_name); at most max_queued jobs wait.
 * HP_OK or HP_ENOMEM. */
int offload_start(const char *thread_name, size_t max_queued, offload **out);

/* Queues job. HP_EBUSY when max_queued jobs already wait, the offload is
 * stopping or o is NULL (the job stays the caller's). */
int offload_submit(offload *o, offload_job *job);

/* Cancels the waiting jobs, lets the running one finish, stops the thread
 * and frees the offload. NULL is fine. */
void offload_stop(offload *o);

#endif
