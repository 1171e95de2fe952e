/* Certificates of a context: trust anchors and this side's own chain. */
#include <limits.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "openssl_backend.h"

static X509 *parse_cert(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    if (der == NULL || len == 0 || len > LONG_MAX)
        return NULL;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x != NULL && p != der + len) {
        /* Trailing bytes: not one certificate. */
        X509_free(x);
        x = NULL;
    }
    return x;
}

otls_status oti_openssl_ctx_add_ca(void *ctx, const uint8_t *der, size_t len, otls_error *e)
{
    struct oti_openssl_ctx *c = ctx;
    if (c->ssl_ctx == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    ERR_clear_error();
    X509 *x = parse_cert(der, len);
    if (x == NULL)
        return oti_openssl_queue_error(e, OTLS_ERR_PARSE, "malformed certificate");
    /* Fills the certificate's extension cache now, on one thread: OpenSSL
     * fills it on first use and two handshakes that verify against it at
     * once can both fill it, one rewriting what the other reads (seen by
     * ThreadSanitizer in tests/load; openssl/openssl#32609). */
    (void)X509_check_purpose(x, -1, 0);
    X509_STORE *store = SSL_CTX_get_cert_store(c->ssl_ctx);
    int ok = X509_STORE_add_cert(store, x);
    X509_free(x); /* the store holds its own reference */
    if (!ok) {
        /* A duplicate is fine (older releases report it as an error). */
        unsigned long err = ERR_peek_last_error();
        if (ERR_GET_LIB(err) == ERR_LIB_X509 &&
            ERR_GET_REASON(err) == X509_R_CERT_ALREADY_IN_HASH_TABLE) {
            ERR_clear_error();
            return OTLS_OK;
        }
        return oti_openssl_queue_error(e, OTLS_ERR_NO_MEMORY, "could not add the certificate");
    }
    ERR_clear_error();
    return OTLS_OK;
}

void oti_openssl_own_chain_clear(struct oti_openssl_ctx *c)
{
    X509_free(c->leaf);
    EVP_PKEY_free(c->key);
    sk_X509_pop_free(c->chain, X509_free);
    c->leaf = NULL;
    c->key = NULL;
    c->chain = NULL;
}

otls_status oti_openssl_ctx_set_own_chain(void *ctx, const otls_der *chain, size_t count,
                                          const uint8_t *key, size_t key_len, otls_error *e)
{
    struct oti_openssl_ctx *c = ctx;
    if (c->ssl_ctx == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    if (chain == NULL || count == 0 || key == NULL || key_len == 0 || key_len > LONG_MAX)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "a certificate and a key are needed");
    ERR_clear_error();
    otls_status st = OTLS_OK;
    X509 *leaf = parse_cert(chain[0].data, chain[0].len);
    EVP_PKEY *pkey = NULL;
    STACK_OF(X509) *extra = sk_X509_new_null();
    if (leaf == NULL)
        st = oti_openssl_queue_error(e, OTLS_ERR_PARSE, "malformed certificate 1");
    else if (extra == NULL)
        st = otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 1; st == OTLS_OK && i < count; i++) {
        X509 *x = parse_cert(chain[i].data, chain[i].len);
        if (x == NULL)
            st = oti_openssl_queue_error(e, OTLS_ERR_PARSE, "malformed certificate %zu", i + 1);
        else if (!sk_X509_push(extra, x)) {
            X509_free(x);
            st = otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
        }
    }
    if (st == OTLS_OK) {
        /* PKCS#8, PKCS#1 RSA or SEC1 EC, whichever it is. */
        const unsigned char *p = key;
        pkey = d2i_AutoPrivateKey(NULL, &p, (long)key_len);
        if (pkey == NULL)
            st = oti_openssl_queue_error(e, OTLS_ERR_PARSE, "malformed private key");
        else if (X509_check_private_key(leaf, pkey) != 1)
            st = otls_error_setf(e, OTLS_ERR_PARSE, "private key does not match the certificate");
    }
    ERR_clear_error();
    if (st != OTLS_OK) {
        X509_free(leaf);
        EVP_PKEY_free(pkey);
        sk_X509_pop_free(extra, X509_free);
        return st;
    }
    oti_openssl_own_chain_clear(c);
    c->leaf = leaf;
    c->key = pkey;
    c->chain = extra;
    return OTLS_OK;
}

/* Installs the context's chain on a new SSL; returns 1 on success. */
int oti_openssl_own_chain_use(const struct oti_openssl_ctx *c, SSL *ssl)
{
    if (c->leaf == NULL)
        return 1;
    return SSL_use_certificate(ssl, c->leaf) == 1 && SSL_use_PrivateKey(ssl, c->key) == 1 &&
           SSL_set1_chain(ssl, c->chain) == 1;
}
