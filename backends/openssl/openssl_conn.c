/* Connections: the SSL object, and the handshake, data and shutdown calls. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "openssl_backend.h"

/* Client: SNI for names (never for IP literals), and the name check when
 * the context verifies. Partial wildcards ("w*.example") are refused, as in
 * Python. */
static otls_status set_hostname(struct oti_openssl_conn *c, const struct otls_conn_params *p,
                                otls_error *e)
{
    SSL *ssl = c->ssl;
    if (p->hostname == NULL)
        return OTLS_OK;
    if (!p->hostname_is_ip && !SSL_set_tlsext_host_name(ssl, p->hostname))
        return oti_openssl_queue_error(e, OTLS_ERR_INVALID_ARGUMENT,
                                       "could not set the server name");
    if (!c->check_hostname || c->verify == OTLS_VERIFY_NONE)
        return OTLS_OK;
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    /* The core has split names from addresses (inet_pton's rules);
     * SSL_set1_host would split again by OpenSSL's looser parser, which
     * reads "127.0.0.01" as an address. */
    int ok = p->hostname_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, p->hostname)
                               : X509_VERIFY_PARAM_set1_host(param, p->hostname, 0);
    if (!ok)
        return oti_openssl_queue_error(e, OTLS_ERR_INVALID_ARGUMENT,
                                       "could not set the name to verify");
    return OTLS_OK;
}

/* Keeps the name for the error message of a failed check. */
static otls_status keep_hostname(struct oti_openssl_conn *c, const char *hostname, otls_error *e)
{
    if (hostname == NULL)
        return OTLS_OK;
    c->hostname = OPENSSL_strdup(hostname);
    return c->hostname ? OTLS_OK : otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
}

/* In otls_conn_new: SSL_new copies the SSL_CTX's versions, suites, groups,
 * verify mode, options and a client's ALPN list into the SSL; the chain
 * and key go on the SSL; the rest is kept here. A later change of the
 * context reaches only later connections. */
otls_status oti_openssl_conn_prepare(void *conn, void *ctx, otls_error *e)
{
    struct oti_openssl_conn *c = conn;
    const struct oti_openssl_ctx *x = ctx;
    if (x->ssl_ctx == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    if (c->ssl != NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection already prepared");
    ERR_clear_error();
    c->ssl = SSL_new(x->ssl_ctx);
    if (c->ssl == NULL)
        return oti_openssl_queue_error(e, OTLS_ERR_NO_MEMORY, "could not create an SSL");
    /* The next change of the context makes a new SSL_CTX (openssl_ctx.c). */
    atomic_store(&((struct oti_openssl_ctx *)ctx)->used, 1);
    /* A non-blocking caller may retry a write from another buffer copy. */
    SSL_set_mode(c->ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (!oti_openssl_own_chain_use(x, c->ssl))
        return oti_openssl_queue_error(e, OTLS_ERR_INTERNAL, "could not use the certificate chain");
    c->verify = x->verify;
    c->check_hostname = x->check_hostname;
    if (x->role == OTLS_SERVER) {
        c->alpn = oti_openssl_alpn_ref(x->alpn);
        SSL_set_accept_state(c->ssl);
    } else {
        SSL_set_connect_state(c->ssl);
    }
    ERR_clear_error();
    return OTLS_OK;
}

otls_status oti_openssl_conn_init(void *conn, void *ctx, const struct otls_conn_params *p,
                                  otls_error *e)
{
    struct oti_openssl_conn *c = conn;
    const struct oti_openssl_ctx *x = ctx;
    if (c->ssl == NULL) {
        otls_status st = oti_openssl_conn_prepare(conn, ctx, e);
        if (st < 0)
            return st;
    }
    if (SSL_get_rbio(c->ssl) != NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection already initialised");
    ERR_clear_error();
    c->send = p->send;
    c->recv = p->recv;
    c->io_user = p->io_user;
    BIO *bio = oti_openssl_bio_new(c);
    if (bio == NULL)
        return oti_openssl_queue_error(e, OTLS_ERR_NO_MEMORY, "could not create the transport");
    SSL_set_bio(c->ssl, bio, bio); /* the SSL owns it now */
    otls_status st = OTLS_OK;
    if (x->role == OTLS_CLIENT) {
        /* SSL_set_session takes its own reference. */
        if (p->session && !SSL_set_session(c->ssl, p->session))
            return oti_openssl_queue_error(e, OTLS_ERR_INVALID_ARGUMENT,
                                           "could not offer the session");
        st = set_hostname(c, p, e);
        if (st == OTLS_OK)
            st = keep_hostname(c, p->hostname, e);
    }
    ERR_clear_error();
    return st;
}

void oti_openssl_conn_free(void *conn)
{
    struct oti_openssl_conn *c = conn;
    if (c == NULL)
        return;
    SSL_free(c->ssl); /* NULL-safe; frees the BIO too */
    oti_openssl_alpn_unref(c->alpn);
    OPENSSL_free(c->hostname);
    memset(c, 0, sizeof *c);
}

/* Clears the thread's error queue around each read and write so that
 * SSL_get_error judges this call alone. ERR_clear_error walks and frees
 * all 16 slots even when the queue is empty, which on 16 KiB records was
 * 4% of the instructions of a bulk transfer (bench/); looking first costs
 * a few instructions. */
static void clear_errors(void)
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}

static otls_status not_ready(otls_error *e)
{
    return otls_error_setf(e, OTLS_ERR_STATE, "connection was not initialised");
}

otls_status oti_openssl_handshake(void *conn, otls_error *e)
{
    struct oti_openssl_conn *c = conn;
    if (c->ssl == NULL)
        return not_ready(e);
    ERR_clear_error();
    int ret = SSL_do_handshake(c->ssl);
    if (ret == 1) {
        ERR_clear_error();
        return OTLS_OK;
    }
    return oti_openssl_io_error(c, ret, OTI_OPENSSL_HANDSHAKE, e);
}

otls_status oti_openssl_read(void *conn, void *buf, size_t len, size_t *got, otls_error *e)
{
    struct oti_openssl_conn *c = conn;
    *got = 0;
    if (c->ssl == NULL)
        return not_ready(e);
    clear_errors();
    int ret = SSL_read_ex(c->ssl, buf, len, got);
    if (ret == 1) {
        clear_errors();
        return OTLS_OK;
    }
    *got = 0;
    return oti_openssl_io_error(c, ret, OTI_OPENSSL_READ, e);
}

otls_status oti_openssl_write(void *conn, const void *buf, size_t len, size_t *put, otls_error *e)
{
    struct oti_openssl_conn *c = conn;
    *put = 0;
    if (c->ssl == NULL)
        return not_ready(e);
    clear_errors();
    int ret = SSL_write_ex(c->ssl, buf, len, put);
    if (ret == 1) {
        clear_errors();
        return OTLS_OK;
    }
    *put = 0;
    return oti_openssl_io_error(c, ret, OTI_OPENSSL_WRITE, e);
}

otls_status oti_openssl_shutdown(void *conn, otls_error *e)
{
    struct oti_openssl_conn *c = conn;
    if (c->ssl == NULL)
        return not_ready(e);
    ERR_clear_error();
    /* 0: close_notify sent; 1: also received. Either is done for us: the
     * caller does not wait for the peer's close_notify. */
    int ret = SSL_shutdown(c->ssl);
    if (ret >= 0) {
        ERR_clear_error();
        return OTLS_OK;
    }
    otls_status st = oti_openssl_io_error(c, ret, OTI_OPENSSL_SHUTDOWN, e);
    return st == OTLS_CLOSED ? OTLS_OK : st;
}
