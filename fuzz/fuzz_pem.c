/* libFuzzer target for the PEM loader: the core's PEM/DER reader
 * (core/pem.c) and the context load functions that use it, on every
 * backend of the build, from memory and from a file. Checks what must hold
 * for any input: a failure is one of the documented codes with a one-line
 * message; loading from a file gives what loading the same bytes from
 * memory gives; every decoded block lies within the bytes it could come
 * from. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omnitls/omnitls.h>

#include "pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void require(int ok)
{
    if (!ok)
        abort();
}

static char path[64];
static const otls_backend_info *backends;
static size_t backend_count;

static void remove_file(void)
{
    unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    require(otls_backends(&backends, &backend_count) == OTLS_OK && backend_count > 0);
    snprintf(path, sizeof path, "/tmp/otls-fuzz-pem-%ld", (long)getpid());
    atexit(remove_file);
    return 0;
}

static void check_message(const char *msg)
{
    require(msg != NULL && msg[0] != '\0' && strchr(msg, '\n') == NULL);
}

/* What a load may answer for arbitrary bytes. */
static void check_status(otls_status st, const otls_ctx *ctx)
{
    if (st == OTLS_OK)
        return;
    require(st == OTLS_ERR_PARSE || st == OTLS_ERR_UNSUPPORTED);
    check_message(otls_ctx_error(ctx));
}

static void check_decode(const uint8_t *data, size_t size)
{
    struct oti_pem_block *blocks = NULL;
    size_t count = 0;
    char err[256] = "";
    otls_status st = oti_pem_decode(data, size, &blocks, &count, err, sizeof err);
    if (st != OTLS_OK) {
        require(st == OTLS_ERR_PARSE && blocks == NULL);
        check_message(err);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        require(blocks[i].len > 0 && blocks[i].len <= size);
        if (blocks[i].kind == OTI_PEM_RAW_DER)
            require(count == 1 && memcmp(blocks[i].der, data, blocks[i].len) == 0);
    }
    oti_pem_free(blocks, count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_decode(data, size);

    /* From memory, on every backend: as trust anchors and as a chain with
     * its key. */
    size_t n = backend_count < 8 ? backend_count : 8;
    otls_status ca_st[8], chain_st[8];
    for (size_t b = 0; b < n; b++) {
        otls_error e;
        otls_ctx *ctx = otls_ctx_new(backends[b].name, OTLS_SERVER, &e);
        require(ctx != NULL);
        ca_st[b] = otls_ctx_load_ca_mem(ctx, data, size);
        check_status(ca_st[b], ctx);
        chain_st[b] = otls_ctx_load_cert_chain_mem(ctx, data, size, NULL, 0);
        check_status(chain_st[b], ctx);
        otls_ctx_free(ctx);
    }

    /* From a file, on one backend (picked by the input): the same answers. */
    size_t b = (size ? data[0] : 0) % n;
    FILE *f = fopen(path, "wb");
    require(f != NULL);
    require(fwrite(data, 1, size, f) == size || size == 0);
    require(fclose(f) == 0);
    otls_error e;
    otls_ctx *ctx = otls_ctx_new(backends[b].name, OTLS_SERVER, &e);
    require(ctx != NULL);
    require(otls_ctx_load_ca_file(ctx, path) == ca_st[b]);
    require(otls_ctx_load_cert_chain_file(ctx, path, NULL) == chain_st[b]);
    /* The key read from its own file. */
    check_status(otls_ctx_load_cert_chain_file(ctx, path, path), ctx);
    otls_ctx_free(ctx);
    return 0;
}
