/* GeneralNames: OpenSSL's GENERAL_NAME CHOICE for the decoding, CPython's
 * _get_peer_alt_names() for the text.
 *
 * CPython renders DNS, email and URI itself from the raw IA5String octets
 * (strict UTF-8: anything else raises), IP addresses itself (IPv6 as eight
 * %X groups, no "::"), DirName as a name, Registered ID with
 * i2t_ASN1_OBJECT into a 2047-octet buffer, and the rest through
 * GENERAL_NAME_print(), read back with one BIO_gets() of at most 2046
 * characters and split at the first ':'. */

#include "cert_internal.h"
#include "internal.h"

/* BIO_gets(bio, buf, 2047) reads at most 2046 characters. */
#define GETS_MAX 2046
/* i2t_ASN1_OBJECT(buf, 2047, ...) as CPython calls it. */
#define RID_BUF 2048

struct other_name_kind {
    uint8_t oid[10];
    uint8_t len;
    const char *prefix;
    uint32_t tag; /* the value type GENERAL_NAME_print wants */
};

static const struct other_name_kind other_names[] = {
    {{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x09}, 8, "SmtpUTF8Mailbox:", OTI_TAG_UTF8STRING},
    {{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x05}, 8, "XmppAddr:", OTI_TAG_UTF8STRING},
    {{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x07}, 8, "SRVName:", OTI_TAG_IA5STRING},
    {{0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03}, 10, "UPN:", OTI_TAG_UTF8STRING},
    {{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x08}, 8, "NAIRealm:", OTI_TAG_UTF8STRING},
};

static int set_value(struct oti_dec *d, otls_cert_san *out, const void *s, size_t n)
{
    out->value = oti_arena_strndup(d->arena, s, n);
    out->value_len = n;
    return out->value ? OTI_OK : oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
}

/* "othername:<kind>:<value>" as GENERAL_NAME_print writes it and CPython
 * reads it back; out->value gets what follows "othername:". */
static int other_name_text(struct oti_dec *d, const struct oti_elem *type,
                           const struct oti_elem *value, otls_cert_san *out, int *render_error)
{
    const struct other_name_kind *kind = NULL;
    for (size_t i = 0; i < sizeof other_names / sizeof other_names[0]; i++)
        if (oti_oid_eq(type, other_names[i].oid, other_names[i].len))
            kind = &other_names[i];
    if (kind == NULL || value->cls != OTI_CLASS_UNIVERSAL || value->tag != kind->tag)
        return set_value(d, out, "<unsupported>", 13);

    /* "%.*s" stops at a NUL; BIO_gets stops after a newline. */
    const uint8_t *v = value->value;
    size_t n = value->len;
    const uint8_t *nul = memchr(v, 0, n);
    if (nul)
        n = (size_t)(nul - v);
    size_t room = GETS_MAX - strlen("othername:") - strlen(kind->prefix);
    if (n > room)
        n = room;
    const uint8_t *nl = memchr(v, '\n', n);
    if (nl)
        n = (size_t)(nl - v) + 1;
    size_t plen = strlen(kind->prefix);
    char *text = oti_arena_alloc(d->arena, plen + n + 1);
    if (text == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    memcpy(text, kind->prefix, plen);
    memcpy(text + plen, v, n);
    text[plen + n] = '\0';
    out->value = text;
    out->value_len = plen + n;
    if (!oti_utf8_valid((const uint8_t *)text, plen + n))
        oti_render_fail(d, render_error,
                        "subjectAltName otherName value is not valid UTF-8 (CPython raises "
                        "UnicodeDecodeError)");
    return OTI_OK;
}

/* otherName ::= [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY } */
static int other_name(struct oti_dec *d, const struct oti_elem *gn, otls_cert_san *out,
                      int *render_error)
{
    struct oti_cur in = oti_cur_of(gn), ex;
    struct oti_elem type, wrap, value;
    int st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_OID, 0, false, &type);
    if (st == OTI_OK)
        st = oti_asn1_check_oid(d, &type);
    if (st == OTI_OK)
        st = oti_asn1_take(d, &in, OTI_CLASS_CONTEXT, 0, 1, false, &wrap);
    if (st != OTI_OK)
        return st;
    if (!oti_cur_empty(&in))
        return oti_dec_fail(d, OTI_BAD, "extra data in an otherName");
    ex = oti_cur_of(&wrap);
    st = oti_asn1_peek(d, &ex, &value);
    if (st == OTI_OK)
        st = oti_asn1_check_any(d, &value);
    if (st != OTI_OK)
        return st;
    ex.p = value.end;
    if (!oti_cur_empty(&ex))
        return oti_dec_fail(d, OTI_BAD, "extra data in an otherName value");
    st = oti_oid_fill(d, type.value, type.len, &out->other_name_type);
    if (st != OTI_OK)
        return st;
    return other_name_text(d, &type, &value, out, render_error);
}

/* DirectoryString inside an EDIPartyName: [n] EXPLICIT, the five string
 * types OpenSSL's DIRECTORYSTRING allows. */
static int directory_string(struct oti_dec *d, struct oti_cur *c, uint32_t n, bool optional)
{
    struct oti_elem wrap, s;
    int st = oti_asn1_take(d, c, OTI_CLASS_CONTEXT, n, 1, optional, &wrap);
    if (st != OTI_OK)
        return st;
    struct oti_cur in = oti_cur_of(&wrap);
    st = oti_asn1_peek(d, &in, &s);
    if (st != OTI_OK)
        return st;
    if (s.cls != OTI_CLASS_UNIVERSAL ||
        (s.tag != OTI_TAG_PRINTABLESTRING && s.tag != OTI_TAG_T61STRING &&
         s.tag != OTI_TAG_BMPSTRING && s.tag != OTI_TAG_UNIVERSALSTRING &&
         s.tag != OTI_TAG_UTF8STRING))
        return oti_dec_fail(d, OTI_BAD, "EDIPartyName with a value that is not a DirectoryString");
    in.p = s.end;
    if ((st = oti_asn1_collect(d, &s)) != OTI_OK)
        return st;
    if ((s.tag == OTI_TAG_BMPSTRING && s.len % 2) ||
        (s.tag == OTI_TAG_UNIVERSALSTRING && s.len % 4))
        return oti_dec_fail(d, OTI_BAD, "EDIPartyName string of bad length");
    return oti_cur_empty(&in) ? OTI_OK : oti_dec_fail(d, OTI_BAD, "extra data in EDIPartyName");
}

/* Writes v in base 10 (base 16 uppercase when hex) at o; returns the end. */
static char *put_num(char *o, unsigned v, bool hex)
{
    char tmp[8];
    size_t k = 0;
    unsigned base = hex ? 16 : 10;
    do {
        tmp[k++] = "0123456789ABCDEF"[v % base];
        v /= base;
    } while (v != 0);
    while (k > 0)
        *o++ = tmp[--k];
    return o;
}

/* CPython's "%d.%d.%d.%d" and eight "%X" groups, without printf (it was
 * most of a leaf's subjectAltName; bench/). */
static int ip_text(struct oti_dec *d, const struct oti_elem *gn, otls_cert_san *out)
{
    char buf[48], *o = buf;
    const uint8_t *p = gn->value;
    if (gn->len == 4 || gn->len == 16) {
        bool v6 = gn->len == 16;
        for (size_t i = 0; i < (v6 ? 8u : 4u); i++) {
            if (i)
                *o++ = v6 ? ':' : '.';
            o = put_num(o, v6 ? (unsigned)(p[2 * i] << 8 | p[2 * i + 1]) : p[i], v6);
        }
        return set_value(d, out, buf, (size_t)(o - buf));
    }
    return set_value(d, out, "<invalid>", 9);
}

static int registered_id(struct oti_dec *d, const struct oti_elem *gn, otls_cert_san *out,
                         int *render_error)
{
    int st = oti_asn1_check_oid(d, gn);
    if (st != OTI_OK)
        return st;
    const char *text = oti_oid_text(d, gn->value, gn->len, &st);
    if (st == OTLS_ERR_NO_MEMORY)
        return st;
    if (st != OTI_OK) {
        oti_render_fail(d, render_error,
                        "subjectAltName registeredID of %zu octets: OpenSSL cannot print it, so "
                        "CPython refuses the certificate",
                        gn->len);
        return set_value(d, out, "", 0);
    }
    size_t n = strlen(text);
    if (n >= RID_BUF)
        return set_value(d, out, "<INVALID>", 9);
    if (n == RID_BUF - 1) {
        /* The buffer held n - 1 characters and a NUL; CPython takes n
         * octets, the NUL included. */
        st = set_value(d, out, text, n);
        if (st == OTI_OK)
            ((char *)out->value)[n - 1] = '\0';
        return st;
    }
    return set_value(d, out, text, n);
}

/* One GeneralName at the cursor, into out. */
static int general_name(struct oti_dec *d, struct oti_cur *c, otls_cert_san *out, int *render_error)
{
    static const char *const labels[] = {"othername", "email",      "DNS",
                                         "X400Name",  "DirName",    "EdiPartyName",
                                         "URI",       "IP Address", "Registered ID"};
    struct oti_elem gn;
    int st = oti_asn1_peek(d, c, &gn);
    if (st != OTI_OK)
        return st;
    if (gn.cls != OTI_CLASS_CONTEXT || gn.tag > 8)
        return oti_dec_fail(d, OTI_BAD, "GeneralName of unknown type");
    c->p = gn.end;
    memset(out, 0, sizeof *out);
    out->type = (otls_san_type)gn.tag;
    out->label = labels[gn.tag];
    out->raw = gn.value;
    out->raw_len = gn.len;
    switch (gn.tag) {
    case OTLS_SAN_OTHER_NAME:
    case OTLS_SAN_X400:
    case OTLS_SAN_DIRNAME:
    case OTLS_SAN_EDI_PARTY:
        if (!gn.constructed)
            return oti_dec_fail(d, OTI_BAD, "primitive encoding of a constructed GeneralName");
        out->raw = gn.start;
        out->raw_len = (size_t)(gn.end - gn.start);
        break;
    case OTLS_SAN_REGISTERED_ID:
        if (gn.constructed)
            return oti_dec_fail(d, OTI_BAD, "constructed registeredID");
        break;
    default: /* IA5String and OCTET STRING */
        if ((st = oti_asn1_collect(d, &gn)) != OTI_OK)
            return st;
        out->raw = gn.value;
        out->raw_len = gn.len;
        break;
    }

    switch (gn.tag) {
    case OTLS_SAN_OTHER_NAME:
        return other_name(d, &gn, out, render_error);
    case OTLS_SAN_EMAIL:
    case OTLS_SAN_DNS:
    case OTLS_SAN_URI:
        if (!oti_utf8_valid(gn.value, gn.len))
            oti_render_fail(d, render_error,
                            "subjectAltName %s value is not valid UTF-8 (CPython raises "
                            "UnicodeDecodeError)",
                            out->label);
        return set_value(d, out, gn.value, gn.len);
    case OTLS_SAN_X400: /* kept as raw bytes by OpenSSL */
        return set_value(d, out, "<unsupported>", 13);
    case OTLS_SAN_DIRNAME: {
        struct oti_cur in = oti_cur_of(&gn);
        st = oti_name_decode(d, &in, &out->dirname, render_error);
        if (st == OTI_OK && !oti_cur_empty(&in))
            st = oti_dec_fail(d, OTI_BAD, "extra data after a directoryName");
        return st;
    }
    case OTLS_SAN_EDI_PARTY: {
        struct oti_cur in = oti_cur_of(&gn);
        st = directory_string(d, &in, 0, true);
        if (st == OTI_ABSENT || st == OTI_OK)
            st = directory_string(d, &in, 1, false);
        if (st == OTI_OK && !oti_cur_empty(&in))
            st = oti_dec_fail(d, OTI_BAD, "extra data in EDIPartyName");
        if (st != OTI_OK)
            return st;
        return set_value(d, out, "<unsupported>", 13);
    }
    case OTLS_SAN_IP:
        return ip_text(d, &gn, out);
    default:
        return registered_id(d, &gn, out, render_error);
    }
}

int oti_general_name_uri(struct oti_dec *d, struct oti_cur *c, struct oti_elem *uri, bool *is_uri)
{
    otls_cert_san scratch;
    /* CPython renders none of these names: no render errors. */
    int st = general_name(d, c, &scratch, NULL);
    if (st != OTI_OK)
        return st;
    *is_uri = scratch.type == OTLS_SAN_URI;
    memset(uri, 0, sizeof *uri);
    uri->value = scratch.raw; /* the IA5String's octets, collected if BER */
    uri->len = scratch.raw_len;
    return OTI_OK;
}

int oti_general_names(struct oti_dec *d, struct oti_cur *c, const otls_cert_san **out,
                      size_t *count, int *render_error)
{
    struct oti_elem list;
    /* SEQUENCE OF: OpenSSL does not check the constructed bit here. */
    int st = oti_asn1_take(d, c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, -1, false, &list);
    if (st != OTI_OK)
        return st;
    /* Count the elements first so the array is sized by what is there. */
    size_t n = 0;
    struct oti_cur in = oti_cur_of(&list);
    while (!oti_cur_empty(&in)) {
        struct oti_elem t;
        st = oti_asn1_peek(d, &in, &t);
        if (st != OTI_OK)
            return st;
        in.p = t.end;
        n++;
    }
    otls_cert_san *sans = oti_arena_calloc(d->arena, n ? n : 1, sizeof *sans);
    if (sans == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    in = oti_cur_of(&list);
    for (size_t i = 0; i < n; i++) {
        st = general_name(d, &in, &sans[i], render_error);
        if (st != OTI_OK)
            return st;
    }
    *out = sans;
    *count = n;
    return OTI_OK;
}
