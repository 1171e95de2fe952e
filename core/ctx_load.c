/* Loading trust anchors and this side's certificate chain and key. The core
 * decodes PEM; backends only ever see DER. */
#include <string.h>

#if OTI_WITH_FILES
#include "file.h"
#endif
#include "internal.h"
#include "pem.h"

/* Adds every certificate of a PEM/DER buffer as a trust anchor; *added counts
 * them. */
static otls_status add_cas(otls_ctx *ctx, const uint8_t *data, size_t len, size_t *added)
{
    struct oti_pem_block *blocks;
    size_t count;
    otls_status st = oti_pem_decode(data, len, &blocks, &count, ctx->error, sizeof ctx->error);
    if (st < 0)
        return st;
    for (size_t i = 0; i < count && st >= 0; i++) {
        if (blocks[i].kind != OTI_PEM_CERT && blocks[i].kind != OTI_PEM_RAW_DER)
            continue;
        otls_error e = {0};
        st = ctx->prov->ctx_add_ca(ctx->state, blocks[i].der, blocks[i].len, &e);
        if (st < 0)
            oti_ctx_fail(ctx, st, "%s: certificate %zu: %s", ctx->prov->name, i + 1, e.message);
        else
            (*added)++;
    }
    oti_pem_free(blocks, count);
    return st;
}

otls_status otls_ctx_load_ca_mem(otls_ctx *ctx, const void *data, size_t len)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (data == NULL)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: data == NULL");
    size_t added = 0;
    otls_status st = add_cas(ctx, data, len, &added);
    if (st >= 0 && added == 0)
        return oti_ctx_fail(ctx, OTLS_ERR_PARSE, "no certificate found");
    return st < 0 ? st : OTLS_OK;
}

#if OTI_WITH_FILES
/* Names the files in the context's message: "<path>: <why>", or
 * "<path> with key <key_path>: <why>"; after the backend's name when the
 * message starts with it, as every backend message does. */
static otls_status in_file(otls_ctx *ctx, otls_status st, const char *path, const char *key_path)
{
    char why[sizeof ctx->error];
    memcpy(why, ctx->error, sizeof why);
    const char *name = ctx->prov->name;
    size_t n = strlen(name);
    int from_backend = strncmp(why, name, n) == 0 && why[n] == ':' && why[n + 1] == ' ';
    const char *rest = from_backend ? why + n + 2 : why;
    const char *lead = from_backend ? name : "";
    const char *sep = from_backend ? ": " : "";
    if (key_path)
        return oti_ctx_fail(ctx, st, "%s%s%.80s with key %.80s: %s", lead, sep, path, key_path,
                            rest);
    return oti_ctx_fail(ctx, st, "%s%s%.120s: %s", lead, sep, path, rest);
}

otls_status otls_ctx_load_ca_file(otls_ctx *ctx, const char *path)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (path == NULL)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: path == NULL");
    uint8_t *data;
    size_t len;
    otls_status st = oti_read_file(path, &data, &len, ctx->error, sizeof ctx->error);
    if (st < 0)
        return st;
    st = otls_ctx_load_ca_mem(ctx, data, len);
    oti_free(data);
    return st < 0 ? in_file(ctx, st, path, NULL) : st;
}

struct dir_load {
    otls_ctx *ctx;
    size_t added;
};

static otls_status load_dir_file(const char *path, void *arg)
{
    struct dir_load *dl = arg;
    uint8_t *data;
    size_t len;
    char err[256];
    if (oti_read_file(path, &data, &len, err, sizeof err) < 0)
        return OTLS_OK; /* unreadable files are skipped, as OpenSSL's capath does */
    size_t before = dl->added;
    otls_status st = add_cas(dl->ctx, data, len, &dl->added);
    oti_free(data);
    /* A file that is not a certificate is skipped; a certificate the
     * backend rejects is an error. */
    if (st == OTLS_ERR_PARSE && dl->added == before)
        return OTLS_OK;
    return st;
}

otls_status otls_ctx_load_ca_dir(otls_ctx *ctx, const char *path)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (path == NULL)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: path == NULL");
    struct dir_load dl = {ctx, 0};
    otls_status st = oti_for_each_file(path, load_dir_file, &dl, ctx->error, sizeof ctx->error);
    if (st < 0)
        return st;
    if (dl.added == 0)
        return oti_ctx_fail(ctx, OTLS_ERR_PARSE, "no certificate found in %.200s", path);
    return OTLS_OK;
}

#endif

struct oti_own_chain *oti_own_chain_ref(struct oti_own_chain *own)
{
    if (own != NULL)
        atomic_fetch_add_explicit(&own->refs, 1, memory_order_relaxed);
    return own;
}

void oti_own_chain_unref(struct oti_own_chain *own)
{
    if (own == NULL || atomic_fetch_sub_explicit(&own->refs, 1, memory_order_acq_rel) != 1)
        return;
    oti_der_list_clear(&own->list);
    oti_free(own);
}

/* Picks the one private key among blocks; raw DER counts as a key here. */
static otls_status find_key(otls_ctx *ctx, const struct oti_pem_block *blocks, size_t count,
                            const struct oti_pem_block **key)
{
    for (size_t i = 0; i < count; i++) {
        if (blocks[i].kind == OTI_PEM_ENCRYPTED_KEY)
            return oti_ctx_fail(ctx, OTLS_ERR_UNSUPPORTED,
                                "encrypted private keys are not supported; decrypt it first");
        if (blocks[i].kind == OTI_PEM_KEY || blocks[i].kind == OTI_PEM_RAW_DER) {
            *key = &blocks[i];
            return OTLS_OK;
        }
    }
    return oti_ctx_fail(ctx, OTLS_ERR_PARSE, "no private key found");
}

otls_status otls_ctx_load_cert_chain_mem(otls_ctx *ctx, const void *cert, size_t cert_len,
                                         const void *key, size_t key_len)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (cert == NULL || (key == NULL && key_len > 0))
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT,
                            "invalid argument: cert == NULL || (key == NULL && key_len > 0)");
    struct oti_pem_block *cb = NULL, *kb = NULL;
    size_t cn = 0, kn = 0;
    struct oti_der_list chain;
    const struct oti_pem_block *keyblock = NULL;
    oti_der_list_init(&chain);

    otls_status st = oti_pem_decode(cert, cert_len, &cb, &cn, ctx->error, sizeof ctx->error);
    if (st >= 0 && key)
        st = oti_pem_decode(key, key_len, &kb, &kn, ctx->error, sizeof ctx->error);
    for (size_t i = 0; st >= 0 && i < cn; i++)
        if (cb[i].kind == OTI_PEM_CERT || cb[i].kind == OTI_PEM_RAW_DER)
            if (oti_der_list_add(&chain, cb[i].der, cb[i].len) != 0)
                st = oti_ctx_fail(ctx, OTLS_ERR_NO_MEMORY, "out of memory");
    if (st >= 0 && chain.count == 0)
        st = oti_ctx_fail(ctx, OTLS_ERR_PARSE, "no certificate found");
    if (st >= 0)
        st = key ? find_key(ctx, kb, kn, &keyblock) : find_key(ctx, cb, cn, &keyblock);
    if (st >= 0 && !key && keyblock->kind == OTI_PEM_RAW_DER)
        st = oti_ctx_fail(ctx, OTLS_ERR_PARSE, "no private key found");
    /* Allocated before the backend takes the chain, so that the two never
     * disagree about it. */
    struct oti_own_chain *own = NULL;
    if (st >= 0) {
        own = oti_malloc(sizeof *own);
        if (own == NULL)
            st = oti_ctx_fail(ctx, OTLS_ERR_NO_MEMORY, "out of memory");
    }
    if (st >= 0) {
        otls_error e = {0};
        st = ctx->prov->ctx_set_own_chain(ctx->state, chain.items, chain.count, keyblock->der,
                                          keyblock->len, &e);
        if (st < 0)
            oti_ctx_fail(ctx, st, "%s: %s", ctx->prov->name, e.message);
    }
    /* Kept for the server's own tls-server-end-point: connections made
     * before this call keep the chain they took at otls_conn_new. */
    if (st >= 0) {
        atomic_init(&own->refs, 1);
        own->list = chain;
        oti_own_chain_unref(ctx->own);
        ctx->own = own;
    } else {
        oti_free(own);
        oti_der_list_clear(&chain);
    }
    oti_pem_free(cb, cn);
    oti_pem_free(kb, kn);
    return st < 0 ? st : OTLS_OK;
}

#if OTI_WITH_FILES
otls_status otls_ctx_load_cert_chain_file(otls_ctx *ctx, const char *cert_path,
                                          const char *key_path)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (cert_path == NULL)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: cert_path == NULL");
    uint8_t *cert = NULL, *key = NULL;
    size_t cert_len = 0, key_len = 0;
    otls_status st = oti_read_file(cert_path, &cert, &cert_len, ctx->error, sizeof ctx->error);
    if (st >= 0 && key_path)
        st = oti_read_file(key_path, &key, &key_len, ctx->error, sizeof ctx->error);
    if (st >= 0) {
        st = otls_ctx_load_cert_chain_mem(ctx, cert, cert_len, key, key_len);
        if (st < 0)
            in_file(ctx, st, cert_path, key_path);
    }
    oti_free(cert);
    oti_free(key);
    return st;
}
#endif
