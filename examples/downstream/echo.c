/* A TLS echo over a connected socket; see echo.h. */
#include "echo.h"

#include <stdio.h>
#include <string.h>

#include <omnitls/omnitls.h>

static int fail(char *err, size_t err_len, const char *what, const char *why)
{
    snprintf(err, err_len, "%s: %s", what, why);
    return -1;
}

int echo_serve(int fd, const char *cert, const char *key, char *err, size_t err_len)
{
    otls_error e;
    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_SERVER, &e);
    otls_conn *conn = NULL;
    char buf[256];
    size_t got = 0, put = 0;
    int rc = -1;

    if (!ctx)
        return fail(err, err_len, "otls_ctx_new", e.message);
    if (otls_ctx_load_cert_chain_file(ctx, cert, key) != OTLS_OK)
        fail(err, err_len, "loading the server chain", otls_ctx_error(ctx));
    else if (!(conn = otls_conn_new(ctx)))
        fail(err, err_len, "otls_conn_new", otls_ctx_error(ctx));
    else if (otls_conn_set_fd(conn, fd) != OTLS_OK || otls_handshake(conn) != OTLS_OK)
        fail(err, err_len, "server handshake", otls_conn_error(conn));
    else if (otls_read(conn, buf, sizeof buf, &got) != OTLS_OK)
        fail(err, err_len, "otls_read", otls_conn_error(conn));
    else if (otls_write(conn, buf, got, &put) != OTLS_OK || put != got)
        fail(err, err_len, "otls_write", otls_conn_error(conn));
    else if (otls_shutdown(conn) != OTLS_OK)
        fail(err, err_len, "otls_shutdown", otls_conn_error(conn));
    else
        rc = 0;
    otls_conn_free(conn);
    otls_ctx_free(ctx);
    return rc;
}

/* Reads until the server's close_notify, so that the server's own
 * close_notify never meets a socket the client has already closed. */
static otls_status wait_close(otls_conn *conn)
{
    char buf[64];
    size_t got = 0;
    otls_status st;

    while ((st = otls_read(conn, buf, sizeof buf, &got)) == OTLS_OK)
        ;
    return st;
}

int echo_call(int fd, const char *cafile, const char *msg, char *reply, size_t reply_len,
              struct echo_info *info, char *err, size_t err_len)
{
    otls_error e;
    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_CLIENT, &e);
    otls_conn *conn = NULL;
    otls_cipher_info cipher;
    const char *version = "";
    size_t got = 0, put = 0;
    int rc = -1;

    if (!ctx)
        return fail(err, err_len, "otls_ctx_new", e.message);
    snprintf(info->backend, sizeof info->backend, "%s", otls_ctx_backend(ctx));
    if (otls_ctx_load_ca_file(ctx, cafile) != OTLS_OK)
        fail(err, err_len, "loading the CA", otls_ctx_error(ctx));
    else if (!(conn = otls_conn_new(ctx)))
        fail(err, err_len, "otls_conn_new", otls_ctx_error(ctx));
    else if (otls_conn_set_fd(conn, fd) != OTLS_OK ||
             otls_conn_set_hostname(conn, "localhost") != OTLS_OK ||
             otls_handshake(conn) != OTLS_OK)
        fail(err, err_len, "client handshake", otls_conn_error(conn));
    else if (otls_write(conn, msg, strlen(msg), &put) != OTLS_OK)
        fail(err, err_len, "otls_write", otls_conn_error(conn));
    else if (otls_read(conn, reply, reply_len - 1, &got) != OTLS_OK)
        fail(err, err_len, "otls_read", otls_conn_error(conn));
    else if (wait_close(conn) != OTLS_CLOSED)
        fail(err, err_len, "waiting for close_notify", otls_conn_error(conn));
    else
        rc = 0;
    reply[rc == 0 ? got : 0] = '\0';
    if (rc == 0 && otls_protocol(conn, &version) == OTLS_OK &&
        otls_cipher(conn, &cipher) == OTLS_OK) {
        snprintf(info->version, sizeof info->version, "%s", version);
        snprintf(info->cipher, sizeof info->cipher, "%s", cipher.name);
    }
    otls_conn_free(conn);
    otls_ctx_free(ctx);
    return rc;
}
