/* White-box and API tests of the certificate decoder: SHA-256, the JSON
 * writer on a hand-built certificate, the typed view (checked against the
 * openssl CLI's reading of the same corpus certificates), argument errors,
 * and allocation failures at every step. Linked against the decoder alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <omnitls/cert.h>

#include "cert_internal.h"
#include "cert_test_util.h"

/* ------------------------------------------------------------------------ */
/* SHA-256 (expected values from Python's hashlib)                         */

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

Test(cert_unit, sha256_vectors)
{
    static const struct {
        size_t n;
        const char *want;
    } v[] = {
        {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {55, "16fa57a0a3423a715d594516339f36189d6b5f93754a9714fef202616a9fabfe"},
        {56, "c37b44e5f1b18554b36966f4f8e08bfbf3164c4b6c10374d12d89850892073c5"},
        {63, "bbba992d2c85af960fb2987a1fd05e0aa82a3db3c740dd8982a9e273b75e36a3"},
        {64, "66bd4633ed6f71c4ecfa4763bf7ba1c8ec7612de9aa6c0578a7b675207c71e0b"},
        {65, "9f7dc47107b750a1f3d35db5d9547f24ef40da5b731b9540d4f43710a154f6c9"},
        {119, "a3ed307b730fa77c07531300c6e4a282330011d4d4caf6bb7b63ae05950f4b66"},
        {120, "8e3b15d9fea7472655aa069620b7f8c2e55ee1499f763200a7515fe826e99d20"},
        {1000, "095ecb62e30793ab4b954cd6a0586d0cc91f7ea5b1332694d8da780e98676d78"},
    };
    uint8_t data[1000], md[32];
    char text[65];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        oti_sha256(data, v[i].n, md);
        hex(md, 32, text);
        cr_expect_str_eq(text, v[i].want, "SHA-256 of %zu octets", v[i].n);
    }
    oti_sha256((const uint8_t *)"abc", 3, md);
    hex(md, 32, text);
    cr_expect_str_eq(text, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* ------------------------------------------------------------------------ */
/* The constants for common OIDs (cert_oid.c) agree with the name table and
 * the dotted-text conversion they stand in for.                          */

Test(cert_unit, common_oid_constants)
{
    static const struct {
        size_t len;
        uint8_t der[9];
    } v[] = {
        {3, {0x55, 0x04, 0x03}},
        {3, {0x55, 0x04, 0x06}},
        {3, {0x55, 0x04, 0x0a}},
        {3, {0x55, 0x04, 0x0b}},
        {3, {0x55, 0x04, 0x07}},
        {3, {0x55, 0x04, 0x08}},
        {3, {0x55, 0x04, 0x05}},
        {3, {0x55, 0x04, 0x61}},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01}},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c}},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05}},
        {9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}},
        {7, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}},
        {8, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}},
        {8, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}},
        {8, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}},
        {5, {0x2b, 0x81, 0x04, 0x00, 0x22}},
        {8, {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01}},
        {8, {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02}},
        {3, {0x55, 0x04, 0x04}}, /* surname: not a constant, for contrast */
    };
    struct oti_arena arena = {0};
    struct oti_dec d;
    memset(&d, 0, sizeof d);
    d.arena = &arena;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        otls_cert_oid o;
        cr_assert_eq(oti_oid_fill(&d, v[i].der, v[i].len, &o), 0);
        const char *name = oti_oid_long_name(v[i].der, v[i].len);
        cr_assert(name != NULL, "entry %zu has no long name", i);
        cr_expect_str_eq(o.name, name, "entry %zu", i);
        struct oti_buf b = {0};
        oti_oid_dotted(&b, v[i].der, v[i].len);
        cr_assert(!b.failed);
        cr_expect_str_eq(o.oid, b.data, "entry %zu", i);
        oti_buf_free(&b);
    }
    oti_arena_free(&arena);
}

/* ------------------------------------------------------------------------ */
/* JSON writer on a certificate built by hand (expected: Python's
 * json.dumps of the equivalent dict)                                       */

Test(cert_unit, json_writer_escapes_like_python)
{
    static const char value[] = "a\xf0\x9f\x98\x80\"\\\0\x7f\xc3\xa9\xe2\x80\xa8";
    otls_cert_attr attrs[2] = {{"2.5.4.3", "commonName", value, sizeof value - 1, 0, 12},
                               {"2.5.4.45", "x500UniqueIdentifier", "\x01\xff", 2, 1, 3}};
    otls_cert_rdn rdn = {attrs, 2};
    otls_cert_attr none_attr = {"2.5.4.3", "commonName", NULL, 0, 1, 3};
    otls_cert_rdn none_rdn = {&none_attr, 1};
    otls_cert_san sans[2];
    memset(sans, 0, sizeof sans);
    sans[0].type = OTLS_SAN_DNS;
    sans[0].label = "DNS";
    sans[0].value = "x";
    sans[0].value_len = 1;
    sans[1].type = OTLS_SAN_DIRNAME;
    sans[1].label = "DirName";
    sans[1].dirname.rdns = &none_rdn;
    sans[1].dirname.count = 1;
    otls_cert_text ocsp = {"u", 1};
    otls_cert c;
    memset(&c, 0, sizeof c);
    c.subject.rdns = &rdn;
    c.subject.count = 1;
    c.version = 3;
    c.serial_text = "00";
    c.not_before.text = "Bad time value";
    c.not_after.text = "Jan  1 00:00:00 2020 GMT";
    c.has_san = 1;
    c.san = sans;
    c.san_count = 2;
    c.ocsp = &ocsp;
    c.ocsp_count = 1;

    char *json = NULL;
    size_t len = 0;
    cr_assert_eq(otls_cert_to_json(&c, 0, &json, &len), OTLS_OK);
    cr_expect_str_eq(json, "{\"subject\": [[[\"commonName\", "
                           "\"a\\ud83d\\ude00\\\"\\\\\\u0000\\u007f\\u00e9\\u2028\"], "
                           "[\"x500UniqueIdentifier\", {\"__bytes_hex__\": \"01ff\"}]]], "
                           "\"issuer\": [], \"version\": 3, \"serialNumber\": \"00\", "
                           "\"notBefore\": \"Bad time value\", \"notAfter\": \"Jan  1 00:00:00 "
                           "2020 GMT\", \"subjectAltName\": [[\"DNS\", \"x\"], [\"DirName\", "
                           "[[[\"commonName\", null]]]]], \"OCSP\": [\"u\"]}");
    cr_expect_eq(len, strlen(json));
    otls_free_string(json);
    cr_assert_eq(otls_cert_to_json(&c, OTLS_JSON_SORT_KEYS, &json, NULL), OTLS_OK);
    cr_expect_str_eq(json, "{\"OCSP\": [\"u\"], \"issuer\": [], \"notAfter\": \"Jan  1 00:00:00 "
                           "2020 GMT\", \"notBefore\": \"Bad time value\", \"serialNumber\": "
                           "\"00\", \"subject\": [[[\"commonName\", "
                           "\"a\\ud83d\\ude00\\\"\\\\\\u0000\\u007f\\u00e9\\u2028\"], "
                           "[\"x500UniqueIdentifier\", {\"__bytes_hex__\": \"01ff\"}]]], "
                           "\"subjectAltName\": [[\"DNS\", \"x\"], [\"DirName\", "
                           "[[[\"commonName\", null]]]]], \"version\": 3}");
    otls_free_string(json);
}

/* ------------------------------------------------------------------------ */
/* The typed view, on corpus certificates (expected: `openssl x509 -text`
 * and `-fingerprint -sha256` on this machine)                              */

static otls_cert *corpus_cert(const char *name)
{
    char *path = cu_path(OTLS_CERT_CORPUS_DIR, name, "", ".pem");
    size_t len = 0;
    char *pem = cu_read_file(path, &len);
    cr_assert(pem != NULL, "the conformance corpus is missing: cannot read %s", path);
    otls_cert *c = NULL;
    otls_error err;
    otls_status st = otls_cert_decode_pem(pem, len, &c, &err);
    cr_assert_eq(st, OTLS_OK, "%s: %s", name, err.message);
    free(pem);
    free(path);
    return c;
}

static void expect_fingerprint(const otls_cert *c, const char *want)
{
    uint8_t md[32];
    char text[65];
    cr_assert_eq(otls_cert_sha256(c, md), OTLS_OK);
    hex(md, 32, text);
    cr_expect_str_eq(text, want);
}

Test(cert_unit, typed_view_ec_leaf)
{
    otls_cert *c = corpus_cert("cpython-keycertecc");
    cr_expect_str_eq(c->key_algorithm.name, "id-ecPublicKey");
    cr_expect_str_eq(c->key_algorithm.oid, "1.2.840.10045.2.1");
    cr_expect_str_eq(c->key_curve.name, "secp384r1");
    cr_expect_eq(c->key_bits, 384);
    cr_expect_str_eq(c->signature_algorithm.name, "sha256WithRSAEncryption");
    expect_fingerprint(c, "ba6736ef30e2ad0782f4e7af1360fcc5937248edabeabbc7f466e21ced770607");
    cr_expect(c->has_basic_constraints && !c->is_ca && c->path_len == -1);
    cr_expect(c->has_key_usage);
    cr_expect_eq(c->key_usage, OTLS_KU_DIGITAL_SIGNATURE | OTLS_KU_KEY_ENCIPHERMENT);
    cr_assert(c->has_ext_key_usage && c->ext_key_usage_count == 2);
    cr_expect_str_eq(c->ext_key_usage[0].name, "TLS Web Server Authentication");
    cr_expect_str_eq(c->ext_key_usage[1].oid, "1.3.6.1.5.5.7.3.2");
    cr_expect_eq(c->version, 3);
    cr_expect_str_eq(c->subject.rdns[c->subject.count - 1].attrs[0].oid, "2.5.4.3");
    cr_expect(c->not_before.valid && c->not_after.valid);
    cr_expect(c->der_len > 0 && c->der[0] == 0x30);
    otls_cert_free(c);
}

Test(cert_unit, typed_view_key_types)
{
    static const struct {
        const char *name, *key, *fingerprint;
        unsigned bits;
        int ca;
    } v[] = {
        {"cpython-pycacert", "rsaEncryption",
         "08c234f924d2659e3d7d607899377e42e349acc3c06cd6f98f58024d1fd38c81", 3072, 1},
        {"pyca-rsa_pss_cert", "rsassaPss",
         "6208d04e5d6cee3037a24114dc5c63c344bd804e79447d2c657890677c7c8b73", 2048, 1},
        {"pyca-dsa_selfsigned_ca", "dsaEncryption",
         "0aa0fddb5b878eeeb592fb7f122ca005bc3b63a3c4d8a7e96b89cab1fb5e707f", 2048, 1},
        {"pyca-server-ed25519-cert", "ED25519",
         "f4e9a8d72fe6c538505de6df46009851733e465f4539af085f81c8f59f34396f", 253, 0},
        {"pyca-server-ed448-cert", "ED448",
         "584b0a3bc9d5efabef436ccc6c0c921fbce977ecd88429bcba24aa31198f44b8", 456, 0},
        {"zlint-ecdsaP521", "id-ecPublicKey",
         "55d09fbcc17d601ddf64bb0f3b6a0a52a3e0fb114fe62f09b2b16f1adb4d08cc", 521, 0},
        {"pyca-e-trust.ru", "GOST R 34.10-2001",
         "4e450e4971f2d77d22567b55ecc2162b3dfd0d2fa6a8da8a92cdcabc80489b59", 0, 1},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        otls_cert *c = corpus_cert(v[i].name);
        cr_expect_str_eq(c->key_algorithm.name, v[i].key, "%s", v[i].name);
        cr_expect_eq(c->key_bits, v[i].bits, "%s: %u bits", v[i].name, c->key_bits);
        cr_expect(c->has_basic_constraints && c->is_ca == v[i].ca, "%s", v[i].name);
        expect_fingerprint(c, v[i].fingerprint);
        otls_cert_free(c);
    }
}

Test(cert_unit, typed_view_san_and_dates)
{
    otls_cert *c = corpus_cert("cpython-allsans");
    cr_assert(c->has_san && c->san_count == 10);
    cr_expect_eq(c->san[1].type, OTLS_SAN_OTHER_NAME);
    cr_expect_str_eq(c->san[1].other_name_type.oid, "1.2.3.4");
    cr_expect_eq(c->san[5].type, OTLS_SAN_DIRNAME);
    cr_expect_null(c->san[5].value);
    cr_expect_eq(c->san[5].dirname.count, 4);
    cr_expect_str_eq(c->san[5].dirname.rdns[3].attrs[0].value, "dirname example");
    cr_expect_eq(c->san[7].type, OTLS_SAN_IP);
    cr_expect(c->san[7].raw_len == 4 && memcmp(c->san[7].raw, "\x7f\0\0\x01", 4) == 0);
    cr_expect_str_eq(c->san[8].value, "0:0:0:0:0:0:0:1");
    cr_expect_eq(c->san[9].type, OTLS_SAN_REGISTERED_ID);
    cr_expect_eq(c->ocsp_count, 1);
    cr_expect_eq(c->crl_distribution_points_count, 1);
    /* notAfter Oct 28 14:23:16 2525 GMT */
    cr_expect_eq(c->not_after.epoch, 17540115796LL);
    otls_cert_free(c);

    c = corpus_cert("cpython-leaf-missing-aki.ca"); /* Jan  1 00:00:01 1970 GMT */
    cr_expect_eq(c->not_before.epoch, 1);
    otls_cert_free(c);
    c = corpus_cert("pyca-badasn1time");
    cr_expect(!c->not_after.valid && c->not_after.epoch == 0);
    cr_expect_str_eq(c->not_after.text, "Bad time value");
    otls_cert_free(c);
    c = corpus_cert("zlint-SANCaseNotMatchingCN"); /* year 1 */
    cr_expect_eq(c->not_after.epoch, -62135596800LL);
    otls_cert_free(c);
    c = corpus_cert("pyca-negative_serial");
    cr_expect(c->serial_negative && c->serial_text[0] == '-');
    otls_cert_free(c);
}

/* ------------------------------------------------------------------------ */
/* Arguments and inputs                                                     */

/* The certificate owns every byte it points to: the caller's buffer may be
 * overwritten and freed right after decoding (a SAN's raw bytes once
 * pointed into it, and otls_cert_decode_pem freed its own copy). */
Test(cert_unit, owns_its_bytes)
{
    otls_cert *ref = corpus_cert("cpython-allsans");
    uint8_t *der = malloc(ref->der_len);
    cr_assert(der != NULL);
    memcpy(der, ref->der, ref->der_len);
    size_t len = ref->der_len;
    otls_cert *c = NULL;
    otls_error err;
    cr_assert_eq(otls_cert_decode(der, len, &c, &err), OTLS_OK, "%s", err.message);
    char *before = NULL, *after = NULL;
    size_t blen = 0, alen = 0;
    cr_assert_eq(otls_cert_to_json(c, OTLS_JSON_SORT_KEYS, &before, &blen), OTLS_OK);
    memset(der, 0, len);
    cr_assert(c->san_count == 10 && c->san[7].raw_len == 4 &&
              memcmp(c->san[7].raw, "\x7f\0\0\x01", 4) == 0);
    cr_assert_eq(otls_cert_to_json(c, OTLS_JSON_SORT_KEYS, &after, &alen), OTLS_OK);
    cr_assert(alen == blen && memcmp(before, after, alen) == 0);
    free(der); /* after the checks, so the memset above is not optimised away */
    otls_free_string(before);
    otls_free_string(after);
    otls_cert_free(c);
    otls_cert_free(ref);
}

Test(cert_unit, arguments)
{
    otls_cert *c = (otls_cert *)&c;
    otls_error err;
    cr_expect_eq(otls_cert_decode(NULL, 5, &c, &err), OTLS_ERR_INVALID_ARGUMENT);
    cr_expect_null(c);
    cr_expect_eq(otls_cert_decode((const uint8_t *)"\x30\x00", 2, NULL, NULL),
                 OTLS_ERR_INVALID_ARGUMENT);
    cr_expect_eq(otls_cert_decode(NULL, 0, &c, NULL), OTLS_ERR_PARSE);
    cr_expect_eq(otls_cert_decode((const uint8_t *)"\x30\x00", 2, &c, &err), OTLS_ERR_PARSE);
    cr_expect_eq(err.code, OTLS_ERR_PARSE);
    cr_expect(strlen(err.message) > 0);
    /* A fake key block, spelled so no tracked file looks like it holds a key. */
#define PEM_PK "PRIVATE KEY"
    static const char key_only[] = "-----BEGIN " PEM_PK "-----\nAAAA\n-----END " PEM_PK "-----\n";
    cr_expect_eq(otls_cert_decode_pem(key_only, strlen(key_only), &c, &err), OTLS_ERR_PARSE);
    cr_expect(strstr(err.message, "CERTIFICATE") != NULL, "%s", err.message);
    cr_expect_eq(otls_cert_decode_pem("hello", 5, &c, &err), OTLS_ERR_PARSE);
    char *json = (char *)&json;
    cr_expect_eq(otls_cert_to_json(NULL, 0, &json, NULL), OTLS_ERR_INVALID_ARGUMENT);
    cr_expect_null(json);
    otls_cert_free(NULL);
    otls_free_string(NULL);

    otls_cert *ok = corpus_cert("cpython-nosan");
    cr_expect_eq(otls_cert_to_json(ok, 0x80, &json, NULL), OTLS_ERR_INVALID_ARGUMENT);
    cr_expect_eq(otls_cert_to_json(ok, 0, NULL, NULL), OTLS_ERR_INVALID_ARGUMENT);
    /* The fingerprint accessor: NULLs refused, the output left alone. */
    uint8_t md[32];
    memset(md, 0xa5, sizeof md);
    cr_expect_eq(otls_cert_sha256(NULL, md), OTLS_ERR_INVALID_ARGUMENT);
    cr_expect_eq(otls_cert_sha256(ok, NULL), OTLS_ERR_INVALID_ARGUMENT);
    cr_expect(md[0] == 0xa5 && md[31] == 0xa5);
    otls_cert_free(ok);
}

Test(cert_unit, pem_skips_other_blocks)
{
    char *path = cu_path(OTLS_CERT_CORPUS_DIR, "cpython-nosan", "", ".pem");
    size_t len = 0;
    char *pem = cu_read_file(path, &len);
    cr_assert(pem != NULL, "cannot read %s", path);
    static const char other[] = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
                                "-----END EC PARAMETERS-----\n";
    char *both = malloc(sizeof other + len);
    memcpy(both, other, sizeof other - 1);
    memcpy(both + sizeof other - 1, pem, len);
    otls_cert *a = NULL, *b = NULL;
    otls_error err;
    cr_assert_eq(otls_cert_decode_pem(pem, len, &a, &err), OTLS_OK, "%s", err.message);
    cr_assert_eq(otls_cert_decode_pem(both, sizeof other - 1 + len, &b, &err), OTLS_OK, "%s",
                 err.message);
    cr_expect(a->der_len == b->der_len && memcmp(a->der, b->der, a->der_len) == 0);
    /* DER input through the PEM entry point. */
    otls_cert *c = NULL;
    cr_assert_eq(otls_cert_decode_pem(a->der, a->der_len, &c, &err), OTLS_OK, "%s", err.message);
    uint8_t mc[32], ma[32];
    cr_assert(otls_cert_sha256(c, mc) == OTLS_OK && otls_cert_sha256(a, ma) == OTLS_OK);
    cr_expect(memcmp(mc, ma, 32) == 0);
    otls_cert_free(a);
    otls_cert_free(b);
    otls_cert_free(c);
    free(both);
    free(pem);
    free(path);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures: every allocation in turn fails; the decoder answers
 * OTLS_ERR_NO_MEMORY and frees everything it took.                         */

static long alloc_budget = -1; /* allocations left before failing; -1: no limit */
static long live_blocks;

static void *counting_malloc(size_t n, void *user)
{
    (void)user;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    live_blocks++;
    return malloc(n);
}

static void counting_free(void *p, void *user)
{
    (void)user;
    if (p)
        live_blocks--;
    free(p);
}

Test(cert_unit, allocation_failures)
{
    cr_assert_eq(otls_set_allocator(counting_malloc, NULL, counting_free, NULL), OTLS_OK);
    const char *names[] = {"cpython-allsans", "pyca-scottishpower-bitstring-dn",
                           "zlint-subCertPathLenNegative", "pyca-utf8-dnsname"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char *path = cu_path(OTLS_CERT_CORPUS_DIR, names[k], "", ".pem");
        size_t len = 0;
        char *pem = cu_read_file(path, &len);
        cr_assert(pem != NULL, "cannot read %s", path);
        int succeeded = 0;
        for (long budget = 0; budget < 10000 && !succeeded; budget++) {
            otls_cert *c = NULL;
            char *json = NULL;
            otls_error err;
            alloc_budget = budget;
            otls_status st = otls_cert_decode_pem(pem, len, &c, &err);
            if (st == OTLS_OK)
                st = otls_cert_to_json(c, OTLS_JSON_SORT_KEYS, &json, NULL);
            if (st == OTLS_OK)
                succeeded = 1;
            else
                cr_expect_eq(st, OTLS_ERR_NO_MEMORY, "%s, %ld allocations: %s", names[k], budget,
                             otls_status_name(st));
            otls_free_string(json);
            otls_cert_free(c);
            alloc_budget = -1;
            cr_expect_eq(live_blocks, 0, "%s, %ld allocations: %ld blocks leaked", names[k], budget,
                         live_blocks);
        }
        cr_expect(succeeded, "%s never decoded", names[k]);
        free(pem);
        free(path);
    }
}
