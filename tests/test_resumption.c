/* Client session resumption: taking a session, offering it to a later
 * connection of the same contexts, and what the resumed connection reports
 * (Python's session_reused, peer certificates, tls-unique). */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "harness.h"

static int reused(otls_conn *c, const char *d, const char *who)
{
    int r = -1;
    otls_status st = otls_session_reused(c, &r);
    cr_assert(st == OTLS_OK && (r == 0 || r == 1), "%s: %s session_reused: %s, %d", d, who,
              otls_status_name(st), r);
    return r;
}

ParameterizedTestParameters(resumption, resume)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_SERVER_VERIFY, 0);
}

ParameterizedTest(struct th_cell *cell, resumption, resume)
{
    th_require_cell(cell);
    th_require(cell->client_backend, OTLS_FEAT_RESUMPTION, "session resumption");
    th_require(cell->server_backend, OTLS_FEAT_RESUMPTION, "session resumption");
    struct th_opts o = th_opts_cell(cell);
    o.client_cert = 1;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);

    struct th_pair *p = th_pair_connect(cctx, sctx, &o);
    p->keep_ctx = 1; /* the second connection resumes on the same contexts */
    th_pair_assert_ok(p);
    const char *d = p->desc;
    cr_assert(reused(p->client, d, "client") == 0 && reused(p->server, d, "server") == 0,
              "%s: a first handshake reports a resumed session", d);
    otls_session *sess = (otls_session *)p; /* must be overwritten */
    otls_status st;
    if (cell->version == OTLS_TLS1_3) {
        /* Tickets come after the handshake: nothing to take yet. */
        st = otls_conn_get_session(p->client, &sess);
        cr_assert(st == OTLS_NONE && sess == NULL,
                  "%s: TLS 1.3 session before any read: %s, %p (expected OTLS_NONE, NULL)", d,
                  otls_status_name(st), (void *)sess);
    }
    /* One byte of application data brings the TLS 1.3 tickets along. */
    size_t n = 0;
    uint8_t b = 0;
    st = otls_write(p->server, "x", 1, &n);
    cr_assert(st == OTLS_OK && n == 1, "%s: server write: %s", d, otls_status_name(st));
    st = otls_read(p->client, &b, 1, &n);
    cr_assert(st == OTLS_OK && n == 1 && b == 'x', "%s: client read: %s", d, otls_status_name(st));
    sess = NULL;
    st = otls_conn_get_session(p->client, &sess);
    cr_assert(st == OTLS_OK && sess != NULL, "%s: otls_conn_get_session: %s (%s)", d,
              otls_status_name(st), otls_conn_error(p->client));
    /* A clean close: stacks may refuse to resume a session whose connection
     * ended without close_notify (OpenSSL does). */
    st = otls_shutdown(p->client);
    cr_assert(st == OTLS_OK, "%s: client shutdown: %s", d, otls_status_name(st));
    th_pair_free(p);

    o.session = sess;
    p = th_pair_connect(cctx, sctx, &o);
    otls_session_free(sess); /* the connection holds its own reference */
    th_pair_assert_ok(p);
    d = p->desc;
    cr_assert(reused(p->client, d, "client") == 1, "%s: client: session not reused", d);
    cr_assert(reused(p->server, d, "server") == 1, "%s: server: session not reused", d);

    /* A resumed session keeps the peer certificates (getpeercert). */
    const uint8_t *der = NULL;
    size_t len = 0;
    st = otls_peer_cert_der(p->client, &der, &len);
    cr_assert(st == OTLS_OK && th_der_eq(der, len, &p->pki->server_der),
              "%s: resumed client's peer cert: %s", d, otls_status_name(st));
    st = otls_peer_cert_der(p->server, &der, &len);
    if (cell->server_verify != OTLS_VERIFY_NONE)
        cr_assert(st == OTLS_OK && th_der_eq(der, len, &p->pki->client_der),
                  "%s: resumed server's peer cert: %s", d, otls_status_name(st));
    else
        cr_assert(st == OTLS_NONE, "%s: resumed server that did not ask: %s", d,
                  otls_status_name(st));
    const char *ver = NULL;
    cr_assert(otls_protocol(p->client, &ver) == OTLS_OK &&
                  strcmp(ver, th_version_name(cell->version)) == 0,
              "%s: resumed protocol %s", d, ver ? ver : "(NULL)");

    /* TLS 1.2 abbreviated handshake: the server's Finished comes first, and
     * tls-unique (own Finished if resumed XOR client) is still one value. */
    if (cell->version == OTLS_TLS1_2) {
        uint8_t cb[OTLS_CHANNEL_BINDING_MAX], sb[OTLS_CHANNEL_BINDING_MAX];
        size_t cl = sizeof cb, sl = sizeof sb;
        otls_status c1 = otls_channel_binding(p->client, "tls-unique", cb, &cl);
        otls_status s1 = otls_channel_binding(p->server, "tls-unique", sb, &sl);
        cr_assert(c1 == OTLS_OK && s1 == OTLS_OK, "%s: resumed tls-unique: %s / %s", d,
                  otls_status_name(c1), otls_status_name(s1));
        cr_assert(cl == 12 && sl == 12 && memcmp(cb, sb, 12) == 0,
                  "%s: resumed tls-unique differs between the ends", d);
    }
    p->keep_ctx = 0; /* frees the contexts too */
    th_pair_free(p);
}

ParameterizedTestParameters(resumption, misuse)
{
    return th_cells(0, 0);
}

/* Sessions go to clients, before their handshake; NULL is refused. */
ParameterizedTest(struct th_cell *cell, resumption, misuse)
{
    struct th_opts o = th_opts_cell(cell);
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;
    const otls_backend_info *info = th_backend(cell->client_backend);

    /* Data first, so that TLS 1.3 tickets have arrived. */
    size_t n = 0;
    uint8_t b = 0;
    otls_status st = otls_write(p->server, "x", 1, &n);
    cr_assert(st == OTLS_OK && otls_read(p->client, &b, 1, &n) == OTLS_OK, "%s: data", d);
    otls_session *sess = NULL;
    st = otls_conn_get_session(p->client, &sess);
    if (!(info->features & OTLS_FEAT_RESUMPTION)) {
        cr_assert(st == OTLS_ERR_UNSUPPORTED && otls_conn_error(p->client)[0],
                  "%s: backend without RESUMPTION: get_session gives %s", d, otls_status_name(st));
        th_pair_free(p);
        cr_skip_test("backend %s lacks session resumption", info->name);
    }
    cr_assert(st == OTLS_OK && sess != NULL, "%s: get_session: %s", d, otls_status_name(st));
    st = otls_conn_set_session(p->client, sess);
    cr_assert(st == OTLS_ERR_STATE && otls_conn_error(p->client)[0],
              "%s: set_session after the handshake: %s", d, otls_status_name(st));
    st = otls_conn_set_session(p->server, sess);
    cr_assert(st == OTLS_ERR_STATE && otls_conn_error(p->server)[0],
              "%s: set_session on a server: %s", d, otls_status_name(st));
    /* A server connection before its handshake is refused as well. */
    otls_conn *fresh = otls_conn_new(p->sctx);
    cr_assert(fresh != NULL);
    st = otls_conn_set_session(fresh, sess);
    cr_assert(st == OTLS_ERR_STATE, "%s: set_session on a fresh server conn: %s", d,
              otls_status_name(st));
    otls_conn_free(fresh);
    otls_session_free(sess);
    otls_session_free(NULL);
    cr_assert_eq(otls_conn_get_session(NULL, &sess), OTLS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(otls_conn_get_session(p->client, NULL), OTLS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(otls_conn_set_session(NULL, NULL), OTLS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(otls_session_reused(p->client, NULL), OTLS_ERR_INVALID_ARGUMENT);
    int r = 0;
    cr_assert_eq(otls_session_reused(NULL, &r), OTLS_ERR_INVALID_ARGUMENT);
    th_pair_free(p);
}
