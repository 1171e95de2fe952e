#include <string.h>

#include "der.h"

bool oti_der_next(const uint8_t **p, const uint8_t *end, struct oti_tlv *out)
{
    const uint8_t *q = *p;
    if (q >= end || end - q < 2)
        return false;
    out->tag = *q++;
    if ((out->tag & 0x1f) == 0x1f)
        return false; /* high tag numbers do not occur in X.509 */
    size_t len = *q++;
    if (len & 0x80) {
        size_t n = len & 0x7f;
        if (n == 0 || n > sizeof(size_t) || (size_t)(end - q) < n || *q == 0)
            return false; /* indefinite, oversized or non-minimal */
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = len << 8 | *q++;
        if (len < 0x80)
            return false; /* long form for a short length is not DER */
    }
    if ((size_t)(end - q) < len)
        return false;
    out->value = q;
    out->len = len;
    *p = q + len;
    return true;
}

bool oti_der_expect(const uint8_t **p, const uint8_t *end, uint8_t tag, struct oti_tlv *out)
{
    const uint8_t *q = *p;
    if (!oti_der_next(&q, end, out) || out->tag != tag)
        return false;
    *p = q;
    return true;
}

bool oti_der_oid_is(const struct oti_tlv *oid, const uint8_t *encoded, size_t len)
{
    return oid->tag == OTI_DER_OID && oid->len == len && memcmp(oid->value, encoded, len) == 0;
}
