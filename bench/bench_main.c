/* The workloads, the same for every engine: handshakes (one or more
 * client/server thread pairs), bulk transfer, heap per connection. Each run
 * prints one line of key=value pairs for bench/run.sh. */
/* sched_setaffinity and CPU_SET for --pin. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define ERR_LEN 512

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --heap-shift: bytes each thread allocates (and keeps) before anything
 * else, which moves every later heap block of that thread's arena. Where
 * the TLS stack's buffers and cipher contexts land decides a few percent of
 * its speed at equal instruction counts; run.py varies the shift from
 * round to round, so that neither program keeps a lucky or unlucky layout. */
static size_t heap_shift;
static _Thread_local void *heap_shift_block; /* kept to the end */

static void shift_heap(void)
{
    if (heap_shift > 0)
        heap_shift_block = malloc(heap_shift);
}

static _Noreturn void die(const char *what, const char *err)
{
    fprintf(stderr, "bench %s: %s: %s\n", bench_engine.name, what, err);
    exit(1);
}

/* ------------------------------------------------------------------ */
/* Handshakes: a client thread and a server thread per pair. The client
 * makes a socketpair per handshake and hands both ends to the server
 * through a pipe. Each side frees its connection when its handshake is
 * done; the server closes both ends once the client says (second pipe)
 * that it is done too: a TLS 1.2 client finishes after the server, a
 * TLS 1.3 server writes after the client's last flight, and neither may
 * find its socket closed under it. */

struct hs_pair {
    int n;
    int cpu; /* --pin: the one CPU of this pair's two threads; -1: any */
    int pipe[2];
    int done[2]; /* client -> server: this handshake is over on my side */
    char err[ERR_LEN];
};

static void *hs_server(void *arg)
{
    struct hs_pair *p = arg;
    shift_heap();
    for (int i = 0; i < p->n; i++) {
        int fds[2];
        char token;
        if (read(p->pipe[0], fds, sizeof fds) != (ssize_t)sizeof fds)
            die("server", "pipe read failed");
        void *s = bench_engine.conn_new(1, fds[1], p->err, sizeof p->err);
        if (s == NULL || bench_engine.handshake(s, p->err, sizeof p->err) != 0)
            die("server", p->err); /* exits: the client may be blocked */
        bench_engine.conn_free(s);
        if (read(p->done[0], &token, 1) != 1)
            die("server", "pipe read failed");
        close(fds[0]);
        close(fds[1]);
    }
    return NULL;
}

static void *hs_client(void *arg)
{
    struct hs_pair *p = arg;
    char err[ERR_LEN];
    pthread_t srv;
    shift_heap();
    if (p->cpu >= 0) { /* before the server thread, which inherits it */
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(p->cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            die("hs --pin", strerror(errno));
    }
    if (pthread_create(&srv, NULL, hs_server, p) != 0)
        die("hs", "pthread_create failed");
    for (int i = 0; i < p->n; i++) {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
            die("hs", strerror(errno));
        if (write(p->pipe[1], fds, sizeof fds) != (ssize_t)sizeof fds)
            die("hs", "pipe write failed");
        void *c = bench_engine.conn_new(0, fds[0], err, sizeof err);
        if (c == NULL)
            die("client conn_new", err);
        if (bench_engine.handshake(c, err, sizeof err) != 0)
            die("client handshake", err);
        if (bench_engine.inspect(c, err, sizeof err) != 0)
            die("client inspect", err);
        bench_engine.conn_free(c);
        if (write(p->done[1], "", 1) != 1)
            die("hs", "pipe write failed");
    }
    pthread_join(srv, NULL);
    return NULL;
}

/* CPU time of the process (all threads, user and system): per handshake it
 * shows whether more threads cost more work (contention) or only wait
 * for a core (a loaded machine). */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int run_hs(int n, int threads, int pin)
{
    struct hs_pair pairs[16];
    pthread_t th[16];
    if (threads < 1 || threads > 16)
        die("hs", "--threads must be 1..16");
    for (int t = 0; t < threads; t++) {
        memset(&pairs[t], 0, sizeof pairs[t]);
        pairs[t].n = n;
        pairs[t].cpu = pin ? t % (int)sysconf(_SC_NPROCESSORS_ONLN) : -1;
        if (pipe(pairs[t].pipe) != 0 || pipe(pairs[t].done) != 0)
            die("hs", strerror(errno));
    }
    double cpu0 = cpu_seconds();
    uint64_t t0 = bench_now_ns();
    for (int t = 0; t < threads; t++)
        if (pthread_create(&th[t], NULL, hs_client, &pairs[t]) != 0)
            die("hs", "pthread_create failed");
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    double s = (double)(bench_now_ns() - t0) / 1e9;
    double cpu = cpu_seconds() - cpu0;
    for (int t = 0; t < threads; t++) {
        close(pairs[t].pipe[0]);
        close(pairs[t].pipe[1]);
        close(pairs[t].done[0]);
        close(pairs[t].done[1]);
    }
    printf("mode=hs engine=%s handshakes=%d threads=%d pinned=%d seconds=%.6f hs_per_s=%.2f "
           "cpu_us_per_hs=%.1f\n",
           bench_engine.name, n * threads, threads, pin, s, (double)(n * threads) / s,
           cpu * 1e6 / (n * threads));
    return 0;
}

/* ------------------------------------------------------------------ */
/* One established pair, for bulk, heap and the extra modes. */

struct pair_server {
    void *conn;
    int fd;
    char err[ERR_LEN];
    int failed;
};

static void *pair_server_run(void *arg)
{
    struct pair_server *s = arg;
    shift_heap();
    s->conn = bench_engine.conn_new(1, s->fd, s->err, sizeof s->err);
    if (s->conn == NULL || bench_engine.handshake(s->conn, s->err, sizeof s->err) != 0)
        s->failed = 1;
    return NULL;
}

int bench_pair(void **client, void **server, int fds[2], char *err, size_t err_len)
{
    *client = *server = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
        snprintf(err, err_len, "socketpair: %s", strerror(errno));
        return -1;
    }
    struct pair_server s = {.fd = fds[1]};
    pthread_t th;
    if (pthread_create(&th, NULL, pair_server_run, &s) != 0) {
        snprintf(err, err_len, "pthread_create failed");
        return -1;
    }
    void *c = bench_engine.conn_new(0, fds[0], err, err_len);
    int rc = c != NULL && bench_engine.handshake(c, err, err_len) == 0 &&
                     bench_engine.inspect(c, err, err_len) == 0
                 ? 0
                 : -1;
    if (rc != 0)
        shutdown(fds[0], SHUT_RDWR); /* unblock the server */
    pthread_join(th, NULL);
    if (rc == 0 && s.failed) {
        snprintf(err, err_len, "server: %s", s.err);
        rc = -1;
    }
    *client = c;
    *server = s.conn;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Bulk: the client writes total bytes in chunk-sized writes; the server
 * reads them all. */

struct bulk_reader {
    void *conn;
    unsigned long long total;
    int failed;
};

static void *bulk_read(void *arg)
{
    struct bulk_reader *r = arg;
    /* Page-aligned for the reason the writer's buffer is (below). */
    static _Alignas(4096) unsigned char buf[1 << 16];
    unsigned long long got_total = 0;
    while (got_total < r->total) {
        size_t got = 0;
        if (bench_engine.read_some(r->conn, buf, sizeof buf, &got) != 0 || got == 0) {
            r->failed = 1;
            return NULL;
        }
        got_total += got;
    }
    return NULL;
}

static int run_bulk(unsigned long long total, size_t chunk)
{
    char err[ERR_LEN];
    void *c, *s;
    int fds[2];
    if (bench_pair(&c, &s, fds, err, sizeof err) != 0)
        die("bulk", err);
    /* Page-aligned in every program: where malloc happened to put it
     * decided the speed of the stack's copy of each record (glibc's
     * rep movsb against the stack's write buffer; OpenSSL TLS 1.3: 0.63x
     * between two heap layouts at equal instruction counts). */
    unsigned char *space = aligned_alloc(4096, (chunk + 4095) / 4096 * 4096), *buf = space;
    if (space == NULL)
        die("bulk", "out of memory");
    memset(buf, 0xa5, chunk);
    struct bulk_reader r = {.conn = s, .total = total};
    pthread_t th;
    uint64_t t0 = bench_now_ns();
    if (pthread_create(&th, NULL, bulk_read, &r) != 0)
        die("bulk", "pthread_create failed");
    for (unsigned long long sent = 0; sent < total;) {
        size_t n = total - sent < chunk ? (size_t)(total - sent) : chunk;
        if (bench_engine.write_all(c, buf, n) != 0)
            die("bulk", "write failed");
        sent += n;
    }
    pthread_join(th, NULL);
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    if (r.failed)
        die("bulk", "read failed");
    printf("mode=bulk engine=%s bytes=%llu chunk=%zu seconds=%.6f mib_per_s=%.2f\n",
           bench_engine.name, total, chunk, secs, (double)total / 1048576.0 / secs);
    free(space);
    bench_engine.conn_free(c);
    bench_engine.conn_free(s);
    close(fds[0]);
    close(fds[1]);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Heap per established connection: n pairs kept open at once; the live
 * heap grows by n times the cost of a client and a server connection. One
 * warm-up pair first, so that one-time library state (error strings,
 * method tables, caches filled on first use) is not counted. The server's
 * session cache keeps a session per handshake: that is part of what a
 * connection costs, and is the same setting native and through omnitls. */

static int run_mem(int n)
{
    char err[ERR_LEN];
    void *c, *s;
    int fds[2];
    if (n < 1 || n > 256)
        die("mem", "--n must be 1..256");
    if (bench_pair(&c, &s, fds, err, sizeof err) != 0)
        die("mem", err);
    bench_engine.conn_free(c);
    bench_engine.conn_free(s);
    close(fds[0]);
    close(fds[1]);

    void **cs = calloc((size_t)n, sizeof *cs), **ss = calloc((size_t)n, sizeof *ss);
    int *fd = calloc((size_t)n * 2, sizeof *fd);
    if (cs == NULL || ss == NULL || fd == NULL)
        die("mem", "out of memory");
    long long before = bench_heap_live();
    for (int i = 0; i < n; i++)
        if (bench_pair(&cs[i], &ss[i], &fd[2 * i], err, sizeof err) != 0)
            die("mem", err);
    long long after = bench_heap_live();
    /* Client ends alone: free the server ends and see what remains. */
    for (int i = 0; i < n; i++)
        bench_engine.conn_free(ss[i]);
    long long clients = bench_heap_live();
    for (int i = 0; i < n; i++)
        bench_engine.conn_free(cs[i]);
    long long end = bench_heap_live();
    for (int i = 0; i < 2 * n; i++)
        close(fd[i]);
    printf("mode=mem engine=%s conns=%d pair_bytes=%.0f client_bytes=%.0f server_bytes=%.0f "
           "retained_bytes=%.0f\n",
           bench_engine.name, n, (double)(after - before) / n, (double)(clients - end) / n,
           (double)(after - clients) / n, (double)(end - before) / n);
    free(cs);
    free(ss);
    free(fd);
    return 0;
}

/* ------------------------------------------------------------------ */

static _Noreturn void usage(void)
{
    fprintf(stderr,
            "usage: bench_%s MODE --pki DIR [--tls 1.2|1.3] [--backend NAME]\n"
            "  every mode: [--heap-shift S]  each thread first allocates S bytes\n"
            "                               (moves its later heap blocks)\n"
            "  hs   [--n N] [--threads T] [--pin 0|1]\n"
            "                               N full handshakes per client/server thread pair;\n"
            "                               --pin 1: each pair's two threads on one CPU\n"
            "  bulk [--bytes B] [--chunk C] B bytes client -> server in C-byte writes\n"
            "  mem  [--n N]                 heap bytes per established connection\n"
            "  version                      the TLS stack's version\n",
            bench_engine.name);
    exit(2);
}

int main(int argc, char **argv)
{
    struct bench_cfg cfg = {0};
    long n = 100, threads = 1, pin = 0;
    unsigned long long bytes = 256ull << 20;
    size_t chunk = 16384;
    if (argc < 2)
        usage();
    const char *mode = argv[1];
    /* Options come in pairs: --name value. */
    if ((argc - 2) % 2 != 0)
        usage();
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *a = argv[i];
        const char *v = argv[i + 1];
        if (strcmp(a, "--pki") == 0)
            cfg.pki_dir = v;
        else if (strcmp(a, "--tls") == 0)
            cfg.tls13 = strcmp(v, "1.3") == 0;
        else if (strcmp(a, "--backend") == 0)
            cfg.backend = v;
        else if (strcmp(a, "--n") == 0)
            n = strtol(v, NULL, 10);
        else if (strcmp(a, "--threads") == 0)
            threads = strtol(v, NULL, 10);
        else if (strcmp(a, "--pin") == 0)
            pin = strtol(v, NULL, 10) != 0;
        else if (strcmp(a, "--bytes") == 0)
            bytes = strtoull(v, NULL, 10);
        else if (strcmp(a, "--chunk") == 0)
            chunk = (size_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--heap-shift") == 0)
            heap_shift = (size_t)strtoul(v, NULL, 10);
        else
            usage();
    }
    if (strcmp(mode, "version") == 0) {
        if (cfg.backend != NULL)
            setenv("OMNITLS_BACKEND", cfg.backend, 1);
        printf("%s\n", bench_engine.version ? bench_engine.version() : "?");
        return 0;
    }
    if (cfg.pki_dir == NULL || n < 1 || chunk < 1 || chunk > (1u << 20) || heap_shift > 65536)
        usage();
    shift_heap();
    /* Heap counting is for the mem modes and the introspection's allocation
     * counts; the timed modes must not pay for it (bench.h). */
    if (strcmp(mode, "hs") == 0 || strcmp(mode, "bulk") == 0)
        bench_heap_stop();
    /* A peer that closed its end must give an error, not kill us. */
    signal(SIGPIPE, SIG_IGN);
    char err[ERR_LEN];
    int ir = bench_engine.init(&cfg, err, sizeof err);
    if (ir == BENCH_UNSUPPORTED) {
        printf("mode=%s engine=%s unsupported=\"%s\"\n", mode, bench_engine.name, err);
        return 77;
    }
    if (ir != 0)
        die("init", err);
    int rc;
    if (strcmp(mode, "hs") == 0)
        rc = run_hs((int)n, (int)threads, (int)pin);
    else if (strcmp(mode, "bulk") == 0)
        rc = run_bulk(bytes, chunk);
    else if (strcmp(mode, "mem") == 0)
        rc = run_mem((int)n);
    else if (bench_engine.extra != NULL)
        rc = bench_engine.extra(mode, &cfg, argc, argv);
    else
        usage();
    bench_engine.cleanup();
    return rc;
}
