/* One complete connection between two shared contexts, driven in the
 * calling thread, and the introspection answers it gave: shared by the
 * threaded load test (test_load.c) and the soak program (soak.c). No
 * Criterion call here, so any thread may use it. */
#ifndef OTLS_TESTS_LOAD_PAIR_H
#define OTLS_TESTS_LOAD_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include <omnitls/omnitls.h>

#include "testpki.h"

#define LP_BINDINGS 3 /* tls-unique, tls-server-end-point, tls-exporter */

/* What a connection reported. Equal for every connection between the same
 * two contexts; binding values differ per connection, so only their
 * status, length and whether both ends agree are kept. */
struct lp_facts {
    char cipher[64], protocol[16];
    uint16_t iana_id;
    uint64_t client_peer_hash, server_peer_hash; /* FNV-1a of the peer's DER */
    size_t client_unverified, client_verified;   /* chain lengths */
    size_t server_unverified, server_verified;
    size_t shared_ciphers;
    otls_status binding_status[LP_BINDINGS];
    size_t binding_len[LP_BINDINGS];
    int binding_agree[LP_BINDINGS]; /* client and server values are equal */
};

extern const char *const lp_binding_names[LP_BINDINGS];

/* A client and a server context for one backend: the server sends the
 * test PKI's chain and requires a client certificate; the client verifies
 * the server and sends its own. Returns 0, or -1 with a reason in err. */
int lp_contexts(const char *backend, const struct tpki *pki, otls_ctx **client, otls_ctx **server,
                char *err, size_t err_len);

/* One connection over a socket pair: both handshakes (non-blocking, this
 * thread), the introspection calls on both ends, a few bytes of data,
 * close_notify, free. Returns 0 and fills *facts, or -1 with a reason. */
int lp_connect(otls_ctx *client, otls_ctx *server, struct lp_facts *facts, char *err,
               size_t err_len);

/* 1 when the two are the same answers. */
int lp_facts_equal(const struct lp_facts *a, const struct lp_facts *b);

/* A one-line description, for messages. */
void lp_facts_desc(const struct lp_facts *f, char *buf, size_t len);

#endif
