/* Errors: wolfSSL's return codes, alerts and verification results in
 * omnitls terms, worded as OpenSSL (and so Python) words them where the
 * cause is the same, so that messages agree across backends. */
#include <stdio.h>
#include <string.h>

#include "wolfssl_backend.h"

#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

/* Python's text for an EOF without close_notify (SSLEOFError). */
static const char eof_message[] = "EOF occurred in violation of protocol";

static const char *reason(int ret)
{
    const char *s = wolfSSL_ERR_reason_error_string((unsigned long)(ret < 0 ? -ret : ret));
    if (s == NULL || s[0] == '\0')
        s = wolfSSL_ERR_reason_error_string((unsigned long)ret);
    return s != NULL && s[0] != '\0' ? s : "unknown error";
}

otls_status oti_wolfssl_lib_error(otls_error *e, otls_status code, int ret, const char *what)
{
    return otls_error_setf(e, code, "%s: %s (%d)", what, reason(ret), ret);
}

/* The X509_V_ERR_ code OpenSSL would give. wolfSSL 5.5 reports an expired
 * (or not yet valid) leaf as a format error in its date field, with the
 * handshake's native code saying which date failed; the callback's store
 * error may also be a native code. */
static int x509_code(int err, int ret)
{
    if (err == X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD && ret == ASN_AFTER_DATE_E)
        return X509_V_ERR_CERT_HAS_EXPIRED;
    if (err == X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD && ret == ASN_BEFORE_DATE_E)
        return X509_V_ERR_CERT_NOT_YET_VALID;
    switch (err) {
    case ASN_AFTER_DATE_E:
        return X509_V_ERR_CERT_HAS_EXPIRED;
    case ASN_BEFORE_DATE_E:
        return X509_V_ERR_CERT_NOT_YET_VALID;
    case ASN_NO_SIGNER_E:
        return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
    case ASN_SIG_CONFIRM_E:
        return X509_V_ERR_CERT_SIGNATURE_FAILURE;
    default:
        return err;
    }
}

/* OpenSSL's X509_verify_cert_error_string() for the codes wolfSSL reports
 * (wolfSSL's own strings differ for several). */
static const char *x509_text(int err)
{
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        return "unable to get issuer certificate";
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return "certificate signature failure";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "certificate is not yet valid";
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "certificate has expired";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return "self-signed certificate";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return "self-signed certificate in certificate chain";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        return "unable to get local issuer certificate";
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "unable to verify the first certificate";
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
        return "certificate chain too long";
    case X509_V_ERR_CERT_REVOKED:
        return "certificate revoked";
    case X509_V_ERR_INVALID_CA:
        return "invalid CA certificate";
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return "path length constraint exceeded";
    case X509_V_ERR_INVALID_PURPOSE:
        return "unsuitable certificate purpose";
    case X509_V_ERR_CERT_UNTRUSTED:
        return "certificate not trusted";
    case X509_V_ERR_CERT_REJECTED:
        return "certificate rejected";
    default:
        return NULL;
    }
}

/* Python's wording: OpenSSL's reason, except for the two name checks,
 * where it names the name. */
static otls_status verify_error(const struct oti_wolfssl_conn *c, int ret, otls_error *e)
{
    static const char prefix[] = "certificate verify failed";
    const char *name = c->hostname ? c->hostname : "";
    if (c->name_mismatch == 2)
        return otls_error_setf(e, OTLS_ERR_VERIFY,
                               "%s: IP address mismatch, certificate is not valid for '%.160s'.",
                               prefix, name);
    if (c->name_mismatch)
        return otls_error_setf(e, OTLS_ERR_VERIFY,
                               "%s: Hostname mismatch, certificate is not valid for '%.160s'.",
                               prefix, name);
    int err = x509_code(c->verify_err, ret);
    /* wolfSSL says "no signer" for an untrusted self-signed certificate
     * too; OpenSSL tells the two apart. */
    if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY && oti_wolfssl_self_signed_top(c))
        err = c->vdepth == 1 ? X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
                             : X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN;
    const char *why = x509_text(err);
    if (why == NULL && err != 0 && err != X509_V_ERR_APPLICATION_VERIFICATION)
        why = wolfSSL_X509_verify_cert_error_string(err);
    if (why == NULL && ret < 0 && ret != VERIFY_CERT_ERROR)
        why = reason(ret);
    if (why == NULL)
        return otls_error_setf(e, OTLS_ERR_VERIFY, "%s", prefix);
    return otls_error_setf(e, OTLS_ERR_VERIFY, "%s: %s", prefix, why);
}

/* A verification failure: one the callback saw, or wolfSSL's own codes
 * for a chain it refused. */
static int is_verify_failure(const struct oti_wolfssl_conn *c, int ret)
{
    if (c->verify_err != 0 || c->name_mismatch)
        return 1;
    switch (ret) {
    case VERIFY_CERT_ERROR:
    case ASN_NO_SIGNER_E:
    case ASN_AFTER_DATE_E:
    case ASN_BEFORE_DATE_E:
    case ASN_SIG_CONFIRM_E:
    case DOMAIN_NAME_MISMATCH:
    case IPADDR_MISMATCH:
        return 1;
    default:
        return 0;
    }
}

static otls_status tls_error(struct oti_wolfssl_conn *c, int ret, otls_error *e)
{
    if (c->verify != OTLS_VERIFY_NONE && is_verify_failure(c, ret))
        return verify_error(c, ret, e);
    switch (ret) {
    case FATAL_ERROR: {
        /* The peer's alert, in OpenSSL's words. */
        WOLFSSL_ALERT_HISTORY h;
        if (wolfSSL_get_alert_history(c->ssl, &h) == WOLFSSL_SUCCESS && h.last_rx.code >= 0) {
            const char *text = otls_alert_text(h.last_rx.code);
            if (text != NULL)
                return otls_error_setf(e, OTLS_ERR_TLS, "%s", text);
            return otls_error_setf(e, OTLS_ERR_TLS, "received fatal alert %d", h.last_rx.code);
        }
        break;
    }
    case MATCH_SUITE_ERROR:
        return otls_error_setf(e, OTLS_ERR_TLS, "no shared cipher");
    case NO_PEER_CERT:
        /* wolfSSL's TLS 1.2 server sends no alert here, and a client
         * waiting for its Finished would wait until the socket closes;
         * OpenSSL sends handshake_failure. The server has not sent its
         * ChangeCipherSpec yet, so the alert goes out in plaintext. */
        if (c->ctx->role == OTLS_SERVER && wolfSSL_version(c->ssl) == TLS1_2_VERSION) {
            static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
            (void)c->send(c->io_user, alert, sizeof alert);
        }
        return otls_error_setf(e, OTLS_ERR_TLS, "peer did not return a certificate");
    case VERSION_ERROR:
        return otls_error_setf(e, OTLS_ERR_TLS, "unsupported protocol");
    default:
        break;
    }
    return otls_error_setf(e, OTLS_ERR_TLS, "%s", reason(ret));
}

otls_status oti_wolfssl_io_error(struct oti_wolfssl_conn *c, int ret, enum oti_wolfssl_op op,
                                 otls_error *e)
{
    int err = wolfSSL_get_error(c->ssl, ret);
    switch (err) {
    case WOLFSSL_ERROR_WANT_READ:
        return OTLS_WANT_READ;
    case WOLFSSL_ERROR_WANT_WRITE:
        return OTLS_WANT_WRITE;
    case WOLFSSL_ERROR_ZERO_RETURN:
        /* close_notify: an orderly end, except in the middle of a handshake. */
        if (op == OTI_WOLFSSL_HANDSHAKE)
            return otls_error_setf(e, OTLS_ERR_TLS,
                                   "the peer closed the TLS session during the handshake");
        return OTLS_CLOSED;
    default:
        break;
    }
    /* A verification failure first: wolfSSL may report the alert it sent
     * or the socket error that followed instead. */
    if (c->verify != OTLS_VERIFY_NONE && (c->verify_err != 0 || c->name_mismatch))
        return verify_error(c, err, e);
    /* An alert the peer sent before it closed says more than the EOF. */
    if (err == FATAL_ERROR)
        return tls_error(c, err, e);
    if (c->io_failed)
        return otls_error_setf(e, OTLS_ERR_IO, "the transport failed");
    if (c->io_eof || err == SOCKET_PEER_CLOSED_E || err == WOLFSSL_ERROR_SYSCALL)
        return otls_error_setf(e, OTLS_ERR_IO, "%s", eof_message);
    return tls_error(c, err, e);
}
