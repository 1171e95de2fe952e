/* Contexts: the random generator, trust anchors, server resumption state,
 * and the settings each connection's mbedtls_ssl_config is built from. */
#include <string.h>

#include <stdatomic.h>

#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>

#include "mbedtls_backend.h"

#if OTI_MBEDTLS_V3
#include <psa/crypto.h>

/* 3.x does TLS 1.3 (and its ticket keys) through PSA, which must be set up
 * once per process before any of it: once, whatever thread gets here
 * first. psa_crypto_init is idempotent, but not safe to race. An atomic
 * once rather than pthread_once: the backend links no thread library (the
 * minimal profile; tests/embedded checks the symbols). A thread that loses
 * the race waits the few microseconds the winner's setup takes. */
static atomic_int psa_state; /* 0 not yet, 1 being set up, 2 done */
static psa_status_t psa_status = PSA_ERROR_BAD_STATE;

static int psa_ready(void)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&psa_state, &expected, 1)) {
        psa_status = psa_crypto_init();
        atomic_store(&psa_state, 2);
    }
    while (atomic_load(&psa_state) != 2)
        ;
    return psa_status == PSA_SUCCESS;
}
#endif

/* Personalisation for the generator: any constant does. */
static const unsigned char drbg_pers[] = "omnitls mbedtls backend";

/* Tickets: the key is renewed after this many seconds (and tickets older
 * than twice that are refused); OpenSSL's ticket lifetime is 7200 s. */
#define TICKET_LIFETIME 7200

otls_status oti_mbedtls_ctx_init(void *ctx, otls_role role, otls_error *e)
{
    struct oti_mbedtls_ctx *c = ctx;
    c->role = role;
#if OTI_MBEDTLS_V3
    if (!psa_ready())
        return otls_error_setf(e, OTLS_ERR_INTERNAL,
                               "could not initialise PSA crypto (psa_crypto_init: %d)",
                               (int)psa_status);
#endif
    mbedtls_entropy_init(&c->entropy);
    mbedtls_ctr_drbg_init(&c->drbg);
    mbedtls_x509_crt_init(&c->ca);
    int ret = mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy, drbg_pers,
                                    sizeof drbg_pers - 1);
    /* ctx_free runs on a failed init too: everything above is freeable. */
    c->ready = 1;
    if (ret != 0)
        return oti_mbedtls_lib_error(e, OTLS_ERR_INTERNAL, ret,
                                     "could not seed the random generator");
    if (role == OTLS_SERVER) {
        mbedtls_ssl_cache_init(&c->cache);
        c->cache_ready = 1;
#if OTI_MBEDTLS_TICKET_CHAINS
        oti_mbedtls_tlock_init(c);
#endif
        mbedtls_ssl_ticket_init(&c->ticket);
        c->ticket_ready = 1;
        ret = mbedtls_ssl_ticket_setup(&c->ticket, mbedtls_ctr_drbg_random, &c->drbg,
                                       MBEDTLS_CIPHER_AES_256_GCM, TICKET_LIFETIME);
        if (ret != 0)
            return oti_mbedtls_lib_error(e, OTLS_ERR_INTERNAL, ret,
                                         "could not set up session tickets");
    }
    return OTLS_OK;
}

void oti_mbedtls_ctx_free(void *ctx)
{
    struct oti_mbedtls_ctx *c = ctx;
    if (c == NULL)
        return;
    if (c->ticket_ready) {
        oti_mbedtls_tickets_free(c);
#if OTI_MBEDTLS_TICKET_CHAINS
        oti_mbedtls_tlock_free(c);
#endif
        mbedtls_ssl_ticket_free(&c->ticket);
    }
    if (c->cache_ready)
        mbedtls_ssl_cache_free(&c->cache);
    if (c->ready) {
        mbedtls_x509_crt_free(&c->ca);
        mbedtls_ctr_drbg_free(&c->drbg);
        mbedtls_entropy_free(&c->entropy);
    }
    oti_mbedtls_shared_drop(c);
    oti_mbedtls_own_unref(c->own);
    oti_mbedtls_free(c->suites);
    oti_mbedtls_free((void *)c->alpn);
    oti_mbedtls_free(c->alpn_store);
    mbedtls_platform_zeroize(c, sizeof *c);
}

/* The wire-format ALPN list as a NULL-terminated array of C strings, the
 * shape mbedtls_ssl_conf_alpn_protocols takes; NULL/0 when off. */
static otls_status alpn_build(const uint8_t *wire, size_t len, const char ***list, char **store,
                              otls_error *e)
{
    *list = NULL;
    *store = NULL;
    if (wire == NULL || len == 0)
        return OTLS_OK;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 1 + (size_t)wire[i]) {
        if (wire[i] == 0 || i + 1 + wire[i] > len)
            return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "invalid ALPN protocol list");
        n++;
    }
    /* Each name gets a NUL where the next one's length byte was. */
    char *s = oti_mbedtls_calloc(1, len + 1);
    const char **l = oti_mbedtls_calloc(n + 1, sizeof *l);
    if (s == NULL || l == NULL) {
        oti_mbedtls_free(s);
        oti_mbedtls_free((void *)l);
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < len; i += 1 + (size_t)wire[i]) {
        memcpy(s + i, wire + i + 1, wire[i]);
        s[i + wire[i]] = '\0';
        l[k++] = s + i;
    }
    *list = l;
    *store = s;
    return OTLS_OK;
}

otls_status oti_mbedtls_ctx_configure(void *ctx, const struct otls_ctx_config *cfg, otls_error *e)
{
    struct oti_mbedtls_ctx *c = ctx;
    if (!c->ready)
        return otls_error_setf(e, OTLS_ERR_STATE, "context was not initialised");
#if !OTI_MBEDTLS_HAVE_TLS13
    /* mbedTLS 2.28 speaks TLS 1.2 only; the core refuses 1.3 before us
     * (no OTLS_FEAT_TLS13), so this is a safety net. */
    if ((cfg->min_version != 0 && cfg->min_version != 0x0303) ||
        (cfg->max_version != 0 && cfg->max_version != 0x0303))
        return otls_error_setf(e, OTLS_ERR_UNSUPPORTED, "mbedTLS %s speaks TLS 1.2 only",
                               MBEDTLS_VERSION_STRING);
#endif
    /* Everything is built aside first, so a failure leaves the old
     * configuration in force. */
    int *suites = NULL;
    size_t suite_count = 0;
    int custom = 0, has_tls13 = 0;
    otls_status st = oti_mbedtls_suites_build(cfg, &suites, &suite_count, &custom, &has_tls13, e);
    if (st < 0)
        return st;
    const char **alpn = NULL;
    char *alpn_store = NULL;
    st = alpn_build(cfg->alpn_wire, cfg->alpn_wire_len, &alpn, &alpn_store, e);
    if (st >= 0)
        st = oti_mbedtls_groups_build(c, cfg, e); /* last: changes c only on success */
    if (st < 0) {
        oti_mbedtls_free(suites);
        oti_mbedtls_free((void *)alpn);
        oti_mbedtls_free(alpn_store);
        return st;
    }
    oti_mbedtls_free(c->suites);
    oti_mbedtls_free((void *)c->alpn);
    oti_mbedtls_free(c->alpn_store);
    c->suites = suites;
    c->suite_count = suite_count;
    c->custom_suites = custom;
    c->alpn = alpn;
    c->alpn_store = alpn_store;
    c->verify = cfg->verify;
    c->check_hostname = cfg->check_hostname;
    c->sessions = cfg->sessions;
    c->min_version = cfg->min_version ? cfg->min_version : 0x0303;
    c->max_version = cfg->max_version ? cfg->max_version : OTI_MBEDTLS_HAVE_TLS13 ? 0x0304 : 0x0303;
    /* As the OpenSSL backend: a list of TLS 1.2 suites alone caps the
     * version at 1.2 (a client would offer 1.3 without a suite for it). */
    if (!has_tls13 && c->min_version <= 0x0303)
        c->max_version = 0x0303;
    oti_mbedtls_shared_drop(c); /* the next connection takes the new settings */
    return OTLS_OK;
}
