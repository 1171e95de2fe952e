/* The wolfSSL backend's private state and the functions its files share.
 * Every non-static name here starts with oti_wolfssl_. wolfSSL's headers
 * stay inside backends/wolfssl/: they define OpenSSL's names too and must
 * never meet OpenSSL's headers. */
#ifndef OTLS_BACKEND_WOLFSSL_H
#define OTLS_BACKEND_WOLFSSL_H

#include <stddef.h>
#include <stdint.h>

/* Must come first: it carries the configuration libwolfssl was built with. */
#include <wolfssl/options.h>

#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/types.h>

#include "omnitls/provider.h"

/* wolfSSL's allocator, for what the backend keeps (the core's allocator is
 * for the core's own memory). */
static inline void *oti_wolfssl_alloc(size_t n)
{
    return XMALLOC(n ? n : 1, NULL, DYNAMIC_TYPE_TMP_BUFFER);
}

static inline void oti_wolfssl_free(void *p)
{
    XFREE(p, NULL, DYNAMIC_TYPE_TMP_BUFFER);
}

/* Zeroes secrets in a way the compiler keeps. */
static inline void oti_wolfssl_zero(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n-- > 0)
        *v++ = 0;
}

/* Longest chain the verify callback records. */
#define OTI_WOLFSSL_MAX_DEPTH 16

/* Longest suite list the backend keeps (wolfSSL knows about 80). */
#define OTI_WOLFSSL_MAX_SUITES 128
#define OTI_WOLFSSL_MAX_GROUPS 16

/* A copied DER blob. */
struct oti_wolfssl_blob {
    uint8_t *data;
    size_t len;
};

/* Where a certificate's names and key ids are, inside its DER (data NULL:
 * absent). The names are whole TLVs, compared byte for byte. */
struct oti_wolfssl_anchor {
    struct oti_wolfssl_blob issuer, subject;
    struct oti_wolfssl_blob aki, ski; /* key identifiers */
};

/* A trust anchor as added: its DER and where its names are in it. */
struct oti_wolfssl_ca {
    struct oti_wolfssl_blob der;
    struct oti_wolfssl_anchor info;
};

/* A list of DER certificates, leaf first. */
struct oti_wolfssl_certs {
    struct oti_wolfssl_blob cert[OTI_WOLFSSL_MAX_DEPTH];
    int count;
    uint32_t kept; /* bit i: cert[i] is borrowed, not ours to free (the
                    * session's chain buffer, a context's anchor) */
};

/* Context state: the core allocates it zeroed (ctx_size bytes). The
 * WOLFSSL_CTX holds the trust anchors and this side's chain and key; a
 * chain change replaces it (wolfssl_ctx.c), so that it never reaches a
 * live connection without a copy of the chain per connection. The
 * settings below are applied to each WOLFSSL in conn_prepare. */
struct oti_wolfssl_ctx {
    WOLFSSL_CTX *ctx;
    otls_role role;
    /* Trust anchors as added, to name the anchor of a verified chain and
     * to load them into a new WOLFSSL_CTX. */
    struct oti_wolfssl_ca *cas;
    size_t ca_count, ca_cap;
    char sid[32]; /* server: the session id context */
    unsigned sid_len;
    /* From the last successful configure. */
    otls_verify verify;
    int check_hostname;
    int hooks;                               /* client: the name-check hooks are installed */
    int min_version, max_version;            /* WOLFSSL_TLSV1_2 / WOLFSSL_TLSV1_3 */
    uint16_t suites[OTI_WOLFSSL_MAX_SUITES]; /* IANA ids, preference order */
    size_t suite_count;
    int custom_suites; /* the list came from the configuration */
    uint8_t *alpn;     /* wire format; NULL: off */
    size_t alpn_len;
    uint16_t groups[OTI_WOLFSSL_MAX_GROUPS]; /* IANA ids; none: wolfSSL's default */
    size_t group_count;
    uint32_t sessions; /* OTLS_SESSION_* */
    int cache_off;     /* the session cache was turned off (for good) */
    int configured;
};

/* Connection state: the core allocates it zeroed (conn_size bytes). */
struct oti_wolfssl_conn {
    struct oti_wolfssl_ctx *ctx;
    WOLFSSL *ssl;
    /* Copies of the context's lists, taken in conn_prepare. */
    uint16_t *suites; /* suite_count entries (owned): sized to the list, not the cap */
    size_t suite_count;
    int custom_suites;
    uint8_t *alpn;
    size_t alpn_len;
    otls_verify verify;
    int check_host; /* client: check the name (the context's as of prepare) */
    int prepared;   /* conn_prepare completed */
    /* Transport. */
    otls_send_fn send;
    otls_recv_fn recv;
    void *io_user;
    int io_eof;                               /* recv returned 0 */
    int io_failed;                            /* recv or send returned OTLS_IO_ERROR */
    int io_blocked;                           /* the last recv or send would block */
    const struct otls_peer_hello *peer_hello; /* the core's reading of it */
    int hello_applied;
    /* Names (client). */
    char *hostname; /* the name given, for SNI and messages */
    int hostname_is_ip;
    int check_name; /* the DNS name is checked (by us) */
    int check_ip;   /* the IP address is checked (by us) */
    uint8_t ip[16];
    size_t ip_len;
    /* Handshake. */
    int ems;        /* extended master secret, seen in the peer's hello */
    int handshaken; /* the handshake completed */
    /* What the verify callback saw. */
    /* By depth, leaf at 0; allocated by the first run (a server that asks
     * for no client certificate never has one: issue 8, 264 bytes). */
    struct oti_wolfssl_certs *vchain;
    int vdepth;     /* entries of the current run */
    int vrun_done;  /* depth 0 was seen */
    int vchain_oom; /* a copy failed */
    int verify_ok;  /* the last run verified the chain */
    int verify_err; /* first X509_V_ERR_* seen, 0: none */
    int verify_err_depth;
    int name_mismatch; /* 1: DNS name, 2: IP address */
    int no_verify_cb;  /* client: no verify callback (wolfssl_verify.c) */
    int names_checked; /* the name check ran in this handshake */
    int leaf_cb_set;   /* the leaf's verify callback is set (wolfssl_hooks.c) */
    /* Client resumption: what the offered session recorded. */
    struct oti_wolfssl_session *offered;
    /* A write that returned WANT_* resumes after the bytes already taken. */
    size_t wr_done;
};

/* A client session as handed to the core: wolfSSL's, plus the verified
 * chain of the handshake that made it (a resumed handshake verifies
 * nothing, and wolfSSL 5.5 cannot rebuild a chain correctly). */
struct oti_wolfssl_session {
    WOLFSSL_SESSION *s;
    struct oti_wolfssl_certs vchain;
    int verified;
};

/* What a call was doing, for error mapping. */
enum oti_wolfssl_op {
    OTI_WOLFSSL_HANDSHAKE,
    OTI_WOLFSSL_READ,
    OTI_WOLFSSL_WRITE,
    OTI_WOLFSSL_SHUTDOWN
};

/* wolfssl_provider.c: wolfSSL_Init once per process (never undone: other
 * users of libwolfssl may share it). 0 on success. */
int oti_wolfssl_global_init(void);
/* The calling thread may build wolfSSL's per-thread ECC cache: have it
 * freed when the thread exits. */
void oti_wolfssl_thread_mark(void);

/* wolfssl_ctx.c */
otls_status oti_wolfssl_ctx_init(void *ctx, otls_role role, otls_error *e);
void oti_wolfssl_ctx_free(void *ctx);
/* A new WOLFSSL_CTX with the context's settings and trust anchors, and no
 * chain of its own. */
otls_status oti_wolfssl_wctx_new(struct oti_wolfssl_ctx *c, WOLFSSL_CTX **out, otls_error *e);
/* Makes w the context's WOLFSSL_CTX (for new connections); the old one
 * lives on while connections use it. */
void oti_wolfssl_wctx_replace(struct oti_wolfssl_ctx *c, WOLFSSL_CTX *w);
otls_status oti_wolfssl_ctx_configure(void *ctx, const struct otls_ctx_config *cfg, otls_error *e);

/* wolfssl_suites.c */
/* The list for cfg (NULL suites: the backend's default) in out, TLS 1.3
 * suites first as OpenSSL orders them; *has_tls13 tells whether any is. */
otls_status oti_wolfssl_suites_build(const struct otls_ctx_config *cfg, uint16_t *out,
                                     size_t *count, int *has_tls13, otls_error *e);
/* A TLS 1.3 suite (0x13xx, or an integrity-only one). */
int oti_wolfssl_suite_is_tls13(uint16_t id);
/* Installs a list on a connection; 0 on success. */
int oti_wolfssl_suites_use(WOLFSSL *ssl, const uint16_t *ids, size_t count);
/* Server, default list: the connection's list reordered by the client's
 * offer (client preference, as OpenSSL's default). */
void oti_wolfssl_suites_by_client(struct oti_wolfssl_conn *c, const uint16_t *offer, size_t count);
otls_status oti_wolfssl_enabled_suites(void *conn, uint16_t *out, size_t cap, size_t *count);

/* wolfssl_certs.c */
otls_status oti_wolfssl_ctx_add_ca(void *ctx, const uint8_t *der, size_t len, otls_error *e);
otls_status oti_wolfssl_ctx_set_own_chain(void *ctx, const otls_der *chain, size_t count,
                                          const uint8_t *key, size_t key_len, otls_error *e);
/* Loads a trust anchor into a WOLFSSL_CTX; wolfSSL's return code. */
int oti_wolfssl_ca_load(WOLFSSL_CTX *w, const uint8_t *der, size_t len);
void oti_wolfssl_certs_clear(struct oti_wolfssl_certs *l);
/* Copies src into dst (cleared first); 0, or -1 when out of memory. */
int oti_wolfssl_certs_copy(struct oti_wolfssl_certs *dst, const struct oti_wolfssl_certs *src);
/* Sets slot i of l to a copy of der; 0, or -1 when out of memory. */
int oti_wolfssl_certs_set(struct oti_wolfssl_certs *l, int i, const uint8_t *der, size_t len);
/* Points entry i at der, which the caller guarantees outlives the list
 * (per-connection memory, issue 8: no copy). */
void oti_wolfssl_certs_borrow(struct oti_wolfssl_certs *l, int i, const uint8_t *der, size_t len);

/* wolfssl_anchor.c */
/* Finds the names and key ids in a certificate; 0, or -1 when malformed. */
int oti_wolfssl_anchor_parse(const uint8_t *der, size_t len, struct oti_wolfssl_anchor *out);
/* The signature value of a certificate (the BIT STRING's bits); 0, or -1
 * when malformed. */
int oti_wolfssl_cert_signature(const uint8_t *der, size_t len, const uint8_t **sig,
                               size_t *sig_len);
/* The certificate names itself as its issuer. */
int oti_wolfssl_anchor_self_issued(const uint8_t *der, size_t len);
/* Extends a verified chain (vchain, vdepth) beyond its top with the
 * context's CAs that issued it, up to a self-issued one, as OpenSSL's
 * verified chain ends; sets vchain_oom when a copy fails. */
void oti_wolfssl_anchor_complete(struct oti_wolfssl_conn *c);

/* wolfssl_hooks.c: a verifying client without a verify callback. */
/* Checks the names once the peer's certificate is verified (the first
 * call that finds one); -1, with name_mismatch and verify_err set, when
 * they do not match. */
int oti_wolfssl_names_hook(struct oti_wolfssl_conn *c);
/* Installs the hooks on a client context (0 when this wolfSSL has none:
 * no HAVE_PK_CALLBACKS), and on a connection. */
int oti_wolfssl_hooks_ctx(WOLFSSL_CTX *ctx);
void oti_wolfssl_hooks_conn(struct oti_wolfssl_conn *c);

/* wolfssl_verify.c */
int oti_wolfssl_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store);
/* The top of the recorded chain signed itself. */
int oti_wolfssl_self_signed_top(const struct oti_wolfssl_conn *c);
/* Checks the leaf's names with the core's check (core/name_check.h):
 * 0 when they match, 1 for a DNS mismatch, 2 for an address mismatch, -1
 * when the certificate does not parse. */
int oti_wolfssl_check_names(const struct oti_wolfssl_conn *c, const uint8_t *der, size_t len);
/* Client without a verify callback, handshake done: the verified chain is
 * the peer's as sent plus the anchors. */
void oti_wolfssl_verified_done(struct oti_wolfssl_conn *c);
/* Client without a verify callback, handshake failed with err: notes what
 * the callback would have (the refusal, the chain) when the chain check
 * refused the certificate. */
void oti_wolfssl_verify_failed(struct oti_wolfssl_conn *c, int err);

/* wolfssl_conn.c */
otls_status oti_wolfssl_conn_prepare(void *conn, void *ctx, otls_error *e);
otls_status oti_wolfssl_conn_init(void *conn, void *ctx, const struct otls_conn_params *p,
                                  otls_error *e);
void oti_wolfssl_conn_free(void *conn);
/* Server ALPN: the first of our protocols the client offered. */
int oti_wolfssl_alpn_select(WOLFSSL *ssl, const unsigned char **out, unsigned char *outlen,
                            const unsigned char *in, unsigned int inlen, void *arg);

/* wolfssl_io.c */
int oti_wolfssl_bio_send(WOLFSSL *ssl, char *buf, int len, void *p);
int oti_wolfssl_bio_recv(WOLFSSL *ssl, char *buf, int len, void *p);
otls_status oti_wolfssl_handshake(void *conn, otls_error *e);
otls_status oti_wolfssl_read(void *conn, void *buf, size_t len, size_t *got, otls_error *e);
otls_status oti_wolfssl_write(void *conn, const void *buf, size_t len, size_t *put, otls_error *e);
otls_status oti_wolfssl_shutdown(void *conn, otls_error *e);

/* wolfssl_hello.c */
/* Acts on the peer's hello once the core has read it, before wolfSSL
 * parses it (called from the receive callback). */
void oti_wolfssl_hello_apply(struct oti_wolfssl_conn *c);

/* wolfssl_errors.c */
/* "<what>: <wolfSSL's text for ret>". */
otls_status oti_wolfssl_lib_error(otls_error *e, otls_status code, int ret, const char *what);
otls_status oti_wolfssl_io_error(struct oti_wolfssl_conn *c, int ret, enum oti_wolfssl_op op,
                                 otls_error *e);

/* wolfssl_facts.c */
otls_status oti_wolfssl_peer_chain(void *conn, struct otls_der_sink *sink);
otls_status oti_wolfssl_verified_chain(void *conn, struct otls_der_sink *sink);
otls_status oti_wolfssl_session(void *conn, struct otls_session_facts *out);
otls_status oti_wolfssl_finished(void *conn, int own, uint8_t *buf, size_t cap, size_t *len);
otls_status oti_wolfssl_export(void *conn, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len, otls_error *e);
/* The peer verified: this handshake's callback run, or the offered
 * session's record when resumed. */
int oti_wolfssl_peer_verified(const struct oti_wolfssl_conn *c);

/* wolfssl_provider.c */
extern const struct otls_provider otls_provider_wolfssl;

/* wolfssl_groups.c */
otls_status oti_wolfssl_groups_check(otls_role role, const struct otls_ctx_config *cfg,
                                     otls_error *e);
otls_status oti_wolfssl_sessions_check(struct oti_wolfssl_ctx *c, uint32_t sessions, otls_error *e);
void oti_wolfssl_sessions_ctx(struct oti_wolfssl_ctx *c, uint32_t sessions);
/* Installs the groups and ticket settings on a new WOLFSSL; -1 on failure. */
int oti_wolfssl_groups_use(const struct oti_wolfssl_ctx *x, WOLFSSL *ssl);

#endif
