/* Data and transports: a 100 KiB round trip with close_notify on blocking
 * sockets, the handshake run implicitly by read/write, the non-blocking
 * paths (fd and callbacks) and transport failures. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define DATA_LEN (100 * 1024)

static uint8_t *pattern(size_t n)
{
    uint8_t *b = malloc(n);
    cr_assert(b != NULL);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 131u + (i >> 8));
    return b;
}

/* ------------------------------------------------------------------------ */
/* Blocking: echo 100 KiB, then close_notify both ways                      */

struct echo {
    struct th_pair *p;
    uint8_t *buf;
    size_t got, put;
    otls_status rst, wst, closed;
    char err[512];
};

/* Server thread: read everything, write it back in one call, then wait for
 * the client's close_notify. Reports only; the test thread asserts. */
static void *echo_server(void *arg)
{
    struct echo *e = arg;
    otls_conn *s = e->p->server;
    e->rst = OTLS_OK;
    while (e->got < DATA_LEN) {
        size_t r = 0;
        e->rst = otls_read(s, e->buf + e->got, DATA_LEN - e->got, &r);
        if (e->rst != OTLS_OK)
            break;
        e->got += r;
    }
    e->wst = e->got == DATA_LEN ? otls_write(s, e->buf, DATA_LEN, &e->put) : OTLS_ERR_STATE;
    uint8_t one;
    size_t r = 0;
    e->closed = otls_read(s, &one, 1, &r);
    snprintf(e->err, sizeof e->err, "%s", otls_conn_error(s));
    return NULL;
}

ParameterizedTestParameters(transport, round_trip)
{
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY, 0);
}

ParameterizedTest(struct th_cell *cell, transport, round_trip)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;
    uint8_t *data = pattern(DATA_LEN);
    struct echo e = {.p = p, .buf = malloc(DATA_LEN)};
    uint8_t *back = malloc(DATA_LEN);
    cr_assert(e.buf && back);

    pthread_t t;
    cr_assert(pthread_create(&t, NULL, echo_server, &e) == 0);
    size_t put = 0;
    otls_status st = otls_write(p->client, data, DATA_LEN, &put);
    cr_assert(st == OTLS_OK && put == DATA_LEN, "%s: write 100 KiB: %s, put %zu (%s)", d,
              otls_status_name(st), put, otls_conn_error(p->client));
    size_t got = 0;
    while (got < DATA_LEN) {
        size_t r = 0;
        st = otls_read(p->client, back + got, DATA_LEN - got, &r);
        if (st != OTLS_OK)
            break;
        got += r;
    }
    cr_assert(got == DATA_LEN, "%s: read back %zu of %d bytes: %s (%s)", d, got, DATA_LEN,
              otls_status_name(st), otls_conn_error(p->client));
    st = otls_shutdown(p->client);
    cr_assert(st == OTLS_OK, "%s: client shutdown: %s (%s)", d, otls_status_name(st),
              otls_conn_error(p->client));
    pthread_join(t, NULL);

    cr_assert(e.rst == OTLS_OK && e.got == DATA_LEN, "%s: server read %zu bytes: %s (%s)", d, e.got,
              otls_status_name(e.rst), e.err);
    cr_assert(e.wst == OTLS_OK && e.put == DATA_LEN, "%s: server write: %s, put %zu (%s)", d,
              otls_status_name(e.wst), e.put, e.err);
    cr_assert(memcmp(e.buf, data, DATA_LEN) == 0, "%s: server received other bytes", d);
    cr_assert(memcmp(back, data, DATA_LEN) == 0, "%s: client received other bytes", d);
    cr_assert(e.closed == OTLS_CLOSED, "%s: server read after close_notify: %s (%s)", d,
              otls_status_name(e.closed), e.err);

    /* And the other way. */
    st = otls_shutdown(p->server);
    cr_assert(st == OTLS_OK, "%s: server shutdown: %s (%s)", d, otls_status_name(st),
              otls_conn_error(p->server));
    size_t r = 0;
    st = otls_read(p->client, back, 1, &r);
    cr_assert(st == OTLS_CLOSED && r == 0, "%s: client read after close_notify: %s, %zu bytes", d,
              otls_status_name(st), r);
    free(data);
    free(back);
    free(e.buf);
    th_pair_free(p);
}

/* ------------------------------------------------------------------------ */
/* read/write run the handshake when it has not been run                    */

struct implicit {
    otls_conn *s;
    otls_status rst, wst;
    char buf[8];
    size_t got;
};

static void *implicit_server(void *arg)
{
    struct implicit *im = arg;
    im->rst = otls_read(im->s, im->buf, 5, &im->got);
    size_t put = 0;
    if (im->rst == OTLS_OK)
        im->wst = otls_write(im->s, "world", 5, &put);
    return NULL;
}

ParameterizedTestParameters(transport, implicit_handshake)
{
    return th_cells(TH_DIM_VERSION, 0);
}

ParameterizedTest(struct th_cell *cell, transport, implicit_handshake)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    otls_ctx *c = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *s = th_ctx_make(&o, OTLS_SERVER);
    struct th_pair *p = th_pair_connect_only(c, s, &o);
    struct implicit im = {.s = p->server};
    pthread_t t;
    cr_assert(pthread_create(&t, NULL, implicit_server, &im) == 0);
    size_t put = 0;
    otls_status st = otls_write(p->client, "hello", 5, &put);
    if (st != OTLS_OK)
        shutdown(p->fd[0], SHUT_RDWR); /* do not leave the server waiting */
    char back[8] = {0};
    size_t got = 0;
    otls_status rst = st == OTLS_OK ? otls_read(p->client, back, 5, &got) : st;
    pthread_join(t, NULL);
    cr_assert(st == OTLS_OK && put == 5, "%s: write before handshake: %s (%s)", p->desc,
              otls_status_name(st), otls_conn_error(p->client));
    cr_assert(im.rst == OTLS_OK && im.got == 5 && memcmp(im.buf, "hello", 5) == 0,
              "%s: server read before handshake: %s, %zu bytes", p->desc, otls_status_name(im.rst),
              im.got);
    cr_assert(rst == OTLS_OK && got == 5 && memcmp(back, "world", 5) == 0,
              "%s: client read: %s, %zu bytes", p->desc, otls_status_name(rst), got);
    /* The implicit handshake completes introspection too. */
    const char *cv = NULL, *sv = NULL;
    cr_assert_eq(otls_protocol(p->client, &cv), OTLS_OK);
    cr_assert_eq(otls_protocol(p->server, &sv), OTLS_OK);
    cr_assert_str_eq(cv, th_version_name(cell->version));
    cr_assert_str_eq(sv, cv);
    th_pair_free(p);
}

/* ------------------------------------------------------------------------ */
/* Non-blocking: one thread alternates both ends                            */

static int want(otls_status st)
{
    return st == OTLS_WANT_READ || st == OTLS_WANT_WRITE;
}

/* Moves n bytes from one end to the other, both non-blocking. */
static void nb_transfer(const char *d, otls_conn *from, otls_conn *to, const uint8_t *data,
                        uint8_t *out, size_t n)
{
    size_t sent = 0, got = 0;
    for (int round = 0; got < n && round < 100000; round++) {
        if (sent < n) {
            size_t put = 0;
            otls_status st = otls_write(from, data + sent, n - sent, &put);
            cr_assert(st == OTLS_OK || want(st), "%s: non-blocking write: %s (%s)", d,
                      otls_status_name(st), otls_conn_error(from));
            cr_assert(put <= n - sent, "%s: write reports %zu of %zu bytes", d, put, n - sent);
            sent += put;
        }
        size_t r = 0;
        otls_status st = otls_read(to, out + got, n - got, &r);
        cr_assert(st == OTLS_OK || want(st), "%s: non-blocking read: %s (%s)", d,
                  otls_status_name(st), otls_conn_error(to));
        got += r;
    }
    cr_assert(sent == n && got == n, "%s: moved %zu/%zu of %zu bytes", d, sent, got, n);
    cr_assert(memcmp(data, out, n) == 0, "%s: received other bytes", d);
}

/* close_notify from one end; the other's read then gives OTLS_CLOSED. */
static void nb_close(const char *d, otls_conn *from, otls_conn *to)
{
    otls_status st = OTLS_WANT_WRITE, rst = OTLS_WANT_READ;
    for (int round = 0; round < 10000 && (want(st) || want(rst)); round++) {
        if (want(st))
            st = otls_shutdown(from);
        uint8_t b;
        size_t r = 0;
        if (want(rst))
            rst = otls_read(to, &b, 1, &r);
    }
    cr_assert(st == OTLS_OK, "%s: non-blocking shutdown: %s (%s)", d, otls_status_name(st),
              otls_conn_error(from));
    cr_assert(rst == OTLS_CLOSED, "%s: read after close_notify: %s (%s)", d, otls_status_name(rst),
              otls_conn_error(to));
}

ParameterizedTestParameters(transport, non_blocking)
{
    /* row 0: non-blocking fd; row 1: callbacks over a non-blocking fd */
    return th_cells(TH_DIM_VERSION | TH_DIM_KEY, 2);
}

ParameterizedTest(struct th_cell *cell, transport, non_blocking)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.transport = cell->row ? TH_CALLBACKS : TH_FD_NONBLOCK;
    o.server_verify = OTLS_VERIFY_REQUIRED;
    o.client_cert = 1;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *d = p->desc;
    /* The handshake cannot finish in one call when one thread alternates. */
    cr_assert(p->cwant > 0 && p->swant > 0, "%s: WANT_* seen client %lu, server %lu times", d,
              p->cwant, p->swant);
    if (o.transport == TH_CALLBACKS) {
        cr_assert(p->cio.sends > 0 && p->cio.recvs > 0 && p->sio.sends > 0 && p->sio.recvs > 0,
                  "%s: callbacks not used", d);
        cr_assert(p->cio.would_block + p->sio.would_block > 0,
                  "%s: OTLS_IO_WOULD_BLOCK never returned", d);
        cr_assert(p->cio.bytes_out == p->sio.bytes_in, "%s: client sent %zu bytes, server took %zu",
                  d, p->cio.bytes_out, p->sio.bytes_in);
    }
    const uint8_t *der = NULL;
    size_t len = 0;
    cr_assert(otls_peer_cert_der(p->client, &der, &len) == OTLS_OK &&
                  th_der_eq(der, len, &p->pki->server_der),
              "%s: client's peer cert", d);
    cr_assert(otls_peer_cert_der(p->server, &der, &len) == OTLS_OK &&
                  th_der_eq(der, len, &p->pki->client_der),
              "%s: server's peer cert", d);

    uint8_t *data = pattern(DATA_LEN);
    uint8_t *out = malloc(DATA_LEN);
    cr_assert(out != NULL);
    nb_transfer(d, p->client, p->server, data, out, DATA_LEN);
    memset(out, 0, DATA_LEN);
    nb_transfer(d, p->server, p->client, data, out, DATA_LEN);
    nb_close(d, p->client, p->server);
    free(data);
    free(out);
    th_pair_free(p);
}

/* ------------------------------------------------------------------------ */
/* Transport failures                                                       */

ParameterizedTestParameters(transport, failures)
{
    return th_cells(TH_DIM_VERSION, 0);
}

ParameterizedTest(struct th_cell *cell, transport, failures)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);

    /* The peer speaks something else: a protocol error. */
    struct th_pair *p =
        th_pair_connect_only(th_ctx_make(&o, OTLS_CLIENT), th_ctx_make(&o, OTLS_SERVER), &o);
    static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    cr_assert(write(p->fd[1], http, sizeof http - 1) == (ssize_t)(sizeof http - 1));
    shutdown(p->fd[1], SHUT_WR);
    otls_status st = otls_handshake(p->client);
    cr_assert(st == OTLS_ERR_TLS, "%s: peer sends HTTP: %s (%s)", p->desc, otls_status_name(st),
              otls_conn_error(p->client));
    cr_assert(otls_conn_error(p->client)[0], "%s: OTLS_ERR_TLS left no message", p->desc);
    th_pair_free(p);

    /* The peer hangs up during the handshake: a transport error. */
    p = th_pair_connect_only(th_ctx_make(&o, OTLS_CLIENT), th_ctx_make(&o, OTLS_SERVER), &o);
    shutdown(p->fd[1], SHUT_WR);
    st = otls_handshake(p->client);
    cr_assert(st == OTLS_ERR_IO, "%s: EOF during the handshake: %s (%s)", p->desc,
              otls_status_name(st), otls_conn_error(p->client));
    cr_assert(otls_conn_error(p->client)[0], "%s: OTLS_ERR_IO left no message", p->desc);
    th_pair_free(p);

    /* A transport callback fails. */
    o.transport = TH_CALLBACKS;
    p = th_pair_connect_only(th_ctx_make(&o, OTLS_CLIENT), th_ctx_make(&o, OTLS_SERVER), &o);
    p->cio.fail_recv = 1;
    th_pair_drive(p);
    cr_assert(p->cst == OTLS_ERR_IO, "%s: recv callback fails: client %s (%s)", p->desc,
              otls_status_name(p->cst), p->cerr);
    cr_assert(p->cerr[0], "%s: OTLS_ERR_IO left no message", p->desc);
    th_pair_free(p);

    /* EOF after the handshake without close_notify is not OTLS_CLOSED. */
    o.transport = TH_FD;
    p = th_pair_new(&o);
    th_pair_assert_ok(p);
    shutdown(p->fd[1], SHUT_RDWR);
    uint8_t b[16];
    size_t r = 0;
    st = otls_read(p->client, b, sizeof b, &r);
    cr_assert(st == OTLS_ERR_IO, "%s: EOF without close_notify: %s (%s)", p->desc,
              otls_status_name(st), otls_conn_error(p->client));
    cr_assert(otls_conn_error(p->client)[0], "%s: OTLS_ERR_IO left no message", p->desc);
    th_pair_free(p);
}
