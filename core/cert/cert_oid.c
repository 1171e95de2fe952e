/* OIDs as OpenSSL 3.0 prints them: OBJ_obj2txt() gives the long name of a
 * known object, else the dotted form (with arcs of any size: OpenSSL
 * switches to BIGNUMs), and fails for OIDs over 586 octets. */

#include "cert_internal.h"
#include "internal.h"

struct oid_name {
    const char *der;
    uint8_t len;
    const char *name;
};

/* OTLS_DECODER=COMPACT keeps only the common subject/issuer attribute
 * names; other OIDs then print in dotted form (docs/embedded.md). */
static const struct oid_name oid_names[] = {
#if OTI_DECODER_COMPACT
#include "oid_names_compact.inc"
#else
#include "oid_names.inc"
#endif
};

const uint8_t oti_oid_san[3] = {0x55, 0x1d, 0x11};                                   /* 2.5.29.17 */
const uint8_t oti_oid_crldp[3] = {0x55, 0x1d, 0x1f};                                 /* 2.5.29.31 */
const uint8_t oti_oid_basic[3] = {0x55, 0x1d, 0x13};                                 /* 2.5.29.19 */
const uint8_t oti_oid_key_usage[3] = {0x55, 0x1d, 0x0f};                             /* 2.5.29.15 */
const uint8_t oti_oid_eku[3] = {0x55, 0x1d, 0x25};                                   /* 2.5.29.37 */
const uint8_t oti_oid_aia[8] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};     /* pe 1 */
const uint8_t oti_oid_ad_ocsp[8] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01}; /* ad 1 */
const uint8_t oti_oid_ad_ca_issuers[8] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02};

/* OpenSSL's obj_cmp order: length first, then bytes (compared here: a
 * memcmp call per step was a tenth of a decode; bench/). */
static int cmp(const uint8_t *a, size_t alen, const struct oid_name *b)
{
    if (alen != b->len)
        return alen < b->len ? -1 : 1;
    const uint8_t *d = (const uint8_t *)b->der;
    for (size_t i = 0; i < alen; i++)
        if (a[i] != d[i])
            return a[i] < d[i] ? -1 : 1;
    return 0;
}

const char *oti_oid_long_name(const uint8_t *oid, size_t len)
{
    size_t lo = 0, hi = sizeof oid_names / sizeof oid_names[0];
    if (len == 0 || len > 255)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp(oid, len, &oid_names[mid]);
        if (c == 0)
            return oid_names[mid].name;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* A sub-identifier in base 1e9 limbs, least significant first. 586 octets of
 * 7 bits each make at most 4102 bits: 1235 decimal digits, 138 limbs. */
#define LIMBS 140
struct bignum {
    uint32_t limb[LIMBS];
    size_t n;
};

static void bn_mul_add(struct bignum *v, unsigned mul, unsigned add)
{
    uint64_t carry = add;
    for (size_t i = 0; i < v->n; i++) {
        uint64_t x = (uint64_t)v->limb[i] * mul + carry;
        v->limb[i] = (uint32_t)(x % 1000000000u);
        carry = x / 1000000000u;
    }
    while (carry && v->n < LIMBS) {
        v->limb[v->n++] = (uint32_t)(carry % 1000000000u);
        carry /= 1000000000u;
    }
}

/* v -= s where v >= s. */
static void bn_sub_small(struct bignum *v, unsigned s)
{
    uint64_t borrow = s;
    for (size_t i = 0; i < v->n && borrow; i++) {
        if (v->limb[i] >= borrow) {
            v->limb[i] -= (uint32_t)borrow;
            borrow = 0;
        } else {
            v->limb[i] = (uint32_t)(v->limb[i] + 1000000000u - borrow);
            borrow = 1;
        }
    }
    while (v->n > 1 && v->limb[v->n - 1] == 0)
        v->n--;
}

static bool bn_ge_small(const struct bignum *v, unsigned s)
{
    return v->n > 1 || v->limb[0] >= s;
}

static void bn_put(struct oti_buf *b, const struct bignum *v)
{
    char tmp[16];
    oti_snprintf(tmp, sizeof tmp, "%u", (unsigned)v->limb[v->n - 1]);
    oti_buf_puts(b, tmp);
    for (size_t i = v->n - 1; i-- > 0;) {
        oti_snprintf(tmp, sizeof tmp, "%09u", (unsigned)v->limb[i]);
        oti_buf_puts(b, tmp);
    }
}

/* The common case without bignums or printf: every arc fits 57 bits (all
 * OIDs in real certificates). Writes the dotted form and a NUL into out
 * and returns its length, or (size_t)-1 when an arc is larger or out is
 * too small, for the general path below. */
#define DOTTED_FAST_MAX 256
static size_t dotted_fast(const uint8_t *oid, size_t len, char out[DOTTED_FAST_MAX])
{
    size_t n = 0, i = 0;
    bool first = true;
    while (i < len) {
        uint64_t v = 0;
        do {
            if (v >> 50)
                return (size_t)-1;
            v = v << 7 | (oid[i] & 0x7f);
        } while (oid[i++] & 0x80 && i < len);
        if (first) {
            /* The first sub-identifier holds two arcs: X*40+Y, X <= 2. */
            unsigned x = v >= 80 ? 2 : v >= 40 ? 1 : 0;
            v -= x * 40;
            out[n++] = (char)('0' + x);
            first = false;
        }
        char digits[20];
        size_t k = 0;
        do {
            digits[k++] = (char)('0' + v % 10);
            v /= 10;
        } while (v != 0);
        if (n + 1 + k >= DOTTED_FAST_MAX)
            return (size_t)-1;
        out[n++] = '.';
        while (k > 0)
            out[n++] = digits[--k];
    }
    out[n] = '\0';
    return n;
}

void oti_oid_dotted(struct oti_buf *b, const uint8_t *oid, size_t len)
{
    char fast[DOTTED_FAST_MAX];
    size_t fast_len = dotted_fast(oid, len, fast);
    if (fast_len != (size_t)-1) {
        oti_buf_put(b, fast, fast_len);
        return;
    }
    size_t i = 0;
    bool first = true;
    while (i < len) {
        struct bignum v = {{0}, 1};
        do {
            bn_mul_add(&v, 128, oid[i] & 0x7f);
        } while (oid[i++] & 0x80 && i < len);
        if (first) {
            /* The first sub-identifier holds two arcs: X*40+Y, X <= 2. */
            unsigned x = bn_ge_small(&v, 80) ? 2 : bn_ge_small(&v, 40) ? 1 : 0;
            bn_sub_small(&v, x * 40);
            oti_buf_putc(b, (char)('0' + x));
            first = false;
        }
        oti_buf_putc(b, '.');
        bn_put(b, &v);
    }
}

#define OID_TEXT_MAX_OCTETS OTI_OID_TEXT_MAX_OCTETS

const char *oti_oid_text(struct oti_dec *d, const uint8_t *oid, size_t len, int *status)
{
    const char *name = oti_oid_long_name(oid, len);
    *status = OTI_OK;
    if (name)
        return name;
    if (len > OID_TEXT_MAX_OCTETS) {
        *status = OTLS_ERR_PARSE;
        return NULL;
    }
    char fast[DOTTED_FAST_MAX];
    size_t fast_len = dotted_fast(oid, len, fast);
    char *s;
    if (fast_len != (size_t)-1) {
        s = oti_arena_strndup(d->arena, fast, fast_len);
    } else {
        struct oti_buf b = {0};
        oti_oid_dotted(&b, oid, len);
        s = b.failed ? NULL : oti_arena_strndup(d->arena, b.data, b.len);
        oti_buf_free(&b);
    }
    if (s == NULL)
        *status = oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    return s;
}

/* The OIDs nearly every certificate has (name attributes, the usual
 * algorithms, curves and extended key usages), with their dotted text and
 * long name as constants: converting and copying the text was a third of
 * a name attribute's decoding, and the binary search for the name another
 * tenth of a decode (bench/). Most frequent first. The names are
 * oid_names.inc's (cert.unit checks they agree); the compact table has
 * fewer names, so COMPACT builds look them up there. */
#if !OTI_DECODER_SMALL
/* Brace-initializer macros: clang-format 14 and 19 lay them out apart. */
// clang-format off
#if OTI_DECODER_COMPACT
#define COMMON(len, dotted, name, ...) {len, {__VA_ARGS__}, dotted}
#else
#define COMMON(len, dotted, name, ...) {len, {__VA_ARGS__}, dotted, name}
#endif
// clang-format on
static const struct common_oid {
    uint8_t len;
    uint8_t der[9];
    const char *dotted;
#if !OTI_DECODER_COMPACT
    const char *name;
#endif
} common_oids[] = {
    COMMON(3, "2.5.4.3", "commonName", 0x55, 0x04, 0x03),
    COMMON(3, "2.5.4.6", "countryName", 0x55, 0x04, 0x06),
    COMMON(3, "2.5.4.10", "organizationName", 0x55, 0x04, 0x0a),
    COMMON(3, "2.5.4.11", "organizationalUnitName", 0x55, 0x04, 0x0b),
    COMMON(3, "2.5.4.7", "localityName", 0x55, 0x04, 0x07),
    COMMON(3, "2.5.4.8", "stateOrProvinceName", 0x55, 0x04, 0x08),
    COMMON(3, "2.5.4.5", "serialNumber", 0x55, 0x04, 0x05),
    COMMON(3, "2.5.4.97", "organizationIdentifier", 0x55, 0x04, 0x61),
    COMMON(9, "1.2.840.113549.1.1.11", "sha256WithRSAEncryption", 0x2a, 0x86, 0x48, 0x86, 0xf7,
           0x0d, 0x01, 0x01, 0x0b),
    COMMON(9, "1.2.840.113549.1.1.1", "rsaEncryption", 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
           0x01, 0x01),
    COMMON(9, "1.2.840.113549.1.1.12", "sha384WithRSAEncryption", 0x2a, 0x86, 0x48, 0x86, 0xf7,
           0x0d, 0x01, 0x01, 0x0c),
    COMMON(9, "1.2.840.113549.1.1.5", "sha1WithRSAEncryption", 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
           0x01, 0x01, 0x05),
    COMMON(9, "1.2.840.113549.1.9.1", "emailAddress", 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
           0x09, 0x01),
    COMMON(7, "1.2.840.10045.2.1", "id-ecPublicKey", 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01),
    COMMON(8, "1.2.840.10045.4.3.2", "ecdsa-with-SHA256", 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
           0x02),
    COMMON(8, "1.2.840.10045.4.3.3", "ecdsa-with-SHA384", 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
           0x03),
    COMMON(8, "1.2.840.10045.3.1.7", "prime256v1", 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
    COMMON(5, "1.3.132.0.34", "secp384r1", 0x2b, 0x81, 0x04, 0x00, 0x22),
    COMMON(8, "1.3.6.1.5.5.7.3.1", "TLS Web Server Authentication", 0x2b, 0x06, 0x01, 0x05, 0x05,
           0x07, 0x03, 0x01),
    COMMON(8, "1.3.6.1.5.5.7.3.2", "TLS Web Client Authentication", 0x2b, 0x06, 0x01, 0x05, 0x05,
           0x07, 0x03, 0x02),
};

static const struct common_oid *find_common(const uint8_t *oid, size_t len)
{
    for (size_t i = 0; i < sizeof common_oids / sizeof common_oids[0]; i++) {
        const uint8_t *d = common_oids[i].der;
        size_t k = 0;
        if (common_oids[i].len != len)
            continue;
        while (k < len && d[k] == oid[k])
            k++;
        if (k == len)
            return &common_oids[i];
    }
    return NULL;
}
#endif

int oti_oid_fill(struct oti_dec *d, const uint8_t *oid, size_t len, otls_cert_oid *out)
{
    char fast[DOTTED_FAST_MAX];
#if OTI_DECODER_SMALL
    const struct common_oid {
        const char *dotted, *name;
    } *common = NULL;
#else
    const struct common_oid *common = find_common(oid, len);
#endif
    if (common != NULL) {
        out->oid = common->dotted;
#if !OTI_DECODER_COMPACT
        out->name = common->name;
        return OTI_OK;
#endif
    } else {
        size_t fast_len = len > OID_TEXT_MAX_OCTETS ? (size_t)-1 : dotted_fast(oid, len, fast);
        if (fast_len != (size_t)-1) {
            out->oid = oti_arena_strndup(d->arena, fast, fast_len);
        } else {
            struct oti_buf b = {0};
            if (len > OID_TEXT_MAX_OCTETS)
                oti_buf_puts(&b, "<OID too long>"); /* OpenSSL cannot print it either */
            else
                oti_oid_dotted(&b, oid, len);
            out->oid = b.failed ? NULL : oti_arena_strndup(d->arena, b.data, b.len);
            oti_buf_free(&b);
        }
        if (out->oid == NULL)
            return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    }
    const char *name = oti_oid_long_name(oid, len);
    out->name = name ? name : out->oid;
    return OTI_OK;
}
