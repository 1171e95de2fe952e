/* Cipher suites: turning the core's IANA ids into OpenSSL's two lists (the
 * TLS 1.2 cipher list and the TLS 1.3 ciphersuites), and back to OpenSSL's
 * own defaults when the list is cleared. */
#include <string.h>

#include <openssl/err.h>

#include "openssl_backend.h"

/* The TLS 1.3 suites OpenSSL 3 knows; SSL_set_ciphersuites skips names a
 * build lacks. */
static const char all_tls13[] = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:"
                                "TLS_AES_128_CCM_8_SHA256";

static int is_tls13(const SSL_CIPHER *cipher)
{
    const char *v = SSL_CIPHER_get_version(cipher);
    return v != NULL && strcmp(v, "TLSv1.3") == 0;
}

/* A growing "a:b:c" string in OpenSSL memory. */
struct names {
    char *buf;
    size_t len, cap;
};

static int names_add(struct names *n, const char *name)
{
    size_t need = n->len + strlen(name) + 2;
    if (need > n->cap) {
        size_t cap = need < 256 ? 256 : need * 2;
        char *p = OPENSSL_realloc(n->buf, cap);
        if (p == NULL)
            return -1;
        n->buf = p;
        n->cap = cap;
    }
    if (n->len > 0)
        n->buf[n->len++] = ':';
    memcpy(n->buf + n->len, name, strlen(name) + 1);
    n->len += strlen(name);
    return 0;
}

/* Splits a cipher stack into its TLS 1.2 and TLS 1.3 name lists. */
static otls_status split_names(STACK_OF(SSL_CIPHER) * sk, struct names *l12, struct names *l13)
{
    for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
        const SSL_CIPHER *cipher = sk_SSL_CIPHER_value(sk, i);
        if (names_add(is_tls13(cipher) ? l13 : l12, SSL_CIPHER_get_name(cipher)) != 0)
            return OTLS_ERR_NO_MEMORY;
    }
    return OTLS_OK;
}

static char *names_take(struct names *n)
{
    char *s = n->buf ? n->buf : OPENSSL_strdup("");
    n->buf = NULL;
    n->len = n->cap = 0;
    return s;
}

/* Remembers the lists the SSL_CTX started with (OpenSSL's defaults, after
 * any system configuration), so that a cleared list restores exactly them. */
otls_status oti_openssl_suites_save_defaults(struct oti_openssl_ctx *c, otls_error *e)
{
    struct names l12 = {0}, l13 = {0};
    otls_status st = split_names(SSL_CTX_get_ciphers(c->ssl_ctx), &l12, &l13);
    if (st == OTLS_OK) {
        c->default_ciphers = names_take(&l12);
        c->default_suites13 = names_take(&l13);
        if (c->default_ciphers == NULL || c->default_suites13 == NULL)
            st = OTLS_ERR_NO_MEMORY;
    }
    OPENSSL_free(l12.buf);
    OPENSSL_free(l13.buf);
    return st < 0 ? otls_error_setf(e, st, "out of memory") : OTLS_OK;
}

static int stack_has(STACK_OF(SSL_CIPHER) * sk, const SSL_CIPHER *cipher)
{
    for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++)
        if (sk_SSL_CIPHER_value(sk, i) == cipher)
            return 1;
    return 0;
}

/* Looks each id up in an SSL that enables everything this OpenSSL can do,
 * so ids it lacks (or whose algorithms its providers lack) are skipped. */
static otls_status build_lists(struct oti_openssl_ctx *c, const uint16_t *ids, size_t count,
                               struct names *l12, struct names *l13)
{
    SSL *probe = SSL_new(c->ssl_ctx);
    if (probe == NULL)
        return OTLS_ERR_NO_MEMORY;
    otls_status st = OTLS_OK;
    /* SSL_set_cipher_list reports a list without TLS 1.2 suites as a failure
     * (never the case with ALL); the TLS 1.3 list is checked by name. */
    if (!SSL_set_ciphersuites(probe, all_tls13) ||
        !SSL_set_cipher_list(probe, "ALL:COMPLEMENTOFALL:@SECLEVEL=0"))
        st = OTLS_ERR_INTERNAL;
    STACK_OF(SSL_CIPHER) *known = SSL_get_ciphers(probe);
    for (size_t i = 0; st == OTLS_OK && i < count; i++) {
        const unsigned char bytes[2] = {(unsigned char)(ids[i] >> 8),
                                        (unsigned char)(ids[i] & 0xff)};
        const SSL_CIPHER *cipher = SSL_CIPHER_find(probe, bytes);
        if (cipher == NULL || !stack_has(known, cipher))
            continue;
        if (names_add(is_tls13(cipher) ? l13 : l12, SSL_CIPHER_get_name(cipher)) != 0)
            st = OTLS_ERR_NO_MEMORY;
    }
    SSL_free(probe);
    return st;
}

/* Sets both lists. SSL_CTX_set_cipher_list returns 0 for a list without
 * TLS 1.2 suites but installs it all the same (as a comment in OpenSSL's
 * ssl_lib.c says), so that case is judged by the list it leaves. */
static otls_status set_lists(SSL_CTX *ctx, const char *l12, const char *l13, otls_error *e)
{
    if (!SSL_CTX_set_ciphersuites(ctx, l13))
        return oti_openssl_queue_error(e, OTLS_ERR_INTERNAL,
                                       "could not set the TLS 1.3 ciphersuites");
    if (!SSL_CTX_set_cipher_list(ctx, l12)) {
        STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
        for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++)
            if (!is_tls13(sk_SSL_CIPHER_value(sk, i)))
                return oti_openssl_queue_error(e, OTLS_ERR_INTERNAL,
                                               "could not set the cipher list");
        if (l12[0] != '\0')
            return oti_openssl_queue_error(e, OTLS_ERR_INTERNAL, "could not set the cipher list");
    }
    ERR_clear_error();
    return OTLS_OK;
}

otls_status oti_openssl_suites_apply(struct oti_openssl_ctx *c, const struct otls_ctx_config *cfg,
                                     int *has_tls13, otls_error *e)
{
    if (cfg->suites == NULL || cfg->suite_count == 0) {
        const char *l12 = c->default_ciphers ? c->default_ciphers : "DEFAULT";
        const char *l13 = c->default_suites13 ? c->default_suites13 : OSSL_default_ciphersuites();
        *has_tls13 = l13[0] != '\0';
        otls_status st = set_lists(c->ssl_ctx, l12, l13, e);
        if (st == OTLS_OK && !c->default_server_pref)
            SSL_CTX_clear_options(c->ssl_ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
        return st;
    }
    struct names l12 = {0}, l13 = {0};
    otls_status st = build_lists(c, cfg->suites, cfg->suite_count, &l12, &l13);
    if (st == OTLS_OK && l12.len == 0 && l13.len == 0)
        st = otls_error_setf(e, OTLS_ERR_UNSUPPORTED,
                             "none of the requested cipher suites is supported by OpenSSL");
    else if (st < 0)
        st = oti_openssl_queue_error(
            e, st, "%s",
            st == OTLS_ERR_NO_MEMORY ? "out of memory" : "could not list OpenSSL's cipher suites");
    else
        /* Only the suites given: a list of TLS 1.2 suites alone empties the
         * TLS 1.3 list and vice versa. */
        st = set_lists(c->ssl_ctx, l12.len ? l12.buf : "", l13.len ? l13.buf : "", e);
    *has_tls13 = l13.len > 0;
    if (st == OTLS_OK && c->role == OTLS_SERVER)
        SSL_CTX_set_options(c->ssl_ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    OPENSSL_free(l12.buf);
    OPENSSL_free(l13.buf);
    ERR_clear_error();
    return st;
}
