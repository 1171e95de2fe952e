/* A throw-away test PKI, made in memory at run time: root CA -> intermediate
 * CA -> server leaf and client leaf. Used by the CLI's demo and by the tests,
 * so that no private key is ever committed. Not part of the library. */
#ifndef OTLS_TESTPKI_H
#define OTLS_TESTPKI_H

#include <stddef.h>
#include <stdint.h>

/* TPKI_ED25519: every certificate has an Ed25519 key (signed without a
 * digest); not a dimension of the test matrix, for the tests that need it. */
enum tpki_key_type { TPKI_EC = 0, TPKI_RSA = 1, TPKI_ED25519 = 2 };

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

/* Variations on that PKI, for tests of verification failures. Start from
 * tpki_opts_default(type) and change what the test needs. Each call makes
 * fresh keys, so two PKIs never trust each other: a second call (with
 * another ca_label, so the names differ too) is "an unrelated CA". */
struct tpki_opts {
    enum tpki_key_type key;
    /* Validity of both leaves, in seconds from now (default: -1 day, +30
     * days). Negative not_after: expired; positive not_before: not yet
     * valid. The CAs stay valid. */
    long leaf_not_before, leaf_not_after;
    /* The server leaf signs itself (issuer = subject, no CA above it);
     * server_chain_pem then holds the leaf alone. */
    int self_signed_server;
    /* The server leaf's subjectAltName in OpenSSL config syntax; NULL for
     * "DNS:localhost,IP:127.0.0.1". */
    const char *server_san;
    /* Prefix of the CA names ("<label> root", "<label> intermediate");
     * NULL for "omnitls test". */
    const char *ca_label;
};

/* The options tpki_generate(out, type, ...) uses. */
struct tpki_opts tpki_opts_default(enum tpki_key_type type);

/* tpki_generate with variations. Returns 0, or -1 with a reason in err. */
int tpki_generate_opts(struct tpki *out, const struct tpki_opts *opts, char *err, size_t err_len);

/* Writes the PEM blobs into dir as root.pem, server-chain.pem,
 * server-key.pem, client-chain.pem, client-key.pem (dir must exist).
 * Returns 0 or -1. */
int tpki_write_dir(const struct tpki *pki, const char *dir);

/* Frees every blob; *pki is zeroed. NULL is a no-op. */
void tpki_free(struct tpki *pki);

#endif
