/* Channel bindings: one rule per type, here in the core, so every backend
 * gives the same bytes. Backends only hand over Finished messages, exporter
 * output and hashes. */
#include <string.h>

#include "internal.h"
#include "server_end_point.h"

static otls_status copy_out(otls_conn *conn, const uint8_t *data, size_t n, uint8_t *buf,
                            size_t *len)
{
    if (*len < n) {
        size_t cap = *len;
        *len = n;
        return oti_conn_fail(conn, OTLS_ERR_BUFFER_TOO_SMALL,
                             "the buffer holds %zu bytes; the binding needs %zu", cap, n);
    }
    memcpy(buf, data, n);
    *len = n;
    return OTLS_OK;
}

/* RFC 5929 3.1: the first Finished of the latest handshake, which is the
 * client's on a full handshake and the server's on a resumption. */
static otls_status tls_unique(otls_conn *conn, uint8_t *buf, size_t *len)
{
    const struct oti_facts *f = &conn->facts;
    const struct otls_provider *prov = conn->ctx->prov;
    if (!(prov->features & OTLS_FEAT_TLS_UNIQUE) || prov->finished == NULL)
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED, "backend %s cannot give tls-unique",
                             conn->ctx->prov->name);
    if (f->session.version >= OTLS_TLS1_3 && !(conn->flags & OTLS_FLAG_TLS13_UNIQUE))
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED,
                             "tls-unique is undefined for TLS 1.3 (RFC 9266); use tls-exporter, "
                             "or set OTLS_FLAG_TLS13_UNIQUE for Python's value");
    bool client = conn->ctx->cfg.role == OTLS_CLIENT;
    bool own = (f->session.resumed != 0) != client;
    /* Asked from the backend, which keeps both for the connection's life,
     * rather than kept here too. */
    uint8_t fin[64];
    size_t n = 0;
    if (prov->finished(conn->state, own, fin, sizeof fin, &n) < 0 || n == 0)
        return oti_conn_fail(conn, OTLS_ERR_INTERNAL, "%s gave no Finished message", prov->name);
    return copy_out(conn, fin, n, buf, len);
}

/* The bindings kept after their first request, allocated then. */
static struct oti_bindings *kept(otls_conn *conn)
{
    if (conn->facts.kept == NULL)
        conn->facts.kept = oti_calloc(1, sizeof *conn->facts.kept);
    return conn->facts.kept;
}

/* RFC 9266: the exporter with an empty (present, zero-length) context. */
static otls_status tls_exporter(otls_conn *conn, uint8_t *buf, size_t *len)
{
    static const uint8_t empty_context[1];
    const struct otls_provider *prov = conn->ctx->prov;
    uint8_t out[32];
    if (prov->export_keying_material == NULL || !(prov->features & OTLS_FEAT_EXPORTER))
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED, "backend %s has no TLS exporter",
                             prov->name);
    if (conn->facts.session.version == OTLS_TLS1_2 && !conn->facts.session.extended_master_secret)
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED,
                             "tls-exporter needs the extended master secret on TLS 1.2 "
                             "(RFC 9266 section 2), which this session did not negotiate");
    struct oti_bindings *f = kept(conn);
    if (f == NULL)
        return oti_conn_fail(conn, OTLS_ERR_NO_MEMORY, "out of memory");
    if (!f->exporter_known) {
        otls_error e = {0};
        otls_status st = prov->export_keying_material(conn->state, "EXPORTER-Channel-Binding",
                                                      empty_context, 0, out, sizeof out, &e);
        if (st < 0)
            return oti_conn_fail(conn, st, "%s: %s", prov->name, e.message);
        memcpy(f->exporter, out, sizeof out);
        f->exporter_known = true;
    }
    return copy_out(conn, f->exporter, sizeof f->exporter, buf, len);
}

/* RFC 5929 4.1: hash of the server's certificate. A server hashes the
 * leaf it sent: its context's as of otls_conn_new, which the backend sent
 * too (conn_prepare), not the context's current one. */
static otls_status tls_server_end_point(otls_conn *conn, uint8_t *buf, size_t *len)
{
    const struct otls_provider *prov = conn->ctx->prov;
    const otls_der *cert =
        conn->own != NULL && conn->own->list.count ? &conn->own->list.items[0] : NULL;
    if (conn->ctx->cfg.role == OTLS_CLIENT) {
        otls_status st = oti_facts_leaf(conn, &cert);
        if (st < 0)
            return st;
    }
    if (cert == NULL || cert->data == NULL)
        return oti_conn_fail(conn, OTLS_ERR_STATE, "there is no server certificate");
    struct oti_bindings *f = kept(conn);
    if (f == NULL)
        return oti_conn_fail(conn, OTLS_ERR_NO_MEMORY, "out of memory");
    if (f->end_point_len > 0)
        return copy_out(conn, f->end_point, f->end_point_len, buf, len);
    if (prov->digest == NULL)
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED, "backend %s cannot hash", prov->name);
    int hash = 0;
    char why[OTI_CONN_ERROR_SIZE];
    otls_status st = oti_server_end_point_hash(cert->data, cert->len, &hash, why, sizeof why);
    if (st < 0)
        return oti_conn_fail(conn, st, "%s", why);
    uint8_t out[64];
    size_t n = hash == OTLS_HASH_SHA224   ? 28
               : hash == OTLS_HASH_SHA256 ? 32
               : hash == OTLS_HASH_SHA384 ? 48
                                          : 64;
    st = prov->digest((enum otls_hash)hash, cert->data, cert->len, out);
    if (st < 0)
        return oti_conn_fail(conn, st, "%s: hashing the certificate failed", prov->name);
    memcpy(f->end_point, out, n);
    f->end_point_len = n;
    return copy_out(conn, out, n, buf, len);
}

otls_status otls_channel_binding(otls_conn *conn, const char *type, uint8_t *buf, size_t *len)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (type == NULL || buf == NULL || len == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT,
                             "invalid argument: type == NULL || buf == NULL || len == NULL");
    if (oti_conn_ready(conn) != OTLS_OK)
        return OTLS_ERR_HANDSHAKE_NOT_DONE;
    if (strcmp(type, "tls-unique") == 0)
        return tls_unique(conn, buf, len);
    if (strcmp(type, "tls-exporter") == 0)
        return tls_exporter(conn, buf, len);
    if (strcmp(type, "tls-server-end-point") == 0)
        return tls_server_end_point(conn, buf, len);
    return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED,
                         "unknown channel binding type '%.64s' (known: tls-unique, "
                         "tls-server-end-point, tls-exporter)",
                         type);
}
