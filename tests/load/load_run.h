/* The threaded load run behind load.threads (test_load.c) and otls_load
 * (load_main.c, the ThreadSanitizer build's driver: Criterion's runner
 * switches stacks in a way ThreadSanitizer cannot follow).
 *
 * Threads are started before the process's first otls_* call and make
 * their first calls (otls_backends, a context on each backend) at once:
 * the registry's call_once, the plugin loading and each TLS library's
 * first use race. Then one client and one server context per backend are
 * made and shared, and every thread runs `rounds` connections per backend
 * (handshake, every introspection call, data, close_notify). Finally the
 * calling thread runs the same connections alone: every thread's answers
 * must equal those. No Criterion call, so it runs anywhere. */
#ifndef OTLS_TESTS_LOAD_RUN_H
#define OTLS_TESTS_LOAD_RUN_H

#include <stddef.h>

#include "testpki.h"

#define LOAD_MAX_BACKENDS 8

struct load_report {
    int threads, rounds;
    size_t backends, handshakes;
    double seconds; /* the threaded part */
    char name[LOAD_MAX_BACKENDS][32];
    char facts[LOAD_MAX_BACKENDS][512]; /* the answers, described */
};

/* Returns 0 when every connection succeeded with the same answers as one
 * thread's, else -1 with the first difference or failure in err. */
int load_run(int nthreads, int rounds, const struct tpki *pki, struct load_report *rep, char *err,
             size_t err_len);

#endif
