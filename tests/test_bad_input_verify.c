/* Bad certificates under OTLS_VERIFY_REQUIRED: expired, not yet valid,
 * wrong host, untrusted CA and self-signed server certificates; a client
 * certificate required but absent, or from a CA the server does not trust.
 * Each case has its own PKI from tpki_generate_opts, made here (EC keys:
 * the failure, not the key type, is under test). */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "bad_input.h"

#define DAY (24L * 60 * 60)
#define VERIFY_FAILED "certificate verify failed: "

/* PKIs made by variant(), freed when the test process exits. */
static struct tpki pkis[4];
static int used;

static void free_variants(void)
{
    for (int i = 0; i < used; i++)
        tpki_free(&pkis[i]);
}

static const struct tpki *variant(const struct tpki_opts *opts)
{
    cr_assert(used < 4, "too many PKIs in one test");
    if (used == 0)
        atexit(free_variants);
    char err[256];
    cr_assert(tpki_generate_opts(&pkis[used], opts, err, sizeof err) == 0, "tpki_generate_opts: %s",
              err);
    return &pkis[used++];
}

/* Runs a handshake with o and checks the client's failure. The server
 * must fail too (it never gets the client's Finished) and not hang; with
 * server_says, its message must hold that text (the alert the client sent). */
static void client_fails_alert(const char *what, struct th_opts *o, const char *needle,
                               const char *needle2, const char *server_says)
{
    struct th_pair *p = th_pair_new(o);
    BI_EXPECT(what, p->desc, otls_ctx_backend(p->cctx), p->cst, OTLS_ERR_VERIFY, p->cerr,
              "certificate verify failed", needle, needle2);
    cr_assert(p->sst < 0 && p->serr[0], "%s [%s]: server %s (%s)", what, p->desc,
              otls_status_name(p->sst), p->serr);
    cr_assert(server_says == NULL || strstr(p->serr, server_says) != NULL,
              "%s [%s]: the server says \"%s\", not \"%s\"", what, p->desc, p->serr, server_says);
    th_pair_free(p);
}

static void client_fails(const char *what, struct th_opts *o, const char *needle,
                         const char *needle2)
{
    client_fails_alert(what, o, needle, needle2, NULL);
}

/* A client that refuses the name sends OpenSSL's alert, and every server
 * backend words it so. Checked on TLS 1.3, where the server has sent its
 * whole flight before the client judges the certificate (on TLS 1.2 a
 * server that writes its flight in pieces may fail writing the rest
 * first: "the transport failed"), except for mbedTLS clients: mbedTLS
 * 3.6's TLS 1.3 client sends this alert under keys its server cannot
 * read ("Verification of the message MAC failed"). */
static const char *bad_cert_alert(const struct th_cell *cell)
{
    if (cell->version != OTLS_TLS1_3 || strcmp(cell->client_backend, "mbedtls") == 0)
        return NULL;
    return "alert bad certificate";
}

ParameterizedTestParameters(bad_verify, server_dates)
{
    return th_cells(TH_DIM_VERSION, 0);
}

ParameterizedTest(struct th_cell *cell, bad_verify, server_dates)
{
    th_require_cell(cell);
    struct tpki_opts po = tpki_opts_default(TPKI_EC);
    po.leaf_not_before = -60 * DAY;
    po.leaf_not_after = -DAY;
    struct th_opts o = th_opts_cell(cell);
    o.pki = variant(&po);
    client_fails("client: expired server certificate", &o, VERIFY_FAILED "certificate has expired",
                 "expired");

    po.leaf_not_before = DAY;
    po.leaf_not_after = 30 * DAY;
    o.pki = variant(&po);
    client_fails("client: server certificate not yet valid", &o,
                 VERIFY_FAILED "certificate is not yet valid", "not yet valid");
}

ParameterizedTestParameters(bad_verify, server_name)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* The name asked for is not in the certificate: a DNS name, an IP address,
 * and a certificate made for another name. */
ParameterizedTest(struct th_cell *cell, bad_verify, server_name)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.hostname = "example.com";
    client_fails_alert("client: server certificate for another host name", &o,
                       VERIFY_FAILED
                       "Hostname mismatch, certificate is not valid for 'example.com'.",
                       "Hostname mismatch", bad_cert_alert(cell));
    o.hostname = "127.0.0.2";
    client_fails_alert("client: server certificate for another IP address", &o,
                       VERIFY_FAILED
                       "IP address mismatch, certificate is not valid for '127.0.0.2'.",
                       "IP address mismatch", bad_cert_alert(cell));
    /* A leading zero makes a host name, not an address (inet_pton's rule,
     * the core's split on every backend): the IP SAN 127.0.0.1 is not
     * asked. OpenSSL's own parser would read it as 127.0.0.1. */
    o.hostname = "127.0.0.01";
    client_fails_alert("client: a dotted quad with a leading zero is a host name", &o,
                       VERIFY_FAILED
                       "Hostname mismatch, certificate is not valid for '127.0.0.01'.",
                       "Hostname mismatch", bad_cert_alert(cell));

    struct tpki_opts po = tpki_opts_default(TPKI_EC);
    po.server_san = "DNS:other.example,IP:192.0.2.1";
    o = th_opts_cell(cell);
    o.pki = variant(&po);
    client_fails_alert("client: server certificate names only other hosts", &o,
                       VERIFY_FAILED "Hostname mismatch, certificate is not valid for 'localhost'.",
                       "Hostname mismatch", bad_cert_alert(cell));

    /* mbedTLS alone takes "*.com" for a wildcard; OpenSSL wants two labels
     * after it (the core's check on mbedTLS and wolfSSL). */
    po.server_san = "DNS:*.com";
    o = th_opts_cell(cell);
    o.pki = variant(&po);
    o.hostname = "example.com";
    client_fails_alert("client: server certificate with a wildcard over a top-level domain", &o,
                       VERIFY_FAILED
                       "Hostname mismatch, certificate is not valid for 'example.com'.",
                       "Hostname mismatch", bad_cert_alert(cell));
}

ParameterizedTestParameters(bad_verify, server_trust)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* The client trusts another CA; the server's certificate signed itself. */
ParameterizedTest(struct th_cell *cell, bad_verify, server_trust)
{
    th_require_cell(cell);
    struct tpki_opts po = tpki_opts_default(TPKI_EC);
    po.ca_label = "omnitls other";
    const struct tpki *other = variant(&po);

    struct th_opts o = th_opts_cell(cell);
    o.client_ca = 0;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    cr_assert(otls_ctx_load_ca_mem(cctx, other->root_pem.data, other->root_pem.len) == OTLS_OK,
              "%s", otls_ctx_error(cctx));
    struct th_pair *p = th_pair_connect(cctx, th_ctx_make(&o, OTLS_SERVER), &o);
    const char *what = "client: server certificate from an untrusted CA";
    BI_EXPECT(what, p->desc, otls_ctx_backend(cctx), p->cst, OTLS_ERR_VERIFY, p->cerr,
              VERIFY_FAILED "unable to get local issuer certificate");
    cr_assert(p->sst < 0, "%s [%s]: server %s", what, p->desc, otls_status_name(p->sst));
    th_pair_free(p);

    po = tpki_opts_default(TPKI_EC);
    po.self_signed_server = 1;
    o = th_opts_cell(cell);
    o.pki = variant(&po);
    client_fails("client: self-signed server certificate", &o, VERIFY_FAILED,
                 "self-signed certificate");
}

/* PEM text of DER certificates, for a chain the test has altered. */
static void pem_append(char **out, size_t *len, const uint8_t *der, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t room = *len + 64 + (n + 2) / 3 * 4 + n / 48 + 8;
    *out = realloc(*out, room);
    cr_assert(*out != NULL);
    char *w = *out + *len;
    w += sprintf(w, "-----BEGIN CERTIFICATE-----\n");
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16 | (i + 1 < n ? der[i + 1] << 8 : 0) |
                     (i + 2 < n ? der[i + 2] : 0);
        *w++ = b64[v >> 18 & 63];
        *w++ = b64[v >> 12 & 63];
        *w++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
        *w++ = i + 2 < n ? b64[v & 63] : '=';
        if ((i / 3 + 1) % 16 == 0 || i + 3 >= n)
            *w++ = '\n';
    }
    w += sprintf(w, "-----END CERTIFICATE-----\n");
    *len = (size_t)(w - *out);
}

ParameterizedTestParameters(bad_verify, server_signature)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY, 0);
}

/* The server's leaf names the right issuer and host, but its signature
 * does not verify (its last octet changed): every backend must refuse it.
 * The wolfSSL client checks these signatures through its own PK callbacks
 * (backends/wolfssl/wolfssl_hooks.c), which this guards. */
ParameterizedTest(struct th_cell *cell, bad_verify, server_signature)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    struct tpki bad = *(o.pki != NULL ? o.pki : th_pki(cell->key));
    uint8_t *leaf = malloc(bad.server_der.len);
    cr_assert(leaf != NULL);
    memcpy(leaf, bad.server_der.data, bad.server_der.len);
    leaf[bad.server_der.len - 1] ^= 0x01;
    char *pem = NULL;
    size_t len = 0;
    pem_append(&pem, &len, leaf, bad.server_der.len);
    pem_append(&pem, &len, bad.inter_der.data, bad.inter_der.len);
    bad.server_chain_pem.data = (uint8_t *)pem;
    bad.server_chain_pem.len = len;
    o.pki = &bad;
    client_fails("client: server certificate whose signature does not verify", &o, VERIFY_FAILED,
                 "certificate signature failure");
    free(pem);
    free(leaf);
}

ParameterizedTestParameters(bad_verify, client_cert)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* The server requires a client certificate: none comes, or one from a CA
 * it does not trust. The server's result is the fixed one: on TLS 1.3 the
 * client may finish first and hear of the failure on its first read. */
ParameterizedTest(struct th_cell *cell, bad_verify, client_cert)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.server_verify = OTLS_VERIFY_REQUIRED;
    struct th_pair *p = th_pair_new(&o);
    const char *what = "server: client certificate required, none sent";
    BI_EXPECT(what, p->desc, otls_ctx_backend(p->sctx), p->sst, OTLS_ERR_TLS, p->serr,
              "peer did not return a certificate");
    th_pair_free(p);

    struct tpki_opts po = tpki_opts_default(TPKI_EC);
    po.ca_label = "omnitls other";
    const struct tpki *other = variant(&po);
    o.client_cert = 0;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    cr_assert(otls_ctx_load_cert_chain_mem(cctx, other->client_chain_pem.data,
                                           other->client_chain_pem.len, other->client_key_pem.data,
                                           other->client_key_pem.len) == OTLS_OK,
              "%s", otls_ctx_error(cctx));
    p = th_pair_connect(cctx, th_ctx_make(&o, OTLS_SERVER), &o);
    what = "server: client certificate from an untrusted CA";
    BI_EXPECT(what, p->desc, otls_ctx_backend(p->sctx), p->sst, OTLS_ERR_VERIFY, p->serr,
              VERIFY_FAILED "unable to get local issuer certificate");
    th_pair_free(p);
}

ParameterizedTestParameters(bad_verify, client_cert_dates)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* The server's side of the date checks: a client certificate expired or
 * not yet valid, under REQUIRED. (Both leaves of the variant PKI carry the
 * dates, so the client does not verify here.) */
ParameterizedTest(struct th_cell *cell, bad_verify, client_cert_dates)
{
    th_require_cell(cell);
    struct tpki_opts po = tpki_opts_default(TPKI_EC);
    static const struct {
        long not_before, not_after;
        const char *what, *needle;
    } cases[] = {
        {-60 * DAY, -DAY, "server: expired client certificate",
         VERIFY_FAILED "certificate has expired"},
        {DAY, 30 * DAY, "server: client certificate not yet valid",
         VERIFY_FAILED "certificate is not yet valid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        po.leaf_not_before = cases[i].not_before;
        po.leaf_not_after = cases[i].not_after;
        struct th_opts o = th_opts_cell(cell);
        o.pki = variant(&po);
        o.client_verify = OTLS_VERIFY_NONE;
        o.client_cert = 1;
        o.server_verify = OTLS_VERIFY_REQUIRED;
        struct th_pair *p = th_pair_new(&o);
        BI_EXPECT(cases[i].what, p->desc, otls_ctx_backend(p->sctx), p->sst, OTLS_ERR_VERIFY,
                  p->serr, cases[i].needle);
        th_pair_free(p);
    }
}
