/* The mbedTLS backend's private state and the functions its files share.
 * Every non-static name here starts with oti_mbedtls_. */
#ifndef OTLS_BACKEND_MBEDTLS_H
#define OTLS_BACKEND_MBEDTLS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mbedtls_compat.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#if defined(MBEDTLS_THREADING_C)
#include <mbedtls/threading.h>
#endif
#include <mbedtls/x509_crt.h>

#include "omnitls/provider.h"

/* provider.h's otls_error_setf is static inline and variadic, so every
 * file that calls it carried its own copy (40 bytes each on Cortex-M4):
 * the backend's calls go to one copy in mbedtls_errors.c instead. */
otls_status oti_mbedtls_error_setf(otls_error *e, otls_status code, const char *fmt, ...);
#define otls_error_setf oti_mbedtls_error_setf

/* TLS 1.3 server tickets whose client chain a context keeps
 * (mbedtls_tickets.c); 0 where tickets carry it (2.28). */
#if OTI_MBEDTLS_HAVE_TLS13 && defined(MBEDTLS_SSL_SESSION_TICKETS) &&                              \
    defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
#define OTI_MBEDTLS_TICKET_CHAINS 32
#else
#define OTI_MBEDTLS_TICKET_CHAINS 0
#endif

struct oti_mbedtls_ticket_chain {
    unsigned char key[32];   /* SHA-256 of the ticket */
    mbedtls_x509_crt *chain; /* NULL: free slot */
};

/* The backend's own allocations. Linked into the library (the core defines
 * OTI_BUILTIN_BACKEND), they go through the core's allocator, the one
 * otls_set_allocator replaces; built as a plugin, which links only mbedTLS,
 * through mbedTLS's (mbedtls_platform_set_calloc_free when the mbedTLS build
 * has MBEDTLS_PLATFORM_MEMORY). */
#if defined(OTI_BUILTIN_BACKEND) && OTI_BUILTIN_BACKEND
void *oti_calloc(size_t count, size_t size);
void oti_free(void *ptr);
#define oti_mbedtls_calloc oti_calloc
#define oti_mbedtls_free oti_free
#else
#define oti_mbedtls_calloc mbedtls_calloc
#define oti_mbedtls_free mbedtls_free
#endif

/* Longest chain the verify callback records: mbedTLS's own limit (it
 * refuses longer chains before calling back), so nothing is cut. */
#define OTI_MBEDTLS_MAX_DEPTH MBEDTLS_X509_MAX_VERIFY_CHAIN_SIZE

/* This side's certificate chain and key, shared by the context and the
 * connections made while it was current, so that replacing it never pulls
 * it from under a live connection. */
struct oti_mbedtls_own {
    atomic_int refs;
    mbedtls_x509_crt chain; /* leaf first */
    mbedtls_pk_context key;
};

#define OTI_MBEDTLS_MAX_GROUPS 8

/* One mbedtls_ssl_config shared by the connections made from one
 * generation of a context's configuration (per-connection memory, issue 8:
 * 416 bytes each on x86-64). Built on the first connection after the
 * context changed; a change drops the context's reference, so live
 * connections keep the configuration they were made with. It owns copies
 * of the lists the mbedTLS configuration points to. */
struct oti_mbedtls_shared {
    atomic_int refs;
    int conf_ready;
    mbedtls_ssl_config conf;
    struct oti_mbedtls_own *own; /* a reference, or NULL */
    int *suites;                 /* zero-terminated IANA ids */
    int custom_suites;           /* the list came from the configuration */
    const char **alpn;           /* NULL-terminated; NULL: off */
    char *alpn_store;
#if OTI_MBEDTLS_V3
    uint16_t groups[OTI_MBEDTLS_MAX_GROUPS + 1];
#else
    mbedtls_ecp_group_id groups[OTI_MBEDTLS_MAX_GROUPS + 1];
#endif
};

/* Context state: the core allocates it zeroed (ctx_size bytes). */
struct oti_mbedtls_ctx {
    otls_role role;
    int ready; /* ctx_init ran: the objects below are initialised */
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg; /* thread-safe with MBEDTLS_THREADING_C */
    mbedtls_x509_crt ca;           /* trust anchors; starts empty */
    struct oti_mbedtls_own *own;   /* NULL until ctx_set_own_chain */
    /* Server resumption: tickets and a session-id cache, as OpenSSL has. */
    mbedtls_ssl_ticket_context ticket;
    mbedtls_ssl_cache_context cache;
    int ticket_ready, cache_ready;
#if OTI_MBEDTLS_TICKET_CHAINS
#if defined(MBEDTLS_THREADING_C)
    mbedtls_threading_mutex_t tlock; /* guards tchains and tnext */
#endif
    struct oti_mbedtls_ticket_chain tchains[OTI_MBEDTLS_TICKET_CHAINS];
    size_t tnext;
#endif
    /* From the last successful configure. */
    otls_verify verify;
    int check_hostname;
    unsigned min_version, max_version; /* wire numbers: 0x0303, 0x0304 */
    int *suites;                       /* zero-terminated IANA ids, preference order */
    size_t suite_count;
    int custom_suites;                           /* suites came from the configuration */
    const char **alpn;                           /* NULL-terminated; NULL: off */
    char *alpn_store;                            /* the names alpn points into */
    uint16_t groups[OTI_MBEDTLS_MAX_GROUPS + 1]; /* IANA ids, zero-terminated */
    size_t group_count;                          /* 0: mbedTLS's default */
    uint32_t sessions;                           /* OTLS_SESSION_* */
    /* The configuration connections share; NULL until the first
     * connection after a change (mbedtls_config.c). */
    _Atomic(struct oti_mbedtls_shared *) shared;
};

/* One direction's bytes, kept until the handshake is over. */
struct oti_mbedtls_tap {
    unsigned char *buf;
    size_t len, cap;
    int overflow; /* too big or out of memory: nothing usable */
};

/* A client's IP address to check, allocated only for IP literals. */
struct oti_mbedtls_ip {
    size_t len; /* 4 or 16 */
    uint8_t addr[16];
};

/* Connection state: the core allocates it zeroed (conn_size bytes). */
struct oti_mbedtls_conn;
/* An empty c->resume_chain, allocated when missing (a struct of ~600 bytes
 * that only resumed connections use): 0 or an mbedTLS error. */
int oti_mbedtls_resume_chain_reset(struct oti_mbedtls_conn *c);

struct oti_mbedtls_conn {
    struct oti_mbedtls_ctx *ctx;
    struct oti_mbedtls_shared *sh; /* a reference: the configuration */
    mbedtls_ssl_context ssl;
    /* Flags as single bits (per-connection RAM, issue 9: 17 ints were 68
     * bytes); every assignment is 0 or 1. */
    unsigned ssl_ready : 1;
    unsigned io_eof : 1;         /* recv returned 0 */
    unsigned io_failed : 1;      /* recv or send returned OTLS_IO_ERROR */
    unsigned io_blocked : 1;     /* the last recv or send would block */
    unsigned hello_applied : 1;  /* oti_mbedtls_hello_apply ran */
    unsigned hostname_is_ip : 1; /* client: hostname is an IP literal */
    unsigned check_name : 1;     /* client: the DNS name is checked (core rules) */
    unsigned check_ip : 1;       /* client: the IP address is checked (core rules) */
    unsigned full_handshake : 1; /* went through the server's Certificate state */
    unsigned ems : 1;            /* extended master secret, seen in the hellos */
    unsigned judge_optional : 1; /* server OPTIONAL: fail a bad certificate ourselves */
    unsigned judged : 1;
    unsigned vrun_done : 1;   /* depth 0 was seen: the next call starts a new run */
    unsigned vchain_oom : 1;  /* deeper than we keep: the chain is incomplete */
    unsigned vtop_self : 1;   /* the run's top certificate signed itself (judged when
                               * seen: after a failed handshake the nodes may be gone) */
    unsigned saw_chain : 1;   /* the callback ran: the peer sent certificates */
    unsigned vsig_bad : 1;    /* a certificate's signature does not verify under its
                               * issuer's key (mbedTLS says only: not trusted) */
    unsigned ip_mismatch : 1; /* the IP check failed */
    unsigned prepared : 1;    /* conn_prepare completed */
    unsigned check_host : 1;  /* client: check the name (the context's as of prepare) */
    /* A copy of sh->conf that this connection alone changes, made only
     * when needed (oti_mbedtls_conf_private); it borrows sh's pointers. */
    mbedtls_ssl_config *conf_private;
    int *suites_by_client; /* server, default list: client's order */
    /* Transport. */
    otls_send_fn send;
    otls_recv_fn recv;
    void *io_user;
    const struct otls_peer_hello *peer_hello; /* the core's reading of it */
    /* Names. */
    char *hostname;            /* client: the name checked, for messages */
    struct oti_mbedtls_ip *ip; /* client: the address checked; NULL: none */
    char *sni;                 /* server: the name the client sent (owned; NULL: none) */
    /* Handshake. */
    /* The chain the verify callback saw, by depth (leaf at 0). Borrowed,
     * not copied (per-connection memory, issue 8): every certificate mbedTLS
     * verifies is a node of the peer's chain, which the session keeps for
     * the connection's life (MBEDTLS_SSL_KEEP_PEER_CERTIFICATE), of the
     * resumed chain the connection keeps, or of the context's trust
     * anchors, which outlive the connection and are only appended to. A
     * failed verification frees the peer's chain (mbedTLS passes it to the
     * session only on success): then only the pointers' values are read. */
    const mbedtls_x509_crt *vchain[OTI_MBEDTLS_MAX_DEPTH];
    int vdepth; /* entries of the current run */
    /* Resumption: a client's chain the server sent in the original
     * handshake (mbedTLS keeps only the leaf in a session); a TLS 1.3
     * server's client chain (mbedtls_tickets.c). */
    mbedtls_x509_crt *resume_chain; /* owned; NULL until a session needs one */
    /* A write that returned WANT_* resumes after the bytes already taken. */
    size_t wr_done;
#if OTI_MBEDTLS_HAVE_FINISHED13
    /* TLS 1.3 Finished (mbedtls_finished13.c): [0] received, [1] sent. */
    struct oti_mbedtls_tap tap[2];
    int tap_done;                   /* the handshake is over: keep no more */
    unsigned char hs_secret[2][48]; /* [0] client, [1] server handshake traffic secret */
    size_t hs_secret_len[2];
    unsigned char fin13[2][48]; /* [0] own, [1] peer's verify_data */
    size_t fin13_len[2];
    int fin13_state; /* 0 not looked for yet, 1 found, -1 unknown */
#endif
};

/* A resumable client session: what mbedTLS keeps, plus the chain. */
struct oti_mbedtls_session {
    mbedtls_ssl_session s;
    mbedtls_x509_crt chain;
};

/* What a call was doing, for error mapping. */
enum oti_mbedtls_op {
    OTI_MBEDTLS_HANDSHAKE,
    OTI_MBEDTLS_READ,
    OTI_MBEDTLS_WRITE,
    OTI_MBEDTLS_SHUTDOWN
};

/* mbedtls_ctx.c */
otls_status oti_mbedtls_ctx_init(void *ctx, otls_role role, otls_error *e);
void oti_mbedtls_ctx_free(void *ctx);
otls_status oti_mbedtls_ctx_configure(void *ctx, const struct otls_ctx_config *cfg, otls_error *e);

/* mbedtls_finished13.c */
#if OTI_MBEDTLS_HAVE_FINISHED13
/* Keeps bytes received (sent = 0) or sent until the handshake is over. */
void oti_mbedtls_tap(struct oti_mbedtls_conn *c, int sent, const unsigned char *buf, size_t len);
void oti_mbedtls_tap_free(struct oti_mbedtls_conn *c);
/* The key-export callback: keeps the TLS 1.3 handshake traffic secrets. */
void oti_mbedtls_keys_cb(void *p, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                         size_t secret_len, const unsigned char client_random[32],
                         const unsigned char server_random[32], mbedtls_tls_prf_types prf);
/* Fills fin13 after a TLS 1.3 handshake; 0, or -1 when they are unknown. */
int oti_mbedtls_finished13(struct oti_mbedtls_conn *c);
#endif

/* mbedtls_tickets.c */
/* Server: the ticket callbacks of a configuration. */
void oti_mbedtls_tickets_conf(struct oti_mbedtls_ctx *x, mbedtls_ssl_config *conf);
/* Server: the connection needs its own configuration for the tickets'
 * callbacks (3.6's TLS 1.3 ticket chains), which then get c. */
int oti_mbedtls_tickets_private(const struct oti_mbedtls_ctx *x);
void oti_mbedtls_tickets_conn(struct oti_mbedtls_conn *c, mbedtls_ssl_config *conf);
void oti_mbedtls_tickets_free(struct oti_mbedtls_ctx *x);
#if OTI_MBEDTLS_TICKET_CHAINS
void oti_mbedtls_tlock_init(struct oti_mbedtls_ctx *x);
void oti_mbedtls_tlock_free(struct oti_mbedtls_ctx *x);
#endif

/* mbedtls_suites.c */
/* Builds the zero-terminated list for cfg (NULL suites: mbedTLS's default). */
/* *has_tls13: the list holds a TLS 1.3 suite. */
otls_status oti_mbedtls_suites_build(const struct otls_ctx_config *cfg, int **out, size_t *count,
                                     int *custom, int *has_tls13, otls_error *e);
int *oti_mbedtls_suites_copy(const int *list, size_t count);
/* The server's list reordered by the client's offer (client preference, as
 * OpenSSL does with its default list); NULL when nothing matches. */
int *oti_mbedtls_suites_by_client(const int *ours, size_t count, const uint16_t *offer,
                                  size_t offer_count);
otls_status oti_mbedtls_enabled_suites(void *conn, uint16_t *out, size_t cap, size_t *count);

/* mbedtls_certs.c */
otls_status oti_mbedtls_ctx_add_ca(void *ctx, const uint8_t *der, size_t len, otls_error *e);
otls_status oti_mbedtls_ctx_set_own_chain(void *ctx, const otls_der *chain, size_t count,
                                          const uint8_t *key, size_t key_len, otls_error *e);
struct oti_mbedtls_own *oti_mbedtls_own_ref(struct oti_mbedtls_own *own);
void oti_mbedtls_own_unref(struct oti_mbedtls_own *own);
/* Appends a copy of every certificate of src to dst; 0 or an mbedTLS
 * error. */
int oti_mbedtls_crt_copy(mbedtls_x509_crt *dst, const mbedtls_x509_crt *src);

/* mbedtls_verify.c */
int oti_mbedtls_verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags);
void oti_mbedtls_vchain_clear(struct oti_mbedtls_conn *c);
/* Verifies chain again (a resumed session) and records it. 0 when it
 * verifies. */
int oti_mbedtls_verify_again(struct oti_mbedtls_conn *c, mbedtls_x509_crt *chain);

/* mbedtls_conn.c */
otls_status oti_mbedtls_conn_prepare(void *conn, void *ctx, otls_error *e);
otls_status oti_mbedtls_conn_init(void *conn, void *ctx, const struct otls_conn_params *p,
                                  otls_error *e);
void oti_mbedtls_conn_free(void *conn);

/* mbedtls_io.c */
int oti_mbedtls_bio_send(void *p, const unsigned char *buf, size_t len);
int oti_mbedtls_bio_recv(void *p, unsigned char *buf, size_t len);
otls_status oti_mbedtls_handshake(void *conn, otls_error *e);
otls_status oti_mbedtls_read(void *conn, void *buf, size_t len, size_t *got, otls_error *e);
otls_status oti_mbedtls_write(void *conn, const void *buf, size_t len, size_t *put, otls_error *e);
otls_status oti_mbedtls_shutdown(void *conn, otls_error *e);

/* mbedtls_hello.c */
/* Acts on the peer's hello once the core has read it, before mbedTLS
 * parses it (called after each receive). */
void oti_mbedtls_hello_apply(struct oti_mbedtls_conn *c);

/* mbedtls_errors.c */
/* "<what>: <mbedTLS's text for ret>". */
otls_status oti_mbedtls_lib_error(otls_error *e, otls_status code, int ret, const char *what);
otls_status oti_mbedtls_io_error(struct oti_mbedtls_conn *c, int ret, enum oti_mbedtls_op op,
                                 otls_error *e);
/* Python's/OpenSSL's wording for verification flags. */
otls_status oti_mbedtls_verify_error(const struct oti_mbedtls_conn *c, uint32_t flags,
                                     otls_error *e);
/* The alert OpenSSL would send for these flags. */
unsigned char oti_mbedtls_verify_alert(uint32_t flags);

/* mbedtls_facts.c */
otls_status oti_mbedtls_peer_chain(void *conn, struct otls_der_sink *sink);
otls_status oti_mbedtls_verified_chain(void *conn, struct otls_der_sink *sink);
otls_status oti_mbedtls_session(void *conn, struct otls_session_facts *out);
otls_status oti_mbedtls_finished(void *conn, int own, uint8_t *buf, size_t cap, size_t *len);
otls_status oti_mbedtls_export(void *conn, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len, otls_error *e);
/* The peer's chain as sent: the session's, or the one kept for a resumed
 * client. NULL when there is none. */
const mbedtls_x509_crt *oti_mbedtls_peer_crt(const struct oti_mbedtls_conn *c);

/* mbedtls_provider.c */
extern const struct otls_provider otls_provider_mbedtls;

/* mbedtls_groups.c */
/* Checks cfg's groups and keeps them in c; on failure c is unchanged. */
otls_status oti_mbedtls_groups_build(struct oti_mbedtls_ctx *c, const struct otls_ctx_config *cfg,
                                     otls_error *e);
/* Gives a shared configuration the context's groups, if any. */
void oti_mbedtls_groups_conf(struct oti_mbedtls_shared *sh, const struct oti_mbedtls_ctx *x);

/* mbedtls_config.c */
/* A reference to the context's current shared configuration, built when
 * missing. */
otls_status oti_mbedtls_shared_get(struct oti_mbedtls_ctx *x, struct oti_mbedtls_shared **out,
                                   otls_error *e);
void oti_mbedtls_shared_unref(struct oti_mbedtls_shared *sh);
/* The context changed: the next connection builds a new configuration. */
void oti_mbedtls_shared_drop(struct oti_mbedtls_ctx *x);
/* The configuration this connection uses. */
const mbedtls_ssl_config *oti_mbedtls_conf(const struct oti_mbedtls_conn *c);
/* A copy of the shared configuration this connection alone may change
 * (made on first call; the connection's ssl uses it from then on); NULL
 * when out of memory. */
mbedtls_ssl_config *oti_mbedtls_conf_private(struct oti_mbedtls_conn *c);

#endif
