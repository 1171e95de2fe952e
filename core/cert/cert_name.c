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

/* Where pass two writes; NULL in pass one (check and count). */
struct sink {
    otls_cert_rdn *rdns;
    otls_cert_attr *attrs;
    size_t nrdn, nattr;
};

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
    if (st == OTI_BAD)
        return OTLS_ERR_INTERNAL; /* checked in pass one */
    return st;
}

/* One AttributeTypeAndValue read and checked, its type and value in *type
 * and *value. canon: pass one of a Name, which also makes the string
 * conversions x509_name_canon makes. */
static int entry_parse(struct oti_dec *d, struct oti_cur *c, bool canon, struct oti_elem *type_out,
                       struct oti_elem *value_out)
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
    if (st != OTI_OK)
        return st;

    /* x509_name_canon converts the string types it knows and fails the
     * whole name on a bad one. */
    if (canon && (value.tag == OTI_TAG_UTF8STRING || value.tag == OTI_TAG_BMPSTRING ||
                  value.tag == OTI_TAG_UNIVERSALSTRING)) {
        st = oti_string_check(d, value.tag, value.value, value.len);
        if (st != OTI_OK)
            return st;
    }
    *type_out = type;
    *value_out = value;
    return OTI_OK;
}

/* Pass two: one attribute, read by entry_parse, into s. */
static int entry_fill(struct oti_dec *d, const struct oti_elem *t, const struct oti_elem *v,
                      struct sink *s, int *render_error)
{
    const struct oti_elem type = *t, value = *v;
    int st;
    otls_cert_attr *attr = &s->attrs[s->nattr++];
    memset(attr, 0, sizeof *attr);
    otls_cert_oid o;
    st = oti_oid_fill(d, type.value, type.len, &o);
    if (st != OTI_OK)
        return st;
    attr->oid = o.oid;
    /* CPython's key: OBJ_obj2txt(no_name=0), which fails for long OIDs;
     * else it is the long name or the dotted form, as o.name (looking it
     * up again cost a tenth of a name's decoding; bench/). */
    attr->name = o.name;
    if (type.len > OTI_OID_TEXT_MAX_OCTETS) {
        attr->name = attr->oid;
        oti_render_fail(d, render_error,
                        "a name attribute type of %zu octets: OpenSSL cannot print it, so "
                        "CPython refuses the certificate",
                        type.len);
    }
    return render_value(d, &value, attr, render_error);
}

/* What pass one read, so that pass two need not read it again (that was
 * a fifth of a name's decoding; bench/). Names with more attributes than
 * this are read twice. */
#define SAVED_MAX 32
struct saved {
    struct oti_elem type[SAVED_MAX], value[SAVED_MAX];
    size_t rdn_count[SAVED_MAX]; /* attributes of each non-empty RDN */
    bool complete;
};

/* Walks the RDNs: pass one (s == NULL) checks and counts, and keeps what it
 * read in sv while it fits; pass two fills. */
static int walk(struct oti_dec *d, const struct oti_elem *name, struct sink *s, size_t *nrdn,
                size_t *nattr, int *render_error, struct saved *sv)
{
    struct oti_cur rdns = oti_cur_of(name);
    *nrdn = *nattr = 0;
    if (s == NULL)
        sv->complete = true;
    while (!oti_cur_empty(&rdns)) {
        struct oti_elem set;
        int st = oti_asn1_take(d, &rdns, OTI_CLASS_UNIVERSAL, OTI_TAG_SET, -1, false, &set);
        if (st != OTI_OK)
            return st;
        struct oti_cur attrs = oti_cur_of(&set);
        size_t first = s ? s->nattr : 0, count = 0;
        while (!oti_cur_empty(&attrs)) {
            struct oti_elem type, value;
            st = entry_parse(d, &attrs, s == NULL, &type, &value);
            if (st == OTI_OK && s != NULL)
                st = entry_fill(d, &type, &value, s, render_error);
            if (st != OTI_OK)
                return st;
            if (s == NULL && *nattr + count < SAVED_MAX) {
                sv->type[*nattr + count] = type;
                sv->value[*nattr + count] = value;
            } else if (s == NULL) {
                sv->complete = false;
            }
            count++;
        }
        if (count == 0)
            continue; /* CPython never sees an empty RDN */
        if (s) {
            s->rdns[s->nrdn].attrs = &s->attrs[first];
            s->rdns[s->nrdn].count = count;
            s->nrdn++;
        } else if (*nrdn < SAVED_MAX) {
            sv->rdn_count[*nrdn] = count;
        } else {
            sv->complete = false;
        }
        (*nrdn)++;
        *nattr += count;
    }
    return OTI_OK;
}

/* Pass two from what pass one kept. */
static int fill_saved(struct oti_dec *d, const struct saved *sv, size_t nrdn, struct sink *s,
                      int *render_error)
{
    size_t k = 0;
    for (size_t r = 0; r < nrdn; r++) {
        size_t first = s->nattr;
        for (size_t i = 0; i < sv->rdn_count[r]; i++, k++) {
            int st = entry_fill(d, &sv->type[k], &sv->value[k], s, render_error);
            if (st != OTI_OK)
                return st;
        }
        s->rdns[s->nrdn].attrs = &s->attrs[first];
        s->rdns[s->nrdn].count = sv->rdn_count[r];
        s->nrdn++;
    }
    return OTI_OK;
}

int oti_name_entry_check(struct oti_dec *d, struct oti_cur *c)
{
    struct oti_elem type, value;
    return entry_parse(d, c, false, &type, &value);
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

    size_t nrdn, nattr;
    struct saved sv;
    st = walk(d, &name, NULL, &nrdn, &nattr, render_error, &sv);
    if (st != OTI_OK)
        return st;
    if (nrdn == 0)
        return OTI_OK;
    struct sink s = {0};
    s.rdns = oti_arena_calloc(d->arena, nrdn, sizeof *s.rdns);
    s.attrs = oti_arena_calloc(d->arena, nattr, sizeof *s.attrs);
    if (s.rdns == NULL || s.attrs == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    if (sv.complete)
        st = fill_saved(d, &sv, nrdn, &s, render_error);
    else
        st = walk(d, &name, &s, &nrdn, &nattr, render_error, &sv);
    if (st != OTI_OK)
        return st;
    out->rdns = s.rdns;
    out->count = s.nrdn;
    return OTI_OK;
}
