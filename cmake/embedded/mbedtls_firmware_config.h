/* A firmware's mbedTLS 2.28 configuration, for measuring omnitls as a small
 * device would carry it (scripts/embedded-size.sh, docs/embedded.md). Based
 * on mbedTLS's own configs/config-suite-b.h: TLS 1.2 with ECDHE-ECDSA only,
 * AES-GCM and ChaCha20-Poly1305, P-256, X.509 and PEM; plus what omnitls's
 * introspection needs from mbedTLS: SNI, ALPN, extended master secret and
 * the randoms a transform keeps for context serialization (tls-exporter:
 * the key-export callback is per configuration, and omnitls's connections
 * share one), renegotiation data (the Finished
 * messages behind tls-unique), session tickets and a server session cache
 * (resumption), error strings. No RSA, DHE, PSK, CBC, SHA-1, TLS 1.3
 * (2.28 has none). Self-contained, like mbedTLS's examples: select it with
 * -DMBEDTLS_CONFIG_FILE='"mbedtls_firmware_config.h"'. */
#ifndef OTLS_MBEDTLS_FIRMWARE_CONFIG_H
#define OTLS_MBEDTLS_FIRMWARE_CONFIG_H

/* Bare metal: no OS entropy, clock, sockets, files or threads; allocation
 * through mbedtls_platform_set_calloc_free (the pool omnitls gets). */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT

/* TLS 1.2, ECDHE-ECDSA, P-256. */
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_TLS_C

/* What omnitls's introspection and resumption use. */
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALPN
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_CONTEXT_SERIALIZATION
#define MBEDTLS_SSL_RENEGOTIATION
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_TICKET_C
#define MBEDTLS_SSL_CACHE_C
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_ERROR_C
#define MBEDTLS_VERSION_C

/* Ciphers and hashes: AES-GCM, ChaCha20-Poly1305; SHA-256 and SHA-384/512
 * (suites, PRF, certificates). */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_ENTROPY_C

/* Public keys and certificates. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

/* Small: P-256 numbers, a small comb table. */
#define MBEDTLS_MPI_MAX_SIZE 48
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_ENTROPY_MAX_SOURCES 2

#include <mbedtls/check_config.h>

#endif
