/* Failing handshakes (verification, names, client certificates) and API
 * misuse: wrong state, NULL arguments, status names. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "harness.h"

/* Every error result must leave a message saying why. */
#define ASSERT_FAILED_WITH_TEXT(p, side)                                                           \
    cr_assert((p)->side##st < 0 && (p)->side##err[0] != '\0',                                      \
              "%s: " #side "-side %s with message \"%s\"", (p)->desc,                              \
              otls_status_name((p)->side##st), (p)->side##err)

ParameterizedTestParameters(handshake_errors, no_ca)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* A verifying client with no trust anchor fails with Python's message; the
 * server fails as well (either error) but must not hang. OPTIONAL acts as
 * REQUIRED on a client. */
ParameterizedTest(struct th_cell *cell, handshake_errors, no_ca)
{
    th_require_cell(cell);
    static const otls_verify modes[] = {OTLS_VERIFY_REQUIRED, OTLS_VERIFY_OPTIONAL};
    for (int i = 0; i < 2; i++) {
        struct th_opts o = th_opts_cell(cell);
        o.client_ca = 0;
        o.client_verify = modes[i];
        struct th_pair *p = th_pair_new(&o);
        cr_assert(p->cst == OTLS_ERR_VERIFY, "%s: client: %s (%s), expected OTLS_ERR_VERIFY",
                  p->desc, otls_status_name(p->cst), p->cerr);
        cr_assert(strstr(p->cerr, "certificate verify failed") != NULL,
                  "%s: client message \"%s\" lacks \"certificate verify failed\"", p->desc,
                  p->cerr);
        ASSERT_FAILED_WITH_TEXT(p, s);
        th_pair_free(p);
    }
}

ParameterizedTestParameters(handshake_errors, hostname)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* The name is checked against DNS and IP SANs; turning the check off lets a
 * wrong name through while the chain is still verified. */
ParameterizedTest(struct th_cell *cell, handshake_errors, hostname)
{
    th_require_cell(cell);
    static const char *const wrong[] = {"example.com", "127.0.0.2"};
    for (int i = 0; i < 2; i++) {
        struct th_opts o = th_opts_cell(cell);
        o.hostname = wrong[i];
        struct th_pair *p = th_pair_new(&o);
        /* The server fails too; there only "does not hang" matters. */
        cr_assert(p->cst == OTLS_ERR_VERIFY,
                  "%s: hostname %s: client %s (%s), expected OTLS_ERR_VERIFY", p->desc, wrong[i],
                  otls_status_name(p->cst), p->cerr);
        ASSERT_FAILED_WITH_TEXT(p, c);
        th_pair_free(p);
    }
    struct th_opts o = th_opts_cell(cell);
    o.hostname = "example.com";
    o.check_hostname = 0;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    th_pair_free(p);
}

ParameterizedTestParameters(handshake_errors, client_cert)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY, 0);
}

/* Server REQUIRED without a client certificate fails on the server;
 * OPTIONAL lets the client in without one; a client certificate the server
 * cannot verify fails on the server under either mode. */
ParameterizedTest(struct th_cell *cell, handshake_errors, client_cert)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.server_verify = OTLS_VERIFY_REQUIRED;
    o.client_cert = 0;
    struct th_pair *p = th_pair_new(&o);
    /* On TLS 1.3 the client may finish before the server decides: only the
     * server's result is fixed. */
    cr_assert(p->sst == OTLS_ERR_TLS || p->sst == OTLS_ERR_VERIFY,
              "%s: REQUIRED, no client cert: server %s (%s)", p->desc, otls_status_name(p->sst),
              p->serr);
    ASSERT_FAILED_WITH_TEXT(p, s);
    th_pair_free(p);

    o.server_verify = OTLS_VERIFY_OPTIONAL;
    p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const uint8_t *der = (const uint8_t *)"x";
    size_t len = 1;
    otls_status st = otls_peer_cert_der(p->server, &der, &len);
    cr_assert(st == OTLS_NONE && der == NULL && len == 0,
              "%s: OPTIONAL, no client cert: server peer cert %s", p->desc, otls_status_name(st));
    const otls_der *certs = NULL;
    size_t count = 1;
    st = otls_unverified_chain(p->server, &certs, &count);
    cr_assert(st == OTLS_NONE && count == 0, "%s: server chain without client cert: %s, %zu",
              p->desc, otls_status_name(st), count);
    th_pair_free(p);

    static const otls_verify asks[] = {OTLS_VERIFY_OPTIONAL, OTLS_VERIFY_REQUIRED};
    for (int i = 0; i < 2; i++) {
        o.server_verify = asks[i];
        o.client_cert = 1;
        o.server_ca = 0; /* the server cannot verify what it gets */
        p = th_pair_new(&o);
        cr_assert(p->sst == OTLS_ERR_VERIFY, "%s: untrusted client cert: server %s (%s)", p->desc,
                  otls_status_name(p->sst), p->serr);
        ASSERT_FAILED_WITH_TEXT(p, s);
        th_pair_free(p);
    }
}

/* ------------------------------------------------------------------------ */
/* API misuse                                                               */

/* Calls that failed as expected but left no message: collected, so that one
 * run names them all, then asserted by assert_all_explained(). */
static char silent[2048];

static void note_silent(const char *call)
{
    size_t n = strlen(silent);
    snprintf(silent + n, sizeof silent - n, "%s%s", n ? ", " : "", call);
}

static void assert_all_explained(const char *where)
{
    cr_assert(silent[0] == '\0', "%s: errors without a message (otls_*_error() is \"\"): %s", where,
              silent);
}

/* Checks st == want and that the connection holds a message. */
static void expect_conn(otls_conn *c, otls_status st, otls_status want, const char *call)
{
    cr_assert(st == want, "%s: %s, expected %s", call, otls_status_name(st),
              otls_status_name(want));
    if (!otls_conn_error(c) || !otls_conn_error(c)[0])
        note_silent(call);
}

static void all_not_done(otls_conn *c, const char *who)
{
    const uint8_t *der;
    size_t len, count;
    const otls_der *certs;
    otls_cipher_info info;
    const otls_cipher_info *list;
    const char *s;
    uint8_t buf[OTLS_CHANNEL_BINDING_MAX];
    const otls_status nd = OTLS_ERR_HANDSHAKE_NOT_DONE;
    cr_log_info("before the handshake: %s", who);
    expect_conn(c, otls_peer_cert_der(c, &der, &len), nd, "otls_peer_cert_der");
    expect_conn(c, otls_unverified_chain(c, &certs, &count), nd, "otls_unverified_chain");
    expect_conn(c, otls_verified_chain(c, &certs, &count), nd, "otls_verified_chain");
    expect_conn(c, otls_cipher(c, &info), nd, "otls_cipher");
    expect_conn(c, otls_protocol(c, &s), nd, "otls_protocol");
    expect_conn(c, otls_shared_ciphers(c, &list, &count), nd, "otls_shared_ciphers");
    expect_conn(c, otls_compression(c, &s), nd, "otls_compression");
    expect_conn(c, otls_alpn_selected(c, &s), nd, "otls_alpn_selected");
    expect_conn(c, otls_server_name(c, &s), nd, "otls_server_name");
    int reused;
    expect_conn(c, otls_session_reused(c, &reused), nd, "otls_session_reused");
    len = sizeof buf;
    expect_conn(c, otls_channel_binding(c, "tls-unique", buf, &len), nd, "otls_channel_binding");
}

ParameterizedTestParameters(api_errors, before_handshake)
{
    return th_cells(0, 0);
}

/* Python raises ValueError before the handshake; omnitls answers
 * OTLS_ERR_HANDSHAKE_NOT_DONE, with or without a transport set. */
ParameterizedTest(struct th_cell *cell, api_errors, before_handshake)
{
    struct th_opts o = th_opts_cell(cell);
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    otls_conn *c = otls_conn_new(cctx);
    otls_conn *s = otls_conn_new(sctx);
    cr_assert(c && s, "otls_conn_new failed");
    all_not_done(c, "client, no transport");
    all_not_done(s, "server, no transport");
    cr_assert(otls_conn_role(c) == OTLS_CLIENT && otls_conn_role(s) == OTLS_SERVER);
    otls_conn_free(c);
    otls_conn_free(s);

    /* Connected but not handshaken yet. */
    struct th_pair *p = th_pair_connect_only(cctx, sctx, &o);
    all_not_done(p->client, "client, transport set");
    all_not_done(p->server, "server, transport set");
    th_pair_free(p);
    assert_all_explained(th_cell_desc(cell));
}

ParameterizedTestParameters(api_errors, null_arguments)
{
    return th_cells(0, 0);
}

/* NULL where an object or an output is needed: OTLS_ERR_INVALID_ARGUMENT,
 * never a crash. */
ParameterizedTest(struct th_cell *cell, api_errors, null_arguments)
{
    const otls_status inv = OTLS_ERR_INVALID_ARGUMENT;
    struct th_opts o = th_opts_cell(cell);
    const struct tpki *pki = o.pki;

    /* Free functions accept NULL. */
    otls_ctx_free(NULL);
    otls_conn_free(NULL);
    cr_assert(otls_conn_new(NULL) == NULL, "otls_conn_new(NULL)");

    /* Context calls with a NULL context. */
    cr_assert_eq(otls_ctx_load_ca_file(NULL, "x"), inv);
    cr_assert_eq(otls_ctx_load_ca_dir(NULL, "x"), inv);
    cr_assert_eq(otls_ctx_load_ca_mem(NULL, pki->root_pem.data, pki->root_pem.len), inv);
    cr_assert_eq(otls_ctx_load_cert_chain_file(NULL, "x", NULL), inv);
    cr_assert_eq(otls_ctx_load_cert_chain_mem(NULL, "x", 1, NULL, 0), inv);
    cr_assert_eq(otls_ctx_set_verify(NULL, OTLS_VERIFY_NONE), inv);
    cr_assert_eq(otls_ctx_set_check_hostname(NULL, 1), inv);
    cr_assert_eq(otls_ctx_set_versions(NULL, OTLS_TLS1_2, OTLS_TLS1_3), inv);
    cr_assert_eq(otls_ctx_set_ciphers(NULL, "TLS_AES_128_GCM_SHA256"), inv);
    cr_assert_eq(otls_ctx_set_alpn(NULL, NULL, 0), inv);
    cr_assert_eq(otls_ctx_set_flags(NULL, 0), inv);

    /* Context calls with NULL inputs: refused, with a message. A fresh
     * context each time, so no earlier message can stand in. */
#define CTX_INV(call)                                                                              \
    do {                                                                                           \
        otls_ctx *ctx = th_ctx_make(&o, OTLS_CLIENT);                                              \
        otls_status st_ = (call);                                                                  \
        cr_assert(st_ == inv, "%s: %s", #call, otls_status_name(st_));                             \
        if (!otls_ctx_error(ctx)[0])                                                               \
            note_silent(#call);                                                                    \
        otls_ctx_free(ctx);                                                                        \
    } while (0)
    CTX_INV(otls_ctx_load_ca_file(ctx, NULL));
    CTX_INV(otls_ctx_load_ca_dir(ctx, NULL));
    CTX_INV(otls_ctx_load_ca_mem(ctx, NULL, 10));
    CTX_INV(otls_ctx_load_cert_chain_file(ctx, NULL, NULL));
    CTX_INV(otls_ctx_load_cert_chain_mem(ctx, NULL, 10, NULL, 0));
    CTX_INV(otls_ctx_set_alpn(ctx, NULL, 2));
    CTX_INV(otls_ctx_set_verify(ctx, (otls_verify)7));
#undef CTX_INV

    /* Connection calls with a NULL connection or NULL outputs. */
    otls_ctx *ctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_conn *c = otls_conn_new(ctx);
    cr_assert(c != NULL);
    size_t n = 0;
    uint8_t b[4];
    cr_assert_eq(otls_conn_set_fd(NULL, 0), inv);
    cr_assert_eq(otls_conn_set_io(NULL, NULL, NULL, NULL), inv);
    cr_assert_eq(otls_conn_set_hostname(NULL, "localhost"), inv);
    cr_assert_eq(otls_handshake(NULL), inv);
    cr_assert_eq(otls_read(NULL, b, sizeof b, &n), inv);
    cr_assert_eq(otls_write(NULL, b, sizeof b, &n), inv);
    cr_assert_eq(otls_shutdown(NULL), inv);
    expect_conn(c, otls_conn_set_io(c, NULL, NULL, NULL), inv, "otls_conn_set_io(NULL fns)");
    expect_conn(c, otls_conn_set_fd(c, -1), inv, "otls_conn_set_fd(-1)");
    expect_conn(c, otls_conn_set_hostname(c, NULL), inv, "otls_conn_set_hostname(NULL)");
    otls_conn_free(c);
    otls_ctx_free(ctx);

    /* Introspection with NULL outputs, after a real handshake. */
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    otls_conn *cc = p->client;
    expect_conn(cc, otls_peer_cert_der(cc, NULL, &n), inv, "otls_peer_cert_der(NULL der)");
    const uint8_t *der = NULL;
    expect_conn(cc, otls_peer_cert_der(cc, &der, NULL), inv, "otls_peer_cert_der(NULL len)");
    expect_conn(cc, otls_unverified_chain(cc, NULL, &n), inv, "otls_unverified_chain(NULL)");
    expect_conn(cc, otls_verified_chain(cc, NULL, &n), inv, "otls_verified_chain(NULL)");
    expect_conn(cc, otls_cipher(cc, NULL), inv, "otls_cipher(NULL)");
    expect_conn(cc, otls_protocol(cc, NULL), inv, "otls_protocol(NULL)");
    expect_conn(p->server, otls_shared_ciphers(p->server, NULL, &n), inv,
                "otls_shared_ciphers(NULL)");
    expect_conn(cc, otls_compression(cc, NULL), inv, "otls_compression(NULL)");
    expect_conn(cc, otls_alpn_selected(cc, NULL), inv, "otls_alpn_selected(NULL)");
    expect_conn(cc, otls_server_name(cc, NULL), inv, "otls_server_name(NULL)");
    expect_conn(cc, otls_read(cc, NULL, 4, &n), inv, "otls_read(NULL buf)");
    expect_conn(cc, otls_write(cc, b, sizeof b, NULL), inv, "otls_write(NULL put)");
    const char *s = NULL;
    cr_assert_eq(otls_protocol(NULL, &s), inv);
    cr_assert_eq(otls_peer_cert_der(NULL, &der, &n), inv);
    th_pair_free(p);
    assert_all_explained(th_cell_desc(cell));
}

/* Every status has its own constant name, the enum's identifier. */
Test(api_errors, status_names)
{
    static const struct {
        otls_status st;
        const char *name;
    } all[] = {
        {OTLS_OK, "OTLS_OK"},
        {OTLS_NONE, "OTLS_NONE"},
        {OTLS_WANT_READ, "OTLS_WANT_READ"},
        {OTLS_WANT_WRITE, "OTLS_WANT_WRITE"},
        {OTLS_CLOSED, "OTLS_CLOSED"},
        {OTLS_ERR_INVALID_ARGUMENT, "OTLS_ERR_INVALID_ARGUMENT"},
        {OTLS_ERR_NO_MEMORY, "OTLS_ERR_NO_MEMORY"},
        {OTLS_ERR_UNSUPPORTED, "OTLS_ERR_UNSUPPORTED"},
        {OTLS_ERR_HANDSHAKE_NOT_DONE, "OTLS_ERR_HANDSHAKE_NOT_DONE"},
        {OTLS_ERR_NOT_FOUND, "OTLS_ERR_NOT_FOUND"},
        {OTLS_ERR_IO, "OTLS_ERR_IO"},
        {OTLS_ERR_TLS, "OTLS_ERR_TLS"},
        {OTLS_ERR_VERIFY, "OTLS_ERR_VERIFY"},
        {OTLS_ERR_BUFFER_TOO_SMALL, "OTLS_ERR_BUFFER_TOO_SMALL"},
        {OTLS_ERR_FILE, "OTLS_ERR_FILE"},
        {OTLS_ERR_PARSE, "OTLS_ERR_PARSE"},
        {OTLS_ERR_STATE, "OTLS_ERR_STATE"},
        {OTLS_ERR_INTERNAL, "OTLS_ERR_INTERNAL"},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *got = otls_status_name(all[i].st);
        cr_assert(got != NULL, "otls_status_name(%d) is NULL", (int)all[i].st);
        cr_assert_str_eq(got, all[i].name, "otls_status_name(%d)", (int)all[i].st);
    }
    /* Out of range: still a string, never NULL. */
    static const int odd[] = {42, -42, 5, -14};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        const char *got = otls_status_name((otls_status)odd[i]);
        cr_assert(got != NULL && got[0], "otls_status_name(%d) is NULL or empty", odd[i]);
    }
}
