/* The OpenSSL 3 backend's vtable, plus the two slots that need no state. */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "openssl_backend.h"

static const char *lib_version(void)
{
    return OpenSSL_version(OPENSSL_VERSION);
}

static otls_status digest(enum otls_hash alg, const uint8_t *data, size_t len, uint8_t *out)
{
    const EVP_MD *md = alg == OTLS_HASH_SHA224   ? EVP_sha224()
                       : alg == OTLS_HASH_SHA256 ? EVP_sha256()
                       : alg == OTLS_HASH_SHA384 ? EVP_sha384()
                       : alg == OTLS_HASH_SHA512 ? EVP_sha512()
                                                 : NULL;
    if (md == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    ERR_clear_error();
    int ok = EVP_Digest(data, len, out, NULL, md, NULL);
    ERR_clear_error();
    return ok == 1 ? OTLS_OK : OTLS_ERR_INTERNAL;
}

/* A session worth offering again, or NULL. */
static void *session_get(void *conn)
{
    struct oti_openssl_conn *c = conn;
    SSL_SESSION *s = c->ssl ? SSL_get1_session(c->ssl) : NULL;
    if (s && !SSL_SESSION_is_resumable(s)) {
        SSL_SESSION_free(s);
        s = NULL;
    }
    return s;
}

static void session_free(void *session)
{
    SSL_SESSION_free(session);
}

const struct otls_provider otls_provider_openssl = {
    .abi = OTLS_PROVIDER_ABI,
    .name = "openssl",
    .features = OTLS_FEAT_TLS12 | OTLS_FEAT_TLS13 | OTLS_FEAT_VERIFIED_CHAIN |
                OTLS_FEAT_TLS_UNIQUE | OTLS_FEAT_EXPORTER | OTLS_FEAT_ALPN | OTLS_FEAT_SNI |
                OTLS_FEAT_RESUMPTION,
    .ctx_size = sizeof(struct oti_openssl_ctx),
    .conn_size = sizeof(struct oti_openssl_conn),
    .lib_version = lib_version,
    .ctx_init = oti_openssl_ctx_init,
    .ctx_free = oti_openssl_ctx_free,
    .ctx_configure = oti_openssl_ctx_configure,
    .ctx_add_ca = oti_openssl_ctx_add_ca,
    .ctx_set_own_chain = oti_openssl_ctx_set_own_chain,
    .conn_init = oti_openssl_conn_init,
    .conn_free = oti_openssl_conn_free,
    .handshake = oti_openssl_handshake,
    .read = oti_openssl_read,
    .write = oti_openssl_write,
    .shutdown = oti_openssl_shutdown,
    .peer_chain = oti_openssl_peer_chain,
    .verified_chain = oti_openssl_verified_chain,
    .session = oti_openssl_session,
    .enabled_suites = oti_openssl_enabled_suites,
    .finished = oti_openssl_finished,
    .export_keying_material = oti_openssl_export,
    .session_get = session_get,
    .session_free = session_free,
    .digest = digest,
    .conn_prepare = oti_openssl_conn_prepare,
};
