/* otls_load: the threaded load run (load_run.h) as a plain program, for
 * the ThreadSanitizer build (scripts/ci/tsan.sh), where Criterion's runner
 * cannot run.
 *   otls_load [THREADS [ROUNDS]]     (defaults 8 and 100)
 * Exit 0 when every answer matched one thread's, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>

#include "load_run.h"

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    int rounds = argc > 2 ? atoi(argv[2]) : 100;
    struct tpki pki;
    char err[1024];
    if (tpki_generate(&pki, TPKI_EC, err, sizeof err) != 0) {
        fprintf(stderr, "otls_load: test PKI: %s\n", err);
        return 1;
    }
    struct load_report rep;
    int rc = load_run(threads, rounds, &pki, &rep, err, sizeof err);
    tpki_free(&pki);
    if (rc != 0) {
        fprintf(stderr, "otls_load: FAILED: %s\n", err);
        return 1;
    }
    for (size_t b = 0; b < rep.backends; b++)
        printf("[load] %s: %s\n", rep.name[b], rep.facts[b]);
    printf("[load] %d threads x %d handshakes x %zu backends = %zu handshakes in %.2f s "
           "(%.0f/s), every answer identical to one thread's\n",
           rep.threads, rep.rounds, rep.backends, rep.handshakes, rep.seconds,
           (double)rep.handshakes / rep.seconds);
    return 0;
}
