/* A minimal HTTPS client: connect, verify the server, send one GET, print
 * the answer.
 *
 *   https_client HOST [PORT [CAFILE [CERT KEY]]]
 *
 * PORT defaults to 443 and CAFILE to Debian's bundle; CERT and KEY present
 * a client certificate (tls_server asks for one). OMNITLS_BACKEND=mbedtls
 * in the environment runs the same program on another TLS stack.
 *
 * Build: cc https_client.c $(pkg-config --cflags --libs omnitls) */
#define _POSIX_C_SOURCE 200809L

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <omnitls/omnitls.h>

/* A connected TCP socket to host:port, or -1. */
static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    int fd = -1;
    int rc = getaddrinfo(host, port, &hints, &res);

    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        perror("connect");
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc == 5 || argc > 6) {
        fprintf(stderr, "usage: %s HOST [PORT [CAFILE [CERT KEY]]]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    const char *port = argc > 2 ? argv[2] : "443";
    const char *cafile = argc > 3 ? argv[3] : "/etc/ssl/certs/ca-certificates.crt";
    int rc = 1, fd = -1;
    otls_conn *conn = NULL;
    otls_error err;

    /* NULL: the default backend (or $OMNITLS_BACKEND). Clients verify the
     * server and check its name by default. */
    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_CLIENT, &err);
    if (ctx == NULL) {
        fprintf(stderr, "otls_ctx_new: %s\n", err.message);
        return 1;
    }
    static const char *const alpn[] = {"http/1.1"};
    if (otls_ctx_load_ca_file(ctx, cafile) != OTLS_OK ||
        (argc == 6 && otls_ctx_load_cert_chain_file(ctx, argv[4], argv[5]) != OTLS_OK) ||
        otls_ctx_set_alpn(ctx, alpn, 1) != OTLS_OK) {
        fprintf(stderr, "configuration: %s\n", otls_ctx_error(ctx));
        goto out;
    }

    if ((fd = tcp_connect(host, port)) < 0)
        goto out;
    conn = otls_conn_new(ctx);
    if (conn == NULL || otls_conn_set_fd(conn, fd) != OTLS_OK ||
        otls_conn_set_hostname(conn, host) != OTLS_OK) {
        fprintf(stderr, "connection: %s\n", conn ? otls_conn_error(conn) : otls_ctx_error(ctx));
        goto out;
    }
    if (otls_handshake(conn) != OTLS_OK) {
        fprintf(stderr, "handshake: %s\n", otls_conn_error(conn));
        goto out;
    }

    /* The same answers as Python's SSLSocket.version() and cipher(). */
    otls_cipher_info cipher;
    const char *version = "?";
    otls_protocol(conn, &version);
    otls_cipher(conn, &cipher);
    fprintf(stderr, "%s, %s, %s (%d bits, IANA 0x%04X) via %s\n", host, version, cipher.name,
            cipher.secret_bits, cipher.iana_id, otls_conn_backend(conn));

    char request[512];
    int n = snprintf(request, sizeof request,
                     "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
    size_t put = 0;
    if (n < 0 || (size_t)n >= sizeof request ||
        otls_write(conn, request, (size_t)n, &put) != OTLS_OK) {
        fprintf(stderr, "write: %s\n", otls_conn_error(conn));
        goto out;
    }

    /* Read until the server closes. Many HTTPS servers close the socket
     * without close_notify after a "Connection: close" answer: that is
     * OTLS_ERR_IO after data, which this client accepts. */
    char buf[4096];
    size_t got, total = 0;
    otls_status st;
    while ((st = otls_read(conn, buf, sizeof buf, &got)) == OTLS_OK) {
        fwrite(buf, 1, got, stdout);
        total += got;
    }
    if (st == OTLS_CLOSED) {
        rc = 0;
        otls_shutdown(conn); /* answer the server's close_notify */
    } else if (st == OTLS_ERR_IO && total > 0) {
        rc = 0;
    } else {
        fprintf(stderr, "read: %s: %s\n", otls_status_name(st), otls_conn_error(conn));
    }

out:
    otls_conn_free(conn);
    otls_ctx_free(ctx);
    if (fd >= 0)
        close(fd);
    return rc;
}
