/* Client session resumption: a backend's session object behind a
 * reference count, so a connection can hold on to the session it was given
 * until its handshake starts, whatever the caller frees. */
#include <stdatomic.h>

#include "internal.h"

struct otls_session {
    const struct otls_provider *prov;
    void *handle; /* the backend's session */
    atomic_int refs;
};

static void session_release(otls_session *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
        s->prov->session_free(s->handle);
        oti_free(s);
        oti_objects_add(-1);
    }
}

void otls_session_free(otls_session *session)
{
    session_release(session);
}

otls_status otls_conn_get_session(otls_conn *conn, otls_session **session)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (session == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: session == NULL");
    *session = NULL;
    const struct otls_provider *prov = conn->ctx->prov;
    if (!(prov->features & OTLS_FEAT_RESUMPTION) || !prov->session_get)
        return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED, "backend %s cannot resume sessions",
                             prov->name);
    if (oti_conn_ready(conn) != OTLS_OK)
        return OTLS_ERR_HANDSHAKE_NOT_DONE;
    void *handle = prov->session_get(conn->state);
    if (handle == NULL)
        return OTLS_NONE;
    otls_session *s = oti_calloc(1, sizeof *s);
    if (s == NULL) {
        prov->session_free(handle);
        return oti_conn_fail(conn, OTLS_ERR_NO_MEMORY, "out of memory");
    }
    s->prov = prov;
    s->handle = handle;
    atomic_init(&s->refs, 1);
    oti_objects_add(1);
    *session = s;
    return OTLS_OK;
}

otls_status otls_conn_set_session(otls_conn *conn, const otls_session *session)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (session == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: session == NULL");
    if (session->prov != conn->ctx->prov)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT,
                             "the session comes from backend %s, the connection runs on %s",
                             session->prov->name, conn->ctx->prov->name);
    if (conn->ctx->cfg.role != OTLS_CLIENT || conn->started)
        return oti_conn_fail(conn, OTLS_ERR_STATE,
                             "a session can only be offered by a client before its handshake");
    /* The count is the only mutable part of a shared session. */
    otls_session *s = (otls_session *)session;
    atomic_fetch_add(&s->refs, 1);
    session_release(conn->session);
    conn->session = s;
    return OTLS_OK;
}

void *oti_session_handle(const otls_session *session)
{
    return session ? session->handle : NULL;
}

void oti_session_release(otls_session *session)
{
    session_release(session);
}

otls_status otls_session_reused(otls_conn *conn, int *reused)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (reused == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: reused == NULL");
    *reused = 0;
    if (oti_conn_ready(conn) != OTLS_OK)
        return OTLS_ERR_HANDSHAKE_NOT_DONE;
    *reused = conn->facts.session.resumed != 0;
    return OTLS_OK;
}
