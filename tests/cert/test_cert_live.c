/* The peer certificate of live connections, on every pair of backends
 * from otls_backends(): otls_peer_cert_json() must equal the file-based
 * decode of the same DER (Python's getpeercert() over the wire equals
 * _test_decode_cert() on the file), "{}" when the context does not verify,
 * nothing when no certificate was sent, and an error before the
 * handshake. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include <omnitls/cert.h>
#include <openssl/evp.h> /* only to compute the expected fingerprint */

#include "harness.h"

/* JSON of a DER certificate decoded from memory, as a file would be. */
static char *file_json(const struct tpki_blob *der, unsigned flags)
{
    otls_cert *c = NULL;
    otls_error err;
    otls_status st = otls_cert_decode(der->data, der->len, &c, &err);
    cr_assert_eq(st, OTLS_OK, "decoding the test PKI's certificate: %s", err.message);
    char *json = NULL;
    cr_assert_eq(otls_cert_to_json(c, flags, &json, NULL), OTLS_OK);
    otls_cert_free(c);
    return json;
}

static void expect_peer_json(otls_conn *conn, const struct tpki_blob *der, const char *who,
                             const char *desc)
{
    for (unsigned flags = 0; flags <= OTLS_JSON_SORT_KEYS; flags++) {
        char *want = file_json(der, flags);
        char *got = NULL;
        size_t len = 0;
        otls_status st = otls_peer_cert_json(conn, flags, &got, &len);
        cr_assert_eq(st, OTLS_OK, "%s: %s peer JSON: %s (%s)", desc, who, otls_status_name(st),
                     otls_conn_error(conn));
        cr_expect_str_eq(got, want, "%s: %s peer JSON differs from the file decode", desc, who);
        cr_expect_eq(len, strlen(got));
        otls_free_string(got);
        otls_free_string(want);
    }
    otls_cert *cert = NULL;
    cr_assert_eq(otls_peer_cert(conn, &cert), OTLS_OK, "%s: %s: %s", desc, who,
                 otls_conn_error(conn));
    cr_expect(cert->der_len == der->len && memcmp(cert->der, der->data, der->len) == 0,
              "%s: %s: otls_peer_cert is not the peer's certificate", desc, who);
    /* The fingerprint, computed on request, is OpenSSL's SHA-256 of the DER. */
    uint8_t got[32], want[32];
    unsigned wlen = 0;
    cr_assert(EVP_Digest(der->data, der->len, want, &wlen, EVP_sha256(), NULL) == 1 && wlen == 32);
    cr_assert_eq(otls_cert_sha256(cert, got), OTLS_OK);
    cr_expect(memcmp(got, want, 32) == 0, "%s: %s: otls_cert_sha256 is not the DER's SHA-256", desc,
              who);
    otls_cert_free(cert);
}

ParameterizedTestParameters(cert_live, peer_json_equals_file_decode)
{
    return th_cells(TH_DIM_CROSS | TH_DIM_KEY, 0);
}

ParameterizedTest(struct th_cell *cell, cert_live, peer_json_equals_file_decode)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.server_verify = OTLS_VERIFY_REQUIRED;
    o.client_cert = 1;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    expect_peer_json(p->client, &p->pki->server_der, "client", p->desc);
    expect_peer_json(p->server, &p->pki->client_der, "server", p->desc);
    th_pair_free(p);
}

ParameterizedTestParameters(cert_live, python_rules)
{
    return th_cells(TH_DIM_CROSS, 0);
}

ParameterizedTest(struct th_cell *cell, cert_live, python_rules)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.client_verify = OTLS_VERIFY_NONE; /* getpeercert() -> {} */
    o.check_hostname = 0;
    o.client_cert = 1; /* offered, but the server does not ask */
    o.server_verify = OTLS_VERIFY_NONE;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);

    char *json = NULL;
    size_t len = 99;
    otls_status st = otls_peer_cert_json(p->client, OTLS_JSON_SORT_KEYS, &json, &len);
    cr_assert_eq(st, OTLS_OK, "%s: %s (%s)", p->desc, otls_status_name(st),
                 otls_conn_error(p->client));
    cr_expect_str_eq(json, "{}", "%s: an unverified peer certificate renders as {}", p->desc);
    cr_expect_eq(len, 2);
    otls_free_string(json);
    /* The typed view still decodes it. */
    otls_cert *cert = NULL;
    cr_expect_eq(otls_peer_cert(p->client, &cert), OTLS_OK);
    otls_cert_free(cert);

    /* The server did not ask: no certificate (Python's None). */
    json = (char *)&json;
    st = otls_peer_cert_json(p->server, 0, &json, &len);
    cr_expect_eq(st, OTLS_NONE, "%s: server without a client certificate: %s", p->desc,
                 otls_status_name(st));
    cr_expect(json == NULL && len == 0);
    cert = (otls_cert *)&cert;
    cr_expect_eq(otls_peer_cert(p->server, &cert), OTLS_NONE);
    cr_expect_null(cert);
    th_pair_free(p);
}

ParameterizedTestParameters(cert_live, before_handshake)
{
    return th_cells(0, 0);
}

ParameterizedTest(struct th_cell *cell, cert_live, before_handshake)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.transport = TH_CALLBACKS;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    struct th_pair *p = th_pair_connect_only(cctx, sctx, &o);
    char *json = (char *)&json;
    otls_cert *cert = (otls_cert *)&cert;
    cr_expect_eq(otls_peer_cert_json(p->client, 0, &json, NULL), OTLS_ERR_HANDSHAKE_NOT_DONE);
    cr_expect_null(json);
    cr_expect_eq(otls_peer_cert(p->client, &cert), OTLS_ERR_HANDSHAKE_NOT_DONE);
    cr_expect_null(cert);
    cr_expect_eq(otls_peer_cert_json(NULL, 0, &json, NULL), OTLS_ERR_INVALID_ARGUMENT);
    th_pair_drive(p);
    th_pair_assert_ok(p);
    cr_expect_eq(otls_peer_cert_json(p->client, 0x40, &json, NULL), OTLS_ERR_INVALID_ARGUMENT);
    cr_expect_eq(otls_peer_cert_json(p->client, 0, NULL, NULL), OTLS_ERR_INVALID_ARGUMENT);
    cr_expect_eq(otls_peer_cert_json(p->client, 0, &json, NULL), OTLS_OK);
    otls_free_string(json);
    th_pair_free(p);
}
