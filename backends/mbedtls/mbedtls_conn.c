/* Connections: each has its own mbedtls_ssl_config, built from the
 * context, so that the SNI and key-export callbacks (per configuration in
 * mbedTLS) reach the connection, and so that one connection can change its
 * ALPN list and suite order (mbedtls_hello.c) without touching others. */
#include <string.h>

#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

#include "mbedtls_backend.h"

/* Server: keeps the name the client asked for; any name is accepted. */
static int sni_cb(void *p, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
    struct oti_mbedtls_conn *c = p;
    (void)ssl;
    /* Allocated to size: a connection without SNI, or a client, keeps no
     * buffer (per-connection memory, issues 8 and 9). */
    if (len > 255)
        len = 255;
    char *copy = oti_mbedtls_calloc(1, len + 1);
    if (copy == NULL)
        return -1; /* mbedTLS fails the handshake */
    memcpy(copy, name, len);
    oti_mbedtls_free(c->sni);
    c->sni = copy;
    return 0;
}

#if !OTI_MBEDTLS_V3 && OTI_MBEDTLS_HAVE_EXPORTER
/* 2.28 (3.x exports through mbedtls_ssl_export_keying_material). Runs inside the handshake when the
 * keys are derived (full and resumed handshakes alike): keeps what RFC 5705's exporter needs. */
static int export_keys_cb(void *p, const unsigned char *ms, const unsigned char *kb, size_t maclen,
                          size_t keylen, size_t ivlen, const unsigned char client_random[32],
                          const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct oti_mbedtls_conn *c = p;
    (void)kb;
    (void)maclen;
    (void)keylen;
    (void)ivlen;
    (void)ms; /* the session keeps it: mbedtls_facts.c reads it there */
    memcpy(c->randoms, client_random, 32);
    memcpy(c->randoms + 32, server_random, 32);
    c->prf_type = (int)prf;
    c->have_keys = 1;
    return 0;
}
#endif

static int authmode(const struct oti_mbedtls_ctx *x)
{
    if (x->verify == OTLS_VERIFY_NONE)
        return MBEDTLS_SSL_VERIFY_NONE;
    /* A client treats OPTIONAL as REQUIRED (Python). A server asks and
     * verifies what comes; mbedTLS's OPTIONAL would accept a bad one, so
     * the handshake loop judges it (see judge_client_cert). */
    if (x->verify == OTLS_VERIFY_OPTIONAL && x->role == OTLS_SERVER)
        return MBEDTLS_SSL_VERIFY_OPTIONAL;
    return MBEDTLS_SSL_VERIFY_REQUIRED;
}

/* Copies the context's lists: a later configure must not pull them from
 * under this connection. */
static otls_status copy_lists(struct oti_mbedtls_conn *c, const struct oti_mbedtls_ctx *x,
                              otls_error *e)
{
    c->suites = oti_mbedtls_suites_copy(x->suites, x->suite_count);
    if (c->suites == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    c->custom_suites = x->custom_suites;
    if (x->alpn == NULL)
        return OTLS_OK;
    size_t n = 0, bytes = 0;
    while (x->alpn[n] != NULL)
        bytes += strlen(x->alpn[n++]) + 1;
    c->alpn = oti_mbedtls_calloc(n + 1, sizeof *c->alpn);
    c->alpn_store = oti_mbedtls_calloc(1, bytes);
    if (c->alpn == NULL || c->alpn_store == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    char *s = c->alpn_store;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(x->alpn[i]) + 1;
        memcpy(s, x->alpn[i], len);
        c->alpn[i] = s;
        s += len;
    }
    return OTLS_OK;
}

static otls_status build_config(struct oti_mbedtls_conn *c, struct oti_mbedtls_ctx *x,
                                otls_error *e)
{
    mbedtls_ssl_config *conf = &c->conf;
    int server = x->role == OTLS_SERVER;
    int ret =
        mbedtls_ssl_config_defaults(conf, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_INTERNAL, ret,
                                     "could not set up the configuration");
    mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &x->drbg);
    oti_mbedtls_conf_versions(conf, x->min_version, x->max_version);
    mbedtls_ssl_conf_authmode(conf, authmode(x));
    mbedtls_ssl_conf_ca_chain(conf, &x->ca, NULL);
    mbedtls_ssl_conf_ciphersuites(conf, c->suites);
    if (c->alpn != NULL && (ret = mbedtls_ssl_conf_alpn_protocols(conf, c->alpn)) != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_INVALID_ARGUMENT, ret, "invalid ALPN list");
    if (c->own != NULL &&
        (ret = mbedtls_ssl_conf_own_cert(conf, &c->own->chain, &c->own->key)) != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_NO_MEMORY, ret, "could not use the certificate");
#if !OTI_MBEDTLS_V3 && OTI_MBEDTLS_HAVE_EXPORTER
    mbedtls_ssl_conf_export_keys_ext_cb(conf, export_keys_cb, c);
#endif
#if OTI_MBEDTLS_HAVE_TLS13 && defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_CLI_C)
    /* 3.6's client ignores TLS 1.3 tickets unless told to take them; it
     * then returns MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET from a read,
     * which mbedtls_io.c swallows (the ticket is kept for session_get). */
    if (!server && (x->sessions & OTLS_SESSION_TICKETS))
        mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
            conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_CLI_C)
    if (!server && !(x->sessions & OTLS_SESSION_TICKETS))
        mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
#endif
    oti_mbedtls_groups_conf(c, x);
    if (server) {
        mbedtls_ssl_conf_sni(conf, sni_cb, c);
        if (x->sessions & OTLS_SESSION_CACHE)
            mbedtls_ssl_conf_session_cache(conf, &x->cache, mbedtls_ssl_cache_get,
                                           mbedtls_ssl_cache_set);
        if (x->sessions & OTLS_SESSION_TICKETS)
            oti_mbedtls_tickets_conf(c, conf);
    }
    return OTLS_OK;
}

/* Client: SNI for names (never for IP literals) and the name check when
 * the context verifies. mbedtls_ssl_set_hostname does both; the verify
 * callback drops the check when only SNI is wanted, and checks addresses,
 * which mbedTLS 2.28 cannot. */
static otls_status set_hostname(struct oti_mbedtls_conn *c, const struct oti_mbedtls_ctx *x,
                                const struct otls_conn_params *p, otls_error *e)
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
    c->hostname_is_ip = p->hostname_is_ip;
    int check = x->check_hostname && x->verify != OTLS_VERIFY_NONE;
    if (p->hostname_is_ip) {
        if (check && oti_mbedtls_ip_parse(c, p->hostname) != 0)
            return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "'%.160s' is not an IP address",
                                   p->hostname);
        c->check_ip = check;
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

otls_status oti_mbedtls_conn_init(void *conn, void *ctx, const struct otls_conn_params *p,
                                  otls_error *e)
{
    struct oti_mbedtls_conn *c = conn;
    struct oti_mbedtls_ctx *x = ctx;
    if (!x->ready || x->suites == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    if (c->ctx != NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "connection already initialised");
    c->ctx = x;
    c->send = p->send;
    c->recv = p->recv;
    c->io_user = p->io_user;
    c->peer_hello = p->peer_hello;
    c->own = oti_mbedtls_own_ref(x->own);
    mbedtls_ssl_config_init(&c->conf);
    c->conf_ready = 1;
    mbedtls_ssl_init(&c->ssl);
    c->ssl_ready = 1;
    otls_status st = copy_lists(c, x, e);
    if (st == OTLS_OK)
        st = build_config(c, x, e);
    if (st < 0)
        return st;
    int ret = mbedtls_ssl_setup(&c->ssl, &c->conf);
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_NO_MEMORY, ret, "could not set up the connection");
    mbedtls_ssl_set_bio(&c->ssl, c, oti_mbedtls_bio_send, oti_mbedtls_bio_recv, NULL);
    mbedtls_ssl_set_verify(&c->ssl, oti_mbedtls_verify_cb, c);
#if OTI_MBEDTLS_HAVE_FINISHED13
    mbedtls_ssl_set_export_keys_cb(&c->ssl, oti_mbedtls_keys_cb, c);
#endif
    c->judge_optional = x->role == OTLS_SERVER && x->verify == OTLS_VERIFY_OPTIONAL;
    if (x->role == OTLS_SERVER)
        return OTLS_OK;
    if (p->session != NULL && (st = offer_session(c, p->session, e)) < 0)
        return st;
    return set_hostname(c, x, p, e);
}

void oti_mbedtls_conn_free(void *conn)
{
    struct oti_mbedtls_conn *c = conn;
    if (c == NULL)
        return;
    if (c->ssl_ready)
        mbedtls_ssl_free(&c->ssl);
    if (c->conf_ready)
        mbedtls_ssl_config_free(&c->conf);
    if (c->resume_chain != NULL)
        mbedtls_x509_crt_free(c->resume_chain);
    oti_mbedtls_free(c->resume_chain);
    oti_mbedtls_free(c->sni);
    oti_mbedtls_own_unref(c->own);
    oti_mbedtls_vchain_clear(c);
#if OTI_MBEDTLS_HAVE_FINISHED13
    oti_mbedtls_tap_free(c);
#endif
    oti_mbedtls_free(c->suites);
    oti_mbedtls_free(c->suites_by_client);
    oti_mbedtls_free((void *)c->alpn);
    oti_mbedtls_free(c->alpn_store);
    oti_mbedtls_free(c->hostname);
    /* The master secret among the rest. */
    mbedtls_platform_zeroize(c, sizeof *c);
}
