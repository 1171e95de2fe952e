/* Key-exchange groups (otls_ctx_set_groups) and server session resumption
 * settings (otls_ctx_set_sessions): a group list is honoured by both ends
 * (overlapping lists connect, disjoint ones fail), bad lists are refused,
 * and with sessions off an offered session is not resumed. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define SET_OK(ctx, call)                                                                          \
    do {                                                                                           \
        otls_status st_ = (call);                                                                  \
        cr_assert(st_ == OTLS_OK, "%s: %s (%s)", #call, otls_status_name(st_),                     \
                  otls_ctx_error(ctx));                                                            \
    } while (0)

/* Rows: the client's and the server's lists, and whether they share one. */
static const struct {
    const char *client, *server;
    int shared;
} group_rows[] = {
    {"P-256", "P-256", 1},
    /* The client's first choice is not the server's: TLS 1.3 needs a
     * HelloRetryRequest (or the second key share) to agree on P-256. */
    {"X25519:P-256", "P-256", 1},
    {"P-384:P-256", "X25519:P-384", 1},
    {"X25519", "P-256", 0},
    {"P-256", "P-384:X25519", 0},
};
#define GROUP_ROWS ((int)(sizeof group_rows / sizeof group_rows[0]))

ParameterizedTestParameters(groups, negotiate)
{
    return th_cells(TH_DIM_CROSS | TH_DIM_VERSION, GROUP_ROWS);
}

ParameterizedTest(struct th_cell *cell, groups, negotiate)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    SET_OK(cctx, otls_ctx_set_groups(cctx, group_rows[cell->row].client));
    otls_status st = otls_ctx_set_groups(sctx, group_rows[cell->row].server);
    if (st == OTLS_ERR_UNSUPPORTED) {
        /* wolfSSL's server cannot limit TLS 1.2 groups: it says so. */
        char why[256];
        snprintf(why, sizeof why, "%s", otls_ctx_error(sctx));
        cr_assert(why[0], "UNSUPPORTED without a message");
        otls_ctx_free(cctx);
        otls_ctx_free(sctx);
        cr_skip_test("%s: %s", cell->server_backend, why);
    }
    SET_OK(sctx, st);
    struct th_pair *p = th_pair_connect(cctx, sctx, &o);
    const char *d = p->desc;
    if (group_rows[cell->row].shared) {
        th_pair_assert_ok(p);
        /* The connection works past the handshake. */
        size_t n = 0;
        uint8_t b = 0;
        cr_assert(otls_write(p->client, "g", 1, &n) == OTLS_OK &&
                      otls_read(p->server, &b, 1, &n) == OTLS_OK && b == 'g',
                  "%s: data after the handshake", d);
    } else {
        cr_assert(p->cst < 0 && p->sst < 0,
                  "%s: client %s / server %s: no shared group, yet the handshake gave %s / %s", d,
                  group_rows[cell->row].client, group_rows[cell->row].server,
                  otls_status_name(p->cst), otls_status_name(p->sst));
        cr_assert(p->cerr[0] && p->serr[0], "%s: a failure without a message: '%s' / '%s'", d,
                  p->cerr, p->serr);
        cr_log_info("%s: no shared group: client: %s; server: %s", d, p->cerr, p->serr);
    }
    th_pair_free(p);
}

ParameterizedTestParameters(groups, context_changed_after_connect)
{
    return th_cells(TH_DIM_CROSS | TH_DIM_VERSION, 0);
}

/* A client offers its context's groups as of otls_conn_new, and accepts
 * the server's choice among those, though its context has moved on to
 * other groups (the core's check of the server's choice, as every
 * backend's offer, keeps the list the connection started with). */
ParameterizedTest(struct th_cell *cell, groups, context_changed_after_connect)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.transport = TH_CALLBACKS;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    SET_OK(cctx, otls_ctx_set_groups(cctx, "P-256"));
    struct th_pair *p = th_pair_connect_only(cctx, sctx, &o);
    SET_OK(cctx, otls_ctx_set_groups(cctx, "X25519"));
    th_pair_drive(p);
    th_pair_assert_ok(p);
    th_pair_free(p); /* and the contexts */
}

ParameterizedTestParameters(groups, bad_lists)
{
    return th_cells(0, 0);
}

/* Unknown names and empty lists are refused with the name; a refused list
 * leaves the old one in force; NULL restores the default. */
ParameterizedTest(struct th_cell *cell, groups, bad_lists)
{
    otls_ctx *ctx = otls_ctx_new(cell->client_backend, OTLS_CLIENT, NULL);
    cr_assert(ctx != NULL);
    static const struct {
        const char *list, *words;
    } bad[] = {
        {"P-256:brainpoolP256r1", "unknown group 'brainpoolP256r1'"},
        {"p256", "unknown group 'p256'"},
        {"", "names no group"},
        {":::", "names no group"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        otls_status st = otls_ctx_set_groups(ctx, bad[i].list);
        cr_assert(st == OTLS_ERR_INVALID_ARGUMENT, "%s: set_groups('%s') gave %s",
                  cell->client_backend, bad[i].list, otls_status_name(st));
        cr_assert(strstr(otls_ctx_error(ctx), bad[i].words) != NULL,
                  "%s: set_groups('%s'): message '%s' lacks '%s'", cell->client_backend,
                  bad[i].list, otls_ctx_error(ctx), bad[i].words);
    }
    SET_OK(ctx, otls_ctx_set_groups(ctx, "P-256:P-256:secp384r1"));
    SET_OK(ctx, otls_ctx_set_groups(ctx, NULL));
    cr_assert(otls_ctx_set_groups(NULL, "P-256") == OTLS_ERR_INVALID_ARGUMENT);
    otls_ctx_free(ctx);

    /* A refused list keeps the old one: the client still offers only
     * X25519, and a P-256-only server refuses it. */
    struct th_opts o = th_opts_cell(cell);
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    SET_OK(cctx, otls_ctx_set_groups(cctx, "X25519"));
    cr_assert(otls_ctx_set_groups(cctx, "P-256:nope") == OTLS_ERR_INVALID_ARGUMENT);
    if (th_backend(cell->server_backend)->features & OTLS_FEAT_TLS13) {
        /* (wolfSSL's server limits only TLS 1.3 groups) */
        SET_OK(sctx, otls_ctx_set_versions(sctx, OTLS_TLS1_3, OTLS_TLS1_3));
        SET_OK(cctx, otls_ctx_set_versions(cctx, OTLS_TLS1_3, OTLS_TLS1_3));
    }
    SET_OK(sctx, otls_ctx_set_groups(sctx, "P-256"));
    struct th_pair *p = th_pair_connect(cctx, sctx, &o);
    cr_assert(p->cst < 0, "%s: a refused group list replaced the old one", p->desc);
    th_pair_free(p);
}

ParameterizedTestParameters(sessions, flags)
{
    return th_cells(0, 0);
}

ParameterizedTest(struct th_cell *cell, sessions, flags)
{
    otls_ctx *ctx = otls_ctx_new(cell->server_backend, OTLS_SERVER, NULL);
    cr_assert(ctx != NULL);
    otls_status st = otls_ctx_set_sessions(ctx, 0x10);
    cr_assert(st == OTLS_ERR_INVALID_ARGUMENT && strstr(otls_ctx_error(ctx), "0x10"),
              "%s: set_sessions(0x10): %s '%s'", cell->server_backend, otls_status_name(st),
              otls_ctx_error(ctx));
    SET_OK(ctx, otls_ctx_set_sessions(ctx, OTLS_SESSIONS_DEFAULT));
    SET_OK(ctx, otls_ctx_set_sessions(ctx, OTLS_SESSION_TICKETS));
    SET_OK(ctx, otls_ctx_set_sessions(ctx, OTLS_SESSIONS_OFF));
    cr_assert(otls_ctx_set_sessions(NULL, 0) == OTLS_ERR_INVALID_ARGUMENT);
    otls_ctx_free(ctx);
}

/* Rows: sessions of the client and the server, and whether an offered
 * session resumes. */
static const struct {
    uint32_t client, server;
    int resumes;
} session_rows[] = {
    {OTLS_SESSIONS_DEFAULT, OTLS_SESSIONS_DEFAULT, 1},
    {OTLS_SESSIONS_OFF, OTLS_SESSIONS_OFF, 0},
    {OTLS_SESSIONS_DEFAULT, OTLS_SESSIONS_OFF, 0},
};
#define SESSION_ROWS ((int)(sizeof session_rows / sizeof session_rows[0]))

ParameterizedTestParameters(sessions, resume)
{
    return th_cells(TH_DIM_VERSION, SESSION_ROWS);
}

ParameterizedTest(struct th_cell *cell, sessions, resume)
{
    th_require_cell(cell);
    th_require(cell->client_backend, OTLS_FEAT_RESUMPTION, "session resumption");
    struct th_opts o = th_opts_cell(cell);
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    SET_OK(cctx, otls_ctx_set_sessions(cctx, session_rows[cell->row].client));
    SET_OK(sctx, otls_ctx_set_sessions(sctx, session_rows[cell->row].server));

    struct th_pair *p = th_pair_connect(cctx, sctx, &o);
    p->keep_ctx = 1;
    th_pair_assert_ok(p);
    char d[sizeof p->desc]; /* outlives the first pair */
    memcpy(d, p->desc, sizeof d);
    /* Data first, so that TLS 1.3 tickets have arrived. */
    size_t n = 0;
    uint8_t b = 0;
    cr_assert(otls_write(p->server, "x", 1, &n) == OTLS_OK &&
                  otls_read(p->client, &b, 1, &n) == OTLS_OK && b == 'x',
              "%s: data", d);
    otls_session *sess = NULL;
    otls_status st = otls_conn_get_session(p->client, &sess);
    cr_assert(st == OTLS_OK || st == OTLS_NONE, "%s: get_session: %s (%s)", d, otls_status_name(st),
              otls_conn_error(p->client));
    cr_assert(otls_shutdown(p->client) == OTLS_OK, "%s: client shutdown", d);
    th_pair_free(p);
    if (session_rows[cell->row].resumes)
        cr_assert(st == OTLS_OK && sess != NULL, "%s: no session to offer", d);
    if (sess == NULL) {
        /* Nothing to offer (no TLS 1.3 ticket came): nothing can resume. */
        cr_log_info("%s: sessions off: no session to offer", d);
        otls_ctx_free(cctx);
        otls_ctx_free(sctx);
        return;
    }

    o.session = sess;
    p = th_pair_connect(cctx, sctx, &o);
    otls_session_free(sess);
    th_pair_assert_ok(p);
    memcpy(d, p->desc, sizeof d);
    int cr = -1, sr = -1;
    cr_assert(otls_session_reused(p->client, &cr) == OTLS_OK &&
              otls_session_reused(p->server, &sr) == OTLS_OK);
    cr_assert(cr == session_rows[cell->row].resumes && sr == cr,
              "%s: client sessions 0x%x, server 0x%x: client reused %d, server %d (expected %d)", d,
              (unsigned)session_rows[cell->row].client, (unsigned)session_rows[cell->row].server,
              cr, sr, session_rows[cell->row].resumes);
    p->keep_ctx = 0;
    th_pair_free(p);
}
