/* Connections: each uses the context's shared mbedtls_ssl_config
 * (mbedtls_config.c) and sets what is its own on its ssl context. */
#include <string.h>

#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

#include "../../core/name_check.h"
#include "mbedtls_backend.h"

/* Client: SNI for names (never for IP literals) and the name check when
 * the context verifies. mbedtls_ssl_set_hostname sets the SNI (and makes
 * mbedTLS check the name); the verify callback puts the core's check of
 * names and addresses in place of mbedTLS's (mbedtls_verify.c). */
static otls_status set_hostname(struct oti_mbedtls_conn *c, const struct otls_conn_params *p,
                                otls_error *e)
{
    if (p->hostname == NULL || p->hostname_is_ip) {
#if OTI_MBEDTLS_V3
        /* 3.6 refuses to verify a server with no name set unless told, by
         * a NULL name, that no name is meant (IP addresses are checked by
         * the verify callback). */
        int r = mbedtls_ssl_set_hostname(&c->ssl, NULL);
        if (r != 0)
            return oti_mbedtls_lib_error(e, OTLS_ERR_INTERNAL, r,
                                         "could not clear the server name");
#endif
        if (p->hostname == NULL)
            return OTLS_OK;
    }
    size_t len = strlen(p->hostname) + 1;
    c->hostname = oti_mbedtls_calloc(1, len);
    if (c->hostname == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    memcpy(c->hostname, p->hostname, len);
    c->hostname_is_ip = !!p->hostname_is_ip;
    int check = c->check_host; /* the context's setting as of otls_conn_new */
    if (p->hostname_is_ip) {
        if (!check)
            return OTLS_OK;
        uint8_t addr[16];
        size_t n = oti_ip_parse(p->hostname, addr);
        if (n == 0)
            return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "'%.160s' is not an IP address",
                                   p->hostname);
        /* Allocated here only: connections to names keep none (issue 9). */
        c->ip = oti_mbedtls_calloc(1, sizeof *c->ip);
        if (c->ip == NULL)
            return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
        memcpy(c->ip->addr, addr, n);
        c->ip->len = n;
        c->check_ip = 1;
        return OTLS_OK;
    }
    int ret = mbedtls_ssl_set_hostname(&c->ssl, p->hostname);
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_INVALID_ARGUMENT, ret,
                                     "could not set the server name");
    c->check_name = check;
    return OTLS_OK;
}

int oti_mbedtls_resume_chain_reset(struct oti_mbedtls_conn *c)
{
    if (c->resume_chain == NULL) {
        c->resume_chain = oti_mbedtls_calloc(1, sizeof *c->resume_chain);
        if (c->resume_chain == NULL)
            return MBEDTLS_ERR_X509_ALLOC_FAILED;
    } else
        mbedtls_x509_crt_free(c->resume_chain);
    mbedtls_x509_crt_init(c->resume_chain);
    return 0;
}

/* Client: offers a session; keeps its chain, which mbedTLS drops. */
static otls_status offer_session(struct oti_mbedtls_conn *c, const struct oti_mbedtls_session *s,
                                 otls_error *e)
{
    int ret = mbedtls_ssl_set_session(&c->ssl, &s->s);
    if (ret == 0) {
        ret = oti_mbedtls_resume_chain_reset(c);
        if (ret == 0)
            ret = oti_mbedtls_crt_copy(c->resume_chain, &s->chain);
    }
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_INVALID_ARGUMENT, ret,
                                     "could not offer the session");
    return OTLS_OK;
}

/* In otls_conn_new: the connection takes a reference to its context's
 * current configuration generation (a later change makes a new one) and
 * sets up its ssl context on it. */
otls_status oti_mbedtls_conn_prepare(void *conn, void *ctx, otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    struct oti_mbedtls_ctx *x = ctx;
    if (!x->ready || x->suites == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    if (c->ctx != NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection already prepared");
    c->ctx = x;
    mbedtls_ssl_init(&c->ssl);
    c->ssl_ready = 1;
    otls_status st = oti_mbedtls_shared_get(x, &c->sh, e);
    if (st < 0)
        return st;
    if (x->role == OTLS_SERVER && (x->sessions & OTLS_SESSION_TICKETS) &&
        oti_mbedtls_tickets_private(x)) {
        mbedtls_ssl_config *own = oti_mbedtls_conf_private(c);
        if (own == NULL)
            return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
        oti_mbedtls_tickets_conn(c, own);
    }
    int ret = mbedtls_ssl_setup(&c->ssl, oti_mbedtls_conf(c));
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_NO_MEMORY, ret, "could not set up the connection");
    mbedtls_ssl_set_bio(&c->ssl, c, oti_mbedtls_bio_send, oti_mbedtls_bio_recv, NULL);
    mbedtls_ssl_set_verify(&c->ssl, oti_mbedtls_verify_cb, c);
#if OTI_MBEDTLS_HAVE_FINISHED13
    mbedtls_ssl_set_export_keys_cb(&c->ssl, oti_mbedtls_keys_cb, c);
#endif
    c->judge_optional = x->role == OTLS_SERVER && x->verify == OTLS_VERIFY_OPTIONAL;
    c->check_host = x->check_hostname && x->verify != OTLS_VERIFY_NONE;
    c->prepared = 1;
    return OTLS_OK;
}

otls_status oti_mbedtls_conn_init(void *conn, void *ctx, const struct otls_conn_params *p,
                                  otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    struct oti_mbedtls_ctx *x = ctx;
    if (c->ctx == NULL) {
        otls_status st = oti_mbedtls_conn_prepare(conn, ctx, e);
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
    otls_status st;
    if (p->session != NULL && (st = offer_session(c, p->session, e)) < 0)
        return st;
    return set_hostname(c, p, e);
}

void oti_mbedtls_conn_free(void *conn)
{
    struct oti_mbedtls_conn *c = conn;
    if (c == NULL)
        return;
    if (c->ssl_ready)
        mbedtls_ssl_free(&c->ssl);
    oti_mbedtls_free(c->conf_private); /* a shallow copy: see mbedtls_config.c */
    oti_mbedtls_shared_unref(c->sh);
    if (c->resume_chain != NULL)
        mbedtls_x509_crt_free(c->resume_chain);
    oti_mbedtls_free(c->resume_chain);
    oti_mbedtls_free(c->sni);
    oti_mbedtls_vchain_clear(c);
#if OTI_MBEDTLS_HAVE_FINISHED13
    oti_mbedtls_tap_free(c);
#endif
    oti_mbedtls_free(c->suites_by_client);
    oti_mbedtls_free(c->hostname);
    oti_mbedtls_free(c->ip);
    /* The master secret among the rest. */
    mbedtls_platform_zeroize(c, sizeof *c);
}
