/* committer.h - group commit of publishes.
 *
 * HTTP threads submit publish jobs; one committer thread takes everything
 * queued, writes it to the store in a single transaction and then calls each
 * job's `done` callback (on the committer thread). So a 202 always follows a
 * durable commit, and concurrent publishes share the commit's cost.
 *
 * Thread-safety: committer_submit may be called from any thread. Ownership:
 * the job belongs to the submitter, who must keep it alive until `done` runs
 * (done may free it). */
#ifndef HP_COMMITTER_H
#define HP_COMMITTER_H

#include "store/store.h"

typedef struct committer committer;

typedef struct publish_job {
    store_publish publish;                 /* event (borrowed) and the duplicate verdict */
    void (*done)(struct publish_job *job, int rc);
    struct publish_job *next;              /* committer's queue link */
} publish_job;

/* on_commit (may be NULL) runs after each successful batch: the delivery
 * engine's wake-up. */
int committer_start(hp_store *store, void (*on_commit)(void *arg), void *arg, committer **out);

/* Queues a job. HP_EBUSY once stopping (the job is not taken). */
int committer_submit(committer *c, publish_job *job);

/* Commits what is queued, runs its callbacks and stops the thread; later
 * submissions get HP_EBUSY. The struct stays valid for them until
 * committer_free (call it once no thread can submit any more). */
void committer_stop(committer *c);
void committer_free(committer *c);

#endif
