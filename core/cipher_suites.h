/* The one cipher-suite table: IANA id <-> OpenSSL-style name, IANA name,
 * secret bits and the protocol version Python's cipher()[1] reports. Every
 * backend's negotiated suite is turned into user-visible text here. */
#ifndef OTLS_CORE_CIPHER_SUITES_H
#define OTLS_CORE_CIPHER_SUITES_H

#include <stddef.h>
#include <stdint.h>

/* 12 bytes a row on a 32-bit target (20 with a pointer for the version
 * and an int for the bits): the version is an index, the bits in bytes. */
struct oti_suite {
    const char *name;      /* OpenSSL-style name, e.g. "ECDHE-ECDSA-AES128-GCM-SHA256" */
    const char *iana_name; /* e.g. "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" */
    uint16_t id;           /* IANA id, e.g. 0xC02B */
    uint8_t version;       /* enum oti_suite_version */
    uint8_t secret_bytes;  /* SSL_CIPHER_get_bits() / 8 */
};

/* SSL_CIPHER_get_version(): "SSLv3", "TLSv1.0", "TLSv1.2", "TLSv1.3". */
enum oti_suite_version { OTI_SUITE_SSL3, OTI_SUITE_TLS10, OTI_SUITE_TLS12, OTI_SUITE_TLS13 };

/* The protocol string Python's cipher()[1] reports, and the secret bits
 * (cipher()[2]). */
const char *oti_suite_protocol(const struct oti_suite *s);
int oti_suite_bits(const struct oti_suite *s);

/* The entry for an IANA id, or NULL when the table does not know it. */
const struct oti_suite *oti_suite_by_id(uint16_t id);

/* The entry whose OpenSSL-style or IANA name equals name[0..len) exactly
 * (case-sensitive), or NULL. */
const struct oti_suite *oti_suite_by_name(const char *name, size_t len);

/* True when name[0..len) names a suite this build's table dropped (the
 * linked mbedTLS configuration lacks it; minimal profile only). */
int oti_suite_absent(const char *name, size_t len);

/* The 16-bit hash the dropped names are kept as (FNV-1a, folded). */
uint16_t oti_suite_name_hash(const char *name, size_t len);

/* Number of entries, and entry i (0 <= i < count), for listings and tests. */
size_t oti_suite_count(void);
const struct oti_suite *oti_suite_at(size_t i);

#endif
