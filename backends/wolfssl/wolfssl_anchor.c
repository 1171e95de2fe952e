/* Trust anchors of a verified chain, found in the context's own copies of
 * its CAs by their raw subject name (and key id), with a small DER walk:
 * wolfSSL_X509_STORE_CTX_get1_issuer built a WOLFSSL_X509 from the store
 * for each anchor, about 250k instructions a handshake (bench/), and
 * wolfSSL_X509_d2i cannot read an Ed25519 certificate on 5.5.4, so the
 * old lookup lost the root of such chains. */
#include <string.h>

#include "wolfssl_backend.h"

/* One TLV at *off in p[0..len): its tag, value and the offset after it.
 * 0 on success, -1 when malformed (definite lengths up to 4 bytes). */
static int tlv(const uint8_t *p, size_t len, size_t *off, uint8_t *tag, const uint8_t **val,
               size_t *vlen)
{
    size_t i = *off;
    if (i + 2 > len)
        return -1;
    *tag = p[i++];
    size_t n = p[i++];
    if (n & 0x80) {
        size_t k = n & 0x7f;
        if (k == 0 || k > 4 || i + k > len)
            return -1;
        n = 0;
        while (k-- > 0)
            n = (n << 8) | p[i++];
    }
    if (n > len - i)
        return -1;
    *val = p + i;
    *vlen = n;
    *off = i + n;
    return 0;
}

/* The key identifier of an AuthorityKeyIdentifier (its [0]) or a
 * SubjectKeyIdentifier (an OCTET STRING), from the extension's value. */
static void key_id(const uint8_t *v, size_t vlen, int authority, struct oti_wolfssl_blob *out)
{
    size_t off = 0, n;
    uint8_t tag;
    const uint8_t *x;
    if (tlv(v, vlen, &off, &tag, &x, &n) != 0)
        return;
    if (!authority) {
        if (tag == 0x04) {
            out->data = (uint8_t *)x;
            out->len = n;
        }
        return;
    }
    size_t o2 = 0, n2;
    const uint8_t *y;
    if (tag == 0x30 && tlv(x, n, &o2, &tag, &y, &n2) == 0 && tag == 0x80) {
        out->data = (uint8_t *)y;
        out->len = n2;
    }
}

/* Walks the extensions for the two key identifiers. */
static void extensions(const uint8_t *v, size_t vlen, struct oti_wolfssl_anchor *out)
{
    static const uint8_t ski[] = {0x55, 0x1d, 0x0e}, aki[] = {0x55, 0x1d, 0x23};
    size_t off = 0, n;
    uint8_t tag;
    const uint8_t *seq;
    if (tlv(v, vlen, &off, &tag, &seq, &n) != 0 || tag != 0x30)
        return;
    for (size_t e = 0; e < n;) {
        const uint8_t *ext, *f;
        size_t elen, flen, fo = 0;
        if (tlv(seq, n, &e, &tag, &ext, &elen) != 0 || tag != 0x30 ||
            tlv(ext, elen, &fo, &tag, &f, &flen) != 0 || tag != 0x06 || flen != 3)
            return;
        int is_aki = memcmp(f, aki, 3) == 0, is_ski = memcmp(f, ski, 3) == 0;
        if (!is_aki && !is_ski)
            continue;
        /* critical BOOLEAN (optional), then the OCTET STRING value */
        if (tlv(ext, elen, &fo, &tag, &f, &flen) != 0)
            return;
        if (tag == 0x01 && tlv(ext, elen, &fo, &tag, &f, &flen) != 0)
            return;
        if (tag == 0x04)
            key_id(f, flen, is_aki, is_aki ? &out->aki : &out->ski);
    }
}

int oti_wolfssl_anchor_parse(const uint8_t *der, size_t len, struct oti_wolfssl_anchor *out)
{
    memset(out, 0, sizeof *out);
    size_t off = 0, n, t = 0;
    uint8_t tag;
    const uint8_t *cert, *tbs, *f;
    if (tlv(der, len, &off, &tag, &cert, &n) != 0 || tag != 0x30)
        return -1;
    off = 0;
    size_t tlen;
    if (tlv(cert, n, &off, &tag, &tbs, &tlen) != 0 || tag != 0x30)
        return -1;
    /* [0] version (optional), serial, signature, issuer, validity, subject,
     * subjectPublicKeyInfo, then [1] [2] [3] (optional). */
    int field = 0;
    while (t < tlen) {
        size_t start = t, flen;
        if (tlv(tbs, tlen, &t, &tag, &f, &flen) != 0)
            return -1;
        if (field == 0 && tag == 0xa0)
            continue;
        field++;
        if (field == 3) {
            out->issuer.data = (uint8_t *)tbs + start;
            out->issuer.len = t - start;
        } else if (field == 5) {
            out->subject.data = (uint8_t *)tbs + start;
            out->subject.len = t - start;
        } else if (field > 6 && tag == 0xa3)
            extensions(f, flen, out);
    }
    return field >= 6 ? 0 : -1;
}

int oti_wolfssl_cert_signature(const uint8_t *der, size_t len, const uint8_t **sig, size_t *sig_len)
{
    size_t off = 0, n, at = 0, flen;
    uint8_t tag;
    const uint8_t *cert, *f;
    if (tlv(der, len, &off, &tag, &cert, &n) != 0 || tag != 0x30)
        return -1;
    /* tbsCertificate, signatureAlgorithm, signatureValue */
    for (int i = 0; i < 3; i++)
        if (tlv(cert, n, &at, &tag, &f, &flen) != 0)
            return -1;
    if (tag != 0x03 || flen < 2 || f[0] != 0)
        return -1;
    *sig = f + 1;
    *sig_len = flen - 1;
    return 0;
}

static int same(const struct oti_wolfssl_blob *a, const struct oti_wolfssl_blob *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

int oti_wolfssl_anchor_self_issued(const uint8_t *der, size_t len)
{
    struct oti_wolfssl_anchor a;
    return oti_wolfssl_anchor_parse(der, len, &a) == 0 && same(&a.issuer, &a.subject);
}

/* The context's CA that issued a: subject equal to a's issuer, preferring
 * the one whose key id is a's authority key id. */
static const struct oti_wolfssl_ca *issuer_of(const struct oti_wolfssl_ctx *x,
                                              const struct oti_wolfssl_anchor *a)
{
    const struct oti_wolfssl_ca *by_name = NULL;
    for (size_t i = 0; i < x->ca_count; i++) {
        const struct oti_wolfssl_ca *ca = &x->cas[i];
        if (!same(&ca->info.subject, &a->issuer))
            continue;
        if (a->aki.data == NULL || ca->info.ski.data == NULL || same(&a->aki, &ca->info.ski))
            return ca;
        if (by_name == NULL)
            by_name = ca;
    }
    return by_name;
}

void oti_wolfssl_anchor_complete(struct oti_wolfssl_conn *c)
{
    int n = c->vdepth;
    if (n <= 0 || n > OTI_WOLFSSL_MAX_DEPTH || c->ctx == NULL || c->vchain == NULL)
        return;
    const struct oti_wolfssl_blob *top = &c->vchain->cert[n - 1];
    while (top->data != NULL && n < OTI_WOLFSSL_MAX_DEPTH) {
        struct oti_wolfssl_anchor a;
        if (oti_wolfssl_anchor_parse(top->data, top->len, &a) != 0 || same(&a.issuer, &a.subject))
            break;
        const struct oti_wolfssl_ca *ca = issuer_of(c->ctx, &a);
        if (ca == NULL || same(&ca->der, top))
            break;
        /* The context's copy outlives the connection: pointed at. */
        oti_wolfssl_certs_borrow(c->vchain, n, ca->der.data, ca->der.len);
        top = &c->vchain->cert[n++];
    }
    c->vdepth = n;
    c->vchain->count = n;
}
