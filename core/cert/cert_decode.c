/* The certificate structure, walked as OpenSSL's d2i_X509 reads it, and the
 * public entry points.
 *
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 *                            signature BIT STRING }
 * TBSCertificate ::= SEQUENCE {
 *     version [0] EXPLICIT INTEGER OPTIONAL, serialNumber INTEGER,
 *     signature AlgorithmIdentifier, issuer Name,
 *     validity SEQUENCE { notBefore Time, notAfter Time }, subject Name,
 *     subjectPublicKeyInfo SEQUENCE { AlgorithmIdentifier, BIT STRING },
 *     issuerUniqueID [1] IMPLICIT BIT STRING OPTIONAL,
 *     subjectUniqueID [2] IMPLICIT BIT STRING OPTIONAL,
 *     extensions [3] EXPLICIT SEQUENCE OF Extension OPTIONAL }
 *
 * OpenSSL checks no value against the X.509 profile (version 7, an empty
 * issuer, extensions in a v1 certificate all decode), so neither does
 * this. */
#include <limits.h>

#include "cert_internal.h"
#include "internal.h"
#include "pem.h"

/* The otls_cert the caller sees, and the arena behind it. */
struct cert_box {
    otls_cert cert; /* first: otls_cert_free casts back */
    struct oti_arena arena;
};

/* The box, rounded up so that the arena block after it keeps malloc's
 * alignment, and the arena's room beyond the DER's copy. */
#define BOX_SIZE ((sizeof(struct cert_box) + 15) & ~(size_t)15)
#define ARENA_FIRST 2048

/* OTI_BAD at this level means OpenSSL's d2i_X509 fails: CPython cannot
 * load the certificate at all. */
static int refuse_bad(struct oti_dec *d, int st)
{
    if (st == OTI_BAD)
        return oti_dec_fail(d, OTLS_ERR_PARSE, "not a certificate OpenSSL can decode");
    return st;
}

/* X509_get_version() + 1 as CPython computes it (in C long arithmetic). */
static long long python_version(const struct oti_elem *v)
{
    int64_t n;
    long openssl = -1; /* ASN1_INTEGER_get's answer when it does not fit */
    if (v == NULL)
        openssl = 0;
    else if (oti_asn1_int64(v, &n) && n >= LONG_MIN && n <= LONG_MAX)
        openssl = (long)n;
    return (long long)(long)((unsigned long)openssl + 1u);
}

static int tbs_decode(struct oti_dec *d, const struct oti_elem *tbs, otls_cert *out)
{
    struct oti_cur c = oti_cur_of(tbs), in;
    struct oti_elem t, version, serial, alg_oid, params, spki, key;
    bool have_version = false;
    int render_error = OTI_OK;

    int st = oti_asn1_take(d, &c, OTI_CLASS_CONTEXT, 0, 1, true, &t);
    if (st == OTI_OK) {
        in = oti_cur_of(&t);
        st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_INTEGER, 0, false, &version);
        if (st == OTI_OK)
            st = oti_asn1_check_integer(d, &version);
        if (st == OTI_OK && !oti_cur_empty(&in))
            st = oti_dec_fail(d, OTI_BAD, "extra data after the version");
        if (st != OTI_OK)
            return st;
        have_version = true;
    } else if (st != OTI_ABSENT) {
        return st;
    }
    st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_INTEGER, 0, false, &serial);
    if (st == OTI_OK)
        st = oti_asn1_check_integer(d, &serial);
    if (st == OTI_OK)
        st = oti_algor_decode(d, &c, NULL, &alg_oid, &params);
    if (st == OTI_OK)
        st = oti_name_decode(d, &c, &out->issuer, &render_error);
    if (st != OTI_OK)
        return st;
    if (render_error != OTI_OK)
        return oti_render_raise(d, render_error); /* CPython fails rendering it */

    st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &t);
    if (st == OTI_OK) {
        in = oti_cur_of(&t);
        st = oti_time_decode(d, &in, &out->not_before);
        if (st == OTI_OK)
            st = oti_time_decode(d, &in, &out->not_after);
        if (st == OTI_OK && !oti_cur_empty(&in))
            st = oti_dec_fail(d, OTI_BAD, "extra data in the validity");
    }
    if (st == OTI_OK)
        st = oti_name_decode(d, &c, &out->subject, &render_error);
    if (st != OTI_OK)
        return st;
    if (render_error != OTI_OK)
        return oti_render_raise(d, render_error);

    /* SubjectPublicKeyInfo */
    st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &spki);
    if (st == OTI_OK) {
        in = oti_cur_of(&spki);
        st = oti_algor_decode(d, &in, &out->key_algorithm, &alg_oid, &params);
        if (st == OTI_OK)
            st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_BIT_STRING, 2, false, &key);
        if (st == OTI_OK)
            st = oti_asn1_check_bit_string(d, &key);
        if (st == OTI_OK && !oti_cur_empty(&in))
            st = oti_dec_fail(d, OTI_BAD, "extra data in the public key");
        if (st != OTI_OK)
            return st;
        out->key_bits =
            oti_key_bits(d, &alg_oid, &params, key.value + 1, key.len - 1, &out->key_curve);
    } else {
        return st;
    }

    for (uint32_t tag = 1; tag <= 2; tag++) { /* issuerUniqueID, subjectUniqueID */
        st = oti_asn1_take(d, &c, OTI_CLASS_CONTEXT, tag, 2, true, &t);
        if (st == OTI_OK)
            st = oti_asn1_check_bit_string(d, &t);
        if (st != OTI_OK && st != OTI_ABSENT)
            return st;
    }
    st = oti_asn1_take(d, &c, OTI_CLASS_CONTEXT, 3, 1, true, &t);
    if (st == OTI_ABSENT && !oti_cur_empty(&c))
        return oti_dec_fail(d, OTI_BAD, "extra data at the end of the TBSCertificate");
    struct oti_elem exts = t;
    bool have_exts = st == OTI_OK;
    if (st != OTI_OK && st != OTI_ABSENT)
        return st;
    if (!oti_cur_empty(&c))
        return oti_dec_fail(d, OTI_BAD, "extra data at the end of the TBSCertificate");

    out->version = python_version(have_version ? &version : NULL);
    st = oti_serial_decode(d, &serial, out);
    if (st == OTI_OK && have_exts)
        st = oti_extensions_decode(d, &exts, out);
    return st;
}

static int decode(struct oti_dec *d, const uint8_t *der, size_t len, otls_cert *out)
{
    struct oti_cur c = {der, der + len, NULL}, in;
    struct oti_elem cert, tbs, alg_oid, params, sig;
    int st = oti_asn1_take(d, &c, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &cert);
    if (st != OTI_OK)
        return st;
    /* d2i_X509 stops after the certificate; trailing bytes are ignored. */
    in = oti_cur_of(&cert);
    st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_SEQUENCE, 1, false, &tbs);
    if (st == OTI_OK)
        st = oti_algor_decode(d, &in, &out->signature_algorithm, &alg_oid, &params);
    if (st == OTI_OK)
        st = oti_asn1_take(d, &in, OTI_CLASS_UNIVERSAL, OTI_TAG_BIT_STRING, 2, false, &sig);
    if (st == OTI_OK)
        st = oti_asn1_check_bit_string(d, &sig);
    if (st == OTI_OK && !oti_cur_empty(&in))
        st = oti_dec_fail(d, OTI_BAD, "extra data after the signature");
    if (st != OTI_OK)
        return st;
    st = tbs_decode(d, &tbs, out);
    if (st != OTI_OK)
        return st;

    /* der is the certificate's own copy (otls_cert_decode). */
    size_t n = (size_t)(cert.end - cert.start);
    out->der = cert.start;
    out->der_len = n;
    return OTI_OK;
}

static otls_status fail(otls_error *err, otls_status code, const char *msg)
{
    if (err) {
        err->code = code;
        oti_snprintf(err->message, sizeof err->message, "%s", msg);
    }
    return code;
}

otls_status otls_cert_decode(const uint8_t *der, size_t len, otls_cert **out, otls_error *err)
{
    if (out)
        *out = NULL;
    if (err) {
        err->code = OTLS_OK;
        err->message[0] = '\0';
    }
    if (out == NULL || (der == NULL && len > 0))
        return fail(err, OTLS_ERR_INVALID_ARGUMENT, "NULL certificate or output pointer");

    /* One allocation: the certificate, and an arena block with room for
     * the copy of the DER and what a usual certificate decodes to (more
     * blocks follow if needed). Two, and a zeroed block, were a tenth of
     * a decode (bench/). */
    size_t first = BOX_SIZE + ARENA_FIRST + len;
    struct cert_box *box = len <= SIZE_MAX - BOX_SIZE - ARENA_FIRST ? oti_malloc(first) : NULL;
    if (box == NULL)
        return fail(err, OTLS_ERR_NO_MEMORY, "out of memory");
    memset(&box->cert, 0, sizeof box->cert);
    oti_arena_init(&box->arena, (char *)box + BOX_SIZE, first - BOX_SIZE);
    struct oti_dec d; /* its two message buffers are not zeroed: only their first octet */
    d.arena = &box->arena;
    d.msg[0] = d.render_msg[0] = '\0';
    /* Decoded from a copy the certificate owns: fields such as a SAN's raw
     * bytes point into the DER, and the caller may free its buffer. */
    uint8_t *copy = oti_arena_alloc(&box->arena, len ? len : 1);
    if (copy == NULL) {
        oti_arena_free(&box->arena);
        oti_free(box);
        return fail(err, OTLS_ERR_NO_MEMORY, "out of memory");
    }
    if (len)
        memcpy(copy, der, len);
    d.der = copy;
    d.der_len = len;
    box->cert.path_len = -1;
    int st = refuse_bad(&d, decode(&d, copy, len, &box->cert));
    if (st != OTI_OK) {
        oti_arena_free(&box->arena);
        oti_free(box);
        if (st > 0) /* cannot happen: every soft result is resolved above */
            st = OTLS_ERR_INTERNAL;
        char msg[sizeof err->message];
        oti_snprintf(msg, sizeof msg, "certificate: %.*s", (int)(sizeof msg - 16),
                     d.msg[0] ? d.msg : "cannot be decoded");
        return fail(err, (otls_status)st, msg);
    }
    *out = &box->cert;
    return OTLS_OK;
}

otls_status otls_cert_decode_pem(const void *data, size_t len, otls_cert **out, otls_error *err)
{
    struct oti_pem_block *blocks = NULL;
    size_t count = 0;
    char msg[200] = "";
    if (out)
        *out = NULL;
    if (out == NULL || (data == NULL && len > 0))
        return fail(err, OTLS_ERR_INVALID_ARGUMENT, "NULL input or output pointer");
    otls_status st = oti_pem_decode(data, len, &blocks, &count, msg, sizeof msg);
    if (st != OTLS_OK)
        return fail(err, st, msg[0] ? msg : "out of memory");
    for (size_t i = 0; i < count; i++) {
        if (blocks[i].kind == OTI_PEM_CERT || blocks[i].kind == OTI_PEM_RAW_DER) {
            st = otls_cert_decode(blocks[i].der, blocks[i].len, out, err);
            oti_pem_free(blocks, count);
            return st;
        }
    }
    oti_pem_free(blocks, count);
    return fail(err, OTLS_ERR_PARSE, "no CERTIFICATE block in the PEM input");
}

otls_status otls_cert_sha256(const otls_cert *cert, uint8_t out[32])
{
    if (cert == NULL || out == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    oti_sha256(cert->der, cert->der_len, out);
    return OTLS_OK;
}

void otls_cert_free(otls_cert *cert)
{
    if (cert == NULL)
        return;
    struct cert_box *box = (struct cert_box *)cert;
    oti_arena_free(&box->arena);
    oti_free(box);
}
