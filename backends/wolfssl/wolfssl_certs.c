/* Certificates of a context: trust anchors and this side's own chain. */
#include <string.h>

#include "wolfssl_backend.h"

#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

/* The length a DER SEQUENCE at der claims for itself (header included), or
 * 0 when it is not one. wolfSSL would take trailing bytes as a second
 * certificate; OpenSSL's backend refuses them, and so does this one. */
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

static int one_der(const uint8_t *der, size_t len)
{
    return der != NULL && len > 0 && len <= 0x7fffffff && der_total_len(der, len) == len;
}

void oti_wolfssl_certs_clear(struct oti_wolfssl_certs *l)
{
    for (int i = 0; i < OTI_WOLFSSL_MAX_DEPTH; i++) {
        if (!(l->kept & (UINT32_C(1) << i)))
            oti_wolfssl_free(l->cert[i].data);
        l->cert[i].data = NULL;
        l->cert[i].len = 0;
    }
    l->count = 0;
    l->kept = 0;
}

void oti_wolfssl_certs_borrow(struct oti_wolfssl_certs *l, int i, const uint8_t *der, size_t len)
{
    if (!(l->kept & (UINT32_C(1) << i)))
        oti_wolfssl_free(l->cert[i].data);
    l->cert[i].data = (uint8_t *)der; /* never written through: see kept */
    l->cert[i].len = len;
    l->kept |= UINT32_C(1) << i;
}

int oti_wolfssl_certs_set(struct oti_wolfssl_certs *l, int i, const uint8_t *der, size_t len)
{
    if (i < 0 || i >= OTI_WOLFSSL_MAX_DEPTH)
        return -1;
    uint8_t *copy = oti_wolfssl_alloc(len);
    if (copy == NULL)
        return -1;
    memcpy(copy, der, len);
    if (!(l->kept & (UINT32_C(1) << i)))
        oti_wolfssl_free(l->cert[i].data);
    l->kept &= ~(UINT32_C(1) << i);
    l->cert[i].data = copy;
    l->cert[i].len = len;
    return 0;
}

int oti_wolfssl_certs_copy(struct oti_wolfssl_certs *dst, const struct oti_wolfssl_certs *src)
{
    oti_wolfssl_certs_clear(dst);
    for (int i = 0; i < src->count && i < OTI_WOLFSSL_MAX_DEPTH; i++) {
        if (src->cert[i].data == NULL ||
            oti_wolfssl_certs_set(dst, i, src->cert[i].data, src->cert[i].len) != 0) {
            oti_wolfssl_certs_clear(dst);
            return -1;
        }
        dst->count = i + 1;
    }
    return 0;
}

int oti_wolfssl_ca_load(WOLFSSL_CTX *w, const uint8_t *der, size_t len)
{
    /* OpenSSL takes an anchor whatever its dates (and judges them when
     * verifying); wolfSSL refuses an expired one unless told. A duplicate
     * is accepted. */
    return wolfSSL_CTX_load_verify_buffer_ex(w, der, (long)len, WOLFSSL_FILETYPE_ASN1, 0,
                                             WOLFSSL_LOAD_FLAG_DATE_ERR_OKAY);
}

otls_status oti_wolfssl_ctx_add_ca(void *ctx, const uint8_t *der, size_t len, otls_error *e)
{
    struct oti_wolfssl_ctx *c = ctx;
    if (c->ctx == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    if (!one_der(der, len))
        return otls_error_setf(e, OTLS_ERR_PARSE, "malformed certificate");
    if (c->ca_count == c->ca_cap) {
        size_t cap = c->ca_cap ? 2 * c->ca_cap : 8;
        struct oti_wolfssl_ca *p = oti_wolfssl_alloc(cap * sizeof *p);
        if (p == NULL)
            return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
        if (c->ca_count > 0)
            memcpy(p, c->cas, c->ca_count * sizeof *p);
        oti_wolfssl_free(c->cas);
        c->cas = p;
        c->ca_cap = cap;
    }
    uint8_t *copy = oti_wolfssl_alloc(len);
    if (copy == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    int ret = oti_wolfssl_ca_load(c->ctx, der, len);
    if (ret != WOLFSSL_SUCCESS) {
        oti_wolfssl_free(copy);
        if (ret == MEMORY_E)
            return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
        return oti_wolfssl_lib_error(e, OTLS_ERR_PARSE, ret, "malformed certificate");
    }
    memcpy(copy, der, len);
    /* Where its names are, in the copy (wolfSSL read it, so this walk
     * does too; if not, the anchor is never named in a chain). */
    struct oti_wolfssl_anchor info;
    if (oti_wolfssl_anchor_parse(der, len, &info) != 0)
        memset(&info, 0, sizeof info);
    struct oti_wolfssl_blob *in[] = {&info.issuer, &info.subject, &info.aki, &info.ski};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        if (in[i]->data != NULL)
            in[i]->data = copy + (in[i]->data - der);
    c->cas[c->ca_count].der.data = copy;
    c->cas[c->ca_count].der.len = len;
    c->cas[c->ca_count].info = info;
    c->ca_count++;
    return OTLS_OK;
}

/* The public point of an EC key, X9.63-encoded; 0 on success. */
static int ec_point(ecc_key *key, uint8_t *out, word32 *len)
{
    return wc_ecc_export_x963(key, out, len);
}

/* wolfSSL 5.5's check_private_key compares only the curve of EC keys: a
 * wrong key on the same curve passes. This one derives the public point
 * from the private scalar and compares it with the certificate's. 1: they
 * match (or the leaf is no EC key: wolfSSL's check is right for the
 * others), 0: they do not, -1: out of memory or undecodable. */
static int ec_pair_matches(const uint8_t *leaf, size_t leaf_len, const uint8_t *key, size_t key_len)
{
    DecodedCert dc;
    uint8_t spki[160], pub_cert[136], pub_key[136], d[72];
    word32 spki_len = sizeof spki, lc = sizeof pub_cert, lk = sizeof pub_key, dl = sizeof d;
    ecc_key from_cert, from_key, derived;
    int ok = -1;
    wc_InitDecodedCert(&dc, leaf, (word32)leaf_len, NULL);
    if (wc_ParseCert(&dc, CERT_TYPE, NO_VERIFY, NULL) != 0) {
        wc_FreeDecodedCert(&dc);
        return -1;
    }
    if (dc.keyOID != ECDSAk) {
        wc_FreeDecodedCert(&dc);
        return 1;
    }
    int have_spki = wc_GetPubKeyDerFromCert(&dc, spki, &spki_len) == 0;
    wc_FreeDecodedCert(&dc);
    uint8_t *copy = oti_wolfssl_alloc(key_len);
    if (!have_spki || copy == NULL) {
        oti_wolfssl_free(copy);
        return -1;
    }
    memcpy(copy, key, key_len);
    oti_wolfssl_thread_mark(); /* the ECC work below may build its cache */
    wc_ecc_init(&from_cert);
    wc_ecc_init(&from_key);
    wc_ecc_init(&derived);
    word32 idx = 0, kidx = 0;
    /* PKCS#8 moves kidx to the SEC1 key inside; SEC1 starts at 0. */
    if (wc_GetPkcs8TraditionalOffset(copy, &kidx, (word32)key_len) <= 0)
        kidx = 0;
    if (wc_EccPublicKeyDecode(spki, &idx, &from_cert, spki_len) == 0 &&
        ec_point(&from_cert, pub_cert, &lc) == 0 &&
        wc_EccPrivateKeyDecode(copy, &kidx, &from_key, (word32)key_len) == 0 &&
        wc_ecc_export_private_only(&from_key, d, &dl) == 0 &&
        wc_ecc_import_private_key_ex(d, dl, NULL, 0, &derived, wc_ecc_get_curve_id(from_key.idx)) ==
            0 &&
        wc_ecc_make_pub(&derived, NULL) == 0 && ec_point(&derived, pub_key, &lk) == 0)
        ok = lc == lk && memcmp(pub_cert, pub_key, lc) == 0;
    wc_ecc_free(&from_cert);
    wc_ecc_free(&from_key);
    wc_ecc_free(&derived);
    oti_wolfssl_zero(d, sizeof d);
    oti_wolfssl_zero(copy, key_len);
    oti_wolfssl_free(copy);
    return ok;
}

/* Loads a chain and key into w (a new WOLFSSL_CTX) and checks them: the
 * key must parse (PKCS#8, PKCS#1 RSA or SEC1 EC) and match the leaf. */
static otls_status load_pair(WOLFSSL_CTX *w, const uint8_t *chain, size_t chain_len,
                             const uint8_t *key, size_t key_len, otls_error *e)
{
    int ret = wolfSSL_CTX_use_certificate_chain_buffer_format(w, chain, (long)chain_len,
                                                              WOLFSSL_FILETYPE_ASN1);
    if (ret != WOLFSSL_SUCCESS)
        return oti_wolfssl_lib_error(e, OTLS_ERR_PARSE, ret, "malformed certificate");
    ret = wolfSSL_CTX_use_PrivateKey_buffer(w, key, (long)key_len, WOLFSSL_FILETYPE_ASN1);
    if (ret != WOLFSSL_SUCCESS)
        return oti_wolfssl_lib_error(e, OTLS_ERR_PARSE, ret, "malformed private key");
    if (wolfSSL_CTX_check_private_key(w) != WOLFSSL_SUCCESS)
        return otls_error_setf(e, OTLS_ERR_PARSE, "private key does not match the certificate");
    int m = ec_pair_matches(chain, der_total_len(chain, chain_len), key, key_len);
    if (m < 0)
        return otls_error_setf(e, OTLS_ERR_PARSE, "could not check the private key");
    if (m == 0)
        return otls_error_setf(e, OTLS_ERR_PARSE, "private key does not match the certificate");
    return OTLS_OK;
}

otls_status oti_wolfssl_ctx_set_own_chain(void *ctx, const otls_der *chain, size_t count,
                                          const uint8_t *key, size_t key_len, otls_error *e)
{
    struct oti_wolfssl_ctx *c = ctx;
    if (c->ctx == NULL)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
    if (chain == NULL || count == 0 || key == NULL || key_len == 0 || key_len > 0x7fffffff)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "a certificate and a key are needed");
    /* wolfSSL takes a DER chain as the certificates back to back. */
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (!one_der(chain[i].data, chain[i].len))
            return otls_error_setf(e, OTLS_ERR_PARSE, "malformed certificate %zu", i + 1);
        total += chain[i].len;
    }
    if (total > 0x7fffffff)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "certificate chain too long");
    uint8_t *all = oti_wolfssl_alloc(total);
    if (all == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        memcpy(all + at, chain[i].data, chain[i].len);
        at += chain[i].len;
    }
    /* A new WOLFSSL_CTX holds the pair, whatever the old one held: the
     * connections of the old one keep it (wolfssl_ctx.c). A failure
     * leaves the old pair in force. */
    WOLFSSL_CTX *w = NULL;
    otls_status st = oti_wolfssl_wctx_new(c, &w, e);
    if (st == OTLS_OK)
        st = load_pair(w, all, total, key, key_len, e);
    oti_wolfssl_free(all);
    if (st != OTLS_OK) {
        wolfSSL_CTX_free(w); /* NULL-safe */
        return st;
    }
    oti_wolfssl_wctx_replace(c, w);
    return OTLS_OK;
}
