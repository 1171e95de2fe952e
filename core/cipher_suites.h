/* The one cipher-suite table: IANA id <-> OpenSSL-style name, IANA name,
 * secret bits and the protocol version Python's cipher()[1] reports. Every
 * backend's negotiated suite is turned into user-visible text here. */
#ifndef OTLS_CORE_CIPHER_SUITES_H
#define OTLS_CORE_CIPHER_SUITES_H

#include <stddef.h>
#include <stdint.h>

struct oti_suite {
    uint16_t id;           /* IANA id, e.g. 0xC02B */
    const char *name;      /* OpenSSL-style name, e.g. "ECDHE-ECDSA-AES128-GCM-SHA256" */
    const char *iana_name; /* e.g. "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" */
    const char *protocol;  /* SSL_CIPHER_get_version(): "TLSv1.0", "TLSv1.2", "TLSv1.3", "SSLv3" */
    int secret_bits;       /* SSL_CIPHER_get_bits(): strength in bits */
};

/* The entry for an IANA id, or NULL when the table does not know it. */
const struct oti_suite *oti_suite_by_id(uint16_t id);

/* The entry whose OpenSSL-style or IANA name equals name[0..len) exactly
 * (case-sensitive), or NULL. */
const struct oti_suite *oti_suite_by_name(const char *name, size_t len);

/* Number of entries, and entry i (0 <= i < count), for listings and tests. */
size_t oti_suite_count(void);
const struct oti_suite *oti_suite_at(size_t i);

#endif
