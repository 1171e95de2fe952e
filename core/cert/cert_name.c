/* Distinguished names, as OpenSSL's x509_name_ex_d2i() reads them and
 * CPython's _create_tuple_for_X509_NAME() renders them.
 *
 * OpenSSL: Name ::= SEQUENCE OF SET OF AttributeTypeAndValue (the
 * constructed bit of those two is not checked), at most 1 MB; the value is
 * an ASN1_PRINTABLE: a universal string-ish type from a fixed set; then the
 * name is canonicalised, which converts UTF8String, BMPString,
 * UniversalString (and the one-octet types) to UTF-8 and so refuses bad
 * ones. An empty SET is accepted and contributes nothing.
 *
 * CPython: RDNs are grouped by their SET; each value goes through
 * ASN1_STRING_to_UTF8(), except a BIT STRING, which becomes bytes (None when
 * it has no octets); types that function cannot convert (SEQUENCE, and the
 * odd universal tags OpenSSL lets through) make CPython raise. */
#include "cert_internal.h"

#define NAME_MAX_OCTETS (1024 * 1024) /* X509_NAME_MAX */

/* ASN1_tag2bit(tag) & B_ASN1_PRINTABLE: the universal tags OpenSSL accepts
 * as a name attribute value. */
static bool printable_tag(uint32_t tag)
{
    switch (tag) {
    case 3:  /* BIT STRING */
    case 7:  /* ObjectDescriptor, B_ASN1_UNKNOWN */
    case 8:  /* EXTERNAL */
    case 9:  /* REAL */
    case 11: /* EMBEDDED PDV */
    case 12: /* UTF8String */
    case 13: /* RELATIVE-OID */
    case 14:
    case 15:
    case 16: /* SEQUENCE */
    case 18: /* NumericString */
    case 19: /* PrintableString */
    case 20: /* T61String */
    case 22: /* IA5String */
    case 28: /* UniversalString */
    case 29:
    case 30: /* BMPString */
        return true;
    default:
        return false;
    }
}

/* CPython's rendering of one value into attr. */
static int render_value(struct oti_dec *d, const struct oti_elem *v, otls_cert_attr *attr,
                        int *render_error)
{
    attr->asn1_tag = (int)v->tag;
    if (v->tag == OTI_TAG_BIT_STRING) {
        /* OpenSSL keeps the octets after the unused-bits count and clears
         * the unused bits; Py_BuildValue("y#") of no octets is None. */
        attr->is_bytes = 1;
        size_t n = v->len - 1;
        if (n == 0) {
            attr->value = NULL;
            attr->value_len = 0;
            return OTI_OK;
        }
        char *b = oti_arena_strndup(d->arena, v->value + 1, n);
        if (b == NULL)
            return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
        b[n - 1] = (char)(b[n - 1] & (0xff << v->value[0]));
        attr->value = b;
        attr->value_len = n;
        return OTI_OK;
    }
    int st = oti_string_to_utf8(d, v->tag, v->value, v->len, &attr->value, &attr->value_len);
    if (st == OTI_ABSENT)
        return oti_render_fail(d, render_error,
                               "name attribute %s has a value of ASN.1 type %u, which CPython "
                               "cannot convert to text",
                               attr->name, (unsigned)v->tag);
    return st; /* OTI_BAD: x509_name_canon refuses the string, and the name */
}

/* One attribute's type and value into attr. A string x509_name_canon
 * would refuse gives OTI_BAD. */
static int entry_fill(struct oti_dec *d, const struct oti_elem *type, const struct oti_elem *value,
                      otls_cert_attr *attr, int *render_error)
{
    memset(attr, 0, sizeof *attr);
    otls_cert_oid o;
    int st = oti_oid_fill(d, type->value, type->len, &o);
    if (st != OTI_OK)
        return st;
    attr->oid = o.oid;
    /* CPython's key: OBJ_obj2txt(no_name=0), which fails for long OIDs;
     * else it is the long name or the dotted form, as o.name. */
    attr->name = o.name;
    if (type->len > OTI_OID_TEXT_MAX_OCTETS) {
        attr->name = attr->oid;
        oti_render_fail(d, render_error,
                        "a name attribute type of %zu octets: OpenSSL cannot print it, so "
                        "CPython refuses the certificate",
                        type->len);
    }
    return render_value(d, value, attr, render_error);
}

/* One AttributeTypeAndValue read and checked, and rendered into attr
 * unless it is NULL. The string conversions x509_name_canon makes on a
 * whole Name (and so its refusals) are made when the value is rendered. */
static int entry_parse(struct oti_dec *d, struct oti_cur *c, otls_cert_attr *attr,
                       int *render_error)
{
    struct oti_elem seq, type, value;
    int st = oti_asn1_take(d, c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &seq);
    if (st != OTI_OK)
        return st;
    struct oti_cur in = oti_cur_of(&seq);
    st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_OID, 0, false, &type);
    if (st == OTI_OK)
        st = oti_asn1_check_oid(d, &type);
    if (st == OTI_OK)
        st = oti_asn1_peek(d, &in, &value);
    if (st != OTI_OK)
        return st == OTI_ABSENT ? OTI_BAD : st;
    if (value.cls != OTI_CLASS_UNIVERSAL || !printable_tag(value.tag))
        return oti_dec_fail(d, OTI_BAD, "name attribute value of a type OpenSSL refuses (%u)",
                            (unsigned)value.tag);
    if (value.tag == OTI_TAG_SEQUENCE) {
        if (!value.constructed)
            return oti_dec_fail(d, OTI_BAD, "primitive SEQUENCE in a name");
    }
    in.p = value.end;
    if (value.tag != OTI_TAG_SEQUENCE && (st = oti_asn1_collect(d, &value)) != OTI_OK)
        return st;
    if (!oti_cur_empty(&in))
        return oti_dec_fail(d, OTI_BAD, "extra data in a name attribute");
    if (value.tag == OTI_TAG_BIT_STRING)
        st = oti_asn1_check_bit_string(d, &value);
    else if (value.tag == OTI_TAG_BMPSTRING && value.len % 2)
        st = oti_dec_fail(d, OTI_BAD, "BMPString of odd length in a name");
    else if (value.tag == OTI_TAG_UNIVERSALSTRING && value.len % 4)
        st = oti_dec_fail(d, OTI_BAD, "UniversalString of bad length in a name");
    if (st != OTI_OK || attr == NULL)
        return st;
    return entry_fill(d, &type, &value, attr, render_error);
}

/* An array that starts on the caller's stack and moves to the arena, twice
 * as large, when full: a name is read once (it was read twice, to count
 * and then to fill: a third of a decode; bench/). */
struct vec {
    void *items;
    size_t n, cap;
};

static void *vec_push(struct oti_dec *d, struct vec *v, size_t size)
{
    if (v->n == v->cap) {
        void *more =
            v->cap <= SIZE_MAX / 2 / size ? oti_arena_alloc(d->arena, 2 * v->cap * size) : NULL;
        if (more == NULL)
            return NULL;
        memcpy(more, v->items, v->n * size);
        v->items = more;
        v->cap *= 2;
    }
    return (char *)v->items + v->n++ * size;
}

/* The items in the arena (copied there while still on the stack). */
static void *vec_keep(struct oti_dec *d, struct vec *v, const void *stack, size_t size)
{
    if (v->items != stack)
        return v->items;
    void *p = oti_arena_alloc(d->arena, v->n * size);
    if (p)
        memcpy(p, v->items, v->n * size);
    return p;
}

int oti_name_entry_check(struct oti_dec *d, struct oti_cur *c)
{
    return entry_parse(d, c, NULL, NULL);
}

int oti_name_decode(struct oti_dec *d, struct oti_cur *c, otls_cert_name *out, int *render_error)
{
    struct oti_elem name;
    struct oti_cur capped = *c;
    memset(out, 0, sizeof *out);
    /* OpenSSL reads at most X509_NAME_MAX octets for a name. */
    if ((size_t)(capped.end - capped.p) > NAME_MAX_OCTETS)
        capped.end = capped.p + NAME_MAX_OCTETS;
    int st = oti_asn1_take(d, &capped, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, -1, false, &name);
    if (st != OTI_OK)
        return st;
    c->p = name.end;

    otls_cert_attr attr_stack[12];
    otls_cert_rdn rdn_stack[12];
    struct vec attrs = {attr_stack, 0, 12}, rdns = {rdn_stack, 0, 12};
    struct oti_cur sets = oti_cur_of(&name);
    while (!oti_cur_empty(&sets)) {
        struct oti_elem set;
        st = oti_asn1_take(d, &sets, OTI_CLASS_UNIVERSAL, OTI_TAG_SET, -1, false, &set);
        if (st != OTI_OK)
            return st;
        struct oti_cur in = oti_cur_of(&set);
        size_t count = 0;
        while (!oti_cur_empty(&in)) {
            otls_cert_attr *a = vec_push(d, &attrs, sizeof *a);
            if (a == NULL)
                return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
            if ((st = entry_parse(d, &in, a, render_error)) != OTI_OK)
                return st;
            count++;
        }
        if (count == 0)
            continue; /* CPython never sees an empty RDN */
        otls_cert_rdn *r = vec_push(d, &rdns, sizeof *r);
        if (r == NULL)
            return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
        r->count = count;
    }
    if (rdns.n == 0)
        return OTI_OK;
    otls_cert_attr *a = vec_keep(d, &attrs, attr_stack, sizeof *a);
    otls_cert_rdn *r = vec_keep(d, &rdns, rdn_stack, sizeof *r);
    if (a == NULL || r == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < rdns.n; i++) {
        r[i].attrs = a;
        a += r[i].count;
    }
    out->rdns = r;
    out->count = rdns.n;
    return OTI_OK;
}
