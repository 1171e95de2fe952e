/* The benchmark driver shared by the native programs and the omnitls one.
 *
 * Every program implements the same engine (below) over one TLS stack; the
 * driver runs identical workloads on it, so the native and omnitls numbers
 * differ only by the code between the workload and the stack. The driver
 * uses no TLS library itself: the wolfSSL program cannot share a process
 * with OpenSSL (see DESIGN.md), so the PKI comes from files that bench_pki
 * writes. */
#ifndef OTLS_BENCH_H
#define OTLS_BENCH_H

#include <stddef.h>
#include <stdint.h>

struct bench_cfg {
    const char *pki_dir; /* root.pem, server-chain.pem, server-key.pem */
    int tls13;           /* 0: TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 */
    const char *backend; /* omnitls: the backend name */
};

/* The suites the workloads use, by protocol version. */
#define BENCH_SUITE12 "ECDHE-ECDSA-AES128-GCM-SHA256"
#define BENCH_SUITE13 "TLS_AES_128_GCM_SHA256"
/* The one key-exchange group; session tickets and the server session cache
 * are off on both ends (full handshakes only), as issue 8 asks. */
#define BENCH_GROUPS "P-256"
#define BENCH_HOSTNAME "localhost"
#define BENCH_UNSUPPORTED (-2)

/* One TLS stack. Return 0 on success; on failure fill err and return -1. */
struct bench_engine {
    const char *name;
    /* Creates the client and server contexts from cfg (PKI in cfg->pki_dir).
     * BENCH_UNSUPPORTED (err says why) when the stack cannot run it. */
    int (*init)(const struct bench_cfg *cfg, char *err, size_t err_len);
    void (*cleanup)(void);
    /* A connection over a connected blocking socket; server != 0 for the
     * server end. The client verifies the chain and BENCH_HOSTNAME. */
    void *(*conn_new)(int server, int fd, char *err, size_t err_len);
    int (*handshake)(void *conn, char *err, size_t err_len);
    /* Client, after the handshake: fetches the peer's DER and the cipher,
     * as an application checking what it got would. */
    int (*inspect)(void *conn, char *err, size_t err_len);
    /* Blocking I/O: 0 on success (all of len written / up to len read,
     * *got set), -1 on error. */
    int (*write_all)(void *conn, const void *buf, size_t len);
    int (*read_some)(void *conn, void *buf, size_t len, size_t *got);
    void (*conn_free)(void *conn);
    /* Optional extra modes ("introspect" for omnitls); NULL: none. Returns
     * a process exit code. */
    int (*extra)(const char *mode, const struct bench_cfg *cfg, int argc, char **argv);
    /* Optional: a description of the stack ("OpenSSL 3.0.x"). */
    const char *(*version)(void);
};

/* The program's engine (each program defines it). */
extern const struct bench_engine bench_engine;

/* Heap accounting by malloc interposition (bench_heap.c): every allocation
 * of the process, whoever makes it (the TLS library, omnitls, libc), in
 * malloc_usable_size() bytes. Live bytes per thread (allocations minus frees
 * made by that thread) and for the process. */
long long bench_heap_thread_live(void);
long long bench_heap_live(void);
unsigned long long bench_heap_allocs(void);
/* Stops the counting for good (call before any thread starts): the two
 * counters are shared by every thread, and on a workload that allocates
 * as often as mbedTLS's bignums, two threads fighting over their cache line
 * cost 25-45% more CPU a handshake (two client/server pairs in one process
 * against two processes). The timed modes do not count. */
void bench_heap_stop(void);
/* 1 until bench_heap_stop: whether this run counts allocations at all. */
int bench_heap_counting(void);

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

/* One client/server pair of connections on a fresh socketpair, run to the
 * end of the handshake (client inspects). Used by the extra modes. Keeps
 * the connections in *client and *server, the fds in fds. */
int bench_pair(void **client, void **server, int fds[2], char *err, size_t err_len);

#endif
