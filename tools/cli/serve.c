/* `omnitls serve`: a TLS server on 127.0.0.1 for clients omnitls did not
 * write. It says "listening on 127.0.0.1:PORT" on stderr (so --port 0 can be
 * used), then for each connection prints the REPORT (report.c) as one line
 * of stdout and echoes what the client sends until it closes. Facts the
 * REPORT has no field for go to stderr as "omnitls serve: connection N: KEY:
 * VALUE" (KEY "resumed", "getpeercert"), as `omnitls connect` prints them.
 *
 * Connections are served one at a time; the contexts live as long as the
 * process, so a client can resume an earlier session. Waits on a connection
 * are bounded by CLI_NET_TIMEOUT_SECONDS, and with --once so is the wait for
 * the client. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <omnitls/cert.h>
#include <omnitls/omnitls.h>

#include "cli.h"
#include "json.h"
#include "net.h"
#include "report.h"

#define MAX_EMPTY_READS 100

struct serve_opts {
    const char *backend, *cert, *key, *cafile, *alpn, *ciphers;
    otls_tls_version version;
    otls_verify verify;
    unsigned port;
    int once, tls13_unique;
};

/* String-valued options: 1 when argv[*i] is one of them (its value stored),
 * 0 when not, -1 when its value is missing. */
static int string_option(int argc, char **argv, int *i, struct serve_opts *o)
{
    const struct {
        const char *name;
        const char **value;
    } table[] = {{"--cert", &o->cert},
                 {"--key", &o->key},
                 {"--cafile", &o->cafile},
                 {"--alpn", &o->alpn},
                 {"--ciphers", &o->ciphers}};

    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        const char *v = NULL;

        if (cli_option(argc, argv, i, table[k].name, &v)) {
            *table[k].value = v;
            return v ? 1 : -1;
        }
    }
    return 0;
}

static int parse_port(const char *v, unsigned *port)
{
    char *end = NULL;
    unsigned long n;

    if (!v || !*v)
        return -1;
    errno = 0;
    n = strtoul(v, &end, 10);
    if (errno || *end || n > 65535)
        return -1;
    *port = (unsigned)n;
    return 0;
}

static int parse(int argc, char **argv, struct serve_opts *o, int *done)
{
    *done = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        const char *opt = argv[i];
        int s;

        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            cli_usage(stdout);
            *done = 1;
            return CLI_EXIT_OK;
        } else if (strcmp(opt, "--once") == 0) {
            o->once = 1;
        } else if (strcmp(opt, "--cb-tls13-unique") == 0) {
            o->tls13_unique = 1;
        } else if ((s = string_option(argc, argv, &i, o)) != 0) {
            if (s < 0)
                return cli_usage_error("serve", "%s needs a value", opt);
        } else if (cli_option(argc, argv, &i, "--backend", &v)) {
            int rc = cli_check_backend("serve", opt, v);
            if (rc != CLI_EXIT_OK)
                return rc;
            o->backend = v;
        } else if (cli_option(argc, argv, &i, "--port", &v)) {
            if (parse_port(v, &o->port) != 0)
                return cli_usage_error("serve", "--port takes 0..65535, not \"%s\"", v ? v : "");
        } else if (cli_option(argc, argv, &i, "--tls", &v)) {
            if (v && strcmp(v, "1.2") == 0)
                o->version = OTLS_TLS1_2;
            else if (v && strcmp(v, "1.3") == 0)
                o->version = OTLS_TLS1_3;
            else
                return cli_usage_error("serve", "--tls takes 1.2 or 1.3, not \"%s\"", v ? v : "");
        } else if (cli_option(argc, argv, &i, "--verify", &v)) {
            if (v && strcmp(v, "none") == 0)
                o->verify = OTLS_VERIFY_NONE;
            else if (v && strcmp(v, "optional") == 0)
                o->verify = OTLS_VERIFY_OPTIONAL;
            else if (v && strcmp(v, "required") == 0)
                o->verify = OTLS_VERIFY_REQUIRED;
            else
                return cli_usage_error(
                    "serve", "--verify takes none, optional or required, not \"%s\"", v ? v : "");
        } else {
            return cli_usage_error("serve", "unknown option \"%s\"", opt);
        }
    }
    if (!o->cert)
        return cli_usage_error("serve", "%s", "--cert is missing");
    return CLI_EXIT_OK;
}

static int ctx_fail(otls_ctx *ctx, const char *what, otls_status st)
{
    fprintf(stderr, "omnitls serve: %s failed: %s: %s\n", what, otls_status_name(st),
            otls_ctx_error(ctx));
    return -1;
}

static otls_ctx *make_ctx(const struct serve_opts *o)
{
    otls_error e = {OTLS_OK, ""};
    otls_ctx *ctx = otls_ctx_new(o->backend, OTLS_SERVER, &e);
    otls_status st;

    if (!ctx) {
        fprintf(stderr, "omnitls serve: otls_ctx_new(%s) failed: %s: %.*s\n",
                o->backend ? o->backend : otls_default_backend(), otls_status_name(e.code),
                (int)sizeof e.message, e.message);
        return NULL;
    }
    if ((st = otls_ctx_load_cert_chain_file(ctx, o->cert, o->key)) != OTLS_OK)
        ctx_fail(ctx, "--cert/--key", st);
    else if (o->cafile && (st = otls_ctx_load_ca_file(ctx, o->cafile)) != OTLS_OK)
        ctx_fail(ctx, "--cafile", st);
    else if ((st = otls_ctx_set_verify(ctx, o->verify)) != OTLS_OK)
        ctx_fail(ctx, "--verify", st);
    else if (o->version && (st = otls_ctx_set_versions(ctx, o->version, o->version)) != OTLS_OK)
        ctx_fail(ctx, "--tls", st);
    else if (o->alpn && (st = cli_set_alpn(ctx, o->alpn)) != OTLS_OK)
        ctx_fail(ctx, "--alpn", st);
    else if (o->ciphers && (st = otls_ctx_set_ciphers(ctx, o->ciphers)) != OTLS_OK)
        ctx_fail(ctx, "--ciphers", st);
    else if (o->tls13_unique && (st = otls_ctx_set_flags(ctx, OTLS_FLAG_TLS13_UNIQUE)) != OTLS_OK)
        ctx_fail(ctx, "--cb-tls13-unique", st);
    else
        return ctx;
    otls_ctx_free(ctx);
    return NULL;
}

static int set_timeouts(int fd)
{
    struct timeval tv = {CLI_NET_TIMEOUT_SECONDS, 0};

    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
        return -1;
    return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Listens on 127.0.0.1 only: a test server must not be reachable from
 * elsewhere. Returns the fd and the port, or -1. */
static int listen_loopback(unsigned *port, int bounded_accept)
{
    struct sockaddr_in sa;
    socklen_t sa_len = sizeof sa;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        perror("omnitls serve: socket");
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)*port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0 ||
        (bounded_accept && set_timeouts(fd) != 0) || /* SO_RCVTIMEO bounds accept() */
        getsockname(fd, (struct sockaddr *)&sa, &sa_len) != 0) {
        fprintf(stderr, "omnitls serve: listening on 127.0.0.1:%u: %s\n", *port, strerror(errno));
        close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static void conn_fail(otls_conn *conn, int n, const char *call, otls_status st)
{
    if (st == OTLS_WANT_READ || st == OTLS_WANT_WRITE)
        fprintf(stderr, "omnitls serve: connection %d: %s: %s: the peer did nothing for %d s\n", n,
                call, otls_status_name(st), CLI_NET_TIMEOUT_SECONDS);
    else
        fprintf(stderr, "omnitls serve: connection %d: %s: %s: %s\n", n, call, otls_status_name(st),
                otls_conn_error(conn));
}

/* The REPORT on stdout, then the stderr facts it has no field for. */
static int print_report(otls_conn *conn, int n)
{
    struct cli_json w;
    char *json = NULL;
    int reused = 0, rc = 0;
    otls_status st;

    cli_json_init(&w);
    cli_report_write(&w, conn);
    if (w.failed) {
        fputs("omnitls serve: out of memory\n", stderr);
        rc = -1;
    } else if (fwrite(w.buf, 1, w.len, stdout) != w.len || fputc('\n', stdout) == EOF ||
               fflush(stdout) != 0) {
        perror("omnitls serve: writing the report");
        rc = -1;
    }
    cli_json_free(&w);
    if (otls_session_reused(conn, &reused) == OTLS_OK)
        fprintf(stderr, "omnitls serve: connection %d: resumed: %s\n", n, reused ? "yes" : "no");
    st = otls_peer_cert_json(conn, 0, &json, NULL);
    if (st == OTLS_OK || st == OTLS_NONE)
        fprintf(stderr, "omnitls serve: connection %d: getpeercert: %s\n", n, json ? json : "null");
    else
        conn_fail(conn, n, "getpeercert", st);
    otls_free_string(json);
    return rc;
}

/* Echoes until the client closes. Returns 1 when it sent close_notify, so
 * ours can follow; 0 when the connection ended otherwise (not our failure:
 * many clients just close the socket). */
static int echo(otls_conn *conn, int n)
{
    char buf[4096];

    for (int empty = 0; empty < MAX_EMPTY_READS;) {
        size_t got = 0, done = 0;
        otls_status st = otls_read(conn, buf, sizeof buf, &got);

        if (st == OTLS_CLOSED)
            return 1;
        if (st != OTLS_OK) {
            conn_fail(conn, n, "otls_read", st);
            return 0;
        }
        empty = got == 0 ? empty + 1 : 0;
        while (done < got && st == OTLS_OK) {
            size_t put = 0;
            st = otls_write(conn, buf + done, got - done, &put);
            done += put;
        }
        if (st != OTLS_OK) {
            conn_fail(conn, n, "otls_write", st);
            return 0;
        }
    }
    return 0;
}

/* Closes a connection gracefully (FIN, then read until the peer's), so
 * that no unread byte makes the kernel reset it under an alert the peer must
 * still read. After a failure the peer may be mute: wait 1 s at most. */
static void close_socket(int fd, int ok)
{
    struct timeval tv = {1, 0};

    if (!ok)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    cli_net_close(fd, 1);
}

/* Connection n: handshake, REPORT, echo, close_notify. Returns 0 when the
 * handshake succeeded and the REPORT was printed, -1 when it did not, -2
 * when no connection could be accepted. */
static int serve_one(otls_ctx *ctx, int listen_fd, int n)
{
    int fd, rc = -1;
    otls_conn *conn;
    otls_status st;

    do {
        fd = accept(listen_fd, NULL, NULL);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            fprintf(stderr, "omnitls serve: no client connected within %d s\n",
                    CLI_NET_TIMEOUT_SECONDS);
        else
            perror("omnitls serve: accept");
        return -2;
    }
    conn = otls_conn_new(ctx);
    if (!conn)
        fprintf(stderr, "omnitls serve: otls_conn_new failed: %s\n", otls_ctx_error(ctx));
    else if (set_timeouts(fd) != 0)
        perror("omnitls serve: setsockopt");
    else if ((st = otls_conn_set_fd(conn, fd)) != OTLS_OK)
        conn_fail(conn, n, "otls_conn_set_fd", st);
    else if ((st = otls_handshake(conn)) != OTLS_OK)
        conn_fail(conn, n, "otls_handshake", st);
    else if (print_report(conn, n) == 0)
        rc = 0;
    if (rc == 0 && echo(conn, n) && (st = otls_shutdown(conn)) != OTLS_OK)
        conn_fail(conn, n, "otls_shutdown", st);
    otls_conn_free(conn);
    close_socket(fd, rc == 0);
    return rc;
}

int cli_serve_main(int argc, char **argv)
{
    struct serve_opts o;
    otls_ctx *ctx;
    int done, rc, listen_fd;

    memset(&o, 0, sizeof o);
    o.verify = OTLS_VERIFY_NONE;
    rc = parse(argc, argv, &o, &done);
    if (rc != CLI_EXIT_OK || done)
        return rc;
    ctx = make_ctx(&o);
    if (!ctx)
        return CLI_EXIT_FAILURE;
    listen_fd = listen_loopback(&o.port, o.once);
    if (listen_fd < 0) {
        otls_ctx_free(ctx);
        return CLI_EXIT_FAILURE;
    }
    fprintf(stderr, "listening on 127.0.0.1:%u\n", o.port);
    fflush(stderr);
    if (o.once) {
        rc = serve_one(ctx, listen_fd, 1) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    } else {
        /* Until killed or accept() breaks; a failed handshake does not stop
         * the server. */
        for (int n = 1; serve_one(ctx, listen_fd, n) != -2; n++)
            ;
        rc = CLI_EXIT_FAILURE;
    }
    close(listen_fd);
    otls_ctx_free(ctx);
    return rc;
}
