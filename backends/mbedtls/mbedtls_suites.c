/* Cipher suites. mbedTLS speaks IANA ids natively, so the core's list maps
 * straight onto mbedtls_ssl_conf_ciphersuites. */
#include <string.h>

#include <mbedtls/platform.h>
#include <mbedtls/ssl_ciphersuites.h>

#include "mbedtls_backend.h"

static size_t list_len(const int *list)
{
    size_t n = 0;
    while (list[n] != 0)
        n++;
    return n;
}

int *oti_mbedtls_suites_copy(const int *list, size_t count)
{
    int *copy = oti_mbedtls_calloc(count + 1, sizeof *copy);
    if (copy != NULL && count > 0)
        memcpy(copy, list, count * sizeof *copy);
    return copy;
}

/* 1: a suite mbedTLS can negotiate at TLS 1.2; 2: at TLS 1.3 (3.x built
 * with it); 0: neither. */
static int usable(int id)
{
    const mbedtls_ssl_ciphersuite_t *info = mbedtls_ssl_ciphersuite_from_id(id);
    if (info == NULL)
        return 0;
    unsigned min, max;
    oti_mbedtls_suite_versions(info, &min, &max);
    if (min <= 0x0303 && max >= 0x0303)
        return 1;
    if (OTI_MBEDTLS_HAVE_TLS13 && min <= 0x0304 && max >= 0x0304)
        return 2;
    return 0;
}

static int contains(const int *list, size_t n, int id)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == id)
            return 1;
    return 0;
}

otls_status oti_mbedtls_suites_build(const struct otls_ctx_config *cfg, int **out, size_t *count,
                                     int *custom, int *has_tls13, otls_error *e)
{
    *out = NULL;
    *count = 0;
    *has_tls13 = 0;
    *custom = cfg->suites != NULL && cfg->suite_count > 0;
    /* Without a list: mbedTLS's default, in its preference order. */
    const int *def = mbedtls_ssl_list_ciphersuites();
    size_t want = *custom ? cfg->suite_count : list_len(def);
    int *list = oti_mbedtls_calloc(want + 1, sizeof *list);
    if (list == NULL)
        return otls_error_setf(e, OTLS_ERR_NO_MEMORY, "out of memory");
    size_t n = 0;
    /* TLS 1.3 suites first, as OpenSSL lists them, then the others in the
     * order given. Suites mbedTLS lacks (TLS 1.3 ones on 2.28) are dropped,
     * as OpenSSL drops unknown names from a cipher string. */
    for (int pass = 2; pass >= 1; pass--) {
        for (size_t i = 0; i < want; i++) {
            int id = *custom ? (int)cfg->suites[i] : def[i];
            if (usable(id) == pass && !contains(list, n, id)) {
                list[n++] = id;
                *has_tls13 |= pass == 2;
            }
        }
    }
    if (n == 0) {
        oti_mbedtls_free(list);
        return otls_error_setf(e, OTLS_ERR_UNSUPPORTED,
                               "none of the requested cipher suites is supported by mbedTLS");
    }
    *out = list;
    *count = n;
    return OTLS_OK;
}

int *oti_mbedtls_suites_by_client(const int *ours, size_t count, const uint16_t *offer,
                                  size_t offer_count)
{
    int *list = oti_mbedtls_calloc(count + 1, sizeof *list);
    if (list == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < offer_count && n < count; i++) {
        int id = offer[i];
        if (contains(ours, count, id) && !contains(list, n, id))
            list[n++] = id;
    }
    if (n == 0) {
        oti_mbedtls_free(list);
        return NULL;
    }
    return list;
}

otls_status oti_mbedtls_enabled_suites(void *conn, uint16_t *out, size_t cap, size_t *count)
{
    const struct oti_mbedtls_conn *c = conn;
    *count = 0;
    if (c->sh == NULL)
        return OTLS_ERR_STATE;
    /* The server's own order, whatever order the client's offer imposed on
     * this connection. */
    const int *suites = c->sh->suites;
    for (size_t i = 0; suites[i] != 0 && *count < cap; i++)
        out[(*count)++] = (uint16_t)suites[i];
    return OTLS_OK;
}
