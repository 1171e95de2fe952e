/* The minimal profile's cipher-suite table (mbedTLS the only stack) holds
 * exactly the suites the linked mbedTLS can negotiate: the conditions of
 * core/cipher_suite_guards.h, evaluated against this mbedTLS's
 * configuration, are checked row by row against
 * mbedtls_ssl_ciphersuite_from_id(). The full table is the library's own
 * (a full build keeps every row). */
#include <criterion/criterion.h>
#include <string.h>

#include "cipher_suites.h"

#define OTI_SUITES_MBEDTLS_ONLY 1
#include "cipher_suite_guards.h"

static const struct oti_suite mbedtls_rows[] = {
#include "cipher_suite_table.inc"
};
#define MBEDTLS_ROWS (sizeof mbedtls_rows / sizeof mbedtls_rows[0])

/* The hashed names the guarded build keeps of the suites it drops. */
static const uint16_t absent_hashes[] = {
#include "cipher_suite_absent.inc"
    0};
#define ABSENT_HASHES (sizeof absent_hashes / sizeof absent_hashes[0] - 1)

static int hash_kept(const char *name)
{
    uint16_t h = oti_suite_name_hash(name, strlen(name));
    for (size_t i = 0; i < ABSENT_HASHES; i++)
        if (absent_hashes[i] == h)
            return 1;
    return 0;
}

static const struct oti_suite *guarded(uint16_t id)
{
    for (size_t i = 0; i < MBEDTLS_ROWS; i++)
        if (mbedtls_rows[i].id == id)
            return &mbedtls_rows[i];
    return NULL;
}

Test(suites_mbedtls, guarded_table_is_what_mbedtls_negotiates)
{
    size_t kept = 0;
    for (size_t i = 0; i < oti_suite_count(); i++) {
        const struct oti_suite *s = oti_suite_at(i);
        const struct oti_suite *g = guarded(s->id);
        int has = mbedtls_ssl_ciphersuite_from_id(s->id) != NULL;
        cr_expect_eq(g != NULL, has, "0x%04X %s: guarded table %s it, mbedTLS %s it", s->id,
                     s->iana_name, g ? "keeps" : "drops", has ? "has" : "lacks");
        if (!g) {
            /* Dropped: its names are still recognised (the C hash agrees
             * with the generator's). */
            cr_expect(hash_kept(s->name), "0x%04X %s: hash not kept", s->id, s->name);
            cr_expect(hash_kept(s->iana_name), "0x%04X %s: hash not kept", s->id, s->iana_name);
        }
        if (g) {
            kept++;
            /* The same row, not only the same id. */
            cr_expect_str_eq(g->name, s->name);
            cr_expect_str_eq(g->iana_name, s->iana_name);
            cr_expect_eq(g->version, s->version);
            cr_expect_eq(g->secret_bytes, s->secret_bytes);
        }
    }
    cr_assert_eq(kept, MBEDTLS_ROWS);
    cr_assert_gt(kept, 0);
}

/* Every suite this mbedTLS lists as supported that OpenSSL names (the full
 * table) is in the guarded table: nothing mbedTLS offers loses its name. */
Test(suites_mbedtls, every_listed_suite_is_kept)
{
    for (const int *id = mbedtls_ssl_list_ciphersuites(); *id != 0; id++) {
        if (oti_suite_by_id((uint16_t)*id) == NULL)
            continue; /* no OpenSSL name (e.g. static ECDH): reported by id */
        cr_expect_not_null(guarded((uint16_t)*id), "0x%04X missing", *id);
    }
}
