/* Connections: lifecycle, transport, handshake and data. */
#include <string.h>

#include "internal.h"

otls_conn *otls_conn_new(otls_ctx *ctx)
{
    if (ctx == NULL)
        return NULL;
    otls_conn *conn = oti_calloc(1, sizeof *conn);
    void *state = conn ? oti_calloc(1, ctx->prov->conn_size) : NULL;
    if (state == NULL) {
        oti_free(conn);
        oti_ctx_fail(ctx, OTLS_ERR_NO_MEMORY, "out of memory");
        return NULL;
    }
    conn->ctx = ctx;
    conn->state = state;
    conn->fd = -1;
    oti_objects_add(1);
    /* The connection keeps its context's configuration as of now: the
     * backend takes its settings, the core what it reads itself (the chain
     * a server sends, a client's groups, the verify mode, the flags). */
    const struct otls_ctx_config *cfg = &ctx->cfg;
    conn->verify = (uint8_t)cfg->verify;
    conn->check_name =
        cfg->role == OTLS_CLIENT && cfg->check_hostname && cfg->verify != OTLS_VERIFY_NONE;
    conn->flags = (uint8_t)ctx->flags; /* every OTLS_FLAG_* fits (internal.h) */
    if (cfg->role == OTLS_SERVER)
        conn->own = oti_own_chain_ref(ctx->own);
    if (cfg->role == OTLS_CLIENT && cfg->group_count > 0) {
        /* Only with groups set (rare): a few bytes, for the check of the
         * server's choice (offered_group). */
        conn->groups = oti_calloc(cfg->group_count + 1, sizeof *conn->groups);
        if (conn->groups == NULL) {
            oti_ctx_fail(ctx, OTLS_ERR_NO_MEMORY, "out of memory");
            otls_conn_free(conn);
            return NULL;
        }
        conn->groups[0] = (uint16_t)cfg->group_count;
        memcpy(conn->groups + 1, cfg->groups, cfg->group_count * sizeof *conn->groups);
    }
    if (ctx->prov->conn_prepare != NULL) {
        otls_error e = {0};
        otls_status st = ctx->prov->conn_prepare(state, ctx->state, &e);
        if (st < 0) {
            oti_ctx_fail(ctx, st, "%s: %s", ctx->prov->name, e.message);
            otls_conn_free(conn);
            return NULL;
        }
    }
    return conn;
}

void otls_conn_free(otls_conn *conn)
{
    if (conn == NULL)
        return;
    conn->ctx->prov->conn_free(conn->state);
    oti_free(conn->state);
    oti_own_chain_unref(conn->own);
    oti_free(conn->groups);
    oti_free(conn->hostname);
    oti_session_release(conn->session);
    if (conn->tap)
        oti_hello_tap_free(conn->tap);
    oti_free(conn->tap);
    oti_facts_free(&conn->facts);
    oti_free(conn->fatal_error);
    oti_free(conn->error);
    oti_free(conn);
    oti_objects_add(-1);
}

const char *otls_conn_error(const otls_conn *conn)
{
    if (conn == NULL)
        return "no connection";
    if (conn->error == NULL)
        return conn->error_oom ? "out of memory (the error's message could not be kept)" : "";
    return conn->error;
}

otls_status oti_conn_fail(otls_conn *conn, otls_status code, const char *fmt, ...)
{
    /* Allocated once and kept: otls_conn_error's pointer stays valid until
     * the next call on conn, as documented. */
    if (conn->error == NULL) {
        conn->error = oti_malloc(OTI_CONN_ERROR_SIZE);
        if (conn->error == NULL) {
            conn->error_oom = true;
            return code;
        }
    }
    va_list ap;
    va_start(ap, fmt);
    oti_vsnprintf(conn->error, OTI_CONN_ERROR_SIZE, fmt, ap);
    va_end(ap);
    return code;
}

otls_role otls_conn_role(const otls_conn *conn)
{
    return conn ? conn->ctx->cfg.role : OTLS_CLIENT;
}

const char *otls_conn_backend(const otls_conn *conn)
{
    return conn ? conn->ctx->prov->name : NULL;
}

static otls_status check_unstarted(otls_conn *conn)
{
    if (conn->started)
        return oti_conn_fail(conn, OTLS_ERR_STATE, "the handshake has already started");
    return OTLS_OK;
}

#if OTI_WITH_FD_TRANSPORT
otls_status otls_conn_set_fd(otls_conn *conn, int fd)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (fd < 0)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: fd < 0");
    otls_status st = check_unstarted(conn);
    if (st < 0)
        return st;
    conn->fd = fd;
    conn->send = oti_fd_send;
    conn->recv = oti_fd_recv;
    conn->io_user = &conn->fd;
    return OTLS_OK;
}
#endif

otls_status otls_conn_set_io(otls_conn *conn, otls_send_fn send_fn, otls_recv_fn recv_fn,
                             void *user)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (send_fn == NULL || recv_fn == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT,
                             "invalid argument: send_fn == NULL || recv_fn == NULL");
    otls_status st = check_unstarted(conn);
    if (st < 0)
        return st;
    conn->send = send_fn;
    conn->recv = recv_fn;
    conn->io_user = user;
    return OTLS_OK;
}

otls_status otls_conn_set_hostname(otls_conn *conn, const char *name)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (name == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT, "invalid argument: name == NULL");
    otls_status st = check_unstarted(conn);
    if (st < 0)
        return st;
    size_t len = strlen(name);
    if (len == 0 || len > 253 || (name[0] == '.' && len == 1))
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT,
                             "hostname must be 1 to 253 characters");
    char *copy = oti_strdup(name);
    if (copy == NULL)
        return oti_conn_fail(conn, OTLS_ERR_NO_MEMORY, "out of memory");
    oti_free(conn->hostname);
    conn->hostname = copy;
    return OTLS_OK;
}

/* The backend's transport: the user's callbacks, relayed so that a server
 * can watch the ClientHello go by and learn the client's suites, which not
 * every backend can report. */
static long relay_send(void *user, const void *buf, size_t len)
{
    otls_conn *conn = user;
    return conn->send(conn->io_user, buf, len);
}

/* A client whose groups were set refuses a server that picks another one
 * (in its ServerHello or HelloRetryRequest). Stacks do not all check this
 * themselves: an mbedTLS 3.6 client accepts a group it never offered. */
static int offered_group(const otls_conn *conn, uint16_t group)
{
    if (conn->groups == NULL || group == 0)
        return 1;
    for (size_t i = 1; i <= conn->groups[0]; i++)
        if (conn->groups[i] == group)
            return 1;
    return 0;
}

static long relay_recv(void *user, void *buf, size_t len)
{
    otls_conn *conn = user;
    if (conn->unoffered_group)
        return OTLS_IO_ERROR;
    long n = conn->recv(conn->io_user, buf, len);
    struct oti_hello_tap *tap = conn->tap;
    if (n > 0 && tap != NULL && !tap->finished) {
        if (oti_hello_tap_feed(tap, buf, (size_t)n) != 0)
            tap->finished = 1; /* out of memory: the hello's facts stay unknown */
        else if (conn->hello.complete && !offered_group(conn, tap->key_share_group)) {
            conn->unoffered_group = tap->key_share_group;
            return OTLS_IO_ERROR;
        }
    }
    return n;
}

static otls_status start(otls_conn *conn)
{
    const struct otls_ctx_config *cfg = &conn->ctx->cfg;
    if (conn->send == NULL)
        return oti_conn_fail(conn, OTLS_ERR_STATE,
                             "no transport: call otls_conn_set_fd or otls_conn_set_io first");
    if (conn->check_name && conn->hostname == NULL)
        return oti_conn_fail(conn, OTLS_ERR_STATE,
                             "hostname checking is on but no hostname was set "
                             "(otls_conn_set_hostname)");
    struct otls_conn_params p = {
        .send = relay_send,
        .recv = relay_recv,
        .io_user = conn,
        .hostname = cfg->role == OTLS_CLIENT ? conn->hostname : NULL,
        .hostname_is_ip = conn->hostname && oti_is_ip_literal(conn->hostname),
        .session = oti_session_handle(conn->session),
        .peer_hello = &conn->hello,
    };
    conn->tap = oti_calloc(1, sizeof *conn->tap);
    if (conn->tap == NULL)
        return oti_conn_fail(conn, OTLS_ERR_NO_MEMORY, "out of memory");
    conn->tap->type = cfg->role == OTLS_SERVER ? 1 : 2; /* the peer's hello */
    conn->tap->hello = &conn->hello;
    otls_error e = {0};
    conn->started = true;
    otls_status st = conn->ctx->prov->conn_init(conn->state, conn->ctx->state, &p, &e);
    /* The backend keeps its own copy of the name; nothing here reads it
     * again (the name can no longer be set once started). */
    oti_free(conn->hostname);
    conn->hostname = NULL;
    if (st < 0)
        return oti_conn_fail(conn, st, "%s: %s", conn->ctx->prov->name, e.message);
    return OTLS_OK;
}

/* Records a backend failure; a failed handshake makes the connection
 * unusable, as in every TLS stack. */
static otls_status backend_result(otls_conn *conn, otls_status st, const otls_error *e)
{
    if (st < 0)
        oti_conn_fail(conn, st, "%s: %s", conn->ctx->prov->name, e->message);
    return st;
}

static const char *fatal_text(const otls_conn *conn)
{
    return conn->fatal_error ? conn->fatal_error : "out of memory keeping the error";
}

otls_status otls_handshake(otls_conn *conn)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (conn->done)
        return OTLS_OK;
    if (conn->fatal) /* the failure again, with its message */
        return oti_conn_fail(conn, (otls_status)conn->fatal, "%s", fatal_text(conn));
    otls_status st = conn->started ? OTLS_OK : start(conn);
    if (st >= 0) {
        otls_error e = {0};
        st = conn->ctx->prov->handshake(conn->state, &e);
        char what[128];
        /* Bytes that are no hello: one wording for every backend, with the
         * stack's own reason after it. */
        if (st == OTLS_ERR_TLS && conn->tap &&
            oti_hello_tap_not_hello(conn->tap, what, sizeof what)) {
            oti_conn_fail(conn, st, "%s: %s: %s", conn->ctx->prov->name, what, e.message);
        } else if (st < 0 && conn->unoffered_group) {
            const char *g = oti_group_name(conn->unoffered_group);
            st = OTLS_ERR_TLS;
            if (g)
                oti_conn_fail(conn, st,
                              "%s: the server chose key-exchange group %s, which this "
                              "client does not offer",
                              conn->ctx->prov->name, g);
            else
                oti_conn_fail(conn, st,
                              "%s: the server chose key-exchange group 0x%04x, which "
                              "this client does not offer",
                              conn->ctx->prov->name, (unsigned)conn->unoffered_group);
        } else
            backend_result(conn, st, &e);
    }
    if (st == OTLS_OK) {
        st = oti_facts_take(conn);
        conn->done = st == OTLS_OK;
    }
    if (st < 0) {
        conn->fatal = (int8_t)st;
        /* Kept apart (conn->error changes with later calls), sized to the
         * message: most connections never fail. */
        const char *why = otls_conn_error(conn);
        size_t len = strlen(why) + 1;
        oti_free(conn->fatal_error);
        conn->fatal_error = oti_malloc(len);
        if (conn->fatal_error)
            memcpy(conn->fatal_error, why, len);
    }
    return st;
}

otls_status otls_read(otls_conn *conn, void *buf, size_t len, size_t *got)
{
    if (got)
        *got = 0;
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (buf == NULL || got == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT,
                             "invalid argument: buf == NULL || got == NULL");
    otls_status st = otls_handshake(conn);
    if (st != OTLS_OK)
        return st;
    if (len == 0)
        return OTLS_OK;
    otls_error e = {0};
    return backend_result(conn, conn->ctx->prov->read(conn->state, buf, len, got, &e), &e);
}

otls_status otls_write(otls_conn *conn, const void *buf, size_t len, size_t *put)
{
    if (put)
        *put = 0;
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if ((buf == NULL && len > 0) || put == NULL)
        return oti_conn_fail(conn, OTLS_ERR_INVALID_ARGUMENT,
                             "invalid argument: (buf == NULL && len > 0) || put == NULL");
    otls_status st = otls_handshake(conn);
    if (st != OTLS_OK)
        return st;
    if (len == 0)
        return OTLS_OK;
    otls_error e = {0};
    return backend_result(conn, conn->ctx->prov->write(conn->state, buf, len, put, &e), &e);
}

otls_status oti_conn_ready(otls_conn *conn)
{
    if (conn->fatal)
        return oti_conn_fail(conn, OTLS_ERR_HANDSHAKE_NOT_DONE,
                             "the handshake has not completed: it failed (%s)", fatal_text(conn));
    if (!conn->done)
        return oti_conn_fail(conn, OTLS_ERR_HANDSHAKE_NOT_DONE, "the handshake has not completed");
    return OTLS_OK;
}

otls_status otls_shutdown(otls_conn *conn)
{
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (!conn->done)
        return oti_conn_fail(conn, OTLS_ERR_HANDSHAKE_NOT_DONE,
                             "shutdown before the handshake completed");
    otls_error e = {0};
    return backend_result(conn, conn->ctx->prov->shutdown(conn->state, &e), &e);
}
