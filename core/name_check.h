/* The peer-name check of a client: OpenSSL's rules (X509_check_host with
 * X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, as CPython sets it, and
 * X509_check_ip) over a certificate's DER, for the backends whose stacks
 * match names otherwise. No TLS library and no socket header: the minimal
 * profile has neither.
 *
 * A backend calls these directly. Linked into the library they are the
 * core's own; a backend built as a plugin (which must not reach hidden core
 * symbols) gets its own copy of name_check.c and der.c compiled in (the
 * OTI_CORE_SOURCES property of its object library, cmake/OmnitlsBackends.cmake),
 * so this header depends on nothing else of the core. */
#ifndef OTLS_CORE_NAME_CHECK_H
#define OTLS_CORE_NAME_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* An IP literal with glibc inet_pton's rules: a dotted quad of decimal
 * numbers without leading zeros; IPv6 hex groups with at most one "::" and
 * an optional dotted-quad tail. Writes the address to out and returns its
 * length, 4 or 16; 0 (out untouched) when text is neither. */
size_t oti_ip_parse(const char *text, uint8_t out[16]);

enum oti_name_result {
    OTI_NAME_MALFORMED = -1,  /* the certificate's DER could not be read */
    OTI_NAME_MATCH = 0,       /* the certificate is valid for the name */
    OTI_NAME_MISMATCH = 1,    /* ... is not valid for the host name */
    OTI_NAME_IP_MISMATCH = 2, /* ... is not valid for the IP address */
};

/* Checks the leaf certificate der against an IP address (ip_len 4 or 16:
 * its iPAddress alternative names only, never the common name) or, when
 * ip_len is 0, against the host name host (its dNSName alternative names;
 * the subject's common names only when it has no dNSName). */
enum oti_name_result oti_name_check(const uint8_t *der, size_t len, const char *host,
                                    const uint8_t *ip, size_t ip_len);

#endif
