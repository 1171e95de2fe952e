/* omnitls over an lwIP-style raw TCP API, with a static memory pool: the
 * shape of firmware that links the minimal profile (docs/embedded.md).
 *
 * lwIP's raw API hands received data to a callback (tcp_recv) as pbufs and
 * sends with tcp_write; nothing blocks. omnitls's transport is two callbacks
 * of the same kind: send copies into the stack, recv takes queued bytes or
 * says OTLS_IO_WOULD_BLOCK. Here a tiny in-process "stack" wires two pcbs
 * together so that a client and a server run in one loop on any host; on a
 * device, pcb_send becomes tcp_write + tcp_output and the queue is fed from
 * the tcp_recv callback (then tcp_recved).
 *
 *   lwip_callbacks CA.pem SERVER_CHAIN.pem SERVER_KEY.pem
 *
 * The files are read here only because a host has files; a device passes
 * certificates compiled into flash to the same _mem loaders.
 *
 * Every omnitls allocation comes from a 256 KiB static pool (otls_set_allocator).
 * The program checks that reading and writing application data allocates
 * nothing, and that everything is given back; it exits 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omnitls/omnitls.h>

/* ---- a first-fit pool: what an RTOS heap or a static arena looks like ---- */

#define POOL_SIZE (256 * 1024)
#define ALIGN 8

struct block {
    size_t size; /* payload bytes */
    int used;
};

static _Alignas(ALIGN) unsigned char pool[POOL_SIZE];
static struct {
    size_t calls, bytes, in_use, peak, frees;
} stats;

#define HDR ((sizeof(struct block) + ALIGN - 1) / ALIGN * ALIGN)

static void pool_init(void)
{
    struct block *b = (struct block *)pool;
    b->size = POOL_SIZE - HDR;
    b->used = 0;
}

static void *pool_malloc(size_t size, void *user)
{
    (void)user;
    size = (size + ALIGN - 1) / ALIGN * ALIGN;
    for (unsigned char *p = pool; p < pool + POOL_SIZE;) {
        struct block *b = (struct block *)p;
        if (!b->used && b->size >= size) {
            if (b->size >= size + HDR + ALIGN) { /* split */
                struct block *rest = (struct block *)(p + HDR + size);
                rest->size = b->size - size - HDR;
                rest->used = 0;
                b->size = size;
            }
            b->used = 1;
            stats.calls++;
            stats.bytes += b->size;
            stats.in_use += b->size;
            if (stats.in_use > stats.peak)
                stats.peak = stats.in_use;
            return p + HDR;
        }
        p += HDR + b->size;
    }
    return NULL; /* omnitls answers OTLS_ERR_NO_MEMORY */
}

static void pool_free(void *ptr, void *user)
{
    (void)user;
    struct block *b = (struct block *)((unsigned char *)ptr - HDR);
    b->used = 0;
    stats.frees++;
    stats.in_use -= b->size;
    /* Merge free neighbours (one pass from the start keeps this short). */
    for (unsigned char *p = pool; p < pool + POOL_SIZE;) {
        struct block *a = (struct block *)p;
        unsigned char *next = p + HDR + a->size;
        if (!a->used && next < pool + POOL_SIZE && !((struct block *)next)->used)
            a->size += HDR + ((struct block *)next)->size;
        else
            p = next;
    }
}

/* ---- an lwIP-like pair of pcbs: tcp_write on one queues for the other ---- */

#define QUEUE_SIZE 16384

struct pcb {
    unsigned char rx[QUEUE_SIZE]; /* what the tcp_recv callback queued */
    size_t rx_len;
    struct pcb *remote;
};

/* omnitls send callback: tcp_write(pcb, buf, len, TCP_WRITE_FLAG_COPY). */
static long pcb_send(void *user, const void *buf, size_t len)
{
    struct pcb *pcb = user, *to = pcb->remote;
    size_t room = QUEUE_SIZE - to->rx_len;
    if (room == 0)
        return OTLS_IO_WOULD_BLOCK; /* tcp_sndbuf() == 0: wait for tcp_sent */
    if (len > room)
        len = room;
    memcpy(to->rx + to->rx_len, buf, len);
    to->rx_len += len;
    return (long)len;
}

/* omnitls recv callback: take from the pbufs tcp_recv queued, then
 * tcp_recved(pcb, n) to open the window. */
static long pcb_recv(void *user, void *buf, size_t len)
{
    struct pcb *pcb = user;
    if (pcb->rx_len == 0)
        return OTLS_IO_WOULD_BLOCK;
    if (len > pcb->rx_len)
        len = pcb->rx_len;
    memcpy(buf, pcb->rx, len);
    memmove(pcb->rx, pcb->rx + len, pcb->rx_len - len);
    pcb->rx_len -= len;
    return (long)len;
}

static struct pcb client_pcb, server_pcb;

/* ---- the program ---- */

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    static unsigned char bufs[3][16384];
    static int next;
    if (f == NULL || next == 3)
        return NULL;
    unsigned char *b = bufs[next++];
    *len = fread(b, 1, sizeof bufs[0], f);
    fclose(f);
    return b;
}

static int fail(const char *what, otls_status st, const char *msg)
{
    fprintf(stderr, "lwip_callbacks: %s: %s: %s\n", what, otls_status_name(st), msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s CA.pem SERVER_CHAIN.pem SERVER_KEY.pem\n", argv[0]);
        return 2;
    }
    size_t ca_len, chain_len, key_len;
    unsigned char *ca = read_all(argv[1], &ca_len), *chain = read_all(argv[2], &chain_len),
                  *key = read_all(argv[3], &key_len);
    if (!ca || !chain || !key) {
        fprintf(stderr, "lwip_callbacks: cannot read the certificate files\n");
        return 2;
    }

    pool_init();
    otls_status st = otls_set_allocator(pool_malloc, NULL, pool_free, NULL);
    if (st != OTLS_OK)
        return fail("otls_set_allocator", st, "");

    otls_error err;
    otls_ctx *sctx = otls_ctx_new(NULL, OTLS_SERVER, &err);
    otls_ctx *cctx = otls_ctx_new(NULL, OTLS_CLIENT, &err);
    if (!sctx || !cctx)
        return fail("otls_ctx_new", err.code, err.message);
    if ((st = otls_ctx_load_cert_chain_mem(sctx, chain, chain_len, key, key_len)) != OTLS_OK)
        return fail("otls_ctx_load_cert_chain_mem", st, otls_ctx_error(sctx));
    if ((st = otls_ctx_load_ca_mem(cctx, ca, ca_len)) != OTLS_OK)
        return fail("otls_ctx_load_ca_mem", st, otls_ctx_error(cctx));

    otls_conn *c = otls_conn_new(cctx), *s = otls_conn_new(sctx);
    if (!c || !s)
        return fail("otls_conn_new", OTLS_ERR_NO_MEMORY, "");
    client_pcb.remote = &server_pcb;
    server_pcb.remote = &client_pcb;
    otls_conn_set_io(c, pcb_send, pcb_recv, &client_pcb);
    otls_conn_set_io(s, pcb_send, pcb_recv, &server_pcb);
    if ((st = otls_conn_set_hostname(c, "localhost")) != OTLS_OK)
        return fail("otls_conn_set_hostname", st, otls_conn_error(c));

    /* The main loop: step both sides until neither waits (lwIP's poll). */
    otls_status cs = OTLS_WANT_READ, ss = OTLS_WANT_READ;
    for (int i = 0; i < 100 && (cs != OTLS_OK || ss != OTLS_OK); i++) {
        if (cs != OTLS_OK)
            cs = otls_handshake(c);
        if (ss != OTLS_OK)
            ss = otls_handshake(s);
        if (cs < 0)
            return fail("client handshake", cs, otls_conn_error(c));
        if (ss < 0)
            return fail("server handshake", ss, otls_conn_error(s));
    }
    if (cs != OTLS_OK || ss != OTLS_OK)
        return fail("handshake", OTLS_ERR_STATE, "did not finish");
    size_t after_handshake = stats.calls;

    /* Application data both ways: no allocation allowed. */
    static const char ping[] = "ping over lwIP-style callbacks";
    char got[64];
    size_t n = 0;
    if ((st = otls_write(c, ping, sizeof ping, &n)) != OTLS_OK || n != sizeof ping)
        return fail("otls_write", st, otls_conn_error(c));
    if ((st = otls_read(s, got, sizeof got, &n)) != OTLS_OK || n != sizeof ping ||
        memcmp(got, ping, n) != 0)
        return fail("otls_read", st, otls_conn_error(s));
    if ((st = otls_write(s, got, n, &n)) != OTLS_OK ||
        (st = otls_read(c, got, sizeof got, &n)) != OTLS_OK)
        return fail("echo", st, otls_conn_error(c));
    size_t io_allocs = stats.calls - after_handshake;

    /* Introspection works in the minimal profile, from the snapshot. */
    otls_cipher_info ci;
    uint8_t cb[64];
    size_t cb_len = sizeof cb, exp_len = sizeof cb;
    const otls_der *chain_der;
    size_t chain_count;
    if ((st = otls_cipher(c, &ci)) != OTLS_OK)
        return fail("otls_cipher", st, otls_conn_error(c));
    if ((st = otls_channel_binding(c, "tls-server-end-point", cb, &cb_len)) != OTLS_OK)
        return fail("tls-server-end-point", st, otls_conn_error(c));
    st = otls_channel_binding(c, "tls-exporter", cb, &exp_len);
    if (st != OTLS_OK)
        exp_len = 0;
    if ((st = otls_verified_chain(c, &chain_der, &chain_count)) != OTLS_OK)
        return fail("otls_verified_chain", st, otls_conn_error(c));
    const char *version = "?";
    otls_protocol(c, &version);
    size_t in_use_connected = stats.in_use;

    printf("backend %s, %s, %s (0x%04X), verified chain of %zu\n", otls_conn_backend(c), version,
           ci.name, (unsigned)ci.iana_id, chain_count);
    printf("tls-server-end-point %zu bytes, tls-exporter %zu bytes\n", cb_len, exp_len);
    printf("pool: %zu allocations, %zu bytes in use with both ends connected, peak %zu; "
           "%zu allocations during read/write\n",
           stats.calls, in_use_connected, stats.peak, io_allocs);

    otls_conn_free(c);
    otls_conn_free(s);
    otls_ctx_free(cctx);
    otls_ctx_free(sctx);
    if (io_allocs != 0) {
        fprintf(stderr, "lwip_callbacks: read/write allocated %zu times\n", io_allocs);
        return 1;
    }
    if (stats.in_use != 0 || stats.frees != stats.calls) {
        fprintf(stderr, "lwip_callbacks: %zu bytes (%zu blocks) not given back\n", stats.in_use,
                stats.calls - stats.frees);
        return 1;
    }
    printf("pool: everything given back\n");
    return 0;
}
