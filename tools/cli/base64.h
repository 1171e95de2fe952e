/* Base64 (RFC 4648, standard alphabet, with padding), for DER in reports. */
#ifndef OTLS_CLI_BASE64_H
#define OTLS_CLI_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Returns a malloc'd NUL-terminated encoding of data[0..len), or NULL when
 * out of memory. The caller frees it. */
char *cli_base64_encode(const uint8_t *data, size_t len);

#endif
