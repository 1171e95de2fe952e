/* A TLS server that requires client certificates and prints each client's
 * certificate, decoded as Python's getpeercert() would show it.
 *
 *   tls_server PORT CERT KEY CLIENT_CA [COUNT]
 *
 * Listens on 127.0.0.1:PORT (0: any free port; the port is printed), and
 * answers COUNT connections (default: until killed) with a short HTTP
 * reply that greets the client by its certificate's commonName. A client
 * without a certificate signed by CLIENT_CA fails the handshake.
 *
 * Build: cc tls_server.c $(pkg-config --cflags --libs omnitls) */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <omnitls/cert.h>
#include <omnitls/omnitls.h>

/* The first commonName of a decoded certificate's subject, or "?". */
static const char *common_name(const otls_cert *cert)
{
    for (size_t i = 0; i < cert->subject.count; i++)
        for (size_t j = 0; j < cert->subject.rdns[i].count; j++)
            if (strcmp(cert->subject.rdns[i].attrs[j].oid, "2.5.4.3") == 0)
                return cert->subject.rdns[i].attrs[j].value;
    return "?";
}

/* One connection: handshake, show the client, answer. */
static void serve(otls_ctx *ctx, int fd)
{
    otls_conn *conn = otls_conn_new(ctx);
    otls_cert *cert = NULL;
    char *json = NULL;

    if (conn == NULL || otls_conn_set_fd(conn, fd) != OTLS_OK) {
        fprintf(stderr, "connection: %s\n", otls_ctx_error(ctx));
    } else if (otls_handshake(conn) != OTLS_OK) {
        /* e.g. "certificate verify failed" or "peer did not return a
         * certificate": the stack's own reason. */
        fprintf(stderr, "handshake: %s\n", otls_conn_error(conn));
    } else if (otls_peer_cert(conn, &cert) != OTLS_OK ||
               otls_peer_cert_json(conn, 0, &json, NULL) != OTLS_OK) {
        fprintf(stderr, "client certificate: %s\n", otls_conn_error(conn));
    } else {
        printf("client %s: %s\n", common_name(cert), json);
        fflush(stdout);

        /* Read the request (one read is enough for this example). */
        char buf[2048], reply[512];
        size_t got = 0, put = 0;
        otls_read(conn, buf, sizeof buf, &got);
        int n = snprintf(reply, sizeof reply,
                         "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                         "\r\nhello, %s\n",
                         common_name(cert));
        if (n > 0 && (size_t)n < sizeof reply &&
            otls_write(conn, reply, (size_t)n, &put) == OTLS_OK)
            otls_shutdown(conn);
        else
            fprintf(stderr, "write: %s\n", otls_conn_error(conn));
    }
    otls_free_string(json);
    otls_cert_free(cert);
    otls_conn_free(conn);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: %s PORT CERT KEY CLIENT_CA [COUNT]\n", argv[0]);
        return 2;
    }
    long count = argc == 6 ? strtol(argv[5], NULL, 10) : -1;
    otls_error err;

    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_SERVER, &err);
    if (ctx == NULL) {
        fprintf(stderr, "otls_ctx_new: %s\n", err.message);
        return 1;
    }
    /* REQUIRED: no certificate, no connection (Python's CERT_REQUIRED). */
    if (otls_ctx_load_cert_chain_file(ctx, argv[2], argv[3]) != OTLS_OK ||
        otls_ctx_load_ca_file(ctx, argv[4]) != OTLS_OK ||
        otls_ctx_set_verify(ctx, OTLS_VERIFY_REQUIRED) != OTLS_OK) {
        fprintf(stderr, "configuration: %s\n", otls_ctx_error(ctx));
        otls_ctx_free(ctx);
        return 1;
    }

    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sa_len = sizeof sa;
    sa.sin_port = htons((uint16_t)strtoul(argv[1], NULL, 10));
    int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 8) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sa_len) != 0) {
        perror("listen");
        otls_ctx_free(ctx);
        return 1;
    }
    printf("listening on 127.0.0.1:%u (%s)\n", ntohs(sa.sin_port), otls_ctx_backend(ctx));
    fflush(stdout);

    for (long served = 0; count < 0 || served < count; served++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            perror("accept");
            break;
        }
        serve(ctx, fd);
    }
    close(lfd);
    otls_ctx_free(ctx);
    return 0;
}
