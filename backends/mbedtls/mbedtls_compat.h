/* What differs between mbedTLS 2.28 and 3.6, in one place. Both are built
 * and tested: 2.28 on Debian 12, 3.6 in the Debian 13 root
 * (tests/distro/run-debian13).
 *
 *   2.28                                  3.x
 *   ssl->field, crt->ext_types (public)   ->MBEDTLS_PRIVATE(field)
 *   conf_export_keys_ext_cb (per config)  set_export_keys_cb (per ssl, and
 *                                         the callback's arguments differ)
 *   pk_parse_key(pk, key, len, pw, pwlen) ... , f_rng, p_rng)
 *   pk_check_pair(pub, prv)               ... , f_rng, p_rng)
 *   sha256_ret / sha512_ret               sha256 / sha512
 *   major_ver/minor_ver                   mbedtls_ssl_get_version_number()
 *   a client may verify without a name    3.6 refuses unless
 *                                         mbedtls_ssl_set_hostname(ssl, NULL)
 *   conf_min_version(major, minor)        conf_min_tls_version(0x0303)
 *   ciphersuite min_minor_ver             ->MBEDTLS_PRIVATE(min_tls_version)
 *   TLS 1.2 only                          TLS 1.3 (psa_crypto_init first,
 *                                         tickets after the handshake)
 *   exporter: master secret from the      mbedtls_ssl_export_keying_material
 *   key-export callback + tls_prf         (TLS 1.2 and 1.3)
 *
 * Private fields: 3.x renames them private_<name> and documents
 * MBEDTLS_PRIVATE(<name>) as the way to reach one (with no stability
 * promise). This backend reaches them only through OTI_MBEDTLS_F below,
 * all from this header, so a 3.x release that moves one breaks the build
 * here, not silently. The ones used: the handshake state, the last record
 * (alerts), a configuration's ALPN list and authmode, a certificate's
 * ext_types, a session's id/ticket lengths and peer certificate, a
 * suite's versions and the TLS 1.2 Finished verify_data (tls-unique). 3.6
 * frees TLS 1.3's Finished with the handshake: mbedtls_finished13.c reads
 * them back from the connection's own records.
 */
#ifndef OTLS_BACKEND_MBEDTLS_COMPAT_H
#define OTLS_BACKEND_MBEDTLS_COMPAT_H

#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define OTI_MBEDTLS_V3 1
/* A private field of a public struct. */
#define OTI_MBEDTLS_F(field) MBEDTLS_PRIVATE(field)
#else
#define OTI_MBEDTLS_V3 0
#define OTI_MBEDTLS_F(field) field
#endif

#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/sha512.h>
#include <mbedtls/ssl.h>

/* TLS 1.3: 3.x with it compiled in (3.6's default). */
#if OTI_MBEDTLS_V3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define OTI_MBEDTLS_HAVE_TLS13 1
#else
#define OTI_MBEDTLS_HAVE_TLS13 0
#endif

/* TLS 1.3's Finished messages, read back from the connection's own records
 * (mbedtls_finished13.c): needs the AEAD ciphers' one-shot API. */
#include <mbedtls/cipher.h>
#if OTI_MBEDTLS_HAVE_TLS13 && defined(MBEDTLS_CIPHER_MODE_AEAD)
#define OTI_MBEDTLS_HAVE_FINISHED13 1
#else
#define OTI_MBEDTLS_HAVE_FINISHED13 0
#endif

/* The RFC 5705/8446 exporter: 2.28 through mbedtls_ssl_tls_prf with the
 * randoms its transform keeps for context serialization (2.28's key-export
 * callback is per configuration and gets no ssl: it cannot reach a
 * connection whose configuration is shared), 3.6 through
 * mbedtls_ssl_export_keying_material. */
#if OTI_MBEDTLS_V3 && defined(MBEDTLS_SSL_KEYING_MATERIAL_EXPORT)
#define OTI_MBEDTLS_HAVE_EXPORTER 1
#elif !OTI_MBEDTLS_V3 && defined(MBEDTLS_SSL_CONTEXT_SERIALIZATION)
#define OTI_MBEDTLS_HAVE_EXPORTER 1
#else
#define OTI_MBEDTLS_HAVE_EXPORTER 0
#endif

/* A bad Certificate message: renamed in 3.x. */
#if OTI_MBEDTLS_V3
#define OTI_MBEDTLS_ERR_BAD_CERTIFICATE MBEDTLS_ERR_SSL_BAD_CERTIFICATE
#else
#define OTI_MBEDTLS_ERR_BAD_CERTIFICATE MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE
#endif

/* The handshake state, for the resumption check and the loop's end. */
#define OTI_MBEDTLS_STATE(ssl) ((ssl)->OTI_MBEDTLS_F(state))

/* The wire version of an established connection: 0x0303 for TLS 1.2. */
static inline unsigned oti_mbedtls_version_number(const mbedtls_ssl_context *ssl)
{
#if OTI_MBEDTLS_V3
    return (unsigned)mbedtls_ssl_get_version_number(ssl);
#else
    return ((unsigned)ssl->major_ver << 8) | (unsigned)ssl->minor_ver;
#endif
}

/* Protocol versions, as wire numbers (0x0303, 0x0304). */
static inline void oti_mbedtls_conf_versions(mbedtls_ssl_config *conf, unsigned min, unsigned max)
{
#if OTI_MBEDTLS_V3
    mbedtls_ssl_conf_min_tls_version(conf, (mbedtls_ssl_protocol_version)min);
    mbedtls_ssl_conf_max_tls_version(conf, (mbedtls_ssl_protocol_version)max);
#else
    mbedtls_ssl_conf_min_version(conf, (int)(min >> 8), (int)(min & 0xff));
    mbedtls_ssl_conf_max_version(conf, (int)(max >> 8), (int)(max & 0xff));
#endif
}

/* The versions a cipher suite can be negotiated at, as wire numbers. */
static inline void oti_mbedtls_suite_versions(const mbedtls_ssl_ciphersuite_t *info, unsigned *min,
                                              unsigned *max)
{
#if OTI_MBEDTLS_V3
    *min = (unsigned)info->OTI_MBEDTLS_F(min_tls_version);
    *max = (unsigned)info->OTI_MBEDTLS_F(max_tls_version);
#else
    *min = ((unsigned)info->min_major_ver << 8) | (unsigned)info->min_minor_ver;
    *max = ((unsigned)info->max_major_ver << 8) | (unsigned)info->max_minor_ver;
#endif
}

static inline int oti_mbedtls_pk_parse_key(mbedtls_pk_context *pk, const unsigned char *key,
                                           size_t len,
                                           int (*f_rng)(void *, unsigned char *, size_t),
                                           void *p_rng)
{
#if OTI_MBEDTLS_V3
    return mbedtls_pk_parse_key(pk, key, len, NULL, 0, f_rng, p_rng);
#else
    (void)f_rng;
    (void)p_rng;
    return mbedtls_pk_parse_key(pk, key, len, NULL, 0);
#endif
}

static inline int oti_mbedtls_pk_check_pair(const mbedtls_pk_context *pub,
                                            const mbedtls_pk_context *prv,
                                            int (*f_rng)(void *, unsigned char *, size_t),
                                            void *p_rng)
{
#if OTI_MBEDTLS_V3
    return mbedtls_pk_check_pair(pub, prv, f_rng, p_rng);
#else
    (void)f_rng;
    (void)p_rng;
    return mbedtls_pk_check_pair(pub, prv);
#endif
}

static inline int oti_mbedtls_sha256(const unsigned char *data, size_t len, unsigned char *out,
                                     int is224)
{
#if OTI_MBEDTLS_V3
    return mbedtls_sha256(data, len, out, is224);
#else
    return mbedtls_sha256_ret(data, len, out, is224);
#endif
}

static inline int oti_mbedtls_sha512(const unsigned char *data, size_t len, unsigned char *out,
                                     int is384)
{
#if OTI_MBEDTLS_V3
    return mbedtls_sha512(data, len, out, is384);
#else
    return mbedtls_sha512_ret(data, len, out, is384);
#endif
}

/* The alert in the record just read (valid after
 * MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE), or -1. */
static inline int oti_mbedtls_last_alert(const mbedtls_ssl_context *ssl)
{
    const unsigned char *msg = ssl->OTI_MBEDTLS_F(in_msg);
    if (msg == NULL || ssl->OTI_MBEDTLS_F(in_msglen) < 2)
        return -1;
    return msg[1];
}

/* Turns ALPN off on one connection's own configuration: the public setter
 * cannot take an empty list. */
static inline void oti_mbedtls_conf_alpn_off(mbedtls_ssl_config *conf)
{
    conf->OTI_MBEDTLS_F(alpn_list) = NULL;
}

/* The Finished verify_data of the latest handshake (needs
 * MBEDTLS_SSL_RENEGOTIATION, which keeps them for renegotiation_info). */
#if defined(MBEDTLS_SSL_RENEGOTIATION)
#define OTI_MBEDTLS_HAVE_FINISHED 1
#define OTI_MBEDTLS_VERIFY_DATA_LEN(ssl) ((ssl)->OTI_MBEDTLS_F(verify_data_len))
#define OTI_MBEDTLS_OWN_VERIFY_DATA(ssl) ((ssl)->OTI_MBEDTLS_F(own_verify_data))
#define OTI_MBEDTLS_PEER_VERIFY_DATA(ssl) ((ssl)->OTI_MBEDTLS_F(peer_verify_data))
#else
#define OTI_MBEDTLS_HAVE_FINISHED 0
#endif

/* The peer's chain as sent needs the session to keep it. */
#if !defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
#error "omnitls needs mbedTLS built with MBEDTLS_SSL_KEEP_PEER_CERTIFICATE"
#endif

#endif
