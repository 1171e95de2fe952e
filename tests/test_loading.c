/* Loading trust anchors, certificate chains and keys: from files, a
 * directory and memory; and the errors for missing, malformed, mismatched
 * and encrypted input. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Fake key blocks for the PEM reader, spelled so that no tracked file looks
 * like it holds a private key. */
#define PEM_PK "PRIVATE KEY"

/* Checks the status and that the context holds a message. */
#define EXPECT_CTX(ctx, call, want)                                                                \
    do {                                                                                           \
        otls_status st_ = (call);                                                                  \
        cr_assert(st_ == (want), "%s: %s, expected %s (%s)", #call, otls_status_name(st_),         \
                  otls_status_name(want), otls_ctx_error(ctx));                                    \
        if ((want) < 0)                                                                            \
            cr_assert(otls_ctx_error(ctx)[0], "%s: %s left no message", #call,                     \
                      otls_status_name(st_));                                                      \
    } while (0)

static otls_ctx *new_ctx(const char *backend, otls_role role)
{
    otls_error err;
    otls_ctx *ctx = otls_ctx_new(backend, role, &err);
    cr_assert(ctx != NULL, "otls_ctx_new(%s): %s", backend, err.message);
    return ctx;
}

ParameterizedTestParameters(loading, missing_files)
{
    return th_cells(0, 0);
}

ParameterizedTest(struct th_cell *cell, loading, missing_files)
{
    const struct tpki *pki = th_cell_pki(cell, TPKI_EC);
    char *dir = th_tmpdir();
    char *chain =
        th_write_file(dir, "chain.pem", pki->server_chain_pem.data, pki->server_chain_pem.len);
    const char *missing = "/nonexistent/omnitls/missing.pem";
    otls_ctx *ctx = new_ctx(cell->server_backend, OTLS_SERVER);
    EXPECT_CTX(ctx, otls_ctx_load_ca_file(ctx, missing), OTLS_ERR_FILE);
    EXPECT_CTX(ctx, otls_ctx_load_ca_dir(ctx, "/nonexistent/omnitls"), OTLS_ERR_FILE);
    EXPECT_CTX(ctx, otls_ctx_load_cert_chain_file(ctx, missing, NULL), OTLS_ERR_FILE);
    EXPECT_CTX(ctx, otls_ctx_load_cert_chain_file(ctx, chain, missing), OTLS_ERR_FILE);
    otls_ctx_free(ctx);
    th_rmtree(dir);
    free(chain);
    free(dir);
}

ParameterizedTestParameters(loading, garbage)
{
    return th_cells(0, 0);
}

/* Input that is not PEM/DER, or PEM whose body is not a certificate. */
ParameterizedTest(struct th_cell *cell, loading, garbage)
{
    const struct tpki *pki = th_cell_pki(cell, TPKI_EC);
    static const char text[] = "hello, this is not a certificate\n";
    static const char bad_pem[] = "-----BEGIN CERTIFICATE-----\n"
                                  "bm90IGEgY2VydGlmaWNhdGUsIGp1c3QgdGV4dA==\n"
                                  "-----END CERTIFICATE-----\n";
    static const char bad_b64[] = "-----BEGIN CERTIFICATE-----\n"
                                  "!!!! not base64 ????\n"
                                  "-----END CERTIFICATE-----\n";
    /* A DER SEQUENCE header that claims more than there is. */
    static const uint8_t bad_der[] = {0x30, 0x82, 0x04, 0x00, 0x30, 0x82, 0x03, 0x00,
                                      0xA0, 0x03, 0x02, 0x01, 0x02, 0xde, 0xad, 0xbe};
    static const char bad_key[] = "-----BEGIN " PEM_PK "-----\n"
                                  "bm90IGEga2V5IGF0IGFsbA==\n"
                                  "-----END " PEM_PK "-----\n";

    otls_ctx *ctx = new_ctx(cell->server_backend, OTLS_SERVER);
    EXPECT_CTX(ctx, otls_ctx_load_ca_mem(ctx, text, sizeof text - 1), OTLS_ERR_PARSE);
    EXPECT_CTX(ctx, otls_ctx_load_ca_mem(ctx, bad_pem, sizeof bad_pem - 1), OTLS_ERR_PARSE);
    EXPECT_CTX(ctx, otls_ctx_load_ca_mem(ctx, bad_b64, sizeof bad_b64 - 1), OTLS_ERR_PARSE);
    EXPECT_CTX(ctx, otls_ctx_load_ca_mem(ctx, bad_der, sizeof bad_der), OTLS_ERR_PARSE);
    /* A truncated real certificate. */
    EXPECT_CTX(ctx, otls_ctx_load_ca_mem(ctx, pki->root_der.data, pki->root_der.len / 2),
               OTLS_ERR_PARSE);
    EXPECT_CTX(ctx,
               otls_ctx_load_cert_chain_mem(ctx, bad_pem, sizeof bad_pem - 1,
                                            pki->server_key_pem.data, pki->server_key_pem.len),
               OTLS_ERR_PARSE);
    EXPECT_CTX(ctx,
               otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                            pki->server_chain_pem.len, bad_key, sizeof bad_key - 1),
               OTLS_ERR_PARSE);
    EXPECT_CTX(ctx,
               otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                            pki->server_chain_pem.len, text, sizeof text - 1),
               OTLS_ERR_PARSE);
    /* Chain without a key anywhere: the input lacks what it must hold. */
    EXPECT_CTX(ctx,
               otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                            pki->server_chain_pem.len, NULL, 0),
               OTLS_ERR_PARSE);

    /* The same through files. */
    char *dir = th_tmpdir();
    char *garbage = th_write_file(dir, "garbage.pem", bad_pem, sizeof bad_pem - 1);
    char *chain =
        th_write_file(dir, "chain.pem", pki->server_chain_pem.data, pki->server_chain_pem.len);
    char *badkey = th_write_file(dir, "key.pem", bad_key, sizeof bad_key - 1);
    EXPECT_CTX(ctx, otls_ctx_load_ca_file(ctx, garbage), OTLS_ERR_PARSE);
    EXPECT_CTX(ctx, otls_ctx_load_cert_chain_file(ctx, garbage, badkey), OTLS_ERR_PARSE);
    EXPECT_CTX(ctx, otls_ctx_load_cert_chain_file(ctx, chain, badkey), OTLS_ERR_PARSE);
    otls_ctx_free(ctx);
    th_rmtree(dir);
    free(garbage);
    free(chain);
    free(badkey);
    free(dir);
}

ParameterizedTestParameters(loading, key_mismatch)
{
    return th_cells(TH_DIM_KEY, 0);
}

/* A key that is not the leaf's: same type, and the other type. */
ParameterizedTest(struct th_cell *cell, loading, key_mismatch)
{
    const struct tpki *pki = th_cell_pki(cell, cell->key);
    const struct tpki *other = th_cell_pki(cell, cell->key == TPKI_EC ? TPKI_RSA : TPKI_EC);
    otls_ctx *ctx = new_ctx(cell->server_backend, OTLS_SERVER);
    EXPECT_CTX(ctx,
               otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                            pki->server_chain_pem.len, pki->client_key_pem.data,
                                            pki->client_key_pem.len),
               OTLS_ERR_PARSE);
    EXPECT_CTX(ctx,
               otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                            pki->server_chain_pem.len, other->server_key_pem.data,
                                            other->server_key_pem.len),
               OTLS_ERR_PARSE);
    /* The right key still loads after the failures. */
    EXPECT_CTX(ctx,
               otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                            pki->server_chain_pem.len, pki->server_key_pem.data,
                                            pki->server_key_pem.len),
               OTLS_OK);
    otls_ctx_free(ctx);
}

ParameterizedTestParameters(loading, encrypted_key)
{
    return th_cells(TH_DIM_KEY, 0);
}

/* Runs the openssl CLI; 0 on success. */
static int run_openssl(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", TH_OPENSSL_CLI, args);
    return system(cmd);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    char *buf = malloc(65536);
    cr_assert(buf != NULL);
    *len = fread(buf, 1, 65535, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

/* Encrypted keys (PKCS#8 and legacy PEM encryption), made here with the
 * openssl CLI: OTLS_ERR_UNSUPPORTED, from a file and from memory. */
ParameterizedTest(struct th_cell *cell, loading, encrypted_key)
{
    if (TH_OPENSSL_CLI[0] == '\0')
        cr_skip_test("no openssl CLI found at configure time to make an encrypted key");
    const struct tpki *pki = th_cell_pki(cell, cell->key);
    char *dir = th_tmpdir();
    char *key = th_write_file(dir, "key.pem", pki->server_key_pem.data, pki->server_key_pem.len);
    char *chain =
        th_write_file(dir, "chain.pem", pki->server_chain_pem.data, pki->server_chain_pem.len);
    char args[4096];
    snprintf(args, sizeof args,
             "pkcs8 -topk8 -v2 aes-256-cbc -passout pass:omnitls-test -in '%s' -out '%s/enc8.pem'",
             key, dir);
    cr_assert(run_openssl(args) == 0, "openssl pkcs8 -topk8 failed");
    snprintf(args, sizeof args,
             "pkey -in '%s' -aes256 -passout pass:omnitls-test -traditional -out '%s/enc1.pem'",
             key, dir);
    cr_assert(run_openssl(args) == 0, "openssl pkey -traditional -aes256 failed");

    static const char *const names[] = {"enc8.pem", "enc1.pem"};
    otls_ctx *ctx = new_ctx(cell->server_backend, OTLS_SERVER);
    for (int i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len = 0;
        char *pem = read_all(path, &len);
        cr_assert(strstr(pem, "ENCRYPTED") != NULL, "%s is not encrypted", names[i]);
        cr_log_info("%s: %s", th_cell_desc(cell), names[i]);
        EXPECT_CTX(ctx, otls_ctx_load_cert_chain_file(ctx, chain, path), OTLS_ERR_UNSUPPORTED);
        EXPECT_CTX(ctx,
                   otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                                pki->server_chain_pem.len, pem, len),
                   OTLS_ERR_UNSUPPORTED);
        free(pem);
    }
    otls_ctx_free(ctx);
    th_rmtree(dir);
    free(key);
    free(chain);
    free(dir);
}

/* ------------------------------------------------------------------------ */
/* File-based configuration that works                                      */

ParameterizedTestParameters(loading, files_handshake)
{
    return th_cells(TH_DIM_KEY, 0);
}

/* tpki_write_dir's files: CA file, chain + separate key on both ends, a
 * combined chain+key file, and a DER CA file; each gives a verified
 * handshake with mutual authentication. */
ParameterizedTest(struct th_cell *cell, loading, files_handshake)
{
    const struct tpki *pki = th_cell_pki(cell, cell->key);
    char *dir = th_tmpdir();
    cr_assert(tpki_write_dir(pki, dir) == 0, "tpki_write_dir(%s) failed", dir);
    char root[4096], schain[4096], skey[4096], cchain[4096], ckey[4096];
    snprintf(root, sizeof root, "%s/root.pem", dir);
    snprintf(schain, sizeof schain, "%s/server-chain.pem", dir);
    snprintf(skey, sizeof skey, "%s/server-key.pem", dir);
    snprintf(cchain, sizeof cchain, "%s/client-chain.pem", dir);
    snprintf(ckey, sizeof ckey, "%s/client-key.pem", dir);
    char *rootder = th_write_file(dir, "root.der", pki->root_der.data, pki->root_der.len);
    /* Chain and key in one file: key_path NULL. */
    size_t clen = pki->server_chain_pem.len + pki->server_key_pem.len;
    char *combo = malloc(clen);
    cr_assert(combo != NULL);
    memcpy(combo, pki->server_chain_pem.data, pki->server_chain_pem.len);
    memcpy(combo + pki->server_chain_pem.len, pki->server_key_pem.data, pki->server_key_pem.len);
    char *combined = th_write_file(dir, "server-combined.pem", combo, clen);
    free(combo);

    for (int variant = 0; variant < 2; variant++) {
        otls_ctx *c = new_ctx(cell->client_backend, OTLS_CLIENT);
        otls_ctx *s = new_ctx(cell->server_backend, OTLS_SERVER);
        EXPECT_CTX(c, otls_ctx_load_ca_file(c, variant ? rootder : root), OTLS_OK);
        EXPECT_CTX(c, otls_ctx_load_cert_chain_file(c, cchain, ckey), OTLS_OK);
        if (variant)
            EXPECT_CTX(s, otls_ctx_load_cert_chain_file(s, combined, NULL), OTLS_OK);
        else
            EXPECT_CTX(s, otls_ctx_load_cert_chain_file(s, schain, skey), OTLS_OK);
        EXPECT_CTX(s, otls_ctx_load_ca_file(s, root), OTLS_OK);
        EXPECT_CTX(s, otls_ctx_set_verify(s, OTLS_VERIFY_REQUIRED), OTLS_OK);
        struct th_opts o = th_opts_default();
        o.pki = pki;
        o.key = cell->key;
        struct th_pair *p = th_pair_connect(c, s, &o);
        th_pair_assert_ok(p);
        const uint8_t *der = NULL;
        size_t len = 0;
        cr_assert(otls_peer_cert_der(p->client, &der, &len) == OTLS_OK &&
                      th_der_eq(der, len, &pki->server_der),
                  "%s: variant %d: client's peer cert", p->desc, variant);
        cr_assert(otls_peer_cert_der(p->server, &der, &len) == OTLS_OK &&
                      th_der_eq(der, len, &pki->client_der),
                  "%s: variant %d: server's peer cert", p->desc, variant);
        th_pair_free(p);
    }
    th_rmtree(dir);
    free(rootder);
    free(combined);
    free(dir);
}

ParameterizedTestParameters(loading, ca_dir)
{
    return th_cells(TH_DIM_KEY, 0);
}

/* A CA directory: files without certificates are skipped; a directory with
 * no certificate at all is OTLS_ERR_PARSE. */
ParameterizedTest(struct th_cell *cell, loading, ca_dir)
{
    const struct tpki *pki = th_cell_pki(cell, cell->key);
    char *dir = th_tmpdir();
    char *root = th_write_file(dir, "root.pem", pki->root_pem.data, pki->root_pem.len);
    static const char notes[] = "not a certificate\n";
    char *txt = th_write_file(dir, "notes.txt", notes, sizeof notes - 1);
    char *empty = th_tmpdir();
    char *txt2 = th_write_file(empty, "readme.txt", notes, sizeof notes - 1);

    otls_ctx *c = new_ctx(cell->client_backend, OTLS_CLIENT);
    EXPECT_CTX(c, otls_ctx_load_ca_dir(c, empty), OTLS_ERR_PARSE);
    EXPECT_CTX(c, otls_ctx_load_ca_dir(c, dir), OTLS_OK);
    struct th_opts o = th_opts_default();
    o.pki = pki;
    o.key = cell->key;
    o.server_backend = cell->server_backend;
    otls_ctx *s = th_ctx_make(&o, OTLS_SERVER);
    struct th_pair *p = th_pair_connect(c, s, &o);
    th_pair_assert_ok(p);
    if (th_backend(cell->client_backend)->features & OTLS_FEAT_VERIFIED_CHAIN) {
        const otls_der *certs = NULL;
        size_t n = 0;
        otls_status st = otls_verified_chain(p->client, &certs, &n);
        cr_assert(st == OTLS_OK && n == 3 && th_der_eq(certs[2].data, certs[2].len, &pki->root_der),
                  "%s: verified chain through a CA dir: %s, %zu certs", p->desc,
                  otls_status_name(st), n);
    }
    th_pair_free(p);
    th_rmtree(dir);
    th_rmtree(empty);
    free(root);
    free(txt);
    free(txt2);
    free(dir);
    free(empty);
}

ParameterizedTestParameters(loading, chain_change)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* One message each way on an established pair. */
static void exchange(const struct th_pair *p, const char *when)
{
    const char *msg[2] = {"from the server", "from the client"};
    otls_conn *from[2] = {p->server, p->client}, *to[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        size_t n = 0, got = 0, len = strlen(msg[i]);
        char buf[32] = {0};
        otls_status st = otls_write(from[i], msg[i], len, &n);
        cr_assert(st == OTLS_OK && n == len, "%s: %s: write %s: %s (%s)", p->desc, when, msg[i],
                  otls_status_name(st), otls_conn_error(from[i]));
        while (got < len) {
            st = otls_read(to[i], buf + got, len - got, &n);
            cr_assert(st == OTLS_OK && n > 0, "%s: %s: read %s: %s (%s)", p->desc, when, msg[i],
                      otls_status_name(st), otls_conn_error(to[i]));
            got += n;
        }
        cr_assert(memcmp(buf, msg[i], len) == 0, "%s: %s: read %s: wrong bytes", p->desc, when,
                  msg[i]);
    }
}

static void expect_server_cert(const struct th_pair *p, const struct tpki_blob *want,
                               const char *which)
{
    const uint8_t *der = NULL;
    size_t len = 0;
    otls_status st = otls_peer_cert_der(p->client, &der, &len);
    cr_assert(st == OTLS_OK && th_der_eq(der, len, want), "%s: the client sees %s: %s", p->desc,
              which, otls_status_name(st));
}

/* A server chain loaded while connections are open: a new connection
 * presents it; one made before keeps its own and goes on working, before
 * and after the newer connection is gone (a backend whose connections
 * point into a shared chain must keep the old one for them). */
ParameterizedTest(struct th_cell *cell, loading, chain_change)
{
    th_require_cell(cell);
    const struct tpki *ec = th_cell_pki(cell, TPKI_EC);
    /* Another CA's chain, of the same key type: the sessions made before
     * the change stay resumable with the suites they were made with. */
    struct tpki other;
    struct tpki_opts po = tpki_opts_default(TPKI_EC);
    po.ca_label = "omnitls other";
    char err[256];
    cr_assert(tpki_generate_opts(&other, &po, err, sizeof err) == 0, "tpki: %s", err);
    const struct tpki *nxt = &other;
    struct th_opts o = th_opts_cell(cell);
    o.key = TPKI_EC;
    o.pki = ec;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    EXPECT_CTX(cctx, otls_ctx_load_ca_mem(cctx, nxt->root_pem.data, nxt->root_pem.len), OTLS_OK);

    struct th_pair *old = th_pair_connect(cctx, sctx, &o);
    old->keep_ctx = 1;
    th_pair_assert_ok(old);
    EXPECT_CTX(sctx,
               otls_ctx_load_cert_chain_mem(sctx, nxt->server_chain_pem.data,
                                            nxt->server_chain_pem.len, nxt->server_key_pem.data,
                                            nxt->server_key_pem.len),
               OTLS_OK);
    struct th_pair *now = th_pair_connect(cctx, sctx, &o);
    now->keep_ctx = 1;
    th_pair_assert_ok(now);
    expect_server_cert(now, &nxt->server_der, "the new chain");
    expect_server_cert(old, &ec->server_der, "the chain of its handshake");
    exchange(old, "after the change");
    exchange(now, "after the change");
    th_pair_free(now);
    exchange(old, "after the newer connection was freed");
    /* The change keeps the context's sessions: one from before it resumes
     * (as on OpenSSL, whose SSL_CTX keeps its ticket key and cache). */
    if (th_backend(cell->client_backend)->features & OTLS_FEAT_RESUMPTION) {
        otls_session *sess = NULL;
        otls_status st = otls_conn_get_session(old->client, &sess);
        cr_assert(st == OTLS_OK && sess != NULL, "%s: get_session: %s", old->desc,
                  otls_status_name(st));
        cr_assert(otls_shutdown(old->client) == OTLS_OK, "%s: client shutdown", old->desc);
        o.session = sess;
        struct th_pair *again = th_pair_connect(cctx, sctx, &o);
        again->keep_ctx = 1;
        otls_session_free(sess);
        th_pair_assert_ok(again);
        int reused = -1;
        st = otls_session_reused(again->server, &reused);
        cr_assert(st == OTLS_OK && reused == 1, "%s: a session from before the change: %s, %d",
                  again->desc, otls_status_name(st), reused);
        th_pair_free(again);
        o.session = NULL;
    }
    th_pair_free(old);
    otls_ctx_free(cctx);
    otls_ctx_free(sctx);
    tpki_free(&other);
}
