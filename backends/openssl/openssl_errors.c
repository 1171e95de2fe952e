/* Errors: OpenSSL's error queue and SSL_get_error() in omnitls terms. Every
 * path here empties the thread's error queue, so nothing leaks into the next
 * call or another connection on the same thread. */
#include <stdarg.h>
#include <stdio.h>

#include <openssl/err.h>

#include "openssl_backend.h"

/* Python's text for an EOF without close_notify (SSLEOFError). */
static const char eof_message[] = "EOF occurred in violation of protocol";

/* OpenSSL's reason for one packed error code, e.g. "no shared cipher". */
static const char *reason_text(unsigned long err, char *buf, size_t size)
{
    const char *reason = ERR_reason_error_string(err);
    if (reason != NULL)
        return reason;
    ERR_error_string_n(err, buf, size);
    return buf;
}

otls_status oti_openssl_queue_error(otls_error *e, otls_status code, const char *fmt, ...)
{
    char what[160];
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    unsigned long err = ERR_peek_last_error();
    if (err != 0)
        otls_error_setf(e, code, "%s: %s", what, reason_text(err, buf, sizeof buf));
    else
        otls_error_setf(e, code, "%s", what);
    ERR_clear_error();
    return code;
}

/* The queue after a failed SSL_* call, walked once: the message is the last
 * (outermost) error, as Python reports it; the flags say what kind it was. */
struct queue_summary {
    unsigned long last;
    int verify_failed;
    int unexpected_eof;
};

static void drain_queue(struct queue_summary *q)
{
    unsigned long err;
    while ((err = ERR_get_error()) != 0) {
        q->last = err;
        if (ERR_GET_LIB(err) != ERR_LIB_SSL)
            continue;
        if (ERR_GET_REASON(err) == SSL_R_CERTIFICATE_VERIFY_FAILED)
            q->verify_failed = 1;
        else if (ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
            q->unexpected_eof = 1;
    }
}

static otls_status transport_error(const struct oti_openssl_conn *c, int ret,
                                   const struct queue_summary *q, otls_error *e)
{
    char buf[256];
    if (c->io_failed)
        return otls_error_setf(e, OTLS_ERR_IO, "the transport failed");
    if (c->io_eof || ret == 0)
        return otls_error_setf(e, OTLS_ERR_IO, "%s", eof_message);
    if (q->last != 0)
        return otls_error_setf(e, OTLS_ERR_IO, "%s", reason_text(q->last, buf, sizeof buf));
    return otls_error_setf(e, OTLS_ERR_IO, "the transport failed");
}

/* Python's wording: OpenSSL's reason, except for the two name checks, where
 * it names the name. */
static otls_status verify_error(const struct oti_openssl_conn *c, long result, otls_error *e)
{
    const char *name = c->hostname ? c->hostname : "";
    if (result == X509_V_OK)
        return otls_error_setf(e, OTLS_ERR_VERIFY, "certificate verify failed");
    if (result == X509_V_ERR_HOSTNAME_MISMATCH)
        return otls_error_setf(e, OTLS_ERR_VERIFY,
                               "certificate verify failed: Hostname mismatch, certificate is "
                               "not valid for '%.160s'.",
                               name);
    if (result == X509_V_ERR_IP_ADDRESS_MISMATCH)
        return otls_error_setf(e, OTLS_ERR_VERIFY,
                               "certificate verify failed: IP address mismatch, certificate is "
                               "not valid for '%.160s'.",
                               name);
    return otls_error_setf(e, OTLS_ERR_VERIFY, "certificate verify failed: %s",
                           X509_verify_cert_error_string(result));
}

static otls_status tls_error(const struct oti_openssl_conn *c, const struct queue_summary *q,
                             otls_error *e)
{
    char buf[256];
    if (q->unexpected_eof)
        return otls_error_setf(e, OTLS_ERR_IO, "%s", eof_message);
    /* With SSL_VERIFY_NONE a failed verification does not stop the
     * handshake, so its result says nothing about a later failure. */
    long result = SSL_get_verify_result(c->ssl);
    int verifying = (SSL_get_verify_mode(c->ssl) & SSL_VERIFY_PEER) != 0;
    if (q->verify_failed || (verifying && result != X509_V_OK))
        return verify_error(c, result, e);
    if (q->last == 0)
        return otls_error_setf(e, OTLS_ERR_TLS, "unknown TLS error");
    return otls_error_setf(e, OTLS_ERR_TLS, "%s", reason_text(q->last, buf, sizeof buf));
}

otls_status oti_openssl_io_error(struct oti_openssl_conn *c, int ret, enum oti_openssl_op op,
                                 otls_error *e)
{
    int kind = SSL_get_error(c->ssl, ret);
    struct queue_summary q = {0};
    drain_queue(&q);
    switch (kind) {
    case SSL_ERROR_WANT_READ:
        return OTLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return OTLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        /* close_notify: an orderly end, except in the middle of a handshake. */
        if (op == OTI_OPENSSL_HANDSHAKE)
            return otls_error_setf(e, OTLS_ERR_TLS,
                                   "the peer closed the TLS session during the handshake");
        return OTLS_CLOSED;
    case SSL_ERROR_SYSCALL:
        return transport_error(c, ret, &q, e);
    case SSL_ERROR_SSL:
        return tls_error(c, &q, e);
    default:
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "unexpected SSL_get_error result %d", kind);
    }
}
