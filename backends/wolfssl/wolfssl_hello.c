/* The peer's hello, as the core read it (otls_peer_hello) from the bytes
 * just received, before wolfSSL parses them. It tells whether the extended
 * master secret was negotiated (wolfSSL 5.5 has no getter for it), and
 * lets a server with the default suite list honour the client's order, as
 * OpenSSL's does (wolfSSL always picks by its own list). ALPN needs nothing
 * here: the select callback already goes on without ALPN when nothing
 * overlaps. */
#include "wolfssl_backend.h"

void oti_wolfssl_hello_apply(struct oti_wolfssl_conn *c)
{
    const struct otls_peer_hello *h = c->peer_hello;
    if (c->hello_applied || h == NULL || !h->complete)
        return;
    c->hello_applied = 1;
    /* wolfSSL offers the extended master secret and accepts it whenever
     * the peer does, so the peer's hello decides. */
    c->ems = h->extended_master_secret;
    if (c->ctx->role == OTLS_SERVER && !c->custom_suites && h->suite_count > 0)
        oti_wolfssl_suites_by_client(c, h->suites, h->suite_count);
}
