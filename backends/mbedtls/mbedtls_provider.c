/* The mbedTLS backend's vtable, plus the slots that need no connection:
 * the library version, hashing, and client sessions. */
#include <stdatomic.h>
#include <string.h>

#include <mbedtls/platform.h>
#include <mbedtls/version.h>

#include "mbedtls_backend.h"

static char version_text[32];
static atomic_int version_state; /* 0 not yet, 1 filling, 2 filled */

/* The library's own, which may be newer than the headers built with; filled
 * once without a thread library (none in the minimal profile). A caller that
 * races the first one gets the headers' string. */
static const char *lib_version(void)
{
    int expected = 0;
    if (atomic_load(&version_state) != 2 &&
        atomic_compare_exchange_strong(&version_state, &expected, 1)) {
        mbedtls_version_get_string_full(version_text);
        atomic_store(&version_state, 2);
    }
    if (atomic_load(&version_state) != 2 || version_text[0] == '\0')
        return MBEDTLS_VERSION_STRING_FULL;
    return version_text;
}

static otls_status digest(enum otls_hash alg, const uint8_t *data, size_t len, uint8_t *out)
{
    int ret;
    static const uint8_t empty[1];
    if (data == NULL)
        data = empty; /* len is 0 then */
    switch (alg) {
    case OTLS_HASH_SHA224:
        ret = oti_mbedtls_sha256(data, len, out, 1);
        break;
    case OTLS_HASH_SHA256:
        ret = oti_mbedtls_sha256(data, len, out, 0);
        break;
    case OTLS_HASH_SHA384:
        ret = oti_mbedtls_sha512(data, len, out, 1);
        break;
    case OTLS_HASH_SHA512:
        ret = oti_mbedtls_sha512(data, len, out, 0);
        break;
    default:
        return OTLS_ERR_INVALID_ARGUMENT;
    }
    return ret == 0 ? OTLS_OK : OTLS_ERR_INTERNAL;
}

static void session_free(void *session)
{
    struct oti_mbedtls_session *s = session;
    if (s == NULL)
        return;
    mbedtls_ssl_session_free(&s->s); /* zeroizes the master secret */
    mbedtls_x509_crt_free(&s->chain);
    oti_mbedtls_free(s);
}

/* Client: a session worth offering again (it has an id or a ticket), with
 * the server's whole chain, or NULL. */
static void *session_get(void *conn)
{
    struct oti_mbedtls_conn *c = conn;
    if (!c->ssl_ready || c->ctx->role != OTLS_CLIENT)
        return NULL;
    struct oti_mbedtls_session *s = oti_mbedtls_calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    mbedtls_ssl_session_init(&s->s);
    mbedtls_x509_crt_init(&s->chain);
    int ok = mbedtls_ssl_get_session(&c->ssl, &s->s) == 0 &&
             oti_mbedtls_crt_copy(&s->chain, oti_mbedtls_peer_crt(c)) == 0;
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    /* TLS 1.3 resumes from tickets only (they arrive after the handshake);
     * its session id is a compatibility-mode echo that resumes nothing. */
    if (oti_mbedtls_version_number(&c->ssl) >= 0x0304)
        ok = ok && s->s.OTI_MBEDTLS_F(ticket_len) > 0;
    else
        ok = ok && (s->s.OTI_MBEDTLS_F(id_len) > 0 || s->s.OTI_MBEDTLS_F(ticket_len) > 0);
#else
    ok = ok && s->s.OTI_MBEDTLS_F(id_len) > 0;
#endif
    if (!ok) {
        session_free(s);
        return NULL;
    }
    return s;
}

const struct otls_provider otls_provider_mbedtls = {
    .abi = OTLS_PROVIDER_ABI,
    .name = "mbedtls",
    /* TLS 1.3 from 3.x (2.28 has none). */
    .features = OTLS_FEAT_TLS12 | OTLS_FEAT_VERIFIED_CHAIN | OTLS_FEAT_ALPN | OTLS_FEAT_SNI |
                OTLS_FEAT_RESUMPTION
#if OTI_MBEDTLS_HAVE_TLS13
                | OTLS_FEAT_TLS13
#endif
#if OTI_MBEDTLS_HAVE_FINISHED && (OTI_MBEDTLS_HAVE_FINISHED13 || !OTI_MBEDTLS_HAVE_TLS13)
                /* TLS 1.2's Finished from the renegotiation fields; on 3.x
                 * TLS 1.3's read back from the records too. */
                | OTLS_FEAT_TLS_UNIQUE
#endif
#if OTI_MBEDTLS_HAVE_EXPORTER
                | OTLS_FEAT_EXPORTER
#endif
    ,
    .ctx_size = sizeof(struct oti_mbedtls_ctx),
    .conn_size = sizeof(struct oti_mbedtls_conn),
    .lib_version = lib_version,
    .ctx_init = oti_mbedtls_ctx_init,
    .ctx_free = oti_mbedtls_ctx_free,
    .ctx_configure = oti_mbedtls_ctx_configure,
    .ctx_add_ca = oti_mbedtls_ctx_add_ca,
    .ctx_set_own_chain = oti_mbedtls_ctx_set_own_chain,
    .conn_init = oti_mbedtls_conn_init,
    .conn_free = oti_mbedtls_conn_free,
    .handshake = oti_mbedtls_handshake,
    .read = oti_mbedtls_read,
    .write = oti_mbedtls_write,
    .shutdown = oti_mbedtls_shutdown,
    .peer_chain = oti_mbedtls_peer_chain,
    .verified_chain = oti_mbedtls_verified_chain,
    .session = oti_mbedtls_session,
    .enabled_suites = oti_mbedtls_enabled_suites,
#if OTI_MBEDTLS_HAVE_FINISHED
    .finished = oti_mbedtls_finished,
#endif
#if OTI_MBEDTLS_HAVE_EXPORTER
    .export_keying_material = oti_mbedtls_export,
#endif
    .session_get = session_get,
    .session_free = session_free,
    .digest = digest,
    .conn_prepare = oti_mbedtls_conn_prepare,
};
