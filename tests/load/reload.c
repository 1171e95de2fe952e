/* otls_reload: a server that reloads its configuration while connections
 * made from it run. For each client x server backend pair, TLS 1.2 and
 * 1.3, a pair of connections is made, both handshakes run in threads of
 * their own, and this thread keeps replacing the server context's ALPN
 * list and chain meanwhile. The connections must use what their contexts
 * had at otls_conn_new (ALPN "a", the first chain) and nothing they use
 * may be freed under them. A plain program (no Criterion) so that
 * scripts/ci/tsan.sh runs it under ThreadSanitizer; the suite runs it as
 * load.reload (alpn/context_changed_by_another_thread is the same check
 * in Criterion).
 *   otls_reload [ROUNDS]     (default 3 per pair and version)
 * Exit 0 when every connection kept its configuration, 1 otherwise. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <omnitls/omnitls.h>

#include "testpki.h"

struct handshake {
    otls_conn *conn;
    otls_status st;
    atomic_int *running;
};

static void *run_handshake(void *p)
{
    struct handshake *h = p;
    h->st = otls_handshake(h->conn);
    atomic_fetch_sub(h->running, 1);
    return NULL;
}

static const char *const offer[] = {"a", "b"};
static const char *const only_a[] = {"a"};
static const char *const only_b[] = {"b"};
static const char *const b_c[] = {"b", "c"};

static int load_chain(otls_ctx *ctx, const struct tpki *k)
{
    return otls_ctx_load_cert_chain_mem(ctx, k->server_chain_pem.data, k->server_chain_pem.len,
                                        k->server_key_pem.data, k->server_key_pem.len);
}

/* One pair; 0 when it kept its configuration, else -1 with why in err. */
static int one(const char *client, const char *server, otls_tls_version v, const struct tpki *a,
               const struct tpki *b, char *err, size_t len)
{
    otls_ctx *cc = otls_ctx_new(client, OTLS_CLIENT, NULL);
    otls_ctx *sc = otls_ctx_new(server, OTLS_SERVER, NULL);
    int fd[2] = {-1, -1};
    otls_conn *c = NULL, *s = NULL;
    int rc = -1;
    if (cc == NULL || sc == NULL || otls_ctx_set_versions(cc, v, v) != OTLS_OK ||
        otls_ctx_set_versions(sc, v, v) != OTLS_OK ||
        otls_ctx_load_ca_mem(cc, a->root_pem.data, a->root_pem.len) != OTLS_OK ||
        otls_ctx_load_ca_mem(cc, b->root_pem.data, b->root_pem.len) != OTLS_OK ||
        otls_ctx_set_alpn(cc, offer, 2) != OTLS_OK || load_chain(sc, a) != OTLS_OK ||
        otls_ctx_set_alpn(sc, only_a, 1) != OTLS_OK ||
        socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0) {
        snprintf(err, len, "set-up failed: %s / %s", otls_ctx_error(cc), otls_ctx_error(sc));
        goto out;
    }
    c = otls_conn_new(cc);
    s = otls_conn_new(sc);
    if (c == NULL || s == NULL || otls_conn_set_fd(c, fd[0]) != OTLS_OK ||
        otls_conn_set_fd(s, fd[1]) != OTLS_OK ||
        otls_conn_set_hostname(c, "localhost") != OTLS_OK) {
        snprintf(err, len, "connection set-up failed");
        goto out;
    }
    atomic_int running = 2;
    struct handshake h[2] = {{s, OTLS_OK, &running}, {c, OTLS_OK, &running}};
    pthread_t t[2];
    int started = 0;
    while (started < 2 && pthread_create(&t[started], NULL, run_handshake, &h[started]) == 0)
        started++;
    int changes = 0, failed = started < 2;
    while (!failed && (atomic_load(&running) > 0 || changes < 20)) {
        const struct tpki *k = changes % 2 ? a : b;
        failed =
            otls_ctx_set_alpn(sc, changes % 2 ? only_b : b_c, changes % 2 ? 1 : 2) != OTLS_OK ||
            (changes % 4 == 0 && load_chain(sc, k) != OTLS_OK);
        changes++;
    }
    if (failed) /* a thread that did not start, or a change that failed */
        shutdown(fd[0], SHUT_RDWR);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    const char *sel = NULL;
    const uint8_t *leaf = NULL;
    size_t leaf_len = 0;
    uint8_t cb[OTLS_CHANNEL_BINDING_MAX], sb[OTLS_CHANNEL_BINDING_MAX];
    size_t cl = sizeof cb, sl = sizeof sb;
    if (failed)
        snprintf(err, len, "a context change failed: %s", otls_ctx_error(sc));
    else if (h[0].st != OTLS_OK || h[1].st != OTLS_OK)
        snprintf(err, len, "handshakes %s (%s) / %s (%s)", otls_status_name(h[1].st),
                 otls_conn_error(c), otls_status_name(h[0].st), otls_conn_error(s));
    else if (otls_alpn_selected(s, &sel) != OTLS_OK || strcmp(sel, "a") != 0)
        snprintf(err, len, "the server selected ALPN \"%s\", not its list's at otls_conn_new",
                 sel ? sel : "");
    else if (otls_peer_cert_der(c, &leaf, &leaf_len) != OTLS_OK || leaf_len != a->server_der.len ||
             memcmp(leaf, a->server_der.data, leaf_len) != 0)
        snprintf(err, len, "the server did not send its chain as of otls_conn_new");
    else if (otls_channel_binding(c, "tls-server-end-point", cb, &cl) != OTLS_OK ||
             otls_channel_binding(s, "tls-server-end-point", sb, &sl) != OTLS_OK || cl != sl ||
             memcmp(cb, sb, cl) != 0)
        snprintf(err, len, "the ends' tls-server-end-point differ");
    else
        rc = 0;
out:
    otls_conn_free(c);
    otls_conn_free(s);
    for (int i = 0; i < 2; i++)
        if (fd[i] >= 0)
            close(fd[i]);
    otls_ctx_free(cc);
    otls_ctx_free(sc);
    return rc;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    struct tpki a, b;
    char err[512];
    if (tpki_generate(&a, TPKI_EC, err, sizeof err) != 0 ||
        tpki_generate(&b, TPKI_RSA, err, sizeof err) != 0) {
        fprintf(stderr, "otls_reload: test PKI: %s\n", err);
        return 1;
    }
    const otls_backend_info *list;
    size_t n = 0;
    otls_backends(&list, &n);
    int bad = 0, done = 0;
    static const otls_tls_version versions[] = {OTLS_TLS1_2, OTLS_TLS1_3};
    for (size_t ci = 0; ci < n; ci++)
        for (size_t si = 0; si < n; si++)
            for (size_t v = 0; v < 2; v++) {
                uint32_t need = versions[v] == OTLS_TLS1_3 ? OTLS_FEAT_TLS13 : OTLS_FEAT_TLS12;
                if (!(list[ci].features & list[si].features & need))
                    continue; /* mbedTLS 2.28 has no TLS 1.3 */
                for (int r = 0; r < rounds; r++, done++)
                    if (one(list[ci].name, list[si].name, versions[v], &a, &b, err, sizeof err)) {
                        fprintf(stderr, "otls_reload: %s -> %s TLS 0x%04x: %s\n", list[ci].name,
                                list[si].name, (unsigned)versions[v], err);
                        bad++;
                    }
            }
    tpki_free(&a);
    tpki_free(&b);
    printf("[reload] %d connections made while their server context was reloaded: %s\n", done,
           bad ? "FAILED" : "each kept its configuration");
    return bad != 0 || done == 0;
}
