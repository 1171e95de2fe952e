/* The peer certificate of a connection, decoded (otls_peer_cert) and as
 * Python's getpeercert() renders it (otls_peer_cert_json). Both read the
 * DER snapshot taken at the end of the handshake, so every backend gives
 * the same answer. */
#include <string.h>

#include "cert_internal.h"
#include "internal.h"

/* Python raises ValueError before the handshake; omnitls answers
 * OTLS_ERR_HANDSHAKE_NOT_DONE. Sets *der to the leaf or NULL. */
static otls_status leaf(otls_conn *conn, const otls_der **der)
{
    *der = NULL;
    if (oti_conn_ready(conn) != OTLS_OK)
        return OTLS_ERR_HANDSHAKE_NOT_DONE;
    const otls_der *leaf;
    otls_status st = oti_facts_leaf(conn, &leaf);
    if (st < 0)
        return st;
    if (leaf->data == NULL)
        return OTLS_NONE;
    *der = leaf;
    return OTLS_OK;
}

otls_status otls_peer_cert(otls_conn *conn, otls_cert **out)
{
    if (out)
        *out = NULL;
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (out == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT, "an output pointer is NULL");
    const otls_der *der;
    otls_status st = leaf(conn, &der);
    if (st != OTLS_OK)
        return st;
    otls_error err;
    st = otls_cert_decode(der->data, der->len, out, &err);
    if (st != OTLS_OK)
        return oti_conn_fail(conn, st, "peer %s", err.message);
    return OTLS_OK;
}

otls_status otls_peer_cert_json(otls_conn *conn, unsigned flags, char **json, size_t *len)
{
    if (json)
        *json = NULL;
    if (len)
        *len = 0;
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (json == NULL || (flags & ~OTLS_JSON_SORT_KEYS))
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT,
                             "NULL output pointer or unknown flags");
    const otls_der *der;
    otls_status st = leaf(conn, &der);
    if (st != OTLS_OK)
        return st;
    if (conn->verify == OTLS_VERIFY_NONE) {
        /* getpeercert(): an empty dict for a certificate nothing verified
         * (SSL_VERIFY_PEER unset), before any decoding. */
        *json = oti_strdup("{}");
        if (*json == NULL)
            return oti_conn_fail(conn, OTLS_ERR_NO_MEMORY, "out of memory");
        if (len)
            *len = 2;
        return OTLS_OK;
    }
    otls_cert *cert;
    st = otls_peer_cert(conn, &cert);
    if (st != OTLS_OK)
        return st;
    st = otls_cert_to_json(cert, flags, json, len);
    otls_cert_free(cert);
    if (st != OTLS_OK)
        return oti_conn_fail(conn, st, "out of memory");
    return OTLS_OK;
}
