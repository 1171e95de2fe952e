/* The OpenSSL backend's private state and the functions its files share.
 * Every non-static name here starts with oti_openssl_. */
#ifndef OTLS_BACKEND_OPENSSL_H
#define OTLS_BACKEND_OPENSSL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "omnitls/provider.h"

/* A server's ALPN list (wire format), shared by the context and the
 * connections made while it was the context's: a connection selects from
 * the list it started with, with no copy of its own (per-connection
 * memory), and a context change never frees a list a handshake in another
 * thread reads. */
struct oti_openssl_alpn {
    atomic_int refs;
    size_t len;
    unsigned char wire[];
};

/* Context state: the core allocates it zeroed (ctx_size bytes). */
struct oti_openssl_ctx {
    SSL_CTX *ssl_ctx; /* the current generation (openssl_ctx.c) */
    atomic_int used;  /* a connection was made from ssl_ctx: a change makes
                       * a new one rather than change it under the SSL */
    otls_role role;
    otls_verify verify;            /* from the last configure */
    int check_hostname;            /* from the last configure */
    struct oti_openssl_alpn *alpn; /* server: the ALPN list; NULL: off
                                    * (a client's is in the SSL_CTX) */
    char *default_ciphers;         /* OpenSSL's TLS 1.2 list as the context began */
    char *default_suites13;        /* OpenSSL's TLS 1.3 list as the context began */
    int default_server_pref;       /* SSL_OP_CIPHER_SERVER_PREFERENCE at start */
    int groups_changed;            /* groups were set: NULL restores the default */
    /* This side's certificate, applied to each SSL in conn_prepare, so that a
     * second ctx_set_own_chain replaces the first whatever its key type
     * (SSL_CTX keeps one slot per key type and cannot clear them). */
    X509 *leaf;
    EVP_PKEY *key;
    STACK_OF(X509) * chain; /* intermediates */
};

/* Connection state: the core allocates it zeroed (conn_size bytes). */
struct oti_openssl_conn {
    SSL *ssl;
    /* The context's settings as of conn_prepare that OpenSSL does not copy
     * into the SSL. */
    struct oti_openssl_alpn *alpn; /* server: a reference; NULL: no ALPN */
    otls_verify verify;
    int check_hostname;
    otls_send_fn send;
    otls_recv_fn recv;
    void *io_user;
    char *hostname; /* client: the name checked, for messages */
    int io_eof;     /* recv returned 0 */
    int io_failed;  /* recv or send returned OTLS_IO_ERROR */
};

/* What an SSL_* call was doing, for error mapping. */
enum oti_openssl_op {
    OTI_OPENSSL_HANDSHAKE,
    OTI_OPENSSL_READ,
    OTI_OPENSSL_WRITE,
    OTI_OPENSSL_SHUTDOWN
};

/* openssl_ctx.c */
otls_status oti_openssl_ctx_init(void *ctx, otls_role role, otls_error *e);
void oti_openssl_ctx_free(void *ctx);
otls_status oti_openssl_ctx_configure(void *ctx, const struct otls_ctx_config *cfg, otls_error *e);

/* openssl_groups.c */
otls_status oti_openssl_groups_apply(struct oti_openssl_ctx *c, const struct otls_ctx_config *cfg,
                                     otls_error *e);
void oti_openssl_sessions_apply(struct oti_openssl_ctx *c, uint32_t sessions);

/* openssl_suites.c */
otls_status oti_openssl_suites_save_defaults(struct oti_openssl_ctx *c, otls_error *e);
/* Sets both suite lists; *has_tls13 tells whether any TLS 1.3 suite is on. */
otls_status oti_openssl_suites_apply(struct oti_openssl_ctx *c, const struct otls_ctx_config *cfg,
                                     int *has_tls13, otls_error *e);

/* openssl_certs.c */
otls_status oti_openssl_ctx_add_ca(void *ctx, const uint8_t *der, size_t len, otls_error *e);
otls_status oti_openssl_ctx_set_own_chain(void *ctx, const otls_der *chain, size_t count,
                                          const uint8_t *key, size_t key_len, otls_error *e);
void oti_openssl_own_chain_clear(struct oti_openssl_ctx *c);
int oti_openssl_own_chain_use(const struct oti_openssl_ctx *c, SSL *ssl);

/* openssl_bio.c */
BIO *oti_openssl_bio_new(struct oti_openssl_conn *conn);

/* openssl_ctx.c: drops a reference to a server's ALPN list (NULL-safe). */
void oti_openssl_alpn_unref(struct oti_openssl_alpn *alpn);
struct oti_openssl_alpn *oti_openssl_alpn_ref(struct oti_openssl_alpn *alpn);

/* openssl_conn.c */
otls_status oti_openssl_conn_prepare(void *conn, void *ctx, otls_error *e);
otls_status oti_openssl_conn_init(void *conn, void *ctx, const struct otls_conn_params *p,
                                  otls_error *e);
void oti_openssl_conn_free(void *conn);
otls_status oti_openssl_handshake(void *conn, otls_error *e);
otls_status oti_openssl_read(void *conn, void *buf, size_t len, size_t *got, otls_error *e);
otls_status oti_openssl_write(void *conn, const void *buf, size_t len, size_t *put, otls_error *e);
otls_status oti_openssl_shutdown(void *conn, otls_error *e);

/* openssl_errors.c: both drain the thread's error queue. queue_error sets
 * "<fmt>: <OpenSSL's reason>", or just <fmt> when the queue is empty. */
otls_status oti_openssl_queue_error(otls_error *e, otls_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
otls_status oti_openssl_io_error(struct oti_openssl_conn *c, int ret, enum oti_openssl_op op,
                                 otls_error *e);

/* openssl_facts.c */
otls_status oti_openssl_peer_chain(void *conn, struct otls_der_sink *sink);
otls_status oti_openssl_verified_chain(void *conn, struct otls_der_sink *sink);
otls_status oti_openssl_session(void *conn, struct otls_session_facts *out);
otls_status oti_openssl_enabled_suites(void *conn, uint16_t *out, size_t cap, size_t *count);
otls_status oti_openssl_finished(void *conn, int own, uint8_t *buf, size_t cap, size_t *len);
otls_status oti_openssl_export(void *conn, const char *label, const uint8_t *context,
                               size_t context_len, uint8_t *out, size_t out_len, otls_error *e);

/* openssl_provider.c */
extern const struct otls_provider otls_provider_openssl;

#endif
