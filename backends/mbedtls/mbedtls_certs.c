/* Certificates of a context: trust anchors and this side's own chain. */
#include <string.h>

#include <mbedtls/platform.h>

#include "mbedtls_backend.h"

/* The length a DER SEQUENCE at der claims for itself (header included), or
 * 0 when it is not one. mbedtls_x509_crt_parse_der ignores trailing bytes;
 * OpenSSL's backend refuses them, and so does this one. */
static size_t der_total_len(const uint8_t *der, size_t len)
{
    if (len < 2 || der[0] != 0x30)
        return 0;
    if (der[1] < 0x80)
        return 2 + (size_t)der[1];
    size_t n = der[1] & 0x7f, body = 0;
    if (n == 0 || n > 4 || len < 2 + n)
        return 0;
    for (size_t i = 0; i < n; i++)
        body = (body << 8) | der[2 + i];
    return 2 + n + body;
}

/* Appends one DER certificate to crt; 0 or an mbedTLS error. */
static int parse_one(mbedtls_x509_crt *crt, const uint8_t *der, size_t len)
{
    if (der == NULL || len == 0 || der_total_len(der, len) != len)
        return MBEDTLS_ERR_X509_INVALID_FORMAT;
    return mbedtls_x509_crt_parse_der(crt, der, len);
}

otls_status oti_mbedtls_ctx_add_ca(void *ctx, const uint8_t *der, size_t len, otls_error *e)
{
    struct oti_mbedtls_ctx *c = ctx;
    if (!c->ready)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    /* A duplicate is harmless: the chain builder finds the first copy. */
    int ret = parse_one(&c->ca, der, len);
    if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_PARSE, ret, "malformed certificate");
    return OTLS_OK;
}

struct oti_mbedtls_own *oti_mbedtls_own_ref(struct oti_mbedtls_own *own)
{
    if (own != NULL)
        atomic_fetch_add(&own->refs, 1);
    return own;
}

void oti_mbedtls_own_unref(struct oti_mbedtls_own *own)
{
    if (own == NULL || atomic_fetch_sub(&own->refs, 1) != 1)
        return;
    mbedtls_x509_crt_free(&own->chain);
    mbedtls_pk_free(&own->key);
    oti_mbedtls_free(own);
}

otls_status oti_mbedtls_ctx_set_own_chain(void *ctx, const otls_der *chain, size_t count,
                                          const uint8_t *key, size_t key_len, otls_error *e)
{
    struct oti_mbedtls_ctx *c = ctx;
    if (!c->ready)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    if (chain == NULL || count == 0 || key == NULL || key_len == 0)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "a certificate and a key are needed");
    struct oti_mbedtls_own *own = oti_mbedtls_calloc(1, sizeof *own);
    if (own == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    atomic_init(&own->refs, 1);
    mbedtls_x509_crt_init(&own->chain);
    mbedtls_pk_init(&own->key);
    otls_status st = OTLS_OK;
    for (size_t i = 0; st == OTLS_OK && i < count; i++) {
        int ret = parse_one(&own->chain, chain[i].data, chain[i].len);
        if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
            st = otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
        else if (ret != 0)
            st =
                oti_mbedtls_lib_error(e, OTLS_ERR_PARSE, ret,
                                      i == 0 ? "malformed certificate 1" : "malformed certificate");
    }
    if (st == OTLS_OK) {
        /* PKCS#8, PKCS#1 RSA or SEC1 EC, whichever it is. */
        int ret =
            oti_mbedtls_pk_parse_key(&own->key, key, key_len, mbedtls_ctr_drbg_random, &c->drbg);
        if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED)
            st = otls_error_setf(e, OTLS_ERR_UNSUPPORTED,
                                 "encrypted private keys are not supported; decrypt it first");
        else if (ret != 0)
            st = oti_mbedtls_lib_error(e, OTLS_ERR_PARSE, ret, "malformed private key");
        else if (oti_mbedtls_pk_check_pair(&own->chain.pk, &own->key, mbedtls_ctr_drbg_random,
                                           &c->drbg) != 0)
            st = otls_error_setf(e, OTLS_ERR_PARSE, "private key does not match the certificate");
    }
    if (st != OTLS_OK) {
        oti_mbedtls_own_unref(own);
        return st;
    }
    /* Connections made earlier keep their reference to the old one. */
    oti_mbedtls_own_unref(c->own);
    c->own = own;
    oti_mbedtls_shared_drop(c); /* the next connection takes the new chain */
    return OTLS_OK;
}

int oti_mbedtls_crt_copy(mbedtls_x509_crt *dst, const mbedtls_x509_crt *src)
{
    for (const mbedtls_x509_crt *x = src; x != NULL && x->raw.p != NULL; x = x->next) {
        int ret = mbedtls_x509_crt_parse_der(dst, x->raw.p, x->raw.len);
        if (ret != 0)
            return ret;
    }
    return 0;
}
