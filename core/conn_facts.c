/* The snapshot taken when a handshake completes: every introspection call
 * afterwards is a read of these facts (libtls's model). */
#include <string.h>

#include "cipher_suites.h"
#include "internal.h"

void oti_fill_cipher(otls_cipher_info *info, const struct oti_suite *s)
{
    info->name = s->name;
    info->protocol = oti_suite_protocol(s);
    info->secret_bits = oti_suite_bits(s);
    info->iana_id = s->id;
    info->iana_name = s->iana_name;
}

/* Python's shared_ciphers(): the server's enabled suites, in its order, that
 * the client offered. The client's list comes from the ClientHello the core
 * watched, so every backend answers alike. */
static otls_status take_shared(otls_conn *conn)
{
    struct oti_facts *f = &conn->facts;
    const struct otls_provider *prov = conn->ctx->prov;
    uint16_t enabled[512];
    size_t n = 0;

    const struct otls_peer_hello *hello = &conn->hello;
    if (!hello->complete || hello->suite_count == 0 || prov->enabled_suites == NULL)
        return OTLS_OK; /* shared_known stays false: reported on request */
    if (prov->enabled_suites(conn->state, enabled, sizeof enabled / sizeof enabled[0], &n) < 0)
        return OTLS_OK;
    f->shared = oti_calloc(n ? n : 1, sizeof *f->shared);
    if (f->shared == NULL)
        return oti_conn_fail(conn, OTLS_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const struct oti_suite *s = oti_suite_by_id(enabled[i]);
        if (s == NULL)
            continue;
        for (size_t j = 0; j < hello->suite_count; j++) {
            if (hello->suites[j] == enabled[i]) {
                oti_fill_cipher(&f->shared[f->shared_count++], s);
                break;
            }
        }
    }
    f->shared_known = true;
    return OTLS_OK;
}

static otls_status read_chains(otls_conn *conn, struct oti_chains *c, const otls_der *leaf)
{
    const struct otls_provider *prov = conn->ctx->prov;
    otls_status st = prov->peer_chain(conn->state, &c->peer.sink);
    /* One copy of the leaf, the one already given out; before the verified
     * chain is read, which then shares peer's entries. */
    if (st >= 0 && leaf->data != NULL)
        oti_der_list_borrow(&c->peer, leaf);
    if (st >= 0 && conn->facts.session.peer_verified && prov->verified_chain)
        st = prov->verified_chain(conn->state, &c->verified.sink);
    else if (st >= 0 && conn->verify == OTLS_VERIFY_NONE)
        /* Nothing was verified: the chain as sent is all there is, on every
         * backend alike (some stacks do not even build a chain then). */
        st = oti_der_list_append(&c->verified, &c->peer) ? OTLS_ERR_NO_MEMORY : OTLS_OK;
    return st;
}

static void chains_free(struct oti_chains *c)
{
    if (c == NULL)
        return;
    oti_der_list_clear(&c->verified); /* first: it borrows peer's copies */
    oti_der_list_clear(&c->peer);
    oti_free(c);
}

otls_status oti_facts_leaf(otls_conn *conn, const otls_der **out)
{
    struct oti_facts *f = &conn->facts;
    if (!f->leaf_known) {
        /* The peer certificate alone: most connections ask for nothing
         * more, and the rest of the chain is a kilobyte or more. */
        struct oti_der_list one;
        oti_der_list_init(&one);
        one.limit = 1;
        otls_status st = conn->ctx->prov->peer_chain(conn->state, &one.sink);
        if (st < 0) {
            oti_der_list_clear(&one);
            return oti_conn_fail(conn, st, "%s: could not read the certificate chains",
                                 conn->ctx->prov->name);
        }
        if (one.count > 0) {
            f->leaf = one.items[0];
            f->leaf_owned = !(one.borrowed & 1); /* else the backend keeps it */
            one.count = 0;                       /* the facts' now */
        }
        oti_der_list_clear(&one);
        f->leaf_known = true;
    }
    *out = &f->leaf;
    return OTLS_OK;
}

otls_status oti_facts_chains(otls_conn *conn, const struct oti_chains **out)
{
    struct oti_facts *f = &conn->facts;
    if (f->chains == NULL) {
        const otls_der *leaf;
        otls_status st = oti_facts_leaf(conn, &leaf);
        if (st < 0)
            return st;
        struct oti_chains *c = oti_malloc(sizeof *c);
        if (c == NULL)
            return oti_conn_fail(conn, OTLS_ERR_NO_MEMORY, "out of memory");
        oti_der_list_init(&c->peer);
        oti_der_list_init(&c->verified);
        c->verified.share = &c->peer;
        st = read_chains(conn, c, leaf);
        if (st < 0) {
            chains_free(c); /* nothing kept: a later call asks again */
            return oti_conn_fail(conn, st, "%s: could not read the certificate chains",
                                 conn->ctx->prov->name);
        }
        f->chains = c;
    }
    *out = f->chains;
    return OTLS_OK;
}

/* Copies the facts, the two strings into one allocation of their size. */
static otls_status keep_session(struct oti_session *out, struct otls_session_facts *s)
{
    s->alpn[sizeof s->alpn - 1] = '\0';
    s->server_name[sizeof s->server_name - 1] = '\0';
    out->version = s->version;
    out->suite = s->suite;
    out->resumed = s->resumed;
    out->extended_master_secret = s->extended_master_secret;
    out->peer_verified = s->peer_verified;
    out->alpn = out->server_name = "";
    size_t a = strlen(s->alpn), n = strlen(s->server_name);
    if (a + n == 0)
        return OTLS_OK;
    oti_free(out->strings);
    out->strings = oti_malloc(a + 1 + n + 1);
    if (out->strings == NULL)
        return OTLS_ERR_NO_MEMORY;
    memcpy(out->strings, s->alpn, a + 1);
    memcpy(out->strings + a + 1, s->server_name, n + 1);
    out->alpn = out->strings;
    out->server_name = out->strings + a + 1;
    return OTLS_OK;
}

otls_status oti_facts_take(otls_conn *conn)
{
    struct oti_facts *f = &conn->facts;
    const struct otls_provider *prov = conn->ctx->prov;

    struct otls_session_facts s; /* the backend's answer; ~530 bytes, on the stack */
    memset(&s, 0, sizeof s);
    otls_status st = prov->session(conn->state, &s);
    if (st < 0)
        return oti_conn_fail(conn, st, "%s: could not read the session", prov->name);
    st = keep_session(&f->session, &s);
    if (st < 0)
        return oti_conn_fail(conn, st, "out of memory");

    if (prov->finished) {
        /* Not kept (tls-unique asks the backend again), but asked once now:
         * a backend that derives Finished from the handshake's records
         * (mbedTLS 3.6, TLS 1.3) does so while they are at hand and frees
         * them. */
        uint8_t fin[64];
        size_t n = 0;
        (void)prov->finished(conn->state, 1, fin, sizeof fin, &n);
    }
    if (conn->ctx->cfg.role == OTLS_SERVER)
        st = take_shared(conn);
    /* The hello's bytes and lists go (per-connection memory, issue 8): the
     * shared ciphers were taken from them, and a backend reads them only
     * during the handshake (provider.h). The struct stays, with its flags. */
    if (conn->tap != NULL) {
        oti_hello_tap_free(conn->tap);
        oti_free(conn->tap);
        conn->tap = NULL; /* application data is none of its business */
    }
    conn->hello.suites = NULL;
    conn->hello.suite_count = 0;
    conn->hello.alpn = NULL;
    conn->hello.alpn_len = 0;
    return st;
}

void oti_facts_free(struct oti_facts *f)
{
    chains_free(f->chains);
    f->chains = NULL;
    if (f->leaf_owned)
        oti_free((void *)f->leaf.data);
    f->leaf_owned = false;
    f->leaf.data = NULL;
    f->leaf.len = 0;
    f->leaf_known = false;
    oti_free(f->kept);
    f->kept = NULL;
    oti_free(f->shared);
    f->shared = NULL;
    oti_free(f->session.strings);
    f->session.strings = NULL;
    f->session.alpn = f->session.server_name = "";
    f->shared_count = 0;
}
