/* Peer verification: the per-connection verify callback records the chain
 * mbedTLS built (it has no verified-chain API), checks IP addresses (it
 * matches DNS names only) and drops the name check when it is off. */
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform.h>

#include "mbedtls_backend.h"

/* GeneralName iPAddress [7] (RFC 5280); mbedTLS 2.28 has no constant. */
#define SAN_IP_ADDRESS 7

void oti_mbedtls_vchain_clear(struct oti_mbedtls_conn *c)
{
    for (int i = 0; i < OTI_MBEDTLS_MAX_DEPTH; i++)
        c->vchain[i] = NULL;
    c->vdepth = 0;
    c->vtop_self = 0;
    c->vsig_bad = 0;
    c->vrun_done = 0;
    c->vchain_oom = 0;
}

/* inet_pton's rules without its socket header (the minimal profile has
 * none): dotted quad without leading zeros; IPv6 groups with one "::" and an
 * optional dotted-quad tail. */
static int ipv4_parse(const char *s, uint8_t out[4])
{
    for (int part = 0; part < 4; part++) {
        int value = 0, digits = 0;
        while (*s >= '0' && *s <= '9') {
            if (digits > 0 && value == 0)
                return -1; /* leading zero */
            value = value * 10 + (*s++ - '0');
            if (++digits > 3 || value > 255)
                return -1;
        }
        if (digits == 0 || *s != (part < 3 ? '.' : '\0'))
            return -1;
        out[part] = (uint8_t)value;
        s++;
    }
    return 0;
}

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

static int ipv6_parse(const char *s, uint8_t out[16])
{
    uint8_t ip[16] = {0};
    int n = 0, gap = -1; /* bytes written; where "::" stood */
    if (s[0] == ':' && s[1] != ':')
        return -1;
    if (s[0] == ':')
        s++; /* the first colon of a leading "::" */
    while (*s) {
        if (*s == ':') {
            if (gap >= 0)
                return -1; /* a second "::" */
            gap = n;
            s++;
            continue;
        }
        const char *start = s;
        unsigned value = 0;
        int digits = 0, h;
        while ((h = hex_value(*s)) >= 0) {
            value = value << 4 | (unsigned)h;
            s++;
            if (++digits > 4)
                return -1;
        }
        if (*s == '.') { /* dotted-quad tail */
            if (n > 12 || ipv4_parse(start, ip + n) != 0)
                return -1;
            n += 4;
            break;
        }
        if (digits == 0 || n > 14)
            return -1;
        ip[n++] = (uint8_t)(value >> 8);
        ip[n++] = (uint8_t)value;
        if (*s == ':') {
            s++;
            if (*s == '\0')
                return -1; /* a trailing single colon */
        } else if (*s != '\0') {
            return -1;
        }
    }
    if (gap < 0 && n != 16)
        return -1;
    if (gap >= 0) {
        if (n == 16)
            return -1; /* "::" must stand for at least one group */
        memmove(ip + 16 - (n - gap), ip + gap, (size_t)(n - gap));
        memset(ip + gap, 0, (size_t)(16 - n));
    }
    memcpy(out, ip, 16);
    return 0;
}

int oti_mbedtls_ip_parse(struct oti_mbedtls_conn *c, const char *name)
{
    uint8_t addr[16];
    size_t len;
    if (ipv4_parse(name, addr) == 0)
        len = 4;
    else if (ipv6_parse(name, addr) == 0)
        len = 16;
    else
        return -1;
    /* Allocated here only: connections to names keep none (issue 9). */
    if (c->ip == NULL && (c->ip = oti_mbedtls_calloc(1, sizeof *c->ip)) == NULL)
        return -2;
    memcpy(c->ip->addr, addr, 16);
    c->ip->len = len;
    return 0;
}

/* The leaf has an iPAddress SAN equal to the address checked (OpenSSL
 * never matches an address against the common name, nor does this). */
static int ip_matches(const struct oti_mbedtls_conn *c, const mbedtls_x509_crt *crt)
{
    if (!(crt->OTI_MBEDTLS_F(ext_types) & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME))
        return 0;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next) {
        const mbedtls_x509_buf *b = &s->buf;
        if ((b->tag & MBEDTLS_ASN1_TAG_VALUE_MASK) == SAN_IP_ADDRESS && c->ip != NULL &&
            b->len == c->ip->len && b->p != NULL && memcmp(b->p, c->ip->addr, c->ip->len) == 0)
            return 1;
    }
    return 0;
}

static int has_dns_san(const mbedtls_x509_crt *crt)
{
    if (!(crt->OTI_MBEDTLS_F(ext_types) & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME))
        return 0;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next)
        if ((s->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK) == MBEDTLS_X509_SAN_DNS_NAME)
            return 1;
    return 0;
}

static int same_text(const unsigned char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* OpenSSL's rule for one name: equal ignoring case, or "*.rest" where rest
 * has two labels or more and the wildcard stands for one whole label that
 * is not an IDNA one. */
static int name_matches(const unsigned char *pat, size_t plen, const char *host)
{
    size_t hlen = strlen(host);
    if (plen == hlen && same_text(pat, host, hlen))
        return 1;
    if (plen < 4 || pat[0] != '*' || pat[1] != '.' || memchr(pat + 2, '.', plen - 2) == NULL)
        return 0;
    const char *dot = strchr(host, '.');
    if (dot == NULL || dot == host || strncmp(host, "xn--", 4) == 0)
        return 0;
    size_t rest = hlen - (size_t)(dot - host);
    return rest == plen - 1 && same_text(pat + 1, dot, rest);
}

/* OpenSSL falls back to the subject's common name when the certificate has
 * no DNS name among its alternative names; mbedTLS skips the common name
 * whenever the extension exists (with only an IP address in it, say). */
static int cn_matches(const mbedtls_x509_crt *crt, const char *host)
{
    if (host == NULL || has_dns_san(crt))
        return 0;
    for (const mbedtls_x509_name *n = &crt->subject; n != NULL; n = n->next)
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 &&
            name_matches(n->val.p, n->val.len, host))
            return 1;
    return 0;
}

/* Keeps one certificate of the chain being verified (see vchain). */
static void record(struct oti_mbedtls_conn *c, const mbedtls_x509_crt *crt, int depth)
{
    if (depth < 0 || depth >= OTI_MBEDTLS_MAX_DEPTH) {
        c->vchain_oom = 1; /* deeper than we keep: never report it */
        return;
    }
    c->vchain[depth] = crt;
    if (depth == c->vdepth - 1)
        c->vtop_self = crt->issuer_raw.len == crt->subject_raw.len &&
                       memcmp(crt->issuer_raw.p, crt->subject_raw.p, crt->subject_raw.len) == 0;
}

/* The signature of crt does not verify under the key of parent, its issuer
 * by name. mbedTLS reports such a certificate as not trusted (it finds no
 * parent it can use); OpenSSL says "certificate signature failure". */
static int signature_fails(const mbedtls_x509_crt *crt, const mbedtls_x509_crt *parent)
{
    if (crt->issuer_raw.len != parent->subject_raw.len ||
        memcmp(crt->issuer_raw.p, parent->subject_raw.p, parent->subject_raw.len) != 0)
        return 0;
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(crt->OTI_MBEDTLS_F(sig_md));
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    if (md == NULL || mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) != 0)
        return 0; /* cannot tell: leave mbedTLS's answer */
    mbedtls_pk_context *key = (mbedtls_pk_context *)&parent->pk;
    return mbedtls_pk_verify_ext(crt->OTI_MBEDTLS_F(sig_pk), crt->OTI_MBEDTLS_F(sig_opts), key,
                                 crt->OTI_MBEDTLS_F(sig_md), hash, mbedtls_md_get_size(md),
                                 crt->OTI_MBEDTLS_F(sig).p, crt->OTI_MBEDTLS_F(sig).len) != 0;
}

/* Called once per certificate, from the trust anchor (highest depth) down
 * to the leaf (depth 0). Never fails: a callback error would make mbedTLS
 * report every flag at once. */
int oti_mbedtls_verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct oti_mbedtls_conn *c = p;
    if (c->vrun_done || c->vdepth == 0) {
        oti_mbedtls_vchain_clear(c);
        c->vdepth = depth + 1;
    }
    c->saw_chain = 1;
    record(c, crt, depth);
    /* The issuer was recorded first (top down). */
    if ((*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) && depth + 1 < c->vdepth &&
        depth + 1 < OTI_MBEDTLS_MAX_DEPTH && c->vchain[depth + 1] != NULL &&
        signature_fails(crt, c->vchain[depth + 1]))
        c->vsig_bad = 1;
    if (depth != 0)
        return 0;
    c->vrun_done = 1;
    /* Off: the name was given for SNI only. On: OpenSSL's common-name
     * fallback may still accept it. */
    if (!c->check_name ||
        ((*flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) && cn_matches(crt, c->hostname)))
        *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
    if (c->check_ip && !ip_matches(c, crt)) {
        c->ip_mismatch = 1;
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    }
    return 0;
}

int oti_mbedtls_verify_again(struct oti_mbedtls_conn *c, mbedtls_x509_crt *chain)
{
    uint32_t flags = 0;
    oti_mbedtls_vchain_clear(c);
    /* The names were checked in the original handshake (no name is given
     * here); the chain is checked against today's trust anchors. */
    int saved_ip = c->check_ip;
    c->check_ip = 0;
    int ret =
        mbedtls_x509_crt_verify(chain, &c->ctx->ca, NULL, NULL, &flags, oti_mbedtls_verify_cb, c);
    c->check_ip = saved_ip;
    return ret == 0 && flags == 0 && !c->vchain_oom ? 0 : -1;
}
