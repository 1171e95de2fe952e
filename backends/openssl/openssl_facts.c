/* Facts about an established connection, asked once after the handshake. */
#include <string.h>

#include <openssl/err.h>

#include "openssl_backend.h"

/* Hands one certificate's DER to the core. */
static otls_status sink_cert(struct otls_der_sink *sink, X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    if (len <= 0) {
        ERR_clear_error();
        return OTLS_ERR_NO_MEMORY;
    }
    int rc = sink->add(sink, der, (size_t)len);
    OPENSSL_free(der);
    return rc == 0 ? OTLS_OK : OTLS_ERR_NO_MEMORY;
}

static otls_status sink_stack(struct otls_der_sink *sink, STACK_OF(X509) * sk, int from)
{
    for (int i = from; i < sk_X509_num(sk); i++) {
        otls_status st = sink_cert(sink, sk_X509_value(sk, i));
        if (st < 0)
            return st;
    }
    return OTLS_OK;
}

otls_status oti_openssl_peer_chain(void *conn, struct otls_der_sink *sink)
{
    struct oti_openssl_conn *c = conn;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    X509 *leaf = SSL_get0_peer_certificate(c->ssl);
    if (leaf == NULL)
        return OTLS_OK;
    STACK_OF(X509) *sk = SSL_get_peer_cert_chain(c->ssl);
    if (SSL_is_server(c->ssl)) {
        /* A server's chain omits the client's leaf: put it first. */
        otls_status st = sink_cert(sink, leaf);
        int from = sk_X509_num(sk) > 0 && X509_cmp(sk_X509_value(sk, 0), leaf) == 0;
        return st < 0 ? st : sink_stack(sink, sk, from);
    }
    /* A client's chain starts with the leaf (absent only if never kept). */
    if (sk_X509_num(sk) <= 0)
        return sink_cert(sink, leaf);
    return sink_stack(sink, sk, 0);
}

/* A resumed session has no verified chain in the SSL: build it again from
 * the peer's chain and the context's store, with the same parameters. */
static otls_status rebuild_chain(SSL *ssl, X509 *leaf, struct otls_der_sink *sink)
{
    X509_STORE *store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    if (sctx == NULL)
        return OTLS_ERR_NO_MEMORY;
    otls_status st = OTLS_OK;
    if (X509_STORE_CTX_init(sctx, store, leaf, SSL_get_peer_cert_chain(ssl)) != 1) {
        st = OTLS_ERR_NO_MEMORY;
    } else {
        X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(sctx), SSL_get0_param(ssl));
        X509_STORE_CTX_set_default(sctx, SSL_is_server(ssl) ? "ssl_client" : "ssl_server");
        /* A chain that does not verify now (a server resumed from a ticket
         * knows only the client's leaf) is not a verified chain: give none. */
        if (X509_verify_cert(sctx) == 1)
            st = sink_stack(sink, X509_STORE_CTX_get0_chain(sctx), 0);
    }
    X509_STORE_CTX_free(sctx);
    ERR_clear_error();
    return st;
}

otls_status oti_openssl_verified_chain(void *conn, struct otls_der_sink *sink)
{
    struct oti_openssl_conn *c = conn;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    STACK_OF(X509) *sk = SSL_get0_verified_chain(c->ssl);
    if (sk_X509_num(sk) > 0)
        return sink_stack(sink, sk, 0);
    X509 *leaf = SSL_get0_peer_certificate(c->ssl);
    if (leaf == NULL)
        return OTLS_OK;
    return rebuild_chain(c->ssl, leaf, sink);
}

/* Copies n bytes into a NUL-terminated fixed-size field, truncating. */
static void copy_text(char *dst, size_t size, const void *src, size_t n)
{
    if (n >= size)
        n = size - 1;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

otls_status oti_openssl_session(void *conn, struct otls_session_facts *out)
{
    struct oti_openssl_conn *c = conn;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    SSL *ssl = c->ssl;
    memset(out, 0, sizeof *out);
    out->version = (uint16_t)SSL_version(ssl);
    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    out->suite = cipher ? SSL_CIPHER_get_protocol_id(cipher) : 0;
    out->resumed = SSL_session_reused(ssl) == 1;
    /* TLS 1.3 always binds the handshake into its secrets. */
    out->extended_master_secret = out->version == TLS1_3_VERSION || SSL_get_extms_support(ssl) == 1;
    out->peer_verified = SSL_get0_peer_certificate(ssl) != NULL &&
                         SSL_get_verify_result(ssl) == X509_V_OK &&
                         (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0;
    const unsigned char *alpn = NULL;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    copy_text(out->alpn, sizeof out->alpn, alpn, alpn ? alpn_len : 0);
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    copy_text(out->server_name, sizeof out->server_name, sni, sni ? strlen(sni) : 0);
    return OTLS_OK;
}

otls_status oti_openssl_enabled_suites(void *conn, uint16_t *out, size_t cap, size_t *count)
{
    struct oti_openssl_conn *c = conn;
    *count = 0;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    /* In preference order, TLS 1.3 suites first, as Python's
     * shared_ciphers() walks them. */
    STACK_OF(SSL_CIPHER) *sk = SSL_get_ciphers(c->ssl);
    for (int i = 0; i < sk_SSL_CIPHER_num(sk) && *count < cap; i++)
        out[(*count)++] = SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(sk, i));
    return OTLS_OK;
}

otls_status oti_openssl_finished(void *conn, int own, uint8_t *buf, size_t cap, size_t *len)
{
    struct oti_openssl_conn *c = conn;
    unsigned char tmp[EVP_MAX_MD_SIZE * 2];
    *len = 0;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    /* Both return the full length and copy at most sizeof tmp. */
    size_t n = own ? SSL_get_finished(c->ssl, tmp, sizeof tmp)
                   : SSL_get_peer_finished(c->ssl, tmp, sizeof tmp);
    if (n == 0)
        return OTLS_ERR_STATE;
    if (n > sizeof tmp)
        return OTLS_ERR_INTERNAL;
    *len = n;
    if (n > cap)
        return OTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, tmp, n);
    return OTLS_OK;
}

otls_status oti_openssl_export(void *conn, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len, otls_error *e)
{
    struct oti_openssl_conn *c = conn;
    if (c->ssl == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection was not initialised");
    ERR_clear_error();
    /* A NULL context is "no context"; an empty one is a context of length
     * zero: they differ on TLS 1.2. */
    if (SSL_export_keying_material(c->ssl, out, out_len, label, strlen(label), context,
                                   context ? context_len : 0, context != NULL) != 1)
        return oti_openssl_queue_error(e, OTLS_ERR_TLS, "keying material export failed");
    ERR_clear_error();
    return OTLS_OK;
}
