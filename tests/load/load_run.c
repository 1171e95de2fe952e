/* The threaded load run: see load_run.h. */
#define _POSIX_C_SOURCE 200809L

#include "load_run.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "load_pair.h"

#define MAX_THREADS 64
#define MAX_BACKENDS LOAD_MAX_BACKENDS

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

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, err_len, __VA_ARGS__);                                                       \
        rc = -1;                                                                                   \
        goto out;                                                                                  \
    } while (0)

int load_run(int nthreads, int rounds, const struct tpki *pki, struct load_report *rep, char *err,
             size_t err_len)
{
    int rc = 0;
    struct shared sh;
    memset(&sh, 0, sizeof sh);
    memset(rep, 0, sizeof *rep);
    if (nthreads < 1 || nthreads > MAX_THREADS || rounds < 1) {
        snprintf(err, err_len, "threads must be 1..%d and rounds at least 1", MAX_THREADS);
        return -1;
    }
    sh.rounds = rounds;
    sh.pki = pki;
    pthread_barrier_init(&sh.start, NULL, (unsigned)nthreads + 1);
    pthread_barrier_init(&sh.ready, NULL, (unsigned)nthreads + 1);

    struct worker *workers = calloc((size_t)nthreads, sizeof *workers);
    if (workers == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    int started = 0;
    for (; started < nthreads; started++) {
        workers[started].sh = &sh;
        if (pthread_create(&workers[started].thread, NULL, work, &workers[started]) != 0)
            break;
    }
    if (started < nthreads) {
        /* Cannot happen on a sane system; the barriers need every thread. */
        snprintf(err, err_len, "pthread_create failed after %d threads", started);
        abort();
    }
    pthread_barrier_wait(&sh.start);
    pthread_barrier_wait(&sh.ready);
    /* Every thread is past its first use: make the shared contexts. */
    char cerr[256] = "";
    if (otls_backends(&sh.backends, &sh.backend_count) != OTLS_OK || sh.backend_count == 0 ||
        sh.backend_count > MAX_BACKENDS)
        snprintf(cerr, sizeof cerr, "otls_backends: no usable list");
    for (size_t b = 0; b < sh.backend_count && !cerr[0]; b++)
        lp_contexts(sh.backends[b].name, pki, &sh.client[b], &sh.server[b], cerr, sizeof cerr);
    double t0 = now();
    pthread_barrier_wait(&sh.ready);
    for (int i = 0; i < nthreads; i++)
        pthread_join(workers[i].thread, NULL);
    rep->seconds = now() - t0;
    if (cerr[0])
        FAIL("%s", cerr);

    /* The same handshakes in this thread alone: the reference answers. */
    struct lp_facts ref[MAX_BACKENDS];
    for (size_t b = 0; b < sh.backend_count; b++) {
        for (int r = 0; r < 3; r++) {
            struct lp_facts f;
            char e[256];
            if (lp_connect(sh.client[b], sh.server[b], &f, e, sizeof e) != 0)
                FAIL("%s, one thread: %s", sh.backends[b].name, e);
            if (r == 0)
                ref[b] = f;
            else if (!lp_facts_equal(&f, &ref[b]))
                FAIL("%s: one thread, two answers", sh.backends[b].name);
        }
        for (int i = 0; i < LP_BINDINGS; i++)
            if (!ref[b].binding_agree[i])
                FAIL("%s: %s differs between client and server", sh.backends[b].name,
                     lp_binding_names[i]);
    }

    for (int i = 0; i < nthreads; i++) {
        struct worker *w = &workers[i];
        if (w->first_use_err[0])
            FAIL("thread %d: first use: %s", i, w->first_use_err);
        if (w->list != sh.backends || w->count != sh.backend_count)
            FAIL("thread %d saw another backend list (%zu backends)", i, w->count);
        for (size_t b = 0; b < sh.backend_count; b++) {
            const char *name = sh.backends[b].name;
            if (w->failed[b])
                FAIL("thread %d, %s: %d of %d handshakes failed; first: %s", i, name, w->failed[b],
                     sh.rounds, w->err);
            if (w->differ[b])
                FAIL("thread %d, %s: %d answers differ from its first", i, name, w->differ[b]);
            if (!lp_facts_equal(&w->facts[b], &ref[b])) {
                char a[512], r[512];
                lp_facts_desc(&w->facts[b], a, sizeof a);
                lp_facts_desc(&ref[b], r, sizeof r);
                FAIL("thread %d, %s: threaded answers differ from one thread's:\n  %s\n  %s", i,
                     name, a, r);
            }
            rep->handshakes += (size_t)w->done[b];
        }
    }
    rep->threads = nthreads;
    rep->rounds = rounds;
    rep->backends = sh.backend_count;
    for (size_t b = 0; b < sh.backend_count && b < LOAD_MAX_BACKENDS; b++) {
        snprintf(rep->name[b], sizeof rep->name[b], "%s", sh.backends[b].name);
        lp_facts_desc(&ref[b], rep->facts[b], sizeof rep->facts[b]);
    }
out:
    for (size_t b = 0; b < MAX_BACKENDS; b++) {
        otls_ctx_free(sh.client[b]);
        otls_ctx_free(sh.server[b]);
    }
    free(workers);
    pthread_barrier_destroy(&sh.start);
    pthread_barrier_destroy(&sh.ready);
    return rc;
}
