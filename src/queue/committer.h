/* committer.h - group commit of publishes.
 *
 * HTTP threads submit publish jobs; one committer thread takes everything
 * queued, writes it to the store in a single transaction and then calls each
 * job's `done` callback (on the committer thread). So a 202 always follows a
 * durable commit, and concurrent publishes share the commit's cost.
 *
 * Delivery threads submit their attempts' results the same way: the
 * committer is the store's one writer on the hot path, so a delivery thread
 * does not wait for the store's lock to log its attempts while its transfers
 * could be moving (claims still take it). Publishes queued in the same round
 * are committed first.
 *
 * Thread-safety: committer_submit and committer_submit_results may be called
 * from any thread. Ownership: a job belongs to its submitter, who must keep
 * it alive until `done` runs (done may free it). */
#ifndef HP_COMMITTER_H
#define HP_COMMITTER_H

#include "store/store.h"

typedef struct committer committer;

typedef struct publish_job {
    store_publish publish;                 /* event (borrowed) and the duplicate verdict */
    void (*done)(struct publish_job *job, int rc);
    struct publish_job *next;              /* committer's queue link */
} publish_job;

/* Delivery results: store_results_commit on the committer thread. Jobs
 * taken in one round share a transaction (rc is that transaction's). */
typedef struct results_job {
    store_result *const *results;
    size_t n;
    void (*done)(struct results_job *job, int rc);
    struct results_job *next;              /* committer's queue link */
} results_job;

/* Where committed delivery tasks go: the engine. Every callback runs on the
 * committer thread; the sink must be thread-safe against its own workers.
 *
 * Tasks of a publish are either handed over in memory (the common case: the
 * sink reserved room for them before the commit, so they are written already
 * leased and never read back) or left in the store for the sink to claim
 * after `wake`. A reservation that is not handed over (duplicate event,
 * failed commit) is returned with `unreserve`. */
typedef struct committer_sink {
    void *arg;
    int64_t lease_ms;  /* how long a handed-over task stays claimed */
    /* Reserves room for n tasks in memory; false = no room. */
    bool (*reserve)(void *arg, size_t n);
    void (*unreserve)(void *arg, size_t n);
    /* Read before each commit and given back with its hand-overs, so the
     * sink can tell what happened in between (see engine.c). */
    uint64_t (*epoch)(void *arg);
    /* The committed tasks of one event: ids parallel to e->matched. */
    void (*handoff)(void *arg, const hp_event *e, const int64_t *task_ids, int64_t lease_until_ms, uint64_t epoch);
    /* Tasks were committed without a reservation: claim them from the store. */
    void (*wake)(void *arg);
} committer_sink;

/* sink may be NULL (tasks stay in the store); it is copied. */
int committer_start(hp_store *store, const committer_sink *sink, committer **out);

/* Queue a job. HP_EBUSY once stopping (the job is not taken). */
int committer_submit(committer *c, publish_job *job);
int committer_submit_results(committer *c, results_job *job);

/* Whether publishes are being committed: false (with the reason in why)
 * while the last commit failed (until one succeeds) or when a commit, or a
 * publish waiting for one, is older than COMMITTER_STALL_MS. Thread-safe. */
#define COMMITTER_STALL_MS 10000
bool committer_health(committer *c, int64_t now_ms, char *why, size_t len);

/* Commits what is queued, runs its callbacks and stops the thread; later
 * submissions get HP_EBUSY. The struct stays valid for them until
 * committer_free (call it once no thread can submit any more). */
void committer_stop(committer *c);
void committer_free(committer *c);

#endif
