/* The certificate decoder's public functions in a build without it
 * (OTLS_DECODER=OFF): the DER of every certificate stays available
 * (otls_peer_cert_der, the chains); decoding it answers OTLS_ERR_UNSUPPORTED. */
#include <stddef.h>

#include "internal.h"
#include "omnitls/cert.h"

#define NO_DECODER                                                                                 \
    "this omnitls was built without the certificate decoder (OTLS_DECODER=OFF); "                  \
    "otls_peer_cert_der gives the DER"

static otls_status no_decoder(otls_error *err)
{
    if (err) {
        err->code = OTLS_ERR_UNSUPPORTED;
        oti_snprintf(err->message, sizeof err->message, "%s", NO_DECODER);
    }
    return OTLS_ERR_UNSUPPORTED;
}

otls_status otls_cert_decode(const uint8_t *der, size_t len, otls_cert **out, otls_error *err)
{
    (void)der;
    (void)len;
    if (out)
        *out = NULL;
    return no_decoder(err);
}

otls_status otls_cert_decode_pem(const void *data, size_t len, otls_cert **out, otls_error *err)
{
    (void)data;
    (void)len;
    if (out)
        *out = NULL;
    return no_decoder(err);
}

void otls_cert_free(otls_cert *cert)
{
    (void)cert; /* no otls_cert can exist */
}

otls_status otls_cert_sha256(const otls_cert *cert, uint8_t out[32])
{
    (void)cert;
    (void)out;
    return OTLS_ERR_UNSUPPORTED;
}

otls_status otls_cert_to_json(const otls_cert *cert, unsigned flags, char **json, size_t *len)
{
    (void)cert;
    (void)flags;
    if (json)
        *json = NULL;
    if (len)
        *len = 0;
    return OTLS_ERR_UNSUPPORTED;
}

void otls_free_string(char *s)
{
    oti_free(s);
}

otls_status otls_peer_cert(otls_conn *conn, otls_cert **out)
{
    if (out)
        *out = NULL;
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED, "otls_peer_cert: %s", NO_DECODER);
}

otls_status otls_peer_cert_json(otls_conn *conn, unsigned flags, char **json, size_t *len)
{
    (void)flags;
    if (json)
        *json = NULL;
    if (len)
        *len = 0;
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED, "otls_peer_cert_json: %s", NO_DECODER);
}
