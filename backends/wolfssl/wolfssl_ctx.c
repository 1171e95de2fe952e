/* Contexts: the WOLFSSL_CTX (trust anchors, this side's chain and key,
 * server resumption state, the ALPN callback) and the settings each
 * connection is built from. A chain change builds a new WOLFSSL_CTX:
 * a WOLFSSL points into its WOLFSSL_CTX's certificate and key instead of
 * copying them, so connections made before the change keep the old one
 * (wolfSSL counts its users) and never see the change. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "wolfssl_backend.h"

/* A server resumes only sessions of its own context, as OpenSSL's
 * per-SSL_CTX cache does: wolfSSL's session cache is one per process, so
 * each server context gets its own session id context. */
static atomic_uint context_serial;

static otls_status server_setup(const struct oti_wolfssl_ctx *c, WOLFSSL_CTX *w, otls_error *e)
{
    if (wolfSSL_CTX_set_session_id_context(w, (const unsigned char *)c->sid, c->sid_len) !=
        WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not set the session id context");
    /* A TLS 1.2 ticket from wolfSSL carries no peer certificate, so a
     * server resumed from one reports no client certificate (OpenSSL's
     * tickets keep it). Session ids resume from wolfSSL's cache, which
     * keeps the chain; TLS 1.3 tickets refer to that cache too. */
    if (wolfSSL_CTX_NoTicketTLSv12(w) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not turn TLS 1.2 tickets off");
    /* Connections find their ALPN list through their I/O context. */
    wolfSSL_CTX_set_alpn_select_cb(w, oti_wolfssl_alpn_select, NULL);
    return OTLS_OK;
}

static otls_status wctx_setup(struct oti_wolfssl_ctx *c, WOLFSSL_CTX *w, otls_error *e)
{
    /* The trust store starts empty: no system default paths. TLS 1.2 is
     * the floor on every backend. */
    if (wolfSSL_CTX_SetMinVersion(w, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not set the TLS versions");
    /* A flight goes out in one write, as OpenSSL sends it: a peer that
     * fails early then finds the whole flight and our alert, not a closed
     * socket in the middle of it. */
    wolfSSL_CTX_set_group_messages(w);
    /* Tickets on, as OpenSSL has them: a client asks for one on TLS 1.2
     * too; a server issues TLS 1.3 ones (wolfSSL's built-in key). */
    if (wolfSSL_CTX_UseSessionTicket(w) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not turn session tickets on");
    for (size_t i = 0; i < c->ca_count; i++) {
        int ret = oti_wolfssl_ca_load(w, c->cas[i].der.data, c->cas[i].der.len);
        if (ret != WOLFSSL_SUCCESS)
            return oti_wolfssl_lib_error(e,
                                         ret == MEMORY_E ? OTLS_ERR_NO_MEMORY : OTLS_ERR_INTERNAL,
                                         ret, "could not load a trust anchor again");
    }
    if (c->cache_off)
        wolfSSL_CTX_set_session_cache_mode(w, WOLFSSL_SESS_CACHE_OFF);
    if (c->role == OTLS_SERVER)
        return server_setup(c, w, e);
    /* A verifying client checks names from these (wolfssl_verify.c). */
    c->hooks = oti_wolfssl_hooks_ctx(w);
    return OTLS_OK;
}

otls_status oti_wolfssl_wctx_new(struct oti_wolfssl_ctx *c, WOLFSSL_CTX **out, otls_error *e)
{
    *out = wolfSSL_CTX_new(c->role == OTLS_SERVER ? wolfSSLv23_server_method()
                                                  : wolfSSLv23_client_method());
    if (*out == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "could not create a WOLFSSL_CTX");
    otls_status st = wctx_setup(c, *out, e);
    if (st != OTLS_OK) {
        wolfSSL_CTX_free(*out);
        *out = NULL;
    }
    return st;
}

void oti_wolfssl_wctx_replace(struct oti_wolfssl_ctx *c, WOLFSSL_CTX *w)
{
#if defined(HAVE_SESSION_TICKET) && !defined(WOLFSSL_NO_DEF_TICKET_ENC_CB) &&                      \
    !defined(NO_WOLFSSL_SERVER)
    /* The built-in ticket key goes along, as OpenSSL's SSL_CTX keeps its
     * own across a certificate change: tickets issued before it resume. */
    unsigned char keys[WOLFSSL_TICKET_KEYS_SZ];
    if (c->role == OTLS_SERVER &&
        wolfSSL_CTX_get_tlsext_ticket_keys(c->ctx, keys, (int)sizeof keys) == WOLFSSL_SUCCESS)
        (void)wolfSSL_CTX_set_tlsext_ticket_keys(w, keys, (int)sizeof keys);
    oti_wolfssl_zero(keys, sizeof keys);
#endif
    /* Connections made from the old one hold a reference to it (wolfSSL
     * counts them): it goes when the last of them is freed. */
    wolfSSL_CTX_free(c->ctx);
    c->ctx = w;
}

otls_status oti_wolfssl_ctx_init(void *ctx, otls_role role, otls_error *e)
{
    struct oti_wolfssl_ctx *c = ctx;
    c->role = role;
    if (oti_wolfssl_global_init() != 0)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "wolfSSL_Init failed");
    if (role == OTLS_SERVER) {
        int n =
            snprintf(c->sid, sizeof c->sid, "omnitls-%u", atomic_fetch_add(&context_serial, 1) + 1);
        if (n <= 0 || (size_t)n >= sizeof c->sid)
            return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not set the session id context");
        c->sid_len = (unsigned)n;
    }
    return oti_wolfssl_wctx_new(c, &c->ctx, e);
}

void oti_wolfssl_ctx_free(void *ctx)
{
    struct oti_wolfssl_ctx *c = ctx;
    if (c == NULL)
        return;
    wolfSSL_CTX_free(c->ctx); /* NULL-safe */
    for (size_t i = 0; i < c->ca_count; i++)
        oti_wolfssl_free(c->cas[i].der.data);
    oti_wolfssl_free(c->cas);
    oti_wolfssl_free(c->alpn);
    memset(c, 0, sizeof *c);
}

static int wolf_version(uint16_t v, int fallback)
{
    return v == 0x0303 ? WOLFSSL_TLSV1_2 : v == 0x0304 ? WOLFSSL_TLSV1_3 : fallback;
}

/* Checks a wire-format ALPN list and copies it; wolfSSL takes a
 * comma-separated list, so a name holding a comma cannot be offered. */
static otls_status alpn_copy(const uint8_t *wire, size_t len, uint8_t **out, otls_error *e)
{
    *out = NULL;
    if (wire == NULL || len == 0)
        return OTLS_OK;
    if (len > 0xffff)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "ALPN list too long");
    for (size_t i = 0; i < len; i += 1 + (size_t)wire[i]) {
        if (wire[i] == 0 || i + 1 + wire[i] > len)
            return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "invalid ALPN protocol list");
        if (memchr(wire + i + 1, ',', wire[i]) != NULL)
            return otls_error_setf(e, OTLS_ERR_UNSUPPORTED,
                                   "wolfSSL cannot use an ALPN protocol name holding a comma");
    }
    *out = oti_wolfssl_alloc(len);
    if (*out == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    memcpy(*out, wire, len);
    return OTLS_OK;
}

otls_status oti_wolfssl_ctx_configure(void *ctx, const struct otls_ctx_config *cfg, otls_error *e)
{
    struct oti_wolfssl_ctx *c = ctx;
    if (c->ctx == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
#if !defined(WOLFSSL_TLS13)
    if (cfg->min_version == 0x0304 || cfg->max_version == 0x0304)
        return otls_error_setf(e, OTLS_ERR_UNSUPPORTED, "this wolfSSL was built without TLS 1.3");
#endif
    /* Everything is built aside first, so a failure leaves the old
     * configuration in force. */
    uint16_t suites[OTI_WOLFSSL_MAX_SUITES];
    size_t count = 0;
    int has_tls13 = 0;
    otls_status st = oti_wolfssl_suites_build(cfg, suites, &count, &has_tls13, e);
    if (st < 0)
        return st;
    st = oti_wolfssl_groups_check(c->role, cfg, e);
    if (st == OTLS_OK)
        st = oti_wolfssl_sessions_check(c, cfg->sessions, e);
    if (st < 0)
        return st;
    uint8_t *alpn = NULL;
    st = alpn_copy(cfg->alpn_wire, cfg->alpn_wire_len, &alpn, e);
    if (st < 0)
        return st;
    int min = wolf_version(cfg->min_version, WOLFSSL_TLSV1_2);
    int max = wolf_version(cfg->max_version, WOLFSSL_TLSV1_3);
    /* As the OpenSSL backend: a list of TLS 1.2 suites alone caps the
     * version at 1.2 (a wolfSSL client would offer 1.3 without a suite). */
    if (!has_tls13 && min <= WOLFSSL_TLSV1_2)
        max = WOLFSSL_TLSV1_2;
#if !defined(WOLFSSL_TLS13)
    max = WOLFSSL_TLSV1_2;
#endif
    memcpy(c->suites, suites, count * sizeof suites[0]);
    c->suite_count = count;
    c->custom_suites = cfg->suites != NULL && cfg->suite_count > 0;
    oti_wolfssl_free(c->alpn);
    c->alpn = alpn;
    c->alpn_len = alpn ? cfg->alpn_wire_len : 0;
    c->min_version = min;
    c->max_version = max;
    c->verify = cfg->verify;
    c->check_hostname = cfg->check_hostname;
    c->group_count = cfg->groups ? cfg->group_count : 0;
    if (c->group_count > 0)
        memcpy(c->groups, cfg->groups, c->group_count * sizeof c->groups[0]);
    oti_wolfssl_sessions_ctx(c, cfg->sessions);
    c->configured = 1;
    return OTLS_OK;
}
