/* load.threads: many threads run handshakes and every introspection call
 * on every backend at once, sharing one client and one server context per
 * backend, with the backends first used concurrently, and get the same
 * answers as one thread does (load_run.h). Sizes: OTLS_LOAD_THREADS
 * (default 8), OTLS_LOAD_ROUNDS (connections per backend per thread,
 * default 100). */
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "load_run.h"

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : def;
}

Test(load, threads, .timeout = 900)
{
    /* The PKI comes from OpenSSL's libcrypto directly: still no otls_* call
     * in this process before the threads start. */
    const struct tpki *pki = th_pki(TPKI_EC);
    struct load_report rep;
    char err[1024] = "";
    int rc = load_run(env_int("OTLS_LOAD_THREADS", 8), env_int("OTLS_LOAD_ROUNDS", 100), pki, &rep,
                      err, sizeof err);
    cr_assert(rc == 0, "%s", err);
    for (size_t b = 0; b < rep.backends; b++)
        fprintf(stderr, "[load] %s: %s\n", rep.name[b], rep.facts[b]);
    fprintf(stderr,
            "[load] %d threads x %d handshakes x %zu backends = %zu handshakes in %.2f s "
            "(%.0f/s), every answer identical to one thread's\n",
            rep.threads, rep.rounds, rep.backends, rep.handshakes, rep.seconds,
            (double)rep.handshakes / rep.seconds);
}
