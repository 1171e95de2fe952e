/* See load_pair.h. */
#define _POSIX_C_SOURCE 200809L

#include "load_pair.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A stalled handshake fails instead of hanging the test. */
#define LP_POLL_MS 10000

const char *const lp_binding_names[LP_BINDINGS] = {"tls-unique", "tls-server-end-point",
                                                   "tls-exporter"};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, err_len, __VA_ARGS__);                                                       \
        return -1;                                                                                 \
    } while (0)

int lp_contexts(const char *backend, const struct tpki *pki, otls_ctx **client, otls_ctx **server,
                char *err, size_t err_len)
{
    otls_error e;
    *client = *server = NULL;
    otls_ctx *c = otls_ctx_new(backend, OTLS_CLIENT, &e);
    if (c == NULL)
        FAIL("%s: client context: %s", backend, e.message);
    otls_ctx *s = otls_ctx_new(backend, OTLS_SERVER, &e);
    if (s == NULL) {
        otls_ctx_free(c);
        FAIL("%s: server context: %s", backend, e.message);
    }
    *client = c;
    *server = s;
    if (otls_ctx_load_ca_mem(c, pki->root_pem.data, pki->root_pem.len) != OTLS_OK ||
        otls_ctx_load_cert_chain_mem(c, pki->client_chain_pem.data, pki->client_chain_pem.len,
                                     pki->client_key_pem.data, pki->client_key_pem.len) != OTLS_OK)
        FAIL("%s: client configuration: %s", backend, otls_ctx_error(c));
    if (otls_ctx_load_cert_chain_mem(s, pki->server_chain_pem.data, pki->server_chain_pem.len,
                                     pki->server_key_pem.data,
                                     pki->server_key_pem.len) != OTLS_OK ||
        otls_ctx_load_ca_mem(s, pki->root_pem.data, pki->root_pem.len) != OTLS_OK ||
        otls_ctx_set_verify(s, OTLS_VERIFY_REQUIRED) != OTLS_OK)
        FAIL("%s: server configuration: %s", backend, otls_ctx_error(s));
    return 0;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static int want(otls_status st)
{
    return st == OTLS_WANT_READ || st == OTLS_WANT_WRITE;
}

/* Waits until one of the fds whose side wants to read is readable. */
static int wait_readable(const int fd[2], const int waiting[2])
{
    struct pollfd pf[2];
    nfds_t n = 0;
    for (int i = 0; i < 2; i++)
        if (waiting[i])
            pf[n++] = (struct pollfd){.fd = fd[i], .events = POLLIN};
    return n == 0 ? 1 : poll(pf, n, LP_POLL_MS);
}

static int drive(otls_conn *conn[2], const int fd[2], char *err, size_t err_len)
{
    otls_status st[2] = {OTLS_WANT_READ, OTLS_WANT_READ};
    static const char *const side[2] = {"client", "server"};
    while (want(st[0]) || want(st[1])) {
        for (int i = 0; i < 2; i++)
            if (want(st[i]))
                st[i] = otls_handshake(conn[i]);
        for (int i = 0; i < 2; i++)
            if (!want(st[i]) && st[i] != OTLS_OK)
                FAIL("%s handshake: %s (%s)", side[i], otls_status_name(st[i]),
                     otls_conn_error(conn[i]));
        int waiting[2] = {st[0] == OTLS_WANT_READ, st[1] == OTLS_WANT_READ};
        if (waiting[0] && waiting[1] && wait_readable(fd, waiting) <= 0)
            FAIL("handshake stalled: both ends wait to read");
    }
    return 0;
}

static int chain_len(otls_conn *conn, int verified, size_t *n)
{
    const otls_der *certs;
    otls_status st =
        verified ? otls_verified_chain(conn, &certs, n) : otls_unverified_chain(conn, &certs, n);
    return st == OTLS_OK || st == OTLS_NONE ? 0 : -1;
}

static int introspect(otls_conn *cl, otls_conn *sv, struct lp_facts *f, char *err, size_t err_len)
{
    otls_cipher_info ci;
    const char *proto;
    if (otls_cipher(cl, &ci) != OTLS_OK || otls_protocol(cl, &proto) != OTLS_OK)
        FAIL("cipher/protocol: %s", otls_conn_error(cl));
    snprintf(f->cipher, sizeof f->cipher, "%s", ci.name);
    snprintf(f->protocol, sizeof f->protocol, "%s", proto);
    f->iana_id = ci.iana_id;
    otls_cipher_info si;
    if (otls_cipher(sv, &si) != OTLS_OK || si.iana_id != ci.iana_id)
        FAIL("server cipher differs from the client's: %s", otls_conn_error(sv));

    const uint8_t *der;
    size_t len;
    if (otls_peer_cert_der(cl, &der, &len) != OTLS_OK)
        FAIL("client: peer certificate: %s", otls_conn_error(cl));
    f->client_peer_hash = fnv1a(der, len);
    if (otls_peer_cert_der(sv, &der, &len) != OTLS_OK)
        FAIL("server: peer certificate: %s", otls_conn_error(sv));
    f->server_peer_hash = fnv1a(der, len);
    if (chain_len(cl, 0, &f->client_unverified) || chain_len(cl, 1, &f->client_verified))
        FAIL("client: chains: %s", otls_conn_error(cl));
    if (chain_len(sv, 0, &f->server_unverified) || chain_len(sv, 1, &f->server_verified))
        FAIL("server: chains: %s", otls_conn_error(sv));
    const otls_cipher_info *shared;
    if (otls_shared_ciphers(sv, &shared, &f->shared_ciphers) != OTLS_OK)
        FAIL("server: shared ciphers: %s", otls_conn_error(sv));

    for (int b = 0; b < LP_BINDINGS; b++) {
        uint8_t cv[OTLS_CHANNEL_BINDING_MAX], sv_[OTLS_CHANNEL_BINDING_MAX];
        size_t cl_len = sizeof cv, sv_len = sizeof sv_;
        otls_status cst = otls_channel_binding(cl, lp_binding_names[b], cv, &cl_len);
        otls_status sst = otls_channel_binding(sv, lp_binding_names[b], sv_, &sv_len);
        if (cst != sst)
            FAIL("%s: client %s, server %s", lp_binding_names[b], otls_status_name(cst),
                 otls_status_name(sst));
        if (cst != OTLS_OK && cst != OTLS_ERR_UNSUPPORTED)
            FAIL("%s: %s (%s)", lp_binding_names[b], otls_status_name(cst), otls_conn_error(cl));
        f->binding_status[b] = cst;
        f->binding_len[b] = cst == OTLS_OK ? cl_len : 0;
        f->binding_agree[b] = cst != OTLS_OK || (cl_len == sv_len && memcmp(cv, sv_, cl_len) == 0);
    }
    return 0;
}

/* The client sends a few bytes and the server reads them. */
static int exchange(otls_conn *cl, otls_conn *sv, int sv_fd, char *err, size_t err_len)
{
    static const char msg[] = "omnitls load";
    size_t put = 0, got = 0;
    char buf[sizeof msg];
    otls_status st;
    while ((st = otls_write(cl, msg, sizeof msg, &put)) == OTLS_WANT_WRITE)
        ;
    if (st != OTLS_OK || put != sizeof msg)
        FAIL("client write: %s (%s)", otls_status_name(st), otls_conn_error(cl));
    while (got < sizeof msg) {
        size_t n = 0;
        st = otls_read(sv, buf + got, sizeof buf - got, &n);
        if (st == OTLS_WANT_READ) {
            struct pollfd pf = {.fd = sv_fd, .events = POLLIN};
            if (poll(&pf, 1, LP_POLL_MS) <= 0)
                FAIL("server read: nothing arrives");
            continue;
        }
        if (st != OTLS_OK)
            FAIL("server read: %s (%s)", otls_status_name(st), otls_conn_error(sv));
        got += n;
    }
    if (memcmp(buf, msg, sizeof msg) != 0)
        FAIL("server read other bytes than the client wrote");
    return 0;
}

int lp_connect(otls_ctx *client, otls_ctx *server, struct lp_facts *facts, char *err,
               size_t err_len)
{
    int fd[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0)
        FAIL("socketpair: %s", strerror(errno));
    for (int i = 0; i < 2; i++)
        fcntl(fd[i], F_SETFL, fcntl(fd[i], F_GETFL) | O_NONBLOCK);
    otls_conn *conn[2] = {otls_conn_new(client), otls_conn_new(server)};
    int rc = -1;
    memset(facts, 0, sizeof *facts);
    if (conn[0] == NULL || conn[1] == NULL)
        snprintf(err, err_len, "otls_conn_new failed");
    else if (otls_conn_set_fd(conn[0], fd[0]) != OTLS_OK ||
             otls_conn_set_fd(conn[1], fd[1]) != OTLS_OK ||
             otls_conn_set_hostname(conn[0], "localhost") != OTLS_OK)
        snprintf(err, err_len, "connection set-up: %s", otls_conn_error(conn[0]));
    else if (drive(conn, fd, err, err_len) == 0 &&
             introspect(conn[0], conn[1], facts, err, err_len) == 0 &&
             exchange(conn[0], conn[1], fd[1], err, err_len) == 0)
        rc = 0;
    if (rc == 0) {
        /* close_notify both ways; a peer that is gone is not an error. */
        otls_shutdown(conn[0]);
        otls_shutdown(conn[1]);
    }
    otls_conn_free(conn[0]);
    otls_conn_free(conn[1]);
    close(fd[0]);
    close(fd[1]);
    return rc;
}

int lp_facts_equal(const struct lp_facts *a, const struct lp_facts *b)
{
    if (strcmp(a->cipher, b->cipher) != 0 || strcmp(a->protocol, b->protocol) != 0)
        return 0;
    if (a->iana_id != b->iana_id || a->client_peer_hash != b->client_peer_hash ||
        a->server_peer_hash != b->server_peer_hash || a->shared_ciphers != b->shared_ciphers)
        return 0;
    if (a->client_unverified != b->client_unverified || a->client_verified != b->client_verified ||
        a->server_unverified != b->server_unverified || a->server_verified != b->server_verified)
        return 0;
    for (int i = 0; i < LP_BINDINGS; i++)
        if (a->binding_status[i] != b->binding_status[i] ||
            a->binding_len[i] != b->binding_len[i] || a->binding_agree[i] != b->binding_agree[i])
            return 0;
    return 1;
}

void lp_facts_desc(const struct lp_facts *f, char *buf, size_t len)
{
    snprintf(buf, len,
             "%s %s 0x%04X peer %016llx/%016llx chains c%zu/%zu s%zu/%zu shared %zu "
             "unique %s/%zu/%d end-point %s/%zu/%d exporter %s/%zu/%d",
             f->cipher, f->protocol, f->iana_id, (unsigned long long)f->client_peer_hash,
             (unsigned long long)f->server_peer_hash, f->client_unverified, f->client_verified,
             f->server_unverified, f->server_verified, f->shared_ciphers,
             otls_status_name(f->binding_status[0]), f->binding_len[0], f->binding_agree[0],
             otls_status_name(f->binding_status[1]), f->binding_len[1], f->binding_agree[1],
             otls_status_name(f->binding_status[2]), f->binding_len[2], f->binding_agree[2]);
}
