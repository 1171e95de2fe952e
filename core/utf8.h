/* One code point to UTF-8: shared by the certificate decoder
 * (core/cert/cert_string.c) and the host-name check (core/name_check.c),
 * which is built without the decoder and into backend plugins, hence
 * inline here. */
#ifndef OTLS_CORE_UTF8_H
#define OTLS_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes v (at most 0x10FFFF, not checked) as 1-4 bytes; returns how many. */
static inline size_t oti_utf8_put(uint8_t *out, uint32_t v)
{
    if (v < 0x80) {
        out[0] = (uint8_t)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (uint8_t)(0xc0 | v >> 6);
        out[1] = (uint8_t)(0x80 | (v & 0x3f));
        return 2;
    }
    if (v < 0x10000) {
        out[0] = (uint8_t)(0xe0 | v >> 12);
        out[1] = (uint8_t)(0x80 | (v >> 6 & 0x3f));
        out[2] = (uint8_t)(0x80 | (v & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | v >> 18);
    out[1] = (uint8_t)(0x80 | (v >> 12 & 0x3f));
    out[2] = (uint8_t)(0x80 | (v >> 6 & 0x3f));
    out[3] = (uint8_t)(0x80 | (v & 0x3f));
    return 4;
}

#endif
