/* The snapshot taken when a handshake completes: every introspection call
 * afterwards is a read of these facts (libtls's model). */
#include <string.h>

#include "cipher_suites.h"
#include "internal.h"

static void fill_cipher(otls_cipher_info *info, const struct oti_suite *s)
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

    const struct otls_peer_hello *hello = &conn->tap.hello;
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
                fill_cipher(&f->shared[f->shared_count++], s);
                break;
            }
        }
    }
    f->shared_known = true;
    return OTLS_OK;
}

static otls_status take_chains(otls_conn *conn)
{
    struct oti_facts *f = &conn->facts;
    const struct otls_provider *prov = conn->ctx->prov;
    otls_status st = prov->peer_chain(conn->state, &f->peer_chain.sink);
    f->verified_chain.share = &f->peer_chain;
    if (st >= 0 && f->session.peer_verified && prov->verified_chain)
        st = prov->verified_chain(conn->state, &f->verified_chain.sink);
    else if (st >= 0 && conn->ctx->cfg.verify == OTLS_VERIFY_NONE)
        /* Nothing was verified: the chain as sent is all there is, on every
         * backend alike (some stacks do not even build a chain then). */
        st = oti_der_list_append(&f->verified_chain, &f->peer_chain) ? OTLS_ERR_NO_MEMORY : OTLS_OK;
    if (st < 0)
        return oti_conn_fail(conn, st, "%s: could not read the certificate chains", prov->name);
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

    const struct oti_suite *suite = oti_suite_by_id(f->session.suite);
    if (suite) {
        fill_cipher(&f->cipher, suite);
        f->cipher_known = true;
    }
    if (prov->finished) {
        if (prov->finished(conn->state, 1, f->own_finished, sizeof f->own_finished,
                           &f->own_finished_len) < 0)
            f->own_finished_len = 0;
        if (prov->finished(conn->state, 0, f->peer_finished, sizeof f->peer_finished,
                           &f->peer_finished_len) < 0)
            f->peer_finished_len = 0;
    }
    st = take_chains(conn);
    if (st >= 0 && conn->ctx->cfg.role == OTLS_SERVER)
        st = take_shared(conn);
    /* The hello stays: the backend may hold pointers into it. */
    conn->tap.finished = 1; /* application data is none of its business */
    return st;
}

void oti_facts_free(struct oti_facts *f)
{
    oti_der_list_clear(&f->peer_chain);
    oti_der_list_clear(&f->verified_chain);
    oti_free(f->shared);
    f->shared = NULL;
    oti_free(f->session.strings);
    f->session.strings = NULL;
    f->session.alpn = f->session.server_name = "";
    f->shared_count = 0;
}
