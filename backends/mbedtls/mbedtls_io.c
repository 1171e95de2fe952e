/* The transport (mbedTLS's send/recv callbacks over the core's) and the
 * calls that move data: handshake, read, write, shutdown. */
#include <limits.h>
#include <string.h>

#include <mbedtls/net_sockets.h>
#include <mbedtls/platform.h>

#include "mbedtls_backend.h"

int oti_mbedtls_bio_send(void *p, const unsigned char *buf, size_t len)
{
    struct oti_mbedtls_conn *c = p;
    if (len > INT_MAX)
        len = INT_MAX;
    long n = c->send(c->io_user, buf, len);
    if (n > 0) {
        size_t put = (size_t)n > len ? len : (size_t)n;
#if OTI_MBEDTLS_HAVE_FINISHED13
        oti_mbedtls_tap(c, 1, buf, put);
#endif
        return (int)put;
    }
    if (n == OTLS_IO_WOULD_BLOCK) {
        c->io_blocked = 1;
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    /* 0 is no progress and no promise of any: a failure, not a retry. */
    c->io_failed = 1;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

int oti_mbedtls_bio_recv(void *p, unsigned char *buf, size_t len)
{
    struct oti_mbedtls_conn *c = p;
    if (len > INT_MAX)
        len = INT_MAX;
    long n = c->recv(c->io_user, buf, len);
    if (n > 0) {
        size_t got = (size_t)n > len ? len : (size_t)n;
#if OTI_MBEDTLS_HAVE_FINISHED13
        oti_mbedtls_tap(c, 0, buf, got);
#endif
        oti_mbedtls_hello_apply(c);
        return (int)got;
    }
    if (n == 0) {
        c->io_eof = 1;
        return 0; /* mbedTLS reports MBEDTLS_ERR_SSL_CONN_EOF */
    }
    if (n == OTLS_IO_WOULD_BLOCK) {
        c->io_blocked = 1;
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    c->io_failed = 1;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

/* mbedTLS also answers WANT_* when it merely skipped a record (a warning
 * alert, a refused renegotiation) and the transport could go on; like
 * OpenSSL's SSL_MODE_AUTO_RETRY, the call is then made again. Only a
 * transport that would block is the caller's business. Each retry consumes
 * a record, so the bound is a safety net. */
#define SPURIOUS_RETRIES 64

static int spurious_want(const struct oti_mbedtls_conn *c, int ret)
{
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
    /* 3.x, TLS 1.3 client: a ticket arrived after the handshake; the
     * session keeps it for session_get, and the call goes on. */
    if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
        return 1;
#endif
    return (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) &&
           !c->io_blocked;
}

static otls_status not_ready(otls_error *e)
{
    return otls_error_setf(e, OTLS_ERR_STATE, "connection was not initialised");
}

/* Server OPTIONAL: mbedTLS accepts a certificate that does not verify;
 * OpenSSL (and so Python) refuses it. Judged right after the step that
 * read the client's Certificate, with the alert OpenSSL would send. */
static otls_status judge_client_cert(struct oti_mbedtls_conn *c, otls_error *e)
{
    c->judged = 1;
    uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
    if (flags == 0)
        return OTLS_OK;
    mbedtls_ssl_send_alert_message(&c->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                   oti_mbedtls_verify_alert(flags));
    return oti_mbedtls_verify_error(c, flags, e);
}

otls_status oti_mbedtls_handshake(void *conn, otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    if (!c->ssl_ready)
        return not_ready(e);
    /* mbedtls_ssl_handshake's own loop, with two looks between steps. */
    while (OTI_MBEDTLS_STATE(&c->ssl) != MBEDTLS_SSL_HANDSHAKE_OVER) {
        /* Both roles pass this state on a full handshake and skip it when
         * a session is resumed. */
        if (OTI_MBEDTLS_STATE(&c->ssl) == MBEDTLS_SSL_SERVER_CERTIFICATE)
            c->full_handshake = 1;
        int ret, tries = 0;
        do {
            c->io_blocked = 0;
            ret = mbedtls_ssl_handshake_step(&c->ssl);
        } while (spurious_want(c, ret) && ++tries < SPURIOUS_RETRIES);
        if (ret != 0)
            return oti_mbedtls_io_error(c, ret, OTI_MBEDTLS_HANDSHAKE, e);
        if (c->judge_optional && c->saw_chain && !c->judged) {
            otls_status st = judge_client_cert(c, e);
            if (st < 0)
                return st;
        }
    }
#if OTI_MBEDTLS_HAVE_FINISHED13
    /* Only a TLS 1.3 handshake needs its bytes (for finished). */
    c->tap_done = 1;
    if (oti_mbedtls_version_number(&c->ssl) != 0x0304)
        oti_mbedtls_tap_free(c);
#endif
    return OTLS_OK;
}

otls_status oti_mbedtls_read(void *conn, void *buf, size_t len, size_t *got, otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    *got = 0;
    if (!c->ssl_ready)
        return not_ready(e);
    if (len > INT_MAX)
        len = INT_MAX;
    /* 0 is an EOF here (mbedTLS maps MBEDTLS_ERR_SSL_CONN_EOF to it after
     * an empty record); oti_mbedtls_io_error says so. */
    int ret, tries = 0;
    do {
        c->io_blocked = 0;
        ret = mbedtls_ssl_read(&c->ssl, buf, len);
    } while (spurious_want(c, ret) && ++tries < SPURIOUS_RETRIES);
    if (ret > 0) {
        *got = (size_t)ret;
        return OTLS_OK;
    }
    return oti_mbedtls_io_error(c, ret, OTI_MBEDTLS_READ, e);
}

otls_status oti_mbedtls_write(void *conn, const void *buf, size_t len, size_t *put, otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    const unsigned char *p = buf;
    *put = 0;
    if (!c->ssl_ready)
        return not_ready(e);
    /* Like OpenSSL without partial writes: all of it or WANT_*, and a retry
     * (same buffer, same length) goes on where the last call stopped, so a
     * record mbedTLS holds is never announced with other bytes. */
    if (len < c->wr_done)
        return otls_error_setf(e, OTLS_ERR_STATE,
                               "a write that returned OTLS_WANT_* must be retried with the same "
                               "data");
    while (c->wr_done < len) {
        size_t chunk = len - c->wr_done;
        int ret, tries = 0;
        do {
            c->io_blocked = 0;
            ret = mbedtls_ssl_write(&c->ssl, p + c->wr_done, chunk > INT_MAX ? INT_MAX : chunk);
        } while (spurious_want(c, ret) && ++tries < SPURIOUS_RETRIES);
        if (ret > 0) {
            c->wr_done += (size_t)ret;
            continue;
        }
        if (ret == 0) {
            c->wr_done = 0;
            return otls_error_setf(e, OTLS_ERR_INTERNAL, "mbedtls_ssl_write made no progress");
        }
        otls_status st = oti_mbedtls_io_error(c, ret, OTI_MBEDTLS_WRITE, e);
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

otls_status oti_mbedtls_shutdown(void *conn, otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    if (!c->ssl_ready)
        return not_ready(e);
    /* Sends close_notify; the caller does not wait for the peer's. */
    int ret, tries = 0;
    do {
        c->io_blocked = 0;
        ret = mbedtls_ssl_close_notify(&c->ssl);
    } while (spurious_want(c, ret) && ++tries < SPURIOUS_RETRIES);
    if (ret == 0)
        return OTLS_OK;
    otls_status st = oti_mbedtls_io_error(c, ret, OTI_MBEDTLS_SHUTDOWN, e);
    return st == OTLS_CLOSED ? OTLS_OK : st;
}
