/* `omnitls connect HOST:PORT`: a TLS client against any server, for checking
 * omnitls against peers it did not write. Each connection's REPORT (the
 * demo's, from report.c) is one line of stdout. Facts the REPORT has no field
 * for go to stderr, one line each: "omnitls connect: connection N: KEY: VALUE"
 * with KEY "resumed" (yes/no), "getpeercert" (json.dumps(getpeercert()) or
 * null) and "received" (the reply to --send, as a JSON string).
 *
 * --reconnect makes a second connection that offers the first one's session,
 * so tls-unique can be checked on a resumed handshake. Every socket wait is
 * bounded by CLI_NET_TIMEOUT_SECONDS: nothing hangs on a silent peer. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <omnitls/cert.h>
#include <omnitls/omnitls.h>

#include "cli.h"
#include "json.h"
#include "net.h"
#include "report.h"

/* TLS 1.3 tickets come after the handshake; a server that sends none must
 * not hold --reconnect up for long. */
#define TICKET_WAIT_MS 3000
#define MAX_EMPTY_READS 100

struct connect_opts {
    char host[256];
    const char *port;
    const char *backend, *cafile, *cert, *key, *servername, *alpn, *ciphers, *send;
    otls_tls_version version;
    otls_verify verify;
    int tls13_unique, reconnect;
};

/* HOST:PORT or [IPv6]:PORT. */
static int parse_target(const char *arg, struct connect_opts *o)
{
    const char *colon = strrchr(arg, ':');
    const char *host = arg;
    size_t len;

    if (!colon || colon[1] == '\0')
        return -1;
    len = (size_t)(colon - arg);
    if (len >= 2 && arg[0] == '[' && arg[len - 1] == ']') {
        host++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof o->host)
        return -1;
    memcpy(o->host, host, len);
    o->host[len] = '\0';
    o->port = colon + 1;
    return 0;
}

/* String-valued options: 1 when argv[*i] is one of them (its value stored),
 * 0 when not, -1 when its value is missing. */
static int string_option(int argc, char **argv, int *i, struct connect_opts *o)
{
    const struct {
        const char *name;
        const char **value;
    } table[] = {{"--cafile", &o->cafile}, {"--cert", &o->cert},
                 {"--key", &o->key},       {"--servername", &o->servername},
                 {"--alpn", &o->alpn},     {"--ciphers", &o->ciphers},
                 {"--send", &o->send}};

    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        const char *v = NULL;

        if (cli_option(argc, argv, i, table[k].name, &v)) {
            *table[k].value = v;
            return v ? 1 : -1;
        }
    }
    return 0;
}

static int parse(int argc, char **argv, struct connect_opts *o, int *done)
{
    const char *target = NULL;

    *done = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        const char *opt = argv[i];
        int s;

        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            cli_usage(stdout);
            *done = 1;
            return CLI_EXIT_OK;
        } else if (strcmp(opt, "--cb-tls13-unique") == 0) {
            o->tls13_unique = 1;
        } else if (strcmp(opt, "--reconnect") == 0) {
            o->reconnect = 1;
        } else if ((s = string_option(argc, argv, &i, o)) != 0) {
            if (s < 0)
                return cli_usage_error("connect", "%s needs a value", opt);
        } else if (cli_option(argc, argv, &i, "--backend", &v)) {
            int rc = cli_check_backend("connect", opt, v);
            if (rc != CLI_EXIT_OK)
                return rc;
            o->backend = v;
        } else if (cli_option(argc, argv, &i, "--tls", &v)) {
            if (v && strcmp(v, "1.2") == 0)
                o->version = OTLS_TLS1_2;
            else if (v && strcmp(v, "1.3") == 0)
                o->version = OTLS_TLS1_3;
            else
                return cli_usage_error("connect", "--tls takes 1.2 or 1.3, not \"%s\"", v ? v : "");
        } else if (cli_option(argc, argv, &i, "--verify", &v)) {
            if (v && strcmp(v, "none") == 0)
                o->verify = OTLS_VERIFY_NONE;
            else if (v && strcmp(v, "required") == 0)
                o->verify = OTLS_VERIFY_REQUIRED;
            else
                return cli_usage_error("connect", "--verify takes none or required, not \"%s\"",
                                       v ? v : "");
        } else if (opt[0] == '-') {
            return cli_usage_error("connect", "unknown option \"%s\"", opt);
        } else if (target) {
            return cli_usage_error("connect", "one HOST:PORT only, not also \"%s\"", opt);
        } else {
            target = opt;
        }
    }
    if (!target)
        return cli_usage_error("connect", "%s", "HOST:PORT is missing");
    if (parse_target(target, o) != 0)
        return cli_usage_error("connect", "\"%s\" is not HOST:PORT", target);
    if (o->key && !o->cert)
        return cli_usage_error("connect", "%s", "--key needs --cert");
    return CLI_EXIT_OK;
}

static int ctx_fail(otls_ctx *ctx, const char *what, otls_status st)
{
    fprintf(stderr, "omnitls connect: %s failed: %s: %s\n", what, otls_status_name(st),
            otls_ctx_error(ctx));
    return -1;
}

/* Verify mode first off, then the hostname check, in the order that works
 * whether or not the library refuses VERIFY_NONE with the check on. */
static otls_ctx *make_ctx(const struct connect_opts *o)
{
    otls_error e = {OTLS_OK, ""};
    otls_ctx *ctx = otls_ctx_new(o->backend, OTLS_CLIENT, &e);
    otls_status st;
    int none = o->verify == OTLS_VERIFY_NONE;

    if (!ctx) {
        fprintf(stderr, "omnitls connect: otls_ctx_new(%s) failed: %s: %.*s\n",
                o->backend ? o->backend : otls_default_backend(), otls_status_name(e.code),
                (int)sizeof e.message, e.message);
        return NULL;
    }
    if (o->cafile && (st = otls_ctx_load_ca_file(ctx, o->cafile)) != OTLS_OK)
        ctx_fail(ctx, "--cafile", st);
    else if (o->cert && (st = otls_ctx_load_cert_chain_file(ctx, o->cert, o->key)) != OTLS_OK)
        ctx_fail(ctx, "--cert/--key", st);
    else if (none && (st = otls_ctx_set_check_hostname(ctx, 0)) != OTLS_OK)
        ctx_fail(ctx, "otls_ctx_set_check_hostname", st);
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

/* A connected socket with both timeouts set, or -1. */
static int dial(const struct connect_opts *o)
{
    struct addrinfo hints, *res = NULL;
    struct timeval tv = {CLI_NET_TIMEOUT_SECONDS, 0};
    int fd = -1, err = 0, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(o->host, o->port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "omnitls connect: %s:%s: %s\n", o->host, o->port, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        /* On Linux SO_SNDTIMEO bounds connect() too. */
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
            connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "omnitls connect: connect %s:%s: %s\n", o->host, o->port, strerror(err));
    return fd;
}

static void conn_fail(otls_conn *conn, int n, const char *call, otls_status st)
{
    if (st == OTLS_WANT_READ || st == OTLS_WANT_WRITE)
        fprintf(stderr, "omnitls connect: connection %d: %s: %s: the peer did nothing for %d s\n",
                n, call, otls_status_name(st), CLI_NET_TIMEOUT_SECONDS);
    else
        fprintf(stderr, "omnitls connect: connection %d: %s: %s: %s\n", n, call,
                otls_status_name(st), otls_conn_error(conn));
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
        fputs("omnitls connect: out of memory\n", stderr);
        rc = -1;
    } else if (fwrite(w.buf, 1, w.len, stdout) != w.len || fputc('\n', stdout) == EOF ||
               fflush(stdout) != 0) {
        perror("omnitls connect: writing the report");
        rc = -1;
    }
    cli_json_free(&w);
    if (otls_session_reused(conn, &reused) == OTLS_OK)
        fprintf(stderr, "omnitls connect: connection %d: resumed: %s\n", n, reused ? "yes" : "no");
    st = otls_peer_cert_json(conn, 0, &json, NULL);
    if (st == OTLS_OK || st == OTLS_NONE)
        fprintf(stderr, "omnitls connect: connection %d: getpeercert: %s\n", n,
                json ? json : "null");
    else
        conn_fail(conn, n, "getpeercert", st);
    otls_free_string(json);
    return rc;
}

/* Sends text, then prints the first reply. */
static int exchange(otls_conn *conn, int n, const char *text)
{
    size_t len = strlen(text), done = 0, got = 0;
    char buf[4096];
    otls_status st = OTLS_OK;
    struct cli_json w;

    while (done < len && st == OTLS_OK) {
        size_t put = 0;
        st = otls_write(conn, text + done, len - done, &put);
        done += put;
    }
    if (st != OTLS_OK) {
        conn_fail(conn, n, "otls_write", st);
        return -1;
    }
    for (int empty = 0; got == 0 && st == OTLS_OK && empty < MAX_EMPTY_READS; empty++)
        st = otls_read(conn, buf, sizeof buf, &got);
    if (st != OTLS_OK && st != OTLS_CLOSED) {
        conn_fail(conn, n, "otls_read", st);
        return -1;
    }
    cli_json_init(&w);
    cli_json_string_n(&w, buf, got);
    fprintf(stderr, "omnitls connect: connection %d: received: %s%s\n", n, w.failed ? "?" : w.buf,
            st == OTLS_CLOSED ? " (then close_notify)" : "");
    cli_json_free(&w);
    return 0;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* TLS 1.3: reads, without blocking past TICKET_WAIT_MS, until a ticket makes
 * the session resumable. Application data that comes along is dropped. */
static otls_status wait_for_ticket(otls_conn *conn, int fd, otls_session **out)
{
    int flags = fcntl(fd, F_GETFL);
    struct timespec t0;
    otls_status st = OTLS_NONE;
    long left;

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return OTLS_NONE;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (st == OTLS_NONE && (left = TICKET_WAIT_MS - ms_since(&t0)) > 0) {
        struct pollfd p = {fd, POLLIN, 0};
        char buf[4096];
        size_t got = 0;
        otls_status rst;

        if (poll(&p, 1, (int)left) <= 0)
            continue; /* timed out (the loop ends) or EINTR */
        rst = otls_read(conn, buf, sizeof buf, &got);
        if (rst != OTLS_OK && rst != OTLS_WANT_READ)
            break;
        st = otls_conn_get_session(conn, out);
    }
    fcntl(fd, F_SETFL, flags);
    return st;
}

static int take_session(otls_conn *conn, int fd, int n, otls_session **out)
{
    otls_status st = otls_conn_get_session(conn, out);

    if (st == OTLS_NONE)
        st = wait_for_ticket(conn, fd, out);
    if (st == OTLS_NONE)
        fprintf(stderr, "omnitls connect: connection %d: no session to resume after %d ms\n", n,
                TICKET_WAIT_MS);
    else if (st != OTLS_OK)
        conn_fail(conn, n, "otls_conn_get_session", st);
    /* A backend that cannot resume still makes the second connection, in
     * full: its report is as useful. */
    return st == OTLS_OK || st == OTLS_NONE || st == OTLS_ERR_UNSUPPORTED ? 0 : -1;
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

/* Connection n: handshake, REPORT, --send, the session for the next one
 * (when next is set), close_notify. Returns 0 on success. */
static int run_one(otls_ctx *ctx, const struct connect_opts *o, int n, const otls_session *resume,
                   otls_session **next)
{
    int fd = dial(o), rc = -1;
    const char *name = o->servername ? o->servername : o->host;
    otls_conn *conn;
    otls_status st;

    if (fd < 0)
        return -1;
    conn = otls_conn_new(ctx);
    if (!conn) {
        fprintf(stderr, "omnitls connect: otls_conn_new failed: %s\n", otls_ctx_error(ctx));
        close(fd);
        return -1;
    }
    if ((st = otls_conn_set_fd(conn, fd)) != OTLS_OK)
        conn_fail(conn, n, "otls_conn_set_fd", st);
    else if (*name && (st = otls_conn_set_hostname(conn, name)) != OTLS_OK)
        conn_fail(conn, n, "otls_conn_set_hostname", st);
    else if (resume && (st = otls_conn_set_session(conn, resume)) != OTLS_OK)
        conn_fail(conn, n, "otls_conn_set_session", st);
    else if ((st = otls_handshake(conn)) != OTLS_OK)
        conn_fail(conn, n, "otls_handshake", st);
    else if (print_report(conn, n) == 0 && (!o->send || exchange(conn, n, o->send) == 0) &&
             (!next || take_session(conn, fd, n, next) == 0))
        rc = 0;
    /* A clean close: OpenSSL will not resume a session whose connection
     * ended without close_notify. */
    if (rc == 0 && (st = otls_shutdown(conn)) != OTLS_OK)
        conn_fail(conn, n, "otls_shutdown", st);
    otls_conn_free(conn);
    close_socket(fd, rc == 0);
    return rc;
}

int cli_connect_main(int argc, char **argv)
{
    struct connect_opts o;
    otls_session *session = NULL;
    otls_ctx *ctx;
    int done, rc;

    memset(&o, 0, sizeof o);
    o.verify = OTLS_VERIFY_REQUIRED;
    rc = parse(argc, argv, &o, &done);
    if (rc != CLI_EXIT_OK || done)
        return rc;
    ctx = make_ctx(&o);
    if (!ctx)
        return CLI_EXIT_FAILURE;
    rc = run_one(ctx, &o, 1, NULL, o.reconnect ? &session : NULL);
    if (rc == 0 && o.reconnect)
        rc = run_one(ctx, &o, 2, session, NULL);
    otls_session_free(session);
    otls_ctx_free(ctx);
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
