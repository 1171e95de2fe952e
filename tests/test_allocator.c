/* Every allocation omnitls makes goes through otls_set_allocator's hook
 * (issue 9): counted calls and bytes, nothing during read/write or
 * introspection, everything given back, and no stray call to the C
 * allocator from the library.
 *
 * The stray check: this binary defines malloc, calloc, realloc, free, strdup
 * and strndup, which take the place of libc's for every library of the
 * process (ELF symbol interposition), forward to glibc's __libc_* functions,
 * and look up the caller's return address with dladdr. A call whose caller
 * lies in libomnitls (the core and its built-in backends) is a stray: that
 * code should have used the hook. The TLS libraries' own allocations
 * (libmbedcrypto's calloc on Debian's build) have their caller in the TLS
 * library and are outside omnitls's control (docs/embedded.md). The
 * link-level check of the static library (tests/embedded) covers code paths
 * no test runs. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "omnitls/cert.h"

/* ---- the interposed C allocator ---- */

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);

static atomic_int watching;      /* the check is armed */
static atomic_int stray_count;   /* calls from libomnitls */
static atomic_long libc_calls;   /* every call seen, for the sanity check */
static char stray_where[256];    /* the first stray's function */
static _Thread_local int inside; /* dladdr must not recurse into the check */
static void *omnitls_base;       /* libomnitls's load address */

static void check_caller(void *ret, const char *what)
{
    atomic_fetch_add(&libc_calls, 1);
    if (!atomic_load(&watching) || inside)
        return;
    inside = 1;
    Dl_info info;
    if (dladdr(ret, &info) && info.dli_fbase == omnitls_base) {
        if (atomic_fetch_add(&stray_count, 1) == 0)
            snprintf(stray_where, sizeof stray_where, "%s from %s", what,
                     info.dli_sname ? info.dli_sname : "?");
    }
    inside = 0;
}

void *malloc(size_t size)
{
    check_caller(__builtin_return_address(0), "malloc");
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    check_caller(__builtin_return_address(0), "calloc");
    return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size)
{
    check_caller(__builtin_return_address(0), "realloc");
    return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    check_caller(__builtin_return_address(0), "free");
    __libc_free(ptr);
}

char *strdup(const char *s)
{
    check_caller(__builtin_return_address(0), "strdup");
    size_t n = strlen(s) + 1;
    char *copy = __libc_malloc(n);
    return copy ? memcpy(copy, s, n) : NULL;
}

char *strndup(const char *s, size_t max)
{
    check_caller(__builtin_return_address(0), "strndup");
    size_t n = strnlen(s, max);
    char *copy = __libc_malloc(n + 1);
    if (copy) {
        memcpy(copy, s, n);
        copy[n] = '\0';
    }
    return copy;
}

/* ---- the hook: counts calls and bytes ---- */

struct counts {
    atomic_long calls, frees, bytes, live_bytes;
};
static struct counts hook;

#define HEADER 16 /* keeps malloc's alignment */

static void *count_malloc(size_t size, void *user)
{
    struct counts *c = user;
    unsigned char *p = __libc_malloc(size + HEADER);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof size);
    atomic_fetch_add(&c->calls, 1);
    atomic_fetch_add(&c->bytes, (long)size);
    atomic_fetch_add(&c->live_bytes, (long)size);
    return p + HEADER;
}

static void count_free(void *ptr, void *user)
{
    struct counts *c = user;
    unsigned char *p = (unsigned char *)ptr - HEADER;
    size_t size;
    memcpy(&size, p, sizeof size);
    atomic_fetch_add(&c->frees, 1);
    atomic_fetch_sub(&c->live_bytes, (long)size);
    __libc_free(p);
}

static void arm(void)
{
    Dl_info info;
    const char *(*api)(void) = otls_version;
    void *addr; /* ISO C has no function-to-object pointer cast */
    memcpy(&addr, &api, sizeof addr);
    cr_assert(dladdr(addr, &info) && info.dli_fbase, "libomnitls not found with dladdr");
    omnitls_base = info.dli_fbase;
    /* The interposition works: a call from here is seen. */
    long before = atomic_load(&libc_calls);
    void *volatile probe = malloc(1);
    free(probe);
    cr_assert(atomic_load(&libc_calls) == before + 2, "malloc/free not interposed");
    cr_assert(otls_set_allocator(count_malloc, NULL, count_free, &hook) == OTLS_OK);
    atomic_store(&watching, 1);
}

/* Moves len bytes from one end to the other over the non-blocking pair. */
static void move(struct th_pair *p, otls_conn *from, otls_conn *to, size_t len)
{
    static uint8_t out[2048], in[2048];
    memset(out, 0x5a, len);
    size_t put = 0, got = 0;
    otls_status st = OTLS_WANT_WRITE;
    for (int i = 0; i < 1000 && st == OTLS_WANT_WRITE; i++)
        st = otls_write(from, out, len, &put);
    cr_assert(st == OTLS_OK && put == len, "%s: write: %s", p->desc, otls_status_name(st));
    while (got < len) {
        size_t n = 0;
        st = otls_read(to, in + got, len - got, &n);
        if (st == OTLS_WANT_READ)
            continue;
        cr_assert(st == OTLS_OK, "%s: read: %s (%s)", p->desc, otls_status_name(st),
                  otls_conn_error(to));
        got += n;
    }
}

ParameterizedTestParameters(allocator, hook_only)
{
    return th_cells(TH_DIM_VERSION, 0);
}

ParameterizedTest(struct th_cell *cell, allocator, hook_only)
{
    th_require_cell(cell);
    arm();
    struct th_opts o = th_opts_cell(cell);
    o.transport = TH_CALLBACKS; /* one thread: every count below is this test's */
    o.server_verify = OTLS_VERIFY_REQUIRED;
    o.client_cert = 1;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    long handshake_calls = atomic_load(&hook.calls);
    cr_assert(handshake_calls > 0 && atomic_load(&hook.bytes) > 0,
              "%s: nothing went through the hook", p->desc);

    /* Application data both ways on the established pair: no allocation
     * (issue 9), on any backend. */
    move(p, p->client, p->server, 1500);
    move(p, p->server, p->client, 1500);
    cr_assert_eq(atomic_load(&hook.calls), handshake_calls, "%s: read/write allocated %ld times",
                 p->desc, atomic_load(&hook.calls) - handshake_calls);

    /* Every introspection answer. The chains and bindings are read from the
     * backend on their first request and kept (per-connection memory, issue
     * 8), so the first round may allocate; later rounds read what was kept
     * and must not. */
    otls_cipher_info ci;
    const otls_der *certs;
    size_t count, len;
    const uint8_t *der;
    const char *version;
    uint8_t cb[64];
    long before = 0;
    for (int round = 0; round < 2; round++) {
        before = atomic_load(&hook.calls);
        cr_assert(otls_cipher(p->client, &ci) == OTLS_OK);
        cr_assert(otls_protocol(p->client, &version) == OTLS_OK);
        cr_assert(otls_peer_cert_der(p->client, &der, &len) == OTLS_OK);
        cr_assert(otls_unverified_chain(p->server, &certs, &count) == OTLS_OK);
        cr_assert(otls_verified_chain(p->client, &certs, &count) == OTLS_OK);
        len = sizeof cb;
        cr_assert(otls_channel_binding(p->client, "tls-server-end-point", cb, &len) == OTLS_OK);
    }
    cr_assert_eq(atomic_load(&hook.calls), before, "%s: repeated introspection allocated %ld times",
                 p->desc, atomic_load(&hook.calls) - before);
    /* And data again after it: still none. */
    before = atomic_load(&hook.calls);
    move(p, p->client, p->server, 1500);
    move(p, p->server, p->client, 1500);
    cr_assert_eq(atomic_load(&hook.calls), before, "%s: read/write allocated %ld times", p->desc,
                 atomic_load(&hook.calls) - before);
    /* The certificates were read from the backend after data had moved,
     * and may be its own bytes (add_kept): they must still decode, on both
     * ends (under the sanitizers, a freed buffer is a report). */
    otls_conn *ends[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        otls_cert *cert = NULL;
        cr_assert(otls_peer_cert(ends[i], &cert) == OTLS_OK, "%s: peer cert: %s", p->desc,
                  otls_conn_error(ends[i]));
        otls_cert_free(cert);
        cr_assert(otls_verified_chain(ends[i], &certs, &count) == OTLS_OK && count >= 2,
                  "%s: verified chain: %s", p->desc, otls_conn_error(ends[i]));
        for (size_t k = 0; k < count; k++) {
            cr_assert(otls_cert_decode(certs[k].data, certs[k].len, &cert, NULL) == OTLS_OK,
                      "%s: chain entry %zu does not decode", p->desc, k);
            otls_cert_free(cert);
        }
    }

    th_pair_free(p);
    atomic_store(&watching, 0);
    cr_assert_eq(atomic_load(&hook.frees), atomic_load(&hook.calls),
                 "%s: %ld allocations, %ld frees", p->desc, atomic_load(&hook.calls),
                 atomic_load(&hook.frees));
    cr_assert_eq(atomic_load(&hook.live_bytes), 0, "%s: %ld bytes not given back", p->desc,
                 atomic_load(&hook.live_bytes));
    /* Only the mbedTLS backend (the embedded profile's) is held to it:
     * OpenSSL's OPENSSL_malloc tail-calls malloc, so the allocations it makes
     * for the backend show the backend as the caller although they go
     * through the TLS library's allocator (CRYPTO_set_mem_functions), as
     * designed; wolfSSL's backend is a plugin, outside libomnitls. */
    if (strcmp(cell->client_backend, "mbedtls") == 0)
        cr_assert_eq(atomic_load(&stray_count), 0,
                     "%s: %d allocations bypassed the hook; first: %s", cell->client_backend,
                     atomic_load(&stray_count), stray_where);
    cr_log_info("%s: %ld allocations, %ld bytes through the hook; %d C-allocator calls with "
                "a caller in libomnitls",
                cell->client_backend, atomic_load(&hook.calls), atomic_load(&hook.bytes),
                atomic_load(&stray_count));
}

/* The hook is refused while objects live, and for NULL functions. */
Test(allocator, refused)
{
    cr_assert_eq(otls_set_allocator(NULL, NULL, count_free, NULL), OTLS_ERR_INVALID_ARGUMENT);
    otls_error err;
    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_CLIENT, &err);
    cr_assert(ctx, "%s", err.message);
    cr_assert_eq(otls_set_allocator(count_malloc, NULL, count_free, &hook), OTLS_ERR_STATE);
    otls_ctx_free(ctx);
    cr_assert_eq(otls_set_allocator(count_malloc, NULL, count_free, &hook), OTLS_OK);
}
