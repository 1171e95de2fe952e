/* AlgorithmIdentifiers and the public key size (beyond Python). The key
 * itself is not checked: OpenSSL decodes it opportunistically and a
 * certificate with a bad key still decodes, so a key omnitls cannot read
 * gives key_bits 0, never an error. */
#include "cert_internal.h"

int oti_algor_decode(struct oti_dec *d, struct oti_cur *c, otls_cert_oid *alg, struct oti_elem *oid,
                     struct oti_elem *params)
{
    struct oti_elem seq;
    int st = oti_asn1_take(d, c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &seq);
    if (st != OTI_OK)
        return st;
    struct oti_cur in = oti_cur_of(&seq);
    st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_OID, 0, false, oid);
    if (st == OTI_OK)
        st = oti_asn1_check_oid(d, oid);
    if (st != OTI_OK)
        return st;
    memset(params, 0, sizeof *params);
    if (!oti_cur_empty(&in)) {
        /* parameters ANY OPTIONAL, the last field: whatever is there must
         * decode, and an end-of-contents marker is refused. */
        if (in.end - in.p >= 2 && in.p[0] == 0 && in.p[1] == 0)
            return oti_dec_fail(d, OTI_BAD, "unexpected end-of-contents in an algorithm");
        st = oti_asn1_peek(d, &in, params);
        if (st == OTI_OK)
            st = oti_asn1_check_any(d, params);
        if (st != OTI_OK)
            return st;
        in.p = params->end;
        if (!oti_cur_empty(&in))
            return oti_dec_fail(d, OTI_BAD, "extra data in an algorithm identifier");
    }
    return alg ? oti_oid_fill(d, oid->value, oid->len, alg) : OTI_OK;
}

/* Bit length of an INTEGER's magnitude (non-negative values only). */
static unsigned int_bits(const struct oti_elem *t)
{
    const uint8_t *p = t->value;
    size_t n = t->len;
    if (n == 0 || (p[0] & 0x80))
        return 0;
    while (n > 0 && *p == 0) {
        p++;
        n--;
    }
    if (n == 0 || n > 0x10000)
        return 0;
    unsigned bits = (unsigned)(n - 1) * 8;
    for (uint8_t b = p[0]; b; b >>= 1)
        bits++;
    return bits;
}

/* The first INTEGER inside the SEQUENCE at data (RSAPublicKey's modulus,
 * Dss-Parms' p). */
static unsigned first_int_bits(const uint8_t *data, size_t len)
{
    struct oti_dec scratch = {0};
    struct oti_cur c = {data, data + len, NULL}, in;
    struct oti_elem seq, n;
    scratch.der = data;
    scratch.der_len = len;
    if (oti_asn1_take(&scratch, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &seq) !=
        OTI_OK)
        return 0;
    in = oti_cur_of(&seq);
    if (oti_asn1_take(&scratch, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_INTEGER, 0, false, &n) != OTI_OK)
        return 0;
    return int_bits(&n);
}

struct key_kind {
    uint8_t oid[9];
    uint8_t len;
    unsigned bits; /* fixed size; 0: read it from the key */
};

/* 1.2.840.113549.1.1.1, .1.10 (RSA, RSA-PSS), 1.2.840.10040.4.1 (DSA),
 * 1.2.840.10045.2.1 (EC), 1.3.101.110..113 (X25519, X448, Ed25519, Ed448). */
static const struct key_kind keys[] = {
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01}, 9, 0},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a}, 9, 0},
    {{0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01}, 7, 0},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}, 7, 0},
    {{0x2b, 0x65, 0x6e}, 3, 253},
    {{0x2b, 0x65, 0x6f}, 3, 448},
    {{0x2b, 0x65, 0x70}, 3, 253},
    {{0x2b, 0x65, 0x71}, 3, 456},
};

/* Named curves and their sizes. */
static const struct key_kind curves[] = {
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01}, 8, 192},       /* prime192v1 */
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}, 8, 256},       /* prime256v1 */
    {{0x2b, 0x81, 0x04, 0x00, 0x21}, 5, 224},                         /* secp224r1 */
    {{0x2b, 0x81, 0x04, 0x00, 0x22}, 5, 384},                         /* secp384r1 */
    {{0x2b, 0x81, 0x04, 0x00, 0x23}, 5, 521},                         /* secp521r1 */
    {{0x2b, 0x81, 0x04, 0x00, 0x0a}, 5, 256},                         /* secp256k1 */
    {{0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07}, 9, 256}, /* brainpoolP256r1 */
    {{0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b}, 9, 384}, /* brainpoolP384r1 */
    {{0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d}, 9, 512}, /* brainpoolP512r1 */
    {{0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d}, 8, 256},       /* SM2 */
};

unsigned oti_key_bits(struct oti_dec *d, const struct oti_elem *alg_oid,
                      const struct oti_elem *params, const uint8_t *key, size_t key_len,
                      otls_cert_oid *curve)
{
    const struct key_kind *kind = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (oti_oid_eq(alg_oid, keys[i].oid, keys[i].len))
            kind = &keys[i];
    if (kind == NULL)
        return 0;
    if (kind->bits)
        return kind->bits;
    if (kind == &keys[0] || kind == &keys[1]) /* RSAPublicKey in the BIT STRING */
        return first_int_bits(key, key_len);
    if (kind == &keys[2]) /* DSA: p in the parameters */
        return params->start ? first_int_bits(params->start, (size_t)(params->end - params->start))
                             : 0;
    /* EC: a named curve in the parameters. */
    if (params->start == NULL || params->cls != OTI_CLASS_UNIVERSAL || params->tag != OTI_TAG_OID)
        return 0;
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        if (oti_oid_eq(params, curves[i].oid, curves[i].len)) {
            if (oti_oid_fill(d, params->value, params->len, curve) != OTI_OK)
                return 0;
            return curves[i].bits;
        }
    }
    oti_oid_fill(d, params->value, params->len, curve);
    return 0;
}
