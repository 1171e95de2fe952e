/* The conditions cipher_suite_table.inc puts each suite under. When mbedTLS
 * is the only stack the library can ever use (OTI_SUITES_MBEDTLS_ONLY: the
 * minimal profile, no plugins), each one is the linked mbedTLS
 * configuration's own, as its ssl_ciphersuites.c guards its list, so the
 * table holds exactly the suites that mbedTLS can negotiate (a test checks
 * this against mbedtls_ssl_ciphersuite_from_id). Otherwise every condition
 * is 1: OpenSSL and wolfSSL negotiate suites mbedTLS lacks. No include
 * guard on purpose: a test includes it in both modes. */
#undef OTI_KX_RSA
#undef OTI_KX_DHE_RSA
#undef OTI_KX_ECDHE_RSA
#undef OTI_KX_ECDHE_ECDSA
#undef OTI_KX_PSK
#undef OTI_KX_DHE_PSK
#undef OTI_KX_RSA_PSK
#undef OTI_KX_ECDHE_PSK
#undef OTI_KX_ECDH_RSA
#undef OTI_KX_ECDH_ECDSA
#undef OTI_AES
#undef OTI_CAMELLIA
#undef OTI_ARIA
#undef OTI_DES
#undef OTI_ARC4
#undef OTI_CHACHAPOLY
#undef OTI_NULL_CIPHER
#undef OTI_CBC
#undef OTI_GCM
#undef OTI_CCM
#undef OTI_MD5
#undef OTI_SHA1
#undef OTI_SHA256
#undef OTI_SHA384
#undef OTI_CCM_SHA256
#undef OTI_TLS13
#undef OTI_NOT_MBEDTLS

#if !OTI_SUITES_MBEDTLS_ONLY
#define OTI_KX_RSA 1
#define OTI_KX_DHE_RSA 1
#define OTI_KX_ECDHE_RSA 1
#define OTI_KX_ECDHE_ECDSA 1
#define OTI_KX_PSK 1
#define OTI_KX_DHE_PSK 1
#define OTI_KX_RSA_PSK 1
#define OTI_KX_ECDHE_PSK 1
#define OTI_KX_ECDH_RSA 1
#define OTI_KX_ECDH_ECDSA 1
#define OTI_AES 1
#define OTI_CAMELLIA 1
#define OTI_ARIA 1
#define OTI_DES 1
#define OTI_ARC4 1
#define OTI_CHACHAPOLY 1
#define OTI_NULL_CIPHER 1
#define OTI_CBC 1
#define OTI_GCM 1
#define OTI_CCM 1
#define OTI_MD5 1
#define OTI_SHA1 1
#define OTI_SHA256 1
#define OTI_SHA384 1
#define OTI_CCM_SHA256 1
#define OTI_TLS13 1
#define OTI_NOT_MBEDTLS 1
#else
/* The configuration (2.28: config.h; 3.x: build_info.h and its
 * adjustments, which define MBEDTLS_SSL_HAVE_* and MBEDTLS_MD_CAN_*). */
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/version.h>

/* DSS, anonymous and SRP key exchanges: no mbedTLS has them. */
#define OTI_NOT_MBEDTLS 0

#if defined(MBEDTLS_KEY_EXCHANGE_RSA_ENABLED)
#define OTI_KX_RSA 1
#else
#define OTI_KX_RSA 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_DHE_RSA_ENABLED)
#define OTI_KX_DHE_RSA 1
#else
#define OTI_KX_DHE_RSA 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED)
#define OTI_KX_ECDHE_RSA 1
#else
#define OTI_KX_ECDHE_RSA 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED)
#define OTI_KX_ECDHE_ECDSA 1
#else
#define OTI_KX_ECDHE_ECDSA 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_PSK_ENABLED)
#define OTI_KX_PSK 1
#else
#define OTI_KX_PSK 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_DHE_PSK_ENABLED)
#define OTI_KX_DHE_PSK 1
#else
#define OTI_KX_DHE_PSK 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_RSA_PSK_ENABLED)
#define OTI_KX_RSA_PSK 1
#else
#define OTI_KX_RSA_PSK 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED)
#define OTI_KX_ECDHE_PSK 1
#else
#define OTI_KX_ECDHE_PSK 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_ECDH_RSA_ENABLED)
#define OTI_KX_ECDH_RSA 1
#else
#define OTI_KX_ECDH_RSA 0
#endif
#if defined(MBEDTLS_KEY_EXCHANGE_ECDH_ECDSA_ENABLED)
#define OTI_KX_ECDH_ECDSA 1
#else
#define OTI_KX_ECDH_ECDSA 0
#endif
#if defined(MBEDTLS_CIPHER_NULL_CIPHER)
#define OTI_NULL_CIPHER 1
#else
#define OTI_NULL_CIPHER 0
#endif

#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && MBEDTLS_VERSION_NUMBER < 0x03060000
/* Written against 3.6 (MBEDTLS_SSL_HAVE_*, MBEDTLS_MD_CAN_*): an older
 * 3.x could drop suites it has without a word. */
#error "omnitls: the minimal profile's suite table needs mbedTLS 2.28 or 3.6+"
#endif
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
/* 3.x: ciphers and hashes may come from PSA; 3DES and RC4 suites are gone;
 * CCM suites need SHA-256 for their PRF. */
#define OTI_DES 0
#define OTI_ARC4 0
#define OTI_MD5 0
#if defined(MBEDTLS_SSL_HAVE_AES)
#define OTI_AES 1
#else
#define OTI_AES 0
#endif
#if defined(MBEDTLS_SSL_HAVE_CAMELLIA)
#define OTI_CAMELLIA 1
#else
#define OTI_CAMELLIA 0
#endif
#if defined(MBEDTLS_SSL_HAVE_ARIA)
#define OTI_ARIA 1
#else
#define OTI_ARIA 0
#endif
#if defined(MBEDTLS_SSL_HAVE_CHACHAPOLY)
#define OTI_CHACHAPOLY 1
#else
#define OTI_CHACHAPOLY 0
#endif
#if defined(MBEDTLS_SSL_HAVE_CBC)
#define OTI_CBC 1
#else
#define OTI_CBC 0
#endif
#if defined(MBEDTLS_SSL_HAVE_GCM)
#define OTI_GCM 1
#else
#define OTI_GCM 0
#endif
#if defined(MBEDTLS_SSL_HAVE_CCM)
#define OTI_CCM 1
#else
#define OTI_CCM 0
#endif
#if defined(MBEDTLS_MD_CAN_SHA1)
#define OTI_SHA1 1
#else
#define OTI_SHA1 0
#endif
#if defined(MBEDTLS_MD_CAN_SHA256)
#define OTI_SHA256 1
#define OTI_CCM_SHA256 1
#else
#define OTI_SHA256 0
#define OTI_CCM_SHA256 0
#endif
#if defined(MBEDTLS_MD_CAN_SHA384)
#define OTI_SHA384 1
#else
#define OTI_SHA384 0
#endif
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define OTI_TLS13 1
#else
#define OTI_TLS13 0
#endif

#else               /* 2.28 */
#define OTI_TLS13 0 /* 2.28 has no TLS 1.3 suites */
#define OTI_CCM_SHA256 1
#if defined(MBEDTLS_AES_C)
#define OTI_AES 1
#else
#define OTI_AES 0
#endif
#if defined(MBEDTLS_CAMELLIA_C)
#define OTI_CAMELLIA 1
#else
#define OTI_CAMELLIA 0
#endif
#if defined(MBEDTLS_ARIA_C)
#define OTI_ARIA 1
#else
#define OTI_ARIA 0
#endif
#if defined(MBEDTLS_DES_C)
#define OTI_DES 1
#else
#define OTI_DES 0
#endif
#if defined(MBEDTLS_ARC4_C)
#define OTI_ARC4 1
#else
#define OTI_ARC4 0
#endif
#if defined(MBEDTLS_CHACHAPOLY_C)
#define OTI_CHACHAPOLY 1
#else
#define OTI_CHACHAPOLY 0
#endif
#if defined(MBEDTLS_CIPHER_MODE_CBC)
#define OTI_CBC 1
#else
#define OTI_CBC 0
#endif
#if defined(MBEDTLS_GCM_C)
#define OTI_GCM 1
#else
#define OTI_GCM 0
#endif
#if defined(MBEDTLS_CCM_C)
#define OTI_CCM 1
#else
#define OTI_CCM 0
#endif
#if defined(MBEDTLS_MD5_C)
#define OTI_MD5 1
#else
#define OTI_MD5 0
#endif
#if defined(MBEDTLS_SHA1_C)
#define OTI_SHA1 1
#else
#define OTI_SHA1 0
#endif
#if defined(MBEDTLS_SHA256_C)
#define OTI_SHA256 1
#else
#define OTI_SHA256 0
#endif
#if defined(MBEDTLS_SHA512_C) && !defined(MBEDTLS_SHA512_NO_SHA384)
#define OTI_SHA384 1
#else
#define OTI_SHA384 0
#endif
#endif
#endif
