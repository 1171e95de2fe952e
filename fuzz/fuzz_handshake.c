/* libFuzzer target: a server connection on one backend (FUZZ_BACKEND, one
 * executable per backend) reads the fuzzer's bytes as the client's side of
 * the handshake through the callback transport; what the server sends is
 * dropped. The server context is made once (test PKI generated at start-up,
 * client certificates asked for, ALPN on) and shared by every input, as a
 * real server's is.
 *
 * Input: the first byte picks the size of the pieces recv hands out (odd, 1..255)
 * and whether recv says "would block" between pieces, so partial records and
 * the non-blocking path are fuzzed too; the rest is the byte stream. When it
 * runs out, recv reports end of stream.
 *
 * Checks what must hold for any input: the handshake ends (no endless
 * WANT_*), a failure is an error status with a one-line message, the
 * introspection calls answer HANDSHAKE_NOT_DONE after a failure, and
 * nothing leaks or touches memory it should not (ASan, LSan, UBSan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <omnitls/omnitls.h>

#include "testpki.h"

#ifndef FUZZ_BACKEND
#error "FUZZ_BACKEND must name the backend"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void require(int ok)
{
    if (!ok)
        abort();
}

static otls_ctx *server_ctx;
static struct tpki pki;

static void cleanup(void)
{
    otls_ctx_free(server_ctx);
    tpki_free(&pki);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[256];
    require(tpki_generate(&pki, TPKI_EC, err, sizeof err) == 0);
    otls_error e;
    server_ctx = otls_ctx_new(FUZZ_BACKEND, OTLS_SERVER, &e);
    require(server_ctx != NULL);
    require(otls_ctx_load_cert_chain_mem(server_ctx, pki.server_chain_pem.data,
                                         pki.server_chain_pem.len, pki.server_key_pem.data,
                                         pki.server_key_pem.len) == OTLS_OK);
    require(otls_ctx_load_ca_mem(server_ctx, pki.root_pem.data, pki.root_pem.len) == OTLS_OK);
    require(otls_ctx_set_verify(server_ctx, OTLS_VERIFY_OPTIONAL) == OTLS_OK);
    const char *alpn[] = {"h2", "http/1.1"};
    require(otls_ctx_set_alpn(server_ctx, alpn, 2) == OTLS_OK);
    atexit(cleanup);
    return 0;
}

struct feed {
    const uint8_t *data;
    size_t size, pos, piece;
    int stutter, blocked;
};

static long feed_recv(void *user, void *buf, size_t len)
{
    struct feed *f = user;
    if (f->pos == f->size)
        return 0;
    if (f->stutter && !f->blocked) {
        f->blocked = 1;
        return OTLS_IO_WOULD_BLOCK;
    }
    f->blocked = 0;
    size_t n = f->size - f->pos;
    if (n > f->piece)
        n = f->piece;
    if (n > len)
        n = len;
    memcpy(buf, f->data + f->pos, n);
    f->pos += n;
    return (long)n;
}

static long drop_send(void *user, const void *buf, size_t len)
{
    (void)user;
    (void)buf;
    return (long)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct feed f = {data + 1, size - 1, 0, (size_t)(data[0] & 0x7f) * 2 + 1, data[0] >> 7, 0};

    otls_conn *conn = otls_conn_new(server_ctx);
    require(conn != NULL);
    require(otls_conn_set_io(conn, drop_send, feed_recv, &f) == OTLS_OK);

    /* Each call consumes input or reaches its end, so a bound on the calls
     * that is larger than any stream can need catches a spinning loop. */
    otls_status st = OTLS_WANT_READ;
    size_t calls = 0;
    while (st == OTLS_WANT_READ || st == OTLS_WANT_WRITE) {
        require(++calls <= 2 * f.size + 16);
        st = otls_handshake(conn);
    }
    if (st == OTLS_OK) {
        /* Not expected without the server's random, but whatever was
         * agreed must be reportable. */
        otls_cipher_info ci;
        require(otls_cipher(conn, &ci) == OTLS_OK);
    } else {
        require(st < 0);
        const char *msg = otls_conn_error(conn);
        require(msg != NULL && msg[0] != '\0' && strchr(msg, '\n') == NULL);
        otls_cipher_info ci;
        require(otls_cipher(conn, &ci) == OTLS_ERR_HANDSHAKE_NOT_DONE);
        const uint8_t *der;
        size_t len;
        require(otls_peer_cert_der(conn, &der, &len) == OTLS_ERR_HANDSHAKE_NOT_DONE);
        uint8_t cb[OTLS_CHANNEL_BINDING_MAX];
        size_t cb_len = sizeof cb;
        require(otls_channel_binding(conn, "tls-exporter", cb, &cb_len) ==
                OTLS_ERR_HANDSHAKE_NOT_DONE);
    }
    otls_conn_free(conn);
    return 0;
}
