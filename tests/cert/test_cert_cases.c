/* One certificate per decoding rule (tests/cert/cases, written by
 * tools/make_cases.py with CPython's answers on a Debian 12 machine: CPython
 * 3.11 + OpenSSL 3.0). For each NAME.der:
 *   NAME.json / NAME.ins.json: the sorted-keys and insertion-order JSON;
 *   NAME.refused: CPython refuses it, so must omnitls (OTLS_ERR_PARSE). */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <omnitls/cert.h>

#include "cert_test_util.h"

#ifndef OTLS_CERT_CASES_DIR
#error "OTLS_CERT_CASES_DIR must name tests/cert/cases"
#endif

static void check_json(const char *name, const otls_cert *cert, unsigned flags, const char *suffix)
{
    char *path = cu_path(OTLS_CERT_CASES_DIR, name, ".der", suffix);
    size_t want_len = 0, len = 0;
    char *want = cu_read_file(path, &want_len);
    cr_expect(want != NULL, "%s: cannot read %s", name, path);
    char *json = NULL;
    otls_status st = otls_cert_to_json(cert, flags, &json, &len);
    cr_expect(st == OTLS_OK, "%s: otls_cert_to_json: %s", name, otls_status_name(st));
    if (want && json)
        cr_expect(len == want_len && memcmp(json, want, len) == 0,
                  "%s%s: JSON differs from CPython's\n  omnitls: %s\n  CPython: %s", name, suffix,
                  json, want);
    cr_expect(json == NULL || strlen(json) == len, "%s: length/NUL mismatch", name);
    otls_free_string(json);
    free(want);
    free(path);
}

Test(cert_cases, every_rule_matches_python)
{
    size_t count = 0;
    char **names = cu_list_dir(OTLS_CERT_CASES_DIR, ".der", &count);
    cr_assert(names != NULL && count > 0, "no cases in %s", OTLS_CERT_CASES_DIR);
    size_t accepted = 0, refused = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = names[i];
        char *der_path = cu_path(OTLS_CERT_CASES_DIR, name, ".der", ".der");
        char *json_path = cu_path(OTLS_CERT_CASES_DIR, name, ".der", ".json");
        size_t len = 0;
        char *der = cu_read_file(der_path, &len);
        cr_assert(der != NULL, "cannot read %s", der_path);
        otls_cert *cert = NULL;
        otls_error err;
        otls_status st = otls_cert_decode((const uint8_t *)der, len, &cert, &err);
        if (cu_exists(json_path)) {
            accepted++;
            cr_expect(st == OTLS_OK, "%s: %s: %s", name, otls_status_name(st), err.message);
            if (st == OTLS_OK) {
                check_json(name, cert, OTLS_JSON_SORT_KEYS, ".json");
                check_json(name, cert, 0, ".ins.json");
            }
        } else {
            refused++;
            cr_expect(st == OTLS_ERR_PARSE, "%s: CPython refuses it, omnitls says %s", name,
                      otls_status_name(st));
            cr_expect(st == OTLS_OK || (err.code == st && err.message[0] != '\0' &&
                                        strchr(err.message, '\n') == NULL),
                      "%s: the refusal needs a one-line reason", name);
            cr_expect(cert == NULL, "%s: a refusal must not leave a certificate", name);
        }
        otls_cert_free(cert);
        free(der);
        free(der_path);
        free(json_path);
    }
    cr_log_info("%zu cases: %zu decoded, %zu refused as CPython refuses", count, accepted, refused);
    cu_free_list(names);
}
