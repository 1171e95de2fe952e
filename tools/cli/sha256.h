/* SHA-256 (FIPS 180-4) for certificate fingerprints in the CLI's reports:
 * the fingerprint of any DER, even one the certificate decoder refuses. */
#ifndef OTLS_CLI_SHA256_H
#define OTLS_CLI_SHA256_H

#include <stddef.h>
#include <stdint.h>

void cli_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/* The SHA-256 of data as 64 lowercase hex digits and a NUL. */
void cli_sha256_hex(const uint8_t *data, size_t len, char out[65]);

#endif
