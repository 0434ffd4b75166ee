/* sink.c - the benchmark's webhook receiver.
 *
 * One thread, epoll, HTTP/1.1 keep-alive (Content-Length bodies, pipelining
 * tolerated). For every POST it:
 *   - verifies x-outpost-signature: v0=<hex>[,<hex>...] against
 *     HMAC-SHA256(key = secret, msg = raw body); the secret of path /h/<k> is
 *     PREFIX<k>, of any other path PREFIX alone;
 *   - records the first successful receipt of each (event id, path) pair,
 *     counting repeats as duplicates;
 *   - reads "t":<ns> from the body (CLOCK_MONOTONIC of the sender) and adds
 *     receipt - t to a latency histogram;
 *   - with -f, answers 500 to the first attempt of every event whose id ends
 *     in an odd number (a deterministic 50% failure rate).
 * GET /stats answers every counter as one JSON object; GET /reset zeroes them
 * and forgets every event seen (between a warm-up and a measurement).
 *
 * usage: sink [-p PORT] [-s SECRET_PREFIX] [-f] [-q PORTFILE]
 * With -p 0 (default) the kernel picks the port; it is printed as "port N"
 * and written to PORTFILE when given. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cputime.h"

#define MAX_EVENTS 256
#define LAT_BUCKET_NS 10000ULL /* 10 us resolution */
#define LAT_BUCKETS 1000000    /* up to 10 s; beyond lands in the last one */
#define MAX_KEYED 4096         /* /h/<k> secrets kept pre-keyed */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- counters ---- */
static struct {
    uint64_t requests, posts, delivered, duplicates, failed_on_purpose, bad_signature, missing_signature,
        bad_request, lat_count, lat_max_ns, first_ns, last_ns, conns_accepted, retried_ok;
    uint32_t *lat;
} st;

/* ---- (event id, path) -> state; open addressing on a 64-bit hash ---- */
enum { SEEN_FAILED = 1, SEEN_OK = 2 };
static struct {
    uint64_t *keys;
    uint8_t *state;
    size_t cap, n;
} seen;

static uint64_t hash64(const char *a, size_t an, const char *b, size_t bn)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < an; i++) h = (h ^ (uint8_t)a[i]) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL;
    for (size_t i = 0; i < bn; i++) h = (h ^ (uint8_t)b[i]) * 0x100000001b3ULL;
    h ^= h >> 31;
    h *= 0x7fb5d329728ea185ULL;
    h ^= h >> 27;
    return h ? h : 1;
}

static uint8_t *seen_slot(uint64_t key);

static void seen_grow(void)
{
    uint64_t *ok = seen.keys;
    uint8_t *os = seen.state;
    size_t ocap = seen.cap;
    seen.cap = ocap ? ocap * 2 : 1 << 20;
    seen.keys = calloc(seen.cap, sizeof *seen.keys);
    seen.state = calloc(seen.cap, 1);
    if (!seen.keys || !seen.state) {
        fprintf(stderr, "sink: out of memory\n");
        exit(1);
    }
    seen.n = 0;
    for (size_t i = 0; i < ocap; i++)
        if (ok[i]) *seen_slot(ok[i]) = os[i];
    free(ok);
    free(os);
}

/* The state byte of key, inserting it (state 0) when absent. */
static uint8_t *seen_slot(uint64_t key)
{
    if (seen.n * 2 >= seen.cap) seen_grow();
    size_t mask = seen.cap - 1, i = key & mask;
    while (seen.keys[i] && seen.keys[i] != key) i = (i + 1) & mask;
    if (!seen.keys[i]) {
        seen.keys[i] = key;
        seen.state[i] = 0;
        seen.n++;
    }
    return &seen.state[i];
}

/* ---- HMAC-SHA256 with the key's inner and outer pads absorbed once ---- */
typedef struct {
    EVP_MD_CTX *inner, *outer;
} keyed;
static keyed keyed_by_k[MAX_KEYED], keyed_plain;
static const char *secret_prefix = "whsec_bench";
static EVP_MD_CTX *scratch;

static void keyed_init(keyed *kd, const char *key, size_t klen)
{
    unsigned char k[64] = {0}, pad[64];
    if (klen > 64) {
        unsigned int n = 0;
        EVP_Digest(key, klen, k, &n, EVP_sha256(), NULL);
    } else {
        memcpy(k, key, klen);
    }
    kd->inner = EVP_MD_CTX_new();
    kd->outer = EVP_MD_CTX_new();
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
    EVP_DigestInit_ex(kd->inner, EVP_sha256(), NULL);
    EVP_DigestUpdate(kd->inner, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
    EVP_DigestInit_ex(kd->outer, EVP_sha256(), NULL);
    EVP_DigestUpdate(kd->outer, pad, 64);
}

static void keyed_mac(const keyed *kd, const char *msg, size_t len, unsigned char out[32])
{
    unsigned char ih[32];
    unsigned int n = 0;
    EVP_MD_CTX_copy_ex(scratch, kd->inner);
    EVP_DigestUpdate(scratch, msg, len);
    EVP_DigestFinal_ex(scratch, ih, &n);
    EVP_MD_CTX_copy_ex(scratch, kd->outer);
    EVP_DigestUpdate(scratch, ih, 32);
    EVP_DigestFinal_ex(scratch, out, &n);
}

static const keyed *keyed_for_path(const char *path, size_t plen)
{
    if (plen > 3 && !memcmp(path, "/h/", 3)) {
        long k = 0;
        size_t i = 3;
        for (; i < plen && path[i] >= '0' && path[i] <= '9' && k < MAX_KEYED; i++) k = k * 10 + (path[i] - '0');
        if (i == plen && i > 3 && k < MAX_KEYED) {
            keyed *kd = &keyed_by_k[k];
            if (!kd->inner) {
                char key[256];
                int n = snprintf(key, sizeof key, "%s%ld", secret_prefix, k);
                keyed_init(kd, key, (size_t)n);
            }
            return kd;
        }
    }
    if (!keyed_plain.inner) keyed_init(&keyed_plain, secret_prefix, strlen(secret_prefix));
    return &keyed_plain;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* sig is "v0=<hex>[,<hex>]..." (the default signature header template). */
static bool signature_ok(const char *sig, size_t slen, const keyed *kd, const char *body, size_t blen)
{
    if (slen < 3 || memcmp(sig, "v0=", 3)) return false;
    unsigned char mac[32];
    keyed_mac(kd, body, blen, mac);
    size_t i = 3;
    while (i < slen) {
        size_t j = i;
        while (j < slen && sig[j] != ',') j++;
        if (j - i == 64) {
            bool eq = true;
            for (size_t b = 0; b < 32 && eq; b++) {
                int hi = hexval(sig[i + 2 * b]), lo = hexval(sig[i + 2 * b + 1]);
                eq = hi >= 0 && lo >= 0 && (unsigned char)(hi << 4 | lo) == mac[b];
            }
            if (eq) return true;
        }
        i = j + 1;
    }
    return false;
}

/* ---- connections ---- */
typedef struct {
    int fd;
    char *in;
    size_t in_len, in_cap;
    char *out;
    size_t out_len, out_off, out_cap;
    bool close_after;
} conn;

static int ep;
static bool fail_mode;

static void out_append(conn *c, const char *s, size_t n)
{
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n) cap *= 2;
        c->out = realloc(c->out, cap);
        if (!c->out) exit(1);
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
}

static void respond(conn *c, int status, const char *ctype, const char *body, size_t blen)
{
    char head[256];
    const char *reason = status == 200 ? "OK" : status == 500 ? "Internal Server Error" : status == 404 ? "Not Found" : "Bad Request";
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu\r\n\r\n", status, reason,
                     ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "", blen);
    out_append(c, head, (size_t)n);
    if (blen) out_append(c, body, blen);
}

static uint64_t lat_percentile(double q)
{
    if (!st.lat_count) return 0;
    uint64_t want = (uint64_t)(q * (double)st.lat_count + 0.999999), acc = 0;
    if (want < 1) want = 1;
    for (size_t i = 0; i < LAT_BUCKETS; i++) {
        acc += st.lat[i];
        if (acc >= want) return (uint64_t)(i + 1) * LAT_BUCKET_NS; /* upper bound of the bucket */
    }
    return st.lat_max_ns;
}

static void respond_stats(conn *c)
{
    char b[1024];
    int n = snprintf(b, sizeof b,
                     "{\"requests\":%" PRIu64 ",\"posts\":%" PRIu64 ",\"delivered\":%" PRIu64 ",\"duplicates\":%" PRIu64
                     ",\"failed_on_purpose\":%" PRIu64 ",\"retried_ok\":%" PRIu64 ",\"bad_signature\":%" PRIu64
                     ",\"missing_signature\":%" PRIu64 ",\"bad_request\":%" PRIu64 ",\"connections\":%" PRIu64
                     ",\"first_ns\":%" PRIu64 ",\"last_ns\":%" PRIu64 ",\"now_ns\":%" PRIu64 ",\"span_s\":%.6f"
                     ",\"latency_samples\":%" PRIu64 ",\"latency_p50_ms\":%.3f,\"latency_p95_ms\":%.3f"
                     ",\"latency_p99_ms\":%.3f,\"latency_max_ms\":%.3f,\"cpu_s\":%.3f}\n",
                     st.requests, st.posts, st.delivered, st.duplicates, st.failed_on_purpose, st.retried_ok,
                     st.bad_signature, st.missing_signature, st.bad_request, st.conns_accepted, st.first_ns, st.last_ns,
                     now_ns(), st.delivered > 1 ? (double)(st.last_ns - st.first_ns) / 1e9 : 0.0, st.lat_count,
                     lat_percentile(0.50) / 1e6, lat_percentile(0.95) / 1e6, lat_percentile(0.99) / 1e6,
                     st.lat_max_ns / 1e6, cpu_seconds());
    respond(c, 200, "application/json", b, (size_t)n);
}

/* Parses "t":<digits> out of a JSON body; 0 when absent. */
static uint64_t body_time(const char *b, size_t n)
{
    for (size_t i = 0; i + 4 < n; i++) {
        if (b[i] == '"' && b[i + 1] == 't' && b[i + 2] == '"' && b[i + 3] == ':') {
            uint64_t v = 0;
            size_t j = i + 4;
            while (j < n && b[j] == ' ') j++;
            for (; j < n && b[j] >= '0' && b[j] <= '9'; j++) v = v * 10 + (uint64_t)(b[j] - '0');
            return v;
        }
    }
    return 0;
}

static void handle_post(conn *c, const char *path, size_t plen, const char *id, size_t idlen, const char *sig,
                        size_t siglen, const char *body, size_t blen)
{
    uint64_t t = now_ns();
    st.posts++;
    if (!id) {
        st.bad_request++;
        respond(c, 400, NULL, NULL, 0);
        return;
    }
    if (!sig) {
        st.missing_signature++;
        respond(c, 400, NULL, NULL, 0);
        return;
    }
    if (!signature_ok(sig, siglen, keyed_for_path(path, plen), body, blen)) {
        st.bad_signature++;
        respond(c, 400, NULL, NULL, 0);
        return;
    }
    uint8_t *state = seen_slot(hash64(id, idlen, path, plen));
    if (*state == SEEN_OK) {
        st.duplicates++;
        respond(c, 200, NULL, NULL, 0);
        return;
    }
    if (fail_mode && *state == 0 && idlen && id[idlen - 1] >= '0' && id[idlen - 1] <= '9' && (id[idlen - 1] - '0') % 2) {
        *state = SEEN_FAILED;
        st.failed_on_purpose++;
        respond(c, 500, NULL, NULL, 0);
        return;
    }
    if (*state == SEEN_FAILED) st.retried_ok++;
    *state = SEEN_OK;
    st.delivered++;
    if (!st.first_ns) st.first_ns = t;
    st.last_ns = t;
    uint64_t sent = body_time(body, blen);
    if (sent && sent <= t) {
        uint64_t d = t - sent;
        size_t bkt = d / LAT_BUCKET_NS;
        if (bkt >= LAT_BUCKETS) bkt = LAT_BUCKETS - 1;
        st.lat[bkt]++;
        st.lat_count++;
        if (d > st.lat_max_ns) st.lat_max_ns = d;
    }
    respond(c, 200, NULL, NULL, 0);
}

static void reset(void)
{
    uint32_t *lat = st.lat;
    uint64_t conns = st.conns_accepted;
    memset(lat, 0, LAT_BUCKETS * sizeof *lat);
    memset(&st, 0, sizeof st);
    st.lat = lat;
    st.conns_accepted = conns;
    memset(seen.keys, 0, seen.cap * sizeof *seen.keys);
    memset(seen.state, 0, seen.cap);
    seen.n = 0;
}

static bool hname(const char *line, size_t n, const char *name, const char **val, size_t *vlen)
{
    size_t k = strlen(name);
    if (n <= k || line[k] != ':' || strncasecmp(line, name, k)) return false;
    size_t i = k + 1;
    while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
    size_t e = n;
    while (e > i && (line[e - 1] == ' ' || line[e - 1] == '\t')) e--;
    *val = line + i;
    *vlen = e - i;
    return true;
}

/* Handles every complete request in c->in. Returns false on a protocol error. */
static bool process(conn *c)
{
    size_t off = 0;
    while (off < c->in_len) {
        char *start = c->in + off;
        size_t avail = c->in_len - off;
        char *end = memmem(start, avail, "\r\n\r\n", 4);
        if (!end) {
            if (avail > 65536) return false;
            break;
        }
        size_t hlen = (size_t)(end - start) + 4;
        /* request line */
        char *eol = memchr(start, '\r', hlen);
        char *sp1 = memchr(start, ' ', (size_t)(eol - start));
        if (!sp1) return false;
        char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
        if (!sp2) return false;
        const char *method = start, *path = sp1 + 1;
        size_t mlen = (size_t)(sp1 - start), plen = (size_t)(sp2 - path);
        bool http10 = (size_t)(eol - sp2 - 1) == 8 && !memcmp(sp2 + 1, "HTTP/1.0", 8);
        size_t clen = 0;
        const char *id = NULL, *sig = NULL, *v;
        size_t idlen = 0, siglen = 0, vlen;
        bool expect = false, chunked = false, conn_close = http10;
        char *line = eol + 2;
        while (line < end + 2) {
            char *le = memchr(line, '\r', (size_t)(end + 2 - line));
            if (!le) break;
            size_t ln = (size_t)(le - line);
            if (hname(line, ln, "content-length", &v, &vlen)) {
                clen = 0;
                for (size_t i = 0; i < vlen && v[i] >= '0' && v[i] <= '9'; i++) clen = clen * 10 + (size_t)(v[i] - '0');
            } else if (hname(line, ln, "x-outpost-event-id", &v, &vlen)) {
                id = v;
                idlen = vlen;
            } else if (hname(line, ln, "x-outpost-signature", &v, &vlen)) {
                sig = v;
                siglen = vlen;
            } else if (hname(line, ln, "expect", &v, &vlen)) {
                expect = vlen == 12 && !strncasecmp(v, "100-continue", 12);
            } else if (hname(line, ln, "transfer-encoding", &v, &vlen)) {
                chunked = true;
            } else if (hname(line, ln, "connection", &v, &vlen)) {
                if (vlen == 5 && !strncasecmp(v, "close", 5)) conn_close = true;
                if (vlen == 10 && !strncasecmp(v, "keep-alive", 10)) conn_close = false;
            }
            line = le + 2;
        }
        if (chunked) {
            st.bad_request++;
            respond(c, 400, NULL, NULL, 0);
            c->close_after = true;
            c->in_len = 0;
            return true;
        }
        if (avail < hlen + clen) {
            if (expect && avail == hlen) out_append(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
            break;
        }
        st.requests++;
        const char *body = start + hlen;
        if (mlen == 3 && !memcmp(method, "GET", 3) && plen >= 6 && !memcmp(path, "/stats", 6)) {
            respond_stats(c);
        } else if (mlen == 3 && !memcmp(method, "GET", 3) && plen >= 6 && !memcmp(path, "/reset", 6)) {
            reset();
            respond(c, 200, NULL, NULL, 0);
        } else if (mlen == 4 && !memcmp(method, "POST", 4)) {
            handle_post(c, path, plen, id, idlen, sig, siglen, body, clen);
        } else {
            respond(c, 404, NULL, NULL, 0);
        }
        off += hlen + clen;
        if (conn_close) {
            c->close_after = true;
            off = c->in_len;
            break;
        }
    }
    if (off) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
    return true;
}

static void conn_close(conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

/* Writes what is pending. Returns false when the connection is done. */
static bool flush_out(conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                return true;
            }
            return false;
        }
        c->out_off += (size_t)w;
    }
    c->out_len = c->out_off = 0;
    return !c->close_after;
}

static void on_readable(conn *c)
{
    for (;;) {
        if (c->in_cap - c->in_len < 16384) {
            size_t cap = c->in_cap ? c->in_cap * 2 : 32768;
            c->in = realloc(c->in, cap);
            if (!c->in) exit(1);
            c->in_cap = cap;
        }
        ssize_t r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (r > 0) {
            c->in_len += (size_t)r;
            if (c->in_len < c->in_cap) break; /* short read: the socket is drained */
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) break;
        conn_close(c); /* EOF or error */
        return;
    }
    if (!process(c) || !flush_out(c)) conn_close(c);
}

int main(int argc, char **argv)
{
    int port = 0;
    const char *portfile = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-p") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc) secret_prefix = argv[++i];
        else if (!strcmp(argv[i], "-q") && i + 1 < argc) portfile = argv[++i];
        else if (!strcmp(argv[i], "-f")) fail_mode = true;
        else {
            fprintf(stderr, "usage: sink [-p PORT] [-s SECRET_PREFIX] [-f] [-q PORTFILE]\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    st.lat = calloc(LAT_BUCKETS, sizeof *st.lat);
    scratch = EVP_MD_CTX_new();
    seen_grow();
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 4096)) {
        perror("sink: bind/listen");
        return 1;
    }
    socklen_t al = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &al);
    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);
    if (portfile) {
        FILE *f = fopen(portfile, "w");
        if (f) {
            fprintf(f, "%d\n", ntohs(a.sin_port));
            fclose(f);
        }
    }
    ep = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0 && errno == EINTR) continue;
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (!c) {
                for (;;) {
                    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
                    if (fd < 0) break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                    st.conns_accepted++;
                }
                continue;
            }
            if (evs[i].events & EPOLLOUT) {
                if (!flush_out(c)) {
                    conn_close(c);
                    continue;
                }
                if (c->out_len == 0) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
                if (!(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            }
            on_readable(c);
        }
    }
}
