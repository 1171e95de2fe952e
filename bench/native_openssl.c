/* The workloads on OpenSSL's own API, set up as the omnitls OpenSSL backend
 * sets up its SSL_CTX (both: P-256 only, no tickets; server: session id
 * context, SNI callback, server cipher preference, session cache off and no
 * TLS 1.3 tickets; client: SNI, SSL_set1_host without partial wildcards), so that the difference
 * with bench_omnitls is omnitls's own code. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "bench.h"

static SSL_CTX *client_ctx, *server_ctx;

static int fail(char *err, size_t len, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, len, "%s: %s", what, buf);
    ERR_clear_error();
    return -1;
}

static int accept_servername(SSL *ssl, int *alert, void *arg)
{
    (void)ssl;
    (void)alert;
    (void)arg;
    return SSL_TLSEXT_ERR_OK;
}

static int versions(SSL_CTX *ctx, int tls13)
{
    int v = tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    return SSL_CTX_set_min_proto_version(ctx, v) && SSL_CTX_set_max_proto_version(ctx, v) &&
           SSL_CTX_set_ciphersuites(ctx, tls13 ? BENCH_SUITE13 : "") &&
           (tls13 || SSL_CTX_set_cipher_list(ctx, BENCH_SUITE12));
}

static int init(const struct bench_cfg *cfg, char *err, size_t len)
{
    char path[1024];
    static const unsigned char sid[] = "omnitls";
    client_ctx = SSL_CTX_new(TLS_method());
    server_ctx = SSL_CTX_new(TLS_method());
    if (client_ctx == NULL || server_ctx == NULL)
        return fail(err, len, "SSL_CTX_new");
    if (!versions(client_ctx, cfg->tls13) || !versions(server_ctx, cfg->tls13))
        return fail(err, len, "versions/suites");
    SSL_CTX *both[2] = {client_ctx, server_ctx};
    for (int i = 0; i < 2; i++) {
        if (!SSL_CTX_set1_groups_list(both[i], "P-256"))
            return fail(err, len, "groups");
        SSL_CTX_set_options(both[i], SSL_OP_NO_TICKET);
    }
    SSL_CTX_set_session_cache_mode(server_ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(server_ctx, 0);
    snprintf(path, sizeof path, "%s/root.pem", cfg->pki_dir);
    if (!SSL_CTX_load_verify_file(client_ctx, path))
        return fail(err, len, path);
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);
    snprintf(path, sizeof path, "%s/server-chain.pem", cfg->pki_dir);
    if (!SSL_CTX_use_certificate_chain_file(server_ctx, path))
        return fail(err, len, path);
    snprintf(path, sizeof path, "%s/server-key.pem", cfg->pki_dir);
    if (!SSL_CTX_use_PrivateKey_file(server_ctx, path, SSL_FILETYPE_PEM))
        return fail(err, len, path);
    if (!SSL_CTX_set_session_id_context(server_ctx, sid, sizeof sid - 1))
        return fail(err, len, "session id context");
    SSL_CTX_set_tlsext_servername_callback(server_ctx, accept_servername);
    SSL_CTX_set_options(server_ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_verify(server_ctx, SSL_VERIFY_NONE, NULL);
    return 0;
}

static void cleanup(void)
{
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
}

static void *conn_new(int server, int fd, char *err, size_t len)
{
    SSL *ssl = SSL_new(server ? server_ctx : client_ctx);
    if (ssl == NULL || !SSL_set_fd(ssl, fd)) {
        fail(err, len, "SSL_new");
        SSL_free(ssl);
        return NULL;
    }
    SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (server) {
        SSL_set_accept_state(ssl);
        return ssl;
    }
    SSL_set_connect_state(ssl);
    X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (!SSL_set_tlsext_host_name(ssl, BENCH_HOSTNAME) || !SSL_set1_host(ssl, BENCH_HOSTNAME)) {
        fail(err, len, "hostname");
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

static int handshake(void *conn, char *err, size_t len)
{
    int ret = SSL_do_handshake(conn);
    if (ret == 1)
        return 0;
    snprintf(err, len, "SSL_do_handshake: error %d, verify %ld", SSL_get_error(conn, ret),
             SSL_get_verify_result(conn));
    return fail(err + strlen(err), len - strlen(err), "");
}

static int inspect(void *conn, char *err, size_t len)
{
    X509 *peer = SSL_get0_peer_certificate(conn);
    unsigned char der[4096], *p = der;
    int n = peer ? i2d_X509(peer, NULL) : -1;
    if (n <= 0 || (size_t)n > sizeof der || i2d_X509(peer, &p) != n)
        return fail(err, len, "peer certificate");
    const SSL_CIPHER *c = SSL_get_current_cipher(conn);
    if (c == NULL || SSL_CIPHER_get_name(c) == NULL || SSL_CIPHER_get_protocol_id(c) == 0)
        return fail(err, len, "cipher");
    return 0;
}

static int write_all(void *conn, const void *buf, size_t len)
{
    size_t put = 0;
    return SSL_write_ex(conn, buf, len, &put) == 1 && put == len ? 0 : -1;
}

static int read_some(void *conn, void *buf, size_t len, size_t *got)
{
    return SSL_read_ex(conn, buf, len, got) == 1 ? 0 : -1;
}

static void conn_free(void *conn)
{
    SSL_free(conn);
}

static const char *version(void)
{
    return OpenSSL_version(OPENSSL_VERSION);
}

const struct bench_engine bench_engine = {
    .name = "openssl",
    .init = init,
    .cleanup = cleanup,
    .conn_new = conn_new,
    .handshake = handshake,
    .inspect = inspect,
    .write_all = write_all,
    .read_some = read_some,
    .conn_free = conn_free,
    .version = version,
};
