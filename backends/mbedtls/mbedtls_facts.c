/* Facts about an established connection, asked once after the handshake. */
#include <string.h>

#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

#include "mbedtls_backend.h"

#if !OTI_MBEDTLS_V3 && OTI_MBEDTLS_HAVE_EXPORTER
#include <mbedtls/ssl_internal.h> /* mbedtls_ssl_transform: the randoms */
#endif

const mbedtls_x509_crt *oti_mbedtls_peer_crt(const struct oti_mbedtls_conn *c)
{
    /* A resumed client: mbedTLS kept only the leaf of the original chain;
     * the session we handed out kept all of it. */
    if (c->resume_chain != NULL && !c->full_handshake && c->resume_chain->raw.p != NULL)
        return c->resume_chain;
    const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(&c->ssl);
    return crt != NULL && crt->raw.p != NULL ? crt : NULL;
}

otls_status oti_mbedtls_peer_chain(void *conn, struct otls_der_sink *sink)
{
    struct oti_mbedtls_conn *c = conn;
    if (!c->ssl_ready)
        return OTLS_ERR_STATE;
    /* Leaf first, then as sent, on both roles. */
    for (const mbedtls_x509_crt *x = oti_mbedtls_peer_crt(c); x != NULL && x->raw.p != NULL;
         x = x->next)
        if (sink->add_kept(sink, x->raw.p, x->raw.len) != 0) /* kept: see vchain */
            return OTLS_ERR_NO_MEMORY;
    return OTLS_OK;
}

otls_status oti_mbedtls_verified_chain(void *conn, struct otls_der_sink *sink)
{
    struct oti_mbedtls_conn *c = conn;
    if (!c->ssl_ready)
        return OTLS_ERR_STATE;
    /* A resumed session ran no verification: verify the chain again, as
     * the OpenSSL backend does. A chain that does not verify now (a server
     * resumed from a ticket knows only the client's leaf) gives none. */
    if (!c->full_handshake) {
        const mbedtls_x509_crt *peer = oti_mbedtls_peer_crt(c);
        if (peer == NULL || oti_mbedtls_verify_again(c, (mbedtls_x509_crt *)peer) != 0)
            return OTLS_OK;
    }
    if (c->vchain_oom)
        return OTLS_ERR_NO_MEMORY;
    for (int i = 0; i < c->vdepth && i < OTI_MBEDTLS_MAX_DEPTH; i++) {
        if (c->vchain[i] == NULL || c->vchain[i]->raw.p == NULL)
            return OTLS_ERR_INTERNAL;
        if (sink->add_kept(sink, c->vchain[i]->raw.p, c->vchain[i]->raw.len) != 0)
            return OTLS_ERR_NO_MEMORY;
    }
    return OTLS_OK;
}

/* Copies a C string into a NUL-terminated fixed-size field, truncating. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

otls_status oti_mbedtls_session(void *conn, struct otls_session_facts *out)
{
    struct oti_mbedtls_conn *c = conn;
    if (!c->ssl_ready)
        return OTLS_ERR_STATE;
    const mbedtls_ssl_context *ssl = &c->ssl;
    memset(out, 0, sizeof *out);
    out->version = (uint16_t)oti_mbedtls_version_number(ssl);
    const char *suite = mbedtls_ssl_get_ciphersuite(ssl);
    out->suite = suite ? (uint16_t)mbedtls_ssl_get_ciphersuite_id(suite) : 0;
    out->resumed = !c->full_handshake;
    out->extended_master_secret = c->ems;
    /* mbedTLS keeps the verification result in the session, for resumed
     * sessions too. */
    out->peer_verified = oti_mbedtls_peer_crt(c) != NULL &&
                         mbedtls_ssl_get_verify_result(ssl) == 0 &&
                         oti_mbedtls_conf(c)->OTI_MBEDTLS_F(authmode) != MBEDTLS_SSL_VERIFY_NONE;
    copy_text(out->alpn, sizeof out->alpn, mbedtls_ssl_get_alpn_protocol(ssl));
    if (c->ctx->role == OTLS_SERVER)
        copy_text(out->server_name, sizeof out->server_name, c->sni ? c->sni : "");
    else if (c->hostname != NULL && !c->hostname_is_ip)
        copy_text(out->server_name, sizeof out->server_name, c->hostname);
    return OTLS_OK;
}

otls_status oti_mbedtls_finished(void *conn, int own, uint8_t *buf, size_t cap, size_t *len)
{
    struct oti_mbedtls_conn *c = conn;
    *len = 0;
    if (!c->ssl_ready)
        return OTLS_ERR_STATE;
#if OTI_MBEDTLS_HAVE_FINISHED13
    if (oti_mbedtls_version_number(&c->ssl) == 0x0304) {
        if (oti_mbedtls_finished13(c) != 0)
            return OTLS_ERR_STATE;
        size_t k = own ? 0 : 1;
        *len = c->fin13_len[k];
        if (*len > cap)
            return OTLS_ERR_BUFFER_TOO_SMALL;
        memcpy(buf, c->fin13[k], *len);
        return OTLS_OK;
    }
#endif
#if OTI_MBEDTLS_HAVE_FINISHED
    size_t n = OTI_MBEDTLS_VERIFY_DATA_LEN(&c->ssl);
    if (n == 0)
        return OTLS_ERR_STATE;
    *len = n;
    if (n > cap)
        return OTLS_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, own ? OTI_MBEDTLS_OWN_VERIFY_DATA(&c->ssl) : OTI_MBEDTLS_PEER_VERIFY_DATA(&c->ssl),
           n);
    return OTLS_OK;
#else
    (void)own;
    (void)buf;
    (void)cap;
    return OTLS_ERR_UNSUPPORTED;
#endif
}

#if OTI_MBEDTLS_V3
otls_status oti_mbedtls_export(void *conn, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len, otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    if (!c->ssl_ready)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection was not initialised");
    if (context != NULL && context_len > 0xffff)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "exporter context too long");
    if (out_len > MBEDTLS_SSL_EXPORT_MAX_KEY_LEN)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT,
                               "mbedTLS exports at most %d bytes at a time",
                               MBEDTLS_SSL_EXPORT_MAX_KEY_LEN);
    /* RFC 5705 on TLS 1.2 (a NULL context is "no context", an empty one a
     * context of length zero: they differ), RFC 8446 7.5 on TLS 1.3. */
    static const unsigned char none[1];
    int ret =
        mbedtls_ssl_export_keying_material(&c->ssl, out, out_len, label, strlen(label),
                                           context ? context : none, context_len, context != NULL);
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_TLS, ret, "keying material export failed");
    return OTLS_OK;
}
#elif OTI_MBEDTLS_HAVE_EXPORTER
otls_status oti_mbedtls_export(void *conn, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len, otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    if (!c->ssl_ready)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection was not initialised");
    /* The established transform keeps both randoms (server's first) for
     * context serialization: read there rather than captured by 2.28's
     * key-export callback, which the shared configuration cannot route to
     * a connection. */
    const mbedtls_ssl_transform *t = c->ssl.transform;
    const mbedtls_ssl_ciphersuite_t *info =
        c->ssl.session ? mbedtls_ssl_ciphersuite_from_id(c->ssl.session->ciphersuite) : NULL;
    if (t == NULL || info == NULL || c->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER)
        return otls_error_setf(e, OTLS_ERR_STATE, "the key material is not established");
    /* TLS 1.2's PRF hash, as mbedTLS picks it (ssl_set_handshake_prfs). */
    mbedtls_tls_prf_types prf =
        info->mac == MBEDTLS_MD_SHA384 ? MBEDTLS_SSL_TLS_PRF_SHA384 : MBEDTLS_SSL_TLS_PRF_SHA256;
    if (context != NULL && context_len > 0xffff)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "exporter context too long");
    /* RFC 5705: PRF(master, label, client_random + server_random
     * [+ uint16 length + context]). A NULL context is "no context"; an
     * empty one is a context of length zero: they differ. */
    size_t seed_len = 64 + (context ? 2 + context_len : 0);
    unsigned char *seed = oti_mbedtls_calloc(1, seed_len);
    if (seed == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    memcpy(seed, t->randbytes + 32, 32); /* client_random */
    memcpy(seed + 32, t->randbytes, 32); /* server_random */
    if (context != NULL) {
        seed[64] = (unsigned char)(context_len >> 8);
        seed[65] = (unsigned char)(context_len & 0xff);
        if (context_len > 0)
            memcpy(seed + 66, context, context_len);
    }
    /* The established session's master secret, for a full and a resumed
     * handshake alike. */
    const unsigned char *master = c->ssl.session->master;
    int ret = mbedtls_ssl_tls_prf(prf, master, sizeof c->ssl.session->master, label, seed, seed_len,
                                  out, out_len);
    mbedtls_platform_zeroize(seed, seed_len);
    oti_mbedtls_free(seed);
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_TLS, ret, "keying material export failed");
    return OTLS_OK;
}
#endif
