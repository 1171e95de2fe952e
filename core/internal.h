/* Core internals shared by the files of core/. Nothing here is public: the
 * library is built with hidden visibility and every name starts with oti_. */
#ifndef OTLS_CORE_INTERNAL_H
#define OTLS_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omnitls/omnitls.h"
#include "omnitls/provider.h"

/* The optional units (cmake/OmnitlsProfile.cmake); all in unless the build
 * says otherwise. */
#ifndef OTI_WITH_FD_TRANSPORT
#define OTI_WITH_FD_TRANSPORT 1
#endif
#ifndef OTI_WITH_FILES
#define OTI_WITH_FILES 1
#endif

#include "clienthello.h"
#include "der_list.h"

/* alloc.c: every allocation of the core goes through these. */
void *oti_malloc(size_t size);
void *oti_calloc(size_t count, size_t size);
void oti_free(void *ptr);
char *oti_strdup(const char *s);
void oti_objects_add(int delta); /* live-object count, for otls_set_allocator */

/* fmt.c: snprintf for the core, so the library needs no <stdio.h>. */
int oti_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;
int oti_snprintf(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* status.c: error recording. */
otls_status oti_set_error(char *buf, size_t size, otls_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
#define oti_ctx_fail(ctx, code, ...)                                                               \
    oti_set_error((ctx)->error, sizeof(ctx)->error, code, __VA_ARGS__)
/* conn.c: records a connection's error. The message buffer is allocated on
 * the first error and kept (most connections never fail: issue 8). */
otls_status oti_conn_fail(otls_conn *conn, otls_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
#define OTI_CONN_ERROR_SIZE 256

/* ctx.c: hands ctx->cfg to the backend; records its error on failure. */
otls_status oti_ctx_apply(otls_ctx *ctx);

/* registry.c */
const struct otls_provider *oti_provider_find(const char *name);
/* Why plugin modules that were found failed to load ("" if none did); and
 * why the one for a backend name did, or NULL. */
const char *oti_plugin_errors(void);
const char *oti_plugin_failure(const char *name);

struct otls_ctx {
    const struct otls_provider *prov;
    void *state;                /* prov->ctx_size bytes */
    struct otls_ctx_config cfg; /* points into the owned arrays below */
    uint16_t *suites;           /* owned copy of cfg.suites */
    uint8_t *alpn_wire;         /* owned copy of cfg.alpn_wire */
    uint16_t *groups;           /* owned copy of cfg.groups */
    uint32_t flags;             /* OTLS_FLAG_* */
    struct oti_own_chain *own;  /* this side's certificates; NULL: none */
    char error[256];
};

/* This side's chain as loaded, leaf first, shared by the context and the
 * server connections made while it was the context's (each keeps the one
 * it sends: tls-server-end-point). The count is atomic: a connection may
 * be freed in one thread while its context loads a new chain in another
 * (loading concurrently with otls_conn_new on the same context is not
 * supported, as for every context setting). */
struct oti_own_chain {
    atomic_int refs;
    struct oti_der_list list;
};
/* ctx_load.c: a new reference (NULL-safe), and its release. */
struct oti_own_chain *oti_own_chain_ref(struct oti_own_chain *own);
void oti_own_chain_unref(struct oti_own_chain *own);

/* The session facts kept: otls_session_facts without its two fixed 256-byte
 * buffers (per-connection memory, issue 8): the strings point into one
 * exact allocation, or at "" when both are empty. */
struct oti_session {
    uint16_t version, suite;
    int resumed, extended_master_secret, peer_verified;
    const char *alpn, *server_name;
    char *strings; /* owned; NULL when both are "" */
};

/* The chains, copied from the backend on the first request that needs them
 * (most connections never ask: issue 8), then kept, so the pointers given
 * out stay valid until the connection is freed. */
struct oti_chains {
    struct oti_der_list peer;     /* as sent; shares the facts' leaf copy */
    struct oti_der_list verified; /* shares peer's copies */
};

/* tls-server-end-point and tls-exporter never change for a connection:
 * kept after the first request, so later ones copy bytes rather than hash
 * or run the exporter again (bench/: < 1 us, no allocation). */
struct oti_bindings {
    uint8_t end_point[64], exporter[32];
    size_t end_point_len; /* 0: not computed yet */
    bool exporter_known;
};

/* What introspection answers. The session facts and the shared ciphers are
 * taken when the handshake ends; the rest (chains, Finished messages,
 * bindings) is asked from the backend when first requested, which gives
 * the same answers: the backend keeps them for the connection's life. */
struct oti_facts {
    struct oti_session session;
    otls_cipher_info *shared; /* server only */
    size_t shared_count;
    bool shared_known;         /* the ClientHello was parsed */
    otls_der leaf;             /* the peer certificate, what most
                                * ask for; data NULL until read or none */
    bool leaf_known;           /* leaf was read (it may be none) */
    bool leaf_owned;           /* a copy; else the backend's (add_kept) */
    struct oti_chains *chains; /* NULL until first asked */
    struct oti_bindings *kept; /* NULL until first asked */
};

struct otls_conn {
    otls_ctx *ctx;
    struct oti_own_chain *own; /* server: the context's chain at otls_conn_new
                                * (a reference, no copy); NULL: none */
    void *state;               /* prov->conn_size bytes */
    /* Small fields together, the flags as bits: omnitls's own state per
     * connection beyond mbedTLS's is held to 256 bytes on a Cortex-M4
     * (issue 9; cmake/embedded/conn_state_sizes.c). */
    bool started : 1;         /* prov->conn_init ran */
    bool done : 1;            /* handshake complete, facts taken */
    bool check_name : 1;      /* client: verifies the server's name (as of otls_conn_new) */
    bool error_oom : 1;       /* the error buffer's allocation failed: otls_conn_error says so */
    uint8_t verify;           /* otls_verify, as of otls_conn_new */
    uint8_t flags;            /* OTLS_FLAG_*, as of otls_conn_new */
    int8_t fatal;             /* otls_status: a failed handshake leaves the connection unusable */
    uint16_t unoffered_group; /* client: the server chose it; not in the configured list */
    char *fatal_error;        /* its message for later calls (owned; NULL: out of memory) */
    otls_send_fn send;
    otls_recv_fn recv;
    void *io_user;
    int fd; /* for the fd transport */
    char *hostname;
    otls_session *session;        /* client: offered for resumption */
    struct oti_hello_tap *tap;    /* watches the peer's hello go by; from the
                                   * start to the end of the handshake */
    struct otls_peer_hello hello; /* what it read (the backend points here) */
    uint16_t *groups;             /* client with groups set: a copy of them as of
                                   * otls_conn_new, [count, id, ...]; else NULL */
    struct oti_facts facts;
    char *error; /* OTI_CONN_ERROR_SIZE bytes from the first error on; NULL before */
};
/* conn->flags and conn->fatal are narrow. */
_Static_assert(OTLS_FLAG_TLS13_UNIQUE <= 0xff, "OTLS_FLAG_* must fit in otls_conn.flags");
_Static_assert(OTLS_ERR_INTERNAL >= -128, "otls_status must fit in otls_conn.fatal");

/* conn.c: OTLS_OK once the handshake is done, else
 * OTLS_ERR_HANDSHAKE_NOT_DONE with the message set (Python's ValueError). */
otls_status oti_conn_ready(otls_conn *conn);

/* conn_facts.c */
otls_status oti_facts_take(otls_conn *conn);
void oti_facts_free(struct oti_facts *facts);
/* Fills info from a suite table entry (cipher_suites.h). */
struct oti_suite;
void oti_fill_cipher(otls_cipher_info *info, const struct oti_suite *s);
/* The peer certificate ((*out)->data NULL: none) and the chains, read from
 * the backend on the first call that needs them (OTLS_OK, or an error with
 * the connection's message set). */
otls_status oti_facts_leaf(otls_conn *conn, const otls_der **out);
otls_status oti_facts_chains(otls_conn *conn, const struct oti_chains **out);

/* session.c */
void *oti_session_handle(const otls_session *session);
void oti_session_release(otls_session *session);

/* transport_fd.c: the only file that includes socket headers (OTI_WITH_FD_TRANSPORT). */
long oti_fd_send(void *user, const void *buf, size_t len);
long oti_fd_recv(void *user, void *buf, size_t len);

/* hostname.c */
bool oti_is_ip_literal(const char *name);

/* Protocol version text as Python prints it, or NULL. */
const char *oti_version_name(uint16_t version);

/* groups.c: the name of an IANA named-group id ("P-256"), or NULL. */
const char *oti_group_name(uint16_t id);

/* Colon-separated name lists ("a:b:c") of IANA ids: cipher suites, groups. */
struct oti_id_list_kind {
    int (*lookup)(const char *name, size_t len); /* the id, -1 unknown, OTI_ID_ABSENT */
    otls_status unknown_status;                  /* for an unknown name or an empty list */
    const char *what;                            /* "cipher suite", "group" */
    const char *empty;                           /* the message for a list that names none */
    int dedupe;                                  /* keep a name given twice once */
};

/* A lookup's answer for a name this build knows but left out (skipped). */
#define OTI_ID_ABSENT (-2)

/* Parses list into a new array (*out, oti_free) of *count ids. */
otls_status oti_parse_id_list(otls_ctx *ctx, const char *list, const struct oti_id_list_kind *kind,
                              uint16_t **out, size_t *count);

/* Sets one id list of ctx's configuration (NULL list: the default) and
 * applies it; on failure the old list stays in force. *owned keeps the
 * array cfg points at. */
otls_status oti_ctx_set_id_list(otls_ctx *ctx, const char *list,
                                const struct oti_id_list_kind *kind, const uint16_t **cfg_ids,
                                size_t *cfg_count, uint16_t **owned);

#endif
