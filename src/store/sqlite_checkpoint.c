/* sqlite_checkpoint.c - background WAL checkpoints for the SQLite store.
 *
 * Automatic checkpoints are off on the main connection; a thread with its
 * own connection runs a PASSIVE checkpoint every CHECKPOINT_MS. PASSIVE never
 * waits for the writer, so publishes and deliveries keep going while the bulk
 * of the WAL is copied back into the database file. Under steady writes that
 * alone never catches up, and a WAL that is never fully copied is never
 * restarted: it would grow without end. So a second, short PASSIVE pass runs
 * with the writer's lock held and the log reader's when it is free (no
 * commit can slip in, no log read holds an old snapshot), which completes
 * it; the next commit then starts the WAL over (and journal_size_limit trims
 * it). A metrics scan on the slow reader can hold a snapshot for seconds;
 * the WAL restarts once it ends. */
#include "store/sqlite_int.h"
#include "core/err.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define CHECKPOINT_MS 250

/* A WAL not copied back whole for this long means something holds it back
 * (a reader's old snapshot, a failing disk): it grows until that ends. */
#define CHECKPOINT_STALL_MS 10000

static void checkpoint(sqlite_store *st)
{
    int frames = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (rc == SQLITE_OK) {
        /* no writer and no log read in between: it completes. The log
         * reader is only tried: waiting for it with the writer's lock held
         * would hold up every commit behind a read; a busy reader just
         * leaves this round incomplete (the next is CHECKPOINT_MS away) */
        pthread_mutex_lock(&st->lock);
        bool reader_held = !st->reader || pthread_mutex_trylock(&st->reader->lock) == 0;
        if (reader_held)
            rc = sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
        if (reader_held && st->reader) pthread_mutex_unlock(&st->reader->lock);
        pthread_mutex_unlock(&st->lock);
        if (!reader_held) frames = 1; /* not caught up this round */
    }
    bool failed = rc != SQLITE_OK && rc != SQLITE_BUSY;
    if (failed) log_warn("store: checkpoint failed: %s", sqlite3_errmsg(st->ckpt_db));
    pthread_mutex_lock(&st->ckpt_lock);
    if (rc == SQLITE_OK && copied >= frames) st->ckpt_caught_up_ms = hp_now_ms();
    if (rc == SQLITE_OK) st->ckpt_behind = frames - copied;
    snprintf(st->ckpt_error, sizeof st->ckpt_error, "%s", failed ? sqlite3_errmsg(st->ckpt_db) : "");
    pthread_mutex_unlock(&st->ckpt_lock);
}

bool sqlite_checkpointer_health(sqlite_store *st, int64_t now_ms, char *why, size_t len)
{
    if (!st->ckpt_running) return true;
    pthread_mutex_lock(&st->ckpt_lock);
    int64_t behind_ms = now_ms - st->ckpt_caught_up_ms;
    int frames = st->ckpt_behind;
    char error[sizeof st->ckpt_error];
    memcpy(error, st->ckpt_error, sizeof error);
    pthread_mutex_unlock(&st->ckpt_lock);
    if (*error) {
        snprintf(why, len, "the last WAL checkpoint failed: %s", error);
        return false;
    }
    if (behind_ms > CHECKPOINT_STALL_MS) {
        snprintf(why, len, "the WAL has not been copied back whole for %lld ms (%d frames behind)",
                 (long long)behind_ms, frames);
        return false;
    }
    return true;
}

static void *run(void *arg)
{
    sqlite_store *st = arg;
    pthread_setname_np(pthread_self(), "hp-checkpoint");
    pthread_mutex_lock(&st->ckpt_lock);
    while (!st->ckpt_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += CHECKPOINT_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        if (pthread_cond_timedwait(&st->ckpt_cond, &st->ckpt_lock, &until) != ETIMEDOUT) continue;
        pthread_mutex_unlock(&st->ckpt_lock);
        checkpoint(st);
        pthread_mutex_lock(&st->ckpt_lock);
    }
    pthread_mutex_unlock(&st->ckpt_lock);
    return NULL;
}

int sqlite_checkpointer_start(sqlite_store *st, const char *path)
{
    if (sqlite3_open_v2(path, &st->ckpt_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return HP_ESTORE;
    sqlite3_busy_timeout(st->ckpt_db, 1000);
    /* a connection learns the file is in WAL mode only once it reads it;
     * until then a checkpoint on it silently does nothing */
    if (sqlite_exec(st->ckpt_db, "PRAGMA journal_mode = WAL") != HP_OK) return HP_ESTORE;
    if (sqlite_exec(st->db, "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864") != HP_OK)
        return HP_ESTORE;
    pthread_mutex_init(&st->ckpt_lock, NULL);
    pthread_cond_init(&st->ckpt_cond, NULL);
    st->ckpt_caught_up_ms = hp_now_ms();
    if (pthread_create(&st->ckpt_thread, NULL, run, st) != 0) {
        pthread_mutex_destroy(&st->ckpt_lock);
        pthread_cond_destroy(&st->ckpt_cond);
        return HP_ENOMEM;
    }
    st->ckpt_running = true;
    return HP_OK;
}

void sqlite_checkpointer_stop(sqlite_store *st)
{
    if (st->ckpt_running) {
        pthread_mutex_lock(&st->ckpt_lock);
        st->ckpt_stop = true;
        pthread_cond_signal(&st->ckpt_cond);
        pthread_mutex_unlock(&st->ckpt_lock);
        pthread_join(st->ckpt_thread, NULL);
        pthread_mutex_destroy(&st->ckpt_lock);
        pthread_cond_destroy(&st->ckpt_cond);
        st->ckpt_running = false;
    }
    if (st->ckpt_db) sqlite3_close(st->ckpt_db);
    st->ckpt_db = NULL;
}
