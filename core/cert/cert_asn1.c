/* Reading ASN.1 elements the way OpenSSL 3.0's decoder does.
 *
 * CPython shows what OpenSSL parsed, so omnitls must accept what OpenSSL
 * accepts and reject what it rejects. OpenSSL is not a strict DER reader:
 * ASN1_get_object takes high-tag-number forms for any tag, long-form
 * lengths with leading zeros, and SEQUENCE OF/SET OF without checking the
 * constructed bit. Those are mirrored here (core/der.c is strict DER and
 * would drop what Python shows). Two BER forms are not: indefinite lengths
 * and constructed strings; certificates are signed DER and never use them,
 * so omnitls refuses them with a clear error instead of guessing. */
#include <limits.h>

#include "cert_internal.h"

int oti_asn1_peek(struct oti_dec *d, const struct oti_cur *c, struct oti_elem *out)
{
    const uint8_t *start = c->p, *p = c->p;
    if (c->p >= c->end)
        return oti_dec_fail(d, OTI_BAD, "truncated element at offset %td", start - d->der);
    size_t max = (size_t)(c->end - p);
    uint8_t id = *p;
    out->cls = id & 0xc0;
    out->constructed = (id & 0x20) != 0;
    if ((id & 0x1f) == 0x1f) {
        /* High tag number: base-128 digits (leading 0x80 tolerated). */
        uint32_t tag = 0;
        p++;
        if (--max == 0)
            goto bad;
        while (*p & 0x80) {
            tag = tag << 7 | (*p++ & 0x7f);
            if (--max == 0 || tag > (INT_MAX >> 7))
                goto bad;
        }
        tag = tag << 7 | (*p++ & 0x7f);
        if (--max == 0)
            goto bad;
        out->tag = tag;
    } else {
        out->tag = id & 0x1f;
        p++;
        if (--max == 0)
            goto bad;
    }
    /* Length (asn1_get_length). max is what follows the identifier. */
    max--; /* the first length octet */
    if (*p == 0x80) {
        if (!out->constructed)
            goto bad;
        return oti_dec_fail(d, OTLS_ERR_PARSE,
                            "BER indefinite length at offset %td: not supported (certificates "
                            "are DER)",
                            start - d->der);
    }
    size_t len;
    size_t n = *p & 0x7f;
    if (*p++ & 0x80) {
        if (max < n + 1)
            goto bad; /* OpenSSL wants one octet beyond the length octets */
        while (n > 0 && *p == 0) {
            p++;
            n--;
        }
        if (n > sizeof(long))
            goto bad;
        uint64_t v = 0;
        while (n > 0) {
            v = v << 8 | *p++;
            n--;
        }
        if (v > LONG_MAX)
            goto bad;
        len = (size_t)v;
    } else {
        len = n;
    }
    if (len > (size_t)(c->end - p))
        goto bad;
    out->start = start;
    out->value = p;
    out->len = len;
    out->end = p + len;
    return OTI_OK;
bad:
    return oti_dec_fail(d, OTI_BAD, "malformed element header at offset %td", start - d->der);
}

int oti_asn1_refuse_constructed(struct oti_dec *d, const struct oti_elem *t)
{
    return oti_dec_fail(d, OTLS_ERR_PARSE,
                        "BER constructed string at offset %td: not supported (certificates "
                        "are DER)",
                        t->start - d->der);
}

int oti_asn1_take(struct oti_dec *d, struct oti_cur *c, uint8_t cls, uint32_t tag, int cons,
                  bool optional, struct oti_elem *out)
{
    if (oti_cur_empty(c)) {
        if (optional)
            return OTI_ABSENT;
        return oti_dec_fail(d, OTI_BAD, "missing element at offset %td", c->p - d->der);
    }
    int st = oti_asn1_peek(d, c, out);
    if (st != OTI_OK)
        return st;
    if (out->cls != cls || out->tag != tag) {
        if (optional)
            return OTI_ABSENT;
        return oti_dec_fail(d, OTI_BAD, "unexpected tag at offset %td", out->start - d->der);
    }
    if (cons == 1 && !out->constructed)
        return oti_dec_fail(d, OTI_BAD, "primitive encoding of a constructed type at offset %td",
                            out->start - d->der);
    if (cons == 0 && out->constructed)
        return oti_dec_fail(d, OTI_BAD, "constructed encoding of a primitive type at offset %td",
                            out->start - d->der);
    if (cons == 2 && out->constructed)
        return oti_asn1_refuse_constructed(d, out);
    c->p = out->end;
    return OTI_OK;
}

/* c2i_ibuf: no empty content, no redundant leading 0x00/0xFF octet. */
int oti_asn1_check_integer(struct oti_dec *d, const struct oti_elem *t)
{
    const uint8_t *p = t->value;
    if (t->len == 0)
        return oti_dec_fail(d, OTI_BAD, "empty INTEGER at offset %td", t->start - d->der);
    if (t->len == 1)
        return OTI_OK;
    int neg = p[0] & 0x80;
    int pad = 0;
    if (p[0] == 0) {
        pad = 1;
    } else if (p[0] == 0xff) {
        for (size_t i = 1; i < t->len; i++)
            pad |= p[i];
        pad = pad != 0;
    }
    if (pad && neg == (p[1] & 0x80))
        return oti_dec_fail(d, OTI_BAD, "INTEGER with illegal padding at offset %td",
                            t->start - d->der);
    return OTI_OK;
}

/* c2i_ASN1_BIT_STRING: an unused-bits octet of 0..7 first. */
int oti_asn1_check_bit_string(struct oti_dec *d, const struct oti_elem *t)
{
    if (t->len < 1 || t->value[0] > 7)
        return oti_dec_fail(d, OTI_BAD, "malformed BIT STRING at offset %td", t->start - d->der);
    return OTI_OK;
}

/* c2i_ASN1_OBJECT: content, last octet ends a sub-identifier, and no
 * sub-identifier starts with 0x80. */
int oti_asn1_check_oid(struct oti_dec *d, const struct oti_elem *t)
{
    const uint8_t *p = t->value;
    if (t->len == 0 || p[t->len - 1] & 0x80)
        goto bad;
    for (size_t i = 0; i < t->len; i++)
        if (p[i] == 0x80 && (i == 0 || !(p[i - 1] & 0x80)))
            goto bad;
    return OTI_OK;
bad:
    return oti_dec_fail(d, OTI_BAD, "malformed OBJECT IDENTIFIER at offset %td", t->start - d->der);
}

int oti_asn1_check_any(struct oti_dec *d, const struct oti_elem *t)
{
    if (t->cls != OTI_CLASS_UNIVERSAL)
        return OTI_OK; /* kept as raw bytes (V_ASN1_OTHER) */
    switch (t->tag) {
    case OTI_TAG_SEQUENCE:
    case OTI_TAG_SET:
        if (!t->constructed)
            return oti_dec_fail(d, OTI_BAD, "primitive SEQUENCE at offset %td", t->start - d->der);
        return OTI_OK;
    case OTI_TAG_NULL:
    case OTI_TAG_BOOLEAN:
    case OTI_TAG_OID:
    case OTI_TAG_INTEGER:
    case OTI_TAG_ENUMERATED:
        if (t->constructed)
            return oti_dec_fail(d, OTI_BAD,
                                "constructed encoding of a primitive type at offset %td",
                                t->start - d->der);
        break;
    default:
        if (t->constructed)
            return oti_asn1_refuse_constructed(d, t);
        break;
    }
    switch (t->tag) {
    case OTI_TAG_OID:
        return oti_asn1_check_oid(d, t);
    case OTI_TAG_NULL:
        return t->len == 0
                   ? OTI_OK
                   : oti_dec_fail(d, OTI_BAD, "NULL with content at offset %td", t->start - d->der);
    case OTI_TAG_BOOLEAN:
        return t->len == 1 ? OTI_OK
                           : oti_dec_fail(d, OTI_BAD, "BOOLEAN of wrong length at offset %td",
                                          t->start - d->der);
    case OTI_TAG_BIT_STRING:
        return oti_asn1_check_bit_string(d, t);
    case OTI_TAG_INTEGER:
    case OTI_TAG_ENUMERATED:
        return oti_asn1_check_integer(d, t);
    case OTI_TAG_BMPSTRING:
        return t->len % 2 == 0 ? OTI_OK
                               : oti_dec_fail(d, OTI_BAD, "BMPString of odd length at offset %td",
                                              t->start - d->der);
    case OTI_TAG_UNIVERSALSTRING:
        return t->len % 4 == 0
                   ? OTI_OK
                   : oti_dec_fail(d, OTI_BAD, "UniversalString of bad length at offset %td",
                                  t->start - d->der);
    default:
        return OTI_OK;
    }
}

/* ASN1_INTEGER_get_int64: at most 8 magnitude octets, in range. */
bool oti_asn1_int64(const struct oti_elem *t, int64_t *out)
{
    const uint8_t *p = t->value;
    size_t n = t->len;
    bool neg = n > 0 && (p[0] & 0x80);
    /* Magnitude as c2i_ibuf computes it. */
    uint8_t mag[9];
    if (n == 0)
        return false;
    if (n > 1 && (p[0] == 0 || (p[0] == 0xff && neg))) {
        bool others = false;
        for (size_t i = 1; i < n; i++)
            others |= p[i] != 0;
        if (p[0] == 0 || others) {
            p++;
            n--;
        }
    }
    if (n > 8)
        return false;
    if (neg) {
        unsigned carry = 1;
        for (size_t i = n; i-- > 0;) {
            unsigned v = (uint8_t)~p[i] + carry;
            mag[i] = (uint8_t)v;
            carry = v >> 8;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            mag[i] = p[i];
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | mag[i];
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > INT64_MAX)
            return false;
        *out = (int64_t)v;
    }
    return true;
}
