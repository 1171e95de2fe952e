/* Writes the seed corpora of fuzz_clienthello, fuzz_handshake_* and
 * fuzz_pem at build time, so no key is committed:
 *   fuzz_seeds OUT_DIR
 * OUT_DIR/hello:     each backend's ClientHello (TLS 1.2, 1.3, ALPN) and the
 *                    ServerHello flight it gets back from the same backend
 * OUT_DIR/handshake: the ClientHellos of every backend
 * OUT_DIR/pem:       test PKI files: CA, chains with and without their key,
 *                    keys alone, DER, EC and RSA
 * Every hello seed starts with the targets' control byte (piece size).
 * Handshakes run in memory between two connections over callbacks. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <omnitls/omnitls.h>

#include "testpki.h"

struct pipe_buf {
    unsigned char data[1 << 16];
    size_t len;
};

/* One end's transport: what it sent, and what it is given to read. */
struct end {
    struct pipe_buf *out;
    const unsigned char *in;
    size_t in_len, in_pos;
};

static long buf_send(void *user, const void *buf, size_t len)
{
    struct pipe_buf *b = ((struct end *)user)->out;
    if (len > sizeof b->data - b->len)
        return OTLS_IO_WOULD_BLOCK;
    memcpy(b->data + b->len, buf, len);
    b->len += len;
    return (long)len;
}

/* The client is given nothing: it stops after its first flight. */
static long feed_recv(void *user, void *buf, size_t len)
{
    struct end *f = user;
    if (f->in_pos == f->in_len)
        return OTLS_IO_WOULD_BLOCK;
    size_t n = f->in_len - f->in_pos < len ? f->in_len - f->in_pos : len;
    memcpy(buf, f->in + f->in_pos, n);
    f->in_pos += n;
    return (long)n;
}

static int write_seed(const char *dir, const char *name, unsigned char control, const void *data,
                      size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    int ok = control == 0 || fputc(control, f) != EOF;
    ok = ok && fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static otls_ctx *make_ctx(const char *backend, otls_role role, otls_tls_version v, int alpn,
                          const struct tpki *pki)
{
    otls_error e;
    otls_ctx *ctx = otls_ctx_new(backend, role, &e);
    if (ctx == NULL)
        return NULL;
    int ok = otls_ctx_set_versions(ctx, v, v) == OTLS_OK;
    const char *protos[] = {"h2", "http/1.1"};
    if (alpn)
        ok = ok && otls_ctx_set_alpn(ctx, protos, 2) == OTLS_OK;
    if (role == OTLS_CLIENT)
        ok = ok && otls_ctx_set_verify(ctx, OTLS_VERIFY_NONE) == OTLS_OK;
    else
        ok = ok && otls_ctx_load_cert_chain_mem(ctx, pki->server_chain_pem.data,
                                                pki->server_chain_pem.len, pki->server_key_pem.data,
                                                pki->server_key_pem.len) == OTLS_OK;
    if (!ok) {
        otls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

/* One backend's ClientHello and the server's answer to it. Returns the
 * number of seeds written, -1 on error; 0 when the backend cannot speak v. */
static int hello_seeds(const char *out, const char *backend, otls_tls_version v, int alpn,
                       const struct tpki *pki)
{
    otls_ctx *cctx = make_ctx(backend, OTLS_CLIENT, v, alpn, pki);
    otls_ctx *sctx = make_ctx(backend, OTLS_SERVER, v, alpn, pki);
    if (cctx == NULL || sctx == NULL) {
        otls_ctx_free(cctx);
        otls_ctx_free(sctx);
        return 0;
    }
    static struct pipe_buf ch, sh;
    ch.len = sh.len = 0;
    otls_conn *c = otls_conn_new(cctx), *s = otls_conn_new(sctx);
    struct end cend = {&ch, NULL, 0, 0}, send = {&sh, ch.data, 0, 0};
    int n = -1;
    if (c && s && otls_conn_set_io(c, buf_send, feed_recv, &cend) == OTLS_OK &&
        otls_conn_set_hostname(c, "localhost") == OTLS_OK &&
        otls_conn_set_io(s, buf_send, feed_recv, &send) == OTLS_OK &&
        otls_handshake(c) == OTLS_WANT_READ && ch.len > 0) {
        send.in_len = ch.len;
        otls_status st = otls_handshake(s);
        char name[128], dir[512];
        const char *tag = v == OTLS_TLS1_3 ? "13" : "12";
        n = 0;
        snprintf(dir, sizeof dir, "%s/handshake", out);
        snprintf(name, sizeof name, "ch-%s-%s%s", backend, tag, alpn ? "-alpn" : "");
        /* For fuzz_handshake_*: 0x7f gives 255-byte pieces, 0x80 1-byte
         * pieces with "would block" between them. */
        if (write_seed(dir, name, 0x7f, ch.data, ch.len) == 0)
            n++;
        snprintf(name, sizeof name, "ch1-%s-%s%s", backend, tag, alpn ? "-alpn" : "");
        if (write_seed(dir, name, 0x80, ch.data, ch.len) == 0)
            n++;
        snprintf(dir, sizeof dir, "%s/hello", out);
        snprintf(name, sizeof name, "ch-%s-%s%s", backend, tag, alpn ? "-alpn" : "");
        if (write_seed(dir, name, 0x7f, ch.data, ch.len) == 0)
            n++;
        if (st == OTLS_WANT_READ && sh.len > 0) {
            snprintf(name, sizeof name, "sh-%s-%s%s", backend, tag, alpn ? "-alpn" : "");
            if (write_seed(dir, name, 0x7f, sh.data, sh.len) == 0)
                n++;
        }
    }
    otls_conn_free(c);
    otls_conn_free(s);
    otls_ctx_free(cctx);
    otls_ctx_free(sctx);
    return n;
}

static int pem_seeds(const char *dir, const struct tpki *p, const char *tag)
{
    char name[64];
    int rc = 0;
    size_t chain_key_len = p->server_chain_pem.len + p->server_key_pem.len;
    unsigned char *chain_key = malloc(chain_key_len);
    if (chain_key == NULL)
        return -1;
    memcpy(chain_key, p->server_chain_pem.data, p->server_chain_pem.len);
    memcpy(chain_key + p->server_chain_pem.len, p->server_key_pem.data, p->server_key_pem.len);
    struct {
        const char *what;
        const void *data;
        size_t len;
    } files[] = {
        {"ca.pem", p->root_pem.data, p->root_pem.len},
        {"chain.pem", p->server_chain_pem.data, p->server_chain_pem.len},
        {"chain-key.pem", chain_key, chain_key_len},
        {"key.pem", p->server_key_pem.data, p->server_key_pem.len},
        {"client-chain.pem", p->client_chain_pem.data, p->client_chain_pem.len},
        {"root.der", p->root_der.data, p->root_der.len},
        {"server.der", p->server_der.data, p->server_der.len},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(name, sizeof name, "%s-%s", tag, files[i].what);
        rc |= write_seed(dir, name, 0, files[i].data, files[i].len);
    }
    free(chain_key);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    const char *out = argv[1];
    char dir[512];
    const char *subs[] = {"", "/hello", "/handshake", "/pem"};
    for (int i = 0; i < 4; i++) {
        snprintf(dir, sizeof dir, "%s%s", out, subs[i]);
        mkdir(dir, 0755);
    }

    struct tpki pki[2];
    char err[256];
    if (tpki_generate(&pki[0], TPKI_EC, err, sizeof err) != 0 ||
        tpki_generate(&pki[1], TPKI_RSA, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_seeds: test PKI: %s\n", err);
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/pem", out);
    if (pem_seeds(dir, &pki[0], "ec") != 0 || pem_seeds(dir, &pki[1], "rsa") != 0) {
        fprintf(stderr, "fuzz_seeds: cannot write into %s\n", dir);
        return 1;
    }

    const otls_backend_info *list;
    size_t count;
    otls_backends(&list, &count);
    int total = 0;
    for (size_t i = 0; i < count; i++) {
        otls_tls_version versions[] = {OTLS_TLS1_2, OTLS_TLS1_3};
        for (int v = 0; v < 2; v++) {
            for (int alpn = 0; alpn < 2; alpn++) {
                int n = hello_seeds(out, list[i].name, versions[v], alpn, &pki[0]);
                if (n < 0) {
                    fprintf(stderr, "fuzz_seeds: %s: no ClientHello\n", list[i].name);
                    return 1;
                }
                total += n;
            }
        }
    }
    printf("fuzz_seeds: %d hello seeds from %zu backends, 14 PEM/DER seeds in %s\n", total, count,
           out);
    tpki_free(&pki[0]);
    tpki_free(&pki[1]);
    return total > 0 ? 0 : 1;
}
