/* The mbedtls_ssl_config that connections share: one per generation of a
 * context's configuration, refcounted (per-connection memory, issue 8).
 * What mbedTLS keeps per configuration but a connection needs for itself
 * is met per connection: the verify callback and the server name are set
 * on the ssl context, the SNI callback finds the connection through the
 * ssl's bio pointer, the 2.28 exporter reads the randoms from the
 * connection's transform, and a server that must change its ALPN or suite
 * order for one client takes a private copy (oti_mbedtls_conf_private). */
#include <string.h>

#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

#include "mbedtls_backend.h"

/* Server: keeps the name the client asked for; any name is accepted. The
 * configuration is shared: the connection is the ssl's bio pointer
 * (mbedtls_conn.c sets it before the handshake). */
static int sni_cb(void *p, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
    (void)p;
    struct oti_mbedtls_conn *c = ssl->OTI_MBEDTLS_F(p_bio);
    if (c == NULL)
        return -1;
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
 * under the connections made before it. */
static otls_status copy_lists(struct oti_mbedtls_shared *sh, const struct oti_mbedtls_ctx *x,
                              otls_error *e)
{
    sh->suites = oti_mbedtls_suites_copy(x->suites, x->suite_count);
    if (sh->suites == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    sh->custom_suites = x->custom_suites;
    if (x->alpn == NULL)
        return OTLS_OK;
    size_t n = 0, bytes = 0;
    while (x->alpn[n] != NULL)
        bytes += strlen(x->alpn[n++]) + 1;
    sh->alpn = oti_mbedtls_calloc(n + 1, sizeof *sh->alpn);
    sh->alpn_store = oti_mbedtls_calloc(1, bytes);
    if (sh->alpn == NULL || sh->alpn_store == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    char *s = sh->alpn_store;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(x->alpn[i]) + 1;
        memcpy(s, x->alpn[i], len);
        sh->alpn[i] = s;
        s += len;
    }
    return OTLS_OK;
}

static otls_status build(struct oti_mbedtls_shared *sh, struct oti_mbedtls_ctx *x, otls_error *e)
{
    mbedtls_ssl_config *conf = &sh->conf;
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
    mbedtls_ssl_conf_ciphersuites(conf, sh->suites);
    if (sh->alpn != NULL && (ret = mbedtls_ssl_conf_alpn_protocols(conf, sh->alpn)) != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_INVALID_ARGUMENT, ret, "invalid ALPN list");
    if (sh->own != NULL &&
        (ret = mbedtls_ssl_conf_own_cert(conf, &sh->own->chain, &sh->own->key)) != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_NO_MEMORY, ret, "could not use the certificate");
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
    oti_mbedtls_groups_conf(sh, x);
    if (server) {
        mbedtls_ssl_conf_sni(conf, sni_cb, NULL);
        if (x->sessions & OTLS_SESSION_CACHE)
            mbedtls_ssl_conf_session_cache(conf, &x->cache, mbedtls_ssl_cache_get,
                                           mbedtls_ssl_cache_set);
        if (x->sessions & OTLS_SESSION_TICKETS)
            oti_mbedtls_tickets_conf(x, conf);
    }
    return OTLS_OK;
}

void oti_mbedtls_shared_unref(struct oti_mbedtls_shared *sh)
{
    if (sh == NULL || atomic_fetch_sub(&sh->refs, 1) != 1)
        return;
    if (sh->conf_ready)
        mbedtls_ssl_config_free(&sh->conf);
    oti_mbedtls_own_unref(sh->own);
    oti_mbedtls_free(sh->suites);
    oti_mbedtls_free((void *)sh->alpn);
    oti_mbedtls_free(sh->alpn_store);
    oti_mbedtls_free(sh);
}

otls_status oti_mbedtls_shared_get(struct oti_mbedtls_ctx *x, struct oti_mbedtls_shared **out,
                                   otls_error *e)
{
    /* Connections may be made from several threads at once; configuring a
     * context while it makes connections is not supported (as before), so
     * only the first build can race: the loser drops its copy. */
    struct oti_mbedtls_shared *sh = atomic_load(&x->shared);
    if (sh != NULL) {
        atomic_fetch_add(&sh->refs, 1);
        *out = sh;
        return OTLS_OK;
    }
    sh = oti_mbedtls_calloc(1, sizeof *sh);
    if (sh == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    atomic_init(&sh->refs, 1);
    mbedtls_ssl_config_init(&sh->conf);
    sh->conf_ready = 1;
    sh->own = oti_mbedtls_own_ref(x->own);
    otls_status st = copy_lists(sh, x, e);
    if (st >= 0)
        st = build(sh, x, e);
    if (st < 0) {
        oti_mbedtls_shared_unref(sh);
        return st;
    }
    struct oti_mbedtls_shared *none = NULL;
    atomic_fetch_add(&sh->refs, 1); /* the context's */
    if (!atomic_compare_exchange_strong(&x->shared, &none, sh)) {
        oti_mbedtls_shared_unref(sh);
        oti_mbedtls_shared_unref(sh);
        atomic_fetch_add(&none->refs, 1);
        sh = none;
    }
    *out = sh;
    return OTLS_OK;
}

void oti_mbedtls_shared_drop(struct oti_mbedtls_ctx *x)
{
    oti_mbedtls_shared_unref(atomic_exchange(&x->shared, NULL));
}

const mbedtls_ssl_config *oti_mbedtls_conf(const struct oti_mbedtls_conn *c)
{
    return c->conf_private != NULL ? c->conf_private : &c->sh->conf;
}

mbedtls_ssl_config *oti_mbedtls_conf_private(struct oti_mbedtls_conn *c)
{
    if (c->conf_private != NULL)
        return c->conf_private;
    /* A shallow copy: every pointer in it belongs to sh, which this
     * connection holds; it is freed, never mbedtls_ssl_config_free'd. */
    mbedtls_ssl_config *p = oti_mbedtls_calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    memcpy(p, &c->sh->conf, sizeof *p);
    c->conf_private = p;
    if (c->ssl_ready)
        c->ssl.OTI_MBEDTLS_F(conf) = p;
    return p;
}
