/* Test harness, second half: contexts, transports and connected pairs.
 * See harness.h. */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A bug must fail a test, not hang it. */
#define TH_IO_TIMEOUT_S 10
/* One-thread handshake drive: calls per side before giving up. */
#define TH_DRIVE_MAX_ROUNDS 10000

/* ------------------------------------------------------------------------ */
/* Contexts                                                                 */

struct th_opts th_opts_default(void)
{
    struct th_opts o;
    memset(&o, 0, sizeof o);
    o.key = TPKI_EC;
    o.server_verify = OTLS_VERIFY_NONE;
    o.client_verify = OTLS_VERIFY_REQUIRED;
    o.client_ca = 1;
    o.server_ca = 1;
    o.check_hostname = 1;
    o.hostname = "localhost";
    o.transport = TH_FD;
    return o;
}

struct th_opts th_opts_cell(const struct th_cell *cell)
{
    struct th_opts o = th_opts_default();
    o.client_backend = cell->client_backend;
    o.server_backend = cell->server_backend;
    o.version = cell->version;
    o.key = cell->key;
    o.pki = th_cell_pki(cell, cell->key);
    o.server_verify = cell->server_verify;
    return o;
}

/* Fails the test with the call, its status and the context's message. */
#define TH_CTX_OK(ctx, call)                                                                       \
    do {                                                                                           \
        otls_status st_ = (call);                                                                  \
        cr_assert(st_ == OTLS_OK, "%s: %s (%s)", #call, otls_status_name(st_),                     \
                  otls_ctx_error(ctx));                                                            \
    } while (0)

otls_ctx *th_ctx_make(const struct th_opts *o, otls_role role)
{
    const char *backend = role == OTLS_CLIENT ? o->client_backend : o->server_backend;
    const struct tpki *pki = o->pki ? o->pki : th_pki(o->key);
    otls_error err;
    memset(&err, 0, sizeof err);
    otls_ctx *ctx = otls_ctx_new(backend, role, &err);
    cr_assert(ctx != NULL, "otls_ctx_new(%s): %s (%s)", backend ? backend : "NULL",
              otls_status_name(err.code), err.message);

    if (o->version != OTLS_TLS_DEFAULT)
        TH_CTX_OK(ctx, otls_ctx_set_versions(ctx, o->version, o->version));
    if (role == OTLS_CLIENT) {
        TH_CTX_OK(ctx, otls_ctx_set_verify(ctx, o->client_verify));
        TH_CTX_OK(ctx, otls_ctx_set_check_hostname(ctx, o->check_hostname));
        if (o->client_ca)
            TH_CTX_OK(ctx, otls_ctx_load_ca_mem(ctx, pki->root_pem.data, pki->root_pem.len));
        if (o->client_cert)
            TH_CTX_OK(ctx, otls_ctx_load_cert_chain_mem(
                               ctx, pki->client_chain_pem.data, pki->client_chain_pem.len,
                               pki->client_key_pem.data, pki->client_key_pem.len));
        if (o->client_alpn_count)
            TH_CTX_OK(ctx, otls_ctx_set_alpn(ctx, o->client_alpn, o->client_alpn_count));
        if (o->client_ciphers)
            TH_CTX_OK(ctx, otls_ctx_set_ciphers(ctx, o->client_ciphers));
        if (o->client_flags)
            TH_CTX_OK(ctx, otls_ctx_set_flags(ctx, o->client_flags));
    } else {
        TH_CTX_OK(ctx, otls_ctx_load_cert_chain_mem(
                           ctx, pki->server_chain_pem.data, pki->server_chain_pem.len,
                           pki->server_key_pem.data, pki->server_key_pem.len));
        TH_CTX_OK(ctx, otls_ctx_set_verify(ctx, o->server_verify));
        if (o->server_ca)
            TH_CTX_OK(ctx, otls_ctx_load_ca_mem(ctx, pki->root_pem.data, pki->root_pem.len));
        if (o->server_alpn_count)
            TH_CTX_OK(ctx, otls_ctx_set_alpn(ctx, o->server_alpn, o->server_alpn_count));
        if (o->server_ciphers)
            TH_CTX_OK(ctx, otls_ctx_set_ciphers(ctx, o->server_ciphers));
        if (o->server_flags)
            TH_CTX_OK(ctx, otls_ctx_set_flags(ctx, o->server_flags));
    }
    return ctx;
}

/* ------------------------------------------------------------------------ */
/* Transport callbacks over a non-blocking socket                           */

static long th_send(void *user, const void *buf, size_t len)
{
    struct th_io *io = user;
    io->sends++;
    for (;;) {
        ssize_t n = send(io->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) {
            io->bytes_out += (size_t)n;
            return (long)n;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            io->would_block++;
            return OTLS_IO_WOULD_BLOCK;
        }
        return OTLS_IO_ERROR;
    }
}

static long th_recv(void *user, void *buf, size_t len)
{
    struct th_io *io = user;
    io->recvs++;
    if (io->fail_recv)
        return OTLS_IO_ERROR;
    for (;;) {
        ssize_t n = recv(io->fd, buf, len, 0);
        if (n >= 0) {
            io->bytes_in += (size_t)n;
            return (long)n;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            io->would_block++;
            return OTLS_IO_WOULD_BLOCK;
        }
        return OTLS_IO_ERROR;
    }
}

/* ------------------------------------------------------------------------ */
/* Pairs                                                                    */

static void copy_err(char *dst, size_t cap, const otls_conn *conn)
{
    const char *msg = otls_conn_error(conn);
    snprintf(dst, cap, "%s", msg ? msg : "(NULL)");
}

static const char *transport_name(enum th_transport t)
{
    return t == TH_FD ? "fd" : t == TH_FD_NONBLOCK ? "fd-nonblock" : "callbacks";
}

struct th_pair *th_pair_connect_only(otls_ctx *cctx, otls_ctx *sctx, const struct th_opts *o)
{
    struct th_pair *p = calloc(1, sizeof *p);
    cr_assert(p != NULL, "out of memory");
    p->cctx = cctx;
    p->sctx = sctx;
    p->fd[0] = p->fd[1] = -1;
    p->transport = o->transport;
    p->pki = o->pki ? o->pki : th_pki(o->key);
    snprintf(p->desc, sizeof p->desc, "%s->%s %s %s %s client_verify=%s server_verify=%s",
             otls_ctx_backend(cctx), otls_ctx_backend(sctx), th_version_name(o->version),
             o->key == TPKI_RSA ? "RSA" : "EC", transport_name(o->transport),
             th_verify_name(o->client_verify), th_verify_name(o->server_verify));

    cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, p->fd) == 0, "socketpair: %s", strerror(errno));
    struct timeval tv = {TH_IO_TIMEOUT_S, 0};
    for (int i = 0; i < 2; i++) {
        setsockopt(p->fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(p->fd[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (o->transport != TH_FD) {
            int fl = fcntl(p->fd[i], F_GETFL);
            cr_assert(fl >= 0 && fcntl(p->fd[i], F_SETFL, fl | O_NONBLOCK) == 0,
                      "fcntl O_NONBLOCK: %s", strerror(errno));
        }
    }

    p->client = otls_conn_new(cctx);
    cr_assert(p->client != NULL, "otls_conn_new(client): %s", otls_ctx_error(cctx));
    p->server = otls_conn_new(sctx);
    cr_assert(p->server != NULL, "otls_conn_new(server): %s", otls_ctx_error(sctx));

    otls_status st;
    if (o->transport == TH_CALLBACKS) {
        p->cio.fd = p->fd[0];
        p->sio.fd = p->fd[1];
        st = otls_conn_set_io(p->client, th_send, th_recv, &p->cio);
        cr_assert(st == OTLS_OK, "otls_conn_set_io(client): %s (%s)", otls_status_name(st),
                  otls_conn_error(p->client));
        st = otls_conn_set_io(p->server, th_send, th_recv, &p->sio);
        cr_assert(st == OTLS_OK, "otls_conn_set_io(server): %s (%s)", otls_status_name(st),
                  otls_conn_error(p->server));
    } else {
        st = otls_conn_set_fd(p->client, p->fd[0]);
        cr_assert(st == OTLS_OK, "otls_conn_set_fd(client): %s (%s)", otls_status_name(st),
                  otls_conn_error(p->client));
        st = otls_conn_set_fd(p->server, p->fd[1]);
        cr_assert(st == OTLS_OK, "otls_conn_set_fd(server): %s (%s)", otls_status_name(st),
                  otls_conn_error(p->server));
    }
    if (o->hostname != NULL) {
        st = otls_conn_set_hostname(p->client, o->hostname);
        cr_assert(st == OTLS_OK, "otls_conn_set_hostname(%s): %s (%s)", o->hostname,
                  otls_status_name(st), otls_conn_error(p->client));
    }
    if (o->session != NULL) {
        st = otls_conn_set_session(p->client, o->session);
        cr_assert(st == OTLS_OK, "otls_conn_set_session: %s (%s)", otls_status_name(st),
                  otls_conn_error(p->client));
    }
    p->cst = p->sst = OTLS_ERR_STATE; /* "not run yet" */
    return p;
}

static void *server_handshake(void *arg)
{
    struct th_pair *p = arg;
    p->sst = otls_handshake(p->server);
    copy_err(p->serr, sizeof p->serr, p->server);
    /* A failed server may leave the client waiting: give it EOF. */
    if (p->sst != OTLS_OK)
        shutdown(p->fd[1], SHUT_RDWR);
    return NULL;
}

static int want(otls_status st)
{
    return st == OTLS_WANT_READ || st == OTLS_WANT_WRITE;
}

void th_pair_start(struct th_pair *p)
{
    otls_status st = otls_handshake(p->server);
    cr_assert(st == OTLS_WANT_READ, "%s: server: %s", p->desc, otls_status_name(st));
    st = otls_handshake(p->client);
    cr_assert(st == OTLS_WANT_READ, "%s: client: %s", p->desc, otls_status_name(st));
}

void th_pair_drive(struct th_pair *p)
{
    int cdone = 0, sdone = 0, stalled = 0;
    for (int round = 0; round < TH_DRIVE_MAX_ROUNDS && !(cdone && sdone); round++) {
        if (!cdone) {
            p->cst = otls_handshake(p->client);
            if (want(p->cst)) {
                p->cwant++;
            } else {
                cdone = 1;
                copy_err(p->cerr, sizeof p->cerr, p->client);
                if (p->cst != OTLS_OK)
                    shutdown(p->fd[0], SHUT_RDWR);
            }
        }
        if (!sdone) {
            p->sst = otls_handshake(p->server);
            if (want(p->sst)) {
                p->swant++;
            } else {
                sdone = 1;
                copy_err(p->serr, sizeof p->serr, p->server);
                if (p->sst != OTLS_OK)
                    shutdown(p->fd[1], SHUT_RDWR);
            }
        }
        if (cdone && sdone)
            break;
        /* Deadlock: every side still running waits to read and nothing is
         * readable. Single-threaded, so nothing else will arrive. */
        if ((cdone || p->cst == OTLS_WANT_READ) && (sdone || p->sst == OTLS_WANT_READ)) {
            struct pollfd pf[2];
            nfds_t n = 0;
            if (!cdone)
                pf[n++] = (struct pollfd){.fd = p->fd[0], .events = POLLIN};
            if (!sdone)
                pf[n++] = (struct pollfd){.fd = p->fd[1], .events = POLLIN};
            if (poll(pf, n, 0) == 0 && ++stalled >= 3)
                break;
        } else {
            stalled = 0;
        }
    }
    if (!cdone)
        snprintf(p->cerr, sizeof p->cerr, "(handshake stalled: %s)", otls_status_name(p->cst));
    if (!sdone)
        snprintf(p->serr, sizeof p->serr, "(handshake stalled: %s)", otls_status_name(p->sst));
}

struct th_pair *th_pair_connect(otls_ctx *cctx, otls_ctx *sctx, const struct th_opts *o)
{
    struct th_pair *p = th_pair_connect_only(cctx, sctx, o);
    if (o->transport != TH_FD) {
        th_pair_drive(p);
        return p;
    }
    pthread_t t;
    cr_assert(pthread_create(&t, NULL, server_handshake, p) == 0, "pthread_create failed");
    p->cst = otls_handshake(p->client);
    copy_err(p->cerr, sizeof p->cerr, p->client);
    if (p->cst != OTLS_OK)
        shutdown(p->fd[0], SHUT_RDWR); /* the server must not wait for us */
    pthread_join(t, NULL);
    return p;
}

struct th_pair *th_pair_new(const struct th_opts *o)
{
    otls_ctx *cctx = th_ctx_make(o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(o, OTLS_SERVER);
    return th_pair_connect(cctx, sctx, o);
}

void th_pair_assert_ok(const struct th_pair *p)
{
    cr_assert(p->cst == OTLS_OK && p->sst == OTLS_OK,
              "%s: handshake: client %s (%s), server %s (%s)", p->desc, otls_status_name(p->cst),
              p->cerr, otls_status_name(p->sst), p->serr);
}

void th_pair_free(struct th_pair *p)
{
    if (p == NULL)
        return;
    otls_conn_free(p->client);
    otls_conn_free(p->server);
    if (!p->keep_ctx) {
        otls_ctx_free(p->cctx);
        otls_ctx_free(p->sctx);
    }
    for (int i = 0; i < 2; i++)
        if (p->fd[i] >= 0)
            close(p->fd[i]);
    free(p);
}
