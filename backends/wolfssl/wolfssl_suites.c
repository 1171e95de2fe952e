/* Cipher suites. The core speaks IANA ids; wolfSSL's names differ from
 * OpenSSL's ("TLS13-AES128-GCM-SHA256"), so nothing is mapped by name:
 * ids are checked against wolfSSL's own table
 * (wolfSSL_get_cipher_name_from_suite) and installed as bytes with
 * wolfSSL_set_cipher_list_bytes, which keeps them exactly, in order.
 * (wolfSSL_set_cipher_list, in this build's OpenSSL mode, keeps TLS 1.3
 * suites from the previous list and adds others of its own.) */
#include <pthread.h>
#include <string.h>

#include "wolfssl_backend.h"

int oti_wolfssl_suite_is_tls13(uint16_t id)
{
    /* 0x13xx, and the integrity-only suites of RFC 9150. */
    return (id >> 8) == 0x13 || id == 0xC0B4 || id == 0xC0B5;
}

/* A suite this wolfSSL can negotiate. */
static int known(uint16_t id)
{
    const char *name =
        wolfSSL_get_cipher_name_from_suite((unsigned char)(id >> 8), (unsigned char)(id & 0xff));
    return name != NULL && strcmp(name, "None") != 0;
}

/* Classes OpenSSL's default list leaves out too: no authentication, no
 * encryption, broken ciphers, PSK (omnitls has no PSK API), pre-standard
 * ChaCha20 ids and integrity-only TLS 1.3 suites. Debian's wolfSSL enables
 * all of them by default. */
static int default_worthy(uint16_t id)
{
    static const char *const banned[] = {"_anon_", "_NULL_", "WITH_NULL", "_RC4_",
                                         "DES_",   "PSK",    "_OLD_",     "EXPORT"};
    const char *iana = wolfSSL_get_cipher_name_iana_from_suite((unsigned char)(id >> 8),
                                                               (unsigned char)(id & 0xff));
    if (iana == NULL || strncmp(iana, "TLS_", 4) != 0 || id == 0xC0B4 || id == 0xC0B5)
        return 0;
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
        if (strstr(iana, banned[i]) != NULL)
            return 0;
    return 1;
}

/* The backend's default: wolfSSL's own list as a client enables it (a
 * server's would depend on its key type), in its order, filtered. */
static uint16_t default_ids[OTI_WOLFSSL_MAX_SUITES];
static size_t default_count;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_fill(void)
{
    if (oti_wolfssl_global_init() != 0)
        return;
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    WOLFSSL *ssl = ctx ? wolfSSL_new(ctx) : NULL;
    /* The stack belongs to the WOLFSSL. */
    WOLF_STACK_OF(WOLFSSL_CIPHER) *sk = ssl ? wolfSSL_get_ciphers_compat(ssl) : NULL;
    for (int i = 0; sk != NULL && i < wolfSSL_sk_SSL_CIPHER_num(sk); i++) {
        const char *name = wolfSSL_CIPHER_get_name(wolfSSL_sk_SSL_CIPHER_value(sk, i));
        unsigned char b0 = 0, b1 = 0;
        int flags = 0;
        if (name == NULL || wolfSSL_get_cipher_suite_from_name(name, &b0, &b1, &flags) != 0)
            continue;
        uint16_t id = (uint16_t)((b0 << 8) | b1);
        if (default_worthy(id) && known(id) && default_count < OTI_WOLFSSL_MAX_SUITES)
            default_ids[default_count++] = id;
    }
    wolfSSL_free(ssl);
    wolfSSL_CTX_free(ctx);
}

static int contains(const uint16_t *list, size_t n, uint16_t id)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == id)
            return 1;
    return 0;
}

otls_status oti_wolfssl_suites_build(const struct otls_ctx_config *cfg, uint16_t *out,
                                     size_t *count, int *has_tls13, otls_error *e)
{
    const uint16_t *want = cfg->suites;
    size_t want_count = cfg->suite_count;
    *count = 0;
    *has_tls13 = 0;
    if (want == NULL || want_count == 0) {
        if (pthread_once(&default_once, default_fill) != 0 || default_count == 0)
            return otls_error_setf(e, OTLS_ERR_INTERNAL, "could not list wolfSSL's cipher suites");
        want = default_ids;
        want_count = default_count;
    }
    /* TLS 1.3 suites first, as OpenSSL lists them; otherwise in the order
     * given. Suites wolfSSL lacks are dropped, as OpenSSL drops unknown
     * names from a cipher string. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < want_count; i++) {
            uint16_t id = want[i];
            if (oti_wolfssl_suite_is_tls13(id) != (pass == 0) || !known(id) ||
                contains(out, *count, id) || *count == OTI_WOLFSSL_MAX_SUITES)
                continue;
            out[(*count)++] = id;
            *has_tls13 |= pass == 0;
        }
    }
    if (*count == 0)
        return otls_error_setf(e, OTLS_ERR_UNSUPPORTED,
                               "none of the requested cipher suites is supported by wolfSSL");
    return OTLS_OK;
}

int oti_wolfssl_suites_use(WOLFSSL *ssl, const uint16_t *ids, size_t count)
{
    unsigned char bytes[2 * OTI_WOLFSSL_MAX_SUITES];
    for (size_t i = 0; i < count; i++) {
        bytes[2 * i] = (unsigned char)(ids[i] >> 8);
        bytes[2 * i + 1] = (unsigned char)(ids[i] & 0xff);
    }
    return wolfSSL_set_cipher_list_bytes(ssl, bytes, (int)(2 * count)) == WOLFSSL_SUCCESS ? 0 : -1;
}

void oti_wolfssl_suites_by_client(struct oti_wolfssl_conn *c, const uint16_t *offer, size_t count)
{
    uint16_t list[OTI_WOLFSSL_MAX_SUITES];
    size_t n = 0;
    for (size_t i = 0; i < count && n < c->suite_count; i++) {
        uint16_t id = offer[i];
        if (contains(c->suites, c->suite_count, id) && !contains(list, n, id))
            list[n++] = id;
    }
    /* Nothing in common: leave the list, wolfSSL says "no shared cipher".
     * Otherwise ours that the client did not offer stay behind: wolfSSL
     * derives the signature algorithms it asks for from the whole list. */
    if (n == 0)
        return;
    for (size_t i = 0; i < c->suite_count; i++)
        if (!contains(list, n, c->suites[i]))
            list[n++] = c->suites[i];
    (void)oti_wolfssl_suites_use(c->ssl, list, n);
}

otls_status oti_wolfssl_enabled_suites(void *conn, uint16_t *out, size_t cap, size_t *count)
{
    const struct oti_wolfssl_conn *c = conn;
    *count = 0;
    if (c->ssl == NULL)
        return OTLS_ERR_STATE;
    /* This end's own order, whatever order a client's offer imposed. */
    for (size_t i = 0; i < c->suite_count && *count < cap; i++)
        out[(*count)++] = c->suites[i];
    return OTLS_OK;
}
