/* load.c - the benchmark's HTTP/1.1 load generator (epoll, keep-alive, one
 * request in flight per connection).
 *
 *   load publish [opts]   POST small events; closed loop (-c connections as
 *                         fast as answers come) or open loop at a fixed rate
 *                         (-r events/s, latency measured from the scheduled
 *                         send time, so a stalled server cannot hide queueing)
 *   load setup [opts]     PUT -N tenants and POST -D webhook destinations each
 *   load freeport         print a free loopback TCP port
 *
 * Every event carries a unique id "<id-prefix>-<seq>" and its scheduled send
 * time as "t" (CLOCK_MONOTONIC ns) in data, so the sink can check receipt of
 * each one and measure publish -> receipt latency. An answer counts as
 * accepted only with the expected status (-e) and, for 202, a body naming
 * the event's id. Prints one JSON object of figures on stdout.
 *
 * publish options:
 *   -h HOST -p PORT -P PATH (/api/v1/publish) -k API_KEY
 *   -c CONNS (64) -T THREADS (2) -d SECONDS (10) -n MAX_EVENTS (0: no limit)
 *   -r RATE (0: closed loop) -e EXPECTED_STATUS (202)
 *   -t TENANT (bench) | -N TENANTS with -x TENANT_PREFIX (events spread round-robin)
 *   -i ID_PREFIX (ev) -z PAD_BYTES (0)
 * setup options:
 *   -h HOST -p PORT -k API_KEY -c CONNS (16) -N TENANTS -D DESTS_PER_TENANT
 *   -x TENANT_PREFIX -u SINK_BASE_URL (destination j gets URL/h/<j>)
 *   -s SECRET_PREFIX (destination j gets secret SECRET_PREFIX<j>)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cputime.h"

#define LAT_BUCKET_NS 10000ULL /* 10 us */
#define LAT_BUCKETS 1000000    /* 10 s */
#define REQ_CAP 8192

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- options ---- */
static enum { MODE_PUBLISH, MODE_SETUP } mode;
static const char *host = "127.0.0.1", *path = "/api/v1/publish", *api_key = "", *tenant = "bench",
                  *tenant_prefix = "bench-", *id_prefix = "ev", *sink_url = "", *secret_prefix = "whsec_bench";
static int port, nconns = 64, nthreads = 2, expect_status = 202, ntenants = 0, ndests = 0, pad = 0;
static double duration_s = 10, rate = 0;
static uint64_t max_events = 0;
static char padding[4096];

/* ---- shared state ---- */
static uint64_t next_seq;    /* atomic: events handed out */
static uint64_t next_tenant; /* atomic: setup mode */
static uint64_t t_start, t_deadline;

typedef struct {
    uint64_t sent, completed, ok, unexpected, s2xx, s3xx, s4xx, s5xx, errors, id_mismatch, last_done_ns;
    uint32_t *lat;
    uint64_t lat_n, lat_max;
} counters;

typedef struct worker worker;

typedef struct {
    worker *w;
    int fd;
    bool busy, connected;
    char req[REQ_CAP];
    size_t req_len, req_off;
    char *in;
    size_t in_len, in_cap;
    uint64_t started_ns; /* scheduled (open loop) or actual send time */
    char id[128];        /* the event id this request carries, "" when none */
    /* setup mode: which tenant and step (0 = PUT tenant, 1..D = destination) */
    uint64_t tenant_idx;
    int step;
    bool done;
} conn;

struct worker {
    int ep;
    conn *conns;
    int nconns;
    counters c;
    pthread_t thread;
};

static struct sockaddr_in addr;

static void lat_add(counters *c, uint64_t d)
{
    size_t b = d / LAT_BUCKET_NS;
    if (b >= LAT_BUCKETS) b = LAT_BUCKETS - 1;
    c->lat[b]++;
    c->lat_n++;
    if (d > c->lat_max) c->lat_max = d;
}

/* ---- request building ---- */
static size_t build_publish(conn *k, uint64_t seq, uint64_t t)
{
    char body[4096 + 512];
    char tname[128];
    if (ntenants > 0) snprintf(tname, sizeof tname, "%s%" PRIu64, tenant_prefix, seq % (uint64_t)ntenants);
    else snprintf(tname, sizeof tname, "%s", tenant);
    snprintf(k->id, sizeof k->id, "%s-%" PRIu64, id_prefix, seq);
    int bl = snprintf(body, sizeof body,
                      "{\"tenant_id\":\"%s\",\"topic\":\"bench.event\",\"id\":\"%s\",\"data\":{\"seq\":%" PRIu64
                      ",\"t\":%" PRIu64 ",\"msg\":\"hello\"%s%s%s}}",
                      tname, k->id, seq, t, pad ? ",\"pad\":\"" : "", pad ? padding : "", pad ? "\"" : "");
    int n = snprintf(k->req, REQ_CAP,
                     "POST %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                     path, host, port, api_key, bl, body);
    return (size_t)n;
}

static size_t build_setup(conn *k)
{
    char body[1024];
    int n;
    k->id[0] = '\0';
    if (k->step == 0) {
        n = snprintf(k->req, REQ_CAP,
                     "PUT /api/v1/tenants/%s%" PRIu64 " HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                     "Content-Length: 0\r\n\r\n",
                     tenant_prefix, k->tenant_idx, host, port, api_key);
    } else {
        int j = k->step - 1;
        int bl = snprintf(body, sizeof body,
                          "{\"type\":\"webhook\",\"topics\":[\"*\"],\"config\":{\"url\":\"%s/h/%d\"},"
                          "\"credentials\":{\"secret\":\"%s%d\"}}",
                          sink_url, j, secret_prefix, j);
        n = snprintf(k->req, REQ_CAP,
                     "POST /api/v1/tenants/%s%" PRIu64 "/destinations HTTP/1.1\r\nHost: %s:%d\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                     tenant_prefix, k->tenant_idx, host, port, api_key, bl, body);
    }
    return (size_t)n;
}

/* ---- connection plumbing ---- */
static bool conn_open(conn *k)
{
    k->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (k->fd < 0) return false;
    int one = 1;
    setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(k->fd, (struct sockaddr *)&addr, sizeof addr) && errno != EINPROGRESS) {
        close(k->fd);
        k->fd = -1;
        return false;
    }
    k->connected = false;
    k->in_len = 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = k};
    epoll_ctl(k->w->ep, EPOLL_CTL_ADD, k->fd, &ev);
    return true;
}

static void conn_drop(conn *k)
{
    if (k->fd >= 0) {
        epoll_ctl(k->w->ep, EPOLL_CTL_DEL, k->fd, NULL);
        close(k->fd);
    }
    k->fd = -1;
    k->connected = false;
    k->in_len = 0;
}

/* Sends what remains of the request; waits for EPOLLOUT when blocked. */
static bool conn_send(conn *k)
{
    while (k->req_off < k->req_len) {
        ssize_t n = send(k->fd, k->req + k->req_off, k->req_len - k->req_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = k};
                epoll_ctl(k->w->ep, EPOLL_CTL_MOD, k->fd, &ev);
                return true;
            }
            return false;
        }
        k->req_off += (size_t)n;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = k};
    epoll_ctl(k->w->ep, EPOLL_CTL_MOD, k->fd, &ev);
    return true;
}

/* Starts request (already built in k->req) at scheduled time t0. */
static void conn_start(conn *k, size_t len, uint64_t t0)
{
    k->req_len = len;
    k->req_off = 0;
    k->busy = true;
    k->started_ns = t0;
    k->w->c.sent++;
    if (k->fd < 0 && !conn_open(k)) {
        k->w->c.errors++;
        k->busy = false;
        return;
    }
    if (k->connected && !conn_send(k)) {
        k->w->c.errors++;
        k->busy = false;
        conn_drop(k);
    }
}

/* Closed loop / setup: the connection's next request, or marks it done. */
static void conn_next(conn *k)
{
    if (mode == MODE_SETUP) {
        if (k->tenant_idx == UINT64_MAX || k->step >= ndests) {
            uint64_t t = __atomic_fetch_add(&next_tenant, 1, __ATOMIC_RELAXED);
            if (t >= (uint64_t)ntenants) {
                k->done = true;
                return;
            }
            k->tenant_idx = t;
            k->step = 0;
        } else {
            k->step++;
        }
        conn_start(k, build_setup(k), now_ns());
        return;
    }
    uint64_t now = now_ns();
    if (now >= t_deadline) {
        k->done = true;
        return;
    }
    uint64_t seq = __atomic_fetch_add(&next_seq, 1, __ATOMIC_RELAXED);
    if (max_events && seq >= max_events) {
        k->done = true;
        return;
    }
    conn_start(k, build_publish(k, seq, now), now);
}

/* Parses a complete response in k->in; returns its total length, 0 when
 * incomplete, -1 when malformed. Sets *status, *body and *blen. */
static long parse_response(conn *k, int *status, const char **body, size_t *blen, bool *close_after)
{
    char *end = memmem(k->in, k->in_len, "\r\n\r\n", 4);
    if (!end) return k->in_len > 65536 ? -1 : 0;
    size_t hlen = (size_t)(end - k->in) + 4;
    if (k->in_len < 12 || memcmp(k->in, "HTTP/1.", 7)) return -1;
    *status = atoi(k->in + 9);
    long clen = -1;
    bool chunked = false;
    *close_after = k->in[7] == '0';
    for (char *line = memchr(k->in, '\n', hlen) + 1; line < end; line = memchr(line, '\n', (size_t)(end + 2 - line)) + 1) {
        if (!strncasecmp(line, "content-length:", 15)) clen = atol(line + 15);
        else if (!strncasecmp(line, "transfer-encoding:", 18)) {
            char *le = memchr(line, '\r', (size_t)(end + 2 - line));
            chunked = le && memmem(line, (size_t)(le - line), "chunked", 7);
        }
        else if (!strncasecmp(line, "connection:", 11)) {
            const char *v = line + 11;
            while (*v == ' ') v++;
            if (!strncasecmp(v, "close", 5)) *close_after = true;
            else if (!strncasecmp(v, "keep-alive", 10)) *close_after = false;
        }
    }
    if (*status == 100) { /* interim: drop it and keep waiting */
        memmove(k->in, k->in + hlen, k->in_len - hlen);
        k->in_len -= hlen;
        return parse_response(k, status, body, blen, close_after);
    }
    if (chunked) {
        /* walk the chunks; the decoded body goes to a scratch buffer (cut at its size) */
        static _Thread_local char dec[16384];
        size_t pos = hlen, dl = 0;
        for (;;) {
            char *le = memmem(k->in + pos, k->in_len - pos, "\r\n", 2);
            if (!le) return 0;
            unsigned long sz = strtoul(k->in + pos, NULL, 16);
            size_t data = (size_t)(le - k->in) + 2;
            if (sz == 0) {
                if (k->in_len - data >= 2 && !memcmp(k->in + data, "\r\n", 2)) {
                    *body = dec;
                    *blen = dl;
                    return (long)(data + 2);
                }
                char *fin = memmem(k->in + data, k->in_len - data, "\r\n\r\n", 4); /* trailers */
                if (!fin) return 0;
                *body = dec;
                *blen = dl;
                return (long)((size_t)(fin - k->in) + 4);
            }
            if (data + sz + 2 > k->in_len) return 0;
            size_t take = sz < sizeof dec - dl ? sz : sizeof dec - dl;
            memcpy(dec + dl, k->in + data, take);
            dl += take;
            pos = data + sz + 2;
        }
    }
    if (clen < 0) clen = (*status == 204 || *status == 304) ? 0 : -1;
    if (clen < 0) return -1; /* read-until-close bodies are not used here */
    if (k->in_len < hlen + (size_t)clen) return 0;
    *body = k->in + hlen;
    *blen = (size_t)clen;
    return (long)(hlen + (size_t)clen);
}

static void on_response(conn *k, int status, const char *body, size_t blen)
{
    counters *c = &k->w->c;
    uint64_t t = now_ns();
    c->completed++;
    c->last_done_ns = t;
    lat_add(c, t - k->started_ns);
    if (status >= 200 && status < 300) c->s2xx++;
    else if (status < 400) c->s3xx++;
    else if (status < 500) c->s4xx++;
    else c->s5xx++;
    bool ok;
    if (mode == MODE_SETUP) {
        ok = status >= 200 && status < 300;
    } else {
        ok = status == expect_status;
        if (ok && status == 202 && k->id[0]) {
            char want[160];
            int n = snprintf(want, sizeof want, "\"id\":\"%s\"", k->id);
            if (!memmem(body, blen, want, (size_t)n)) {
                c->id_mismatch++;
                ok = false;
            }
        }
    }
    if (ok) c->ok++;
    else c->unexpected++;
    k->busy = false;
}

/* Handles readiness of k. */
static void conn_event(conn *k, uint32_t events)
{
    counters *c = &k->w->c;
    if (!k->connected) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err || (events & (EPOLLERR | EPOLLHUP))) {
            if (k->busy) c->errors++;
            k->busy = false;
            conn_drop(k);
            return;
        }
        k->connected = true;
        if (k->busy && !conn_send(k)) {
            c->errors++;
            k->busy = false;
            conn_drop(k);
        } else if (!k->busy) {
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = k};
            epoll_ctl(k->w->ep, EPOLL_CTL_MOD, k->fd, &ev);
        }
        return;
    }
    if ((events & EPOLLOUT) && k->busy && k->req_off < k->req_len) {
        if (!conn_send(k)) {
            c->errors++;
            k->busy = false;
            conn_drop(k);
            return;
        }
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    for (;;) {
        if (k->in_cap - k->in_len < 4096) {
            k->in_cap = k->in_cap ? k->in_cap * 2 : 16384;
            k->in = realloc(k->in, k->in_cap);
            if (!k->in) exit(1);
        }
        ssize_t n = recv(k->fd, k->in + k->in_len, k->in_cap - k->in_len, 0);
        if (n > 0) {
            k->in_len += (size_t)n;
            if (k->in_len < k->in_cap) break;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        /* closed or reset */
        if (k->busy) c->errors++;
        k->busy = false;
        conn_drop(k);
        return;
    }
    while (k->in_len) {
        int status = 0;
        const char *body = NULL;
        size_t blen = 0;
        bool close_after = false;
        long used = parse_response(k, &status, &body, &blen, &close_after);
        if (used == 0) break;
        if (used < 0 || !k->busy) {
            c->errors++;
            k->busy = false;
            conn_drop(k);
            return;
        }
        on_response(k, status, body, blen);
        memmove(k->in, k->in + used, k->in_len - (size_t)used);
        k->in_len -= (size_t)used;
        if (close_after) {
            conn_drop(k);
            break;
        }
    }
}

static void *closed_loop(void *arg)
{
    worker *w = arg;
    struct epoll_event evs[256];
    for (int i = 0; i < w->nconns; i++) conn_next(&w->conns[i]);
    for (;;) {
        int live = 0;
        for (int i = 0; i < w->nconns; i++) live += w->conns[i].busy;
        if (!live) {
            /* every idle connection either finished or lost its request */
            bool more = false;
            for (int i = 0; i < w->nconns; i++)
                if (!w->conns[i].done) {
                    conn_next(&w->conns[i]);
                    more |= w->conns[i].busy;
                }
            if (!more) break;
        }
        int n = epoll_wait(w->ep, evs, 256, 100);
        uint64_t now = now_ns();
        if (mode == MODE_PUBLISH && now > t_deadline + 10ULL * 1000000000ULL) break; /* answers overdue */
        for (int i = 0; i < n; i++) {
            conn *k = evs[i].data.ptr;
            conn_event(k, evs[i].events);
            if (!k->busy && !k->done) conn_next(k);
        }
    }
    return NULL;
}

static conn *free_conn(worker *w, int from)
{
    for (int j = 0; j < w->nconns; j++) {
        conn *cand = &w->conns[(from + j) % w->nconns];
        if (!cand->busy) return cand;
    }
    return NULL;
}

/* Open loop: event i is due at t_start + i/rate; it waits for a free
 * connection if none is, and its latency counts from when it was due.
 * Between sends the thread sleeps until the next one is due, to the
 * nanosecond (epoll_pwait2, 1 ns timer slack): a sleep rounded down to
 * whole milliseconds spun a CPU the server and sink share, and one rounded
 * up would send late. */
static void open_loop(worker *w)
{
    struct epoll_event evs[256];
    uint64_t total = (uint64_t)(rate * duration_s);
    if (max_events && max_events < total) total = max_events;
    uint64_t issued = 0;
    double interval = 1e9 / rate;
    int rr = 0;
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    for (;;) {
        uint64_t now = now_ns();
        conn *k = NULL;
        while (issued < total) {
            uint64_t due = t_start + (uint64_t)((double)issued * interval);
            if (due > now) break;
            if (!(k = free_conn(w, rr))) break; /* all busy: stays due, and its wait is measured */
            rr = (int)(k - w->conns + 1) % w->nconns;
            uint64_t seq = __atomic_fetch_add(&next_seq, 1, __ATOMIC_RELAXED);
            conn_start(k, build_publish(k, seq, due), due);
            issued++;
        }
        int live = 0;
        for (int i = 0; i < w->nconns; i++) live += w->conns[i].busy;
        if (issued >= total && !live) break;
        if (now > t_deadline + 10ULL * 1000000000ULL) break;
        /* up to 100 ms for answers; less when the next event is due sooner
         * and a connection is free to send it */
        uint64_t wait = 100000000ULL;
        if (issued < total && free_conn(w, rr)) {
            uint64_t due = t_start + (uint64_t)((double)issued * interval);
            wait = due > now ? due - now : 0;
            if (wait > 100000000ULL) wait = 100000000ULL;
        }
        struct timespec ts = {.tv_sec = (time_t)(wait / 1000000000ULL), .tv_nsec = (long)(wait % 1000000000ULL)};
        int n = epoll_pwait2(w->ep, evs, 256, &ts, NULL);
        if (n < 0 && errno == ENOSYS) /* kernels before 5.11: whole ms, rounded up (sends up to 1 ms late) */
            n = epoll_wait(w->ep, evs, 256, (int)((wait + 999999ULL) / 1000000ULL));
        for (int i = 0; i < n; i++) conn_event(evs[i].data.ptr, evs[i].events);
    }
}

static uint64_t merged_percentile(worker *ws, int nw, uint64_t n, double q)
{
    if (!n) return 0;
    uint64_t want = (uint64_t)(q * (double)n + 0.999999), acc = 0;
    if (want < 1) want = 1;
    for (size_t b = 0; b < LAT_BUCKETS; b++) {
        for (int i = 0; i < nw; i++) acc += ws[i].c.lat[b];
        if (acc >= want) return (uint64_t)(b + 1) * LAT_BUCKET_NS;
    }
    return LAT_BUCKETS * LAT_BUCKET_NS;
}

static int usage(void)
{
    fprintf(stderr, "usage: load publish|setup|freeport [options] (see bench/load.c)\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    if (!strcmp(argv[1], "freeport")) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t al = sizeof a;
        if (bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &al)) return 1;
        printf("%d\n", ntohs(a.sin_port));
        close(fd);
        return 0;
    }
    if (!strcmp(argv[1], "publish")) mode = MODE_PUBLISH;
    else if (!strcmp(argv[1], "setup")) {
        mode = MODE_SETUP;
        nconns = 16;
    } else return usage();
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v || o[0] != '-' || strlen(o) != 2) return usage();
        i++;
        switch (o[1]) {
        case 'h': host = v; break;
        case 'p': port = atoi(v); break;
        case 'P': path = v; break;
        case 'k': api_key = v; break;
        case 'c': nconns = atoi(v); break;
        case 'T': nthreads = atoi(v); break;
        case 'd': duration_s = atof(v); break;
        case 'n': max_events = strtoull(v, NULL, 10); break;
        case 'r': rate = atof(v); break;
        case 'e': expect_status = atoi(v); break;
        case 't': tenant = v; break;
        case 'N': ntenants = atoi(v); break;
        case 'D': ndests = atoi(v); break;
        case 'x': tenant_prefix = v; break;
        case 'i': id_prefix = v; break;
        case 'z': pad = atoi(v); break;
        case 'u': sink_url = v; break;
        case 's': secret_prefix = v; break;
        default: return usage();
        }
    }
    if (port <= 0 || nconns <= 0 || nthreads <= 0) return usage();
    if (pad < 0 || pad >= (int)sizeof padding) return usage();
    memset(padding, 'x', (size_t)pad);
    signal(SIGPIPE, SIG_IGN);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "load: host must be an IPv4 address\n");
        return 2;
    }
    if (rate > 0 || mode == MODE_SETUP) nthreads = rate > 0 ? 1 : nthreads;
    if (nthreads > nconns) nthreads = nconns;
    worker *ws = calloc((size_t)nthreads, sizeof *ws);
    for (int i = 0; i < nthreads; i++) {
        worker *w = &ws[i];
        w->ep = epoll_create1(0);
        w->nconns = nconns / nthreads + (i < nconns % nthreads);
        w->conns = calloc((size_t)w->nconns, sizeof *w->conns);
        w->c.lat = calloc(LAT_BUCKETS, sizeof *w->c.lat);
        for (int j = 0; j < w->nconns; j++) {
            w->conns[j].w = w;
            w->conns[j].fd = -1;
            w->conns[j].tenant_idx = UINT64_MAX;
        }
    }
    t_start = now_ns();
    t_deadline = mode == MODE_SETUP ? UINT64_MAX - 20000000000ULL : t_start + (uint64_t)(duration_s * 1e9);
    if (rate > 0) {
        open_loop(&ws[0]);
    } else {
        for (int i = 0; i < nthreads; i++) pthread_create(&ws[i].thread, NULL, closed_loop, &ws[i]);
        for (int i = 0; i < nthreads; i++) pthread_join(ws[i].thread, NULL);
    }
    counters t = {0};
    for (int i = 0; i < nthreads; i++) {
        counters *c = &ws[i].c;
        t.sent += c->sent;
        t.completed += c->completed;
        t.ok += c->ok;
        t.unexpected += c->unexpected;
        t.s2xx += c->s2xx;
        t.s3xx += c->s3xx;
        t.s4xx += c->s4xx;
        t.s5xx += c->s5xx;
        t.errors += c->errors;
        t.id_mismatch += c->id_mismatch;
        t.lat_n += c->lat_n;
        if (c->lat_max > t.lat_max) t.lat_max = c->lat_max;
        if (c->last_done_ns > t.last_done_ns) t.last_done_ns = c->last_done_ns;
    }
    uint64_t end = t.last_done_ns > t_start ? t.last_done_ns : now_ns();
    double elapsed = (double)(end - t_start) / 1e9;
    printf("{\"mode\":\"%s\",\"connections\":%d,\"threads\":%d,\"target_rate\":%.1f,\"sent\":%" PRIu64
           ",\"completed\":%" PRIu64 ",\"ok\":%" PRIu64 ",\"unexpected\":%" PRIu64 ",\"status_2xx\":%" PRIu64
           ",\"status_3xx\":%" PRIu64 ",\"status_4xx\":%" PRIu64 ",\"status_5xx\":%" PRIu64 ",\"errors\":%" PRIu64
           ",\"id_mismatch\":%" PRIu64 ",\"elapsed_s\":%.3f,\"ok_per_s\":%.1f,\"latency_p50_ms\":%.3f"
           ",\"latency_p95_ms\":%.3f,\"latency_p99_ms\":%.3f,\"latency_max_ms\":%.3f,\"cpu_s\":%.3f}\n",
           mode == MODE_SETUP ? "setup" : rate > 0 ? "open" : "closed", nconns, nthreads, rate, t.sent, t.completed,
           t.ok, t.unexpected, t.s2xx, t.s3xx, t.s4xx, t.s5xx, t.errors, t.id_mismatch, elapsed,
           elapsed > 0 ? (double)t.ok / elapsed : 0.0, merged_percentile(ws, nthreads, t.lat_n, 0.50) / 1e6,
           merged_percentile(ws, nthreads, t.lat_n, 0.95) / 1e6, merged_percentile(ws, nthreads, t.lat_n, 0.99) / 1e6,
           t.lat_max / 1e6, cpu_seconds());
    fflush(stdout);
    for (int i = 0; i < nthreads; i++) {
        for (int j = 0; j < ws[i].nconns; j++) {
            if (ws[i].conns[j].fd >= 0) close(ws[i].conns[j].fd);
            free(ws[i].conns[j].in);
        }
        free(ws[i].conns);
        free(ws[i].c.lat);
        close(ws[i].ep);
    }
    free(ws);
    return 0;
}
