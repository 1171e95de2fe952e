/* One side of the demo connection: handshake, "ping"/"pong", the REPORT,
 * then close_notify. Sockets are blocking with a timeout (net.c), so a
 * WANT_READ/WANT_WRITE here means the peer went silent: it is a failure. */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "net.h"
#include "report.h"

/* otls_read returning OK with no data this many times in a row is a bug,
 * not progress: stop instead of spinning. */
#define MAX_EMPTY_READS 100

static void fail(struct cli_peer *p, otls_conn *conn, const char *call, otls_status st)
{
    const char *text = conn ? otls_conn_error(conn) : "";

    if (st == OTLS_WANT_READ || st == OTLS_WANT_WRITE)
        snprintf(p->err, sizeof p->err, "%s failed: %s: timed out, the peer did nothing for %d s",
                 call, otls_status_name(st), CLI_NET_TIMEOUT_SECONDS);
    else if (st == OTLS_CLOSED)
        snprintf(p->err, sizeof p->err, "%s failed: %s: the peer closed the TLS session early",
                 call, otls_status_name(st));
    else
        snprintf(p->err, sizeof p->err, "%s failed: %s: %s", call, otls_status_name(st),
                 *text ? text : "(no message)");
}

static otls_status read_exact(otls_conn *conn, char *buf, size_t len, int *stalled)
{
    size_t have = 0;
    int empty = 0;

    *stalled = 0;
    while (have < len) {
        size_t got = 0;
        otls_status st = otls_read(conn, buf + have, len - have, &got);

        if (st != OTLS_OK)
            return st;
        if (got == 0 && ++empty >= MAX_EMPTY_READS) {
            *stalled = 1;
            return OTLS_OK;
        }
        if (got > 0)
            empty = 0;
        have += got;
    }
    return OTLS_OK;
}

static otls_status write_all(otls_conn *conn, const char *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        size_t put = 0;
        otls_status st = otls_write(conn, buf + done, len - done, &put);

        if (st != OTLS_OK)
            return st;
        if (put == 0)
            return OTLS_WANT_WRITE; /* no progress on a blocking socket */
        done += put;
    }
    return OTLS_OK;
}

/* Client: write "ping", read "pong". Server: the other way round. */
static int exchange(struct cli_peer *p, otls_conn *conn)
{
    int client = p->role == OTLS_CLIENT;
    const char *mine = client ? "ping" : "pong";
    const char *theirs = client ? "pong" : "ping";
    char buf[4];
    int stalled;
    otls_status st;

    if (client && (st = write_all(conn, mine, 4)) != OTLS_OK) {
        fail(p, conn, "otls_write", st);
        return -1;
    }
    st = read_exact(conn, buf, sizeof buf, &stalled);
    if (st != OTLS_OK) {
        fail(p, conn, "otls_read", st);
        return -1;
    }
    if (stalled) {
        snprintf(p->err, sizeof p->err, "otls_read returned OTLS_OK with no data %d times in a row",
                 MAX_EMPTY_READS);
        return -1;
    }
    if (memcmp(buf, theirs, 4) != 0) {
        snprintf(p->err, sizeof p->err, "expected \"%s\" from the peer, got other bytes", theirs);
        return -1;
    }
    if (!client && (st = write_all(conn, mine, 4)) != OTLS_OK) {
        fail(p, conn, "otls_write", st);
        return -1;
    }
    return 0;
}

void cli_peer_run(struct cli_peer *p)
{
    otls_conn *conn = otls_conn_new(p->ctx);
    otls_status st;

    p->ok = 0;
    cli_json_init(&p->report);
    if (!conn) {
        snprintf(p->err, sizeof p->err, "otls_conn_new failed: %s", otls_ctx_error(p->ctx));
        goto out;
    }
    st = otls_conn_set_fd(conn, p->fd);
    if (st ==
        OTLS_ERR_UNSUPPORTED) /* a minimal-profile library: the same socket through callbacks */
        st = otls_conn_set_io(conn, cli_net_send, cli_net_recv, &p->fd);
    if (st != OTLS_OK) {
        fail(p, conn, "otls_conn_set_fd", st);
        goto out;
    }
    if (p->role == OTLS_CLIENT && (st = otls_conn_set_hostname(conn, "localhost")) != OTLS_OK) {
        fail(p, conn, "otls_conn_set_hostname", st);
        goto out;
    }
    if ((st = otls_handshake(conn)) != OTLS_OK) {
        fail(p, conn, "otls_handshake", st);
        goto out;
    }
    if (exchange(p, conn) != 0)
        goto out;
    cli_report_write(&p->report, conn);
    if (p->report.failed) {
        snprintf(p->err, sizeof p->err, "out of memory while building the report");
        goto out;
    }
    if (p->inspect)
        p->inspect(conn, p->inspect_user);
    if ((st = otls_shutdown(conn)) != OTLS_OK) {
        fail(p, conn, "otls_shutdown", st);
        goto out;
    }
    p->ok = 1;
out:
    otls_conn_free(conn);
    /* Send FIN at once, so a peer waiting on us sees EOF and fails instead
     * of waiting; then read until its FIN, so that no unread byte makes the
     * kernel reset the connection and hide an alert the peer must still
     * read (e.g. TLS 1.3 client auth refused after the client's Finished). */
    cli_net_close(p->fd, 1);
    p->fd = -1;
}
