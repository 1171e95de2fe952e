/* Contexts: creating the SSL_CTX and applying the core's configuration. */
#include <string.h>

#include <openssl/err.h>

#include "openssl_backend.h"

/* Lets a server resume sessions that carried a client certificate: OpenSSL
 * refuses those without a session id context. */
static const unsigned char session_id_context[] = "omnitls";

/* Accepting the SNI name (rather than having no callback) makes OpenSSL
 * keep it in the session, so a resumed TLS 1.2 server still reports it. */
static int accept_servername(SSL *ssl, int *alert, void *arg)
{
    (void)ssl;
    (void)alert;
    (void)arg;
    return SSL_TLSEXT_ERR_OK;
}

struct oti_openssl_alpn *oti_openssl_alpn_ref(struct oti_openssl_alpn *alpn)
{
    if (alpn != NULL)
        atomic_fetch_add_explicit(&alpn->refs, 1, memory_order_relaxed);
    return alpn;
}

void oti_openssl_alpn_unref(struct oti_openssl_alpn *alpn)
{
    if (alpn != NULL && atomic_fetch_sub_explicit(&alpn->refs, 1, memory_order_acq_rel) == 1)
        OPENSSL_free(alpn);
}

/* Server ALPN: the first protocol of the connection's list (its context's
 * as of otls_conn_new) that the client offered (server preference); no
 * overlap means no ALPN at all. The connection is the transport BIO's
 * data (openssl_bio.c), which saves an ex_data slot per connection. */
static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    BIO *bio = SSL_get_rbio(ssl);
    const struct oti_openssl_conn *c = bio ? BIO_get_data(bio) : NULL;
    const struct oti_openssl_alpn *list = c ? c->alpn : NULL;
    unsigned char *sel = NULL;
    unsigned char sel_len = 0;
    (void)arg;
    /* Empty lists would make SSL_select_next_proto read out of bounds on
     * older 3.0 releases (CVE-2024-5535). */
    if (list == NULL || list->len == 0 || in == NULL || inlen == 0)
        return SSL_TLSEXT_ERR_NOACK;
    if (SSL_select_next_proto(&sel, &sel_len, list->wire, (unsigned int)list->len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    *outlen = sel_len;
    return SSL_TLSEXT_ERR_OK;
}

/* A new SSL_CTX with what every generation has; the configuration comes
 * from ctx_configure. */
static otls_status ssl_ctx_new(const struct oti_openssl_ctx *c, SSL_CTX **out, otls_error *e)
{
    SSL_CTX *x = SSL_CTX_new(TLS_method());
    *out = x;
    if (x == NULL)
        return oti_openssl_queue_error(e, OTLS_ERR_NO_MEMORY, "could not create an SSL_CTX");
    /* The trust store starts empty: no system default paths. */
    if (!SSL_CTX_set_min_proto_version(x, TLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(x, TLS1_3_VERSION))
        return oti_openssl_queue_error(e, OTLS_ERR_INTERNAL, "could not set the TLS versions");
    if (c->role == OTLS_SERVER &&
        !SSL_CTX_set_session_id_context(x, session_id_context,
                                        (unsigned int)(sizeof session_id_context - 1)))
        return oti_openssl_queue_error(e, OTLS_ERR_INTERNAL,
                                       "could not set the session id context");
    if (c->role == OTLS_SERVER) {
        SSL_CTX_set_tlsext_servername_callback(x, accept_servername);
        /* Always there: it selects from the connection's own list, which
         * may be on while the context's is off. */
        SSL_CTX_set_alpn_select_cb(x, alpn_select, NULL);
    }
    return OTLS_OK;
}

otls_status oti_openssl_ctx_init(void *ctx, otls_role role, otls_error *e)
{
    struct oti_openssl_ctx *c = ctx;
    c->role = role;
    atomic_init(&c->used, 0);
    ERR_clear_error();
    otls_status st = ssl_ctx_new(c, &c->ssl_ctx, e);
    if (st < 0)
        return st;
    c->default_server_pref =
        (SSL_CTX_get_options(c->ssl_ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0;
    st = oti_openssl_suites_save_defaults(c, e);
    ERR_clear_error();
    return st;
}

/* The next generation, for a change once connections use the current
 * one: OpenSSL's SSL reads some settings from its SSL_CTX during the
 * handshake (the cipher lists, which SSL_new does not copy; the session
 * cache mode), so changing an SSL_CTX in place would reach live
 * connections, and could free a list a handshake in another thread reads.
 * The trust store and the ticket keys carry over; the session cache does
 * not (sessions made before the change resume by ticket, not by id). */
static otls_status next_generation(struct oti_openssl_ctx *c, SSL_CTX **out, otls_error *e)
{
    otls_status st = ssl_ctx_new(c, out, e);
    if (st < 0) {
        SSL_CTX_free(*out);
        *out = NULL;
        return st;
    }
    SSL_CTX_set1_cert_store(*out, SSL_CTX_get_cert_store(c->ssl_ctx));
    if (c->role == OTLS_SERVER) {
        unsigned char keys[80];
        if (SSL_CTX_get_tlsext_ticket_keys(c->ssl_ctx, keys, sizeof keys) == 1)
            (void)SSL_CTX_set_tlsext_ticket_keys(*out, keys, sizeof keys);
        OPENSSL_cleanse(keys, sizeof keys);
    }
    return OTLS_OK;
}

void oti_openssl_ctx_free(void *ctx)
{
    struct oti_openssl_ctx *c = ctx;
    if (c == NULL)
        return;
    oti_openssl_own_chain_clear(c);
    SSL_CTX_free(c->ssl_ctx); /* NULL-safe */
    oti_openssl_alpn_unref(c->alpn);
    OPENSSL_free(c->default_ciphers);
    OPENSSL_free(c->default_suites13);
    memset(c, 0, sizeof *c);
}

static int verify_mode(otls_role role, otls_verify verify)
{
    switch (verify) {
    case OTLS_VERIFY_NONE:
        return SSL_VERIFY_NONE;
    case OTLS_VERIFY_OPTIONAL:
        /* A client treats OPTIONAL as REQUIRED; a server asks for a client
         * certificate and verifies one when it comes. */
        return SSL_VERIFY_PEER;
    case OTLS_VERIFY_REQUIRED:
    default:
        return SSL_VERIFY_PEER | (role == OTLS_SERVER ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    }
}

static int proto_version(uint16_t v, int fallback)
{
    return v == 0x0303 ? TLS1_2_VERSION : v == 0x0304 ? TLS1_3_VERSION : fallback;
}

/* OpenSSL refuses to start a handshake (either role) when its highest
 * version has no suite enabled, so a list of TLS 1.2 suites alone also caps
 * the version at 1.2, as the list asks. */
static otls_status apply_versions(struct oti_openssl_ctx *c, const struct otls_ctx_config *cfg,
                                  int has_tls13, otls_error *e)
{
    int min = proto_version(cfg->min_version, TLS1_2_VERSION);
    int max = proto_version(cfg->max_version, TLS1_3_VERSION);
    if (!has_tls13 && min <= TLS1_2_VERSION)
        max = TLS1_2_VERSION;
    if (!SSL_CTX_set_min_proto_version(c->ssl_ctx, min) ||
        !SSL_CTX_set_max_proto_version(c->ssl_ctx, max))
        return oti_openssl_queue_error(e, OTLS_ERR_UNSUPPORTED, "could not set the TLS versions");
    return OTLS_OK;
}

static otls_status apply_alpn(struct oti_openssl_ctx *c, const struct otls_ctx_config *cfg,
                              otls_error *e)
{
    size_t len = cfg->alpn_wire ? cfg->alpn_wire_len : 0;
    if (len > 0xffff)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "ALPN list too long");
    if (c->role == OTLS_CLIENT) {
        /* Copied into each SSL by SSL_new. Returns 0 on success (sic);
         * NULL/0 turns ALPN off. */
        if (SSL_CTX_set_alpn_protos(c->ssl_ctx, len ? cfg->alpn_wire : NULL, (unsigned int)len) !=
            0)
            return oti_openssl_queue_error(e, OTLS_ERR_INVALID_ARGUMENT,
                                           "invalid ALPN protocol list");
        return OTLS_OK;
    }
    struct oti_openssl_alpn *list = NULL;
    if (len > 0) {
        list = OPENSSL_malloc(sizeof *list + len);
        if (list == NULL)
            return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
        atomic_init(&list->refs, 1);
        list->len = len;
        memcpy(list->wire, cfg->alpn_wire, len);
    }
    /* Connections made before keep their reference to the old list. */
    oti_openssl_alpn_unref(c->alpn);
    c->alpn = list;
    return OTLS_OK;
}

otls_status oti_openssl_ctx_configure(void *ctx, const struct otls_ctx_config *cfg, otls_error *e)
{
    struct oti_openssl_ctx *c = ctx;
    if (c->ssl_ctx == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    ERR_clear_error();
    SSL_CTX *old = NULL;
    if (atomic_load(&c->used)) {
        SSL_CTX *next = NULL;
        otls_status st = next_generation(c, &next, e);
        if (st < 0)
            return st;
        old = c->ssl_ctx;
        c->ssl_ctx = next;
    }
    int has_tls13 = 1;
    /* Groups first: when they fail, nothing has changed yet. */
    otls_status st = oti_openssl_groups_apply(c, cfg, e);
    if (st >= 0)
        st = oti_openssl_suites_apply(c, cfg, &has_tls13, e);
    if (st >= 0)
        st = apply_versions(c, cfg, has_tls13, e);
    if (st >= 0)
        st = apply_alpn(c, cfg, e);
    if (st >= 0) {
        SSL_CTX_set_verify(c->ssl_ctx, verify_mode(c->role, cfg->verify), NULL);
        oti_openssl_sessions_apply(c, cfg->sessions);
        c->verify = cfg->verify;
        c->check_hostname = cfg->check_hostname;
    }
    if (old != NULL) {
        /* Live connections hold their own references to the old one. */
        SSL_CTX *drop = st >= 0 ? old : c->ssl_ctx;
        if (st < 0)
            c->ssl_ctx = old;
        else
            atomic_store(&c->used, 0);
        SSL_CTX_free(drop);
    }
    ERR_clear_error();
    return st;
}
