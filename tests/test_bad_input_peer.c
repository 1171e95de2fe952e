/* Bad input from the peer, on both roles: garbage instead of a hello, the
 * peer closing in the middle of the handshake, records cut short. The
 * other end is the test itself, writing raw bytes to a socket, so each case
 * is exactly the bytes it names. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bad_input.h"

/* Python's SSLEOFError text, which every backend gives for an EOF without
 * close_notify (its own words in the stacks differ). */
#define EOF_TEXT "EOF occurred in violation of protocol"

/* One omnitls end and the raw socket the test plays the peer on. */
struct raw {
    otls_ctx *ctx;
    otls_conn *conn;
    int fd[2]; /* [0] the connection's, [1] the test's */
    char where[160];
};

static void raw_open(struct raw *r, const struct th_cell *cell, otls_role role, int nonblock)
{
    struct th_opts o = th_opts_cell(cell);
    memset(r, 0, sizeof *r);
    r->ctx = th_ctx_make(&o, role);
    r->conn = otls_conn_new(r->ctx);
    cr_assert(r->conn != NULL, "otls_conn_new: %s", otls_ctx_error(r->ctx));
    cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, r->fd) == 0, "socketpair: %s", strerror(errno));
    struct timeval tv = {10, 0}; /* a bug fails the test instead of hanging it */
    for (int i = 0; i < 2; i++) {
        setsockopt(r->fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(r->fd[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    if (nonblock)
        cr_assert(fcntl(r->fd[0], F_SETFL, fcntl(r->fd[0], F_GETFL) | O_NONBLOCK) == 0);
    cr_assert(otls_conn_set_fd(r->conn, r->fd[0]) == OTLS_OK);
    if (role == OTLS_CLIENT)
        cr_assert(otls_conn_set_hostname(r->conn, "localhost") == OTLS_OK);
    snprintf(r->where, sizeof r->where, "%s %s %s", cell->client_backend,
             role == OTLS_CLIENT ? "client" : "server", th_version_name(cell->version));
}

static void raw_close(struct raw *r)
{
    otls_conn_free(r->conn);
    otls_ctx_free(r->ctx);
    close(r->fd[0]);
    close(r->fd[1]);
}

static void raw_send(struct raw *r, const void *data, size_t len)
{
    cr_assert(len == 0 || write(r->fd[1], data, len) == (ssize_t)len, "write: %s", strerror(errno));
}

/* Everything the connection has written so far (it is waiting to read). */
static size_t raw_take(struct raw *r, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap) {
        ssize_t got = recv(r->fd[1], buf + n, cap - n, MSG_DONTWAIT);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    cr_assert(n < cap, "%s: more than %zu bytes in one flight", r->where, cap);
    return n;
}

/* Runs a non-blocking handshake until it stops asking to be called again
 * with input that is already there. */
static otls_status drive(otls_conn *c)
{
    otls_status st = OTLS_WANT_READ;
    for (int i = 0; i < 100 && (st == OTLS_WANT_READ || st == OTLS_WANT_WRITE); i++)
        st = otls_handshake(c);
    return st;
}

/* Length of the first TLS record in buf (header included). */
static size_t first_record(const uint8_t *buf, size_t len)
{
    cr_assert(len >= 5, "no record header in %zu bytes", len);
    size_t n = 5 + ((size_t)buf[3] << 8 | buf[4]);
    cr_assert(n <= len, "first record is %zu bytes, only %zu arrived", n, len);
    return n;
}

/* A real first flight of the cell's client (its ClientHello). */
static size_t client_hello(const struct th_cell *cell, uint8_t *buf, size_t cap)
{
    struct raw c;
    raw_open(&c, cell, OTLS_CLIENT, 1);
    otls_status st = otls_handshake(c.conn);
    cr_assert(st == OTLS_WANT_READ, "%s: first handshake call: %s (%s)", c.where,
              otls_status_name(st), otls_conn_error(c.conn));
    size_t n = raw_take(&c, buf, cap);
    raw_close(&c);
    return n;
}

/* A client waiting for the server's answer: its ClientHello has gone out
 * and the cell's server answered it; *len bytes of that answer in buf. */
static void client_awaiting(struct raw *c, const struct th_cell *cell, uint8_t *buf, size_t cap,
                            size_t *len)
{
    uint8_t hello[4096];
    raw_open(c, cell, OTLS_CLIENT, 1);
    otls_status st = otls_handshake(c->conn);
    cr_assert(st == OTLS_WANT_READ, "%s: first handshake call: %s (%s)", c->where,
              otls_status_name(st), otls_conn_error(c->conn));
    size_t hn = raw_take(c, hello, sizeof hello);
    struct raw s;
    raw_open(&s, cell, OTLS_SERVER, 1);
    raw_send(&s, hello, hn);
    st = drive(s.conn);
    cr_assert(st == OTLS_WANT_READ, "%s: server after the ClientHello: %s (%s)", s.where,
              otls_status_name(st), otls_conn_error(s.conn));
    *len = raw_take(&s, buf, cap);
    raw_close(&s);
}

ParameterizedTestParameters(bad_peer, garbage_hello)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* Bytes that are not a TLS hello: text from another protocol, and a
 * handshake record whose body is no hello. */
ParameterizedTest(struct th_cell *cell, bad_peer, garbage_hello)
{
    th_require_cell(cell);
    static const char http_req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    static const char http_resp[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    static const uint8_t junk_record[] = {0x16, 0x03, 0x03, 0x00, 0x08, 0x63, 0x00,
                                          0x00, 0x04, 0xde, 0xad, 0xbe, 0xef};
    static const struct {
        otls_role role;
        const char *what;
        const void *data;
        size_t len;
    } cases[] = {
        {OTLS_SERVER, "server: HTTP request instead of a ClientHello", http_req,
         sizeof http_req - 1},
        {OTLS_SERVER, "server: handshake record holding no ClientHello", junk_record,
         sizeof junk_record},
        {OTLS_CLIENT, "client: HTTP response instead of a ServerHello", http_resp,
         sizeof http_resp - 1},
        {OTLS_CLIENT, "client: handshake record holding no ServerHello", junk_record,
         sizeof junk_record},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct raw r;
        raw_open(&r, cell, cases[i].role, 0);
        raw_send(&r, cases[i].data, cases[i].len);
        shutdown(r.fd[1], SHUT_WR);
        const char *hello = cases[i].role == OTLS_SERVER ? "ClientHello" : "ServerHello";
        BI_CONN(cases[i].what, r.where, r.conn, otls_handshake(r.conn), OTLS_ERR_TLS,
                "the peer did not send a TLS", hello, "its first bytes");
        /* A failed handshake stays failed, with its message. */
        otls_status st = otls_handshake(r.conn);
        cr_assert(st == OTLS_ERR_TLS && strstr(otls_conn_error(r.conn), hello),
                  "%s: second call: %s (%s)", r.where, otls_status_name(st),
                  otls_conn_error(r.conn));
        raw_close(&r);
    }
}

ParameterizedTestParameters(bad_peer, close_mid_handshake)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* The peer hangs up: before sending anything, and after its first flight
 * (the server then waits for the client's second flight; the client gets
 * the ServerHello record alone). */
ParameterizedTest(struct th_cell *cell, bad_peer, close_mid_handshake)
{
    th_require_cell(cell);
    struct raw r;
    for (int role = 0; role < 2; role++) {
        raw_open(&r, cell, (otls_role)role, 0);
        shutdown(r.fd[1], SHUT_WR);
        BI_CONN(role ? "server: peer closes before its hello"
                     : "client: peer closes before its hello",
                r.where, r.conn, otls_handshake(r.conn), OTLS_ERR_IO, EOF_TEXT);
        raw_close(&r);
    }

    uint8_t buf[16384];
    size_t n = client_hello(cell, buf, sizeof buf);
    raw_open(&r, cell, OTLS_SERVER, 0);
    raw_send(&r, buf, n);
    shutdown(r.fd[1], SHUT_WR);
    BI_CONN("server: peer closes after its ClientHello", r.where, r.conn, otls_handshake(r.conn),
            OTLS_ERR_IO, EOF_TEXT);
    raw_close(&r);

    client_awaiting(&r, cell, buf, sizeof buf, &n);
    raw_send(&r, buf, first_record(buf, n));
    shutdown(r.fd[1], SHUT_WR);
    BI_CONN("client: peer closes after its ServerHello", r.where, r.conn, drive(r.conn),
            OTLS_ERR_IO, EOF_TEXT);
    raw_close(&r);
}

ParameterizedTestParameters(bad_peer, truncated_record)
{
    return th_cells(TH_DIM_VERSION, 0);
}

/* A record header promising more bytes than arrive, then EOF: in the
 * peer's hello, and in application data after a good handshake. */
ParameterizedTest(struct th_cell *cell, bad_peer, truncated_record)
{
    th_require_cell(cell);
    uint8_t buf[16384];
    struct raw r;

    size_t n = client_hello(cell, buf, sizeof buf);
    raw_open(&r, cell, OTLS_SERVER, 0);
    raw_send(&r, buf, first_record(buf, n) / 2);
    shutdown(r.fd[1], SHUT_WR);
    BI_CONN("server: ClientHello record cut short, then EOF", r.where, r.conn,
            otls_handshake(r.conn), OTLS_ERR_IO, EOF_TEXT);
    raw_close(&r);

    client_awaiting(&r, cell, buf, sizeof buf, &n);
    raw_send(&r, buf, first_record(buf, n) / 2);
    shutdown(r.fd[1], SHUT_WR);
    BI_CONN("client: ServerHello record cut short, then EOF", r.where, r.conn, drive(r.conn),
            OTLS_ERR_IO, EOF_TEXT);
    raw_close(&r);

    /* After the handshake: an application-data record header for 64 bytes
     * and 10 of them, written straight to the reader's socket. */
    static const uint8_t cut[] = {0x17, 0x03, 0x03, 0x00, 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    for (int side = 0; side < 2; side++) {
        struct th_opts o = th_opts_cell(cell);
        struct th_pair *p = th_pair_new(&o);
        th_pair_assert_ok(p);
        otls_conn *reader = side ? p->server : p->client;
        int writer_fd = side ? p->fd[0] : p->fd[1];
        cr_assert(write(writer_fd, cut, sizeof cut) == (ssize_t)sizeof cut);
        shutdown(writer_fd, SHUT_WR);
        uint8_t data[128];
        size_t got = 1;
        otls_status st = otls_read(reader, data, sizeof data, &got);
        /* A TLS 1.3 client first reads the server's tickets, then the
         * cut record. */
        BI_EXPECT(side ? "server: application record cut short, then EOF"
                       : "client: application record cut short, then EOF",
                  p->desc, otls_conn_backend(reader), st, OTLS_ERR_IO, otls_conn_error(reader),
                  EOF_TEXT);
        cr_assert(got == 0, "%s: *got = %zu after an error", p->desc, got);
        th_pair_free(p);
    }
}
