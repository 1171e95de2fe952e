/* Reading ASN.1 elements the way OpenSSL 3.0's decoder does.
 *
 * CPython shows what OpenSSL parsed, so omnitls must accept what OpenSSL
 * accepts and reject what it rejects. OpenSSL is not a strict DER reader,
 * and neither is this (core/der.c is strict DER and would drop what Python
 * shows): ASN1_get_object takes high-tag-number forms for any tag and
 * long-form lengths with leading zeros; SEQUENCE OF/SET OF go unchecked
 * for the constructed bit; indefinite lengths are read (the end found as
 * asn1_find_end finds it), and strings may come in constructed chunks,
 * which are collected (asn1_collect). */
#include <limits.h>

#include "cert_internal.h"

/* One identifier and length (ASN1_GET_OBJECT). limit is what OpenSSL
 * would see as the rest of the input: it can reach past c->end inside an
 * indefinite-length element, whose contents OpenSSL reads against the
 * enclosing bound. *inf is set for an indefinite length. */
static int header(struct oti_dec *d, const uint8_t *start, const uint8_t *end, const uint8_t *limit,
                  struct oti_elem *out, bool *inf)
{
    const uint8_t *p = start;
    if (start >= end)
        return oti_dec_fail(d, OTI_BAD, "truncated element at offset %ld",
                            oti_dec_offset(d, start));
    size_t max = (size_t)(limit - p);
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
    *inf = *p == 0x80;
    size_t len = 0;
    if (*inf) {
        p++;
        if (!out->constructed)
            goto bad; /* only constructed encodings may be indefinite */
    } else {
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
        if (len > (size_t)(end - p))
            goto bad;
    }
    out->start = start;
    out->value = p;
    out->len = len;
    out->end = p + len;
    out->limit = out->end;
    return OTI_OK;
bad:
    return oti_dec_fail(d, OTI_BAD, "malformed element header at offset %ld",
                        oti_dec_offset(d, start));
}

static bool at_eoc(const uint8_t *p, const uint8_t *end)
{
    return end - p >= 2 && p[0] == 0 && p[1] == 0;
}

/* asn1_find_end: the end-of-contents octets that close an indefinite
 * element. Iterative (a count of open elements), so hostile nesting costs
 * no stack. */
static int find_end(struct oti_dec *d, const struct oti_cur *c, struct oti_elem *e)
{
    const uint8_t *p = e->value;
    size_t open = 1;
    while (p < c->end) {
        if (at_eoc(p, c->end)) {
            if (--open == 0) {
                e->len = (size_t)(p - e->value);
                e->end = p + 2;
                e->limit = c->limit; /* OpenSSL reads the contents against this */
                return OTI_OK;
            }
            p += 2;
            continue;
        }
        struct oti_elem h;
        bool inf = false;
        int st = header(d, p, c->end, c->limit && c->limit > c->end ? c->limit : c->end, &h, &inf);
        if (st != OTI_OK)
            return st;
        if (inf) {
            if (open == SIZE_MAX)
                return oti_dec_fail(d, OTI_BAD, "nesting too deep");
            open++;
            p = h.value;
        } else {
            p = h.end;
        }
    }
    return oti_dec_fail(d, OTI_BAD, "missing end-of-contents for the element at offset %ld",
                        oti_dec_offset(d, e->start));
}

/* Nearly every element of a certificate has a low tag number and a
 * definite length of at most two octets: those are read here, with
 * header()'s checks for that case, in a function small enough to inline
 * (the general reader's frame was a third of a decode; bench/). False:
 * use the general reader. */
static inline bool fast_header(const struct oti_cur *c, struct oti_elem *out)
{
    const uint8_t *p = c->p;
    if (c->end - p < 2 || (p[0] & 0x1f) == 0x1f)
        return false;
    uint8_t id = p[0]; /* read once: the stores below may alias it */
    size_t room = (size_t)(c->end - p), len = p[1], hl = 2;
    if (len >= 0x80) {
        /* OpenSSL wants one octet beyond the length octets. */
        const uint8_t *limit = c->limit && c->limit > c->end ? c->limit : c->end;
        if (len == 0x81 && limit - p > 3) {
            len = p[2];
            hl = 3;
        } else if (len == 0x82 && limit - p > 4) {
            len = (size_t)p[2] << 8 | p[3];
            hl = 4;
        } else {
            return false;
        }
        if (room < hl)
            return false;
    }
    if (len > room - hl)
        return false;
    out->cls = id & 0xc0;
    out->constructed = (id & 0x20) != 0;
    out->tag = id & 0x1fu;
    out->start = p;
    out->value = p + hl;
    out->len = len;
    out->end = out->limit = p + hl + len;
    return true;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
slow_peek(struct oti_dec *d, const struct oti_cur *c, struct oti_elem *out)
{
    bool inf = false;
    const uint8_t *limit = c->limit && c->limit > c->end ? c->limit : c->end;
    struct oti_elem e = {0}; /* zeroed: GCC cannot tell a failure leaves it unused */
    int st = header(d, c->p, c->end, limit, &e, &inf);
    if (st == OTI_OK && inf)
        st = find_end(d, c, &e);
    *out = e;
    return st;
}

int oti_asn1_peek(struct oti_dec *d, const struct oti_cur *c, struct oti_elem *out)
{
    return fast_header(c, out) ? OTI_OK : slow_peek(d, c, out);
}

/* asn1_collect: the chunks of a constructed string are elements of any
 * tag, primitive (data) or constructed again (at most 5 levels); an
 * end-of-contents marker inside a definite-length string is refused. */
#define STRING_NEST_MAX 5

static int collect(struct oti_dec *d, const struct oti_elem *t, int depth, uint8_t *buf, size_t *n)
{
    struct oti_cur c = oti_cur_of(t);
    while (!oti_cur_empty(&c)) {
        struct oti_elem chunk;
        if (at_eoc(c.p, c.end))
            return oti_dec_fail(d, OTI_BAD, "end-of-contents inside a string");
        int st = oti_asn1_peek(d, &c, &chunk);
        if (st != OTI_OK)
            return st;
        if (chunk.constructed) {
            if (depth >= STRING_NEST_MAX)
                return oti_dec_fail(d, OTI_BAD, "string chunks nested too deep");
            st = collect(d, &chunk, depth + 1, buf, n);
            if (st != OTI_OK)
                return st;
        } else {
            memcpy(buf + *n, chunk.value, chunk.len);
            *n += chunk.len;
        }
        c.p = chunk.end;
    }
    return OTI_OK;
}

int oti_asn1_collect(struct oti_dec *d, struct oti_elem *t)
{
    if (!t->constructed)
        return OTI_OK;
    /* The data is never longer than the element that holds it. */
    uint8_t *buf = oti_arena_alloc(d->arena, t->len ? t->len : 1);
    if (buf == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    size_t n = 0;
    int st = collect(d, t, 0, buf, &n);
    if (st != OTI_OK)
        return st;
    /* start and end stay the element's place in the certificate (where
     * the next element begins); value and len are now the data. */
    t->value = buf;
    t->len = n;
    t->limit = NULL;
    t->constructed = false;
    return OTI_OK;
}

/* oti_asn1_take for everything fast_header cannot read and every failure
 * (everything in small builds). */
#if defined(__GNUC__) && !OTI_DECODER_SMALL
__attribute__((noinline))
#endif
static int
take_slow(struct oti_dec *d, struct oti_cur *c, uint8_t cls, uint32_t tag, int cons, bool optional,
          struct oti_elem *out)
{
    if (oti_cur_empty(c)) {
        if (optional)
            return OTI_ABSENT;
        return oti_dec_fail(d, OTI_BAD, "missing element at offset %ld", oti_dec_offset(d, c->p));
    }
    int st = fast_header(c, out) ? OTI_OK : slow_peek(d, c, out);
    if (st != OTI_OK)
        return st;
    if (out->cls != cls || out->tag != tag) {
        if (optional)
            return OTI_ABSENT;
        return oti_dec_fail(d, OTI_BAD, "unexpected tag at offset %ld",
                            oti_dec_offset(d, out->start));
    }
    if (cons == 1 && !out->constructed)
        return oti_dec_fail(d, OTI_BAD, "primitive encoding of a constructed type at offset %ld",
                            oti_dec_offset(d, out->start));
    if (cons == 0 && out->constructed)
        return oti_dec_fail(d, OTI_BAD, "constructed encoding of a primitive type at offset %ld",
                            oti_dec_offset(d, out->start));
    c->p = out->end;
    if (cons == 2)
        return oti_asn1_collect(d, out);
    return OTI_OK;
}

/* c2i_ibuf: no empty content, no redundant leading 0x00/0xFF octet. */
int oti_asn1_check_integer(struct oti_dec *d, const struct oti_elem *t)
{
    const uint8_t *p = t->value;
    if (t->len == 0)
        return oti_dec_fail(d, OTI_BAD, "empty INTEGER at offset %ld", oti_dec_offset(d, t->start));
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
        return oti_dec_fail(d, OTI_BAD, "INTEGER with illegal padding at offset %ld",
                            oti_dec_offset(d, t->start));
    return OTI_OK;
}

/* c2i_ASN1_BIT_STRING: an unused-bits octet of 0..7 first. */
int oti_asn1_check_bit_string(struct oti_dec *d, const struct oti_elem *t)
{
    if (t->len < 1 || t->value[0] > 7)
        return oti_dec_fail(d, OTI_BAD, "malformed BIT STRING at offset %ld",
                            oti_dec_offset(d, t->start));
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
    return oti_dec_fail(d, OTI_BAD, "malformed OBJECT IDENTIFIER at offset %ld",
                        oti_dec_offset(d, t->start));
}

int oti_asn1_check_any(struct oti_dec *d, struct oti_elem *t)
{
    if (t->cls != OTI_CLASS_UNIVERSAL)
        return OTI_OK; /* kept as raw bytes (V_ASN1_OTHER) */
    switch (t->tag) {
    case OTI_TAG_SEQUENCE:
    case OTI_TAG_SET:
        if (!t->constructed)
            return oti_dec_fail(d, OTI_BAD, "primitive SEQUENCE at offset %ld",
                                oti_dec_offset(d, t->start));
        return OTI_OK;
    case OTI_TAG_NULL:
    case OTI_TAG_BOOLEAN:
    case OTI_TAG_OID:
    case OTI_TAG_INTEGER:
    case OTI_TAG_ENUMERATED:
        if (t->constructed)
            return oti_dec_fail(d, OTI_BAD,
                                "constructed encoding of a primitive type at offset %ld",
                                oti_dec_offset(d, t->start));
        break;
    default:
        if (t->constructed) {
            int st = oti_asn1_collect(d, t);
            if (st != OTI_OK)
                return st;
        }
        break;
    }
    switch (t->tag) {
    case OTI_TAG_OID:
        return oti_asn1_check_oid(d, t);
    case OTI_TAG_NULL:
        return t->len == 0 ? OTI_OK
                           : oti_dec_fail(d, OTI_BAD, "NULL with content at offset %ld",
                                          oti_dec_offset(d, t->start));
    case OTI_TAG_BOOLEAN:
        return t->len == 1 ? OTI_OK
                           : oti_dec_fail(d, OTI_BAD, "BOOLEAN of wrong length at offset %ld",
                                          oti_dec_offset(d, t->start));
    case OTI_TAG_BIT_STRING:
        return oti_asn1_check_bit_string(d, t);
    case OTI_TAG_INTEGER:
    case OTI_TAG_ENUMERATED:
        return oti_asn1_check_integer(d, t);
    case OTI_TAG_BMPSTRING:
        return t->len % 2 == 0 ? OTI_OK
                               : oti_dec_fail(d, OTI_BAD, "BMPString of odd length at offset %ld",
                                              oti_dec_offset(d, t->start));
    case OTI_TAG_UNIVERSALSTRING:
        return t->len % 4 == 0
                   ? OTI_OK
                   : oti_dec_fail(d, OTI_BAD, "UniversalString of bad length at offset %ld",
                                  oti_dec_offset(d, t->start));
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

/* The usual outcomes (the element is there and as expected, or an
 * optional one is not) without a call, so this saves no registers; the
 * rest goes to take_slow. It was a third of a leaf's decode (bench/). */
int oti_asn1_take(struct oti_dec *d, struct oti_cur *c, uint8_t cls, uint32_t tag, int cons,
                  bool optional, struct oti_elem *out)
{
#if !OTI_DECODER_SMALL
    if (fast_header(c, out)) {
        if (out->cls != cls || out->tag != tag) {
            if (optional)
                return OTI_ABSENT;
        } else if (cons < 0 || out->constructed == (cons == 1)) {
            c->p = out->end;
            return OTI_OK;
        }
    } else if (optional && oti_cur_empty(c)) {
        return OTI_ABSENT;
    }
#endif
    return take_slow(d, c, cls, tag, cons, optional, out);
}
