/* The wolfSSL backend's vtable, plus the slots that need no connection:
 * the library version, hashing, library set-up and client sessions. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "wolfssl_backend.h"

#include <wolfssl/version.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/hash.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = -1;

static void global_init(void)
{
    init_result = wolfSSL_Init() == WOLFSSL_SUCCESS ? 0 : -1;
}

int oti_wolfssl_global_init(void)
{
    if (pthread_once(&init_once, global_init) != 0)
        return -1;
    return init_result;
}

#if defined(FP_ECC)
/* wolfSSL caches fixed-point ECC tables per thread and frees them only on
 * request (wc_ecc_fp_free, which frees the calling thread's). A thread that
 * ran a handshake gets a thread-specific value whose destructor frees its
 * cache when it exits, so the cache still serves later handshakes of a
 * thread but is never lost. The main thread's stays reachable until the
 * process ends. (The key is never deleted: a plugin is never unloaded.) */
static pthread_key_t fp_key;
static int fp_key_ok;
static pthread_once_t fp_once = PTHREAD_ONCE_INIT;

static void fp_free_at_exit(void *value)
{
    (void)value;
    wc_ecc_fp_free();
}

static void fp_key_create(void)
{
    fp_key_ok = pthread_key_create(&fp_key, fp_free_at_exit) == 0;
}
#endif

void oti_wolfssl_thread_mark(void)
{
#if defined(FP_ECC)
    static char marker;
    if (pthread_once(&fp_once, fp_key_create) == 0 && fp_key_ok &&
        pthread_getspecific(fp_key) == NULL)
        (void)pthread_setspecific(fp_key, &marker);
#endif
}

static char version_text[48];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void version_fill(void)
{
    /* The library's own, which may be newer than the headers built with. */
    snprintf(version_text, sizeof version_text, "wolfSSL %s", wolfSSL_lib_version());
}

static const char *lib_version(void)
{
    if (pthread_once(&version_once, version_fill) != 0 || version_text[0] == '\0')
        return "wolfSSL " LIBWOLFSSL_VERSION_STRING;
    return version_text;
}

static otls_status digest(enum otls_hash alg, const uint8_t *data, size_t len, uint8_t *out)
{
    static const uint8_t empty[1];
    if (data == NULL)
        data = empty; /* len is 0 then */
    if (len > 0xffffffffu)
        return OTLS_ERR_INVALID_ARGUMENT;
    int ret;
    switch (alg) {
    case OTLS_HASH_SHA224:
        ret = wc_Sha224Hash(data, (word32)len, out);
        break;
    case OTLS_HASH_SHA256:
        ret = wc_Sha256Hash(data, (word32)len, out);
        break;
    case OTLS_HASH_SHA384:
        ret = wc_Sha384Hash(data, (word32)len, out);
        break;
    case OTLS_HASH_SHA512:
        ret = wc_Sha512Hash(data, (word32)len, out);
        break;
    default:
        return OTLS_ERR_INVALID_ARGUMENT;
    }
    return ret == 0 ? OTLS_OK : OTLS_ERR_INTERNAL;
}

static void session_free(void *session)
{
    struct oti_wolfssl_session *s = session;
    if (s == NULL)
        return;
    wolfSSL_SESSION_free(s->s); /* NULL-safe */
    oti_wolfssl_certs_clear(&s->vchain);
    oti_wolfssl_free(s);
}

/* Client: a session worth offering again, with the chain verified in the
 * handshake that made it, or NULL (TLS 1.3: until a ticket came). */
static void *session_get(void *conn)
{
    struct oti_wolfssl_conn *c = conn;
    if (c->ssl == NULL || c->ctx->role != OTLS_CLIENT || !c->handshaken)
        return NULL;
    struct oti_wolfssl_session *s = oti_wolfssl_alloc(sizeof *s);
    if (s == NULL)
        return NULL;
    memset(s, 0, sizeof *s);
    s->s = wolfSSL_get1_session(c->ssl);
    if (s->s == NULL || wolfSSL_SESSION_is_resumable(s->s) != 1) {
        session_free(s);
        return NULL;
    }
    s->verified = oti_wolfssl_peer_verified(c);
    /* A resumed connection passes on what its own offer recorded. */
    const struct oti_wolfssl_certs *chain =
        wolfSSL_session_reused(c->ssl) && c->offered ? &c->offered->vchain : c->vchain;
    if (s->verified && (chain == NULL || oti_wolfssl_certs_copy(&s->vchain, chain) != 0)) {
        session_free(s);
        return NULL;
    }
    return s;
}

const struct otls_provider otls_provider_wolfssl = {
    .abi = OTLS_PROVIDER_ABI,
    .name = "wolfssl",
    .features = OTLS_FEAT_TLS12
#if defined(WOLFSSL_TLS13)
                | OTLS_FEAT_TLS13
#endif
                | OTLS_FEAT_VERIFIED_CHAIN | OTLS_FEAT_TLS_UNIQUE
#if defined(HAVE_KEYING_MATERIAL)
                | OTLS_FEAT_EXPORTER
#endif
                | OTLS_FEAT_ALPN | OTLS_FEAT_SNI | OTLS_FEAT_RESUMPTION,
    .ctx_size = sizeof(struct oti_wolfssl_ctx),
    .conn_size = sizeof(struct oti_wolfssl_conn),
    .lib_version = lib_version,
    .ctx_init = oti_wolfssl_ctx_init,
    .ctx_free = oti_wolfssl_ctx_free,
    .ctx_configure = oti_wolfssl_ctx_configure,
    .ctx_add_ca = oti_wolfssl_ctx_add_ca,
    .ctx_set_own_chain = oti_wolfssl_ctx_set_own_chain,
    .conn_init = oti_wolfssl_conn_init,
    .conn_free = oti_wolfssl_conn_free,
    .handshake = oti_wolfssl_handshake,
    .read = oti_wolfssl_read,
    .write = oti_wolfssl_write,
    .shutdown = oti_wolfssl_shutdown,
    .peer_chain = oti_wolfssl_peer_chain,
    .verified_chain = oti_wolfssl_verified_chain,
    .session = oti_wolfssl_session,
    .enabled_suites = oti_wolfssl_enabled_suites,
    .finished = oti_wolfssl_finished,
#if defined(HAVE_KEYING_MATERIAL)
    .export_keying_material = oti_wolfssl_export,
#endif
    .session_get = session_get,
    .session_free = session_free,
    .digest = digest,
    .conn_prepare = oti_wolfssl_conn_prepare,
};
