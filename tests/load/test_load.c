/* Threads: many threads run handshakes and every introspection call on
 * every backend at once, sharing one client and one server context per
 * backend, and get the same answers as one thread does.
 *
 * The threads are started before this process makes any otls_* call, and
 * their first calls (otls_backends, a context on each backend) race: the
 * registry's call_once, the plugin loading and each TLS library's first
 * use happen concurrently. Then the shared contexts are made and every
 * thread runs OTLS_LOAD_ROUNDS handshakes per backend (default 100). After
 * the threads, the main thread runs the same handshakes alone: every
 * thread's answers must equal those.
 *
 * Sizes: OTLS_LOAD_THREADS (default 8), OTLS_LOAD_ROUNDS. scripts/ci/tsan.sh
 * runs this under ThreadSanitizer. No cr_assert outside the main thread. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "load_pair.h"

#define MAX_THREADS 64
#define MAX_BACKENDS 8

struct shared {
    pthread_barrier_t start, ready;
    const struct tpki *pki;
    int rounds;
    size_t backend_count;
    const otls_backend_info *backends;
    otls_ctx *client[MAX_BACKENDS], *server[MAX_BACKENDS];
};

struct worker {
    pthread_t thread;
    struct shared *sh;
    /* What this thread saw of the registry. */
    const otls_backend_info *list;
    size_t count;
    char first_use_err[512];
    /* Results. */
    int done[MAX_BACKENDS], failed[MAX_BACKENDS], differ[MAX_BACKENDS];
    struct lp_facts facts[MAX_BACKENDS];
    char err[512];
};

static int env_int(const char *name, int def, int max)
{
    const char *v = getenv(name);
    int n = v && *v ? atoi(v) : def;
    return n < 1 ? 1 : n > max ? max : n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    pthread_barrier_wait(&sh->start);

    /* First use, in every thread at once. */
    if (otls_backends(&w->list, &w->count) != OTLS_OK)
        snprintf(w->first_use_err, sizeof w->first_use_err, "otls_backends failed");
    for (size_t b = 0; b < w->count && b < MAX_BACKENDS && !w->first_use_err[0]; b++) {
        otls_error e;
        otls_ctx *ctx = otls_ctx_new(w->list[b].name, b % 2 ? OTLS_SERVER : OTLS_CLIENT, &e);
        if (ctx == NULL)
            snprintf(w->first_use_err, sizeof w->first_use_err, "otls_ctx_new(%s): %s",
                     w->list[b].name, e.message);
        otls_ctx_free(ctx);
    }
    pthread_barrier_wait(&sh->ready); /* the main thread makes the shared contexts */
    pthread_barrier_wait(&sh->ready);

    for (int r = 0; r < sh->rounds; r++) {
        for (size_t b = 0; b < sh->backend_count; b++) {
            if (sh->client[b] == NULL)
                continue;
            struct lp_facts f;
            char err[256];
            if (lp_connect(sh->client[b], sh->server[b], &f, err, sizeof err) != 0) {
                if (w->failed[b]++ == 0 && !w->err[0])
                    snprintf(w->err, sizeof w->err, "%s: %s", sh->backends[b].name, err);
                continue;
            }
            if (w->done[b]++ == 0)
                w->facts[b] = f;
            else if (!lp_facts_equal(&f, &w->facts[b]))
                w->differ[b]++;
        }
    }
    return NULL;
}

Test(load, threads, .timeout = 900)
{
    int nthreads = env_int("OTLS_LOAD_THREADS", 8, MAX_THREADS);
    struct shared sh;
    memset(&sh, 0, sizeof sh);
    sh.rounds = env_int("OTLS_LOAD_ROUNDS", 100, 100000);
    sh.pki = th_pki(TPKI_EC); /* the test PKI: OpenSSL's libcrypto, no otls_* call */
    pthread_barrier_init(&sh.start, NULL, (unsigned)nthreads + 1);
    pthread_barrier_init(&sh.ready, NULL, (unsigned)nthreads + 1);

    static struct worker workers[MAX_THREADS];
    memset(workers, 0, sizeof workers);
    for (int i = 0; i < nthreads; i++) {
        workers[i].sh = &sh;
        cr_assert(pthread_create(&workers[i].thread, NULL, work, &workers[i]) == 0);
    }
    pthread_barrier_wait(&sh.start);
    pthread_barrier_wait(&sh.ready);
    /* Every thread is past its first use. */
    cr_assert(otls_backends(&sh.backends, &sh.backend_count) == OTLS_OK);
    cr_assert(sh.backend_count > 0 && sh.backend_count <= MAX_BACKENDS);
    char err[256] = "";
    for (size_t b = 0; b < sh.backend_count && !err[0]; b++)
        lp_contexts(sh.backends[b].name, sh.pki, &sh.client[b], &sh.server[b], err, sizeof err);
    double t0 = now();
    pthread_barrier_wait(&sh.ready);
    for (int i = 0; i < nthreads; i++)
        pthread_join(workers[i].thread, NULL);
    double elapsed = now() - t0;
    cr_assert(!err[0], "%s", err);

    /* The same handshakes in this thread alone: the reference answers. */
    struct lp_facts ref[MAX_BACKENDS];
    for (size_t b = 0; b < sh.backend_count; b++) {
        for (int r = 0; r < 3; r++) {
            struct lp_facts f;
            cr_assert(lp_connect(sh.client[b], sh.server[b], &f, err, sizeof err) == 0,
                      "%s, one thread: %s", sh.backends[b].name, err);
            if (r == 0)
                ref[b] = f;
            cr_assert(lp_facts_equal(&f, &ref[b]), "%s: one thread, two answers",
                      sh.backends[b].name);
        }
        for (int i = 0; i < LP_BINDINGS; i++)
            cr_assert(ref[b].binding_agree[i], "%s: %s differs between client and server",
                      sh.backends[b].name, lp_binding_names[i]);
    }

    size_t total = 0;
    for (int i = 0; i < nthreads; i++) {
        struct worker *w = &workers[i];
        cr_assert(!w->first_use_err[0], "thread %d: first use: %s", i, w->first_use_err);
        cr_assert(w->list == sh.backends && w->count == sh.backend_count,
                  "thread %d saw another backend list (%zu backends)", i, w->count);
        for (size_t b = 0; b < sh.backend_count; b++) {
            const char *name = sh.backends[b].name;
            cr_assert(w->failed[b] == 0, "thread %d, %s: %d of %d handshakes failed; first: %s", i,
                      name, w->failed[b], sh.rounds, w->err);
            cr_assert(w->differ[b] == 0, "thread %d, %s: %d answers differ from its first", i, name,
                      w->differ[b]);
            char a[512], r[512];
            lp_facts_desc(&w->facts[b], a, sizeof a);
            lp_facts_desc(&ref[b], r, sizeof r);
            cr_assert(lp_facts_equal(&w->facts[b], &ref[b]),
                      "thread %d, %s: threaded answers differ from one thread's:\n  %s\n  %s", i,
                      name, a, r);
            total += (size_t)w->done[b];
        }
    }
    for (size_t b = 0; b < sh.backend_count; b++) {
        char r[512];
        lp_facts_desc(&ref[b], r, sizeof r);
        fprintf(stderr, "[load] %s: %s\n", sh.backends[b].name, r);
        otls_ctx_free(sh.client[b]);
        otls_ctx_free(sh.server[b]);
    }
    fprintf(stderr,
            "[load] %d threads x %d handshakes x %zu backends = %zu handshakes in %.2f s "
            "(%.0f/s), every answer identical to one thread's\n",
            nthreads, sh.rounds, sh.backend_count, total, elapsed, (double)total / elapsed);
    pthread_barrier_destroy(&sh.start);
    pthread_barrier_destroy(&sh.ready);
}
