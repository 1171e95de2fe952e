/* Errors: mbedTLS return codes and verification flags in omnitls terms,
 * worded as OpenSSL (and so Python) words them where the cause is the
 * same, so that messages agree across backends. */
#include <stdarg.h>
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/x509.h>

#include "mbedtls_backend.h"

/* One out-of-line copy of the provider helper for the whole backend
 * (embedded code size). */
otls_status oti_mbedtls_error_setf(otls_error *e, otls_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    otls_error_vsetf(e, code, fmt, ap);
    va_end(ap);
    return code;
}

/* Python's text for an EOF without close_notify (SSLEOFError). */
static const char eof_message[] = "EOF occurred in violation of protocol";

otls_status oti_mbedtls_lib_error(otls_error *e, otls_status code, int ret, const char *what)
{
    char buf[160];
    mbedtls_strerror(ret, buf, sizeof buf);
    return otls_error_setf(e, code, "%s: %s", what, buf);
}

/* The top of the recorded chain signed itself. */
static int chain_ends_self_signed(const struct oti_mbedtls_conn *c, int *alone)
{
    int top = c->vdepth - 1;
    *alone = top == 0;
    if (top < 0 || top >= OTI_MBEDTLS_MAX_DEPTH || c->vchain[top] == NULL)
        return 0;
    return c->vtop_self;
}

/* The flags in the order OpenSSL meets the problems: the chain is built
 * first, then the names are checked, then validity dates. */
otls_status oti_mbedtls_verify_error(const struct oti_mbedtls_conn *c, uint32_t flags,
                                     otls_error *e)
{
    static const char prefix[] = "certificate verify failed";
    const char *name = c->hostname ? c->hostname : "";
    int alone = 0;
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
        const char *why = "unable to get local issuer certificate";
        if (c->vsig_bad)
            why = "certificate signature failure";
        else if (chain_ends_self_signed(c, &alone))
            why =
                alone ? "self-signed certificate" : "self-signed certificate in certificate chain";
        return otls_error_setf(e, OTLS_ERR_VERIFY, "%s: %s", prefix, why);
    }
    if (c->ip_mismatch)
        return otls_error_setf(e, OTLS_ERR_VERIFY,
                               "%s: IP address mismatch, certificate is not valid for '%.160s'.",
                               prefix, name);
    if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
        return otls_error_setf(e, OTLS_ERR_VERIFY,
                               "%s: Hostname mismatch, certificate is not valid for '%.160s'.",
                               prefix, name);
    if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
        return otls_error_setf(e, OTLS_ERR_VERIFY, "%s: certificate has expired", prefix);
    if (flags & MBEDTLS_X509_BADCERT_FUTURE)
        return otls_error_setf(e, OTLS_ERR_VERIFY, "%s: certificate is not yet valid", prefix);
    if (flags & MBEDTLS_X509_BADCERT_REVOKED)
        return otls_error_setf(e, OTLS_ERR_VERIFY, "%s: certificate revoked", prefix);
    if (flags & (MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
                 MBEDTLS_X509_BADCERT_NS_CERT_TYPE))
        return otls_error_setf(e, OTLS_ERR_VERIFY, "%s: unsuitable certificate purpose", prefix);
    if (flags == 0)
        return otls_error_setf(e, OTLS_ERR_VERIFY, "%s", prefix);
    /* Anything else in mbedTLS's words: its first line. */
    char info[200];
    if (mbedtls_x509_crt_verify_info(info, sizeof info, "", flags) < 0)
        return otls_error_setf(e, OTLS_ERR_VERIFY, "%s: flags 0x%08x", prefix, (unsigned)flags);
    info[strcspn(info, "\n")] = '\0';
    return otls_error_setf(e, OTLS_ERR_VERIFY, "%s: %s", prefix, info);
}

unsigned char oti_mbedtls_verify_alert(uint32_t flags)
{
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        return MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA;
    if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
        return MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED;
    if (flags & MBEDTLS_X509_BADCERT_REVOKED)
        return MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED;
    if (flags & (MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
                 MBEDTLS_X509_BADCERT_NS_CERT_TYPE | MBEDTLS_X509_BADCERT_BAD_PK |
                 MBEDTLS_X509_BADCERT_BAD_KEY))
        return MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT;
    if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
        return MBEDTLS_SSL_ALERT_MSG_BAD_CERT;
    return MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN;
}

/* The verification flags of the handshake in progress or done. */
static uint32_t verify_flags(const struct oti_mbedtls_conn *c)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
    return flags == (uint32_t)-1 ? 0 : flags;
}

#if OTI_MBEDTLS_V3
/* Server: the client's offer and this end's suites have nothing in common. */
static int no_shared_suite(const struct oti_mbedtls_conn *c)
{
    const struct otls_peer_hello *h = c->peer_hello;
    if (c->ctx->role != OTLS_SERVER || h == NULL || !h->complete || c->sh == NULL)
        return 0;
    const int *suites = c->sh->suites;
    for (size_t i = 0; i < h->suite_count; i++)
        for (size_t k = 0; suites[k] != 0; k++)
            if (suites[k] == (int)h->suites[i])
                return 0;
    return 1;
}
#endif

static otls_status tls_error(struct oti_mbedtls_conn *c, int ret, otls_error *e)
{
    char buf[160];
    switch (ret) {
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
        return oti_mbedtls_verify_error(c, verify_flags(c), e);
    case MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED:
        return oti_mbedtls_verify_error(c, MBEDTLS_X509_BADCERT_NOT_TRUSTED, e);
    case OTI_MBEDTLS_ERR_BAD_CERTIFICATE: {
        /* Usage or key checks after a good chain; else a malformed message. */
        uint32_t flags = verify_flags(c) & ~(uint32_t)(MBEDTLS_X509_BADCERT_SKIP_VERIFY |
                                                       MBEDTLS_X509_BADCERT_MISSING);
        if (c->saw_chain && flags != 0)
            return oti_mbedtls_verify_error(c, flags, e);
        break;
    }
    case MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE:
        /* mbedTLS sends no alert here; OpenSSL sends handshake_failure. */
        mbedtls_ssl_send_alert_message(&c->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                       MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
        return otls_error_setf(e, OTLS_ERR_TLS, "peer did not return a certificate");
#if OTI_MBEDTLS_V3
    case MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE:
        /* 3.x folds "no suite in common" into this generic code; the
         * client's offer tells. */
        if (no_shared_suite(c))
            return otls_error_setf(e, OTLS_ERR_TLS, "no shared cipher");
        break;
#else
    case MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN:
        return otls_error_setf(e, OTLS_ERR_TLS, "no shared cipher");
#endif
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: {
        int alert = oti_mbedtls_last_alert(&c->ssl);
        const char *text = otls_alert_text(alert);
        if (text != NULL)
            return otls_error_setf(e, OTLS_ERR_TLS, "%s", text);
        if (alert >= 0)
            return otls_error_setf(e, OTLS_ERR_TLS, "received fatal alert %d", alert);
        break;
    }
    default:
        break;
    }
    mbedtls_strerror(ret, buf, sizeof buf);
    return otls_error_setf(e, OTLS_ERR_TLS, "%s", buf);
}

otls_status oti_mbedtls_io_error(struct oti_mbedtls_conn *c, int ret, enum oti_mbedtls_op op,
                                 otls_error *e)
{
    switch (ret) {
    case MBEDTLS_ERR_SSL_WANT_READ:
        return OTLS_WANT_READ;
    case MBEDTLS_ERR_SSL_WANT_WRITE:
        return OTLS_WANT_WRITE;
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
        /* close_notify: an orderly end, except in the middle of a handshake. */
        if (op == OTI_MBEDTLS_HANDSHAKE)
            return otls_error_setf(e, OTLS_ERR_TLS,
                                   "the peer closed the TLS session during the handshake");
        return OTLS_CLOSED;
    default:
        break;
    }
    if (c->io_failed || ret == MBEDTLS_ERR_NET_SEND_FAILED || ret == MBEDTLS_ERR_NET_RECV_FAILED)
        return otls_error_setf(e, OTLS_ERR_IO, "the transport failed");
    if (c->io_eof || ret == MBEDTLS_ERR_SSL_CONN_EOF || ret == 0)
        return otls_error_setf(e, OTLS_ERR_IO, "%s", eof_message);
    return tls_error(c, ret, e);
}
