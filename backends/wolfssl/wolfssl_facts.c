/* Facts about an established connection, asked once after the handshake. */
#include <string.h>

#include "wolfssl_backend.h"

otls_status oti_wolfssl_peer_chain(void *conn, struct otls_der_sink *sink)
{
    struct oti_wolfssl_conn *c = conn;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    /* The chain as sent, leaf first, on both roles (a resumed session
     * keeps it). wolfSSL_get_peer_certificate would be a copy to free; the
     * session's chain buffers stay until wolfSSL_free: kept, not copied. */
    WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(c->ssl);
    int n = chain ? wolfSSL_get_chain_count(chain) : 0;
    for (int i = 0; i < n; i++) {
        const unsigned char *der = wolfSSL_get_chain_cert(chain, i);
        int len = wolfSSL_get_chain_length(chain, i);
        if (der == NULL || len <= 0)
            return OTLS_ERR_INTERNAL;
        if (sink->add_kept(sink, der, (size_t)len) != 0)
            return OTLS_ERR_NO_MEMORY;
    }
    return OTLS_OK;
}

/* The chain this connection can vouch for: its verify callback's, or,
 * resumed, the one recorded when the offered session was made (a resumed
 * handshake verifies nothing; the server side has no such record). */
static const struct oti_wolfssl_certs *verified(const struct oti_wolfssl_conn *c)
{
    if (wolfSSL_session_reused(c->ssl))
        return c->offered && c->offered->verified ? &c->offered->vchain : NULL;
    return c->verify_ok ? c->vchain : NULL; /* verify_ok: vchain is there */
}

int oti_wolfssl_peer_verified(const struct oti_wolfssl_conn *c)
{
    if (c->ssl == NULL || c->verify == OTLS_VERIFY_NONE)
        return 0;
    if (wolfSSL_session_reused(c->ssl)) {
        /* wolfSSL keeps the peer's chain and its verification result in
         * the session. */
        WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(c->ssl);
        if (c->ctx->role == OTLS_CLIENT)
            return c->offered != NULL && c->offered->verified;
        return chain != NULL && wolfSSL_get_chain_count(chain) > 0 &&
               wolfSSL_get_verify_result(c->ssl) == X509_V_OK;
    }
    return c->verify_ok;
}

otls_status oti_wolfssl_verified_chain(void *conn, struct otls_der_sink *sink)
{
    struct oti_wolfssl_conn *c = conn;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    const struct oti_wolfssl_certs *l = verified(c);
    for (int i = 0; l != NULL && i < l->count; i++) {
        if (l->cert[i].data == NULL)
            return OTLS_ERR_INTERNAL;
        /* The connection's own copies (c->vchain, c->offered): kept. */
        if (sink->add_kept(sink, l->cert[i].data, l->cert[i].len) != 0)
            return OTLS_ERR_NO_MEMORY;
    }
    return OTLS_OK;
}

/* Copies a string into a NUL-terminated fixed-size field, truncating. */
static void copy_text(char *dst, size_t size, const char *src, size_t n)
{
    if (src == NULL)
        n = 0;
    if (n >= size)
        n = size - 1;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

otls_status oti_wolfssl_session(void *conn, struct otls_session_facts *out)
{
    struct oti_wolfssl_conn *c = conn;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    WOLFSSL *ssl = c->ssl;
    memset(out, 0, sizeof *out);
    int v = wolfSSL_version(ssl);
    out->version = (uint16_t)(v == TLS1_3_VERSION ? 0x0304 : v == TLS1_2_VERSION ? 0x0303 : v);
    /* (first byte << 8) | second byte: the IANA id. */
    int suite = wolfSSL_get_current_cipher_suite(ssl);
    out->suite = suite > 0 ? (uint16_t)suite : 0;
    out->resumed = wolfSSL_session_reused(ssl) == 1;
    /* TLS 1.3 always binds the handshake into its secrets. */
    out->extended_master_secret = out->version == 0x0304 || c->ems;
    out->peer_verified = oti_wolfssl_peer_verified(c);
    char *alpn = NULL;
    unsigned short alpn_len = 0;
    if (wolfSSL_ALPN_GetProtocol(ssl, &alpn, &alpn_len) == WOLFSSL_SUCCESS)
        copy_text(out->alpn, sizeof out->alpn, alpn, alpn_len);
    if (c->ctx->role == OTLS_SERVER) {
        void *name = NULL;
        unsigned short n = wolfSSL_SNI_GetRequest(ssl, WOLFSSL_SNI_HOST_NAME, &name);
        copy_text(out->server_name, sizeof out->server_name, name, n);
    } else if (c->hostname != NULL && !c->hostname_is_ip) {
        copy_text(out->server_name, sizeof out->server_name, c->hostname, strlen(c->hostname));
    }
    return OTLS_OK;
}

otls_status oti_wolfssl_finished(void *conn, int own, uint8_t *buf, size_t cap, size_t *len)
{
    struct oti_wolfssl_conn *c = conn;
    uint8_t tmp[64];
    *len = 0;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    /* Both copy at most sizeof tmp and return the bytes copied. */
    size_t n = own ? wolfSSL_get_finished(c->ssl, tmp, sizeof tmp)
                   : wolfSSL_get_peer_finished(c->ssl, tmp, sizeof tmp);
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

otls_status oti_wolfssl_export(void *conn, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len, otls_error *e)
{
    struct oti_wolfssl_conn *c = conn;
    if (c->ssl == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection was not initialised");
    if (context != NULL && context_len > 0xffff)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "exporter context too long");
    /* A NULL context is "no context"; an empty one is a context of length
     * zero: they differ on TLS 1.2 (checked against RFC 5705 by hand:
     * wolfSSL 5.5 gets both right). */
    static const unsigned char empty[1];
    int ret = wolfSSL_export_keying_material(c->ssl, out, out_len, label, strlen(label),
                                             context ? (context_len ? context : empty) : NULL,
                                             context ? context_len : 0, context != NULL);
    if (ret != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_TLS, "keying material export failed");
    return OTLS_OK;
}
