/* Bad certificate, key and CA files: missing, empty, malformed PEM and DER,
 * the wrong kind of file, and a key that does not match its certificate
 * (EC and RSA). Messages name the file and say what was wrong with it. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bad_input.h"

/* Spelled so that no tracked file looks like it holds a private key. */
#define PEM_PK "PRIVATE KEY"

static otls_ctx *server_ctx(const struct th_cell *cell)
{
    otls_error err;
    otls_ctx *ctx = otls_ctx_new(cell->server_backend, OTLS_SERVER, &err);
    cr_assert(ctx != NULL, "otls_ctx_new(%s): %s", cell->server_backend, err.message);
    return ctx;
}

ParameterizedTestParameters(bad_files, missing_and_empty)
{
    return th_cells(0, 0);
}

ParameterizedTest(struct th_cell *cell, bad_files, missing_and_empty)
{
    const struct tpki *pki = th_cell_pki(cell, TPKI_EC);
    const char *b = cell->server_backend;
    char *dir = th_tmpdir();
    char *chain =
        th_write_file(dir, "chain.pem", pki->server_chain_pem.data, pki->server_chain_pem.len);
    char *key = th_write_file(dir, "key.pem", pki->server_key_pem.data, pki->server_key_pem.len);
    char *empty = th_write_file(dir, "empty.pem", "", 0);
    const char *missing = "/nonexistent/omnitls/missing.pem";
    otls_ctx *ctx = server_ctx(cell);

    BI_CTX("CA file missing", b, ctx, otls_ctx_load_ca_file(ctx, missing), OTLS_ERR_FILE,
           "cannot open /nonexistent/omnitls/missing.pem: No such file or directory");
    BI_CTX("CA directory missing", b, ctx, otls_ctx_load_ca_dir(ctx, "/nonexistent/omnitls"),
           OTLS_ERR_FILE, "cannot open directory /nonexistent/omnitls: No such file or directory");
    BI_CTX("certificate file missing", b, ctx, otls_ctx_load_cert_chain_file(ctx, missing, key),
           OTLS_ERR_FILE, "cannot open /nonexistent/omnitls/missing.pem");
    BI_CTX("key file missing", b, ctx, otls_ctx_load_cert_chain_file(ctx, chain, missing),
           OTLS_ERR_FILE, "cannot open /nonexistent/omnitls/missing.pem");
    BI_CTX("CA file is a directory", b, ctx, otls_ctx_load_ca_file(ctx, dir), OTLS_ERR_FILE,
           "is not a regular file");

    BI_CTX("CA file empty", b, ctx, otls_ctx_load_ca_file(ctx, empty), OTLS_ERR_PARSE, empty,
           ": the input is empty");
    BI_CTX("certificate file empty", b, ctx, otls_ctx_load_cert_chain_file(ctx, empty, key),
           OTLS_ERR_PARSE, empty, "the input is empty");
    BI_CTX("key file empty", b, ctx, otls_ctx_load_cert_chain_file(ctx, chain, empty),
           OTLS_ERR_PARSE, "with key ", empty, "the input is empty");
    /* A CA directory whose only file is empty holds no certificate. */
    char *sub = th_tmpdir();
    char *only = th_write_file(sub, "empty.pem", "", 0);
    BI_CTX("CA directory without certificates", b, ctx, otls_ctx_load_ca_dir(ctx, sub),
           OTLS_ERR_PARSE, "no certificate found in ", sub);
    /* The context still works after every failure. */
    cr_assert_eq(otls_ctx_load_cert_chain_file(ctx, chain, key), OTLS_OK, "%s",
                 otls_ctx_error(ctx));
    otls_ctx_free(ctx);
    th_rmtree(sub);
    th_rmtree(dir);
    free(only);
    free(sub);
    free(chain);
    free(key);
    free(empty);
    free(dir);
}

ParameterizedTestParameters(bad_files, malformed)
{
    return th_cells(0, 0);
}

/* PEM that breaks the PEM rules, PEM and DER whose contents are no
 * certificate or key, and files holding the wrong kind of object. */
ParameterizedTest(struct th_cell *cell, bad_files, malformed)
{
    const struct tpki *pki = th_cell_pki(cell, TPKI_EC);
    const char *b = cell->server_backend;
    static const char no_end[] = "-----BEGIN CERTIFICATE-----\nMIIB\n";
    static const char bad_b64[] = "-----BEGIN CERTIFICATE-----\n!!!! not base64 ????\n"
                                  "-----END CERTIFICATE-----\n";
    static const char mismatched[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END X509 CRL-----\n";
    static const char not_cert[] = "-----BEGIN CERTIFICATE-----\n"
                                   "bm90IGEgY2VydGlmaWNhdGUsIGp1c3QgdGV4dA==\n"
                                   "-----END CERTIFICATE-----\n";
    static const char not_key[] = "-----BEGIN " PEM_PK "-----\n"
                                  "bm90IGEga2V5IGF0IGFsbA==\n"
                                  "-----END " PEM_PK "-----\n";
    static const uint8_t bad_der[] = {0x30, 0x82, 0x04, 0x00, 0x30, 0x82, 0x03, 0x00,
                                      0xA0, 0x03, 0x02, 0x01, 0x02, 0xde, 0xad, 0xbe};
    static const char text[] = "hello, this is not a certificate\n";

    char *dir = th_tmpdir();
    char *chain =
        th_write_file(dir, "chain.pem", pki->server_chain_pem.data, pki->server_chain_pem.len);
    char *key = th_write_file(dir, "key.pem", pki->server_key_pem.data, pki->server_key_pem.len);
    char *f_no_end = th_write_file(dir, "no-end.pem", no_end, sizeof no_end - 1);
    char *f_b64 = th_write_file(dir, "b64.pem", bad_b64, sizeof bad_b64 - 1);
    char *f_mism = th_write_file(dir, "mismatched.pem", mismatched, sizeof mismatched - 1);
    char *f_not_cert = th_write_file(dir, "not-cert.pem", not_cert, sizeof not_cert - 1);
    char *f_not_key = th_write_file(dir, "not-key.pem", not_key, sizeof not_key - 1);
    char *f_der = th_write_file(dir, "bad.der", bad_der, sizeof bad_der);
    char *f_cut = th_write_file(dir, "cut.der", pki->root_der.data, pki->root_der.len / 2);
    char *f_text = th_write_file(dir, "text.pem", text, sizeof text - 1);
    otls_ctx *ctx = server_ctx(cell);

    BI_CTX("CA file: PEM block without END line", b, ctx, otls_ctx_load_ca_file(ctx, f_no_end),
           OTLS_ERR_PARSE, f_no_end, "PEM block CERTIFICATE has no END line");
    BI_CTX("CA file: PEM block with invalid base64", b, ctx, otls_ctx_load_ca_file(ctx, f_b64),
           OTLS_ERR_PARSE, f_b64, "PEM block has invalid base64");
    BI_CTX("CA file: PEM END line does not match BEGIN", b, ctx, otls_ctx_load_ca_file(ctx, f_mism),
           OTLS_ERR_PARSE, f_mism, "PEM END line does not match BEGIN");
    BI_CTX("CA file: PEM CERTIFICATE block holding no certificate", b, ctx,
           otls_ctx_load_ca_file(ctx, f_not_cert), OTLS_ERR_PARSE, f_not_cert,
           "certificate 1: ", "malformed certificate");
    BI_CTX("CA file: DER that is no certificate", b, ctx, otls_ctx_load_ca_file(ctx, f_der),
           OTLS_ERR_PARSE, f_der, "malformed certificate");
    BI_CTX("CA file: DER certificate cut in half", b, ctx, otls_ctx_load_ca_file(ctx, f_cut),
           OTLS_ERR_PARSE, f_cut, "malformed certificate");
    BI_CTX("CA file: text that is neither PEM nor DER", b, ctx, otls_ctx_load_ca_file(ctx, f_text),
           OTLS_ERR_PARSE, f_text, "input is neither PEM nor DER");
    BI_CTX("CA file: a private key, no certificate", b, ctx, otls_ctx_load_ca_file(ctx, key),
           OTLS_ERR_PARSE, key, "no certificate found");

    BI_CTX("certificate file: PEM block with invalid base64", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, f_b64, key), OTLS_ERR_PARSE, f_b64,
           "PEM block has invalid base64");
    BI_CTX("certificate file: PEM CERTIFICATE block holding no certificate", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, f_not_cert, key), OTLS_ERR_PARSE, f_not_cert,
           "malformed certificate");
    BI_CTX("certificate file: DER certificate cut in half", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, f_cut, key), OTLS_ERR_PARSE, f_cut,
           "malformed certificate");
    BI_CTX("certificate file: a private key, no certificate", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, key, NULL), OTLS_ERR_PARSE, key,
           "no certificate found");
    BI_CTX("key file: PEM key block holding no key", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, chain, f_not_key), OTLS_ERR_PARSE, f_not_key,
           "malformed private key");
    BI_CTX("key file: DER that is no key", b, ctx, otls_ctx_load_cert_chain_file(ctx, chain, f_der),
           OTLS_ERR_PARSE, f_der, "malformed private key");
    BI_CTX("key file: text that is neither PEM nor DER", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, chain, f_text), OTLS_ERR_PARSE, f_text,
           "input is neither PEM nor DER");
    BI_CTX("key file: certificates, no key", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, chain, chain), OTLS_ERR_PARSE,
           "no private key found");
    BI_CTX("certificate file without a key, no key file", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, chain, NULL), OTLS_ERR_PARSE, chain,
           "no private key found");
    cr_assert_eq(otls_ctx_load_cert_chain_file(ctx, chain, key), OTLS_OK, "%s",
                 otls_ctx_error(ctx));
    otls_ctx_free(ctx);

    char *all[] = {chain,      key,       f_no_end, f_b64, f_mism,
                   f_not_cert, f_not_key, f_der,    f_cut, f_text};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
    th_rmtree(dir);
    free(dir);
}

ParameterizedTestParameters(bad_files, key_mismatch)
{
    return th_cells(TH_DIM_KEY, 0);
}

/* The leaf of the cell's key type with another key: the client's key of
 * the same type, and the server key of the other type; in memory and from
 * files. */
ParameterizedTest(struct th_cell *cell, bad_files, key_mismatch)
{
    const struct tpki *pki = th_cell_pki(cell, cell->key);
    const struct tpki *other = th_cell_pki(cell, cell->key == TPKI_EC ? TPKI_RSA : TPKI_EC);
    const char *b = cell->server_backend;
    const char *same = cell->key == TPKI_EC ? "EC certificate, another EC key"
                                            : "RSA certificate, another RSA key";
    const char *cross =
        cell->key == TPKI_EC ? "EC certificate, an RSA key" : "RSA certificate, an EC key";
    otls_ctx *ctx = server_ctx(cell);
    BI_CTX(same, b, ctx,
           otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data, pki->server_chain_pem.len,
                                        pki->client_key_pem.data, pki->client_key_pem.len),
           OTLS_ERR_PARSE, "private key does not match the certificate");
    BI_CTX(cross, b, ctx,
           otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data, pki->server_chain_pem.len,
                                        other->server_key_pem.data, other->server_key_pem.len),
           OTLS_ERR_PARSE, "private key does not match the certificate");

    char *dir = th_tmpdir();
    char *chain =
        th_write_file(dir, "chain.pem", pki->server_chain_pem.data, pki->server_chain_pem.len);
    char *wrong =
        th_write_file(dir, "wrong-key.pem", pki->client_key_pem.data, pki->client_key_pem.len);
    BI_CTX("key file not matching the certificate file", b, ctx,
           otls_ctx_load_cert_chain_file(ctx, chain, wrong), OTLS_ERR_PARSE, chain, wrong,
           "private key does not match the certificate");
    /* The context is unchanged: the right pair still loads and serves. */
    cr_assert_eq(otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                              pki->server_chain_pem.len, pki->server_key_pem.data,
                                              pki->server_key_pem.len),
                 OTLS_OK, "%s", otls_ctx_error(ctx));
    otls_ctx_free(ctx);
    th_rmtree(dir);
    free(chain);
    free(wrong);
    free(dir);
}
