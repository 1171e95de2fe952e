/* A minimal DER reader: one TLV at a time, bounds-checked. The certificate
 * decoder and tls-server-end-point build on it. */
#ifndef OTLS_CORE_DER_H
#define OTLS_CORE_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oti_tlv {
    uint8_t tag;          /* the identifier octet (low-tag-number form only) */
    const uint8_t *value; /* content octets */
    size_t len;
};

/* Reads the TLV at *p (before end) and advances *p past it. Returns false on
 * truncated or non-DER input (indefinite or non-minimal lengths, high tag
 * numbers). */
bool oti_der_next(const uint8_t **p, const uint8_t *end, struct oti_tlv *out);

/* Reads a TLV that must have the given tag. */
bool oti_der_expect(const uint8_t **p, const uint8_t *end, uint8_t tag, struct oti_tlv *out);

/* True when the OID TLV value equals the encoded OID bytes. */
bool oti_der_oid_is(const struct oti_tlv *oid, const uint8_t *encoded, size_t len);

#define OTI_DER_SEQUENCE 0x30
#define OTI_DER_OID 0x06

#endif
