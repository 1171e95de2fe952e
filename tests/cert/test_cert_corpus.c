/* The conformance corpus (../shared/conformance/certs): every certificate
 * decodes and its JSON with sorted keys equals CPython's, byte for byte.
 * Built twice: against the decoder alone (no TLS library linked at all)
 * and against the library with its backends. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <omnitls/cert.h>

#include "cert_test_util.h"

#ifndef OTLS_CERT_CORPUS_DIR
#error "OTLS_CERT_CORPUS_DIR must name the conformance corpus"
#endif

/* The corpus README lists 61 certificates. */
#define CORPUS_MIN 61

Test(cert_corpus, every_certificate_matches_python)
{
    size_t count = 0;
    char **names = cu_list_dir(OTLS_CERT_CORPUS_DIR, ".pem", &count);
    cr_assert(names != NULL,
              "the conformance corpus is missing: cannot open %s (it lives next to the "
              "repository, at ../shared/conformance/certs; this test does not skip without it)",
              OTLS_CERT_CORPUS_DIR);
    cr_assert(count >= CORPUS_MIN, "only %zu certificates in %s, expected at least %d", count,
              OTLS_CERT_CORPUS_DIR, CORPUS_MIN);
    size_t matched = 0;
    for (size_t i = 0; i < count; i++) {
        char *pem_path = cu_path(OTLS_CERT_CORPUS_DIR, names[i], ".pem", ".pem");
        char *json_path = cu_path(OTLS_CERT_CORPUS_DIR, names[i], ".pem", ".json");
        size_t pem_len = 0, want_len = 0;
        char *pem = cu_read_file(pem_path, &pem_len);
        char *want = cu_read_file(json_path, &want_len);
        cr_expect(pem && want, "%s: cannot read the .pem or its .json", names[i]);
        otls_cert *cert = NULL;
        otls_error err;
        otls_status st =
            pem && want ? otls_cert_decode_pem(pem, pem_len, &cert, &err) : OTLS_ERR_FILE;
        if (st == OTLS_OK) {
            char *json = NULL;
            size_t len = 0;
            st = otls_cert_to_json(cert, OTLS_JSON_SORT_KEYS, &json, &len);
            cr_expect(st == OTLS_OK, "%s: otls_cert_to_json: %s", names[i], otls_status_name(st));
            if (json && len == want_len && memcmp(json, want, len) == 0)
                matched++;
            else if (json)
                cr_expect_fail("%s: JSON differs from CPython's\n  omnitls: %s\n  CPython: %s",
                               names[i], json, want);
            otls_free_string(json);
            otls_cert_free(cert);
        } else if (pem && want) {
            cr_expect_fail("%s: %s: %s", names[i], otls_status_name(st), err.message);
        }
        free(pem);
        free(want);
        free(pem_path);
        free(json_path);
    }
    cr_log_info("%zu of %zu conformance certificates match CPython", matched, count);
    cr_expect(matched == count, "%zu of %zu conformance certificates match CPython", matched,
              count);
    cu_free_list(names);
}
