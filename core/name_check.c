/* The client's peer-name check with OpenSSL's rules (name_check.h), read
 * from the certificate's DER with the core's DER reader. The OpenSSL
 * backend uses OpenSSL's own check; tests/core/test_name_check.c holds this
 * one to it, case by case. */
#include <stdbool.h>
#include <string.h>

#include "der.h"
#include "name_check.h"
#include "utf8.h"

/* ---- IP literals: glibc inet_pton's rules ---- */

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The whole of s (up to its NUL) is a dotted quad: four decimal numbers up
 * to 255, none with a leading zero. */
static bool ipv4_parse(const char *s, uint8_t out[4])
{
    uint8_t tmp[4] = {0};
    int octets = 0;
    bool digit_seen = false;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (!digit_seen) {
                if (++octets > 4)
                    return false;
                digit_seen = true;
            } else if (tmp[octets - 1] == 0) {
                return false; /* a leading zero */
            }
            unsigned value = tmp[octets - 1] * 10u + (unsigned)(*s - '0');
            if (value > 255)
                return false;
            tmp[octets - 1] = (uint8_t)value;
        } else if (*s == '.' && digit_seen && octets < 4) {
            digit_seen = false;
        } else {
            return false;
        }
    }
    if (octets != 4)
        return false;
    memcpy(out, tmp, 4);
    return true;
}

static bool ipv6_parse(const char *s, uint8_t out[16])
{
    uint8_t tmp[16] = {0};
    size_t n = 0, gap = 0; /* bytes written; where "::" stood */
    bool has_gap = false;
    if (*s == '\0')
        return false;
    if (*s == ':' && *++s != ':')
        return false; /* a single leading colon */
    const char *token = s;
    unsigned value = 0;
    int digits = 0;
    while (*s) {
        char ch = *s++;
        int h = hex_value(ch);
        if (h >= 0) {
            if (digits == 4)
                return false;
            value = value << 4 | (unsigned)h;
            digits++;
            continue;
        }
        if (ch == ':') {
            token = s;
            if (digits == 0) {
                if (has_gap)
                    return false; /* a second "::" */
                has_gap = true;
                gap = n;
                continue;
            }
            if (*s == '\0' || n + 2 > 16)
                return false; /* a trailing single colon, or too many groups */
            tmp[n++] = (uint8_t)(value >> 8);
            tmp[n++] = (uint8_t)value;
            digits = 0;
            value = 0;
            continue;
        }
        if (ch == '.' && n + 4 <= 16 && ipv4_parse(token, tmp + n)) {
            n += 4;
            digits = 0;
            break; /* the dotted quad ran to the end */
        }
        return false;
    }
    if (digits > 0) {
        if (n + 2 > 16)
            return false;
        tmp[n++] = (uint8_t)(value >> 8);
        tmp[n++] = (uint8_t)value;
    }
    if (has_gap) {
        if (n == 16)
            return false; /* "::" must stand for at least one group */
        memmove(tmp + 16 - (n - gap), tmp + gap, n - gap);
        memset(tmp + gap, 0, 16 - n);
        n = 16;
    }
    if (n != 16)
        return false;
    memcpy(out, tmp, 16);
    return true;
}

size_t oti_ip_parse(const char *text, uint8_t out[16])
{
    if (text == NULL)
        return 0;
    if (ipv4_parse(text, out))
        return 4;
    if (ipv6_parse(text, out))
        return 16;
    return 0;
}

/* ---- Host names: X509_check_host with NO_PARTIAL_WILDCARDS ---- */

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

static bool is_idna_prefix(const uint8_t *p, size_t len)
{
    return len >= 4 && lower(p[0]) == 'x' && lower(p[1]) == 'n' && p[2] == '-' && p[3] == '-';
}

/* OpenSSL's implicit sub-domain match: a host name starting with "." (and
 * longer) matches any name that ends with it. */
static bool equal_nocase(const uint8_t *pat, size_t plen, const uint8_t *sub, size_t slen,
                         bool dot_subdomains)
{
    if (dot_subdomains) {
        const uint8_t *p = pat;
        size_t n = plen;
        while (n > slen && *p) {
            p++;
            n--;
        }
        if (n == slen) {
            pat = p;
            plen = n;
        }
    }
    if (plen != slen)
        return false;
    for (size_t i = 0; i < plen; i++)
        if (pat[i] == '\0' || lower(pat[i]) != lower(sub[i]))
            return false; /* an embedded NUL never matches */
    return true;
}

enum { LABEL_START = 1, LABEL_IDNA = 2, LABEL_HYPHEN = 4 };

/* The pattern's wildcard when it is a valid one: the whole left-most
 * label of a syntactically valid name of three labels or more, not an
 * IDNA label; else NULL (the pattern is then compared literally). */
static const uint8_t *valid_star(const uint8_t *p, size_t len)
{
    const uint8_t *star = NULL;
    int state = LABEL_START, dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '*') {
            bool at_start = state & LABEL_START;
            bool at_end = i == len - 1 || p[i + 1] == '.';
            if (star != NULL || (state & LABEL_IDNA) || dots > 0 || !at_start || !at_end)
                return NULL;
            star = p + i;
            state &= ~LABEL_START;
        } else if (is_alnum(p[i])) {
            if ((state & LABEL_START) && is_idna_prefix(p + i, len - i))
                state |= LABEL_IDNA;
            state &= ~(LABEL_HYPHEN | LABEL_START);
        } else if (p[i] == '.') {
            if (state & (LABEL_HYPHEN | LABEL_START))
                return NULL;
            state = LABEL_START;
            dots++;
        } else if (p[i] == '-') {
            if (state & LABEL_START)
                return NULL;
            state |= LABEL_HYPHEN;
        } else {
            return NULL;
        }
    }
    if ((state & (LABEL_START | LABEL_HYPHEN)) || dots < 2)
        return NULL;
    return star;
}

/* The subject matched against prefix*suffix. */
static bool wildcard_match(const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                           size_t suffix_len, const uint8_t *sub, size_t slen)
{
    if (slen < prefix_len + suffix_len || !equal_nocase(prefix, prefix_len, sub, prefix_len, false))
        return false;
    const uint8_t *start = sub + prefix_len, *end = sub + (slen - suffix_len);
    if (!equal_nocase(end, suffix_len, suffix, suffix_len, false))
        return false;
    /* A whole-label wildcard matches one character or more, also of an
     * IDNA label; a partial one (never valid here) no IDNA label. */
    bool whole_label = prefix_len == 0 && suffix_len > 0 && *suffix == '.';
    if (whole_label && start == end)
        return false;
    if (!whole_label && is_idna_prefix(sub, slen))
        return false;
    if (end == start + 1 && *start == '*')
        return true; /* a literal "*" */
    for (const uint8_t *p = start; p != end; p++)
        if (!is_alnum(*p) && *p != '-')
            return false; /* one label of letters, digits and hyphens */
    return true;
}

static bool name_matches(const uint8_t *pat, size_t plen, const char *host)
{
    const uint8_t *sub = (const uint8_t *)host;
    size_t slen = strlen(host);
    bool dot_subdomains = slen > 1 && host[0] == '.';
    if (plen == 0)
        return false;
    const uint8_t *star = dot_subdomains ? NULL : valid_star(pat, plen);
    if (star == NULL)
        return equal_nocase(pat, plen, sub, slen, dot_subdomains);
    return wildcard_match(pat, (size_t)(star - pat), star + 1, (size_t)(pat + plen - star - 1), sub,
                          slen);
}

/* ---- Common names: OpenSSL compares them in UTF-8 ---- */

/* Reads one code point of a string of the given width (1: Latin-1, 2:
 * UCS-2, 4: UCS-4, 0: UTF-8 with minimal forms); -1 when malformed. */
static long next_code_point(const uint8_t **p, const uint8_t *end, int width)
{
    const uint8_t *q = *p;
    uint32_t v;
    if (width == 1) {
        v = *q++;
    } else if (width == 2 || width == 4) {
        if ((size_t)(end - q) < (size_t)width)
            return -1;
        v = 0;
        for (int i = 0; i < width; i++)
            v = v << 8 | *q++;
    } else {
        static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        int n = *q < 0x80             ? 1
                : (*q & 0xe0) == 0xc0 ? 2
                : (*q & 0xf0) == 0xe0 ? 3
                : (*q & 0xf8) == 0xf0 ? 4
                                      : 0;
        if (n == 0 || end - q < n)
            return -1;
        v = n == 1 ? *q : (uint32_t)(*q & (0x7f >> n));
        for (int i = 1; i < n; i++) {
            if ((q[i] & 0xc0) != 0x80)
                return -1;
            v = v << 6 | (q[i] & 0x3f);
        }
        if (v < min[n])
            return -1; /* overlong */
        q += n;
    }
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return -1;
    *p = q;
    return (long)v;
}

/* The byte width of a directory string type, as ASN1_STRING_to_UTF8 reads
 * it; -1: not a text type. */
static int string_width(uint8_t tag)
{
    switch (tag) {
    case 0x0c: /* UTF8String */
        return 0;
    case 0x12: /* NumericString */
    case 0x13: /* PrintableString */
    case 0x14: /* TeletexString, read as Latin-1 */
    case 0x16: /* IA5String */
    case 0x1a: /* VisibleString */
        return 1;
    case 0x1c: /* UniversalString */
        return 4;
    case 0x1e: /* BMPString */
        return 2;
    default:
        return -1;
    }
}

/* Room for a common name in UTF-8: a host name has at most 253 bytes, so
 * a longer name cannot match one. */
#define CN_MAX 256

/* The value in UTF-8: *out points at the DER itself when it already is
 * UTF-8 (well-formed UTF-8, or ASCII in a one-byte type), else at buf.
 * Returns the length, or -1 when the value is not text, is malformed, or
 * is longer than CN_MAX in UTF-8. */
static long cn_utf8(const struct oti_tlv *v, uint8_t buf[CN_MAX], const uint8_t **out)
{
    int width = string_width(v->tag);
    if (width < 0 || (width > 1 && v->len % (size_t)width != 0))
        return -1;
    const uint8_t *end = v->value + v->len;
    bool same = width <= 1; /* wider ones are always converted */
    for (const uint8_t *p = v->value; p < end;) {
        long cp = next_code_point(&p, end, width);
        if (cp < 0)
            return -1;
        if (width == 1 && cp >= 0x80)
            same = false; /* Latin-1 */
    }
    if (same) {
        *out = v->value;
        return (long)v->len;
    }
    size_t n = 0;
    for (const uint8_t *p = v->value; p < end;) {
        if (n + 4 > CN_MAX)
            return -1;
        n += oti_utf8_put(buf + n, (uint32_t)next_code_point(&p, end, width));
    }
    *out = buf;
    return (long)n;
}

/* ---- The certificate ---- */

/* The subject Name and the extensions (the SEQUENCE OF Extension; len 0
 * when absent) of a Certificate. */
static bool read_tbs(const uint8_t *der, size_t len, struct oti_tlv *subject, struct oti_tlv *exts)
{
    const uint8_t *p = der, *end = der + len;
    struct oti_tlv cert, tbs, t;
    if (!oti_der_expect(&p, end, OTI_DER_SEQUENCE, &cert) || p != end)
        return false;
    p = cert.value;
    if (!oti_der_expect(&p, cert.value + cert.len, OTI_DER_SEQUENCE, &tbs))
        return false;
    p = tbs.value;
    end = tbs.value + tbs.len;
    if (p < end && *p == 0xa0 && !oti_der_next(&p, end, &t)) /* version */
        return false;
    if (!oti_der_expect(&p, end, 0x02, &t) ||             /* serialNumber */
        !oti_der_expect(&p, end, OTI_DER_SEQUENCE, &t) || /* signature */
        !oti_der_expect(&p, end, OTI_DER_SEQUENCE, &t) || /* issuer */
        !oti_der_expect(&p, end, OTI_DER_SEQUENCE, &t) || /* validity */
        !oti_der_expect(&p, end, OTI_DER_SEQUENCE, subject) ||
        !oti_der_expect(&p, end, OTI_DER_SEQUENCE, &t)) /* subjectPublicKeyInfo */
        return false;
    exts->len = 0;
    exts->value = end; /* none: empty, never NULL (NULL + 0 is undefined) */
    while (p < end) {
        if (!oti_der_next(&p, end, &t))
            return false;
        if (t.tag == 0xa3) { /* [3] EXPLICIT Extensions */
            const uint8_t *q = t.value;
            if (!oti_der_expect(&q, t.value + t.len, OTI_DER_SEQUENCE, exts) ||
                q != t.value + t.len)
                return false;
        } else if (t.tag != 0x81 && t.tag != 0x82) { /* the unique identifiers */
            return false;
        }
    }
    return true;
}

/* The GeneralNames of the subjectAltName extension (len 0: none). */
static bool find_san(const struct oti_tlv *exts, struct oti_tlv *san)
{
    static const uint8_t oid_san[] = {0x55, 0x1d, 0x11}; /* 2.5.29.17 */
    const uint8_t *p = exts->value, *end = exts->value + exts->len;
    san->len = 0;
    san->value = end; /* none: empty */
    bool seen = false;
    while (p < end) {
        struct oti_tlv ext, oid, t;
        if (!oti_der_expect(&p, end, OTI_DER_SEQUENCE, &ext))
            return false;
        const uint8_t *q = ext.value, *qend = ext.value + ext.len;
        if (!oti_der_expect(&q, qend, OTI_DER_OID, &oid))
            return false;
        if (q < qend && *q == 0x01 && !oti_der_next(&q, qend, &t)) /* critical */
            return false;
        if (!oti_der_expect(&q, qend, 0x04, &t) || q != qend)
            return false;
        if (!oti_der_oid_is(&oid, oid_san, sizeof oid_san))
            continue;
        if (seen)
            return false; /* twice: OpenSSL refuses such a certificate */
        seen = true;
        const uint8_t *v = t.value;
        if (!oti_der_expect(&v, t.value + t.len, OTI_DER_SEQUENCE, san) || v != t.value + t.len)
            return false;
    }
    return true;
}

#define GN_DNS 0x82 /* [2] IA5String */
#define GN_IP 0x87  /* [7] OCTET STRING */

enum oti_name_result oti_name_check(const uint8_t *der, size_t len, const char *host,
                                    const uint8_t *ip, size_t ip_len)
{
    struct oti_tlv subject, exts, san;
    if (der == NULL || !read_tbs(der, len, &subject, &exts) || !find_san(&exts, &san))
        return OTI_NAME_MALFORMED;
    enum oti_name_result miss = ip_len > 0 ? OTI_NAME_IP_MISMATCH : OTI_NAME_MISMATCH;
    if (ip_len == 0 && host == NULL)
        return miss;
    /* The alternative names of the kind checked; any of them present
     * rules the common name out. */
    bool present = false;
    const uint8_t *p = san.value, *end = san.value + san.len;
    while (p < end) {
        struct oti_tlv gn;
        if (!oti_der_next(&p, end, &gn))
            return OTI_NAME_MALFORMED;
        if (ip_len > 0 && gn.tag == GN_IP) {
            present = true;
            if (gn.len == ip_len && memcmp(gn.value, ip, ip_len) == 0)
                return OTI_NAME_MATCH;
        } else if (ip_len == 0 && gn.tag == GN_DNS) {
            present = true;
            if (name_matches(gn.value, gn.len, host))
                return OTI_NAME_MATCH;
        }
    }
    if (present || ip_len > 0)
        return miss;
    /* Every common name of the subject, in order: Name is a SEQUENCE OF
     * SET OF AttributeTypeAndValue. */
    static const uint8_t oid_cn[] = {0x55, 0x04, 0x03}; /* 2.5.4.3 */
    p = subject.value;
    end = subject.value + subject.len;
    while (p < end) {
        struct oti_tlv rdn, atv, oid, value;
        if (!oti_der_expect(&p, end, 0x31, &rdn))
            return OTI_NAME_MALFORMED;
        const uint8_t *q = rdn.value, *qend = rdn.value + rdn.len;
        while (q < qend) {
            if (!oti_der_expect(&q, qend, OTI_DER_SEQUENCE, &atv))
                return OTI_NAME_MALFORMED;
            const uint8_t *a = atv.value, *aend = atv.value + atv.len;
            if (!oti_der_expect(&a, aend, OTI_DER_OID, &oid) || !oti_der_next(&a, aend, &value) ||
                a != aend)
                return OTI_NAME_MALFORMED;
            if (!oti_der_oid_is(&oid, oid_cn, sizeof oid_cn) || value.len == 0)
                continue;
            uint8_t buf[CN_MAX];
            const uint8_t *text;
            long n = cn_utf8(&value, buf, &text);
            if (n < 0)
                return miss; /* OpenSSL stops at a name it cannot convert */
            if (name_matches(text, (size_t)n, host))
                return OTI_NAME_MATCH;
        }
    }
    return miss;
}
