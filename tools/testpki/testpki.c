/* A throw-away test PKI made with OpenSSL 3 libcrypto: see testpki.h. No
 * global state: every object lives on the caller's stack or in *out. */
#define _POSIX_C_SOURCE 200809L /* open(), for private keys made 0600 */

#include "testpki.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

enum role { ROOT, INTER, SERVER, CLIENT, N_ROLES };

struct ext {
    int nid;
    const char *value;
};

/* What each certificate says. The keyUsage slot (value NULL) takes
 * key_usage, plus keyEncipherment for a leaf with an RSA key (TLS 1.2 RSA key
 * exchange). */
struct spec {
    const char *cn;
    enum role issuer;
    const char *key_usage;
    int rsa_key_encipherment;
    struct ext ext[7]; /* unused slots have nid 0; SKI before AKI (AKI reads it) */
};

static const struct spec specs[N_ROLES] = {
    [ROOT] = {NULL, /* CA names come from tpki_opts.ca_label */
              ROOT,
              "critical,keyCertSign,cRLSign",
              0,
              {{NID_basic_constraints, "critical,CA:TRUE"},
               {NID_key_usage, NULL},
               {NID_subject_key_identifier, "hash"}}},
    [INTER] = {NULL,
               ROOT,
               "critical,keyCertSign,cRLSign",
               0,
               {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                {NID_key_usage, NULL},
                {NID_subject_key_identifier, "hash"},
                {NID_authority_key_identifier, "keyid:always"}}},
    [SERVER] = {"localhost",
                INTER,
                "critical,digitalSignature",
                1,
                {{NID_basic_constraints, "critical,CA:FALSE"},
                 {NID_key_usage, NULL},
                 {NID_ext_key_usage, "serverAuth"},
                 {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                 {NID_subject_key_identifier, "hash"},
                 {NID_authority_key_identifier, "keyid:always"}}},
    [CLIENT] = {"omnitls test client",
                INTER,
                "critical,digitalSignature",
                0,
                {{NID_basic_constraints, "critical,CA:FALSE"},
                 {NID_key_usage, NULL},
                 {NID_ext_key_usage, "clientAuth"},
                 {NID_subject_key_identifier, "hash"},
                 {NID_authority_key_identifier, "keyid:always"}}},
};

/* Writes "what: <latest OpenSSL error>" into err, empties this thread's
 * OpenSSL error queue, and returns -1. */
static int fail(char *err, size_t err_len, const char *what)
{
    char ossl[256] = "no OpenSSL error";
    unsigned long e = ERR_peek_last_error();
    if (e != 0)
        ERR_error_string_n(e, ossl, sizeof ossl);
    if (err != NULL && err_len > 0)
        snprintf(err, err_len, "%s: %s", what, ossl);
    ERR_clear_error();
    return -1;
}

static EVP_PKEY *make_key(enum tpki_key_type type)
{
    if (type == TPKI_RSA)
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (type == TPKI_ED25519)
        return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A random positive serial of exactly 16 bytes: 127 bits with the top one
 * set, so the DER INTEGER needs no leading zero byte. */
static int set_serial(X509 *cert)
{
    BIGNUM *bn = BN_new();
    int ok = bn != NULL && BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
             BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok;
}

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    int ok = ext != NULL && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static int add_extensions(X509 *cert, X509 *issuer, enum role r, const struct tpki_opts *o)
{
    const struct spec *s = &specs[r];
    char ku[64];
    X509V3_CTX ctx;

    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    snprintf(ku, sizeof ku, "%s%s", s->key_usage,
             s->rsa_key_encipherment && o->key == TPKI_RSA ? ",keyEncipherment" : "");
    for (size_t i = 0; i < sizeof s->ext / sizeof s->ext[0] && s->ext[i].nid != 0; i++) {
        const char *value = s->ext[i].value ? s->ext[i].value : ku;
        if (r == SERVER && s->ext[i].nid == NID_subject_alt_name && o->server_san != NULL)
            value = o->server_san;
        if (!add_ext(cert, &ctx, s->ext[i].nid, value))
            return 0;
    }
    return 1;
}

/* Certificate r for key, signed by issuer_key; issuer is NULL for a
 * self-signed certificate. Returns NULL on error, with the reason in
 * OpenSSL's queue. */
static X509 *make_cert(enum role r, const struct tpki_opts *o, EVP_PKEY *key, X509 *issuer,
                       EVP_PKEY *issuer_key)
{
    X509 *cert = X509_new();
    X509_NAME *name = cert ? X509_get_subject_name(cert) : NULL;
    const long day = 24L * 60 * 60;
    int leaf = r == SERVER || r == CLIENT;
    long not_before = leaf ? o->leaf_not_before : -day;
    long not_after = leaf ? o->leaf_not_after : 30 * day;
    char cn[128];

    if (r == ROOT || r == INTER)
        snprintf(cn, sizeof cn, "%s %s", o->ca_label ? o->ca_label : "omnitls test",
                 r == ROOT ? "root" : "intermediate");
    else
        snprintf(cn, sizeof cn, "%s", specs[r].cn);
    if (cert == NULL || !X509_set_version(cert, X509_VERSION_3) || !set_serial(cert) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert), not_before) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert), not_after) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0) ||
        !X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name) ||
        !X509_set_pubkey(cert, key) || !add_extensions(cert, issuer ? issuer : cert, r, o) ||
        X509_sign(cert, issuer_key,
                  EVP_PKEY_get_id(issuer_key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256()) <= 0) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Moves the contents of a memory BIO into a malloc'd, NUL-terminated blob. */
static int bio_to_blob(BIO *bio, struct tpki_blob *out)
{
    char *data;
    long len = BIO_get_mem_data(bio, &data);
    if (len <= 0 || (out->data = malloc((size_t)len + 1)) == NULL)
        return 0;
    memcpy(out->data, data, (size_t)len);
    out->data[len] = '\0';
    out->len = (size_t)len;
    return 1;
}

/* PEM of up to two certificates (in order) or of one private key (PKCS#8). */
static int pem_blob(struct tpki_blob *out, X509 *first, X509 *second, EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int ok = bio != NULL && (first == NULL || PEM_write_bio_X509(bio, first)) &&
             (second == NULL || PEM_write_bio_X509(bio, second)) &&
             (key == NULL || PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) &&
             bio_to_blob(bio, out);
    BIO_free(bio);
    return ok;
}

static int der_blob(struct tpki_blob *out, X509 *cert)
{
    int len = i2d_X509(cert, NULL);
    unsigned char *p;
    if (len <= 0 || (out->data = malloc((size_t)len)) == NULL)
        return 0;
    p = out->data;
    if (i2d_X509(cert, &p) != len) {
        free(out->data);
        out->data = NULL;
        return 0;
    }
    out->len = (size_t)len;
    return 1;
}

static int make_blobs(struct tpki *out, X509 *const cert[N_ROLES], EVP_PKEY *const key[N_ROLES],
                      int self_signed_server)
{
    return der_blob(&out->root_der, cert[ROOT]) && der_blob(&out->inter_der, cert[INTER]) &&
           der_blob(&out->server_der, cert[SERVER]) && der_blob(&out->client_der, cert[CLIENT]) &&
           pem_blob(&out->root_pem, cert[ROOT], NULL, NULL) &&
           pem_blob(&out->server_chain_pem, cert[SERVER], self_signed_server ? NULL : cert[INTER],
                    NULL) &&
           pem_blob(&out->server_key_pem, NULL, NULL, key[SERVER]) &&
           pem_blob(&out->client_chain_pem, cert[CLIENT], cert[INTER], NULL) &&
           pem_blob(&out->client_key_pem, NULL, NULL, key[CLIENT]);
}

struct tpki_opts tpki_opts_default(enum tpki_key_type type)
{
    const long day = 24L * 60 * 60;
    struct tpki_opts o;
    memset(&o, 0, sizeof o);
    o.key = type;
    o.leaf_not_before = -day;
    o.leaf_not_after = 30 * day;
    return o;
}

int tpki_generate(struct tpki *out, enum tpki_key_type type, char *err, size_t err_len)
{
    struct tpki_opts o = tpki_opts_default(type);
    return tpki_generate_opts(out, &o, err, err_len);
}

int tpki_generate_opts(struct tpki *out, const struct tpki_opts *opts, char *err, size_t err_len)
{
    static const char *const role_names[N_ROLES] = {"root", "intermediate", "server", "client"};
    EVP_PKEY *key[N_ROLES] = {NULL};
    X509 *cert[N_ROLES] = {NULL};
    char what[64];
    int rc = -1;

    /* Zeroed first, so that *out is always safe to tpki_free(). */
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (out == NULL || opts == NULL ||
        (opts->key != TPKI_EC && opts->key != TPKI_RSA && opts->key != TPKI_ED25519)) {
        if (err != NULL && err_len > 0)
            snprintf(err, err_len, "tpki_generate: bad argument");
        return -1;
    }

    /* Roles in order, so that each issuer exists before what it signs. */
    for (int r = ROOT; r < N_ROLES; r++) {
        enum role issuer = specs[r].issuer;
        int self = r == ROOT || (r == SERVER && opts->self_signed_server);
        if ((key[r] = make_key(opts->key)) == NULL) {
            snprintf(what, sizeof what, "%s %s key", role_names[r],
                     opts->key == TPKI_RSA       ? "RSA-2048"
                     : opts->key == TPKI_ED25519 ? "Ed25519"
                                                 : "P-256");
            fail(err, err_len, what);
            goto done;
        }
        cert[r] = make_cert((enum role)r, opts, key[r], self ? NULL : cert[issuer],
                            self ? key[r] : key[issuer]);
        if (cert[r] == NULL) {
            snprintf(what, sizeof what, "%s certificate", role_names[r]);
            fail(err, err_len, what);
            goto done;
        }
    }
    if (!make_blobs(out, cert, key, opts->self_signed_server)) {
        fail(err, err_len, "encoding DER/PEM (or out of memory)");
        tpki_free(out);
        goto done;
    }
    rc = 0;

done:
    for (int r = 0; r < N_ROLES; r++) {
        X509_free(cert[r]);
        EVP_PKEY_free(key[r]);
    }
    return rc;
}

/* Writes blob to dir/name, readable by its owner only when private. */
static int write_file(const char *dir, const char *name, const struct tpki_blob *blob,
                      int private_key)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path || blob->data == NULL)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, private_key ? 0600 : 0644);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "wb");
    if (f == NULL) {
        close(fd);
        return -1;
    }
    int ok = fwrite(blob->data, 1, blob->len, f) == blob->len;
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : -1;
}

int tpki_write_dir(const struct tpki *pki, const char *dir)
{
    if (pki == NULL || dir == NULL)
        return -1;
    if (write_file(dir, "root.pem", &pki->root_pem, 0) != 0 ||
        write_file(dir, "server-chain.pem", &pki->server_chain_pem, 0) != 0 ||
        write_file(dir, "server-key.pem", &pki->server_key_pem, 1) != 0 ||
        write_file(dir, "client-chain.pem", &pki->client_chain_pem, 0) != 0 ||
        write_file(dir, "client-key.pem", &pki->client_key_pem, 1) != 0)
        return -1;
    return 0;
}

void tpki_free(struct tpki *pki)
{
    if (pki == NULL)
        return;
    struct tpki_blob *all[] = {
        &pki->root_der,       &pki->inter_der,        &pki->server_der,
        &pki->client_der,     &pki->root_pem,         &pki->server_chain_pem,
        &pki->server_key_pem, &pki->client_chain_pem, &pki->client_key_pem,
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        /* Keys are throw-away, but wiping them costs nothing. */
        if (all[i] == &pki->server_key_pem || all[i] == &pki->client_key_pem)
            if (all[i]->data != NULL)
                OPENSSL_cleanse(all[i]->data, all[i]->len);
        free(all[i]->data);
    }
    memset(pki, 0, sizeof *pki);
}
