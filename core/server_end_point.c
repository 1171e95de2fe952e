/* tls-server-end-point (RFC 5929 section 4.1): which hash to apply to the
 * server certificate, read from its signatureAlgorithm. Done here rather than
 * with a stack's helper because OpenSSL's X509_digest_sig skips the RFC's
 * MD5/SHA-1 -> SHA-256 upgrade. */
#include <string.h>

#include "der.h"
#include "internal.h"
#include "server_end_point.h"

/* 11 bytes a row: only the two refused algorithms need a name (for the
 * error message), so the names are not in the table. */
struct sig_alg {
    uint8_t oid[9];
    uint8_t len;
    uint8_t hash; /* enum otls_hash; REFUSED + index into refused_names */
};

#define REFUSED 0x80
static const char *const refused_names[] = {"Ed25519", "Ed448"};

/* Encoded OID bodies: md5/sha1/sha224/256/384/512WithRSA, ecdsa-with-SHA1
 * and SHA224..512, dsa-with-SHA1, SHA224 and SHA256, Ed25519, Ed448. MD5
 * and SHA-1 based algorithms map to SHA-256. */
static const struct sig_alg sig_algs[] = {
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04}, 9, OTLS_HASH_SHA256},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05}, 9, OTLS_HASH_SHA256},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0e}, 9, OTLS_HASH_SHA224},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}, 9, OTLS_HASH_SHA256},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c}, 9, OTLS_HASH_SHA384},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d}, 9, OTLS_HASH_SHA512},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01}, 7, OTLS_HASH_SHA256},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x01}, 8, OTLS_HASH_SHA224},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}, 8, OTLS_HASH_SHA256},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}, 8, OTLS_HASH_SHA384},
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04}, 8, OTLS_HASH_SHA512},
    {{0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03}, 7, OTLS_HASH_SHA256},
    {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x01}, 9, OTLS_HASH_SHA224},
    {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02}, 9, OTLS_HASH_SHA256},
    {{0x2b, 0x65, 0x70}, 3, REFUSED + 0},
    {{0x2b, 0x65, 0x71}, 3, REFUSED + 1},
};

static const uint8_t oid_rsassa_pss[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
static const uint8_t oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
static const uint8_t oid_sha224[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04};
static const uint8_t oid_sha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
static const uint8_t oid_sha384[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
static const uint8_t oid_sha512[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};

/* RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier
 * DEFAULT sha1, ... }: the PSS hash is the certificate's hash. */
static int pss_hash(const uint8_t *p, const uint8_t *end)
{
    struct oti_tlv params, tagged, alg, oid;
    if (p == end)
        return OTLS_HASH_SHA256; /* absent parameters: SHA-1 default, upgraded */
    if (!oti_der_expect(&p, end, OTI_DER_SEQUENCE, &params))
        return 0;
    const uint8_t *q = params.value, *qend = params.value + params.len;
    if (q == qend || *q != 0xa0)
        return OTLS_HASH_SHA256; /* hashAlgorithm absent: SHA-1, upgraded */
    if (!oti_der_next(&q, qend, &tagged))
        return 0;
    const uint8_t *r = tagged.value;
    if (!oti_der_expect(&r, tagged.value + tagged.len, OTI_DER_SEQUENCE, &alg))
        return 0;
    const uint8_t *s = alg.value;
    if (!oti_der_expect(&s, alg.value + alg.len, OTI_DER_OID, &oid))
        return 0;
    if (oti_der_oid_is(&oid, oid_sha1, sizeof oid_sha1) ||
        oti_der_oid_is(&oid, oid_sha256, sizeof oid_sha256))
        return OTLS_HASH_SHA256;
    if (oti_der_oid_is(&oid, oid_sha224, sizeof oid_sha224))
        return OTLS_HASH_SHA224;
    if (oti_der_oid_is(&oid, oid_sha384, sizeof oid_sha384))
        return OTLS_HASH_SHA384;
    if (oti_der_oid_is(&oid, oid_sha512, sizeof oid_sha512))
        return OTLS_HASH_SHA512;
    return 0;
}

otls_status oti_server_end_point_hash(const uint8_t *der, size_t len, int *hash, char *err,
                                      size_t err_len)
{
    /* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, sig } */
    const uint8_t *p = der, *end = der + len;
    struct oti_tlv cert, tbs, alg, oid;
    if (!oti_der_expect(&p, end, OTI_DER_SEQUENCE, &cert))
        goto bad;
    p = cert.value;
    end = cert.value + cert.len;
    if (!oti_der_expect(&p, end, OTI_DER_SEQUENCE, &tbs) ||
        !oti_der_expect(&p, end, OTI_DER_SEQUENCE, &alg))
        goto bad;
    p = alg.value;
    end = alg.value + alg.len;
    if (!oti_der_expect(&p, end, OTI_DER_OID, &oid))
        goto bad;
    if (oti_der_oid_is(&oid, oid_rsassa_pss, sizeof oid_rsassa_pss)) {
        *hash = pss_hash(p, end);
        if (*hash == 0)
            return oti_set_error(err, err_len, OTLS_ERR_UNSUPPORTED,
                                 "tls-server-end-point: RSA-PSS certificate with an unknown hash");
        return OTLS_OK;
    }
    for (size_t i = 0; i < sizeof sig_algs / sizeof sig_algs[0]; i++) {
        if (!oti_der_oid_is(&oid, sig_algs[i].oid, sig_algs[i].len))
            continue;
        if (sig_algs[i].hash & REFUSED)
            return oti_set_error(err, err_len, OTLS_ERR_UNSUPPORTED,
                                 "tls-server-end-point is undefined for %s certificates, whose "
                                 "signature has no single hash (RFC 5929 4.1)",
                                 refused_names[sig_algs[i].hash - REFUSED]);
        *hash = sig_algs[i].hash;
        return OTLS_OK;
    }
    return oti_set_error(err, err_len, OTLS_ERR_UNSUPPORTED,
                         "tls-server-end-point: unknown certificate signature algorithm");
bad:
    return oti_set_error(err, err_len, OTLS_ERR_PARSE,
                         "tls-server-end-point: the server certificate is not valid DER");
}
