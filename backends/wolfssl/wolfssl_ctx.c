/* Contexts: the WOLFSSL_CTX (trust anchors, server resumption state, the
 * ALPN callback) and the settings each connection is built from. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "wolfssl_backend.h"

/* A server resumes only sessions of its own context, as OpenSSL's
 * per-SSL_CTX cache does: wolfSSL's session cache is one per process, so
 * each server context gets its own session id context. */
static atomic_uint context_serial;

static otls_status server_setup(struct oti_wolfssl_ctx *c, otls_error *e)
{
    char sid[32];
    int n = snprintf(sid, sizeof sid, "omnitls-%u", atomic_fetch_add(&context_serial, 1) + 1);
    if (n <= 0 || (size_t)n >= sizeof sid ||
        wolfSSL_CTX_set_session_id_context(c->ctx, (const unsigned char *)sid, (unsigned)n) !=
            WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not set the session id context");
    /* A TLS 1.2 ticket from wolfSSL carries no peer certificate, so a
     * server resumed from one reports no client certificate (OpenSSL's
     * tickets keep it). Session ids resume from wolfSSL's cache, which
     * keeps the chain; TLS 1.3 tickets refer to that cache too. */
    if (wolfSSL_CTX_NoTicketTLSv12(c->ctx) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not turn TLS 1.2 tickets off");
    /* Connections find their ALPN list through their I/O context. */
    wolfSSL_CTX_set_alpn_select_cb(c->ctx, oti_wolfssl_alpn_select, NULL);
    return OTLS_OK;
}

otls_status oti_wolfssl_ctx_init(void *ctx, otls_role role, otls_error *e)
{
    struct oti_wolfssl_ctx *c = ctx;
    c->role = role;
    if (oti_wolfssl_global_init() != 0)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "wolfSSL_Init failed");
    c->ctx = wolfSSL_CTX_new(role == OTLS_SERVER ? wolfSSLv23_server_method()
                                                 : wolfSSLv23_client_method());
    if (c->ctx == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "could not create a WOLFSSL_CTX");
    /* The trust store starts empty: no system default paths. TLS 1.2 is
     * the floor on every backend. */
    if (wolfSSL_CTX_SetMinVersion(c->ctx, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not set the TLS versions");
    /* A flight goes out in one write, as OpenSSL sends it: a peer that
     * fails early then finds the whole flight and our alert, not a closed
     * socket in the middle of it. */
    wolfSSL_CTX_set_group_messages(c->ctx);
    /* Tickets on, as OpenSSL has them: a client asks for one on TLS 1.2
     * too; a server issues TLS 1.3 ones (wolfSSL's built-in key). */
    if (wolfSSL_CTX_UseSessionTicket(c->ctx) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not turn session tickets on");
    if (role == OTLS_SERVER)
        return server_setup(c, e);
    /* A verifying client checks names from these (wolfssl_verify.c). */
    c->hooks = oti_wolfssl_hooks_ctx(c->ctx);
    return OTLS_OK;
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
    if (c->own_key != NULL)
        oti_wolfssl_zero(c->own_key, c->own_key_len);
    oti_wolfssl_free(c->own_key);
    oti_wolfssl_free(c->own_chain);
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
