/* A throw-away test PKI, made in memory at run time: root CA -> intermediate
 * CA -> server leaf and client leaf. Used by the CLI's demo and by the tests,
 * so that no private key is ever committed. Not part of the library. */
#ifndef OTLS_TESTPKI_H
#define OTLS_TESTPKI_H

#include <stddef.h>
#include <stdint.h>

enum tpki_key_type { TPKI_EC = 0, TPKI_RSA = 1 };

struct tpki_blob {
    uint8_t *data; /* malloc'd; PEM blobs are also NUL-terminated */
    size_t len;    /* without the terminating NUL */
};

struct tpki {
    /* DER of each certificate. */
    struct tpki_blob root_der, inter_der, server_der, client_der;
    /* PEM: the root alone (a CA file); the server's and client's chains
     * (leaf then intermediate); their private keys (PKCS#8). */
    struct tpki_blob root_pem, server_chain_pem, server_key_pem;
    struct tpki_blob client_chain_pem, client_key_pem;
};

/* Makes a fresh PKI with keys of the given type (EC: P-256; RSA: 2048
 * bits). The server leaf names DNS:localhost and IP:127.0.0.1 and has
 * serverAuth; the client leaf has CN "omnitls test client" and clientAuth.
 * Validity: from one day ago to 30 days ahead. Returns 0, or -1 with a
 * reason in err. */
int tpki_generate(struct tpki *out, enum tpki_key_type type, char *err, size_t err_len);

/* Writes the PEM blobs into dir as root.pem, server-chain.pem,
 * server-key.pem, client-chain.pem, client-key.pem (dir must exist).
 * Returns 0 or -1. */
int tpki_write_dir(const struct tpki *pki, const char *dir);

/* Frees every blob; *pki is zeroed. NULL is a no-op. */
void tpki_free(struct tpki *pki);

#endif
