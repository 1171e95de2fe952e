/* The peer's hello, as the core read it (otls_peer_hello) from the bytes
 * just received, before mbedTLS parses them. It tells whether the extended
 * master secret was negotiated (mbedTLS 2.28 keeps that in its private
 * handshake state only), and lets a server act as OpenSSL's does where
 * mbedTLS differs: ALPN without overlap is ignored rather than fatal, and
 * with the default suite list the client's order wins. */
#include <string.h>

#include <mbedtls/platform.h>

#include "mbedtls_backend.h"

/* The client offered ALPN and none of its protocols is ours. */
static int alpn_disjoint(const char *const *ours, const uint8_t *list, size_t len)
{
    for (const char *const *o = ours; *o != NULL; o++) {
        size_t olen = strlen(*o);
        for (size_t i = 0; i < len; i += 1 + (size_t)list[i]) {
            size_t n = list[i];
            if (i + 1 + n > len)
                return 0; /* malformed: let mbedTLS say so */
            if (n == olen && memcmp(list + i + 1, *o, n) == 0)
                return 0;
        }
    }
    return 1;
}

/* The suites of ours that are in by_client (our list filtered by the
 * client's offer, in the client's order) come in the same order there. */
static int same_order(const int *ours, const int *by_client)
{
    size_t k = 0;
    for (size_t i = 0; ours[i] != 0 && by_client[k] != 0; i++) {
        int offered = 0;
        for (size_t j = 0; by_client[j] != 0; j++)
            if (by_client[j] == ours[i]) {
                offered = 1;
                break;
            }
        if (!offered)
            continue;
        if (by_client[k] != ours[i])
            return 0;
        k++;
    }
    return 1;
}

void oti_mbedtls_hello_apply(struct oti_mbedtls_conn *c)
{
    const struct otls_peer_hello *h = c->peer_hello;
    if (c->hello_applied || h == NULL || !h->complete)
        return;
    c->hello_applied = 1;
    /* mbedTLS offers the extended master secret and accepts it whenever
     * the peer does, so the peer's hello decides. */
    c->ems = !!h->extended_master_secret;
    if (c->ctx->role != OTLS_SERVER)
        return;
    /* OpenSSL's server (and omnitls's OpenSSL backend) goes on without ALPN
     * when nothing overlaps; mbedTLS would send no_application_protocol. */
    const struct oti_mbedtls_shared *sh = c->sh;
    if (sh->alpn != NULL && h->has_alpn && alpn_disjoint(sh->alpn, h->alpn, h->alpn_len)) {
        mbedtls_ssl_config *conf = oti_mbedtls_conf_private(c);
        if (conf != NULL) /* out of memory: mbedTLS refuses the hello */
            oti_mbedtls_conf_alpn_off(conf);
    }
    /* OpenSSL honours the client's order unless a suite list was set
     * (SSL_OP_CIPHER_SERVER_PREFERENCE); mbedTLS always picks by its own
     * list, so give it the client's order for this connection, when that
     * order differs from ours among the suites both have (the common case
     * of two ends with the same defaults needs no private configuration). */
    if (!sh->custom_suites && sh->suites != NULL && h->suite_count > 0) {
        size_t n = 0;
        while (sh->suites[n] != 0)
            n++;
        int *list = oti_mbedtls_suites_by_client(sh->suites, n, h->suites, h->suite_count);
        if (list == NULL)
            return;
        if (same_order(sh->suites, list)) {
            oti_mbedtls_free(list);
            return;
        }
        mbedtls_ssl_config *conf = oti_mbedtls_conf_private(c);
        if (conf == NULL) {
            oti_mbedtls_free(list); /* out of memory: our own order */
            return;
        }
        mbedtls_ssl_conf_ciphersuites(conf, list);
        oti_mbedtls_free(c->suites_by_client);
        c->suites_by_client = list;
    }
}
