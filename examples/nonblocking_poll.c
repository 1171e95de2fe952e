/* A non-blocking client driven by poll(): every omnitls call returns at
 * once, and OTLS_WANT_READ/OTLS_WANT_WRITE say which event to wait for,
 * so one thread can run many connections (or an event loop can run this).
 *
 *   nonblocking_poll HOST PORT CAFILE [CERT KEY]
 *
 * Sends one HTTP GET and prints the answer, as https_client does. Works
 * against tls_server (with a client certificate) or any HTTPS server.
 *
 * Build: cc nonblocking_poll.c $(pkg-config --cflags --libs omnitls) */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <omnitls/omnitls.h>

#define TIMEOUT_MS 10000

/* Waits until fd is ready for what st asks; 0 when it is, -1 on timeout. */
static int wait_for(int fd, otls_status st)
{
    struct pollfd p = {.fd = fd, .events = st == OTLS_WANT_WRITE ? POLLOUT : POLLIN};
    int n;
    do {
        n = poll(&p, 1, TIMEOUT_MS);
    } while (n < 0 && errno == EINTR);
    return n > 0 ? 0 : -1;
}

/* Starts a non-blocking connect; the handshake's first WANT_WRITE waits
 * for it to finish. */
static int tcp_connect_nonblocking(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd >= 0 && (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 ||
                    (connect(fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS))) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT CAFILE [CERT KEY]\n", argv[0]);
        return 2;
    }
    otls_error err;
    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_CLIENT, &err);
    otls_conn *conn = NULL;
    otls_status st;
    int rc = 1, fd = -1;

    if (ctx == NULL) {
        fprintf(stderr, "otls_ctx_new: %s\n", err.message);
        return 1;
    }
    if (otls_ctx_load_ca_file(ctx, argv[3]) != OTLS_OK ||
        (argc == 6 && otls_ctx_load_cert_chain_file(ctx, argv[4], argv[5]) != OTLS_OK)) {
        fprintf(stderr, "configuration: %s\n", otls_ctx_error(ctx));
        goto out;
    }
    if ((fd = tcp_connect_nonblocking(argv[1], argv[2])) < 0) {
        fprintf(stderr, "connect %s:%s failed\n", argv[1], argv[2]);
        goto out;
    }
    if ((conn = otls_conn_new(ctx)) == NULL || otls_conn_set_fd(conn, fd) != OTLS_OK ||
        otls_conn_set_hostname(conn, argv[1]) != OTLS_OK)
        goto fail;

    /* The handshake: call again after each wait until it is done. */
    while ((st = otls_handshake(conn)) == OTLS_WANT_READ || st == OTLS_WANT_WRITE)
        if (wait_for(fd, st) != 0)
            goto timeout;
    if (st != OTLS_OK)
        goto fail;
    const char *version = "?";
    otls_protocol(conn, &version);
    fprintf(stderr, "handshake done: %s via %s\n", version, otls_conn_backend(conn));

    /* Write the request; a non-blocking write may take several calls. */
    char req[512];
    int len = snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                       argv[1]);
    for (size_t off = 0, put; off < (size_t)len; off += put) {
        put = 0;
        st = otls_write(conn, req + off, (size_t)len - off, &put);
        if ((st == OTLS_WANT_READ || st == OTLS_WANT_WRITE) && wait_for(fd, st) != 0)
            goto timeout;
        if (st < 0)
            goto fail;
    }

    /* Read until the server closes. */
    char buf[4096];
    size_t got, total = 0;
    for (;;) {
        got = 0;
        st = otls_read(conn, buf, sizeof buf, &got);
        if (st == OTLS_OK) {
            fwrite(buf, 1, got, stdout);
            total += got;
        } else if (st == OTLS_WANT_READ || st == OTLS_WANT_WRITE) {
            if (wait_for(fd, st) != 0)
                goto timeout;
        } else {
            break;
        }
    }
    /* close_notify, or a plain close after data (common for HTTP). */
    if (st == OTLS_CLOSED || (st == OTLS_ERR_IO && total > 0)) {
        rc = 0;
        goto out;
    }
fail:
    fprintf(stderr, "error: %s\n", conn ? otls_conn_error(conn) : otls_ctx_error(ctx));
    goto out;
timeout:
    fprintf(stderr, "timed out after %d ms\n", TIMEOUT_MS);
out:
    otls_conn_free(conn);
    otls_ctx_free(ctx);
    if (fd >= 0)
        close(fd);
    return rc;
}
