/* Soak: many sequential connections per backend (handshake, every
 * introspection call, data, close_notify) between one client and one
 * server context, watching the process's resident memory.
 *
 *   otls_soak [HANDSHAKES [WARMUP [BOUND_KIB]]]
 *
 * Per backend it prints RSS at the start (contexts made), after WARMUP
 * handshakes and at the end, and fails when RSS grew by more than
 * BOUND_KIB after the warm-up (defaults: 10000, 1000, 1024 KiB). A leak
 * of 128 bytes per connection over 9,000 connections would pass 1 MiB.
 * Under AddressSanitizer RSS says nothing (its quarantine holds freed
 * memory), so the bound is not applied there; LeakSanitizer checks at
 * exit instead. Exit: 0 when every backend passed, 1 otherwise. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <omnitls/omnitls.h>

#include "load_pair.h"

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_ASAN 1
#endif
#endif
#ifndef SOAK_ASAN
#define SOAK_ASAN 0
#endif

static long rss_kib(void)
{
    long pages_total = 0, pages_rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return -1;
    int n = fscanf(f, "%ld %ld", &pages_total, &pages_rss);
    fclose(f);
    return n == 2 ? pages_rss * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long arg(int argc, char **argv, int i, long def)
{
    return argc > i ? strtol(argv[i], NULL, 10) : def;
}

int main(int argc, char **argv)
{
    long total = arg(argc, argv, 1, 10000);
    long warmup = arg(argc, argv, 2, 1000);
    long bound = arg(argc, argv, 3, 1024);
    if (total < 1 || warmup < 1 || warmup >= total || bound < 0) {
        fprintf(stderr, "usage: %s [HANDSHAKES [WARMUP [BOUND_KIB]]] (WARMUP < HANDSHAKES)\n",
                argv[0]);
        return 2;
    }
    struct tpki pki;
    char err[512];
    if (tpki_generate(&pki, TPKI_EC, err, sizeof err) != 0) {
        fprintf(stderr, "soak: test PKI: %s\n", err);
        return 1;
    }
    const otls_backend_info *list;
    size_t count;
    otls_backends(&list, &count);
    int failed = 0;
    for (size_t b = 0; b < count; b++) {
        const char *name = list[b].name;
        otls_ctx *client, *server;
        if (lp_contexts(name, &pki, &client, &server, err, sizeof err) != 0) {
            fprintf(stderr, "soak: %s\n", err);
            failed = 1;
            continue;
        }
        long start = rss_kib(), warm = 0;
        struct lp_facts first, f;
        double t0 = now();
        long i;
        for (i = 0; i < total; i++) {
            if (lp_connect(client, server, &f, err, sizeof err) != 0) {
                fprintf(stderr, "soak: %s: handshake %ld: %s\n", name, i + 1, err);
                break;
            }
            if (i == 0)
                first = f;
            else if (!lp_facts_equal(&f, &first)) {
                fprintf(stderr, "soak: %s: handshake %ld answered differently\n", name, i + 1);
                break;
            }
            if (i + 1 == warmup)
                warm = rss_kib();
        }
        double secs = now() - t0;
        long end = rss_kib();
        otls_ctx_free(client);
        otls_ctx_free(server);
        int ok = i == total && (SOAK_ASAN || end - warm <= bound);
        printf("soak %s: %ld handshakes in %.1f s (%.0f/s); RSS start %ld KiB, after %ld %ld KiB, "
               "end %ld KiB: %+ld KiB after warm-up (bound %ld KiB%s): %s\n",
               name, i, secs, (double)i / secs, start, warmup, warm, end, end - warm, bound,
               SOAK_ASAN ? ", not applied under ASan" : "", ok ? "ok" : "FAILED");
        fflush(stdout);
        failed |= !ok;
    }
    tpki_free(&pki);
    return failed;
}
