/* Cross-backend matrix: every client backend against every server backend,
 * on each version, key type and server verify mode. The two ends must agree on every fact, and
 * each end's answers must be the same bytes whatever stack the peer runs. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "harness.h"

ParameterizedTestParameters(matrix, cross)
{
    return th_cells(TH_DIM_CROSS | TH_DIM_VERSION | TH_DIM_KEY | TH_DIM_SERVER_VERIFY, 0);
}

ParameterizedTest(struct th_cell *cell, matrix, cross)
{
    th_require_cell(cell);
    static const char *const alpn_c[] = {"http/1.1"};
    static const char *const alpn_s[] = {"h2", "http/1.1"};
    struct th_opts o = th_opts_cell(cell);
    o.server_verify = cell->server_verify;
    o.client_cert = 1; /* offered; sent only when the server asks */
    int asked = cell->server_verify != OTLS_VERIFY_NONE;
    const otls_backend_info *cb = th_backend(cell->client_backend);
    const otls_backend_info *sb = th_backend(cell->server_backend);
    int alpn = (cb->features & sb->features & OTLS_FEAT_ALPN) != 0;
    if (alpn) {
        o.client_alpn = alpn_c;
        o.client_alpn_count = 1;
        o.server_alpn = alpn_s;
        o.server_alpn_count = 2;
    }
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;
    const struct tpki *pki = p->pki;

    /* Certificates, both ways. */
    const uint8_t *der = NULL;
    size_t len = 0;
    cr_assert(otls_peer_cert_der(p->client, &der, &len) == OTLS_OK &&
                  th_der_eq(der, len, &pki->server_der),
              "%s: client's peer cert", d);
    if (asked)
        cr_assert(otls_peer_cert_der(p->server, &der, &len) == OTLS_OK &&
                      th_der_eq(der, len, &pki->client_der),
                  "%s: server's peer cert", d);
    else
        cr_assert(otls_peer_cert_der(p->server, &der, &len) == OTLS_NONE && der == NULL,
                  "%s: a server that did not ask got a client certificate", d);
    const otls_der *certs = NULL;
    size_t n = 0;
    cr_assert(otls_unverified_chain(p->client, &certs, &n) == OTLS_OK && n == 2 &&
                  th_der_eq(certs[0].data, certs[0].len, &pki->server_der) &&
                  th_der_eq(certs[1].data, certs[1].len, &pki->inter_der),
              "%s: client's unverified chain (%zu certs)", d, n);
    if (asked)
        cr_assert(otls_unverified_chain(p->server, &certs, &n) == OTLS_OK && n == 2 &&
                      th_der_eq(certs[0].data, certs[0].len, &pki->client_der) &&
                      th_der_eq(certs[1].data, certs[1].len, &pki->inter_der),
                  "%s: server's unverified chain (%zu certs)", d, n);
    if (cb->features & OTLS_FEAT_VERIFIED_CHAIN)
        cr_assert(otls_verified_chain(p->client, &certs, &n) == OTLS_OK && n == 3 &&
                      th_der_eq(certs[2].data, certs[2].len, &pki->root_der),
                  "%s: client's verified chain (%zu certs)", d, n);
    if (asked && (sb->features & OTLS_FEAT_VERIFIED_CHAIN))
        cr_assert(otls_verified_chain(p->server, &certs, &n) == OTLS_OK && n == 3 &&
                      th_der_eq(certs[2].data, certs[2].len, &pki->root_der),
                  "%s: server's verified chain (%zu certs)", d, n);

    /* Protocol and cipher: the same on both ends. */
    const char *cv = NULL, *sv = NULL;
    cr_assert(otls_protocol(p->client, &cv) == OTLS_OK && otls_protocol(p->server, &sv) == OTLS_OK);
    cr_assert_str_eq(cv, th_version_name(cell->version), "%s", d);
    cr_assert_str_eq(sv, cv, "%s", d);
    otls_cipher_info cc, sc;
    cr_assert(otls_cipher(p->client, &cc) == OTLS_OK && otls_cipher(p->server, &sc) == OTLS_OK);
    cr_assert(cc.iana_id == sc.iana_id && strcmp(cc.name, sc.name) == 0 &&
                  strcmp(cc.iana_name, sc.iana_name) == 0 &&
                  strcmp(cc.protocol, sc.protocol) == 0 && cc.secret_bits == sc.secret_bits,
              "%s: client cipher %s/0x%04X, server %s/0x%04X", d, cc.name, cc.iana_id, sc.name,
              sc.iana_id);

    /* tls-unique: the same bytes on both ends (TLS 1.2). */
    if (cell->version == OTLS_TLS1_2 && (cb->features & sb->features & OTLS_FEAT_TLS_UNIQUE)) {
        uint8_t a[OTLS_CHANNEL_BINDING_MAX], b[OTLS_CHANNEL_BINDING_MAX];
        size_t al = sizeof a, bl = sizeof b;
        cr_assert(otls_channel_binding(p->client, "tls-unique", a, &al) == OTLS_OK &&
                      otls_channel_binding(p->server, "tls-unique", b, &bl) == OTLS_OK,
                  "%s: tls-unique", d);
        cr_assert(al == 12 && bl == 12 && memcmp(a, b, 12) == 0, "%s: tls-unique differs", d);
    }

    /* ALPN and SNI. */
    const char *s = NULL;
    if (alpn) {
        cr_assert(otls_alpn_selected(p->client, &s) == OTLS_OK && strcmp(s, "http/1.1") == 0,
                  "%s: client ALPN", d);
        cr_assert(otls_alpn_selected(p->server, &s) == OTLS_OK && strcmp(s, "http/1.1") == 0,
                  "%s: server ALPN", d);
    }
    if (sb->features & OTLS_FEAT_SNI)
        cr_assert(otls_server_name(p->server, &s) == OTLS_OK && strcmp(s, "localhost") == 0,
                  "%s: server SNI", d);

    /* The server's shared ciphers hold the negotiated suite. */
    const otls_cipher_info *shared = NULL;
    size_t nshared = 0, k;
    cr_assert(otls_shared_ciphers(p->server, &shared, &nshared) == OTLS_OK, "%s: shared: %s", d,
              otls_conn_error(p->server));
    for (k = 0; k < nshared && shared[k].iana_id != sc.iana_id; k++)
        ;
    cr_assert(k < nshared, "%s: shared ciphers lack 0x%04X", d, sc.iana_id);

    /* The other two bindings: the same bytes on both ends. */
    static const char *const types[] = {"tls-exporter", "tls-server-end-point"};
    for (size_t t = 0; t < 2; t++) {
        uint8_t a[OTLS_CHANNEL_BINDING_MAX], b[OTLS_CHANNEL_BINDING_MAX];
        size_t al = sizeof a, bl = sizeof b;
        otls_status ca = otls_channel_binding(p->client, types[t], a, &al);
        otls_status sa = otls_channel_binding(p->server, types[t], b, &bl);
        cr_assert(ca == OTLS_OK && sa == OTLS_OK, "%s: %s: %s / %s", d, types[t],
                  otls_conn_error(p->client), otls_conn_error(p->server));
        cr_assert(al == bl && memcmp(a, b, al) == 0, "%s: %s differs between the ends", d,
                  types[t]);
    }

    /* A short exchange. */
    size_t put = 0, got = 0;
    char buf[8] = {0};
    cr_assert(otls_write(p->client, "ping", 4, &put) == OTLS_OK && put == 4, "%s: write", d);
    cr_assert(otls_read(p->server, buf, 4, &got) == OTLS_OK && got == 4 &&
                  memcmp(buf, "ping", 4) == 0,
              "%s: read", d);
    th_pair_free(p);
}
