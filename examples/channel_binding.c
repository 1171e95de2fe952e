/* Channel binding with tls-exporter (RFC 9266): proving that the TLS
 * connection an application authenticates over is the one both ends see.
 *
 *   channel_binding CERT KEY CAFILE
 *
 * A server (child process) and a client run one handshake over a socket
 * pair. Each end derives the 32-byte tls-exporter value on its own; the
 * client sends its value inside the TLS channel, as SCRAM-SHA-256-PLUS or
 * a token binding would, and the server compares it with its own. A
 * man-in-the-middle terminating TLS would hold two different connections,
 * so the values would differ. CERT must be valid for "localhost".
 *
 * Build: cc channel_binding.c $(pkg-config --cflags --libs omnitls) */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <omnitls/omnitls.h>

/* The connection's tls-exporter value as hex into out (65 bytes), or -1. */
static int exporter_hex(otls_conn *conn, char *out)
{
    uint8_t cb[OTLS_CHANNEL_BINDING_MAX];
    size_t len = sizeof cb;

    /* Refused on TLS 1.2 without the extended master secret (RFC 9266):
     * the reason is in otls_conn_error(). */
    if (otls_channel_binding(conn, "tls-exporter", cb, &len) != OTLS_OK)
        return -1;
    for (size_t i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", cb[i]);
    return 0;
}

/* Runs one end over fd; returns the process exit code. */
static int run(otls_role role, int fd, char **files)
{
    otls_error err;
    otls_ctx *ctx = otls_ctx_new(NULL, role, &err);
    otls_conn *conn = NULL;
    const char *who = role == OTLS_SERVER ? "server" : "client";
    char mine[2 * OTLS_CHANNEL_BINDING_MAX + 1], theirs[2 * OTLS_CHANNEL_BINDING_MAX + 1] = "";
    int rc = 1;

    if (ctx == NULL) {
        fprintf(stderr, "%s: %s\n", who, err.message);
        return 1;
    }
    otls_status st = role == OTLS_SERVER ? otls_ctx_load_cert_chain_file(ctx, files[0], files[1])
                                         : otls_ctx_load_ca_file(ctx, files[2]);
    if (st != OTLS_OK || (conn = otls_conn_new(ctx)) == NULL) {
        fprintf(stderr, "%s: %s\n", who, otls_ctx_error(ctx));
        goto out;
    }
    otls_conn_set_fd(conn, fd);
    if (role == OTLS_CLIENT)
        otls_conn_set_hostname(conn, "localhost");
    if (otls_handshake(conn) != OTLS_OK || exporter_hex(conn, mine) != 0) {
        fprintf(stderr, "%s: %s\n", who, otls_conn_error(conn));
        goto out;
    }
    const char *version = "?";
    otls_protocol(conn, &version);
    printf("%s: %s tls-exporter %s\n", who, version, mine);
    fflush(stdout);

    size_t n = 0;
    if (role == OTLS_CLIENT) {
        /* Send the binding inside the channel; the server says if it is
         * the same connection. */
        char verdict[16] = "";
        if (otls_write(conn, mine, strlen(mine), &n) == OTLS_OK &&
            otls_read(conn, verdict, sizeof verdict - 1, &n) == OTLS_OK) {
            printf("client: server says %.*s\n", (int)n, verdict);
            rc = strncmp(verdict, "match", 5) == 0 ? 0 : 1;
        }
    } else {
        /* One read is enough: 64 bytes fit one TLS record. */
        if (otls_read(conn, theirs, sizeof theirs - 1, &n) == OTLS_OK) {
            theirs[n] = '\0';
            const char *verdict = strcmp(theirs, mine) == 0 ? "match" : "MISMATCH";
            rc = otls_write(conn, verdict, strlen(verdict), &n) == OTLS_OK ? 0 : 1;
        }
    }
    if (rc != 0 && *otls_conn_error(conn))
        fprintf(stderr, "%s: %s\n", who, otls_conn_error(conn));
    otls_shutdown(conn);
out:
    otls_conn_free(conn);
    otls_ctx_free(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    int sv[2];

    if (argc != 4) {
        fprintf(stderr, "usage: %s CERT KEY CAFILE\n", argv[0]);
        return 2;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        return 1;
    }
    /* Separate processes, as client and server would be; the library is
     * initialised after the fork, in each. */
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(sv[0]);
        _exit(run(OTLS_SERVER, sv[1], argv + 1));
    }
    close(sv[1]);
    int rc = run(OTLS_CLIENT, sv[0], argv + 1);
    close(sv[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
