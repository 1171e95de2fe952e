/* ALPN selection and SNI, seen from both ends. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "harness.h"

/* ------------------------------------------------------------------------ */
/* ALPN                                                                     */

static const char *const http11[] = {"http/1.1"};
static const char *const h2_http11[] = {"h2", "http/1.1"};
static const char *const http11_h2[] = {"http/1.1", "h2"};
static const char *const spdy[] = {"spdy/3"};
static const char *const h2[] = {"h2"};

static const struct alpn_case {
    const char *what;
    const char *const *client;
    size_t nclient;
    const char *const *server;
    size_t nserver;
    const char *want; /* NULL: OTLS_NONE on both ends */
} alpn_cases[] = {
    {"overlap", http11, 1, h2_http11, 2, "http/1.1"},
    /* The server picks by its own preference, as Python/OpenSSL do. */
    {"server preference", h2_http11, 2, http11_h2, 2, "http/1.1"},
    {"no overlap", spdy, 1, h2, 1, NULL},
    {"server without ALPN", http11, 1, NULL, 0, NULL},
    {"client without ALPN", NULL, 0, h2_http11, 2, NULL},
};
#define NALPN ((int)(sizeof alpn_cases / sizeof alpn_cases[0]))

ParameterizedTestParameters(alpn, selection)
{
    return th_cells(TH_DIM_VERSION, NALPN);
}

ParameterizedTest(struct th_cell *cell, alpn, selection)
{
    const struct alpn_case *k = &alpn_cases[cell->row];
    th_require_cell(cell);
    th_require(cell->client_backend, OTLS_FEAT_ALPN, "ALPN");
    th_require(cell->server_backend, OTLS_FEAT_ALPN, "ALPN");
    struct th_opts o = th_opts_cell(cell);
    o.client_alpn = k->client;
    o.client_alpn_count = k->nclient;
    o.server_alpn = k->server;
    o.server_alpn_count = k->nserver;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);

    otls_conn *ends[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        const char *who = i ? "server" : "client";
        const char *got = NULL;
        otls_status st = otls_alpn_selected(ends[i], &got);
        if (k->want) {
            cr_assert(st == OTLS_OK, "%s: %s: %s ALPN: %s", p->desc, k->what, who,
                      otls_status_name(st));
            cr_assert(got && strcmp(got, k->want) == 0, "%s: %s: %s ALPN \"%s\", expected %s",
                      p->desc, k->what, who, got ? got : "(NULL)", k->want);
        } else {
            cr_assert(st == OTLS_NONE, "%s: %s: %s ALPN: %s (\"%s\"), expected OTLS_NONE", p->desc,
                      k->what, who, otls_status_name(st), st == OTLS_OK && got ? got : "");
        }
    }
    th_pair_free(p);
}

ParameterizedTestParameters(alpn, context_changed_after_connect)
{
    /* row 0: the contexts change between otls_conn_new and the handshake;
     * row 1: while both handshakes run (the backends' connections exist). */
    return th_cells(TH_DIM_CROSS | TH_DIM_VERSION, 2);
}

static void assert_alpn(const struct th_pair *p, const char *want, const char *when)
{
    otls_conn *ends[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        const char *got = NULL;
        otls_status st = otls_alpn_selected(ends[i], &got);
        cr_assert(st == OTLS_OK && got && strcmp(got, want) == 0,
                  "%s: %s: %s ALPN %s \"%s\", expected %s", p->desc, when, i ? "server" : "client",
                  otls_status_name(st), st == OTLS_OK && got ? got : "", want);
    }
}

static const char *const a_b[] = {"a", "b"};
static const char *const only_a[] = {"a"};
static const char *const only_b[] = {"b"};

/* A connection keeps its contexts' ALPN lists as of otls_conn_new, on
 * every backend, whether the contexts change before its handshake starts or
 * during it (an OpenSSL server once read its context's current list in its
 * selection callback); the next connection takes the new lists. */
ParameterizedTest(struct th_cell *cell, alpn, context_changed_after_connect)
{
    th_require_cell(cell);
    th_require(cell->client_backend, OTLS_FEAT_ALPN, "ALPN");
    th_require(cell->server_backend, OTLS_FEAT_ALPN, "ALPN");
    struct th_opts o = th_opts_cell(cell);
    o.client_alpn = a_b;
    o.client_alpn_count = 2;
    o.server_alpn = only_a;
    o.server_alpn_count = 1;
    o.transport = TH_CALLBACKS;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    struct th_pair *p = th_pair_connect_only(cctx, sctx, &o);
    p->keep_ctx = 1;
    const char *when = "changed before the handshake";
    if (cell->row == 1) {
        when = "changed during the handshake";
        th_pair_start(p); /* both ends' handshakes have started */
    }
    cr_assert(otls_ctx_set_alpn(cctx, only_b, 1) == OTLS_OK, "client: %s", otls_ctx_error(cctx));
    cr_assert(otls_ctx_set_alpn(sctx, only_b, 1) == OTLS_OK, "server: %s", otls_ctx_error(sctx));
    th_pair_drive(p);
    th_pair_assert_ok(p);
    assert_alpn(p, "a", when);
    struct th_pair *q = th_pair_connect(cctx, sctx, &o);
    th_pair_assert_ok(q);
    assert_alpn(q, "b", "made after the change");
    th_pair_free(p);
    th_pair_free(q); /* and the contexts */
}

struct handshake_arg {
    otls_conn *conn;
    otls_status st;
    atomic_int *running;
};

static void *handshake_thread(void *p)
{
    struct handshake_arg *a = p;
    a->st = otls_handshake(a->conn);
    atomic_fetch_sub(a->running, 1);
    return NULL;
}

static const char *const b_c[] = {"b", "c"};

ParameterizedTestParameters(alpn, context_changed_by_another_thread)
{
    return th_cells(TH_DIM_CROSS | TH_DIM_VERSION, 0);
}

/* Both handshakes run in threads of their own while this one keeps
 * replacing the server context's ALPN list and chain (what a server that
 * reloads its configuration does): the connection made before keeps what
 * it started with, and nothing it uses is freed under it (an OpenSSL
 * server's ALPN callback once read the context's list; run under ASan and
 * TSan by scripts/ci). */
ParameterizedTest(struct th_cell *cell, alpn, context_changed_by_another_thread)
{
    th_require_cell(cell);
    th_require(cell->client_backend, OTLS_FEAT_ALPN, "ALPN");
    th_require(cell->server_backend, OTLS_FEAT_ALPN, "ALPN");
    struct th_opts o = th_opts_cell(cell);
    const struct tpki *a = o.pki;
    const struct tpki *b = th_cell_pki(cell, cell->key == TPKI_EC ? TPKI_RSA : TPKI_EC);
    o.client_alpn = a_b;
    o.client_alpn_count = 2;
    o.server_alpn = only_a;
    o.server_alpn_count = 1;
    o.transport = TH_FD; /* blocking: each end in its own thread */
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    cr_assert(otls_ctx_load_ca_mem(cctx, b->root_pem.data, b->root_pem.len) == OTLS_OK, "%s",
              otls_ctx_error(cctx));
    struct th_pair *p = th_pair_connect_only(cctx, sctx, &o);
    p->keep_ctx = 1;
    atomic_int running = 2;
    struct handshake_arg hs[2] = {{p->server, OTLS_OK, &running}, {p->client, OTLS_OK, &running}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        cr_assert(pthread_create(&t[i], NULL, handshake_thread, &hs[i]) == 0);
    int changes = 0;
    while (atomic_load(&running) > 0 || changes < 20) {
        const struct tpki *k = changes % 2 ? a : b;
        otls_status st = otls_ctx_set_alpn(sctx, changes % 2 ? only_b : b_c, changes % 2 ? 1 : 2);
        if (st == OTLS_OK && changes % 4 == 0)
            st = otls_ctx_load_cert_chain_mem(sctx, k->server_chain_pem.data,
                                              k->server_chain_pem.len, k->server_key_pem.data,
                                              k->server_key_pem.len);
        if (st != OTLS_OK)
            break;
        changes++;
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    cr_assert(changes >= 20, "%s: a context change failed: %s", p->desc, otls_ctx_error(sctx));
    p->sst = hs[0].st;
    p->cst = hs[1].st;
    cr_assert(p->sst == OTLS_OK && p->cst == OTLS_OK, "%s: handshakes %s (%s) / %s (%s)", p->desc,
              otls_status_name(p->cst), otls_conn_error(p->client), otls_status_name(p->sst),
              otls_conn_error(p->server));
    assert_alpn(p, "a", "changed by another thread");
    const uint8_t *leaf = NULL;
    size_t leaf_len = 0;
    cr_assert(otls_peer_cert_der(p->client, &leaf, &leaf_len) == OTLS_OK);
    cr_assert(th_der_eq(leaf, leaf_len, &a->server_der), "%s: the server sent a later chain",
              p->desc);
    uint8_t cb[OTLS_CHANNEL_BINDING_MAX], sb[OTLS_CHANNEL_BINDING_MAX];
    size_t cl = sizeof cb, sl = sizeof sb;
    cr_assert(otls_channel_binding(p->client, "tls-server-end-point", cb, &cl) == OTLS_OK &&
                  otls_channel_binding(p->server, "tls-server-end-point", sb, &sl) == OTLS_OK,
              "%s: tls-server-end-point: %s / %s", p->desc, otls_conn_error(p->client),
              otls_conn_error(p->server));
    cr_assert(cl == sl && memcmp(cb, sb, cl) == 0,
              "%s: the server's tls-server-end-point is not of the leaf the client received",
              p->desc);
    cr_log_info("%s: %d context changes during the handshakes", p->desc, changes);
    th_pair_free(p);
    otls_ctx_free(cctx);
    otls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* SNI                                                                      */

static const struct sni_case {
    const char *hostname; /* set on the client; NULL: none */
    int check_hostname;
    const char *want; /* seen by both ends; NULL: OTLS_NONE */
} sni_cases[] = {
    {"localhost", 1, "localhost"},
    {NULL, 0, NULL},
    /* An IP is checked against the IP SAN but never sent as SNI. */
    {"127.0.0.1", 1, NULL},
    /* Not an IP literal by inet_pton's rules (a leading zero; also not by
     * the core's split): a host name on every backend, so it is sent. */
    {"127.0.0.01", 0, "127.0.0.01"},
    {"fe80:zz::1", 0, "fe80:zz::1"},
};
#define NSNI ((int)(sizeof sni_cases / sizeof sni_cases[0]))

ParameterizedTestParameters(sni, server_name)
{
    return th_cells(TH_DIM_VERSION, NSNI);
}

ParameterizedTest(struct th_cell *cell, sni, server_name)
{
    const struct sni_case *k = &sni_cases[cell->row];
    th_require_cell(cell);
    th_require(cell->client_backend, OTLS_FEAT_SNI, "SNI");
    th_require(cell->server_backend, OTLS_FEAT_SNI, "SNI");
    struct th_opts o = th_opts_cell(cell);
    o.hostname = k->hostname;
    o.check_hostname = k->check_hostname;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *name = k->hostname ? k->hostname : "(none)";

    otls_conn *ends[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        const char *who = i ? "server" : "client";
        const char *got = NULL;
        otls_status st = otls_server_name(ends[i], &got);
        if (k->want) {
            cr_assert(st == OTLS_OK && got && strcmp(got, k->want) == 0,
                      "%s: hostname %s: %s server name %s \"%s\", expected \"%s\"", p->desc, name,
                      who, otls_status_name(st), got ? got : "(NULL)", k->want);
        } else {
            cr_assert(st == OTLS_NONE,
                      "%s: hostname %s: %s server name %s (\"%s\"), expected OTLS_NONE", p->desc,
                      name, who, otls_status_name(st), st == OTLS_OK && got ? got : "");
        }
    }
    th_pair_free(p);
}

/* ------------------------------------------------------------------------ */
/* Peer names the client accepts: OpenSSL's rules (core/name_check.c on the */
/* backends whose stacks match names otherwise), on every backend pair.     */

static const struct name_case {
    const char *what;
    const char *san; /* the server leaf's subjectAltName; its CN is "localhost" */
    const char *hostname;
} name_cases[] = {
    /* mbedTLS alone skips the CN whenever the extension exists. */
    {"an IP SAN only: the common name", "IP:127.0.0.1", "localhost"},
    {"a whole-label wildcard, any case", "DNS:*.example.com", "Www.EXAMPLE.com"},
    {"a wildcard over an IDNA label", "DNS:*.example.com", "xn--bcher-kva.example.com"},
    {"an IPv6 SAN written in full", "IP:::1", "0:0:0:0:0:0:0:1"},
    {"an IPv4-mapped IPv6 SAN", "IP:::ffff:127.0.0.1", "::ffff:127.0.0.1"},
};
#define NNAMES ((int)(sizeof name_cases / sizeof name_cases[0]))

ParameterizedTestParameters(peer_names, accepted)
{
    return th_cells(TH_DIM_VERSION, NNAMES);
}

ParameterizedTest(struct th_cell *cell, peer_names, accepted)
{
    const struct name_case *k = &name_cases[cell->row];
    th_require_cell(cell);
    struct tpki_opts po = tpki_opts_default(TPKI_EC);
    po.server_san = k->san;
    struct tpki pki;
    char err[256];
    cr_assert(tpki_generate_opts(&pki, &po, err, sizeof err) == 0, "tpki_generate_opts: %s", err);
    struct th_opts o = th_opts_cell(cell);
    o.pki = &pki;
    o.hostname = k->hostname;
    struct th_pair *p = th_pair_new(&o);
    cr_expect(p->cst == OTLS_OK && p->sst == OTLS_OK, "%s: %s (SAN %s, hostname '%s'): %s / %s",
              p->desc, k->what, k->san, k->hostname, p->cerr, p->serr);
    th_pair_free(p);
    tpki_free(&pki);
}
