/* Key-exchange groups and session resumption settings. wolfSSL keeps groups
 * per WOLFSSL (a WOLFSSL_CTX's list only grows), so the context keeps the
 * list and each connection installs it. */
#include <string.h>

#include "wolfssl_backend.h"

/* Whether this wolfSSL build can do a group (IANA id = wolfSSL's id). */
static int group_built(uint16_t id)
{
    switch (id) {
#if defined(HAVE_ECC) && !defined(NO_ECC256)
    case WOLFSSL_ECC_SECP256R1:
        return 1;
#endif
#if defined(HAVE_ECC) && !defined(NO_ECC384)
    case WOLFSSL_ECC_SECP384R1:
        return 1;
#endif
#if defined(HAVE_ECC) && !defined(NO_ECC521)
    case WOLFSSL_ECC_SECP521R1:
        return 1;
#endif
#ifdef HAVE_CURVE25519
    case WOLFSSL_ECC_X25519:
        return 1;
#endif
#ifdef HAVE_CURVE448
    case WOLFSSL_ECC_X448:
        return 1;
#endif
    default:
        return 0;
    }
}

otls_status oti_wolfssl_groups_check(otls_role role, const struct otls_ctx_config *cfg,
                                     otls_error *e)
{
    if (cfg->groups == NULL)
        return OTLS_OK;
    /* A wolfSSL 5.5 server picks a TLS 1.2 ECDHE group from the client's
     * list alone (its own list steers only TLS 1.3 key shares). */
    if (role == OTLS_SERVER && cfg->min_version <= 0x0303)
        return otls_error_setf(e, OTLS_ERR_UNSUPPORTED,
                               "a wolfSSL server cannot limit the groups of TLS 1.2; "
                               "allow TLS 1.3 only or limit the client's groups");
    if (cfg->group_count > OTI_WOLFSSL_MAX_GROUPS)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "too many groups");
    for (size_t i = 0; i < cfg->group_count; i++)
        if (!group_built(cfg->groups[i]))
            return otls_error_setf(e, OTLS_ERR_UNSUPPORTED,
                                   "this wolfSSL was built without group %u",
                                   (unsigned)cfg->groups[i]);
    return OTLS_OK;
}

otls_status oti_wolfssl_sessions_check(struct oti_wolfssl_ctx *c, uint32_t sessions, otls_error *e)
{
    /* wolfSSL_CTX_set_session_cache_mode can turn the cache off but never
     * back on. */
    if (c->role == OTLS_SERVER && c->cache_off && (sessions & OTLS_SESSION_CACHE))
        return otls_error_setf(e, OTLS_ERR_UNSUPPORTED,
                               "wolfSSL cannot turn a context's session cache back on");
    return OTLS_OK;
}

void oti_wolfssl_sessions_ctx(struct oti_wolfssl_ctx *c, uint32_t sessions)
{
    c->sessions = sessions;
    if (c->role == OTLS_SERVER && !(sessions & OTLS_SESSION_CACHE) && !c->cache_off) {
        wolfSSL_CTX_set_session_cache_mode(c->ctx, WOLFSSL_SESS_CACHE_OFF);
        c->cache_off = 1;
    }
}

int oti_wolfssl_groups_use(const struct oti_wolfssl_ctx *x, WOLFSSL *ssl)
{
    if (!(x->sessions & OTLS_SESSION_TICKETS)) {
        /* A server issues TLS 1.2 tickets never (wolfssl_ctx.c). */
        if (x->role == OTLS_CLIENT && wolfSSL_NoTicketTLSv12(ssl) != WOLFSSL_SUCCESS)
            return -1;
#ifdef WOLFSSL_TLS13
        if (x->role == OTLS_SERVER && x->max_version == WOLFSSL_TLSV1_3 &&
            wolfSSL_no_ticket_TLSv13(ssl) != 0) /* 0: done (sic) */
            return -1;
#endif
    }
    if (x->group_count == 0)
        return 0;
    /* The supported_groups extension (both versions), then the TLS 1.3
     * key-share preference. */
    int groups[OTI_WOLFSSL_MAX_GROUPS];
    for (size_t i = 0; i < x->group_count; i++) {
        groups[i] = x->groups[i];
        if (wolfSSL_UseSupportedCurve(ssl, x->groups[i]) != WOLFSSL_SUCCESS)
            return -1;
    }
#ifdef WOLFSSL_TLS13
    /* Refused (BAD_FUNC_ARG) on a WOLFSSL capped at TLS 1.2. */
    if (x->max_version == WOLFSSL_TLSV1_3 &&
        wolfSSL_set_groups(ssl, groups, (int)x->group_count) != WOLFSSL_SUCCESS)
        return -1;
#endif
    return 0;
}
