/* engine.c - claim, deliver, log, retry. See engine.h. */
#include "deliver/engine.h"
#include "core/err.h"
#include "core/ids.h"
#include "core/strmap.h"
#include "deliver/delivery.h"
#include "deliver/event_cache.h"
#include "deliver/provider.h"
#include "log.h"
#include "queue/backoff.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLAIM_BATCH 256
#define IDLE_POLL_MS 1000
/* Results wait up to this long (or until there are RESULT_BATCH of them) to
 * share one commit, even on an idle worker: at low rates a commit per
 * delivery would queue publishes behind it at the committer. Only the task's
 * removal waits: the receiver already has the event, and a crash in between
 * merely repeats a delivery. */
#define RESULT_BATCH 512
#define RESULT_WAIT_MS 20
/* Result batches a worker may have at the committer at once. */
#define MAX_SUBMITTED 4
/* A handed-over task is started only while its lease has at least this much
 * more than one attempt's timeout left; older ones are left for the store to
 * offer again when the lease runs out (never two deliveries at once). */
#define HANDOFF_SLACK_MS 10000
/* A worker holding tasks that wait for a destination's slot looks again at
 * least this often (a slot given back on another worker also wakes it). */
#define WAITING_POLL_MS 100

/* A leased task not started yet: handed over in memory by the committer, or
 * claimed from the store and waiting for a transfer slot of its destination. */
typedef struct handed {
    store_task task;
    int64_t lease_until;
    uint64_t epoch; /* the engine's manual_epoch before the task's commit */
    uint64_t numbers_as_of; /* the engine's numbers_gen before task.last_number was read */
    bool first;     /* handed over by the committer: a new event's first attempt */
    struct handed *next;
} handed;

/* A worker's tasks for one destination whose transfer slots were all busy
 * (DELIVERY_MAX_PER_DESTINATION), in arrival order. */
typedef struct waiting_queue {
    char *destination_id;
    handed *head, *tail;
    struct waiting_queue *next;
} waiting_queue;

/* A destination's transfers in flight and tasks waiting for one, over all
 * workers (engine.slots, under slots_lock). */
typedef struct dest_slots {
    int inflight;
    int waiting;
    int64_t took_ms; /* moving average of its transfers' durations */
    int64_t done_ms; /* when one of its transfers last ended */
    int64_t paced_until; /* the latest time a deferred task was given */
} dest_slots;

/* The per-destination cap binds only while a destination's transfers take
 * this long on average, or it is at the cap and none of its transfers has
 * ended for this long (a receiver that just turned slow, before its average
 * shows it): a fast receiver frees its slots again before anyone waits
 * long, and capping it would only cost throughput. A destination not heard
 * from yet counts as slow. */
#define SLOW_DESTINATION_MS 250
/* A claimed task of a busy destination that cannot wait in memory goes back
 * to the store, due when the destination should have a slot for it (its
 * transfers' pace), at most this far ahead; so a backlog is read once per
 * pass, not on every claim, and other destinations' tasks are reached. */
#define MAX_DEFER_MS 60000

/* How a worker's last store write of one kind went (engine.health_lock). */
typedef struct op_status {
    int rc;
    char why[200]; /* the store's words for a failure */
} op_status;

/* Results on their way to the store: filled by one worker, committed on the
 * committer thread (committer_submit_results) and given back to the worker
 * for what follows the commit. */
typedef struct result_batch {
    results_job job;         /* the committer's view */
    store_result **results;  /* RESULT_BATCH of them */
    delivery **finished;     /* each result's delivery (NULL: a deferral) */
    size_t n;
    int rc;                  /* the commit's */
    char why[200];           /* a failed commit in the store's words, taken at once */
    struct worker *owner;
    struct result_batch *next;
} result_batch;

/* An easy handle kept for reuse, and the provider whose request() set it up
 * last (NULL: in an unknown state, reset before reuse). */
typedef struct {
    CURL *easy;
    const provider *set_up_by;
} idle_easy;

/* One delivery thread with its own curl multi handle. */
typedef struct worker {
    const hp_app *app;
    struct engine *pool;
    CURLM *multi;
    pthread_t thread;
    int stopping;        /* atomic */
    int woken;           /* atomic: new tasks may be due */
    size_t inflight;
    result_batch *batch;    /* results not yet submitted */
    int64_t results_since;  /* when the oldest of them finished */
    result_batch *spare;    /* committed batches for reuse */
    size_t submitted;       /* batches at the committer */
    pthread_mutex_t committed_lock;
    pthread_cond_t committed_cond;
    result_batch *committed; /* back from the committer, not yet followed up */
    int64_t next_claim;     /* no task can be due before this (0 = now) */
    idle_easy *idle;        /* easy handles kept for reuse */
    size_t nidle;
    size_t max_inflight;    /* this worker's share of DELIVERY_MAX_CONCURRENCY */
    size_t index;           /* in the pool */
    bool running;           /* the thread was started */
    int full;               /* atomic: every transfer slot is busy (a hint for hand-overs) */
    /* for engine_health */
    int64_t beat_ms;        /* atomic: the loop last came round */
    op_status commits;      /* the last result commit */
    op_status claims;       /* the last claim */
    pthread_mutex_t inbox_lock; /* the committer's hand-overs */
    handed *inbox, *inbox_tail;
    size_t inbox_len;           /* atomic: read without the lock as a hint */
    /* tasks waiting for a slot of their destination (this thread only) */
    waiting_queue *waiting;
    strmap *waiting_by_dest;
    size_t nwaiting;            /* atomic: read by other workers as a hint */
    int sleeping;               /* atomic: in (or about to enter) curl_multi_poll */
    size_t nwaiting_claimed;    /* of which claimed from the store (at most max_inflight) */
} worker;

struct engine {
    const hp_app *app;
    worker **workers;
    size_t n;
    /* attempt numbers handed out but not yet committed, per "event\x1fdest":
     * two attempts of one pair in flight (concurrent manual retries, maybe on
     * two workers) must not both read the same last number from the store */
    pthread_mutex_t numbering_lock;
    strmap *numbering;
    /* A last number read from the store is stale if an attempt of its pair
     * was committed after the read and has left `numbering` since. Each
     * departure bumps numbers_gen (atomic; written under numbering_lock) and
     * stamps the pair's bucket with it, so a read taken when numbers_gen was
     * G is known good while its bucket's stamp is <= G. */
    uint64_t numbers_gen;
    uint64_t *pair_left_at; /* NUMBER_BUCKETS stamps, under numbering_lock */
    size_t handed_pending;  /* atomic: reserved or in inboxes, not started */
    size_t next_inbox;      /* atomic: round robin over workers */
    pthread_mutex_t health_lock; /* workers' op_status */
    /* transfers in flight and waiting per destination (dest_slots) */
    pthread_mutex_t slots_lock;
    strmap *slots;
    int per_destination;    /* DELIVERY_MAX_PER_DESTINATION, resolved */
    /* atomic: bumped whenever a manual task starts. A handed-over task is a
     * brand-new event's first attempt, so the store holds no attempt of its
     * pair unless a manual retry of that pair started after the event was
     * committed; if this did not move since then, the store need not be
     * asked for the last attempt number. */
    uint64_t manual_epoch;
    committer *committer; /* atomic: where results go (NULL: committed by the worker) */
};


typedef struct {
    int highest;
    int inflight;
    bool delivered; /* one of its attempts succeeded (maybe not committed yet) */
} pair_numbers;

/* Buckets of engine.pair_left_at: a collision only costs a store read. */
#define NUMBER_BUCKETS 16384

static void pair_key(const store_task *t, char *buf, size_t len)
{
    snprintf(buf, len, "%s\x1f%s", t->event_id, t->destination_id);
}

static size_t pair_bucket(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)key; *c; c++) h = (h ^ *c) * 16777619u;
    return h % NUMBER_BUCKETS;
}

/* What the task's view of its pair's stored attempts rests on. */
typedef enum {
    /* a new event's first attempt (nothing stored): holds while no manual
     * task has started since manual_epoch was `as_of` */
    BASIS_FIRST,
    /* task.last_number and task.delivered, read from the store after
     * numbers_gen was `as_of` */
    BASIS_READ,
} number_basis;

/* Reserves the next attempt number for the task's pair, given the store's
 * last and whether a stored attempt succeeded; HP_EEXISTS instead for an
 * automatic task of a pair that was delivered meanwhile (a manual retry
 * succeeded): it is dropped. Caller holds numbering_lock. */
static int number_locked(engine *pool, const char *key, const store_task *t, int last_stored, bool delivered,
                         int *number)
{
    pair_numbers *p = strmap_get(pool->numbering, key);
    if (!t->manual && (delivered || (p && p->delivered))) return HP_EEXISTS;
    if (!p && (p = calloc(1, sizeof *p)) && strmap_put(pool->numbering, key, p) != HP_OK) {
        free(p);
        p = NULL;
    }
    int n = (p && p->highest > last_stored ? p->highest : last_stored) + 1;
    if (p) {
        p->highest = n;
        p->inflight++;
        if (delivered) p->delivered = true; /* for the pair's automatic tasks read before the success */
    }
    *number = n;
    return HP_OK;
}

/* The next attempt number for the task's pair, from what the task knows
 * of its stored attempts and what that rests on (number_basis). Checked
 * under the lock that a pair's numbering and release also take: an attempt
 * of the pair in flight or not yet committed is still in the map. HP_EBUSY
 * when the basis no longer holds: number_from_store then. */
static int number_attempt(worker *e, const store_task *t, number_basis basis, uint64_t as_of, int *number)
{
    char key[1024];
    pair_key(t, key, sizeof key);
    engine *pool = e->pool;
    pthread_mutex_lock(&pool->numbering_lock);
    bool stale = (basis == BASIS_FIRST && __atomic_load_n(&pool->manual_epoch, __ATOMIC_ACQUIRE) != as_of) ||
                 (basis == BASIS_READ && !strmap_get(pool->numbering, key) &&
                  pool->pair_left_at[pair_bucket(key)] > as_of);
    int rc = stale                  ? HP_EBUSY
             : basis == BASIS_FIRST ? number_locked(pool, key, t, 0, false, number)
                                    : number_locked(pool, key, t, t->last_number, t->delivered, number);
    pthread_mutex_unlock(&pool->numbering_lock);
    return rc;
}

/* Reads the pair's stored attempts afresh (on the store's reader, which
 * never waits for the writer) and numbers from them; a read made stale by
 * an attempt of the pair leaving the map meanwhile is taken again. The last
 * try reads with numbering_lock held, so nothing can leave in between; it
 * holds every worker's numbering up for one read, hence only then. */
#define NUMBER_READ_TRIES 3

static int number_from_store(worker *e, store_task *t, int *number)
{
    engine *pool = e->pool;
    for (int i = 0; i < NUMBER_READ_TRIES; i++) {
        uint64_t as_of = __atomic_load_n(&pool->numbers_gen, __ATOMIC_ACQUIRE);
        int rc = store_pair_attempts(e->app->store, t->event_id, t->destination_id, &t->last_number, &t->delivered);
        if (rc == HP_OK) rc = number_attempt(e, t, BASIS_READ, as_of, number);
        if (rc != HP_EBUSY) return rc;
    }
    char key[1024];
    pair_key(t, key, sizeof key);
    pthread_mutex_lock(&pool->numbering_lock);
    int rc = store_pair_attempts(e->app->store, t->event_id, t->destination_id, &t->last_number, &t->delivered);
    if (rc == HP_OK) rc = number_locked(pool, key, t, t->last_number, t->delivered, number);
    pthread_mutex_unlock(&pool->numbering_lock);
    return rc;
}

/* Notes a successful attempt of a numbered pair before its commit, so an
 * automatic task of the pair not started yet is dropped (number_locked). */
static void pair_delivered(worker *e, const store_task *t)
{
    char key[1024];
    pair_key(t, key, sizeof key);
    pthread_mutex_lock(&e->pool->numbering_lock);
    pair_numbers *p = strmap_get(e->pool->numbering, key);
    if (p) p->delivered = true;
    pthread_mutex_unlock(&e->pool->numbering_lock);
}

static void free_value(const char *key, void *value, void *arg)
{
    free(value);
}

static void unnumber_attempt(worker *e, const store_task *t)
{
    char key[1024];
    pair_key(t, key, sizeof key);
    engine *pool = e->pool;
    pthread_mutex_lock(&pool->numbering_lock);
    pair_numbers *p = strmap_get(pool->numbering, key);
    if (p && --p->inflight <= 0) {
        free(strmap_del(pool->numbering, key));
        uint64_t gen = __atomic_add_fetch(&pool->numbers_gen, 1, __ATOMIC_ACQ_REL);
        pool->pair_left_at[pair_bucket(key)] = gen;
    }
    pthread_mutex_unlock(&pool->numbering_lock);
}

const char *delivery_error_class(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return "dns_error";
    case CURLE_COULDNT_CONNECT: return "connection_refused";
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE: return "tls_error";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: return "connection_reset";
    case CURLE_TOO_MANY_REDIRECTS: return "redirect_error";
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: return "invalid_url";
    default: return "network_error";
    }
}

static size_t max_inflight(const worker *e)
{
    return e->max_inflight;
}

/* A fresh or recycled easy handle for provider p (recycling keeps curl's
 * per-handle state such as buffers warm). One that p set up last is handed
 * over as it is: p sets every option on every attempt (provider.h), and
 * curl_easy_reset plus setting them all again cost ~7,000 instructions per
 * delivery. Any other is reset first. */
static CURL *easy_get(worker *e, const provider *p)
{
    if (!e->nidle) return curl_easy_init();
    idle_easy *top = &e->idle[--e->nidle];
    if (top->set_up_by != p) curl_easy_reset(top->easy);
    return top->easy;
}

/* set_up_by: the provider whose request() succeeded on easy, else NULL. */
static void easy_put(worker *e, CURL *easy, const provider *set_up_by)
{
    if (!easy) return;
    if (e->nidle < max_inflight(e)) {
        e->idle[e->nidle++] = (idle_easy){easy, set_up_by};
    } else {
        curl_easy_cleanup(easy);
    }
}

/* Gives back what only the transfer needed, once its outcome is taken:
 * the task (for the numbering) waits for the commit, the rest need not. */
static void delivery_release_transfer(worker *e, delivery *dl)
{
    event_cache_release(e->app->events, dl->cached);
    dl->cached = NULL;
    event_free(dl->owned_event);
    dl->owned_event = NULL;
    dl->event = NULL;
    store_routes_release(dl->routes);
    dl->routes = NULL;
    dl->dest = NULL;
    easy_put(e, dl->easy, dl->easy_set_up_by);
    dl->easy = NULL;
    dl->easy_set_up_by = NULL;
    curl_slist_free_all(dl->headers);
    dl->headers = NULL;
    hp_buf_free(&dl->response);
}

static void delivery_free(worker *e, delivery *dl)
{
    if (!dl) return;
    delivery_release_transfer(e, dl);
    free(dl->task.event_id);
    free(dl->task.tenant_id);
    free(dl->task.destination_id);
    free(dl);
}

static result_batch *batch_new(void)
{
    result_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->results = calloc(RESULT_BATCH, sizeof *b->results);
    b->finished = calloc(RESULT_BATCH, sizeof *b->finished);
    if (b->results && b->finished) return b;
    free(b->results);
    free(b->finished);
    free(b);
    return NULL;
}

static void batch_free(result_batch *b)
{
    if (!b) return;
    free(b->results);
    free(b->finished);
    free(b);
}

static void batch_add(worker *e, store_result *r, delivery *dl)
{
    result_batch *b = e->batch;
    if (b->n == 0) e->results_since = hp_now_ms();
    b->results[b->n] = r;
    b->finished[b->n] = dl;
    b->n++;
}

/* Queues the result of a delivery for the next commit; takes dl. */
static void finish(worker *e, delivery *dl, hp_attempt *attempt)
{
    store_result *r = calloc(1, sizeof *r);
    if (!r) {
        /* the task stays leased and is retried after the lease: nothing lost */
        attempt_free(attempt);
        if (dl->numbered) unnumber_attempt(e, &dl->task);
        delivery_free(e, dl);
        return;
    }
    r->task_id = dl->task.id;
    r->attempt = attempt;
    if (attempt && attempt->success && dl->numbered) pair_delivered(e, &dl->task);
    /* while no manual retry has started since the event was committed, its
     * task is the pair's only one: decided when the result is applied */
    if (dl->first_attempt) {
        r->alone_while = &e->pool->manual_epoch;
        r->alone_value = dl->epoch;
    }
    if (attempt && !attempt->success && dl->event &&
        backoff_should_retry(e->app->cfg, dl->event->eligible_for_retry, attempt->attempt_number)) {
        r->retry_at_ms = attempt->time + backoff_delay_ms(e->app->cfg, attempt->attempt_number, dl->retry_after_s);
    } else if (attempt) {
        r->cancel_retries = true;
    }
    delivery_release_transfer(e, dl);
    batch_add(e, r, dl);
}

/* Queues a leased task's return to the store, due at due_ms, with the next
 * result commit (it stays leased until then); held_until: the lease this
 * worker holds, so a lease that ran out and was taken since is left alone. */
static void defer(worker *e, int64_t task_id, int64_t due_ms, int64_t held_until)
{
    store_result *r = calloc(1, sizeof *r);
    if (!r) return; /* stays leased: its lease expiry brings it back */
    r->task_id = task_id;
    r->defer_to_ms = due_ms;
    r->held_until_ms = held_until;
    batch_add(e, r, NULL);
}

static hp_attempt *new_attempt(worker *e, delivery *dl)
{
    hp_attempt *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->id = id_generate(e->app->cfg, ID_ATTEMPT);
    a->event_id = strdup(dl->event->id);
    a->tenant_id = strdup(dl->event->tenant_id);
    a->destination_id = strdup(dl->dest->id);
    a->destination_type = strdup(dl->dest->type);
    a->topic = strdup(dl->event->topic ? dl->event->topic : "");
    a->attempt_number = dl->attempt_number;
    a->manual = dl->task.manual;
    a->event_time = dl->event->time;
    if (!a->id || !a->event_id || !a->tenant_id || !a->destination_id || !a->destination_type || !a->topic) {
        attempt_free(a);
        return NULL;
    }
    return a;
}

static void complete(worker *e, delivery *dl, CURLcode rc)
{
    const provider *p = provider_find(dl->dest->type);
    hp_attempt *a = new_attempt(e, dl);
    if (a) {
        p->outcome(dl, rc, a);
        a->time = hp_now_ms();
        if (!a->code) a->code = strdup("ERR");
    }
    finish(e, dl, a);
}

static int load_event(worker *e, delivery *dl)
{
    dl->cached = event_cache_take(e->app->events, dl->task.event_id, dl->task.tenant_id);
    if (dl->cached) {
        dl->event = cached_event_get(dl->cached);
        return HP_OK;
    }
    int rc = store_event_get(e->app->store, dl->task.event_id, dl->task.tenant_id, &dl->owned_event);
    dl->event = dl->owned_event;
    return rc;
}

/* The destination as the route cache holds it: no decryption per attempt. */
static int load_destination(worker *e, delivery *dl)
{
    int rc = store_routes_get(e->app->store, dl->task.tenant_id, &dl->routes);
    for (size_t i = 0; rc == HP_OK && i < dl->routes->n; i++)
        if (!strcmp(dl->routes->dests[i]->id, dl->task.destination_id)) dl->dest = dl->routes->dests[i];
    return rc == HP_OK && !dl->dest ? HP_ENOTFOUND : rc;
}

/* ---- per-destination transfer slots (DELIVERY_MAX_PER_DESTINATION) ---- */

/* Entries outlive their last transfer (a busy destination would otherwise
 * cost an allocation per delivery); idle ones are swept once this many. */
#define SLOTS_SWEEP_AT 4096

typedef struct {
    const char **keys;
    size_t n;
} key_list;

static void collect_idle_slots(const char *key, void *value, void *arg)
{
    key_list *idle = arg;
    const dest_slots *d = value;
    if (!d->inflight && !d->waiting) idle->keys[idle->n++] = key;
}

static void slots_sweep(engine *pool)
{
    key_list idle = {malloc(strmap_size(pool->slots) * sizeof *idle.keys), 0};
    if (!idle.keys) return;
    strmap_each(pool->slots, collect_idle_slots, &idle);
    for (size_t i = 0; i < idle.n; i++) free(strmap_del(pool->slots, idle.keys[i]));
    free(idle.keys);
}

/* The destination's counters (created on first use); NULL only when out of
 * memory, and then transfers simply go uncounted. */
static dest_slots *slots_entry(engine *pool, const char *destination_id)
{
    dest_slots *d = strmap_get(pool->slots, destination_id);
    if (d) return d;
    if (strmap_size(pool->slots) >= SLOTS_SWEEP_AT) slots_sweep(pool);
    if (!(d = calloc(1, sizeof *d))) return NULL;
    d->took_ms = SLOW_DESTINATION_MS;
    if (strmap_put(pool->slots, destination_id, d) != HP_OK) {
        free(d);
        return NULL;
    }
    return d;
}

/* Whether the destination may start one more transfer. */
static bool slot_free(const engine *pool, const dest_slots *d)
{
    if (!d || d->inflight < pool->per_destination) return true;
    return d->took_ms < SLOW_DESTINATION_MS && hp_now_ms() - d->done_ms < SLOW_DESTINATION_MS;
}

/* Takes one of the destination's transfer slots. When all are busy, counts
 * the caller's task as waiting instead and returns false: the caller queues
 * it (wait_for_slot) or defers it (slot_defer), and a slot given back wakes
 * the worker. */
static bool slot_take(engine *pool, const char *destination_id)
{
    pthread_mutex_lock(&pool->slots_lock);
    dest_slots *d = slots_entry(pool, destination_id);
    bool ok = slot_free(pool, d);
    if (d && ok) d->inflight++;
    else if (d) d->waiting++;
    pthread_mutex_unlock(&pool->slots_lock);
    return ok;
}

/* How many more transfers the destination may start now (a peek: nothing
 * is taken). */
static int slots_free_count(engine *pool, const char *destination_id)
{
    pthread_mutex_lock(&pool->slots_lock);
    dest_slots *d = strmap_get(pool->slots, destination_id);
    int n = INT_MAX; /* uncounted, or fast: not capped */
    if (d && !slot_free(pool, d)) n = 0;
    else if (d && d->inflight < pool->per_destination) n = pool->per_destination - d->inflight;
    pthread_mutex_unlock(&pool->slots_lock);
    return n;
}

/* slot_take for a task that is already counted as waiting. */
static bool slot_take_waiting(engine *pool, const char *destination_id)
{
    pthread_mutex_lock(&pool->slots_lock);
    dest_slots *d = strmap_get(pool->slots, destination_id);
    bool ok = slot_free(pool, d);
    if (d && ok) {
        d->inflight++;
        if (d->waiting > 0) d->waiting--;
    }
    pthread_mutex_unlock(&pool->slots_lock);
    return ok;
}

/* A task counted as waiting (slot_take) that goes back to the store instead:
 * returns when to offer it again, spacing a destination's deferred tasks by
 * the time one of its slots takes to come free. */
static int64_t slot_defer(engine *pool, const char *destination_id, int64_t now_ms)
{
    pthread_mutex_lock(&pool->slots_lock);
    dest_slots *d = strmap_get(pool->slots, destination_id);
    int64_t due = now_ms + SLOW_DESTINATION_MS;
    if (d) {
        if (d->waiting > 0) d->waiting--;
        int64_t step = d->took_ms / pool->per_destination + 1;
        due = (d->paced_until > now_ms ? d->paced_until : now_ms) + step;
        if (due > now_ms + MAX_DEFER_MS) due = now_ms + MAX_DEFER_MS;
        d->paced_until = due;
    }
    pthread_mutex_unlock(&pool->slots_lock);
    return due;
}

/* A task counted as waiting that will not wait after all. */
static void slot_unwait(engine *pool, const char *destination_id)
{
    pthread_mutex_lock(&pool->slots_lock);
    dest_slots *d = strmap_get(pool->slots, destination_id);
    if (d && d->waiting > 0) d->waiting--;
    pthread_mutex_unlock(&pool->slots_lock);
}

/* Gives a slot back and wakes the sleeping workers that hold waiting tasks
 * (a busy worker comes round by itself; one that just missed the wake-up
 * looks again within WAITING_POLL_MS). `self` (may be NULL) needs no wake.
 * took_ms: how long the transfer took, or -1 when none ran. */
static void slot_give(engine *pool, const worker *self, const char *destination_id, int64_t took_ms)
{
    pthread_mutex_lock(&pool->slots_lock);
    dest_slots *d = strmap_get(pool->slots, destination_id);
    /* never below 0: a transfer started uncounted (no memory for the entry)
     * must not eat another's count */
    if (d && d->inflight > 0) d->inflight--;
    if (d && took_ms >= 0) {
        d->took_ms += (took_ms - d->took_ms) / 8;
        d->done_ms = hp_now_ms();
    }
    bool waiters = d && d->waiting > 0;
    pthread_mutex_unlock(&pool->slots_lock);
    for (size_t i = 0; waiters && i < pool->n; i++) {
        worker *w = pool->workers[i];
        if (w != self && __atomic_load_n(&w->nwaiting, __ATOMIC_ACQUIRE) &&
            __atomic_load_n(&w->sleeping, __ATOMIC_ACQUIRE))
            curl_multi_wakeup(w->multi);
    }
}

/* Numbers the delivery's attempt from what is known of its pair: nothing
 * stored for a first attempt (unless a manual retry started since its event
 * was committed), the claim's read for a claimed task; the store is asked
 * only when those may be stale. HP_EEXISTS: an automatic task whose pair was
 * delivered meanwhile. */
static int assign_number(worker *e, delivery *dl)
{
    if (dl->task.manual) __atomic_add_fetch(&e->pool->manual_epoch, 1, __ATOMIC_ACQ_REL);
    store_task *t = &dl->task;
    int rc = HP_EBUSY;
    if (dl->first_attempt) rc = number_attempt(e, t, BASIS_FIRST, dl->epoch, &dl->attempt_number);
    if (rc != HP_EBUSY) return rc;
    dl->first_attempt = false;
    if (t->last_number >= 0) rc = number_attempt(e, t, BASIS_READ, dl->numbers_as_of, &dl->attempt_number);
    return rc != HP_EBUSY ? rc : number_from_store(e, t, &dl->attempt_number);
}

/* Loads what a task needs and starts its transfer in a slot of its
 * destination that the caller took (slot_take), or finishes it at once
 * (destination gone or disabled: dropped without an attempt) and gives the
 * slot back; true when a transfer started (reap gives the slot back).
 * first_attempt:
 * the task is a new event's (handed over by the committer), so its pair has
 * no other attempt or task unless a manual retry started after `epoch` was
 * read; numbering and the result's commit check that (see manual_epoch). */
static bool start(worker *e, store_task *t, bool first_attempt, uint64_t epoch, uint64_t numbers_as_of)
{
    delivery *dl = calloc(1, sizeof *dl);
    if (!dl) {
        slot_give(e->pool, e, t->destination_id, -1); /* t stays leased: its lease expiry brings it back */
        return false;
    }
    dl->app = e->app;
    dl->task = *t;
    memset(t, 0, sizeof *t); /* strings now owned by dl */
    dl->started_ms = hp_now_ms();
    dl->first_attempt = first_attempt;
    dl->epoch = epoch;
    dl->numbers_as_of = numbers_as_of;
    /* a success is for good: an automatic task of a delivered pair goes */
    int rc = !dl->task.manual && dl->task.delivered ? HP_EEXISTS : load_event(e, dl);
    if (rc == HP_OK) rc = load_destination(e, dl);
    if (rc == HP_OK && dl->dest->disabled_at) rc = HP_ENOTFOUND;
    const provider *p = rc == HP_OK ? provider_find(dl->dest->type) : NULL;
    if (rc == HP_OK && (!p || !p->request)) rc = HP_EINVAL;
    if (rc == HP_OK) rc = assign_number(e, dl);
    /* the task goes unattempted: its destination is gone or disabled, or
     * (HP_EEXISTS) a manual retry of the pair succeeded since it was due */
    if (rc == HP_ENOTFOUND || rc == HP_EEXISTS) {
        slot_give(e->pool, e, dl->task.destination_id, -1);
        finish(e, dl, NULL);
        return false;
    }
    if (rc != HP_OK) {
        log_error("delivery of %s to %s not started: %s", dl->task.event_id, dl->task.destination_id, hp_strerror(rc));
        slot_give(e->pool, e, dl->task.destination_id, -1);
        delivery_free(e, dl); /* lease expiry brings it back */
        return false;
    }
    dl->numbered = true;
    dl->easy = easy_get(e, p);
    if (!dl->easy || p->request(dl) != HP_OK) {
        slot_give(e->pool, e, dl->task.destination_id, -1);
        complete(e, dl, CURLE_FAILED_INIT);
        return false;
    }
    dl->easy_set_up_by = p;
    curl_easy_setopt(dl->easy, CURLOPT_PRIVATE, dl);
    curl_easy_setopt(dl->easy, CURLOPT_NOSIGNAL, 1L);
    if (curl_multi_add_handle(e->multi, dl->easy) != CURLM_OK) {
        slot_give(e->pool, e, dl->task.destination_id, -1);
        complete(e, dl, CURLE_FAILED_INIT);
        return false;
    }
    e->inflight++;
    return true;
}

/* The lease outlives the slowest possible attempt, so only a dead process's
 * tasks are ever claimed twice. */
static int64_t lease_ms(const hp_config *cfg)
{
    return (int64_t)cfg->delivery_timeout_seconds * 2000 + 30000;
}

/* Records how a store write went for engine_health; why: the store's words
 * for a failure, taken when it happened (a later failure elsewhere must not
 * be blamed on it). */
static void record_store_write(worker *e, op_status *status, int rc, const char *why, const char *what)
{
    if (rc != HP_OK) log_error("%s failed: %s", what, why);
    pthread_mutex_lock(&e->pool->health_lock);
    status->rc = rc;
    snprintf(status->why, sizeof status->why, "%s", rc != HP_OK ? why : "");
    pthread_mutex_unlock(&e->pool->health_lock);
}

/* The same for a write this thread just made. */
static void note_store_write(worker *e, op_status *status, int rc, const char *what)
{
    char why[sizeof status->why] = "";
    if (rc != HP_OK) store_describe_error(e->app->store, rc, why, sizeof why);
    record_store_write(e, status, rc, why, what);
}

/* What follows a batch's commit, on its worker: the health record, the
 * next claim (a retry scheduled sooner), the numbering of its pairs. */
static void follow_up(worker *e, result_batch *b)
{
    record_store_write(e, &e->commits, b->rc, b->why, "committing delivery results");
    for (size_t i = 0; i < b->n; i++) {
        store_result *r = b->results[i];
        int64_t again = r->retry_at_ms ? r->retry_at_ms : r->defer_to_ms;
        if (b->rc == HP_OK && again > 0 && again < e->next_claim) e->next_claim = again;
        attempt_free(r->attempt);
        free(r);
        delivery *dl = b->finished[i];
        if (!dl) continue; /* a deferral */
        if (dl->numbered) unnumber_attempt(e, &dl->task);
        delivery_free(e, dl);
    }
    b->n = 0;
}

/* Called on the committer thread. */
static void batch_committed(results_job *job, int rc)
{
    result_batch *b = (result_batch *)job;
    worker *w = b->owner;
    b->rc = rc;
    b->why[0] = '\0';
    if (rc != HP_OK) store_describe_error(w->app->store, rc, b->why, sizeof b->why);
    pthread_mutex_lock(&w->committed_lock);
    b->next = w->committed;
    w->committed = b;
    pthread_cond_signal(&w->committed_cond);
    /* before unlocking: once the worker has its last batch it may exit */
    curl_multi_wakeup(w->multi);
    pthread_mutex_unlock(&w->committed_lock);
}

/* Follows up the batches the committer gave back; with wait, blocks until
 * at least one is back (while all allowed are out). */
static void collect_committed(worker *e, bool wait)
{
    pthread_mutex_lock(&e->committed_lock);
    while (wait && !e->committed) pthread_cond_wait(&e->committed_cond, &e->committed_lock);
    result_batch *b = e->committed;
    e->committed = NULL;
    pthread_mutex_unlock(&e->committed_lock);
    while (b) {
        result_batch *next = b->next;
        e->submitted--;
        follow_up(e, b);
        b->next = e->spare;
        e->spare = b;
        b = next;
    }
}

/* Sends the batch to the store: through the committer (the worker goes on
 * at once), or on this thread when there is none (starting, stopping) or no
 * memory for the next batch. At most MAX_SUBMITTED batches are out: beyond,
 * the worker waits, so results cannot pile up while the store is stuck. */
static void commit_results(worker *e)
{
    result_batch *b = e->batch;
    if (!b->n) return;
    committer *c = __atomic_load_n(&e->pool->committer, __ATOMIC_ACQUIRE);
    if (c && e->submitted >= MAX_SUBMITTED) collect_committed(e, true);
    result_batch *next = e->spare;
    if (next) e->spare = next->next;
    else next = batch_new();
    b->owner = e;
    b->job.results = b->results;
    b->job.n = b->n;
    b->job.done = batch_committed;
    if (c && next && committer_submit_results(c, &b->job) == HP_OK) {
        e->submitted++;
        e->batch = next;
        return;
    }
    if (next) {
        next->next = e->spare;
        e->spare = next;
    }
    b->rc = store_results_commit(e->app->store, b->results, b->n);
    b->why[0] = '\0';
    if (b->rc != HP_OK) store_describe_error(e->app->store, b->rc, b->why, sizeof b->why);
    follow_up(e, b);
}

static void reap(worker *e)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(e->multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        delivery *dl = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&dl);
        CURLcode rc = msg->data.result;
        curl_multi_remove_handle(e->multi, msg->easy_handle);
        e->inflight--;
        slot_give(e->pool, e, dl->task.destination_id, hp_now_ms() - dl->started_ms);
        complete(e, dl, rc);
        if (e->batch->n >= RESULT_BATCH) commit_results(e);
    }
}

/* Whether any worker's inbox holds hand-overs (this one can take them). */
static bool any_handed(const engine *pool)
{
    for (size_t i = 0; i < pool->n; i++)
        if (__atomic_load_n(&pool->workers[i]->inbox_len, __ATOMIC_ACQUIRE)) return true;
    return false;
}

/* Appends a task to a worker's inbox, waking the worker if it was empty. */
static void inbox_push(worker *w, handed *h)
{
    h->next = NULL;
    pthread_mutex_lock(&w->inbox_lock);
    if (w->inbox_tail) w->inbox_tail->next = h;
    else w->inbox = h;
    w->inbox_tail = h;
    bool was_empty = __atomic_fetch_add(&w->inbox_len, 1, __ATOMIC_ACQ_REL) == 0;
    pthread_mutex_unlock(&w->inbox_lock);
    if (was_empty) curl_multi_wakeup(w->multi);
}

static void handed_free(handed *h)
{
    free(h->task.event_id);
    free(h->task.tenant_id);
    free(h->task.destination_id);
    free(h);
}

/* Takes up to room hand-overs from a worker's inbox (this worker's own, or
 * a sibling's whose transfers are all busy). Returns the list; *n its length. */
static handed *inbox_take(worker *from, size_t room, size_t *n)
{
    pthread_mutex_lock(&from->inbox_lock);
    handed *h = from->inbox, *last = NULL;
    *n = 0;
    for (handed *it = h; it && *n < room; it = it->next, (*n)++) last = it;
    if (last) {
        from->inbox = last->next;
        if (!from->inbox) from->inbox_tail = NULL;
        last->next = NULL;
    }
    __atomic_sub_fetch(&from->inbox_len, *n, __ATOMIC_ACQ_REL);
    pthread_mutex_unlock(&from->inbox_lock);
    return *n ? h : NULL;
}

/* Disposes of a task that leaves memory (started or given up): hand-overs
 * count against DELIVERY_HANDOFF_TASKS until then. */
static void handed_done(worker *e, handed *h)
{
    if (h->first) __atomic_sub_fetch(&e->pool->handed_pending, 1, __ATOMIC_ACQ_REL);
    handed_free(h);
}

/* Starts a task that holds a slot of its destination, only while its lease
 * outlasts the attempt with room to spare (never two deliveries at once);
 * else it goes back to the store, due at once. Takes h. */
static void start_leased(worker *e, handed *h)
{
    int64_t now = hp_now_ms(), timeout_ms = (int64_t)e->app->cfg->delivery_timeout_seconds * 1000;
    if (h->lease_until > now + timeout_ms + HANDOFF_SLACK_MS) {
        start(e, &h->task, h->first, h->epoch, h->numbers_as_of);
    } else {
        slot_give(e->pool, e, h->task.destination_id, -1);
        defer(e, h->task.id, now, h->lease_until);
    }
    if (e->batch->n >= RESULT_BATCH) commit_results(e);
    handed_done(e, h);
}

/* Queues a task whose destination has every slot busy (slot_take counted
 * it as waiting); it starts when one is given back (start_waiting). Takes h. */
static void wait_for_slot(worker *e, handed *h)
{
    waiting_queue *q = strmap_get(e->waiting_by_dest, h->task.destination_id);
    if (!q) {
        q = calloc(1, sizeof *q);
        if (q && !(q->destination_id = strdup(h->task.destination_id))) {
            free(q);
            q = NULL;
        }
        if (q && strmap_put(e->waiting_by_dest, q->destination_id, q) != HP_OK) {
            free(q->destination_id);
            free(q);
            q = NULL;
        }
        if (!q) {
            slot_unwait(e->pool, h->task.destination_id);
            handed_done(e, h); /* stays leased: its lease expiry brings it back */
            return;
        }
        q->next = e->waiting;
        e->waiting = q;
    }
    h->next = NULL;
    if (q->tail) q->tail->next = h;
    else q->head = h;
    q->tail = h;
    __atomic_add_fetch(&e->nwaiting, 1, __ATOMIC_ACQ_REL);
    if (!h->first) e->nwaiting_claimed++;
}

/* Starts the task if its destination has a free slot, else queues it. */
static void offer(worker *e, handed *h)
{
    if (slot_take(e->pool, h->task.destination_id)) start_leased(e, h);
    else wait_for_slot(e, h);
}

static handed *waiting_pop(worker *e, waiting_queue *q)
{
    handed *h = q->head;
    q->head = h->next;
    if (!q->head) q->tail = NULL;
    __atomic_sub_fetch(&e->nwaiting, 1, __ATOMIC_ACQ_REL);
    if (!h->first) e->nwaiting_claimed--;
    return h;
}

/* A sibling with free transfer slots, or NULL. */
static worker *sibling_with_room(worker *e)
{
    for (size_t k = 1; k < e->pool->n; k++) {
        worker *w = e->pool->workers[(e->index + k) % e->pool->n];
        if (!__atomic_load_n(&w->full, __ATOMIC_RELAXED)) return w;
    }
    return NULL;
}

/* This worker's transfer slots are all busy but the destination has free
 * ones: its waiting tasks go to a sibling that can start them (only a
 * queue's owner starts from it, so they would otherwise wait for this
 * worker's transfers). */
static void pass_waiting_on(worker *e, waiting_queue *q)
{
    worker *w = NULL;
    for (int free = slots_free_count(e->pool, q->destination_id); q->head && free > 0; free--) {
        if (!w && !(w = sibling_with_room(e))) return;
        handed *h = waiting_pop(e, q);
        slot_unwait(e->pool, q->destination_id); /* the sibling counts it afresh */
        inbox_push(w, h);
    }
}

/* Starts waiting tasks whose destinations have a free slot again, while
 * this worker has transfer slots; when it has none, passes them on. */
static void start_waiting(worker *e)
{
    waiting_queue **link = &e->waiting;
    while (*link) {
        waiting_queue *q = *link;
        while (q->head && e->inflight < max_inflight(e) && slot_take_waiting(e->pool, q->destination_id))
            start_leased(e, waiting_pop(e, q));
        if (q->head && e->inflight >= max_inflight(e)) pass_waiting_on(e, q);
        if (q->head) {
            link = &q->next;
            continue;
        }
        *link = q->next;
        strmap_del(e->waiting_by_dest, q->destination_id);
        free(q->destination_id);
        free(q);
    }
}

/* Offers hand-overs, own inbox first, then what siblings have queued, while
 * this worker has transfer slots. */
static void start_handed(worker *e)
{
    engine *pool = e->pool;
    for (size_t k = 0; k < pool->n && e->inflight < max_inflight(e); k++) {
        worker *from = pool->workers[(e->index + k) % pool->n];
        while (e->inflight < max_inflight(e) && __atomic_load_n(&from->inbox_len, __ATOMIC_ACQUIRE)) {
            size_t n;
            handed *h = inbox_take(from, max_inflight(e) - e->inflight, &n);
            if (!n) break;
            while (h) {
                handed *next = h->next;
                offer(e, h);
                h = next;
            }
        }
    }
}

/* Claims up to room due tasks from the store and starts them; those whose
 * destination has every slot busy wait in memory, or when as many claimed
 * tasks as this worker has slots already wait, go back to the store paced.
 * Returns how many were claimed. */
static size_t claim(worker *e, size_t room)
{
    int64_t now = hp_now_ms();
    int64_t lease = now + lease_ms(e->app->cfg);
    store_task *tasks = NULL;
    size_t n = 0;
    /* before the read: see engine.numbers_gen */
    uint64_t as_of = __atomic_load_n(&e->pool->numbers_gen, __ATOMIC_ACQUIRE);
    int rc = store_tasks_claim(e->app->store, now, lease, room, &tasks, &n);
    note_store_write(e, &e->claims, rc, "claiming due deliveries");
    if (rc != HP_OK) return 0;
    for (size_t i = 0; i < n; i++) {
        if (slot_take(e->pool, tasks[i].destination_id)) {
            start(e, &tasks[i], false, 0, as_of);
            if (e->batch->n >= RESULT_BATCH) commit_results(e);
            continue;
        }
        if (e->nwaiting_claimed >= max_inflight(e)) {
            defer(e, tasks[i].id, slot_defer(e->pool, tasks[i].destination_id, now), lease);
            if (e->batch->n >= RESULT_BATCH) commit_results(e);
            continue;
        }
        handed *h = calloc(1, sizeof *h);
        if (!h) {
            slot_unwait(e->pool, tasks[i].destination_id);
            continue; /* stays leased: its lease expiry brings it back */
        }
        h->task = tasks[i];
        memset(&tasks[i], 0, sizeof tasks[i]); /* strings now owned by h */
        h->lease_until = lease;
        h->numbers_as_of = as_of;
        wait_for_slot(e, h);
    }
    store_tasks_free(tasks, n);
    return n;
}

/* Claims due tasks if any can be due: after a wake-up (publish, manual
 * retry), once the known next due time has come, or when a full batch hinted
 * at more. Otherwise the store is not asked at all. */
static void maybe_claim(worker *e)
{
    if (e->waiting) start_waiting(e);
    start_handed(e);
    int64_t now = hp_now_ms();
    bool woken = __atomic_exchange_n(&e->woken, 0, __ATOMIC_ACQ_REL);
    if (!woken && now < e->next_claim) return;
    /* claimed tasks of a busy destination beyond what may wait in memory go
     * back to the store, paced (claim), so claims go on to other tasks */
    size_t room = max_inflight(e) - e->inflight;
    if (room > CLAIM_BATCH) room = CLAIM_BATCH;
    if (room == 0) {
        e->next_claim = 0; /* as soon as a transfer ends */
        return;
    }
    if (claim(e, room) == room) {
        e->next_claim = 0;
        return;
    }
    int64_t due = 0;
    e->next_claim = now + IDLE_POLL_MS;
    if (store_tasks_next_due(e->app->store, now, &due) == HP_OK && due < e->next_claim) e->next_claim = due;
}

/* How long to sleep: until the next claim, a result commit, or curl's own
 * activity (curl_multi_poll also returns on socket events and wake-ups). */
static int poll_timeout(const worker *e)
{
    int64_t wait = e->next_claim - hp_now_ms();
    if (e->inflight >= max_inflight(e)) wait = IDLE_POLL_MS;
    if (e->batch->n && wait > RESULT_WAIT_MS) wait = RESULT_WAIT_MS;
    if (e->waiting && wait > WAITING_POLL_MS) wait = WAITING_POLL_MS;
    if (wait > IDLE_POLL_MS) wait = IDLE_POLL_MS;
    return wait > 0 ? (int)wait : 0;
}

static void *run(void *arg)
{
    worker *e = arg;
    pthread_setname_np(pthread_self(), "hp-engine");
    while (!__atomic_load_n(&e->stopping, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&e->beat_ms, hp_now_ms(), __ATOMIC_RELEASE);
        collect_committed(e, false);
        maybe_claim(e);
        int running = 0;
        curl_multi_perform(e->multi, &running);
        reap(e);
        if (e->batch->n && hp_now_ms() - e->results_since >= RESULT_WAIT_MS) commit_results(e);
        __atomic_store_n(&e->full, e->inflight >= max_inflight(e), __ATOMIC_RELAXED);
        if (__atomic_load_n(&e->woken, __ATOMIC_ACQUIRE)) continue;
        if (e->inflight < max_inflight(e) && any_handed(e->pool)) continue;
        /* slots given back by this round's transfers go to waiting tasks now */
        if (e->waiting) start_waiting(e);
        __atomic_store_n(&e->sleeping, 1, __ATOMIC_RELEASE);
        curl_multi_poll(e->multi, NULL, 0, poll_timeout(e), NULL);
        __atomic_store_n(&e->sleeping, 0, __ATOMIC_RELEASE);
    }
    /* drain: let transfers in flight finish so their attempts are logged */
    while (e->inflight) {
        int running = 0;
        curl_multi_perform(e->multi, &running);
        reap(e);
        if (e->inflight) curl_multi_poll(e->multi, NULL, 0, 100, NULL);
    }
    commit_results(e);
    while (e->submitted) collect_committed(e, true);
    return NULL;
}

static void worker_free(worker *w)
{
    if (!w) return;
    /* hand-overs never started stay leased in the store; the next start-up
     * releases them */
    while (w->inbox) {
        handed *next = w->inbox->next;
        handed_free(w->inbox);
        w->inbox = next;
    }
    while (w->waiting) {
        waiting_queue *q = w->waiting;
        while (q->head) {
            handed *next = q->head->next;
            handed_free(q->head);
            q->head = next;
        }
        w->waiting = q->next;
        free(q->destination_id);
        free(q);
    }
    strmap_free(w->waiting_by_dest);
    pthread_mutex_destroy(&w->inbox_lock);
    if (w->multi) curl_multi_cleanup(w->multi);
    while (w->nidle) curl_easy_cleanup(w->idle[--w->nidle].easy);
    free(w->idle);
    batch_free(w->batch);
    while (w->spare) {
        result_batch *next = w->spare->next;
        batch_free(w->spare);
        w->spare = next;
    }
    pthread_mutex_destroy(&w->committed_lock);
    pthread_cond_destroy(&w->committed_cond);
    free(w);
}

static worker *worker_new(const hp_app *app, engine *pool, size_t max_inflight)
{
    worker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->app = app;
    w->pool = pool;
    w->max_inflight = max_inflight;
    pthread_mutex_init(&w->inbox_lock, NULL);
    pthread_mutex_init(&w->committed_lock, NULL);
    pthread_cond_init(&w->committed_cond, NULL);
    w->multi = curl_multi_init();
    w->batch = batch_new();
    w->idle = calloc(max_inflight, sizeof *w->idle);
    w->waiting_by_dest = strmap_new();
    if (!w->multi || !w->batch || !w->idle || !w->waiting_by_dest) {
        worker_free(w);
        return NULL;
    }
    curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)max_inflight);
    return w;
}

static void worker_stop(worker *w)
{
    if (!w->running) return;
    __atomic_store_n(&w->stopping, 1, __ATOMIC_RELEASE);
    curl_multi_wakeup(w->multi);
    pthread_join(w->thread, NULL);
}

int engine_start(const hp_app *app, engine **out)
{
    engine *pool = calloc(1, sizeof *pool);
    if (!pool) return HP_ENOMEM;
    pool->app = app;
    pthread_mutex_init(&pool->numbering_lock, NULL);
    pthread_mutex_init(&pool->slots_lock, NULL);
    pthread_mutex_init(&pool->health_lock, NULL);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = app->cfg->delivery_threads > 0 ? (size_t)app->cfg->delivery_threads : (size_t)(ncpu > 0 ? ncpu : 1);
    size_t concurrency = (size_t)app->cfg->delivery_max_concurrency;
    if (n > concurrency) n = concurrency;
    pool->per_destination = app->cfg->delivery_max_per_destination > 0 ? app->cfg->delivery_max_per_destination
                            : concurrency > 1                         ? (int)(concurrency / 2)
                                                                      : 1;
    pool->numbering = strmap_new();
    pool->pair_left_at = calloc(NUMBER_BUCKETS, sizeof *pool->pair_left_at);
    pool->slots = strmap_new();
    pool->workers = calloc(n, sizeof *pool->workers);
    int rc = pool->numbering && pool->pair_left_at && pool->slots && pool->workers ? HP_OK : HP_ENOMEM;
    /* a crashed predecessor's leases mean nothing to the process that owns the store now */
    if (rc == HP_OK) store_tasks_release_all(app->store);
    /* every worker exists before any runs: they look into each other's inboxes */
    for (size_t i = 0; rc == HP_OK && i < n; i++) {
        worker *w = worker_new(app, pool, concurrency / n + (i < concurrency % n));
        if (!w) {
            rc = HP_ENOMEM;
            break;
        }
        w->index = i;
        pool->workers[pool->n++] = w;
    }
    for (size_t i = 0; rc == HP_OK && i < pool->n; i++) {
        worker *w = pool->workers[i];
        w->beat_ms = hp_now_ms();
        if (pthread_create(&w->thread, NULL, run, w) != 0) rc = HP_ENOMEM;
        else w->running = true;
    }
    if (rc != HP_OK) {
        engine_stop(pool);
        return rc;
    }
    *out = pool;
    return HP_OK;
}

bool engine_health(engine *pool, int64_t now_ms, char *why, size_t len)
{
    for (size_t i = 0; i < pool->n; i++) {
        worker *w = pool->workers[i];
        int64_t idle = now_ms - __atomic_load_n(&w->beat_ms, __ATOMIC_ACQUIRE);
        bool failed = true;
        pthread_mutex_lock(&pool->health_lock);
        if (w->commits.rc != HP_OK)
            snprintf(why, len, "the last commit of delivery results failed: %s", w->commits.why);
        else if (w->claims.rc != HP_OK)
            snprintf(why, len, "the last claim of due deliveries failed: %s", w->claims.why);
        else
            failed = false;
        pthread_mutex_unlock(&pool->health_lock);
        if (failed) return false;
        if (idle > ENGINE_STALL_MS) {
            snprintf(why, len, "delivery worker %zu has not come round for %lld ms", i, (long long)idle);
            return false;
        }
    }
    return true;
}

void engine_use_committer(engine *pool, committer *c)
{
    __atomic_store_n(&pool->committer, c, __ATOMIC_RELEASE);
}

void engine_wake(engine *pool)
{
    if (!pool) return;
    for (size_t i = 0; i < pool->n; i++) {
        __atomic_store_n(&pool->workers[i]->woken, 1, __ATOMIC_RELEASE);
        curl_multi_wakeup(pool->workers[i]->multi);
    }
}

void engine_stop(engine *pool)
{
    if (!pool) return;
    for (size_t i = 0; i < pool->n; i++) worker_stop(pool->workers[i]);
    for (size_t i = 0; i < pool->n; i++) worker_free(pool->workers[i]);
    free(pool->workers);
    if (pool->numbering) {
        strmap_each(pool->numbering, free_value, NULL);
        strmap_free(pool->numbering);
    }
    free(pool->pair_left_at);
    if (pool->slots) {
        strmap_each(pool->slots, free_value, NULL);
        strmap_free(pool->slots);
    }
    pthread_mutex_destroy(&pool->numbering_lock);
    pthread_mutex_destroy(&pool->slots_lock);
    pthread_mutex_destroy(&pool->health_lock);
    free(pool);
}

/* ---- hand-over from the committer (committer_sink) ---- */

static bool sink_reserve(void *arg, size_t n)
{
    engine *pool = arg;
    size_t was = __atomic_fetch_add(&pool->handed_pending, n, __ATOMIC_ACQ_REL);
    /* beyond the bound new tasks stay in the store until claimed, so memory
     * is bounded however far delivery falls behind */
    if (was + n <= (size_t)pool->app->cfg->delivery_handoff_tasks) return true;
    __atomic_sub_fetch(&pool->handed_pending, n, __ATOMIC_ACQ_REL);
    return false;
}

static void sink_unreserve(void *arg, size_t n)
{
    engine *pool = arg;
    __atomic_sub_fetch(&pool->handed_pending, n, __ATOMIC_ACQ_REL);
}

static uint64_t sink_epoch(void *arg)
{
    engine *pool = arg;
    return __atomic_load_n(&pool->manual_epoch, __ATOMIC_ACQUIRE);
}

static handed *handed_new(const hp_event *ev, const char *destination_id, int64_t task_id, int64_t lease_until,
                          uint64_t epoch)
{
    handed *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->task.id = task_id;
    h->task.event_id = strdup(ev->id);
    h->task.tenant_id = strdup(ev->tenant_id);
    h->task.destination_id = strdup(destination_id);
    h->task.last_number = -1; /* its first attempt: see BASIS_FIRST */
    h->lease_until = lease_until;
    h->epoch = epoch;
    h->first = true;
    if (!h->task.event_id || !h->task.tenant_id || !h->task.destination_id) {
        handed_free(h);
        return NULL;
    }
    return h;
}

/* The worker with the shortest inbox, ties taken in turn: a worker whose
 * transfers are all busy (a slow receiver) keeps its inbox and gets no more
 * until it drains, so it holds up no other tenant's first deliveries. */
static worker *least_queued(engine *pool)
{
    size_t first = __atomic_fetch_add(&pool->next_inbox, 1, __ATOMIC_RELAXED);
    worker *best = NULL;
    size_t best_len = SIZE_MAX;
    for (size_t k = 0; k < pool->n; k++) {
        worker *w = pool->workers[(first + k) % pool->n];
        size_t len = __atomic_load_n(&w->inbox_len, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&w->full, __ATOMIC_RELAXED)) len += SIZE_MAX / 2;
        if (len < best_len) {
            best = w;
            best_len = len;
        }
    }
    return best;
}

/* Queues each task on the least queued worker, waking it if its inbox
 * was empty. A task that cannot be queued (no memory) stays leased in the
 * store and comes back when its lease runs out. */
static void sink_handoff(void *arg, const hp_event *ev, const int64_t *task_ids, int64_t lease_until, uint64_t epoch)
{
    engine *pool = arg;
    size_t i;
    json_t *dest;
    json_array_foreach(ev->matched, i, dest) {
        handed *h = handed_new(ev, json_string_value(dest), task_ids[i], lease_until, epoch);
        if (!h) {
            __atomic_sub_fetch(&pool->handed_pending, 1, __ATOMIC_ACQ_REL);
            continue;
        }
        inbox_push(least_queued(pool), h);
    }
}

static void sink_wake(void *arg)
{
    engine_wake(arg);
}

void engine_committer_sink(engine *pool, committer_sink *out)
{
    *out = (committer_sink){
        .arg = pool,
        .lease_ms = lease_ms(pool->app->cfg),
        .reserve = sink_reserve,
        .unreserve = sink_unreserve,
        .epoch = sink_epoch,
        .handoff = sink_handoff,
        .wake = sink_wake,
    };
}
