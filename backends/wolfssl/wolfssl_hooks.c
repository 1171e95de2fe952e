/* The name check of a verifying client, which has no verify callback
 * (wolfssl_verify.c says why): where wolfSSL calls us after the peer's
 * certificate was verified and before our Finished.
 *
 * - The leaf's signature: a client context verifies ECDSA and RSA
 *   signatures through wolfSSL's PK callbacks, doing what wolfSSL does
 *   without them. When the signature is the leaf's (wolfSSL checks the
 *   certificates top down, the leaf last), a verify callback is set on
 *   the connection: wolfSSL then shows it the leaf alone, as the
 *   WOLFSSL_X509 it keeps of the peer's certificate anyway, once the
 *   chain check passed. A mismatch there fails the certificate, and
 *   wolfSSL sends the alert OpenSSL sends (bad_certificate).
 * - Where the leaf's signature is no ECDSA or RSA one (Ed25519, RSA-PSS),
 *   the key derivation after the peer's handshake signature: the session
 *   keys on TLS 1.2, the master secret on TLS 1.3. A mismatch fails the
 *   handshake there; on TLS 1.3 without an alert (wolfSSL has no call to
 *   send one), on TLS 1.2 with the plaintext bad_certificate alert.
 * - A handshake that completed without either is checked when it returns
 *   (a safety net: every suite of these builds signs its key exchange). */
#include <string.h>

#include "wolfssl_backend.h"

#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/kdf.h>
#include <wolfssl/wolfcrypt/rsa.h>

/* OpenSSL's codes for the two name checks (wolfSSL 5.5 has no constant). */
#define OTI_X509_V_ERR_HOSTNAME_MISMATCH 62
#define OTI_X509_V_ERR_IP_ADDRESS_MISMATCH 64

static int wants_check(const struct oti_wolfssl_conn *c)
{
    return c != NULL && c->no_verify_cb && !c->names_checked && (c->check_name || c->check_ip);
}

int oti_wolfssl_names_hook(struct oti_wolfssl_conn *c)
{
    if (!wants_check(c) || wolfSSL_session_reused(c->ssl))
        return 0;
    WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(c->ssl);
    if (chain == NULL || wolfSSL_get_chain_count(chain) <= 0)
        return 0; /* no certificate (yet): nothing to check */
    c->names_checked = 1;
    const unsigned char *der = wolfSSL_get_chain_cert(chain, 0);
    int len = wolfSSL_get_chain_length(chain, 0);
    int r = der != NULL && len > 0 ? oti_wolfssl_check_names(c, der, (size_t)len) : -1;
    if (r == 0)
        return 0;
    c->name_mismatch = r < 0 ? 1 : r;
    c->verify_err = c->name_mismatch == 2 ? OTI_X509_V_ERR_IP_ADDRESS_MISMATCH
                                          : OTI_X509_V_ERR_HOSTNAME_MISMATCH;
    return -1;
}

/* Shown the leaf alone (see above), after wolfSSL's own checks. */
static int leaf_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
    WOLFSSL *ssl =
        wolfSSL_X509_STORE_CTX_get_ex_data(store, wolfSSL_get_ex_data_X509_STORE_CTX_idx());
    struct oti_wolfssl_conn *c = ssl ? wolfSSL_GetIOReadCtx(ssl) : NULL;
    if (c == NULL || !preverify || wolfSSL_X509_STORE_CTX_get_error_depth(store) != 0)
        return preverify;
    return oti_wolfssl_names_hook(c) == 0;
}

#ifdef HAVE_PK_CALLBACKS
/* sig is the signature of the peer's leaf: then the leaf comes next. */
static void signature_seen(WOLFSSL *ssl, void *ctx, const unsigned char *sig, unsigned int len)
{
    struct oti_wolfssl_conn *c = ctx;
    if (!wants_check(c) || c->ssl != ssl || c->leaf_cb_set)
        return;
    WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(ssl);
    if (chain == NULL || wolfSSL_get_chain_count(chain) <= 0)
        return;
    const unsigned char *der = wolfSSL_get_chain_cert(chain, 0);
    int der_len = wolfSSL_get_chain_length(chain, 0);
    const uint8_t *leaf_sig;
    size_t leaf_sig_len;
    if (der == NULL || der_len <= 0 ||
        oti_wolfssl_cert_signature(der, (size_t)der_len, &leaf_sig, &leaf_sig_len) != 0 ||
        leaf_sig_len != len || memcmp(leaf_sig, sig, len) != 0)
        return;
    c->leaf_cb_set = 1;
    wolfSSL_set_verify(ssl, wolfSSL_get_verify_mode(ssl), leaf_cb);
}

/* What wolfSSL does without the callback: the key (a certificate's
 * SubjectPublicKeyInfo) decoded, the hash verified. */
static int ecc_verify_hook(WOLFSSL *ssl, const unsigned char *sig, unsigned int sig_len,
                           const unsigned char *hash, unsigned int hash_len,
                           const unsigned char *key_der, unsigned int key_len, int *result,
                           void *ctx)
{
    signature_seen(ssl, ctx, sig, sig_len);
    ecc_key key;
    word32 idx = 0;
    *result = 0;
    int ret = wc_ecc_init(&key);
    if (ret != 0)
        return ret;
    ret = wc_EccPublicKeyDecode(key_der, &idx, &key, key_len);
    if (ret == 0)
        ret = wc_ecc_verify_hash(sig, sig_len, hash, hash_len, result, &key);
    wc_ecc_free(&key);
    return ret;
}

/* PKCS #1 v1.5 (RSA-PSS never comes here): the signature is decrypted in
 * place, *out points at the result, its length is returned. */
static int rsa_verify_hook(WOLFSSL *ssl, unsigned char *sig, unsigned int sig_len,
                           unsigned char **out, const unsigned char *key_der, unsigned int key_len,
                           void *ctx)
{
    signature_seen(ssl, ctx, sig, sig_len);
    RsaKey *key = oti_wolfssl_alloc(sizeof *key); /* ~9 KiB: not on the stack */
    word32 idx = 0;
    if (key == NULL)
        return MEMORY_E;
    int ret = wc_InitRsaKey(key, NULL);
    if (ret == 0) {
        ret = wc_RsaPublicKeyDecode(key_der, &idx, key, key_len);
        if (ret == 0)
            ret = wc_RsaSSL_VerifyInline(sig, sig_len, out, key);
        wc_FreeRsaKey(key);
    }
    oti_wolfssl_free(key);
    return ret;
}

/* TLS 1.2: wolfSSL derives the session keys from the master secret after
 * the ServerKeyExchange signature was verified and before our
 * ChangeCipherSpec and Finished; a resumed handshake derives them too,
 * and checks nothing. PROTOCOLCB_UNAVAILABLE lets wolfSSL derive them
 * itself. Nothing is encrypted yet: the alert goes out in plaintext. */
static int session_key_hook(WOLFSSL *ssl, void *ctx)
{
    struct oti_wolfssl_conn *c = ctx;
    if (c == NULL || c->ssl != ssl || oti_wolfssl_names_hook(c) == 0)
        return PROTOCOLCB_UNAVAILABLE;
    static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 42};
    (void)c->send(c->io_user, alert, sizeof alert);
    return VERIFY_CERT_ERROR;
}

#if defined(WOLFSSL_TLS13) && defined(HAVE_HKDF)
/* TLS 1.3: the master secret is the one HKDF-Extract with a salt and no
 * input keying material (the early secret has no salt, the handshake
 * secret the (EC)DHE secret); wolfSSL derives it once the server's
 * CertificateVerify and Finished were verified, before our Finished. The
 * hook computes every Extract as wolfSSL would without it. */
static int extract_hook(byte *prk, const byte *salt, word32 salt_len, byte *ikm, word32 ikm_len,
                        int digest, void *ctx)
{
    struct oti_wolfssl_conn *c = ctx;
    if (c != NULL && salt_len > 0 && ikm_len == 0 && oti_wolfssl_names_hook(c) != 0)
        return VERIFY_CERT_ERROR;
    return wc_Tls13_HKDF_Extract(prk, salt, salt_len, ikm, ikm_len, digest);
}
#endif
#endif

int oti_wolfssl_hooks_ctx(WOLFSSL_CTX *ctx)
{
#ifdef HAVE_PK_CALLBACKS
    wolfSSL_CTX_SetEccVerifyCb(ctx, ecc_verify_hook);
    wolfSSL_CTX_SetRsaVerifyCb(ctx, rsa_verify_hook);
    wolfSSL_CTX_SetGenSessionKeyCb(ctx, session_key_hook);
#if defined(WOLFSSL_TLS13) && defined(HAVE_HKDF)
    wolfSSL_CTX_SetHKDFExtractCb(ctx, extract_hook);
#endif
    return 1;
#else
    (void)ctx;
    return 0;
#endif
}

void oti_wolfssl_hooks_conn(struct oti_wolfssl_conn *c)
{
#ifdef HAVE_PK_CALLBACKS
    wolfSSL_SetEccVerifyCtx(c->ssl, c);
    wolfSSL_SetRsaVerifyCtx(c->ssl, c);
    wolfSSL_SetGenSessionKeyCtx(c->ssl, c);
#if defined(WOLFSSL_TLS13) && defined(HAVE_HKDF)
    wolfSSL_SetHKDFExtractCtx(c->ssl, c);
#endif
#else
    (void)c;
#endif
}
