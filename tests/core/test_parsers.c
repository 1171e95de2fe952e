/* Core parsers that see user or network input: PEM, DER, the IP-literal
 * check, the suite table and the tls-server-end-point hash choice. */
#include <criterion/criterion.h>
#include <string.h>

#include "cipher_suites.h"
#include "der.h"
#include "internal.h"
#include "pem.h"
#include "server_end_point.h"

/* Fake key blocks for the PEM reader, spelled so that no tracked file looks
 * like it holds a private key. */
#define PEM_PK "PRIVATE KEY"

static otls_status decode(const char *text, struct oti_pem_block **b, size_t *n)
{
    char err[256] = "";
    otls_status st = oti_pem_decode((const uint8_t *)text, strlen(text), b, n, err, sizeof err);
    if (st < 0)
        cr_assert_neq(err[0], '\0', "an error must say why");
    return st;
}

Test(pem, blocks_and_kinds)
{
    const char *text =
        "junk before\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        "-----BEGIN " PEM_PK "-----\nAAEC\r\nAw==\n-----END " PEM_PK "-----\n"
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    struct oti_pem_block *b;
    size_t n;
    cr_assert_eq(decode(text, &b, &n), OTLS_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(b[0].kind, OTI_PEM_CERT);
    cr_assert_eq(b[0].len, 3);
    cr_assert_eq(b[1].kind, OTI_PEM_KEY);
    cr_assert_eq(b[1].len, 4);
    cr_assert_eq(b[1].der[3], 3);
    cr_assert_eq(b[2].kind, OTI_PEM_OTHER);
    oti_pem_free(b, n);
}

Test(pem, encrypted_keys_are_recognised)
{
    struct oti_pem_block *b;
    size_t n;
    cr_assert_eq(decode("-----BEGIN ENCRYPTED " PEM_PK "-----\nAAAA\n"
                        "-----END ENCRYPTED " PEM_PK "-----\n",
                        &b, &n),
                 OTLS_OK);
    cr_assert_eq(b[0].kind, OTI_PEM_ENCRYPTED_KEY);
    oti_pem_free(b, n);
    cr_assert_eq(decode("-----BEGIN RSA " PEM_PK "-----\nProc-Type: 4,ENCRYPTED\n"
                        "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA " PEM_PK "-----\n",
                        &b, &n),
                 OTLS_OK);
    cr_assert_eq(b[0].kind, OTI_PEM_ENCRYPTED_KEY);
    oti_pem_free(b, n);
}

Test(pem, raw_der)
{
    struct oti_pem_block *b;
    size_t n;
    cr_assert_eq(decode("\x30\x03\x02\x01\x05", &b, &n), OTLS_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(b[0].kind, OTI_PEM_RAW_DER);
    cr_assert_eq(b[0].len, 5);
    oti_pem_free(b, n);
}

Test(pem, malformed)
{
    struct oti_pem_block *b;
    size_t n;
    const char *bad[] = {
        "",
        "hello",
        "-----BEGIN CERTIFICATE-----\nAAAA\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END KEY-----\n",
        "-----BEGIN CERTIFICATE-----\nA*AA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nAA=A\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERT",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(decode(bad[i], &b, &n), OTLS_ERR_PARSE, "input %zu", i);
        cr_assert_null(b);
        cr_assert_eq(n, 0);
    }
}

Test(der, lengths)
{
    struct oti_tlv t;
    const uint8_t ok[] = {0x04, 0x81, 0x80};
    const uint8_t *p = ok;
    cr_assert_not(oti_der_next(&p, ok + sizeof ok, &t), "length beyond input");
    const uint8_t short_in_long[] = {0x04, 0x81, 0x05, 1, 2, 3, 4, 5};
    p = short_in_long;
    cr_assert_not(oti_der_next(&p, short_in_long + sizeof short_in_long, &t), "not minimal");
    const uint8_t indefinite[] = {0x30, 0x80, 0, 0};
    p = indefinite;
    cr_assert_not(oti_der_next(&p, indefinite + sizeof indefinite, &t));
    const uint8_t good[] = {0x02, 0x01, 0x07, 0xff};
    p = good;
    cr_assert(oti_der_next(&p, good + sizeof good, &t));
    cr_assert_eq(t.tag, 0x02);
    cr_assert_eq(t.len, 1);
    cr_assert_eq(p, good + 3);
}

Test(hostname, ip_literals)
{
    cr_assert(oti_is_ip_literal("127.0.0.1"));
    cr_assert(oti_is_ip_literal("::1"));
    cr_assert(oti_is_ip_literal("2001:db8::1"));
    cr_assert_not(oti_is_ip_literal("localhost"));
    cr_assert_not(oti_is_ip_literal("1.2.3"));
    cr_assert_not(oti_is_ip_literal("256.1.1.1"));
    cr_assert_not(oti_is_ip_literal("1.2.3.4."));
    cr_assert_not(oti_is_ip_literal("example.com"));
    cr_assert_not(oti_is_ip_literal("1234.1.1.1"));
    /* The name check's parser decides (inet_pton's rules): what it refuses
     * is a host name, not an address a backend would then refuse. */
    cr_assert(oti_is_ip_literal("::ffff:1.2.3.4"));
    cr_assert_not(oti_is_ip_literal("01.2.3.4"));
    cr_assert_not(oti_is_ip_literal("1.2.3.00"));
    cr_assert_not(oti_is_ip_literal("abc:def"));
    cr_assert_not(oti_is_ip_literal("1::2::3"));
    cr_assert_not(oti_is_ip_literal(""));
}

Test(suites, table_is_sorted_unique_and_complete)
{
    size_t n = oti_suite_count();
    cr_assert_gt(n, 30);
    for (size_t i = 0; i < n; i++) {
        const struct oti_suite *s = oti_suite_at(i);
        cr_assert(s->name && s->iana_name && oti_suite_protocol(s));
        if (i > 0)
            cr_assert_lt(oti_suite_at(i - 1)->id, s->id, "row %zu", i);
        cr_assert_eq(oti_suite_by_id(s->id), s);
        cr_assert_eq(oti_suite_by_name(s->name, strlen(s->name)), s);
        cr_assert_eq(oti_suite_by_name(s->iana_name, strlen(s->iana_name)), s);
    }
    cr_assert_null(oti_suite_at(n));
    cr_assert_null(oti_suite_by_id(0x00FF)); /* a signalling value, not a suite */
}

Test(suites, python_values)
{
    const struct oti_suite *s = oti_suite_by_id(0xC013);
    cr_assert_not_null(s);
    cr_assert_str_eq(s->name, "ECDHE-RSA-AES128-SHA");
    cr_assert_str_eq(oti_suite_protocol(s), "TLSv1.0");
    cr_assert_eq(oti_suite_bits(s), 128);
    s = oti_suite_by_id(0x1302);
    cr_assert_str_eq(s->name, "TLS_AES_256_GCM_SHA384");
    cr_assert_str_eq(oti_suite_protocol(s), "TLSv1.3");
    cr_assert_eq(oti_suite_bits(s), 256);
    s = oti_suite_by_id(0xC02B);
    cr_assert_str_eq(s->iana_name, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    cr_assert_str_eq(oti_suite_protocol(s), "TLSv1.2");
}

/* A certificate skeleton: SEQUENCE { SEQUENCE {}, AlgorithmIdentifier, BIT STRING }. */
static size_t cert_with_alg(uint8_t *out, const uint8_t *alg, size_t alg_len)
{
    size_t n = 0;
    out[n++] = 0x30;
    out[n++] = (uint8_t)(2 + alg_len + 3);
    out[n++] = 0x30;
    out[n++] = 0x00;
    memcpy(out + n, alg, alg_len);
    n += alg_len;
    out[n++] = 0x03;
    out[n++] = 0x01;
    out[n++] = 0x00;
    return n;
}

static otls_status hash_for(const uint8_t *alg, size_t alg_len, int *hash)
{
    uint8_t der[128];
    char err[256];
    size_t n = cert_with_alg(der, alg, alg_len);
    return oti_server_end_point_hash(der, n, hash, err, sizeof err);
}

Test(server_end_point, hash_choice)
{
    const uint8_t sha1_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00};
    const uint8_t sha384_ecdsa[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                    0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
    const uint8_t ed25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
    /* RSASSA-PSS with hashAlgorithm sha512. */
    const uint8_t pss512[] = {0x30, 0x1c, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                              0x01, 0x01, 0x0a, 0x30, 0x0f, 0xa0, 0x0d, 0x30, 0x0b, 0x06,
                              0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
    int hash = 0;
    cr_assert_eq(hash_for(sha1_rsa, sizeof sha1_rsa, &hash), OTLS_OK);
    cr_assert_eq(hash, OTLS_HASH_SHA256, "SHA-1 is upgraded to SHA-256");
    cr_assert_eq(hash_for(sha384_ecdsa, sizeof sha384_ecdsa, &hash), OTLS_OK);
    cr_assert_eq(hash, OTLS_HASH_SHA384);
    cr_assert_eq(hash_for(pss512, sizeof pss512, &hash), OTLS_OK);
    cr_assert_eq(hash, OTLS_HASH_SHA512);
    cr_assert_eq(hash_for(ed25519, sizeof ed25519, &hash), OTLS_ERR_UNSUPPORTED);
    uint8_t der[128];
    char err[256];
    size_t n = cert_with_alg(der, ed25519, sizeof ed25519);
    cr_assert_eq(oti_server_end_point_hash(der, n, &hash, err, sizeof err), OTLS_ERR_UNSUPPORTED);
    cr_assert(strstr(err, "undefined for Ed25519 certificates") != NULL, "%s", err);
    der[n - 3 - 1] = 0x71; /* Ed448 */
    cr_assert_eq(oti_server_end_point_hash(der, n, &hash, err, sizeof err), OTLS_ERR_UNSUPPORTED);
    cr_assert(strstr(err, "undefined for Ed448 certificates") != NULL, "%s", err);
    uint8_t junk[] = {0x30, 0x05, 0x30};
    cr_assert_eq(oti_server_end_point_hash(junk, sizeof junk, &hash, err, sizeof err),
                 OTLS_ERR_PARSE);
}
