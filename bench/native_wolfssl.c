/* The workloads on wolfSSL's own API, set up as the omnitls wolfSSL backend
 * sets up its contexts (grouped flights, P-256 only, tickets and session
 * cache off, a server session id context; client: SNI and
 * wolfSSL_check_domain_name). Its own executable: libwolfssl's SSL_*
 * symbols would replace libssl's in a process that has both. */
#include <wolfssl/options.h> /* first, as wolfSSL requires */

#include <stdio.h>
#include <string.h>

#include <wolfssl/ssl.h>
#include <wolfssl/version.h>

#include "bench.h"

static WOLFSSL_CTX *client_ctx, *server_ctx;
static int use_tls13;

static int fail(char *err, size_t len, const char *what, int code)
{
    char buf[WOLFSSL_MAX_ERROR_SZ] = "";
    wolfSSL_ERR_error_string_n((unsigned long)code, buf, sizeof buf);
    snprintf(err, len, "%s: %d %s", what, code, buf);
    return -1;
}

static int init(const struct bench_cfg *cfg, char *err, size_t len)
{
    char path[1024];
    static const unsigned char sid[] = "omnitls-1";
    use_tls13 = cfg->tls13;
    if (wolfSSL_Init() != WOLFSSL_SUCCESS)
        return fail(err, len, "wolfSSL_Init", 0);
    client_ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    server_ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
    if (client_ctx == NULL || server_ctx == NULL)
        return fail(err, len, "wolfSSL_CTX_new", 0);
    WOLFSSL_CTX *both[2] = {client_ctx, server_ctx};
    for (int i = 0; i < 2; i++) {
        if (wolfSSL_CTX_SetMinVersion(both[i], cfg->tls13 ? WOLFSSL_TLSV1_3 : WOLFSSL_TLSV1_2) !=
                WOLFSSL_SUCCESS ||
            wolfSSL_CTX_set_cipher_list(both[i], cfg->tls13 ? "TLS13-AES128-GCM-SHA256"
                                                            : BENCH_SUITE12) != WOLFSSL_SUCCESS)
            return fail(err, len, "versions/suites", 0);
        wolfSSL_CTX_set_group_messages(both[i]);
        if (wolfSSL_CTX_UseSessionTicket(both[i]) != WOLFSSL_SUCCESS)
            return fail(err, len, "tickets", 0);
    }
    snprintf(path, sizeof path, "%s/root.pem", cfg->pki_dir);
    int ret = wolfSSL_CTX_load_verify_locations(client_ctx, path, NULL);
    if (ret != WOLFSSL_SUCCESS)
        return fail(err, len, path, ret);
    wolfSSL_CTX_set_verify(client_ctx, WOLFSSL_VERIFY_PEER, NULL);
    snprintf(path, sizeof path, "%s/server-chain.pem", cfg->pki_dir);
    if ((ret = wolfSSL_CTX_use_certificate_chain_file(server_ctx, path)) != WOLFSSL_SUCCESS)
        return fail(err, len, path, ret);
    snprintf(path, sizeof path, "%s/server-key.pem", cfg->pki_dir);
    if ((ret = wolfSSL_CTX_use_PrivateKey_file(server_ctx, path, WOLFSSL_FILETYPE_PEM)) !=
        WOLFSSL_SUCCESS)
        return fail(err, len, path, ret);
    if (wolfSSL_CTX_set_session_id_context(server_ctx, sid, sizeof sid - 1) != WOLFSSL_SUCCESS ||
        wolfSSL_CTX_NoTicketTLSv12(server_ctx) != WOLFSSL_SUCCESS ||
        wolfSSL_CTX_set_session_cache_mode(server_ctx, WOLFSSL_SESS_CACHE_OFF) != WOLFSSL_SUCCESS)
        return fail(err, len, "server session settings", 0);
    wolfSSL_CTX_set_verify(server_ctx, WOLFSSL_VERIFY_NONE, NULL);
    return 0;
}

static void cleanup(void)
{
    wolfSSL_CTX_free(client_ctx);
    wolfSSL_CTX_free(server_ctx);
    wolfSSL_Cleanup();
}

static void *conn_new(int server, int fd, char *err, size_t len)
{
    WOLFSSL *ssl = wolfSSL_new(server ? server_ctx : client_ctx);
    if (ssl == NULL || wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS) {
        fail(err, len, "wolfSSL_new", 0);
        wolfSSL_free(ssl);
        return NULL;
    }
    if (!use_tls13)
        wolfSSL_set_options(ssl, WOLFSSL_OP_NO_TLSv1_3);
    /* P-256 only and no tickets, per connection as the backend does it (a
     * server limits TLS 1.3 groups only; it issues no TLS 1.2 tickets). */
    int p256 = WOLFSSL_ECC_SECP256R1;
    if ((!server || use_tls13) &&
        (wolfSSL_UseSupportedCurve(ssl, WOLFSSL_ECC_SECP256R1) != WOLFSSL_SUCCESS ||
         (use_tls13 && wolfSSL_set_groups(ssl, &p256, 1) != WOLFSSL_SUCCESS))) {
        fail(err, len, "groups", 0);
        wolfSSL_free(ssl);
        return NULL;
    }
    if ((server && use_tls13 && wolfSSL_no_ticket_TLSv13(ssl) != 0) ||
        (!server && wolfSSL_NoTicketTLSv12(ssl) != WOLFSSL_SUCCESS)) {
        fail(err, len, "tickets", 0);
        wolfSSL_free(ssl);
        return NULL;
    }
    if (server)
        return ssl;
    if (wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, BENCH_HOSTNAME,
                       (unsigned short)strlen(BENCH_HOSTNAME)) != WOLFSSL_SUCCESS ||
        wolfSSL_check_domain_name(ssl, BENCH_HOSTNAME) != WOLFSSL_SUCCESS) {
        fail(err, len, "hostname", 0);
        wolfSSL_free(ssl);
        return NULL;
    }
    return ssl;
}

static int handshake(void *conn, char *err, size_t len)
{
    int ret = wolfSSL_is_server(conn) ? wolfSSL_accept(conn) : wolfSSL_connect(conn);
    return ret == WOLFSSL_SUCCESS ? 0 : fail(err, len, "handshake", wolfSSL_get_error(conn, ret));
}

static int inspect(void *conn, char *err, size_t len)
{
    WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(conn);
    if (chain == NULL || wolfSSL_get_chain_count(chain) < 1 ||
        wolfSSL_get_chain_cert(chain, 0) == NULL || wolfSSL_get_chain_length(chain, 0) <= 0)
        return fail(err, len, "peer certificate", 0);
    WOLFSSL_CIPHER *c = wolfSSL_get_current_cipher(conn);
    if (c == NULL || wolfSSL_CIPHER_get_name(c) == NULL ||
        wolfSSL_get_current_cipher_suite(conn) < 0)
        return fail(err, len, "cipher", 0);
    return 0;
}

static int write_all(void *conn, const void *buf, size_t len)
{
    return wolfSSL_write(conn, buf, (int)len) == (int)len ? 0 : -1;
}

static int read_some(void *conn, void *buf, size_t len, size_t *got)
{
    int ret = wolfSSL_read(conn, buf, (int)len);
    if (ret <= 0)
        return -1;
    *got = (size_t)ret;
    return 0;
}

static void conn_free(void *conn)
{
    wolfSSL_free(conn);
}

static const char *version(void)
{
    return "wolfSSL " LIBWOLFSSL_VERSION_STRING;
}

const struct bench_engine bench_engine = {
    .name = "wolfssl",
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
