/* Writes a fresh P-256 test PKI (tools/testpki) into a directory for the
 * benchmark programs: root.pem, server-chain.pem, server-key.pem, ... and
 * server.der (the leaf, for the decoding comparison). */
#include <stdio.h>

#include "testpki.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_pki DIR (an existing directory)\n");
        return 2;
    }
    struct tpki pki;
    char err[256];
    if (tpki_generate(&pki, TPKI_EC, err, sizeof err) != 0) {
        fprintf(stderr, "bench_pki: %s\n", err);
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/server.der", argv[1]);
    FILE *f = NULL;
    int rc = tpki_write_dir(&pki, argv[1]) == 0 && (f = fopen(path, "wb")) != NULL &&
                     fwrite(pki.server_der.data, 1, pki.server_der.len, f) == pki.server_der.len
                 ? 0
                 : 1;
    if (f != NULL && fclose(f) != 0)
        rc = 1;
    if (rc != 0)
        fprintf(stderr, "bench_pki: could not write into %s\n", argv[1]);
    tpki_free(&pki);
    return rc;
}
