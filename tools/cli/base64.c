/* Base64 encoding: see base64.h. */
#include "base64.h"

#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *cli_base64_encode(const uint8_t *data, size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);
    char *out, *p;

    if (groups > ((size_t)-1 - 1) / 4)
        return NULL;
    out = malloc(groups * 4 + 1);
    if (!out)
        return NULL;
    p = out;
    for (size_t i = 0; i < len; i += 3) {
        size_t left = len - i;
        uint32_t v = (uint32_t)data[i] << 16;

        if (left > 1)
            v |= (uint32_t)data[i + 1] << 8;
        if (left > 2)
            v |= data[i + 2];
        *p++ = alphabet[(v >> 18) & 63];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = left > 1 ? alphabet[(v >> 6) & 63] : '=';
        *p++ = left > 2 ? alphabet[v & 63] : '=';
    }
    *p = '\0';
    return out;
}
