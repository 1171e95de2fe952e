/* Connection introspection after real handshakes, on both ends: peer
 * certificate, chains, protocol, cipher, shared ciphers, compression.
 * Python's ssl.SSLSocket is the reference for every answer. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "harness.h"

/* Sentinels: a "none" answer must overwrite the outputs, not leave them. */
static const uint8_t sentinel_byte = 0xA5;
#define SENTINEL_PTR (&sentinel_byte)
#define SENTINEL_LEN ((size_t)9999)

/* Checks that certs[0..count) are exactly want[0..n). */
static void assert_chain(const char *what, const char *desc, otls_status st, const otls_der *certs,
                         size_t count, const struct tpki_blob *const *want, size_t n)
{
    cr_assert(st == OTLS_OK, "%s: %s: %s", desc, what, otls_status_name(st));
    cr_assert(count == n, "%s: %s: %zu certificates, expected %zu", desc, what, count, n);
    for (size_t i = 0; i < n; i++)
        cr_assert(th_der_eq(certs[i].data, certs[i].len, want[i]),
                  "%s: %s: certificate %zu (of %zu) is not the expected one", desc, what, i, n);
}

/* ------------------------------------------------------------------------ */
/* Certificates: peer cert, unverified chain, verified chain                */

ParameterizedTestParameters(introspection, certificates)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY | TH_DIM_SERVER_VERIFY, 0);
}

ParameterizedTest(struct th_cell *cell, introspection, certificates)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.client_cert = 1; /* offered; the server sees it only when it asked */
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const struct tpki *pki = p->pki;
    const char *d = p->desc;
    int asked = cell->server_verify != OTLS_VERIFY_NONE;

    /* Peer certificate (getpeercert(True)). */
    const uint8_t *der = SENTINEL_PTR;
    size_t len = SENTINEL_LEN;
    otls_status st = otls_peer_cert_der(p->client, &der, &len);
    cr_assert(st == OTLS_OK, "%s: client peer cert: %s (%s)", d, otls_status_name(st),
              otls_conn_error(p->client));
    cr_assert(th_der_eq(der, len, &pki->server_der), "%s: client's peer cert != server_der", d);

    der = SENTINEL_PTR;
    len = SENTINEL_LEN;
    st = otls_peer_cert_der(p->server, &der, &len);
    if (asked) {
        cr_assert(st == OTLS_OK, "%s: server peer cert: %s (%s)", d, otls_status_name(st),
                  otls_conn_error(p->server));
        cr_assert(th_der_eq(der, len, &pki->client_der), "%s: server's peer cert != client_der", d);
    } else {
        cr_assert(st == OTLS_NONE, "%s: server did not ask, yet peer cert gives %s", d,
                  otls_status_name(st));
        cr_assert(der == NULL && len == 0, "%s: OTLS_NONE must set NULL/0 (got %p/%zu)", d,
                  (const void *)der, len);
    }

    /* Unverified chain: leaf first on both roles (OpenSSL's server-side API
     * omits the leaf; omnitls must not). */
    const struct tpki_blob *srv_sent[] = {&pki->server_der, &pki->inter_der};
    const struct tpki_blob *cli_sent[] = {&pki->client_der, &pki->inter_der};
    const otls_der *certs = NULL;
    size_t count = SENTINEL_LEN;
    st = otls_unverified_chain(p->client, &certs, &count);
    assert_chain("client unverified chain", d, st, certs, count, srv_sent, 2);
    count = SENTINEL_LEN;
    st = otls_unverified_chain(p->server, &certs, &count);
    if (asked) {
        assert_chain("server unverified chain", d, st, certs, count, cli_sent, 2);
    } else {
        cr_assert(st == OTLS_NONE && count == 0, "%s: server unverified chain: %s, %zu certs", d,
                  otls_status_name(st), count);
    }

    /* Verified chain: leaf .. root. */
    const otls_backend_info *cb = th_backend(cell->client_backend);
    const otls_backend_info *sb = th_backend(cell->server_backend);
    const struct tpki_blob *srv_ver[] = {&pki->server_der, &pki->inter_der, &pki->root_der};
    const struct tpki_blob *cli_ver[] = {&pki->client_der, &pki->inter_der, &pki->root_der};
    int skipped = 0;
    count = SENTINEL_LEN;
    st = otls_verified_chain(p->client, &certs, &count);
    if (cb->features & OTLS_FEAT_VERIFIED_CHAIN) {
        assert_chain("client verified chain", d, st, certs, count, srv_ver, 3);
    } else {
        /* Capabilities are data: a clear refusal, never an empty answer. */
        cr_assert(st == OTLS_ERR_UNSUPPORTED && otls_conn_error(p->client)[0],
                  "%s: backend without VERIFIED_CHAIN gives %s", d, otls_status_name(st));
        skipped = 1;
    }
    count = SENTINEL_LEN;
    st = otls_verified_chain(p->server, &certs, &count);
    if (!asked) {
        cr_assert(st == OTLS_NONE && count == 0, "%s: server verified chain: %s, %zu certs", d,
                  otls_status_name(st), count);
    } else if (sb->features & OTLS_FEAT_VERIFIED_CHAIN) {
        assert_chain("server verified chain", d, st, certs, count, cli_ver, 3);
    } else {
        cr_assert(st == OTLS_ERR_UNSUPPORTED && otls_conn_error(p->server)[0],
                  "%s: backend without VERIFIED_CHAIN gives %s", d, otls_status_name(st));
        skipped = 1;
    }
    th_pair_free(p);
    if (skipped)
        cr_skip_test("verified chain: a backend lacks OTLS_FEAT_VERIFIED_CHAIN");
}

/* An Ed25519 chain ends at its root too: wolfSSL 5.5.4 cannot read an
 * Ed25519 certificate into a WOLFSSL_X509, and the wolfSSL backend once
 * lost the root that way. The PKI is made here (it is no matrix key).
 * mbedTLS (2.28 and 3.6) has no Ed25519 in TLS: its cells are left out
 * (tests/cli's matrix checks that it refuses such a peer). */
static int has_ed25519(const struct th_cell *cell)
{
    const otls_backend_info *b = th_backend(cell->client_backend);
    return strcmp(cell->client_backend, "mbedtls") != 0 && b != NULL &&
           (b->features & OTLS_FEAT_VERIFIED_CHAIN) != 0;
}

/* Its own suite: a cell a stack cannot do skips with its reason without
 * marking the whole introspection suite as skipped. */
ParameterizedTestParameters(ed25519, verified_chain)
{
    return th_cells_where(TH_DIM_VERSION, 0, has_ed25519);
}

ParameterizedTest(struct th_cell *cell, ed25519, verified_chain)
{
    th_require_cell(cell);
    struct tpki pki;
    char err[256];
    cr_assert(tpki_generate(&pki, TPKI_ED25519, err, sizeof err) == 0, "tpki_generate: %s", err);
    struct th_opts o = th_opts_cell(cell);
    o.pki = &pki;
    struct th_pair *p = th_pair_new(&o);
    /* wolfSSL 5.7.2 fails any handshake whose verify callback would see an
     * Ed25519 CA certificate (MEMORY_E, natively too); a verifying wolfSSL
     * client sets no verify callback (backends/wolfssl/README.md), so this
     * cell passes there and must keep passing. */
    th_pair_assert_ok(p);
    const struct tpki_blob *ver[] = {&pki.server_der, &pki.inter_der, &pki.root_der};
    const otls_der *certs = NULL;
    size_t count = SENTINEL_LEN;
    otls_status st = otls_verified_chain(p->client, &certs, &count);
    assert_chain("client verified chain (Ed25519)", p->desc, st, certs, count, ver, 3);
    th_pair_free(p);
    tpki_free(&pki);
}

/* A client that does not verify still sees the server's certificate, and
 * its "verified" chain is the chain as sent: nothing was verified. */
ParameterizedTestParameters(introspection, unverified_client)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY, 0);
}

ParameterizedTest(struct th_cell *cell, introspection, unverified_client)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.client_verify = OTLS_VERIFY_NONE;
    o.check_hostname = 0;
    o.client_ca = 0;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;

    const uint8_t *der = NULL;
    size_t len = 0;
    otls_status st = otls_peer_cert_der(p->client, &der, &len);
    cr_assert(st == OTLS_OK && th_der_eq(der, len, &p->pki->server_der),
              "%s: VERIFY_NONE client peer cert: %s", d, otls_status_name(st));

    const otls_der *sent = NULL, *ver = NULL;
    size_t nsent = 0, nver = 0;
    st = otls_unverified_chain(p->client, &sent, &nsent);
    cr_assert(st == OTLS_OK && nsent == 2, "%s: unverified chain: %s, %zu", d, otls_status_name(st),
              nsent);
    st = otls_verified_chain(p->client, &ver, &nver);
    cr_assert(st == OTLS_OK, "%s: verified chain under VERIFY_NONE: %s (%s)", d,
              otls_status_name(st), otls_conn_error(p->client));
    cr_assert(nver == nsent, "%s: verified chain has %zu certs, as sent %zu", d, nver, nsent);
    for (size_t i = 0; i < nver; i++)
        cr_assert(ver[i].len == sent[i].len && memcmp(ver[i].data, sent[i].data, ver[i].len) == 0,
                  "%s: verified chain differs from the chain as sent at %zu", d, i);
    th_pair_free(p);
}

/* ------------------------------------------------------------------------ */
/* Session facts: protocol, cipher, shared ciphers, compression            */

/* Suites whose identity the test knows, to check name <-> IANA agreement. */
static const struct known_suite {
    uint16_t id;
    const char *name, *iana_name, *protocol;
    int bits;
} known_suites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLSv1.3", 128},
    {0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", "TLSv1.3", 256},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLSv1.3", 256},
    {0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLSv1.2",
     128},
    {0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLSv1.2",
     256},
    {0xC02F, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2",
     128},
    {0xC030, "ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLSv1.2",
     256},
    {0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     "TLSv1.2", 256},
    {0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     "TLSv1.2", 256},
    {0xC013, "ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLSv1.0", 128},
    {0xC009, "ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLSv1.0", 128},
    {0x009E, "DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2", 128},
    {0x009F, "DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLSv1.2", 256},
};

static void assert_cipher_sane(const char *d, const char *who, const otls_cipher_info *c,
                               otls_tls_version version)
{
    cr_assert(c->name && c->name[0], "%s: %s cipher name empty", d, who);
    cr_assert(c->protocol && c->protocol[0], "%s: %s cipher protocol empty", d, who);
    cr_assert(c->iana_name && strncmp(c->iana_name, "TLS_", 4) == 0, "%s: %s iana_name \"%s\"", d,
              who, c->iana_name ? c->iana_name : "(NULL)");
    cr_assert(c->secret_bits >= 128, "%s: %s secret_bits %d", d, who, c->secret_bits);
    int is13 = (c->iana_id & 0xFF00) == 0x1300;
    if (version == OTLS_TLS1_3) {
        cr_assert(is13, "%s: %s TLS 1.3 suite id 0x%04X", d, who, c->iana_id);
        cr_assert_str_eq(c->protocol, "TLSv1.3", "%s: %s", d, who);
        cr_assert_str_eq(c->name, c->iana_name, "%s: %s TLS 1.3 names differ", d, who);
    } else {
        cr_assert(!is13, "%s: %s TLS 1.3 suite 0x%04X on TLS 1.2", d, who, c->iana_id);
    }
    for (size_t i = 0; i < sizeof known_suites / sizeof known_suites[0]; i++) {
        const struct known_suite *k = &known_suites[i];
        if (strcmp(k->name, c->name) != 0 && k->id != c->iana_id)
            continue;
        cr_assert(c->iana_id == k->id && strcmp(c->name, k->name) == 0 &&
                      strcmp(c->iana_name, k->iana_name) == 0 &&
                      strcmp(c->protocol, k->protocol) == 0 && c->secret_bits == k->bits,
                  "%s: %s cipher (%s, %s, %d, 0x%04X, %s) != (%s, %s, %d, 0x%04X, %s)", d, who,
                  c->name, c->protocol, c->secret_bits, c->iana_id, c->iana_name, k->name,
                  k->protocol, k->bits, k->id, k->iana_name);
        return;
    }
    cr_log_warn("%s: %s suite %s (0x%04X) is not in the test's table: identity unchecked", d, who,
                c->name, c->iana_id);
}

ParameterizedTestParameters(introspection, session)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY, 0);
}

ParameterizedTest(struct th_cell *cell, introspection, session)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;

    /* Protocol: as pinned, same on both ends. */
    const char *cv = NULL, *sv = NULL;
    otls_status st = otls_protocol(p->client, &cv);
    cr_assert(st == OTLS_OK && cv, "%s: client protocol: %s", d, otls_status_name(st));
    st = otls_protocol(p->server, &sv);
    cr_assert(st == OTLS_OK && sv, "%s: server protocol: %s", d, otls_status_name(st));
    cr_assert_str_eq(cv, th_version_name(cell->version), "%s: client protocol", d);
    cr_assert_str_eq(sv, cv, "%s: ends disagree on the protocol", d);

    /* Cipher: sane, known identity, same on both ends. */
    otls_cipher_info cc, sc;
    memset(&cc, 0, sizeof cc);
    memset(&sc, 0, sizeof sc);
    st = otls_cipher(p->client, &cc);
    cr_assert(st == OTLS_OK, "%s: client cipher: %s", d, otls_status_name(st));
    st = otls_cipher(p->server, &sc);
    cr_assert(st == OTLS_OK, "%s: server cipher: %s", d, otls_status_name(st));
    assert_cipher_sane(d, "client", &cc, cell->version);
    assert_cipher_sane(d, "server", &sc, cell->version);
    cr_assert(cc.iana_id == sc.iana_id && strcmp(cc.name, sc.name) == 0 &&
                  strcmp(cc.protocol, sc.protocol) == 0 && cc.secret_bits == sc.secret_bits &&
                  strcmp(cc.iana_name, sc.iana_name) == 0,
              "%s: ends disagree: client %s/0x%04X, server %s/0x%04X", d, cc.name, cc.iana_id,
              sc.name, sc.iana_id);

    /* Shared ciphers: server only, non-empty, holds the negotiated suite. */
    const otls_cipher_info *list = NULL;
    size_t n = 0;
    st = otls_shared_ciphers(p->server, &list, &n);
    cr_assert(st == OTLS_OK && list && n > 0, "%s: server shared ciphers: %s, %zu", d,
              otls_status_name(st), n);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(list[i].name && list[i].name[0] && list[i].iana_id != 0,
                  "%s: shared cipher %zu is empty", d, i);
        if (list[i].iana_id == sc.iana_id && strcmp(list[i].name, sc.name) == 0)
            found = 1;
    }
    cr_assert(found, "%s: negotiated %s not among the %zu shared ciphers", d, sc.name, n);
    st = otls_shared_ciphers(p->client, &list, &n);
    cr_assert(st == OTLS_NONE, "%s: client shared ciphers: %s (Python returns None)", d,
              otls_status_name(st));

    /* Compression: none on both ends. */
    const char *comp = "sentinel";
    st = otls_compression(p->client, &comp);
    cr_assert(st == OTLS_NONE && comp == NULL, "%s: client compression: %s", d,
              otls_status_name(st));
    comp = "sentinel";
    st = otls_compression(p->server, &comp);
    cr_assert(st == OTLS_NONE && comp == NULL, "%s: server compression: %s", d,
              otls_status_name(st));

    /* Role and backend, for reports. */
    cr_assert(otls_conn_role(p->client) == OTLS_CLIENT, "%s: client role", d);
    cr_assert(otls_conn_role(p->server) == OTLS_SERVER, "%s: server role", d);
    cr_assert_str_eq(otls_conn_backend(p->client), cell->client_backend, "%s", d);
    cr_assert_str_eq(otls_conn_backend(p->server), cell->server_backend, "%s", d);
    th_pair_free(p);
}

/* ------------------------------------------------------------------------ */
/* Pinned suites give exactly the suite's identity                          */

static const struct pin {
    otls_tls_version version;
    enum tpki_key_type key;
    const char *list; /* what otls_ctx_set_ciphers gets, on both ends */
    struct known_suite want;
} pins[] = {
    {OTLS_TLS1_2,
     TPKI_EC,
     "ECDHE-ECDSA-AES128-GCM-SHA256",
     {0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLSv1.2",
      128}},
    {OTLS_TLS1_2,
     TPKI_RSA,
     "ECDHE-RSA-AES128-GCM-SHA256",
     {0xC02F, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2",
      128}},
    /* An IANA name in the list means the same suite. */
    {OTLS_TLS1_2,
     TPKI_RSA,
     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     {0xC030, "ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLSv1.2",
      256}},
    /* Python reports the version that introduced the suite: TLSv1.0. */
    {OTLS_TLS1_2,
     TPKI_EC,
     "ECDHE-ECDSA-AES128-SHA",
     {0xC009, "ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLSv1.0", 128}},
    {OTLS_TLS1_3,
     TPKI_EC,
     "TLS_AES_128_GCM_SHA256",
     {0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLSv1.3", 128}},
    {OTLS_TLS1_3,
     TPKI_RSA,
     "TLS_AES_256_GCM_SHA384",
     {0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", "TLSv1.3", 256}},
    {OTLS_TLS1_3,
     TPKI_EC,
     "TLS_CHACHA20_POLY1305_SHA256",
     {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLSv1.3", 256}},
};
#define NPINS ((int)(sizeof pins / sizeof pins[0]))

static int pin_possible(const struct th_cell *cell)
{
    return th_cell_speaks(cell, pins[cell->row].version);
}

ParameterizedTestParameters(introspection, cipher_pin)
{
    return th_cells_where(0, NPINS, pin_possible);
}

ParameterizedTest(struct th_cell *cell, introspection, cipher_pin)
{
    const struct pin *pin = &pins[cell->row];
    th_require_version(cell->client_backend, pin->version);
    th_require_version(cell->server_backend, pin->version);
    struct th_opts o = th_opts_cell(cell);
    o.version = pin->version;
    o.key = pin->key;
    o.pki = th_cell_pki(cell, pin->key);
    o.client_ciphers = pin->list;
    o.server_ciphers = pin->list;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);

    otls_conn *ends[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        const char *who = i ? "server" : "client";
        otls_cipher_info c;
        memset(&c, 0, sizeof c);
        otls_status st = otls_cipher(ends[i], &c);
        cr_assert(st == OTLS_OK, "%s: %s cipher: %s", p->desc, who, otls_status_name(st));
        cr_assert(c.name && strcmp(c.name, pin->want.name) == 0, "%s: pin %s: %s name %s", p->desc,
                  pin->list, who, c.name ? c.name : "(NULL)");
        cr_assert(c.iana_id == pin->want.id, "%s: pin %s: %s iana_id 0x%04X, expected 0x%04X",
                  p->desc, pin->list, who, c.iana_id, pin->want.id);
        cr_assert(c.iana_name && strcmp(c.iana_name, pin->want.iana_name) == 0,
                  "%s: pin %s: %s iana_name %s", p->desc, pin->list, who,
                  c.iana_name ? c.iana_name : "(NULL)");
        cr_assert(c.protocol && strcmp(c.protocol, pin->want.protocol) == 0,
                  "%s: pin %s: %s protocol %s, expected %s", p->desc, pin->list, who,
                  c.protocol ? c.protocol : "(NULL)", pin->want.protocol);
        cr_assert(c.secret_bits == pin->want.bits, "%s: pin %s: %s bits %d, expected %d", p->desc,
                  pin->list, who, c.secret_bits, pin->want.bits);
        const char *ver = NULL;
        st = otls_protocol(ends[i], &ver);
        cr_assert(st == OTLS_OK && ver && strcmp(ver, th_version_name(pin->version)) == 0,
                  "%s: pin %s: %s protocol version %s", p->desc, pin->list, who,
                  ver ? ver : "(NULL)");
    }
    th_pair_free(p);
}

/* With its default list a server takes the client's order, as OpenSSL
 * does (no SSL_OP_CIPHER_SERVER_PREFERENCE); mbedTLS always picks by its
 * own list, so its backend hands it the client's order when that differs
 * (a private copy of the shared configuration) and leaves it when not. */
static const struct client_order {
    const char *list;
    uint16_t want;
} client_orders[] = {
    {"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256", 0xCCA9},
    {"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305", 0xC02B},
};
#define NORDERS ((int)(sizeof client_orders / sizeof client_orders[0]))

static int speaks_tls12(const struct th_cell *cell)
{
    return th_cell_speaks(cell, OTLS_TLS1_2);
}

ParameterizedTestParameters(introspection, client_order_default_server)
{
    return th_cells_where(TH_DIM_CROSS, NORDERS, speaks_tls12);
}

ParameterizedTest(struct th_cell *cell, introspection, client_order_default_server)
{
    const struct client_order *k = &client_orders[cell->row];
    struct th_opts o = th_opts_cell(cell);
    o.version = OTLS_TLS1_2;
    o.key = TPKI_EC;
    o.pki = th_cell_pki(cell, TPKI_EC);
    o.client_ciphers = k->list;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    otls_conn *ends[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        otls_cipher_info c;
        memset(&c, 0, sizeof c);
        otls_status st = otls_cipher(ends[i], &c);
        cr_assert(st == OTLS_OK && c.iana_id == k->want,
                  "%s: client list %s: %s negotiated 0x%04X (%s), expected 0x%04X", p->desc,
                  k->list, i ? "server" : "client", c.iana_id, otls_status_name(st), k->want);
    }
    th_pair_free(p);
}
