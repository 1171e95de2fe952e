/* Channel bindings: tls-unique (RFC 5929) on both ends, the RFC 9266 rule
 * for TLS 1.3, unknown types and buffer sizing, tls-server-end-point and
 * tls-exporter. The expected tls-server-end-point is computed with libcrypto,
 * which the test PKI links anyway. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include <openssl/evp.h> /* only to compute the expected hash */

#include "harness.h"

/* The Finished length of the negotiated suite: 12 on TLS 1.2, the hash
 * length on TLS 1.3. */
static size_t finished_len(otls_conn *conn, otls_tls_version version)
{
    if (version != OTLS_TLS1_3)
        return 12;
    otls_cipher_info c;
    memset(&c, 0, sizeof c);
    cr_assert(otls_cipher(conn, &c) == OTLS_OK && c.name, "otls_cipher failed");
    size_t n = strlen(c.name);
    return n > 6 && strcmp(c.name + n - 6, "SHA384") == 0 ? 48 : 32;
}

/* Fetches tls-unique on one end; returns the status, fills buf/len. */
static otls_status unique(otls_conn *conn, uint8_t *buf, size_t *len)
{
    *len = OTLS_CHANNEL_BINDING_MAX;
    memset(buf, 0, OTLS_CHANNEL_BINDING_MAX);
    return otls_channel_binding(conn, "tls-unique", buf, len);
}

ParameterizedTestParameters(channel_binding, tls_unique)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY, 0);
}

/* Default rule: a value on TLS 1.2 (client Finished, the same on both
 * ends), a refusal on TLS 1.3 that cites RFC 9266. */
ParameterizedTest(struct th_cell *cell, channel_binding, tls_unique)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;
    uint8_t cb[OTLS_CHANNEL_BINDING_MAX], sb[OTLS_CHANNEL_BINDING_MAX];
    size_t clen, slen;
    otls_status cst = unique(p->client, cb, &clen);
    otls_status sst = unique(p->server, sb, &slen);

    int have_c = th_backend(cell->client_backend)->features & OTLS_FEAT_TLS_UNIQUE;
    int have_s = th_backend(cell->server_backend)->features & OTLS_FEAT_TLS_UNIQUE;
    if (!have_c || !have_s) {
        /* Capabilities are data: refuse clearly, never answer empty. */
        if (!have_c)
            cr_assert(cst == OTLS_ERR_UNSUPPORTED && otls_conn_error(p->client)[0],
                      "%s: client without TLS_UNIQUE gives %s", d, otls_status_name(cst));
        if (!have_s)
            cr_assert(sst == OTLS_ERR_UNSUPPORTED && otls_conn_error(p->server)[0],
                      "%s: server without TLS_UNIQUE gives %s", d, otls_status_name(sst));
        th_pair_free(p);
        cr_skip_test("a backend lacks OTLS_FEAT_TLS_UNIQUE");
    }

    if (cell->version == OTLS_TLS1_2) {
        cr_assert(cst == OTLS_OK, "%s: client tls-unique: %s (%s)", d, otls_status_name(cst),
                  otls_conn_error(p->client));
        cr_assert(sst == OTLS_OK, "%s: server tls-unique: %s (%s)", d, otls_status_name(sst),
                  otls_conn_error(p->server));
        cr_assert(clen == 12 && slen == 12, "%s: tls-unique lengths %zu/%zu, expected 12", d, clen,
                  slen);
        cr_assert(memcmp(cb, sb, 12) == 0, "%s: tls-unique differs between the ends", d);
        static const uint8_t zero[12];
        cr_assert(memcmp(cb, zero, 12) != 0, "%s: tls-unique is all zeros", d);
    } else {
        cr_assert(cst == OTLS_ERR_UNSUPPORTED, "%s: client TLS 1.3 tls-unique: %s", d,
                  otls_status_name(cst));
        cr_assert(sst == OTLS_ERR_UNSUPPORTED, "%s: server TLS 1.3 tls-unique: %s", d,
                  otls_status_name(sst));
        cr_assert(strstr(otls_conn_error(p->client), "9266") != NULL,
                  "%s: client message does not cite RFC 9266: \"%s\"", d,
                  otls_conn_error(p->client));
        cr_assert(strstr(otls_conn_error(p->server), "9266") != NULL,
                  "%s: server message does not cite RFC 9266: \"%s\"", d,
                  otls_conn_error(p->server));
    }
    th_pair_free(p);
}

static int speaks_tls13(const struct th_cell *cell)
{
    return th_cell_speaks(cell, OTLS_TLS1_3);
}

ParameterizedTestParameters(channel_binding, tls13_unique_flag)
{
    return th_cells_where(TH_DIM_KEY, 0, speaks_tls13);
}

/* OTLS_FLAG_TLS13_UNIQUE: Python's answer on TLS 1.3 (client Finished, the
 * hash length); the flag belongs to each context. */
ParameterizedTest(struct th_cell *cell, channel_binding, tls13_unique_flag)
{
    th_require_version(cell->client_backend, OTLS_TLS1_3);
    th_require_version(cell->server_backend, OTLS_TLS1_3);
    th_require(cell->client_backend, OTLS_FEAT_TLS_UNIQUE, "tls-unique");
    th_require(cell->server_backend, OTLS_FEAT_TLS_UNIQUE, "tls-unique");
    struct th_opts o = th_opts_cell(cell);
    o.version = OTLS_TLS1_3;
    o.client_flags = OTLS_FLAG_TLS13_UNIQUE;
    o.server_flags = OTLS_FLAG_TLS13_UNIQUE;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;
    uint8_t cb[OTLS_CHANNEL_BINDING_MAX], sb[OTLS_CHANNEL_BINDING_MAX];
    size_t clen, slen;
    otls_status st = unique(p->client, cb, &clen);
    cr_assert(st == OTLS_OK, "%s: client tls-unique with the flag: %s (%s)", d,
              otls_status_name(st), otls_conn_error(p->client));
    st = unique(p->server, sb, &slen);
    cr_assert(st == OTLS_OK, "%s: server tls-unique with the flag: %s (%s)", d,
              otls_status_name(st), otls_conn_error(p->server));
    size_t want = finished_len(p->client, OTLS_TLS1_3);
    cr_assert(clen == want && slen == want, "%s: lengths %zu/%zu, expected %zu", d, clen, slen,
              want);
    cr_assert(memcmp(cb, sb, clen) == 0, "%s: TLS 1.3 tls-unique differs between the ends", d);
    th_pair_free(p);

    /* Only the client context has the flag: the server still refuses. */
    o.server_flags = 0;
    p = th_pair_new(&o);
    th_pair_assert_ok(p);
    st = unique(p->client, cb, &clen);
    cr_assert(st == OTLS_OK, "%s: client (flag set): %s", p->desc, otls_status_name(st));
    st = unique(p->server, sb, &slen);
    cr_assert(st == OTLS_ERR_UNSUPPORTED, "%s: server (no flag): %s", p->desc,
              otls_status_name(st));
    th_pair_free(p);

    /* The flags of a connection are its context's as of otls_conn_new:
     * set on both contexts afterwards, they change nothing for it. */
    o.client_flags = 0;
    o.transport = TH_CALLBACKS; /* driven in this thread */
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    p = th_pair_connect_only(cctx, sctx, &o);
    cr_assert(otls_ctx_set_flags(cctx, OTLS_FLAG_TLS13_UNIQUE) == OTLS_OK);
    cr_assert(otls_ctx_set_flags(sctx, OTLS_FLAG_TLS13_UNIQUE) == OTLS_OK);
    th_pair_drive(p);
    th_pair_assert_ok(p);
    otls_status c1 = unique(p->client, cb, &clen), s1 = unique(p->server, sb, &slen);
    cr_assert(c1 == OTLS_ERR_UNSUPPORTED && s1 == OTLS_ERR_UNSUPPORTED,
              "%s: flags set after otls_conn_new reached the connection: %s / %s", p->desc,
              otls_status_name(c1), otls_status_name(s1));
    th_pair_free(p); /* and the contexts */
}

ParameterizedTestParameters(channel_binding, types_and_sizes)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* Unknown types are refused; a short buffer reports the size needed and an
 * exact one works. */
ParameterizedTest(struct th_cell *cell, channel_binding, types_and_sizes)
{
    th_require_cell(cell);
    th_require(cell->client_backend, OTLS_FEAT_TLS_UNIQUE, "tls-unique");
    th_require(cell->server_backend, OTLS_FEAT_TLS_UNIQUE, "tls-unique");
    struct th_opts o = th_opts_cell(cell);
    if (cell->version == OTLS_TLS1_3) {
        o.client_flags = OTLS_FLAG_TLS13_UNIQUE;
        o.server_flags = OTLS_FLAG_TLS13_UNIQUE;
    }
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;

    otls_conn *ends[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        const char *who = i ? "server" : "client";
        otls_conn *c = ends[i];
        uint8_t buf[OTLS_CHANNEL_BINDING_MAX];
        size_t len = sizeof buf;
        otls_status st = otls_channel_binding(c, "tls-bogus", buf, &len);
        cr_assert(st == OTLS_ERR_UNSUPPORTED, "%s: %s tls-bogus: %s", d, who, otls_status_name(st));
        cr_assert(otls_conn_error(c)[0], "%s: %s tls-bogus left no message", d, who);

        size_t need = finished_len(c, cell->version);
        len = 5;
        st = otls_channel_binding(c, "tls-unique", buf, &len);
        cr_assert(st == OTLS_ERR_BUFFER_TOO_SMALL, "%s: %s 5-byte buffer: %s", d, who,
                  otls_status_name(st));
        cr_assert(len == need, "%s: %s *len after BUFFER_TOO_SMALL = %zu, expected %zu", d, who,
                  len, need);
        cr_assert(otls_conn_error(c)[0], "%s: %s BUFFER_TOO_SMALL left no message", d, who);

        len = need;
        st = otls_channel_binding(c, "tls-unique", buf, &len);
        cr_assert(st == OTLS_OK && len == need, "%s: %s exact buffer: %s, len %zu", d, who,
                  otls_status_name(st), len);

        /* NULL arguments are refused, never dereferenced. */
        len = sizeof buf;
        st = otls_channel_binding(c, NULL, buf, &len);
        cr_assert(st == OTLS_ERR_INVALID_ARGUMENT, "%s: %s NULL type: %s", d, who,
                  otls_status_name(st));
        st = otls_channel_binding(c, "tls-unique", buf, NULL);
        cr_assert(st == OTLS_ERR_INVALID_ARGUMENT, "%s: %s NULL len: %s", d, who,
                  otls_status_name(st));
        len = sizeof buf;
        st = otls_channel_binding(NULL, "tls-unique", buf, &len);
        cr_assert(st == OTLS_ERR_INVALID_ARGUMENT, "%s: NULL conn: %s", d, otls_status_name(st));
    }
    th_pair_free(p);
}

/* ------------------------------------------------------------------------ */
/* tls-server-end-point and tls-exporter                                    */

ParameterizedTestParameters(channel_binding, end_point_and_exporter)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY, 0);
}

/* tls-server-end-point is SHA-256 of the server certificate (the test PKI
 * signs with SHA-256), the same bytes on both ends and on every connection;
 * tls-exporter is 32 bytes, the same on both ends, new on each connection. */
ParameterizedTest(struct th_cell *cell, channel_binding, end_point_and_exporter)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    int exporter = (th_backend(cell->client_backend)->features &
                    th_backend(cell->server_backend)->features & OTLS_FEAT_EXPORTER) != 0;
    uint8_t want[32];
    unsigned int wlen = 0;
    cr_assert(EVP_Digest(o.pki->server_der.data, o.pki->server_der.len, want, &wlen, EVP_sha256(),
                         NULL) == 1 &&
              wlen == 32);
    uint8_t first_export[32];

    for (int round = 0; round < 2; round++) {
        struct th_pair *p = th_pair_new(&o);
        th_pair_assert_ok(p);
        const char *d = p->desc;
        uint8_t cb[OTLS_CHANNEL_BINDING_MAX], sb[OTLS_CHANNEL_BINDING_MAX];
        size_t cl = sizeof cb, sl = sizeof sb;
        otls_status c1 = otls_channel_binding(p->client, "tls-server-end-point", cb, &cl);
        otls_status s1 = otls_channel_binding(p->server, "tls-server-end-point", sb, &sl);
        cr_assert(c1 == OTLS_OK && s1 == OTLS_OK, "%s: tls-server-end-point: %s (%s) / %s (%s)", d,
                  otls_status_name(c1), otls_conn_error(p->client), otls_status_name(s1),
                  otls_conn_error(p->server));
        cr_assert(cl == 32 && memcmp(cb, want, 32) == 0,
                  "%s: client tls-server-end-point is not SHA-256(server cert) (%zu bytes)", d, cl);
        cr_assert(sl == 32 && memcmp(sb, want, 32) == 0,
                  "%s: server tls-server-end-point is not SHA-256(server cert) (%zu bytes)", d, sl);

        cl = sizeof cb;
        sl = sizeof sb;
        c1 = otls_channel_binding(p->client, "tls-exporter", cb, &cl);
        s1 = otls_channel_binding(p->server, "tls-exporter", sb, &sl);
        if (!exporter) {
            cr_assert(c1 == OTLS_ERR_UNSUPPORTED || s1 == OTLS_ERR_UNSUPPORTED,
                      "%s: a backend without EXPORTER answers tls-exporter", d);
            th_pair_free(p);
            cr_skip_test("tls-exporter: a backend lacks OTLS_FEAT_EXPORTER");
        }
        /* OpenSSL-based peers negotiate the extended master secret, so TLS
         * 1.2 qualifies as well. */
        cr_assert(c1 == OTLS_OK && s1 == OTLS_OK, "%s: tls-exporter: %s (%s) / %s (%s)", d,
                  otls_status_name(c1), otls_conn_error(p->client), otls_status_name(s1),
                  otls_conn_error(p->server));
        cr_assert(cl == 32 && sl == 32 && memcmp(cb, sb, 32) == 0,
                  "%s: tls-exporter differs between the ends (%zu/%zu bytes)", d, cl, sl);
        if (round == 0)
            memcpy(first_export, cb, 32);
        else
            cr_assert(memcmp(first_export, cb, 32) != 0,
                      "%s: two connections gave the same tls-exporter value", d);
        size_t small = 8;
        c1 = otls_channel_binding(p->client, "tls-exporter", cb, &small);
        cr_assert(c1 == OTLS_ERR_BUFFER_TOO_SMALL && small == 32,
                  "%s: tls-exporter into 8 bytes: %s, *len %zu", d, otls_status_name(c1), small);
        th_pair_free(p);
    }
}

/* ------------------------------------------------------------------------ */
/* A server connection's own certificate                                    */

ParameterizedTestParameters(channel_binding, end_point_chain_changed)
{
    /* row 0: the server context's chain is replaced between otls_conn_new
     * and the handshake; row 1: while both handshakes run. */
    return th_cells(TH_DIM_CROSS | TH_DIM_VERSION | TH_DIM_KEY, 2);
}

/* A server connection keeps the chain its context had at otls_conn_new: it
 * sends that leaf, and both ends' tls-server-end-point is the hash of the
 * leaf the client received, whichever backend serves. The chain put in its
 * place (the other key type's PKI) is what the next connection sends. */
ParameterizedTest(struct th_cell *cell, channel_binding, end_point_chain_changed)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    const struct tpki *a = o.pki;
    const struct tpki *b = th_cell_pki(cell, cell->key == TPKI_EC ? TPKI_RSA : TPKI_EC);
    o.transport = TH_CALLBACKS;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    /* The client trusts both roots: whichever leaf comes, it verifies. */
    cr_assert(otls_ctx_load_ca_mem(cctx, b->root_pem.data, b->root_pem.len) == OTLS_OK, "%s",
              otls_ctx_error(cctx));
    struct th_pair *p = th_pair_connect_only(cctx, sctx, &o);
    p->keep_ctx = 1;
    const char *when = "chain replaced before the handshake";
    if (cell->row == 1) {
        when = "chain replaced during the handshake";
        th_pair_start(p); /* both ends' handshakes have started */
    }
    cr_assert(otls_ctx_load_cert_chain_mem(sctx, b->server_chain_pem.data, b->server_chain_pem.len,
                                           b->server_key_pem.data,
                                           b->server_key_pem.len) == OTLS_OK,
              "%s", otls_ctx_error(sctx));
    th_pair_drive(p);
    th_pair_assert_ok(p);

    const struct tpki *want_pki[2] = {a, b};
    struct th_pair *pairs[2] = {p, NULL};
    for (int i = 0; i < 2; i++) {
        if (i == 1) {
            pairs[1] = th_pair_connect(cctx, sctx, &o);
            th_pair_assert_ok(pairs[1]);
            when = "connection made after the change";
        }
        struct th_pair *q = pairs[i];
        const uint8_t *leaf = NULL;
        size_t leaf_len = 0;
        cr_assert(otls_peer_cert_der(q->client, &leaf, &leaf_len) == OTLS_OK, "%s: %s: %s", q->desc,
                  when, otls_conn_error(q->client));
        cr_assert(th_der_eq(leaf, leaf_len, &want_pki[i]->server_der),
                  "%s: %s: the server sent the %s chain", q->desc, when, i ? "old" : "new");
        uint8_t want[32];
        unsigned int wlen = 0;
        cr_assert(EVP_Digest(leaf, leaf_len, want, &wlen, EVP_sha256(), NULL) == 1 && wlen == 32);
        uint8_t cb[OTLS_CHANNEL_BINDING_MAX], sb[OTLS_CHANNEL_BINDING_MAX];
        size_t cl = sizeof cb, sl = sizeof sb;
        otls_status c1 = otls_channel_binding(q->client, "tls-server-end-point", cb, &cl);
        otls_status s1 = otls_channel_binding(q->server, "tls-server-end-point", sb, &sl);
        cr_assert(c1 == OTLS_OK && s1 == OTLS_OK, "%s: %s: tls-server-end-point: %s (%s) / %s (%s)",
                  q->desc, when, otls_status_name(c1), otls_conn_error(q->client),
                  otls_status_name(s1), otls_conn_error(q->server));
        cr_assert(cl == 32 && memcmp(cb, want, 32) == 0,
                  "%s: %s: client tls-server-end-point is not SHA-256 of the leaf it received",
                  q->desc, when);
        cr_assert(sl == 32 && memcmp(sb, want, 32) == 0,
                  "%s: %s: server tls-server-end-point is not SHA-256 of the leaf it sent", q->desc,
                  when);
    }
    th_pair_free(p);
    th_pair_free(pairs[1]); /* and the contexts */
}
