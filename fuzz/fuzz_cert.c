/* libFuzzer target for the certificate decoder: otls_cert_decode() on the
 * input, then both JSON renderings and a walk over the typed view. Checks
 * what must hold for any input: a refusal carries a one-line reason and no
 * certificate; an accepted certificate renders to ASCII JSON (ensure_ascii)
 * of the length reported, identically on a second decode. The input also
 * goes through otls_cert_decode_pem (and so the core's PEM reader), and
 * through the client's name check (core/name_check.c), which reads the
 * same DER with its own walk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <omnitls/cert.h>

#include "name_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
    if (!ok)
        abort();
}

static size_t walk_name(const otls_cert_name *n)
{
    size_t sum = 0;
    for (size_t i = 0; i < n->count; i++) {
        require(n->rdns[i].count > 0);
        for (size_t j = 0; j < n->rdns[i].count; j++) {
            const otls_cert_attr *a = &n->rdns[i].attrs[j];
            sum += strlen(a->oid) + strlen(a->name) + a->value_len;
            require(a->value != NULL || a->is_bytes);
        }
    }
    return sum;
}

static void render(const otls_cert *c, unsigned flags, char **out, size_t *out_len)
{
    char *json = NULL;
    size_t len = 0;
    require(otls_cert_to_json(c, flags, &json, &len) == OTLS_OK);
    require(strlen(json) == len && len >= 2 && json[0] == '{' && json[len - 1] == '}');
    for (size_t i = 0; i < len; i++)
        require(json[i] >= 0x20 && json[i] < 0x7f);
    *out = json;
    *out_len = len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    otls_cert *c = NULL;
    otls_error err;
    /* Any answer but a crash; a host name never gets an IP mismatch, an
     * address never a name mismatch. */
    static const uint8_t ip4[4] = {127, 0, 0, 1};
    enum oti_name_result nr = oti_name_check(data, size, "www.example.com", NULL, 0);
    require(nr == OTI_NAME_MALFORMED || nr == OTI_NAME_MATCH || nr == OTI_NAME_MISMATCH);
    nr = oti_name_check(data, size, "127.0.0.1", ip4, sizeof ip4);
    require(nr == OTI_NAME_MALFORMED || nr == OTI_NAME_MATCH || nr == OTI_NAME_IP_MISMATCH);
    /* The PEM entry point too (DER falls through to the same decoder). */
    otls_status st = otls_cert_decode_pem(data, size, &c, &err);
    require((st == OTLS_OK) == (c != NULL));
    otls_cert_free(c);
    c = NULL;

    st = otls_cert_decode(data, size, &c, &err);
    if (st != OTLS_OK) {
        require(st == OTLS_ERR_PARSE && c == NULL && err.code == st);
        require(err.message[0] != '\0' && strchr(err.message, '\n') == NULL);
        return 0;
    }
    size_t sum = walk_name(&c->subject) + walk_name(&c->issuer);
    for (size_t i = 0; i < c->san_count; i++) {
        if (c->san[i].type == OTLS_SAN_DIRNAME)
            sum += walk_name(&c->san[i].dirname);
        else
            require(c->san[i].value != NULL);
    }
    for (size_t i = 0; i < c->ext_key_usage_count; i++)
        sum += strlen(c->ext_key_usage[i].oid);
    require(c->der_len <= size && memcmp(c->der, data, c->der_len) == 0);
    (void)sum;

    char *a, *b;
    size_t alen, blen;
    render(c, 0, &a, &alen);
    render(c, OTLS_JSON_SORT_KEYS, &b, &blen);
    require(alen == blen); /* same content, other order */
    otls_free_string(b);

    /* Decoding is a function of the bytes. */
    otls_cert *again = NULL;
    require(otls_cert_decode(data, size, &again, NULL) == OTLS_OK);
    render(again, 0, &b, &blen);
    require(alen == blen && memcmp(a, b, alen) == 0);
    otls_free_string(a);
    otls_free_string(b);
    otls_cert_free(again);
    otls_cert_free(c);
    return 0;
}
