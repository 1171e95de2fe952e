/* Key-exchange groups and session resumption settings of an SSL_CTX. */
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "openssl_backend.h"

static int group_nid(uint16_t id)
{
    switch (id) {
    case 23:
        return NID_X9_62_prime256v1;
    case 24:
        return NID_secp384r1;
    case 25:
        return NID_secp521r1;
    case 29:
        return NID_X25519;
    case 30:
        return NID_X448;
    default:
        return NID_undef;
    }
}

/* OpenSSL 3.0 cannot reset a context's groups to its built-in default (an
 * SSL_CTX that was never given groups reports none): this is that default,
 * as ssl/t1_lib.c lists it. */
static const char default_groups[] = "x25519:secp256r1:x448:secp521r1:secp384r1:"
                                     "ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192";

otls_status oti_openssl_groups_apply(struct oti_openssl_ctx *c, const struct otls_ctx_config *cfg,
                                     otls_error *e)
{
    if (cfg->groups == NULL || cfg->group_count == 0) {
        if (!c->groups_changed)
            return OTLS_OK;
        if (!SSL_CTX_set1_groups_list(c->ssl_ctx, default_groups))
            return oti_openssl_queue_error(e, OTLS_ERR_INTERNAL,
                                           "could not restore the default groups");
        return OTLS_OK;
    }
    int nids[16];
    if (cfg->group_count > sizeof nids / sizeof nids[0])
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "too many groups");
    for (size_t i = 0; i < cfg->group_count; i++) {
        nids[i] = group_nid(cfg->groups[i]);
        if (nids[i] == NID_undef)
            return otls_error_setf(e, OTLS_ERR_UNSUPPORTED, "OpenSSL backend: unknown group %u",
                                   (unsigned)cfg->groups[i]);
    }
    if (!SSL_CTX_set1_groups(c->ssl_ctx, nids, cfg->group_count))
        return oti_openssl_queue_error(e, OTLS_ERR_UNSUPPORTED,
                                       "this OpenSSL cannot use the requested groups");
    c->groups_changed = 1;
    return OTLS_OK;
}

void oti_openssl_sessions_apply(struct oti_openssl_ctx *c, uint32_t sessions)
{
    if (sessions & OTLS_SESSION_TICKETS)
        SSL_CTX_clear_options(c->ssl_ctx, SSL_OP_NO_TICKET);
    else
        SSL_CTX_set_options(c->ssl_ctx, SSL_OP_NO_TICKET);
    if (c->role != OTLS_SERVER)
        return;
    SSL_CTX_set_session_cache_mode(
        c->ssl_ctx, (sessions & OTLS_SESSION_CACHE) ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_OFF);
    /* With SSL_OP_NO_TICKET a TLS 1.3 server sends stateful tickets that
     * name cache entries: with no cache either, it sends none. */
    SSL_CTX_set_num_tickets(c->ssl_ctx, sessions ? 2 : 0);
}
