/* Certificate fingerprints for the CLI's reports. The hash is the core's own
 * SHA-256 (core/cert/sha256.c, compiled into the CLI a second time under the
 * name cli_sha256: the library keeps oti_sha256 hidden), so there is one
 * implementation in the tree. */
#include "sha256.h"

void cli_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t md[32];

    cli_sha256(data, len, md);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}
