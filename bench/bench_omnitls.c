/* The workloads through omnitls, on the backend named by --backend. The
 * settings are those of the native programs: one suite, one version, the
 * client verifies the chain and the name "localhost". omnitls's own
 * allocator counts what the core allocates (otls_set_allocator), for the
 * core's share of a connection and for "introspection allocates nothing". */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omnitls/omnitls.h>

#include "bench.h"

static otls_ctx *client_ctx, *server_ctx;

/* ---- omnitls's allocator: counts calls and live bytes ---------------- */

static atomic_llong core_live;
static atomic_ullong core_allocs;

#define HDR 16 /* keeps malloc's alignment */

static void *core_malloc(size_t size, void *user)
{
    (void)user;
    unsigned char *p = malloc(size + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof size);
    atomic_fetch_add(&core_live, (long long)size);
    atomic_fetch_add(&core_allocs, 1);
    return p + HDR;
}

static void core_free(void *ptr, void *user)
{
    (void)user;
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - HDR;
    size_t size;
    memcpy(&size, p, sizeof size);
    atomic_fetch_sub(&core_live, (long long)size);
    free(p);
}

static void *core_realloc(void *ptr, size_t size, void *user)
{
    if (ptr == NULL)
        return core_malloc(size, user);
    size_t old;
    memcpy(&old, (unsigned char *)ptr - HDR, sizeof old);
    void *n = core_malloc(size, user);
    if (n == NULL)
        return NULL;
    memcpy(n, ptr, old < size ? old : size);
    core_free(ptr, user);
    return n;
}

/* ---- engine ------------------------------------------------------------ */

static int ctx_fail(otls_ctx *ctx, char *err, size_t len, const char *what)
{
    snprintf(err, len, "%s: %s", what, otls_ctx_error(ctx));
    return -1;
}

static otls_ctx *make_ctx(const struct bench_cfg *cfg, otls_role role, char *err, size_t len)
{
    otls_error e;
    otls_ctx *ctx = otls_ctx_new(cfg->backend, role, &e);
    if (ctx == NULL) {
        snprintf(err, len, "otls_ctx_new(%s): %s", cfg->backend ? cfg->backend : "default",
                 e.message);
        return NULL;
    }
    otls_tls_version v = cfg->tls13 ? OTLS_TLS1_3 : OTLS_TLS1_2;
    if (otls_ctx_set_versions(ctx, v, v) != OTLS_OK ||
        otls_ctx_set_ciphers(ctx, cfg->tls13 ? BENCH_SUITE13 : BENCH_SUITE12) != OTLS_OK) {
        ctx_fail(ctx, err, len, "versions/suites");
        otls_ctx_free(ctx);
        return NULL;
    }
    /* A wolfSSL server limits TLS 1.3 groups only (UNSUPPORTED on 1.2): the
     * P-256-only client then decides alone, as in native_wolfssl.c. */
    otls_status gs = otls_ctx_set_groups(ctx, BENCH_GROUPS);
    if ((gs != OTLS_OK && !(gs == OTLS_ERR_UNSUPPORTED && role == OTLS_SERVER)) ||
        otls_ctx_set_sessions(ctx, OTLS_SESSIONS_OFF) != OTLS_OK) {
        ctx_fail(ctx, err, len, "groups/sessions");
        otls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

static int init(const struct bench_cfg *cfg, char *err, size_t len)
{
    char path[1024], key[1024];
    /* Counted only where the mode counts: the timed ones run on omnitls's
     * default allocator, as an application would, without two shared
     * atomics on each of the core's allocations (bench.h). */
    if (bench_heap_counting() &&
        otls_set_allocator(core_malloc, core_realloc, core_free, NULL) != OTLS_OK) {
        snprintf(err, len, "otls_set_allocator failed");
        return -1;
    }
    client_ctx = make_ctx(cfg, OTLS_CLIENT, err, len);
    server_ctx = client_ctx ? make_ctx(cfg, OTLS_SERVER, err, len) : NULL;
    if (server_ctx == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/root.pem", cfg->pki_dir);
    if (otls_ctx_load_ca_file(client_ctx, path) != OTLS_OK)
        return ctx_fail(client_ctx, err, len, path);
    snprintf(path, sizeof path, "%s/server-chain.pem", cfg->pki_dir);
    snprintf(key, sizeof key, "%s/server-key.pem", cfg->pki_dir);
    if (otls_ctx_load_cert_chain_file(server_ctx, path, key) != OTLS_OK)
        return ctx_fail(server_ctx, err, len, path);
    return 0;
}

static void cleanup(void)
{
    otls_ctx_free(client_ctx);
    otls_ctx_free(server_ctx);
}

static void *conn_new(int server, int fd, char *err, size_t len)
{
    otls_ctx *ctx = server ? server_ctx : client_ctx;
    otls_conn *c = otls_conn_new(ctx);
    if (c == NULL) {
        ctx_fail(ctx, err, len, "otls_conn_new");
        return NULL;
    }
    if (otls_conn_set_fd(c, fd) != OTLS_OK ||
        (!server && otls_conn_set_hostname(c, BENCH_HOSTNAME) != OTLS_OK)) {
        snprintf(err, len, "set up: %s", otls_conn_error(c));
        otls_conn_free(c);
        return NULL;
    }
    return c;
}

static int handshake(void *conn, char *err, size_t len)
{
    otls_status st = otls_handshake(conn);
    if (st == OTLS_OK)
        return 0;
    snprintf(err, len, "otls_handshake: %s: %s", otls_status_name(st), otls_conn_error(conn));
    return -1;
}

static int inspect(void *conn, char *err, size_t len)
{
    const uint8_t *der;
    size_t der_len;
    otls_cipher_info ci;
    if (otls_peer_cert_der(conn, &der, &der_len) != OTLS_OK || der_len == 0 ||
        otls_cipher(conn, &ci) != OTLS_OK || ci.iana_id == 0) {
        snprintf(err, len, "inspect: %s", otls_conn_error(conn));
        return -1;
    }
    return 0;
}

static int write_all(void *conn, const void *buf, size_t len)
{
    size_t put = 0;
    return otls_write(conn, buf, len, &put) == OTLS_OK && put == len ? 0 : -1;
}

static int read_some(void *conn, void *buf, size_t len, size_t *got)
{
    return otls_read(conn, buf, len, got) == OTLS_OK ? 0 : -1;
}

static void conn_free(void *conn)
{
    otls_conn_free(conn);
}

static const char *version(void)
{
    static char buf[256];
    const otls_backend_info *list;
    size_t n;
    const char *want = getenv("OMNITLS_BACKEND");
    snprintf(buf, sizeof buf, "omnitls %s", otls_version());
    if (otls_backends(&list, &n) == OTLS_OK)
        for (size_t i = 0; i < n; i++)
            if (want ? strcmp(list[i].name, want) == 0 : list[i].is_default)
                snprintf(buf, sizeof buf, "omnitls %s on %s (%s)", otls_version(), list[i].name,
                         list[i].library_version);
    return buf;
}

/* ---- extra modes --------------------------------------------------------- */

enum call {
    C_PEER_DER,
    C_UNVERIFIED,
    C_VERIFIED,
    C_CIPHER,
    C_PROTOCOL,
    C_UNIQUE,
    C_END_POINT,
    C_EXPORTER,
    N_CALLS
};

static const char *const call_names[N_CALLS] = {
    "peer_cert_der", "unverified_chain", "verified_chain",       "cipher",
    "protocol",      "tls-unique",       "tls-server-end-point", "tls-exporter"};

static otls_status do_call(otls_conn *c, enum call k)
{
    const uint8_t *der;
    const otls_der *chain;
    size_t n;
    otls_cipher_info ci;
    const char *s;
    uint8_t cb[OTLS_CHANNEL_BINDING_MAX];
    size_t cb_len = sizeof cb;
    switch (k) {
    case C_PEER_DER:
        return otls_peer_cert_der(c, &der, &n);
    case C_UNVERIFIED:
        return otls_unverified_chain(c, &chain, &n);
    case C_VERIFIED:
        return otls_verified_chain(c, &chain, &n);
    case C_CIPHER:
        return otls_cipher(c, &ci);
    case C_PROTOCOL:
        return otls_protocol(c, &s);
    case C_UNIQUE:
        return otls_channel_binding(c, "tls-unique", cb, &cb_len);
    case C_END_POINT:
        return otls_channel_binding(c, "tls-server-end-point", cb, &cb_len);
    case C_EXPORTER:
        return otls_channel_binding(c, "tls-exporter", cb, &cb_len);
    default:
        return OTLS_ERR_INVALID_ARGUMENT;
    }
}

/* ns per call on an established client connection: the first call on a
 * fresh connection (and its allocations), then the mean over `iters`
 * calls and the allocations made during them, through omnitls's
 * allocator and by anyone in the process (malloc interposition). */
static int run_introspect(long iters)
{
    char err[512];
    for (int k = 0; k < N_CALLS; k++) {
        void *c, *s;
        int fds[2];
        if (bench_pair(&c, &s, fds, err, sizeof err) != 0) {
            fprintf(stderr, "introspect: %s\n", err);
            return 1;
        }
        unsigned long long a0 = bench_heap_allocs();
        uint64_t t0 = bench_now_ns();
        otls_status st = do_call(c, (enum call)k);
        uint64_t first = bench_now_ns() - t0;
        unsigned long long first_allocs = bench_heap_allocs() - a0;
        a0 = bench_heap_allocs();
        unsigned long long c0 = atomic_load(&core_allocs);
        t0 = bench_now_ns();
        for (long i = 0; i < iters; i++)
            if (do_call(c, (enum call)k) != st) {
                fprintf(stderr, "introspect: %s changed its answer\n", call_names[k]);
                return 1;
            }
        double ns = (double)(bench_now_ns() - t0) / (double)iters;
        unsigned long long allocs = bench_heap_allocs() - a0;
        unsigned long long cores = atomic_load(&core_allocs) - c0;
        printf("mode=introspect call=%s status=%s first_ns=%llu first_allocs=%llu ns=%.1f "
               "allocs=%llu core_allocs=%llu\n",
               call_names[k], otls_status_name(st), (unsigned long long)first, first_allocs, ns,
               allocs, cores);
        if (st < 0)
            printf("mode=introspect call=%s reason=\"%s\"\n", call_names[k], otls_conn_error(c));
        otls_conn_free(c);
        otls_conn_free(s);
        close(fds[0]);
        close(fds[1]);
    }
    return 0;
}

/* The core's share of a connection: live bytes through omnitls's
 * allocator (the connection object, the backend state block the core
 * allocates for the backend, the facts) per client and per server end. */
static int run_coremem(long n)
{
    char err[512];
    void *cs[64], *ss[64];
    int fds[128];
    if (n < 1 || n > 64)
        n = 16;
    long long before = atomic_load(&core_live);
    for (long i = 0; i < n; i++)
        if (bench_pair(&cs[i], &ss[i], &fds[2 * i], err, sizeof err) != 0) {
            fprintf(stderr, "coremem: %s\n", err);
            return 1;
        }
    long long after = atomic_load(&core_live);
    for (long i = 0; i < n; i++)
        otls_conn_free(ss[i]);
    long long clients = atomic_load(&core_live);
    for (long i = 0; i < n; i++) {
        otls_conn_free(cs[i]);
        close(fds[2 * i]);
        close(fds[2 * i + 1]);
    }
    long long end = atomic_load(&core_live);
    printf("mode=coremem engine=omnitls conns=%ld core_client_bytes=%.0f core_server_bytes=%.0f "
           "core_retained_bytes=%.0f\n",
           n, (double)(clients - end) / (double)n, (double)(after - clients) / (double)n,
           (double)(end - before) / (double)n);
    return 0;
}

static int extra(const char *mode, const struct bench_cfg *cfg, int argc, char **argv)
{
    (void)cfg;
    long n = 0;
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], "--n") == 0)
            n = strtol(argv[i + 1], NULL, 10);
    if (strcmp(mode, "introspect") == 0)
        return run_introspect(n > 0 ? n : 1000000);
    if (strcmp(mode, "coremem") == 0)
        return run_coremem(n > 0 ? n : 16);
    fprintf(stderr, "bench_omnitls: unknown mode %s\n", mode);
    return 2;
}

const struct bench_engine bench_engine = {
    .name = "omnitls",
    .init = init,
    .cleanup = cleanup,
    .conn_new = conn_new,
    .handshake = handshake,
    .inspect = inspect,
    .write_all = write_all,
    .read_some = read_some,
    .conn_free = conn_free,
    .extra = extra,
    .version = version,
};
