/* The core's peer-name check (core/name_check.c) over a table of
 * certificates built here in DER, and its IP-literal parser over a table of
 * addresses. Every answer is also asked of the references: glibc's
 * inet_pton for the parser and, when the OpenSSL backend is built,
 * OpenSSL's X509_check_host (X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, as
 * CPython sets it) and X509_check_ip for the check, on the table and on
 * generated cases, so the rules are shown equal to OpenSSL's. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "name_check.h"

#if OTI_TEST_OPENSSL_REF
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#endif

/* ---- A small DER writer ---- */

struct out {
    uint8_t b[2048];
    size_t n;
};

static void put(struct out *o, const void *p, size_t n)
{
    cr_assert_leq(o->n + n, sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void tlv(struct out *o, uint8_t tag, const void *v, size_t n)
{
    uint8_t h[4] = {tag};
    size_t hn = 2;
    if (n < 0x80) {
        h[1] = (uint8_t)n;
    } else if (n < 0x100) {
        h[1] = 0x81;
        h[2] = (uint8_t)n;
        hn = 3;
    } else {
        h[1] = 0x82;
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        hn = 4;
    }
    put(o, h, hn);
    put(o, v, n);
}

/* Wraps what o holds in one TLV. */
static void wrap(struct out *o, uint8_t tag)
{
    struct out t = {.n = 0};
    tlv(&t, tag, o->b, o->n);
    *o = t;
}

/* One value of a name or SAN: bytes with an explicit length (embedded NULs,
 * addresses) or, when len is 0, a C string. */
struct val {
    uint8_t tag;
    const char *v;
    size_t len;
};

#define DNS(s) ((struct val){0x82, s, 0})
#define IP4(a, b, c, d) ((struct val){0x87, (const char[]){a, b, c, d}, 4})
/* Address bytes from a string literal. */
#define IPB(s) ((struct val){0x87, s, sizeof(s) - 1})
#define UTF8(s) ((struct val){0x0c, s, 0})
#define PRINTABLE(s) ((struct val){0x13, s, 0})

struct cert_spec {
    struct val cn[3]; /* common names (tag 0: none) */
    bool san;         /* has a subjectAltName extension */
    struct val names[4];
    bool other_ext; /* a basicConstraints extension before the SAN */
    /* OpenSSL will not read it (it converts every name string to UTF-8
     * when it reads a Name): its handshake fails before any name check. */
    bool openssl_refuses;
};

static size_t vlen(const struct val *v)
{
    return v->len ? v->len : strlen(v->v);
}

/* A v3 certificate with an Ed25519 key and signature (OpenSSL parses it;
 * nothing here verifies the signature). */
static size_t make_cert(const struct cert_spec *s, uint8_t *der, size_t cap)
{
    static const uint8_t ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
    static const uint8_t oid_cn[] = {0x06, 0x03, 0x55, 0x04, 0x03};
    struct out tbs = {.n = 0}, t;

    t.n = 0;
    tlv(&t, 0x02, "\x02", 1);
    wrap(&t, 0xa0); /* version v3 */
    put(&tbs, t.b, t.n);
    tlv(&tbs, 0x02, "\x01\x23", 2); /* serial */
    t.n = 0;
    put(&t, ed25519, sizeof ed25519);
    wrap(&t, 0x30);
    struct out alg = t;
    put(&tbs, alg.b, alg.n);
    t.n = 0; /* issuer: CN=issuer */
    put(&t, oid_cn, sizeof oid_cn);
    tlv(&t, 0x0c, "issuer", 6);
    wrap(&t, 0x30);
    wrap(&t, 0x31);
    wrap(&t, 0x30);
    put(&tbs, t.b, t.n);
    t.n = 0;
    tlv(&t, 0x17, "200101000000Z", 13);
    tlv(&t, 0x17, "300101000000Z", 13);
    wrap(&t, 0x30);
    put(&tbs, t.b, t.n);
    struct out subject = {.n = 0}; /* O=test, then the common names */
    t.n = 0;
    put(&t, (const uint8_t[]){0x06, 0x03, 0x55, 0x04, 0x0a}, 5);
    tlv(&t, 0x0c, "test", 4);
    wrap(&t, 0x30);
    wrap(&t, 0x31);
    put(&subject, t.b, t.n);
    for (int i = 0; i < 3 && s->cn[i].tag; i++) {
        t.n = 0;
        put(&t, oid_cn, sizeof oid_cn);
        tlv(&t, s->cn[i].tag, s->cn[i].v, vlen(&s->cn[i]));
        wrap(&t, 0x30);
        wrap(&t, 0x31);
        put(&subject, t.b, t.n);
    }
    wrap(&subject, 0x30);
    put(&tbs, subject.b, subject.n);
    t.n = 0; /* subjectPublicKeyInfo */
    put(&t, alg.b, alg.n);
    uint8_t key[33] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    tlv(&t, 0x03, key, sizeof key);
    wrap(&t, 0x30);
    put(&tbs, t.b, t.n);
    if (s->san || s->other_ext) {
        struct out exts = {.n = 0};
        if (s->other_ext) {
            t.n = 0;
            put(&t, (const uint8_t[]){0x06, 0x03, 0x55, 0x1d, 0x13}, 5);
            tlv(&t, 0x01, "\xff", 1); /* critical */
            tlv(&t, 0x04, "\x30\x00", 2);
            wrap(&t, 0x30);
            put(&exts, t.b, t.n);
        }
        if (s->san) {
            struct out gn = {.n = 0};
            for (int i = 0; i < 4 && s->names[i].tag; i++)
                tlv(&gn, s->names[i].tag, s->names[i].v, vlen(&s->names[i]));
            wrap(&gn, 0x30);
            t.n = 0;
            put(&t, (const uint8_t[]){0x06, 0x03, 0x55, 0x1d, 0x11}, 5);
            tlv(&t, 0x04, gn.b, gn.n);
            wrap(&t, 0x30);
            put(&exts, t.b, t.n);
        }
        wrap(&exts, 0x30);
        wrap(&exts, 0xa3);
        put(&tbs, exts.b, exts.n);
    }
    wrap(&tbs, 0x30);
    struct out cert = tbs;
    put(&cert, alg.b, alg.n);
    uint8_t sig[65] = {0};
    tlv(&cert, 0x03, sig, sizeof sig);
    wrap(&cert, 0x30);
    cr_assert_leq(cert.n, cap);
    memcpy(der, cert.b, cert.n);
    return cert.n;
}

/* ---- The references ---- */

/* What OpenSSL says: 1 match, 0 not, -1 when there is no OpenSSL in this
 * build, -2 when it cannot read the certificate. */
static int openssl_says(const uint8_t *der, size_t len, const char *host, const uint8_t *ip,
                        size_t ip_len)
{
#if OTI_TEST_OPENSSL_REF
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL)
        return -2;
    int r = ip_len ? X509_check_ip(x, ip, ip_len, 0)
                   : X509_check_host(x, host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL);
    X509_free(x);
    return r > 0 ? 1 : 0;
#else
    (void)der, (void)len, (void)host, (void)ip, (void)ip_len;
    return -1;
#endif
}

/* Checks name (an address when it parses as one, as the backends do for
 * an IP literal) against the certificate; the answer must be expected and
 * OpenSSL's. */
static void check(const struct cert_spec *s, const char *name, bool as_ip, bool expect_match,
                  const char *why)
{
    uint8_t der[2048], ip[16];
    size_t len = make_cert(s, der, sizeof der);
    size_t ip_len = as_ip ? oti_ip_parse(name, ip) : 0;
    if (as_ip)
        cr_assert_neq(ip_len, 0, "%s: '%s' should parse as an address", why, name);
    enum oti_name_result r = oti_name_check(der, len, name, ip, ip_len);
    enum oti_name_result miss = as_ip ? OTI_NAME_IP_MISMATCH : OTI_NAME_MISMATCH;
    cr_expect_eq(r, expect_match ? OTI_NAME_MATCH : miss, "%s: '%s' gave %d", why, name, r);
    int ref = openssl_says(der, len, name, ip, ip_len);
    if (ref != -1)
        cr_expect_eq(ref == -2, s->openssl_refuses, "%s: OpenSSL %s the certificate", why,
                     ref == -2 ? "cannot read" : "reads");
    if (ref >= 0)
        cr_expect_eq(ref, expect_match, "%s: OpenSSL says %d for '%s'", why, ref, name);
}

/* ---- The rules ---- */

Test(name_check, dns_names)
{
    struct cert_spec www = {.cn = {UTF8("cn.example.com")},
                            .san = true,
                            .names = {DNS("www.example.com"), DNS("second.example.org")}};
    check(&www, "www.example.com", false, true, "equal");
    check(&www, "WWW.Example.COM", false, true, "case-insensitive");
    check(&www, "second.example.org", false, true, "any of the names");
    check(&www, "cn.example.com", false, false, "no common name when there is a DNS name");
    check(&www, "example.com", false, false, "a parent");
    check(&www, "www.example.com.", false, false, "a trailing dot");
    check(&www, ".example.com", false, true, "a leading dot: OpenSSL's sub-domain match");
    check(&www, "ww.example.com", false, false, "shorter");

    struct cert_spec other = {.other_ext = true, .san = true, .names = {DNS("www.example.com")}};
    check(&other, "www.example.com", false, true, "after another extension");
}

Test(name_check, wildcards)
{
    struct cert_spec w = {.san = true, .names = {DNS("*.example.com")}};
    check(&w, "a.example.com", false, true, "one whole label");
    check(&w, "A-1.EXAMPLE.com", false, true, "letters, digits, hyphen, any case");
    check(&w, "example.com", false, false, "an empty label");
    check(&w, ".example.com", false, true, "a leading dot: OpenSSL's sub-domain match");
    check(&w, "a.b.example.com", false, false, "two labels");
    check(&w, "a_b.example.com", false, false, "an underscore");
    check(&w, "*.example.com", false, true, "a literal star");
    check(&w, "xn--bcher-kva.example.com", false, true,
          "an IDNA host label under a whole-label wildcard (OpenSSL allows it)");

    struct cert_spec two = {.san = true, .names = {DNS("*.com")}};
    check(&two, "example.com", false, false, "a wildcard needs two labels after it");
    struct cert_spec partial = {.san = true, .names = {DNS("w*.example.com")}};
    check(&partial, "www.example.com", false, false, "a partial wildcard");
    check(&partial, "w*.example.com", false, true, "a partial wildcard is compared literally");
    struct cert_spec suffix = {.san = true, .names = {DNS("*w.example.com")}};
    check(&suffix, "www.example.com", false, false, "a partial wildcard, at the end");
    struct cert_spec inner = {.san = true, .names = {DNS("www.*.example.com")}};
    check(&inner, "www.a.example.com", false, false, "a wildcard not left-most");
    struct cert_spec idna = {.san = true, .names = {DNS("xn--*.example.com")}};
    check(&idna, "xn--a.example.com", false, false, "a wildcard in an IDNA label");
    struct cert_spec under_idna = {.san = true, .names = {DNS("*.xn--bcher-kva.example")}};
    check(&under_idna, "a.xn--bcher-kva.example", false, true, "an IDNA label after it");
    struct cert_spec hyphen = {.san = true, .names = {DNS("*.example-.com")}};
    check(&hyphen, "a.example-.com", false, false, "a label ending in '-': no wildcard");
    struct cert_spec upper = {.san = true, .names = {DNS("*.EXAMPLE.Com")}};
    check(&upper, "host.example.COM", false, true, "the pattern in capitals");
    struct cert_spec dotted = {.san = true, .names = {DNS("*.example.com.")}};
    check(&dotted, "a.example.com.", false, false, "a final dot: no wildcard");
}

Test(name_check, embedded_nul_never_matches)
{
    struct cert_spec nul = {.cn = {UTF8("www.example.com")},
                            .san = true,
                            .names = {{0x82, "www.example.com\0.evil.org", 25}}};
    check(&nul, "www.example.com", false, false, "a NUL in the DNS name");
    struct cert_spec cn_nul = {.cn = {{0x0c, "www.example.com\0.evil.org", 25}}};
    check(&cn_nul, "www.example.com", false, false, "a NUL in the common name");
    struct cert_spec empty = {.cn = {UTF8("www.example.com")}, .san = true, .names = {DNS("")}};
    check(&empty, "www.example.com", false, false, "an empty DNS name still rules out the CN");
}

Test(name_check, common_name_fallback)
{
    struct cert_spec cn = {.cn = {UTF8("www.example.com")}};
    check(&cn, "www.example.com", false, true, "no SAN: the common name");
    check(&cn, "other.example.com", false, false, "no SAN: another name");
    struct cert_spec wild = {.cn = {PRINTABLE("*.example.com")}};
    check(&wild, "a.example.com", false, true, "a wildcard common name");
    struct cert_spec several = {.cn = {UTF8("a.example.org"), UTF8("www.example.com")}};
    check(&several, "www.example.com", false, true, "the second common name");
    struct cert_spec ip_only = {
        .cn = {UTF8("www.example.com")}, .san = true, .names = {IP4(127, 0, 0, 1)}};
    check(&ip_only, "www.example.com", false, true, "only an IP SAN: the common name");
    struct cert_spec bmp = {.cn = {{0x1e, "\0w\0w\0w\0.\0e\0x\0a\0m\0p\0l\0e\0.\0c\0o\0m", 30}}};
    check(&bmp, "www.example.com", false, true, "a BMPString common name");
    struct cert_spec latin1 = {.cn = {{0x14, "caf\xe9.example", 12}}};
    check(&latin1, "caf\xc3\xa9.example", false, true, "a TeletexString read as Latin-1");
    check(&latin1, "caf\xe9.example", false, false, "... compared in UTF-8");
    struct cert_spec bad_utf8 = {.cn = {{0x0c,
                                         "www\xc0\xae"
                                         "example.com",
                                         16}},
                                 .openssl_refuses = true};
    check(&bad_utf8,
          "www\xc0\xae"
          "example.com",
          false, false, "an overlong UTF-8 form");
    struct cert_spec none = {.san = true, .names = {{0x86, "http://www.example.com/", 0}}};
    check(&none, "www.example.com", false, false, "a URI is no DNS name, and no CN");
}

Test(name_check, addresses)
{
    struct cert_spec v4 = {
        .cn = {UTF8("127.0.0.1")}, .san = true, .names = {DNS("127.0.0.2"), IP4(127, 0, 0, 1)}};
    check(&v4, "127.0.0.1", true, true, "an IPv4 SAN");
    check(&v4, "127.0.0.2", true, false, "never a DNS name");
    check(&v4, "::ffff:127.0.0.1", true, false, "the mapped form is another address");
    struct cert_spec cn = {.cn = {UTF8("127.0.0.1")}};
    check(&cn, "127.0.0.1", true, false, "never the common name");
    struct cert_spec v6 = {.san = true,
                           .names = {IPB("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1"),
                                     IPB("\0\0\0\0\0\0\0\0\0\0\xff\xff\1\2\3\4")}};
    check(&v6, "::1", true, true, "an IPv6 SAN");
    check(&v6, "0:0:0:0:0:0:0:1", true, true, "written in full");
    check(&v6, "::FFFF:1.2.3.4", true, true, "a dotted-quad tail");
    check(&v6, "1.2.3.4", true, false, "the IPv4 address is not the mapped one");
    check(&v6, "::2", true, false, "another address");
    struct cert_spec none = {.cn = {UTF8("www.example.com")}};
    check(&none, "10.0.0.1", true, false, "no SAN at all");
}

Test(name_check, malformed)
{
    uint8_t der[2048];
    struct cert_spec s = {.san = true, .names = {DNS("www.example.com")}};
    size_t len = make_cert(&s, der, sizeof der);
    cr_assert_eq(oti_name_check(der, len, "www.example.com", NULL, 0), OTI_NAME_MATCH);
    for (size_t cut = 0; cut < len; cut++)
        cr_expect_eq(oti_name_check(der, cut, "www.example.com", NULL, 0), OTI_NAME_MALFORMED,
                     "cut at %zu", cut);
    uint8_t longer[2049];
    memcpy(longer, der, len);
    longer[len] = 0;
    cr_expect_eq(oti_name_check(longer, len + 1, "www.example.com", NULL, 0), OTI_NAME_MALFORMED,
                 "bytes after the certificate");
    cr_expect_eq(oti_name_check(NULL, 0, "www.example.com", NULL, 0), OTI_NAME_MALFORMED);
    /* A subjectAltName twice. */
    struct cert_spec twice = s;
    twice.other_ext = true;
    len = make_cert(&twice, der, sizeof der);
    uint8_t *bc = memmem(der, len, "\x06\x03\x55\x1d\x13", 5);
    cr_assert_not_null(bc);
    bc[4] = 0x11;
    cr_expect_eq(oti_name_check(der, len, "www.example.com", NULL, 0), OTI_NAME_MALFORMED);
}

/* ---- Generated cases against OpenSSL ---- */

static uint32_t rng_state = 2463534242u;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state % n;
}

/* Only where OpenSSL is built: without it there is nothing to compare. */
#if OTI_TEST_OPENSSL_REF
/* A name of a few labels from pieces that exercise the rules. */
static void gen_name(char *buf, size_t cap, bool pattern)
{
    static const char *const pieces[] = {"a", "b", "A", "xn--a", "xn--", "-",  "a-b",
                                         "1", "",  "_", "*",     "w*",   "*w", "ab"};
    size_t n = 0;
    int labels = 1 + (int)rnd(4);
    for (int i = 0; i < labels; i++) {
        const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
        if (!pattern && strchr(p, '*') != NULL && rnd(4) != 0)
            p = "a";
        size_t len = strlen(p);
        if (n + len + 2 >= cap)
            break;
        memcpy(buf + n, p, len);
        n += len;
        if (i + 1 < labels || rnd(8) == 0)
            buf[n++] = '.';
    }
    buf[n] = '\0';
}

Test(name_check, generated_against_openssl)
{
    uint8_t der[2048];
    char pat[64], host[64];
    size_t compared = 0, matched = 0;
    for (int i = 0; i < 20000; i++) {
        gen_name(pat, sizeof pat, true);
        gen_name(host, sizeof host, false);
        if (rnd(3) == 0) /* the same name with a changed case or label */
            memcpy(host, pat, sizeof host), host[0] = (char)(host[0] ^ (rnd(2) ? 0x20 : 0));
        if (host[0] == '\0')
            continue;
        bool as_cn = rnd(4) == 0;
        struct cert_spec s = {.san = !as_cn};
        if (as_cn)
            s.cn[0] = UTF8(pat);
        else
            s.names[0] = DNS(pat);
        size_t len = make_cert(&s, der, sizeof der);
        enum oti_name_result r = oti_name_check(der, len, host, NULL, 0);
        int ref = openssl_says(der, len, host, NULL, 0);
        cr_assert_eq(r == OTI_NAME_MATCH, ref == 1, "pattern '%s' (%s), host '%s': %d, OpenSSL %d",
                     pat, as_cn ? "CN" : "SAN", host, r, ref);
        compared++;
        matched += ref == 1;
    }
    /* Enough of both answers for the comparison to mean something. */
    cr_assert_gt(compared, 10000);
    cr_assert_gt(matched, 1000, "only %zu of %zu generated cases match", matched, compared);
}
#endif

/* ---- IP literals against glibc's inet_pton ---- */

static size_t glibc_parse(const char *s, uint8_t out[16])
{
    if (inet_pton(AF_INET, s, out) == 1)
        return 4;
    if (inet_pton(AF_INET6, s, out) == 1)
        return 16;
    return 0;
}

static void parses(const char *s, size_t expect)
{
    uint8_t a[16] = {0}, b[16] = {0};
    size_t n = oti_ip_parse(s, a);
    cr_expect_eq(n, expect, "'%s': %zu bytes, expected %zu", s, n, expect);
    cr_expect_eq(glibc_parse(s, b), expect, "'%s': the table disagrees with inet_pton", s);
    cr_expect_eq(memcmp(a, b, n), 0, "'%s': other bytes than inet_pton's", s);
}

Test(ip_parse, table)
{
    parses("1.2.3.4", 4);
    parses("0.0.0.0", 4);
    parses("255.255.255.255", 4);
    parses("1.2.3", 0);
    parses("1.2.3.4.5", 0);
    parses("01.2.3.4", 0);
    parses("1.2.3.04", 0);
    parses("256.1.1.1", 0);
    parses("1.2.3.4.", 0);
    parses(".1.2.3.4", 0);
    parses("1..2.3", 0);
    parses(" 1.2.3.4", 0);
    parses("1.2.3.4 ", 0);
    parses("0x1.2.3.4", 0);
    parses("", 0);
    parses("::", 16);
    parses(":::", 0);
    parses("::1", 16);
    parses("1::", 16);
    parses("::ffff:1.2.3.4", 16);
    parses("::FFFF:0102:0304", 16);
    parses("1:2:3:4:5:6:7:8", 16);
    parses("1:2:3:4:5:6:7:8:9", 0);
    parses("1:2:3:4:5:6:7::8", 0);
    parses("1:2:3:4:5:6::8", 16);
    parses("1::2::3", 0);
    parses("12345::", 0);
    parses("::1.2.3", 0);
    parses("::01.2.3.4", 0);
    parses("1:2:3:4:5:6:1.2.3.4", 16);
    parses("1:2:3:4:5:6:7:1.2.3.4", 0);
    parses("::1.2.3.4:5", 0);
    parses(":1::", 0);
    parses("1:", 0);
    parses("1::2:", 0);
    parses("g::", 0);
    parses("fe80::1%eth0", 0);
    parses("[::1]", 0);
}

Test(ip_parse, generated_against_inet_pton)
{
    static const char *const pieces[] = {"0",    "1",    "12",    "255",     "256", "01",
                                         "ffff", "FFFF", "12345", "a",       ".",   ".",
                                         ":",    ":",    "::",    "1.2.3.4", "g"};
    char s[48];
    size_t valid = 0;
    for (int i = 0; i < 200000; i++) {
        size_t n = 0;
        int count = (int)rnd(10);
        for (int k = 0; k < count; k++) {
            const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
            size_t len = strlen(p);
            if (n + len >= sizeof s)
                break;
            memcpy(s + n, p, len);
            n += len;
        }
        s[n] = '\0';
        uint8_t a[16] = {0}, b[16] = {0};
        size_t got = oti_ip_parse(s, a), want = glibc_parse(s, b);
        cr_assert_eq(got, want, "'%s': %zu bytes, inet_pton %zu", s, got, want);
        cr_assert_eq(memcmp(a, b, got), 0, "'%s': other bytes than inet_pton's", s);
        valid += got != 0;
    }
    cr_assert_gt(valid, 1000, "too few valid addresses generated to prove anything");
}
