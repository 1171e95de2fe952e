/* Connections: a WOLFSSL built from the context's settings. The chain and
 * key come with the WOLFSSL_CTX (not copied); everything else is set per
 * connection, in an order wolfSSL needs: versions first, since they make
 * wolfSSL reset its suite list, then the suites. */
#include <string.h>

#include "../../core/name_check.h"
#include "wolfssl_backend.h"

/* Client: SNI for names (never for IP literals). The name check itself is
 * omnitls's (wolfssl_hooks.c, or the verify callback): wolfSSL's own
 * matches partial wildcards and treats the common name otherwise than
 * OpenSSL. */
static otls_status set_hostname(struct oti_wolfssl_conn *c, const struct otls_conn_params *p,
                                otls_error *e)
{
    if (p->hostname == NULL)
        return OTLS_OK;
    size_t len = strlen(p->hostname);
    if (len > 0xffff)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "server name too long");
    c->hostname = oti_wolfssl_alloc(len + 1);
    if (c->hostname == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    memcpy(c->hostname, p->hostname, len + 1);
    c->hostname_is_ip = p->hostname_is_ip;
    int check = c->check_host; /* the context's setting as of otls_conn_new */
    if (p->hostname_is_ip) {
        if (check && (c->ip_len = oti_ip_parse(p->hostname, c->ip)) == 0)
            return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "'%.160s' is not an IP address",
                                   p->hostname);
        c->check_ip = check;
        return OTLS_OK;
    }
    int ret = wolfSSL_UseSNI(c->ssl, WOLFSSL_SNI_HOST_NAME, p->hostname, (unsigned short)len);
    if (ret != WOLFSSL_SUCCESS)
        return oti_wolfssl_lib_error(e, OTLS_ERR_INVALID_ARGUMENT, ret,
                                     "could not set the server name");
    c->check_name = check;
    return OTLS_OK;
}

/* Client: offers the ALPN list, converted to wolfSSL's comma-separated
 * form (names with commas were refused by configure). */
static otls_status offer_alpn(struct oti_wolfssl_conn *c, otls_error *e)
{
    char *list = oti_wolfssl_alloc(c->alpn_len);
    if (list == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < c->alpn_len; i += 1 + (size_t)c->alpn[i]) {
        if (n > 0)
            list[n++] = ',';
        memcpy(list + n, c->alpn + i + 1, c->alpn[i]);
        n += c->alpn[i];
    }
    int ret = wolfSSL_UseALPN(c->ssl, list, (unsigned)n, WOLFSSL_ALPN_CONTINUE_ON_MISMATCH);
    oti_wolfssl_free(list);
    if (ret != WOLFSSL_SUCCESS)
        return oti_wolfssl_lib_error(e, OTLS_ERR_INVALID_ARGUMENT, ret, "invalid ALPN list");
    return OTLS_OK;
}

int oti_wolfssl_alpn_select(WOLFSSL *ssl, const unsigned char **out, unsigned char *outlen,
                            const unsigned char *in, unsigned int inlen, void *arg)
{
    const struct oti_wolfssl_conn *c = wolfSSL_GetIOReadCtx(ssl);
    (void)arg;
    /* No overlap (or no list) means no ALPN at all, as OpenSSL's server
     * does: wolfSSL then goes on without the extension. */
    if (c == NULL || c->alpn == NULL || in == NULL)
        return SSL_TLSEXT_ERR_NOACK;
    for (size_t i = 0; i < c->alpn_len; i += 1 + (size_t)c->alpn[i]) {
        for (unsigned int j = 0; j < inlen; j += 1u + in[j]) {
            if (j + 1u + in[j] > inlen)
                break;
            if (in[j] == c->alpn[i] && memcmp(in + j + 1, c->alpn + i + 1, in[j]) == 0) {
                *out = in + j + 1;
                *outlen = in[j];
                return SSL_TLSEXT_ERR_OK;
            }
        }
    }
    return SSL_TLSEXT_ERR_NOACK;
}

/* Client: offers a session (wolfSSL copies it) and keeps its record of the
 * chain verified when it was made. */
static otls_status offer_session(struct oti_wolfssl_conn *c, struct oti_wolfssl_session *s,
                                 otls_error *e)
{
    if (s->s == NULL || wolfSSL_set_session(c->ssl, s->s) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "could not offer the session");
    struct oti_wolfssl_session *copy = oti_wolfssl_alloc(sizeof *copy);
    if (copy == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    memset(copy, 0, sizeof *copy);
    copy->verified = s->verified;
    if (oti_wolfssl_certs_copy(&copy->vchain, &s->vchain) != 0) {
        oti_wolfssl_free(copy);
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    }
    c->offered = copy;
    return OTLS_OK;
}

static int verify_mode(otls_role role, otls_verify verify)
{
    switch (verify) {
    case OTLS_VERIFY_NONE:
        return WOLFSSL_VERIFY_NONE;
    case OTLS_VERIFY_OPTIONAL:
        /* A client treats OPTIONAL as REQUIRED; a server asks for a client
         * certificate and verifies one when it comes. */
        return WOLFSSL_VERIFY_PEER;
    case OTLS_VERIFY_REQUIRED:
    default:
        return WOLFSSL_VERIFY_PEER |
               (role == OTLS_SERVER ? WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    }
}

/* Installs the suites the version range can use, as OpenSSL offers them:
 * a client held to TLS 1.2 offers no TLS 1.3 suite, and the reverse. A
 * range that leaves none keeps the whole list (the handshake then fails
 * as OpenSSL's does). */
static int install_suites(const struct oti_wolfssl_conn *c, const struct oti_wolfssl_ctx *x)
{
    uint16_t list[OTI_WOLFSSL_MAX_SUITES];
    size_t n = 0;
    for (size_t i = 0; i < c->suite_count; i++) {
        if (oti_wolfssl_suite_is_tls13(c->suites[i]) ? x->max_version >= WOLFSSL_TLSV1_3
                                                     : x->min_version <= WOLFSSL_TLSV1_2)
            list[n++] = c->suites[i];
    }
    if (n == 0)
        return oti_wolfssl_suites_use(c->ssl, c->suites, c->suite_count);
    return oti_wolfssl_suites_use(c->ssl, list, n);
}

/* Everything the context decides, applied in conn_prepare. */
static otls_status setup(struct oti_wolfssl_conn *c, struct oti_wolfssl_ctx *x, otls_error *e)
{
    WOLFSSL *ssl = c->ssl;
    wolfSSL_SSLSetIORecv(ssl, oti_wolfssl_bio_recv);
    wolfSSL_SSLSetIOSend(ssl, oti_wolfssl_bio_send);
    wolfSSL_SetIOReadCtx(ssl, c);
    wolfSSL_SetIOWriteCtx(ssl, c);
    if (wolfSSL_SetMinVersion(ssl, x->min_version) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not set the TLS versions");
    /* wolfSSL_set_max_proto_version on a WOLFSSL breaks TLS 1.2 client
     * authentication in 5.5; the option does what it should. */
    if (x->max_version == WOLFSSL_TLSV1_2)
        wolfSSL_set_options(ssl, WOLFSSL_OP_NO_TLSv1_3);
    /* Last: the call above resets wolfSSL's suite list, and with it the
     * signature algorithms a server asks client certificates for. */
    if (install_suites(c, x) != 0)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not set the cipher suites");
    /* A verifying client needs no verify callback (wolfssl_verify.c). */
    c->no_verify_cb = x->role == OTLS_CLIENT && x->verify != OTLS_VERIFY_NONE && x->hooks;
    wolfSSL_set_verify(ssl, verify_mode(x->role, x->verify),
                       c->no_verify_cb ? NULL : oti_wolfssl_verify_cb);
    if (c->no_verify_cb)
        oti_wolfssl_hooks_conn(c);
    if (oti_wolfssl_groups_use(x, ssl) != 0)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not set the groups or tickets");
    if (x->role == OTLS_CLIENT && c->alpn != NULL)
        return offer_alpn(c, e);
    return OTLS_OK;
}

/* What the connection adds: its transport (set in conn_init), and a
 * client's session and name. */
static otls_status setup_client(struct oti_wolfssl_conn *c, const struct otls_conn_params *p,
                                otls_error *e)
{
    otls_status st = OTLS_OK;
    if (p->session != NULL)
        st = offer_session(c, p->session, e);
    if (st == OTLS_OK)
        st = set_hostname(c, p, e);
    return st;
}

/* In otls_conn_new: copies of the context's lists and a WOLFSSL made from
 * its current WOLFSSL_CTX (which holds the chain and key, and lives on
 * while connections use it), so that a later change of the context
 * reaches only later connections. */
otls_status oti_wolfssl_conn_prepare(void *conn, void *ctx, otls_error *e)
{
    struct oti_wolfssl_conn *c = conn;
    struct oti_wolfssl_ctx *x = ctx;
    if (x->ctx == NULL || !x->configured)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    if (c->ctx != NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection already prepared");
    c->ctx = x;
    c->verify = x->verify;
    c->check_host = x->check_hostname && x->verify != OTLS_VERIFY_NONE;
    c->suites = oti_wolfssl_alloc(x->suite_count ? x->suite_count * sizeof x->suites[0] : 1);
    if (c->suites == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    memcpy(c->suites, x->suites, x->suite_count * sizeof x->suites[0]);
    c->suite_count = x->suite_count;
    c->custom_suites = x->custom_suites;
    if (x->alpn != NULL) {
        c->alpn = oti_wolfssl_alloc(x->alpn_len);
        if (c->alpn == NULL)
            return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
        memcpy(c->alpn, x->alpn, x->alpn_len);
        c->alpn_len = x->alpn_len;
    }
    c->ssl = wolfSSL_new(x->ctx);
    if (c->ssl == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "could not create a WOLFSSL");
    otls_status st = setup(c, x, e);
    if (st == OTLS_OK)
        c->prepared = 1;
    return st;
}

otls_status oti_wolfssl_conn_init(void *conn, void *ctx, const struct otls_conn_params *p,
                                  otls_error *e)
{
    struct oti_wolfssl_conn *c = conn;
    struct oti_wolfssl_ctx *x = ctx;
    if (c->ctx == NULL) {
        otls_status st = oti_wolfssl_conn_prepare(conn, ctx, e);
        if (st < 0)
            return st;
    }
    if (!c->prepared || c->send != NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection already initialised");
    c->send = p->send;
    c->recv = p->recv;
    c->io_user = p->io_user;
    c->peer_hello = p->peer_hello;
    if (x->role == OTLS_SERVER)
        return OTLS_OK;
    return setup_client(c, p, e);
}

void oti_wolfssl_conn_free(void *conn)
{
    struct oti_wolfssl_conn *c = conn;
    if (c == NULL)
        return;
    wolfSSL_free(c->ssl); /* NULL-safe */
    if (c->offered != NULL) {
        oti_wolfssl_certs_clear(&c->offered->vchain);
        oti_wolfssl_free(c->offered);
    }
    if (c->vchain != NULL) {
        oti_wolfssl_certs_clear(c->vchain);
        oti_wolfssl_free(c->vchain);
    }
    oti_wolfssl_free(c->alpn);
    oti_wolfssl_free(c->suites);
    oti_wolfssl_free(c->hostname);
    memset(c, 0, sizeof *c);
}
