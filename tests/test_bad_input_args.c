/* Bad arguments to every public function of omnitls.h and cert.h, calls in
 * the wrong state (introspection before the handshake, after a failed one,
 * after shutdown), unknown channel-binding types and short buffers, unknown
 * backends; and a check that none of it makes the library print.
 *
 * The functions, from the headers, and where each is exercised here:
 *   otls_status_name otls_version otls_backends otls_backend_load_errors
 *   otls_default_backend otls_set_allocator otls_ctx_new otls_ctx_free
 *   otls_ctx_error otls_ctx_backend otls_conn_new otls_conn_free
 *   otls_conn_error otls_conn_role otls_conn_backend otls_session_free
 *   otls_cert_decode otls_cert_decode_pem otls_cert_free otls_cert_to_json
 *   otls_cert_sha256 otls_free_string: bad_args/library and
 *   bad_args/null_objects;
 *   otls_ctx_load_* otls_ctx_set_*: bad_args/ctx_calls;
 *   otls_conn_set_* otls_handshake otls_read otls_write otls_shutdown
 *   otls_conn_get_session otls_conn_set_session: bad_args/conn_calls;
 *   introspection (otls_peer_cert_der ... otls_session_reused,
 *   otls_peer_cert, otls_peer_cert_json): bad_args/conn_calls (NULL
 *   outputs) and bad_args/states; otls_channel_binding: bad_args/binding. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <omnitls/cert.h>

#include "bad_input.h"

/* ------------------------------------------------------------------------ */
/* Without a backend                                                        */

static void *my_malloc(size_t n, void *u)
{
    (void)u;
    return malloc(n);
}

static void my_free(void *p, void *u)
{
    (void)u;
    free(p);
}

/* Functions whose only channel is the status (or a returned string). */
Test(bad_args, library)
{
    const otls_status inv = OTLS_ERR_INVALID_ARGUMENT;
    static const int odd[] = {42, -42, 5, -14, 1000};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        const char *name = otls_status_name((otls_status)odd[i]);
        cr_assert(name != NULL && name[0] != '\0', "otls_status_name(%d)", odd[i]);
    }
    cr_assert(otls_version() != NULL && otls_version()[0] != '\0');
    cr_assert(otls_default_backend() != NULL);

    const otls_backend_info *list = NULL;
    size_t count = 0;
    cr_assert_eq(otls_backends(NULL, &count), inv);
    cr_assert_eq(otls_backends(&list, NULL), inv);
    cr_assert_eq(otls_backends(NULL, NULL), inv);
    cr_assert(otls_backend_load_errors() != NULL);

    cr_assert_eq(otls_set_allocator(NULL, NULL, my_free, NULL), inv);
    cr_assert_eq(otls_set_allocator(my_malloc, NULL, NULL, NULL), inv);
    /* Once an object exists the allocator cannot change. */
    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_CLIENT, NULL);
    cr_assert(ctx != NULL);
    cr_assert_eq(otls_set_allocator(my_malloc, NULL, my_free, NULL), OTLS_ERR_STATE);
    otls_ctx_free(ctx);

    /* Certificates: NULL and out-of-range inputs, with err and without. */
    otls_error err;
    otls_cert *cert = (otls_cert *)&err; /* must be reset to NULL */
    BI_EXPECT("otls_cert_decode(NULL der, len 5)", "core", "core",
              otls_cert_decode(NULL, 5, &cert, &err), inv, err.message, "NULL");
    cr_assert(cert == NULL, "*out not reset on failure");
    BI_EXPECT("otls_cert_decode(NULL out)", "core", "core",
              otls_cert_decode((const uint8_t *)"0", 1, NULL, &err), inv, err.message, "NULL");
    cr_assert_eq(otls_cert_decode(NULL, 5, &cert, NULL), inv);
    BI_EXPECT("otls_cert_decode(empty input)", "core", "core",
              otls_cert_decode((const uint8_t *)"", 0, &cert, &err), OTLS_ERR_PARSE, err.message,
              "certificate");
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    BI_EXPECT("otls_cert_decode(a DER SEQUENCE that is no certificate)", "core", "core",
              otls_cert_decode(junk, sizeof junk, &cert, &err), OTLS_ERR_PARSE, err.message,
              "certificate");
    BI_EXPECT("otls_cert_decode_pem(NULL data, len 5)", "core", "core",
              otls_cert_decode_pem(NULL, 5, &cert, &err), inv, err.message, "NULL");
    BI_EXPECT("otls_cert_decode_pem(NULL out)", "core", "core",
              otls_cert_decode_pem("x", 1, NULL, &err), inv, err.message, "NULL");
    BI_EXPECT("otls_cert_decode_pem(text that is neither PEM nor DER)", "core", "core",
              otls_cert_decode_pem("hello", 5, &cert, &err), OTLS_ERR_PARSE, err.message,
              "neither PEM nor DER");
    cr_assert(cert == NULL);

    const struct tpki *pki = th_pki(TPKI_EC);
    cr_assert_eq(otls_cert_decode(pki->server_der.data, pki->server_der.len, &cert, &err), OTLS_OK,
                 "%s", err.message);
    char *json = (char *)"sentinel";
    size_t len = 7;
    cr_assert_eq(otls_cert_to_json(NULL, 0, &json, &len), inv);
    cr_assert(json == NULL && len == 0, "outputs not reset on failure");
    cr_assert_eq(otls_cert_to_json(cert, 0, NULL, &len), inv);
    cr_assert_eq(otls_cert_to_json(cert, 0x80, &json, &len), inv);
    cr_assert_eq(otls_cert_to_json(cert, 0, &json, NULL), OTLS_OK); /* len may be NULL */
    otls_free_string(json);
    uint8_t md[32];
    cr_assert_eq(otls_cert_sha256(NULL, md), inv);
    cr_assert_eq(otls_cert_sha256(cert, NULL), inv);
    otls_cert_free(cert);

    /* Free functions take NULL. */
    otls_cert_free(NULL);
    otls_free_string(NULL);
    otls_session_free(NULL);
    otls_ctx_free(NULL);
    otls_conn_free(NULL);
}

/* Unknown backends: a name no build has, an empty name, a long one, and a
 * role that does not exist. The broken-plugin cases (a module with another
 * provider ABI, a file that is no shared object) are tests/plugins. */
Test(bad_args, unknown_backend)
{
    otls_error err;
    static const char long_name[] = "a-backend-name-far-longer-than-any-real-one-is-ever-"
                                    "going-to-be-in-this-library-or-any-other";
    static const char *const names[] = {"no-such-backend", "", "OpenSSL", long_name};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        memset(&err, 0x55, sizeof err);
        cr_assert(otls_ctx_new(names[i], OTLS_CLIENT, &err) == NULL, "a context on '%s'", names[i]);
        char what[160];
        snprintf(what, sizeof what, "otls_ctx_new(\"%.100s\", ...): no such backend", names[i]);
        BI_EXPECT(what, names[i], "core", err.code, OTLS_ERR_NOT_FOUND, err.message,
                  "no TLS backend named '");
    }
    cr_assert(otls_ctx_new("no-such-backend", OTLS_SERVER, NULL) == NULL);
    for (int role = -1; role <= 2; role += 3) {
        cr_assert(otls_ctx_new(NULL, (otls_role)role, &err) == NULL, "role %d", role);
        BI_EXPECT("otls_ctx_new(role out of range)", "role", "core", err.code,
                  OTLS_ERR_INVALID_ARGUMENT, err.message, "role must be");
    }
}

/* NULL for the object itself: nothing can hold a message, so the status is
 * the answer, and the accessors say there is no object. */
Test(bad_args, null_objects)
{
    const otls_status inv = OTLS_ERR_INVALID_ARGUMENT;
    size_t n = 0;
    uint8_t b[8];
    const char *s;
    const uint8_t *der;
    const otls_der *certs;
    const otls_cipher_info *list;
    otls_cipher_info info;
    otls_session *sess;
    otls_cert *cert;
    char *json;
    int reused;
    cr_assert_str_eq(otls_ctx_error(NULL), "no context");
    cr_assert_str_eq(otls_conn_error(NULL), "no connection");
    cr_assert(otls_ctx_backend(NULL) == NULL && otls_conn_backend(NULL) == NULL);
    cr_assert(otls_conn_role(NULL) == OTLS_CLIENT);
    cr_assert(otls_conn_new(NULL) == NULL);

    const otls_status got[] = {
        otls_ctx_load_ca_file(NULL, "x"),
        otls_ctx_load_ca_dir(NULL, "x"),
        otls_ctx_load_ca_mem(NULL, "x", 1),
        otls_ctx_load_cert_chain_file(NULL, "x", NULL),
        otls_ctx_load_cert_chain_mem(NULL, "x", 1, NULL, 0),
        otls_ctx_set_verify(NULL, OTLS_VERIFY_NONE),
        otls_ctx_set_check_hostname(NULL, 1),
        otls_ctx_set_versions(NULL, OTLS_TLS1_2, OTLS_TLS1_3),
        otls_ctx_set_ciphers(NULL, NULL),
        otls_ctx_set_alpn(NULL, NULL, 0),
        otls_ctx_set_flags(NULL, 0),
        otls_conn_set_fd(NULL, 0),
        otls_conn_set_io(NULL, NULL, NULL, NULL),
        otls_conn_set_hostname(NULL, "localhost"),
        otls_handshake(NULL),
        otls_read(NULL, b, sizeof b, &n),
        otls_write(NULL, b, sizeof b, &n),
        otls_shutdown(NULL),
        otls_conn_get_session(NULL, &sess),
        otls_conn_set_session(NULL, NULL),
        otls_peer_cert_der(NULL, &der, &n),
        otls_unverified_chain(NULL, &certs, &n),
        otls_verified_chain(NULL, &certs, &n),
        otls_cipher(NULL, &info),
        otls_protocol(NULL, &s),
        otls_shared_ciphers(NULL, &list, &n),
        otls_compression(NULL, &s),
        otls_alpn_selected(NULL, &s),
        otls_server_name(NULL, &s),
        otls_channel_binding(NULL, "tls-unique", b, &n),
        otls_session_reused(NULL, &reused),
        otls_peer_cert(NULL, &cert),
        otls_peer_cert_json(NULL, 0, &json, &n),
    };
    for (size_t i = 0; i < sizeof got / sizeof got[0]; i++)
        cr_assert(got[i] == inv, "call %zu with a NULL object: %s", i, otls_status_name(got[i]));
}

/* ------------------------------------------------------------------------ */
/* Contexts                                                                 */

ParameterizedTestParameters(bad_args, ctx_calls)
{
    return th_cells(0, 0);
}

/* Each call on a fresh context, so no earlier message can stand in. */
#define CTX_CASE(role, call, want, ...)                                                            \
    do {                                                                                           \
        otls_ctx *ctx = otls_ctx_new(cell->client_backend, role, NULL);                            \
        cr_assert(ctx != NULL);                                                                    \
        BI_CTX(#call, cell->client_backend, ctx, call, want, __VA_ARGS__);                         \
        otls_ctx_free(ctx);                                                                        \
    } while (0)

ParameterizedTest(struct th_cell *cell, bad_args, ctx_calls)
{
    const otls_status inv = OTLS_ERR_INVALID_ARGUMENT;
    const struct tpki *pki = th_cell_pki(cell, TPKI_EC);
    const char *chain = (const char *)pki->server_chain_pem.data;
    size_t chain_len = pki->server_chain_pem.len;
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *too_long[] = {long_name};
    const char *empty[] = {""};
    const char *with_null[] = {"h2", NULL};

    CTX_CASE(OTLS_CLIENT, otls_ctx_load_ca_file(ctx, NULL), inv, "path == NULL");
    CTX_CASE(OTLS_CLIENT, otls_ctx_load_ca_dir(ctx, NULL), inv, "path == NULL");
    CTX_CASE(OTLS_CLIENT, otls_ctx_load_ca_mem(ctx, NULL, 10), inv, "data == NULL");
    CTX_CASE(OTLS_CLIENT, otls_ctx_load_ca_mem(ctx, chain, 0), OTLS_ERR_PARSE,
             "the input is empty");
    CTX_CASE(OTLS_SERVER, otls_ctx_load_cert_chain_file(ctx, NULL, NULL), inv, "cert_path == NULL");
    CTX_CASE(OTLS_SERVER, otls_ctx_load_cert_chain_mem(ctx, NULL, 10, NULL, 0), inv,
             "cert == NULL");
    CTX_CASE(OTLS_SERVER, otls_ctx_load_cert_chain_mem(ctx, chain, chain_len, NULL, 10), inv,
             "key == NULL");
    CTX_CASE(OTLS_SERVER, otls_ctx_load_cert_chain_mem(ctx, chain, 0, NULL, 0), OTLS_ERR_PARSE,
             "the input is empty");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_verify(ctx, (otls_verify)7), inv, "unknown verify mode 7");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_verify(ctx, (otls_verify)-1), inv, "unknown verify mode -1");
    CTX_CASE(OTLS_SERVER, otls_ctx_set_check_hostname(ctx, 1), OTLS_ERR_STATE,
             "hostname checking is for client contexts");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_versions(ctx, (otls_tls_version)0x0301, OTLS_TLS1_2), inv,
             "TLS 1.2 and 1.3 only");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_versions(ctx, OTLS_TLS1_2, (otls_tls_version)0x0305), inv,
             "TLS 1.2 and 1.3 only");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_versions(ctx, OTLS_TLS1_3, OTLS_TLS1_2), inv,
             "minimum version is above the maximum");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_ciphers(ctx, "NO-SUCH-CIPHER"), OTLS_ERR_PARSE,
             "unknown cipher suite 'NO-SUCH-CIPHER'");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_ciphers(ctx, ""), OTLS_ERR_PARSE, "names no suite");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_ciphers(ctx, ":::"), OTLS_ERR_PARSE, "names no suite");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_alpn(ctx, NULL, 2), inv, "protocols == NULL");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_alpn(ctx, empty, 1), inv, "must be 1 to 255 bytes");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_alpn(ctx, too_long, 1), inv, "must be 1 to 255 bytes");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_alpn(ctx, with_null, 2), inv, "ALPN protocol 1");
    CTX_CASE(OTLS_CLIENT, otls_ctx_set_flags(ctx, 0x80), inv, "unknown flags 0x80");
}

/* ------------------------------------------------------------------------ */
/* Connections                                                              */

static long no_send(void *user, const void *buf, size_t len)
{
    (void)user;
    (void)buf;
    (void)len;
    return OTLS_IO_ERROR;
}

static long no_recv(void *user, void *buf, size_t len)
{
    (void)user;
    (void)buf;
    (void)len;
    return OTLS_IO_ERROR;
}

ParameterizedTestParameters(bad_args, conn_calls)
{
    return th_cells(0, 0);
}

/* Each call on a fresh connection of one context. */
#define CONN_CASE(ctx, call, want, ...)                                                            \
    do {                                                                                           \
        otls_conn *conn = otls_conn_new(ctx);                                                      \
        cr_assert(conn != NULL);                                                                   \
        BI_CONN(#call, cell->client_backend, conn, call, want, __VA_ARGS__);                       \
        otls_conn_free(conn);                                                                      \
    } while (0)

ParameterizedTest(struct th_cell *cell, bad_args, conn_calls)
{
    const otls_status inv = OTLS_ERR_INVALID_ARGUMENT;
    struct th_opts o = th_opts_cell(cell);
    o.version = OTLS_TLS1_2; /* a session to take right after the handshake */
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    uint8_t b[8];
    size_t n = 0;
    otls_session *sess = NULL;

    CONN_CASE(cctx, otls_conn_set_fd(conn, -1), inv, "fd < 0");
    CONN_CASE(cctx, otls_conn_set_io(conn, NULL, NULL, NULL), inv, "send_fn == NULL");
    CONN_CASE(cctx, otls_conn_set_io(conn, no_send, NULL, NULL), inv, "recv_fn == NULL");
    CONN_CASE(cctx, otls_conn_set_hostname(conn, NULL), inv, "name == NULL");
    CONN_CASE(cctx, otls_conn_set_hostname(conn, ""), inv, "1 to 253 characters");
    CONN_CASE(cctx, otls_conn_set_hostname(conn, long_name), inv, "1 to 253 characters");
    CONN_CASE(cctx, otls_handshake(conn), OTLS_ERR_STATE, "no transport");
    CONN_CASE(sctx, otls_handshake(conn), OTLS_ERR_STATE, "no transport");
    CONN_CASE(cctx, otls_read(conn, NULL, 4, &n), inv, "buf == NULL");
    CONN_CASE(cctx, otls_read(conn, b, sizeof b, NULL), inv, "got == NULL");
    CONN_CASE(cctx, otls_write(conn, NULL, 4, &n), inv, "buf == NULL");
    CONN_CASE(cctx, otls_write(conn, b, sizeof b, NULL), inv, "put == NULL");
    CONN_CASE(cctx, otls_read(conn, b, sizeof b, &n), OTLS_ERR_STATE, "no transport");
    CONN_CASE(cctx, otls_shutdown(conn), OTLS_ERR_HANDSHAKE_NOT_DONE,
              "shutdown before the handshake completed");
    CONN_CASE(cctx, otls_conn_get_session(conn, NULL), inv, "session == NULL");
    CONN_CASE(cctx, otls_conn_set_session(conn, NULL), inv, "session == NULL");
    {
        /* A descriptor that is no open file: the transport fails. */
        otls_conn *conn = otls_conn_new(cctx);
        cr_assert_eq(otls_conn_set_fd(conn, 1000000), OTLS_OK);
        cr_assert_eq(otls_conn_set_hostname(conn, "localhost"), OTLS_OK);
        BI_CONN("otls_handshake(fd that is not open)", cell->client_backend, conn,
                otls_handshake(conn), OTLS_ERR_IO, "the transport failed");
        otls_conn_free(conn);
    }
    {
        /* Hostname checking on, no hostname: refused before any byte. */
        otls_conn *conn = otls_conn_new(cctx);
        cr_assert_eq(otls_conn_set_io(conn, no_send, no_recv, NULL), OTLS_OK);
        BI_CONN("otls_handshake(client, check_hostname on, no hostname)", cell->client_backend,
                conn, otls_handshake(conn), OTLS_ERR_STATE, "no hostname was set");
        otls_conn_free(conn);
    }

    /* After a real handshake: NULL outputs, and setters too late. */
    struct th_pair *p = th_pair_connect(cctx, sctx, &o);
    th_pair_assert_ok(p);
    otls_conn *c = p->client;
    const char *nul = "an output pointer is NULL";
    BI_CONN("otls_peer_cert_der(NULL der)", cell->client_backend, c,
            otls_peer_cert_der(c, NULL, &n), inv, nul);
    const uint8_t *der;
    BI_CONN("otls_peer_cert_der(NULL len)", cell->client_backend, c,
            otls_peer_cert_der(c, &der, NULL), inv, nul);
    BI_CONN("otls_unverified_chain(NULL certs)", cell->client_backend, c,
            otls_unverified_chain(c, NULL, &n), inv, nul);
    const otls_der *certs;
    BI_CONN("otls_verified_chain(NULL count)", cell->client_backend, c,
            otls_verified_chain(c, &certs, NULL), inv, nul);
    BI_CONN("otls_cipher(NULL)", cell->client_backend, c, otls_cipher(c, NULL), inv, nul);
    BI_CONN("otls_protocol(NULL)", cell->client_backend, c, otls_protocol(c, NULL), inv, nul);
    BI_CONN("otls_shared_ciphers(NULL)", cell->client_backend, p->server,
            otls_shared_ciphers(p->server, NULL, &n), inv, nul);
    BI_CONN("otls_compression(NULL)", cell->client_backend, c, otls_compression(c, NULL), inv, nul);
    BI_CONN("otls_alpn_selected(NULL)", cell->client_backend, c, otls_alpn_selected(c, NULL), inv,
            nul);
    BI_CONN("otls_server_name(NULL)", cell->client_backend, c, otls_server_name(c, NULL), inv, nul);
    BI_CONN("otls_session_reused(NULL)", cell->client_backend, c, otls_session_reused(c, NULL), inv,
            "reused == NULL");
    BI_CONN("otls_peer_cert(NULL)", cell->client_backend, c, otls_peer_cert(c, NULL), inv, nul);
    BI_CONN("otls_peer_cert_json(NULL json)", cell->client_backend, c,
            otls_peer_cert_json(c, 0, NULL, &n), inv, "NULL output pointer");
    char *json = NULL;
    BI_CONN("otls_peer_cert_json(unknown flags)", cell->client_backend, c,
            otls_peer_cert_json(c, 0x80, &json, &n), inv, "unknown flags");
    BI_CONN("otls_channel_binding(NULL type)", cell->client_backend, c,
            otls_channel_binding(c, NULL, b, &n), inv, "type == NULL");
    n = sizeof b;
    BI_CONN("otls_channel_binding(NULL buf)", cell->client_backend, c,
            otls_channel_binding(c, "tls-server-end-point", NULL, &n), inv, "buf == NULL");
    BI_CONN("otls_conn_set_fd(after the handshake)", cell->client_backend, c,
            otls_conn_set_fd(c, p->fd[0]), OTLS_ERR_STATE, "already started");
    BI_CONN("otls_conn_set_hostname(after the handshake)", cell->client_backend, c,
            otls_conn_set_hostname(c, "localhost"), OTLS_ERR_STATE, "already started");
    if (th_backend(cell->client_backend)->features & OTLS_FEAT_RESUMPTION) {
        /* A session (TLS 1.2: there right after the handshake) can only
         * be offered before a client's handshake, on its own backend. */
        otls_status st = otls_conn_get_session(c, &sess);
        cr_assert(st == OTLS_OK || st == OTLS_NONE, "otls_conn_get_session: %s (%s)",
                  otls_status_name(st), otls_conn_error(c));
        if (sess != NULL) {
            BI_CONN("otls_conn_set_session(after the handshake)", cell->client_backend, c,
                    otls_conn_set_session(c, sess), OTLS_ERR_STATE, "before its handshake");
            BI_CONN("otls_conn_set_session(on a server)", cell->client_backend, p->server,
                    otls_conn_set_session(p->server, sess), OTLS_ERR_STATE, "only be offered");
            /* Offered to a connection of another backend. */
            const otls_backend_info *list;
            size_t nb;
            cr_assert_eq(otls_backends(&list, &nb), OTLS_OK);
            for (size_t i = 0; i < nb; i++) {
                if (strcmp(list[i].name, cell->client_backend) == 0)
                    continue;
                otls_ctx *octx = otls_ctx_new(list[i].name, OTLS_CLIENT, NULL);
                cr_assert(octx != NULL);
                otls_conn *oc = otls_conn_new(octx);
                char what[120];
                snprintf(what, sizeof what, "otls_conn_set_session(a %s session, a %s connection)",
                         cell->client_backend, list[i].name);
                /* The call first: otls_conn_error's answer is valid until the
                 * next call on oc, so it is read after this one. */
                otls_status set_st = otls_conn_set_session(oc, sess);
                BI_EXPECT(what, cell->client_backend, cell->client_backend, set_st, inv,
                          otls_conn_error(oc), "the session comes from backend ");
                otls_conn_free(oc);
                otls_ctx_free(octx);
            }
            otls_session_free(sess);
        }
    } else {
        BI_CONN("otls_conn_get_session(backend without resumption)", cell->client_backend, c,
                otls_conn_get_session(c, &sess), OTLS_ERR_UNSUPPORTED, "cannot resume sessions");
    }
    p->keep_ctx = 1;
    th_pair_free(p);
    otls_ctx_free(cctx);
    otls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* States: before the handshake, after a failed one, after shutdown         */

/* Every introspection call on c returns want; for errors the message
 * holds needle. */
static void all_introspection(otls_conn *c, otls_status want, const char *needle, const char *what,
                              const char *where)
{
    const uint8_t *der;
    size_t len, count;
    const otls_der *certs;
    otls_cipher_info info;
    const otls_cipher_info *list;
    const char *s;
    uint8_t buf[OTLS_CHANNEL_BINDING_MAX];
    otls_cert *cert = NULL;
    char *json = NULL;
    int reused;
    char label[160];
    /* One row of the table for all of them: the same answer. */
    snprintf(label, sizeof label, "introspection, each of the 13 calls: %s", what);
    char at[160];
#define ALL_ONE(name, call)                                                                        \
    do {                                                                                           \
        snprintf(at, sizeof at, "%s, %s", name, where);                                            \
        BI_CONN(label, at, c, call, want, needle);                                                 \
    } while (0)
    ALL_ONE("otls_peer_cert_der", otls_peer_cert_der(c, &der, &len));
    ALL_ONE("otls_unverified_chain", otls_unverified_chain(c, &certs, &count));
    ALL_ONE("otls_verified_chain", otls_verified_chain(c, &certs, &count));
    ALL_ONE("otls_cipher", otls_cipher(c, &info));
    ALL_ONE("otls_protocol", otls_protocol(c, &s));
    ALL_ONE("otls_shared_ciphers", otls_shared_ciphers(c, &list, &count));
    ALL_ONE("otls_compression", otls_compression(c, &s));
    ALL_ONE("otls_alpn_selected", otls_alpn_selected(c, &s));
    ALL_ONE("otls_server_name", otls_server_name(c, &s));
    ALL_ONE("otls_session_reused", otls_session_reused(c, &reused));
    len = sizeof buf;
    ALL_ONE("otls_channel_binding", otls_channel_binding(c, "tls-server-end-point", buf, &len));
    ALL_ONE("otls_peer_cert", otls_peer_cert(c, &cert));
    ALL_ONE("otls_peer_cert_json", otls_peer_cert_json(c, 0, &json, &len));
#undef ALL_ONE
    cr_assert(cert == NULL && json == NULL, "%s: outputs set on failure", where);
}

ParameterizedTestParameters(bad_args, states)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* Before the handshake (no transport, transport set) and after a failed
 * one: OTLS_ERR_HANDSHAKE_NOT_DONE. After otls_shutdown the facts stay
 * readable, unchanged, until the connection is freed (they were taken at
 * the end of the handshake), and a second shutdown is harmless. */
ParameterizedTest(struct th_cell *cell, bad_args, states)
{
    th_require_cell(cell);
    const otls_status nd = OTLS_ERR_HANDSHAKE_NOT_DONE;
    const char *why = "the handshake has not completed";
    struct th_opts o = th_opts_cell(cell);
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    otls_conn *c = otls_conn_new(cctx);
    otls_conn *s = otls_conn_new(sctx);
    all_introspection(c, nd, why, "client before the handshake", cell->client_backend);
    all_introspection(s, nd, why, "server before the handshake", cell->server_backend);
    otls_conn_free(c);
    otls_conn_free(s);

    /* A handshake that failed (the client trusts nothing). */
    o.client_ca = 0;
    otls_ctx *lost = th_ctx_make(&o, OTLS_CLIENT);
    struct th_pair *p = th_pair_connect(lost, sctx, &o);
    p->keep_ctx = 1;
    cr_assert(p->cst == OTLS_ERR_VERIFY, "%s: %s", p->desc, otls_status_name(p->cst));
    all_introspection(p->client, nd, "the handshake has not completed: it failed (",
                      "client after a failed handshake", cell->client_backend);
    uint8_t b[4];
    size_t n;
    BI_CONN("otls_read after a failed handshake", cell->client_backend, p->client,
            otls_read(p->client, b, sizeof b, &n), OTLS_ERR_VERIFY, "certificate verify failed");
    th_pair_free(p);
    otls_ctx_free(lost);

    /* After shutdown, on both ends. */
    p = th_pair_connect(cctx, sctx, &o);
    p->keep_ctx = 1;
    th_pair_assert_ok(p);
    otls_conn *ends[2] = {p->client, p->server};
    for (int i = 0; i < 2; i++) {
        otls_conn *e = ends[i];
        otls_cipher_info before, after;
        uint8_t ep1[OTLS_CHANNEL_BINDING_MAX], ep2[OTLS_CHANNEL_BINDING_MAX];
        size_t l1 = sizeof ep1, l2 = sizeof ep2;
        const uint8_t *d1, *d2;
        size_t dl1, dl2;
        otls_status pc1 = otls_peer_cert_der(e, &d1, &dl1);
        cr_assert_eq(otls_cipher(e, &before), OTLS_OK);
        cr_assert_eq(otls_channel_binding(e, "tls-server-end-point", ep1, &l1), OTLS_OK, "%s",
                     otls_conn_error(e));
        otls_status st = otls_shutdown(e);
        cr_assert(st == OTLS_OK, "%s: shutdown: %s (%s)", p->desc, otls_status_name(st),
                  otls_conn_error(e));
        cr_assert_eq(otls_cipher(e, &after), OTLS_OK, "%s: cipher after shutdown: %s", p->desc,
                     otls_conn_error(e));
        cr_assert(after.iana_id == before.iana_id && strcmp(after.name, before.name) == 0);
        cr_assert_eq(otls_peer_cert_der(e, &d2, &dl2), pc1);
        cr_assert(dl1 == dl2 && (dl1 == 0 || memcmp(d1, d2, dl1) == 0));
        cr_assert_eq(otls_channel_binding(e, "tls-server-end-point", ep2, &l2), OTLS_OK, "%s",
                     otls_conn_error(e));
        cr_assert(l1 == l2 && memcmp(ep1, ep2, l1) == 0);
        const char *proto;
        cr_assert_eq(otls_protocol(e, &proto), OTLS_OK);
        cr_assert_str_eq(proto, th_version_name(cell->version));
    }
    th_pair_free(p);
    otls_ctx_free(cctx);
    otls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* Channel bindings: unknown types, short buffers                          */

ParameterizedTestParameters(bad_args, binding)
{
    return th_cells(TH_DIM_VERSION, 0);
}

ParameterizedTest(struct th_cell *cell, bad_args, binding)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    otls_conn *ends[2] = {p->client, p->server};
    static const char *const unknown[] = {"tls-bogus", "", "TLS-UNIQUE", "tls-unique "};
    for (int i = 0; i < 2; i++) {
        otls_conn *c = ends[i];
        uint8_t buf[OTLS_CHANNEL_BINDING_MAX];
        size_t len;
        for (size_t u = 0; u < sizeof unknown / sizeof unknown[0]; u++) {
            len = sizeof buf;
            char what[80];
            snprintf(what, sizeof what, "otls_channel_binding(unknown type \"%s\")", unknown[u]);
            BI_CONN(what, p->desc, c, otls_channel_binding(c, unknown[u], buf, &len),
                    OTLS_ERR_UNSUPPORTED, "unknown channel binding type '",
                    "(known: tls-unique, tls-server-end-point, "
                    "tls-exporter)");
            cr_assert(len == sizeof buf, "%s: *len changed to %zu for an unknown type", p->desc,
                      len);
        }
        /* A buffer too small: *len becomes the size needed and nothing is
         * written; the size then works. tls-server-end-point is defined on
         * every backend and version (SHA-256 here: 32 bytes). */
        static const size_t small[] = {0, 16, 31};
        for (size_t k = 0; k < sizeof small / sizeof small[0]; k++) {
            memset(buf, 0xA5, sizeof buf);
            len = small[k];
            char need[80];
            snprintf(need, sizeof need, "the buffer holds %zu bytes; the binding needs 32",
                     small[k]);
            char what[80];
            snprintf(what, sizeof what,
                     "otls_channel_binding(\"tls-server-end-point\", buffer of %zu bytes)",
                     small[k]);
            BI_CONN(what, p->desc, c, otls_channel_binding(c, "tls-server-end-point", buf, &len),
                    OTLS_ERR_BUFFER_TOO_SMALL, need);
            cr_assert(len == 32, "%s: *len = %zu after BUFFER_TOO_SMALL, expected 32", p->desc,
                      len);
            for (size_t j = 0; j < sizeof buf; j++)
                cr_assert(buf[j] == 0xA5, "%s: a short buffer was written to", p->desc);
        }
        len = 32;
        cr_assert_eq(otls_channel_binding(c, "tls-server-end-point", buf, &len), OTLS_OK);
        if (th_backend(otls_conn_backend(c))->features & OTLS_FEAT_EXPORTER) {
            len = 31;
            otls_status st = otls_channel_binding(c, "tls-exporter", buf, &len);
            /* Refused (no extended master secret) or too small: never
             * written past 31 bytes. */
            cr_assert(st == OTLS_ERR_BUFFER_TOO_SMALL || st == OTLS_ERR_UNSUPPORTED,
                      "%s: tls-exporter into 31 bytes: %s", p->desc, otls_status_name(st));
            if (st == OTLS_ERR_BUFFER_TOO_SMALL)
                cr_assert(len == 32, "%s: tls-exporter needs %zu", p->desc, len);
        }
    }
    th_pair_free(p);
}

/* ------------------------------------------------------------------------ */
/* The library prints nothing                                               */

/* stdout and stderr go to a file while fn runs; returns the bytes written
 * there. */
static long captured(void (*fn)(const struct th_cell *), const struct th_cell *cell)
{
    char *dir = th_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/out", dir);
    fflush(stdout);
    fflush(stderr);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
    int saved1 = dup(1), saved2 = dup(2);
    cr_assert(saved1 >= 0 && saved2 >= 0);
    dup2(fd, 1);
    dup2(fd, 2);
    fn(cell);
    fflush(stdout);
    fflush(stderr);
    dup2(saved1, 1);
    dup2(saved2, 2);
    close(saved1);
    close(saved2);
    close(fd);
    struct stat sb;
    cr_assert(stat(path, &sb) == 0);
    if (sb.st_size > 0) {
        char text[512] = "";
        FILE *f = fopen(path, "r");
        if (f) {
            size_t got = fread(text, 1, sizeof text - 1, f);
            text[got] = '\0';
            fclose(f);
        }
        cr_log_error("the library printed: %s", text);
    }
    th_rmtree(dir);
    free(dir);
    return (long)sb.st_size;
}

/* A run of failures of every kind: bad arguments, a bad file, garbage from
 * the peer, a failed verification, introspection too early. */
static void failures(const struct th_cell *cell)
{
    otls_error err;
    otls_ctx_new("no-such-backend", OTLS_CLIENT, &err);
    struct th_opts o = th_opts_cell(cell);
    otls_ctx *ctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx_load_ca_file(ctx, "/nonexistent/omnitls/ca.pem");
    otls_ctx_load_ca_mem(ctx, "garbage", 7);
    otls_ctx_load_cert_chain_mem(ctx, "-----BEGIN CERTIFICATE-----\n!!\n", 31, NULL, 0);
    otls_ctx_set_ciphers(ctx, "NO-SUCH-CIPHER");
    otls_ctx_set_versions(ctx, OTLS_TLS1_3, OTLS_TLS1_2);
    otls_conn *c = otls_conn_new(ctx);
    const char *s;
    otls_protocol(c, &s);
    otls_handshake(c);
    otls_conn_free(c);
    otls_ctx_free(ctx);
    otls_cert *cert;
    otls_cert_decode((const uint8_t *)"\x30\x01", 2, &cert, NULL);

    /* Garbage instead of a ServerHello; a failed verification. */
    struct th_pair *p =
        th_pair_connect_only(th_ctx_make(&o, OTLS_CLIENT), th_ctx_make(&o, OTLS_SERVER), &o);
    static const char junk[] = "SSH-2.0-OpenSSH_9.2\r\n";
    cr_assert(write(p->fd[1], junk, sizeof junk - 1) == (ssize_t)(sizeof junk - 1));
    shutdown(p->fd[1], SHUT_WR);
    otls_handshake(p->client);
    th_pair_free(p);
    o.client_ca = 0;
    p = th_pair_new(&o);
    th_pair_free(p);
}

ParameterizedTestParameters(bad_args, silent)
{
    return th_cells(0, 0);
}

ParameterizedTest(struct th_cell *cell, bad_args, silent)
{
    long n = captured(failures, cell);
    cr_assert(n == 0, "%s: the library wrote %ld bytes to stdout/stderr", cell->client_backend, n);
}
