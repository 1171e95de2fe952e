/* Extensions. d2i_X509 checks each Extension's shape; CPython then asks
 * X509_get_ext_d2i() for subjectAltName, authorityInfoAccess and
 * cRLDistributionPoints. That call answers NULL (and CPython leaves the
 * key out) when the extension is absent, present more than once, or
 * undecodable; it decodes the OCTET STRING's content and ignores bytes
 * after the value. The extensions omnitls adds (basicConstraints, key
 * usage, extended key usage) follow the same rule. */
#include <limits.h>

#include "cert_internal.h"

struct ext_ref {
    const struct oti_elem *value; /* the extnValue OCTET STRING */
    struct oti_elem copy;
    int seen;
};

/* An extension undecodable by OpenSSL is dropped, not an error: forget the
 * reason recorded for it. */
static int soft(struct oti_dec *d, int st)
{
    if (st == OTI_BAD) {
        oti_dec_forget(d);
        return OTI_ABSENT;
    }
    return st;
}

/* AccessDescription URIs of one method, or crlDistributionPoints URIs. */
struct uri_list {
    otls_cert_text *items;
    size_t count;
};

static int add_uri(struct oti_dec *d, struct uri_list *l, const struct oti_elem *uri,
                   const char *what, int *render_error)
{
    if (!oti_utf8_valid(uri->value, uri->len))
        oti_render_fail(d, render_error,
                        "%s URI is not valid UTF-8 (CPython raises UnicodeDecodeError)", what);
    if (l->items == NULL)
        return OTI_OK; /* counting */
    otls_cert_text *t = &l->items[l->count];
    t->data = oti_arena_strndup(d->arena, uri->value, uri->len);
    t->len = uri->len;
    if (t->data == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    return OTI_OK;
}

/* AUTHORITY_INFO_ACCESS ::= SEQUENCE OF SEQUENCE { method OID, location
 * GeneralName }. Walked twice: to check and count, then to fill. */
static int aia_walk(struct oti_dec *d, const struct oti_elem *v, struct uri_list *ocsp,
                    struct uri_list *cai, int *render_error)
{
    struct oti_cur c = oti_cur_of(v), in;
    struct oti_elem list, ad, method, uri;
    int st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, -1, false, &list);
    if (st != OTI_OK)
        return st;
    c = oti_cur_of(&list);
    while (!oti_cur_empty(&c)) {
        st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &ad);
        if (st != OTI_OK)
            return st;
        in = oti_cur_of(&ad);
        bool is_uri = false;
        st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_OID, 0, false, &method);
        if (st == OTI_OK)
            st = oti_asn1_check_oid(d, &method);
        if (st == OTI_OK)
            st = oti_general_name_uri(d, &in, &uri, &is_uri);
        if (st == OTI_OK && !oti_cur_empty(&in))
            st = oti_dec_fail(d, OTI_BAD, "extra data in an AccessDescription");
        if (st != OTI_OK)
            return st;
        if (!is_uri)
            continue;
        struct uri_list *l = oti_oid_eq(&method, OTI_OID(ad_ocsp))         ? ocsp
                             : oti_oid_eq(&method, OTI_OID(ad_ca_issuers)) ? cai
                                                                           : NULL;
        if (l == NULL)
            continue;
        st = add_uri(d, l, &uri, "authorityInfoAccess", render_error);
        if (st != OTI_OK)
            return st;
        l->count++;
    }
    return OTI_OK;
}

/* CRL_DIST_POINTS ::= SEQUENCE OF SEQUENCE { distributionPoint [0] EXPLICIT
 * CHOICE { fullName [0] IMPLICIT GeneralNames, nameRelativeToCRLIssuer [1]
 * IMPLICIT SET OF AttributeTypeAndValue } OPTIONAL, reasons [1] IMPLICIT
 * BIT STRING OPTIONAL, cRLIssuer [2] IMPLICIT GeneralNames OPTIONAL }.
 * CPython takes the URIs of each fullName (a relative name yields none). */
static int crldp_walk(struct oti_dec *d, const struct oti_elem *v, struct uri_list *out,
                      int *render_error)
{
    struct oti_cur c = oti_cur_of(v), dp, in;
    struct oti_elem list, point, wrap, choice, t;
    int st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, -1, false, &list);
    if (st != OTI_OK)
        return st;
    c = oti_cur_of(&list);
    while (!oti_cur_empty(&c)) {
        st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &point);
        if (st != OTI_OK)
            return st;
        dp = oti_cur_of(&point);
        st = oti_asn1_take(d, &dp, OTI_CLASS_CONTEXT, 0, 1, true, &wrap);
        if (st == OTI_OK) {
            in = oti_cur_of(&wrap);
            st = oti_asn1_peek(d, &in, &choice);
            if (st != OTI_OK)
                return st;
            in.p = choice.end;
            if (!oti_cur_empty(&in))
                return oti_dec_fail(d, OTI_BAD, "extra data in a distributionPoint");
            if (choice.cls != OTI_CLASS_CONTEXT || choice.tag > 1)
                return oti_dec_fail(d, OTI_BAD, "unknown DistributionPointName");
            struct oti_cur names = oti_cur_of(&choice);
            while (!oti_cur_empty(&names)) {
                if (choice.tag == 0) {
                    bool is_uri = false;
                    st = oti_general_name_uri(d, &names, &t, &is_uri);
                    if (st == OTI_OK && is_uri) {
                        st = add_uri(d, out, &t, "crlDistributionPoints", render_error);
                        out->count++;
                    }
                } else {
                    /* An AttributeTypeAndValue: checked, not canonicalised. */
                    st = oti_name_entry_check(d, &names);
                }
                if (st != OTI_OK)
                    return st;
            }
        } else if (st != OTI_ABSENT) {
            return st;
        }
        st = oti_asn1_take(d, &dp, OTI_CLASS_CONTEXT, 1, 2, true, &t);
        if (st == OTI_OK)
            st = oti_asn1_check_bit_string(d, &t);
        if (st != OTI_OK && st != OTI_ABSENT)
            return st;
        st = oti_asn1_take(d, &dp, OTI_CLASS_CONTEXT, 2, -1, true, &t);
        if (st == OTI_OK) {
            /* cRLIssuer: GeneralNames with an IMPLICIT tag. */
            struct oti_cur names = oti_cur_of(&t);
            while (st == OTI_OK && !oti_cur_empty(&names)) {
                bool is_uri;
                struct oti_elem u;
                st = oti_general_name_uri(d, &names, &u, &is_uri);
            }
        }
        if (st != OTI_OK && st != OTI_ABSENT)
            return st;
        if (!oti_cur_empty(&dp))
            return oti_dec_fail(d, OTI_BAD, "extra data in a DistributionPoint");
    }
    return OTI_OK;
}

static int walk_uris(struct oti_dec *d, const struct oti_elem *v, bool aia, struct uri_list *a,
                     struct uri_list *b, int *render_error)
{
    return aia ? aia_walk(d, v, a, b, render_error) : crldp_walk(d, v, a, render_error);
}

static int alloc_list(struct oti_dec *d, struct uri_list *l)
{
    l->items = oti_arena_calloc(d->arena, l->count ? l->count : 1, sizeof *l->items);
    l->count = 0;
    return l->items ? OTI_OK : oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
}

/* authorityInfoAccess (aia) or cRLDistributionPoints: checked and counted,
 * then filled. */
static int uris(struct oti_dec *d, const struct oti_elem *v, bool aia, struct uri_list *a,
                struct uri_list *b)
{
    int render_error = OTI_OK;
    int st = soft(d, walk_uris(d, v, aia, a, b, &render_error));
    if (st != OTI_OK)
        return st;
    if (render_error != OTI_OK)
        return oti_render_raise(d, render_error);
    if ((st = alloc_list(d, a)) != OTI_OK || (aia && (st = alloc_list(d, b)) != OTI_OK))
        return st;
    return walk_uris(d, v, aia, a, b, &render_error);
}

static int basic_constraints(struct oti_dec *d, const struct oti_elem *v, otls_cert *out)
{
    struct oti_cur c = oti_cur_of(v), in;
    struct oti_elem seq, t;
    int st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &seq);
    if (st != OTI_OK)
        return st;
    in = oti_cur_of(&seq);
    int is_ca = 0;
    long path_len = -1;
    st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_BOOLEAN, 0, true, &t);
    if (st == OTI_OK) {
        if (t.len != 1)
            return oti_dec_fail(d, OTI_BAD, "BOOLEAN of wrong length");
        is_ca = t.value[0] != 0;
    } else if (st != OTI_ABSENT) {
        return st;
    }
    st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_INTEGER, 0, true, &t);
    if (st == OTI_OK) {
        int64_t v64;
        st = oti_asn1_check_integer(d, &t);
        if (st != OTI_OK)
            return st;
        if (oti_asn1_int64(&t, &v64) && v64 >= 0 && v64 <= LONG_MAX)
            path_len = (long)v64;
    } else if (st != OTI_ABSENT) {
        return st;
    }
    if (!oti_cur_empty(&in))
        return oti_dec_fail(d, OTI_BAD, "extra data in basicConstraints");
    out->has_basic_constraints = 1;
    out->is_ca = is_ca;
    out->path_len = path_len;
    return OTI_OK;
}

static int key_usage(struct oti_dec *d, const struct oti_elem *v, otls_cert *out)
{
    struct oti_cur c = oti_cur_of(v);
    struct oti_elem t;
    int st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_BIT_STRING, 2, false, &t);
    if (st == OTI_OK)
        st = oti_asn1_check_bit_string(d, &t);
    if (st != OTI_OK)
        return st;
    unsigned bits = 0;
    size_t n = t.len - 1;
    for (unsigned i = 0; i < 9 && i / 8 < n; i++) {
        uint8_t byte = t.value[1 + i / 8];
        if (i / 8 == n - 1)
            byte = (uint8_t)(byte & (0xff << t.value[0])); /* unused bits */
        if (byte & (0x80 >> (i % 8)))
            bits |= 1u << i;
    }
    out->has_key_usage = 1;
    out->key_usage = bits;
    return OTI_OK;
}

static int ext_key_usage(struct oti_dec *d, const struct oti_elem *v, otls_cert *out)
{
    struct oti_cur c = oti_cur_of(v), in;
    struct oti_elem seq, t;
    int st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, -1, false, &seq);
    if (st != OTI_OK)
        return st;
    size_t n = 0;
    for (in = oti_cur_of(&seq); !oti_cur_empty(&in); n++) {
        st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_OID, 0, false, &t);
        if (st == OTI_OK)
            st = oti_asn1_check_oid(d, &t);
        if (st != OTI_OK)
            return st;
    }
    otls_cert_oid *list = oti_arena_calloc(d->arena, n ? n : 1, sizeof *list);
    if (list == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    in = oti_cur_of(&seq);
    for (size_t i = 0; i < n; i++) {
        oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_OID, 0, false, &t);
        st = oti_oid_fill(d, t.value, t.len, &list[i]);
        if (st != OTI_OK)
            return st;
    }
    out->has_ext_key_usage = 1;
    out->ext_key_usage = list;
    out->ext_key_usage_count = n;
    return OTI_OK;
}

/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING }; notes where the ones of interest are. */
static int scan(struct oti_dec *d, const struct oti_elem *list, struct ext_ref refs[6])
{
    static const struct {
        const uint8_t *oid;
        size_t len;
    } wanted[6] = {{OTI_OID(san)},   {OTI_OID(aia)},       {OTI_OID(crldp)},
                   {OTI_OID(basic)}, {OTI_OID(key_usage)}, {OTI_OID(eku)}};
    struct oti_cur c = oti_cur_of(list);
    while (!oti_cur_empty(&c)) {
        struct oti_elem e, oid, t;
        int st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &e);
        if (st != OTI_OK)
            return st;
        struct oti_cur in = oti_cur_of(&e);
        st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_OID, 0, false, &oid);
        if (st == OTI_OK)
            st = oti_asn1_check_oid(d, &oid);
        if (st != OTI_OK)
            return st;
        st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_BOOLEAN, 0, true, &t);
        if (st == OTI_OK && t.len != 1)
            return oti_dec_fail(d, OTI_BAD, "extension's critical flag of wrong length");
        if (st != OTI_OK && st != OTI_ABSENT)
            return st;
        st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_OCTET_STRING, 2, false, &t);
        if (st != OTI_OK)
            return st;
        if (!oti_cur_empty(&in))
            return oti_dec_fail(d, OTI_BAD, "extra data in an extension");
        /* Five of the six are id-ce (2.5.29.x): look at the last octet
         * only then, instead of comparing with each. */
        for (int i = 0; i < 6; i++) {
            if (oid.len == 3 && oid.value[0] == 0x55 && oid.value[1] == 0x1d
                    ? wanted[i].len == 3 && wanted[i].oid[2] == oid.value[2]
                    : oti_oid_eq(&oid, wanted[i].oid, wanted[i].len)) {
                refs[i].seen++;
                refs[i].copy = t; /* t is reused for the next extension */
                refs[i].value = &refs[i].copy;
            }
        }
    }
    return OTI_OK;
}

int oti_extensions_decode(struct oti_dec *d, const struct oti_elem *exts, otls_cert *out)
{
    struct oti_cur c = oti_cur_of(exts);
    struct oti_elem list;
    /* [3] EXPLICIT SEQUENCE OF Extension */
    int st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, -1, false, &list);
    if (st != OTI_OK)
        return st;
    if (!oti_cur_empty(&c))
        return oti_dec_fail(d, OTI_BAD, "extra data after the extensions");
    struct ext_ref refs[6];
    for (int i = 0; i < 6; i++)
        refs[i].seen = 0; /* the rest is set where seen (zeroing it all was 8% of a leaf) */
    st = scan(d, &list, refs);
    if (st != OTI_OK)
        return st;
    /* X509_get_ext_d2i: exactly one occurrence, and it must decode. */
    if (refs[0].seen == 1) {
        struct oti_cur v = oti_cur_of(refs[0].value);
        int render_error = OTI_OK;
        const otls_cert_san *sans = NULL;
        size_t n = 0;
        st = soft(d, oti_general_names(d, &v, &sans, &n, &render_error));
        if (st == OTI_OK) {
            if (render_error != OTI_OK)
                return oti_render_raise(d, render_error);
            out->has_san = 1;
            out->san = sans;
            out->san_count = n;
        } else if (st != OTI_ABSENT) {
            return st;
        }
    }
    if (refs[1].seen == 1) {
        struct uri_list ocsp = {0}, cai = {0};
        st = uris(d, refs[1].value, true, &ocsp, &cai);
        if (st == OTI_OK) {
            out->ocsp = ocsp.items;
            out->ocsp_count = ocsp.count;
            out->ca_issuers = cai.items;
            out->ca_issuers_count = cai.count;
        } else if (st != OTI_ABSENT) {
            return st;
        }
    }
    if (refs[2].seen == 1) {
        struct uri_list dp = {0};
        st = uris(d, refs[2].value, false, &dp, NULL);
        if (st == OTI_OK) {
            out->crl_distribution_points = dp.items;
            out->crl_distribution_points_count = dp.count;
        } else if (st != OTI_ABSENT) {
            return st;
        }
    }
    /* Beyond Python: a bad extension leaves its has_* at 0. */
    int (*const more[3])(struct oti_dec *, const struct oti_elem *,
                         otls_cert *) = {basic_constraints, key_usage, ext_key_usage};
    for (int i = 0; i < 3; i++) {
        if (refs[3 + i].seen != 1)
            continue;
        st = soft(d, more[i](d, refs[3 + i].value, out));
        if (st < 0)
            return st;
    }
    return OTI_OK;
}
