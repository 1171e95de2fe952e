/* The transport (wolfSSL's I/O callbacks over the core's) and the calls
 * that move data: handshake, read, write, shutdown. */
#include <limits.h>
#include <string.h>

#include "wolfssl_backend.h"

int oti_wolfssl_bio_send(WOLFSSL *ssl, char *buf, int len, void *p)
{
    struct oti_wolfssl_conn *c = p;
    (void)ssl;
    if (len <= 0)
        return 0;
    long n = c->send(c->io_user, buf, (size_t)len);
    if (n > 0)
        return (int)(n > len ? len : n);
    if (n == OTLS_IO_WOULD_BLOCK) {
        c->io_blocked = 1;
        return WOLFSSL_CBIO_ERR_WANT_WRITE;
    }
    /* 0 is no progress and no promise of any: a failure, not a retry. */
    c->io_failed = 1;
    return WOLFSSL_CBIO_ERR_GENERAL;
}

int oti_wolfssl_bio_recv(WOLFSSL *ssl, char *buf, int len, void *p)
{
    struct oti_wolfssl_conn *c = p;
    (void)ssl;
    if (len <= 0)
        return 0;
    long n = c->recv(c->io_user, buf, (size_t)len);
    if (n > 0) {
        /* The core has read these bytes already: a hello it completed is
         * acted on before wolfSSL parses it. */
        oti_wolfssl_hello_apply(c);
        return (int)(n > len ? len : n);
    }
    if (n == 0) {
        c->io_eof = 1;
        return WOLFSSL_CBIO_ERR_CONN_CLOSE;
    }
    if (n == OTLS_IO_WOULD_BLOCK) {
        c->io_blocked = 1;
        return WOLFSSL_CBIO_ERR_WANT_READ;
    }
    c->io_failed = 1;
    return WOLFSSL_CBIO_ERR_GENERAL;
}

/* A WANT_* that no blocked transport explains (a skipped record) is
 * retried, like OpenSSL's SSL_MODE_AUTO_RETRY; the bound is a safety net. */
#define SPURIOUS_RETRIES 64

static int spurious_want(struct oti_wolfssl_conn *c, int ret)
{
    if (ret > 0 || c->io_blocked)
        return 0;
    int err = wolfSSL_get_error(c->ssl, ret);
    return err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE;
}

static otls_status not_ready(otls_error *e)
{
    return otls_error_setf(e, OTLS_ERR_STATE, "connection was not initialised");
}

otls_status oti_wolfssl_handshake(void *conn, otls_error *e)
{
    struct oti_wolfssl_conn *c = conn;
    if (c->ssl == NULL)
        return not_ready(e);
    oti_wolfssl_thread_mark();
    int ret, tries = 0;
    do {
        c->io_blocked = 0;
        ret = c->ctx->role == OTLS_SERVER ? wolfSSL_accept(c->ssl) : wolfSSL_connect(c->ssl);
    } while (ret != WOLFSSL_SUCCESS && spurious_want(c, ret) && ++tries < SPURIOUS_RETRIES);
    if (ret == WOLFSSL_SUCCESS) {
        /* A safety net: a handshake in which no hook checked the names
         * (none of this build's suites skips them) fails now. */
        if (oti_wolfssl_names_hook(c) != 0)
            return oti_wolfssl_io_error(c, WOLFSSL_FATAL_ERROR, OTI_WOLFSSL_HANDSHAKE, e);
        oti_wolfssl_verified_done(c);
        c->handshaken = 1;
        return OTLS_OK;
    }
    if (c->no_verify_cb)
        oti_wolfssl_verify_failed(c, wolfSSL_get_error(c->ssl, ret));
    return oti_wolfssl_io_error(c, ret, OTI_WOLFSSL_HANDSHAKE, e);
}

otls_status oti_wolfssl_read(void *conn, void *buf, size_t len, size_t *got, otls_error *e)
{
    struct oti_wolfssl_conn *c = conn;
    *got = 0;
    if (c->ssl == NULL)
        return not_ready(e);
    if (len > INT_MAX)
        len = INT_MAX;
    int ret, tries = 0;
    do {
        c->io_blocked = 0;
        ret = wolfSSL_read(c->ssl, buf, (int)len);
    } while (spurious_want(c, ret) && ++tries < SPURIOUS_RETRIES);
    if (ret > 0) {
        *got = (size_t)ret;
        return OTLS_OK;
    }
    return oti_wolfssl_io_error(c, ret, OTI_WOLFSSL_READ, e);
}

otls_status oti_wolfssl_write(void *conn, const void *buf, size_t len, size_t *put, otls_error *e)
{
    struct oti_wolfssl_conn *c = conn;
    const unsigned char *p = buf;
    *put = 0;
    if (c->ssl == NULL)
        return not_ready(e);
    /* All of it or WANT_*, as OpenSSL without partial writes. A retry (same
     * buffer, same length) goes on where the last call stopped: wolfSSL
     * keeps the record it could not send and expects the same call. */
    if (len < c->wr_done)
        return otls_error_setf(e, OTLS_ERR_STATE,
                               "a write that returned OTLS_WANT_* must be retried with the same "
                               "data");
    while (c->wr_done < len) {
        size_t chunk = len - c->wr_done;
        int ret, tries = 0;
        do {
            c->io_blocked = 0;
            ret = wolfSSL_write(c->ssl, p + c->wr_done, chunk > INT_MAX ? INT_MAX : (int)chunk);
        } while (spurious_want(c, ret) && ++tries < SPURIOUS_RETRIES);
        if (ret > 0) {
            c->wr_done += (size_t)ret;
            continue;
        }
        otls_status st = oti_wolfssl_io_error(c, ret, OTI_WOLFSSL_WRITE, e);
        if (st != OTLS_WANT_READ && st != OTLS_WANT_WRITE)
            c->wr_done = 0;
        /* close_notify ends reading; a write that meets it has failed. */
        if (st == OTLS_CLOSED)
            return otls_error_setf(e, OTLS_ERR_TLS, "the peer closed the TLS session");
        return st;
    }
    *put = len;
    c->wr_done = 0;
    return OTLS_OK;
}

otls_status oti_wolfssl_shutdown(void *conn, otls_error *e)
{
    struct oti_wolfssl_conn *c = conn;
    if (c->ssl == NULL)
        return not_ready(e);
    /* Sends close_notify; the caller does not wait for the peer's. In this
     * build's OpenSSL mode "sent, not yet received" is 0, as in OpenSSL. */
    c->io_blocked = 0;
    int ret = wolfSSL_shutdown(c->ssl);
    if (ret == WOLFSSL_SUCCESS || ret == WOLFSSL_SHUTDOWN_NOT_DONE)
        return OTLS_OK;
    otls_status st = oti_wolfssl_io_error(c, ret, OTI_WOLFSSL_SHUTDOWN, e);
    return st == OTLS_CLOSED ? OTLS_OK : st;
}
