/* Introspection: reads of the facts taken at the end of the handshake. */
#include <string.h>

#include "cipher_suites.h"
#include "internal.h"

/* Every call starts here: Python raises ValueError before the handshake. */
static otls_status ready(otls_conn *conn)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (oti_conn_ready(conn) != OTLS_OK)
        return OTLS_ERR_HANDSHAKE_NOT_DONE;
    return OTLS_OK;
}

#define READY_OR_RETURN(conn, ...)                                                                 \
    do {                                                                                           \
        if (conn == NULL)                                                                          \
            return OTLS_ERR_INVALID_ARGUMENT;                                                      \
        if (__VA_ARGS__)                                                                           \
            return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT, "an output pointer is NULL");    \
        otls_status ready_st_ = ready(conn);                                                       \
        if (ready_st_ != OTLS_OK)                                                                  \
            return ready_st_;                                                                      \
    } while (0)

otls_status otls_peer_cert_der(otls_conn *conn, const uint8_t **der, size_t *len)
{
    if (der)
        *der = NULL;
    if (len)
        *len = 0;
    READY_OR_RETURN(conn, der == NULL || len == NULL);
    const otls_der *leaf;
    otls_status st = oti_facts_leaf(conn, &leaf);
    if (st < 0)
        return st;
    if (leaf->data == NULL)
        return OTLS_NONE;
    *der = leaf->data;
    *len = leaf->len;
    return OTLS_OK;
}

static otls_status give_chain(otls_conn *conn, bool verified, const otls_der **certs, size_t *count)
{
    if (certs)
        *certs = NULL;
    if (count)
        *count = 0;
    READY_OR_RETURN(conn, certs == NULL || count == NULL);
    const struct oti_chains *c;
    otls_status st = oti_facts_chains(conn, &c);
    if (st < 0)
        return st;
    const struct oti_der_list *list = verified ? &c->verified : &c->peer;
    if (list->count == 0)
        return OTLS_NONE;
    *certs = list->items;
    *count = list->count;
    return OTLS_OK;
}

otls_status otls_unverified_chain(otls_conn *conn, const otls_der **certs, size_t *count)
{
    return give_chain(conn, false, certs, count);
}

otls_status otls_verified_chain(otls_conn *conn, const otls_der **certs, size_t *count)
{
    if (conn && conn->done && !(conn->ctx->prov->features & OTLS_FEAT_VERIFIED_CHAIN)) {
        if (certs)
            *certs = NULL;
        if (count)
            *count = 0;
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED,
                             "backend %s cannot report the verified chain", conn->ctx->prov->name);
    }
    return give_chain(conn, true, certs, count);
}

otls_status otls_cipher(otls_conn *conn, otls_cipher_info *info)
{
    READY_OR_RETURN(conn, info == NULL);
    const struct oti_suite *suite = oti_suite_by_id(conn->facts.session.suite);
    if (suite == NULL) {
        memset(info, 0, sizeof *info);
        info->iana_id = conn->facts.session.suite;
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED,
                             "cipher suite 0x%04X is not in omnitls's suite table",
                             (unsigned)conn->facts.session.suite);
    }
    oti_fill_cipher(info, suite);
    return OTLS_OK;
}

otls_status otls_protocol(otls_conn *conn, const char **version)
{
    if (version)
        *version = NULL;
    READY_OR_RETURN(conn, version == NULL);
    *version = oti_version_name(conn->facts.session.version);
    if (*version == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INTERNAL, "unknown protocol version 0x%04x",
                             (unsigned)conn->facts.session.version);
    return OTLS_OK;
}

otls_status otls_shared_ciphers(otls_conn *conn, const otls_cipher_info **list, size_t *count)
{
    if (list)
        *list = NULL;
    if (count)
        *count = 0;
    READY_OR_RETURN(conn, list == NULL || count == NULL);
    if (conn->ctx->cfg.role == OTLS_CLIENT)
        return OTLS_NONE;
    if (!conn->facts.shared_known)
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED,
                             "the client's cipher suites could not be read from its hello");
    *list = conn->facts.shared;
    *count = conn->facts.shared_count;
    return OTLS_OK;
}

otls_status otls_compression(otls_conn *conn, const char **name)
{
    if (name)
        *name = NULL;
    READY_OR_RETURN(conn, name == NULL);
    /* TLS compression (CRIME) is compiled out or refused by every stack
     * omnitls supports; TLS 1.3 removed it. */
    return OTLS_NONE;
}

static otls_status give_string(otls_conn *conn, const char *value, const char **out)
{
    if (out)
        *out = NULL;
    READY_OR_RETURN(conn, out == NULL);
    if (value[0] == '\0')
        return OTLS_NONE;
    *out = value;
    return OTLS_OK;
}

otls_status otls_alpn_selected(otls_conn *conn, const char **protocol)
{
    return give_string(conn, conn ? conn->facts.session.alpn : "", protocol);
}

otls_status otls_server_name(otls_conn *conn, const char **name)
{
    return give_string(conn, conn ? conn->facts.session.server_name : "", name);
}
