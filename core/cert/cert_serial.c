/* The serial number: its magnitude as OpenSSL stores it (c2i_ASN1_INTEGER)
 * and the text i2a_ASN1_INTEGER prints, which CPython reads back with one
 * BIO_gets(): uppercase hex, "-" first when negative, and past 35 octets
 * OpenSSL's line break ("\\\n"), where CPython stops reading. */
#include "cert_internal.h"

#define I2A_LINE_OCTETS 35

int oti_serial_decode(struct oti_dec *d, const struct oti_elem *t, otls_cert *out)
{
    const uint8_t *p = t->value;
    size_t n = t->len; /* >= 1: checked by oti_asn1_check_integer */
    bool neg = (p[0] & 0x80) != 0;

    /* Drop the one padding octet DER allows. */
    if (n > 1 && (p[0] == 0 || p[0] == 0xff)) {
        bool others = false;
        for (size_t i = 1; i < n; i++)
            others |= p[i] != 0;
        if (p[0] == 0 || others) {
            p++;
            n--;
        }
    }
    uint8_t *mag = oti_arena_alloc(d->arena, n);
    if (mag == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    if (neg) {
        /* Two's complement: invert and add one. */
        unsigned carry = 1;
        for (size_t i = n; i-- > 0;) {
            unsigned v = (uint8_t)~p[i] + carry;
            mag[i] = (uint8_t)v;
            carry = v >> 8;
        }
    } else {
        memcpy(mag, p, n);
    }
    out->serial = mag;
    out->serial_len = n;
    out->serial_negative = neg;

    size_t shown = n > I2A_LINE_OCTETS ? I2A_LINE_OCTETS : n;
    char *text = oti_arena_alloc(d->arena, 1 + 2 * shown + 2 + 1);
    if (text == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    if (neg)
        text[o++] = '-';
    for (size_t i = 0; i < shown; i++) {
        text[o++] = hex[mag[i] >> 4];
        text[o++] = hex[mag[i] & 15];
    }
    if (n > I2A_LINE_OCTETS) {
        text[o++] = '\\';
        text[o++] = '\n';
    }
    text[o] = '\0';
    out->serial_text = text;
    return OTI_OK;
}
