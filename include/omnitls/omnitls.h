/* omnitls: one TLS API over OpenSSL, mbedTLS and wolfSSL.
 *
 * The public API. Conventions, for every function below unless it says
 * otherwise:
 *
 *  - Functions return an otls_status. OTLS_OK (0) is success; OTLS_NONE (1) is
 *    success with "nothing to report" (no peer certificate, no ALPN, ...);
 *    OTLS_WANT_READ/OTLS_WANT_WRITE ask the caller to retry when the transport
 *    is ready; negative values are errors.
 *  - After an error, otls_ctx_error()/otls_conn_error() return a message that
 *    says why, including the TLS library's own reason where there is one.
 *  - Memory returned through a `const` pointer is owned by the object it came
 *    from and stays valid until that object is freed. Nothing returned needs
 *    to be freed by the caller unless the function says so.
 *  - The library never prints, never aborts and never exits.
 *  - A context may be shared by connections in several threads once it is
 *    configured; one connection must be used by one thread at a time.
 */
#ifndef OMNITLS_H
#define OMNITLS_H

#include <stddef.h>
#include <stdint.h>

/* OTLS_VERSION_MAJOR/MINOR/PATCH/STRING/NUMBER, generated from the build's
 * project version. */
#include <omnitls/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(OTLS_BUILDING_LIBRARY) && defined(__GNUC__)
#define OTLS_API __attribute__((visibility("default")))
#else
#define OTLS_API
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */

typedef enum otls_status {
    OTLS_OK = 0,         /* success */
    OTLS_NONE = 1,       /* success; there is nothing to report */
    OTLS_WANT_READ = 2,  /* retry when the transport is readable */
    OTLS_WANT_WRITE = 3, /* retry when the transport is writable */
    OTLS_CLOSED = 4,     /* the peer closed the TLS session (close_notify) */

    OTLS_ERR_INVALID_ARGUMENT = -1,   /* NULL or out-of-range argument */
    OTLS_ERR_NO_MEMORY = -2,          /* an allocation failed */
    OTLS_ERR_UNSUPPORTED = -3,        /* this backend/version cannot do it */
    OTLS_ERR_HANDSHAKE_NOT_DONE = -4, /* introspection before the handshake */
    OTLS_ERR_NOT_FOUND = -5,          /* unknown backend name */
    OTLS_ERR_IO = -6,                 /* the transport failed or hit EOF */
    OTLS_ERR_TLS = -7,                /* protocol failure (alert, bad data) */
    OTLS_ERR_VERIFY = -8,             /* peer certificate verification failed */
    OTLS_ERR_BUFFER_TOO_SMALL = -9,   /* *len now holds the size needed */
    OTLS_ERR_FILE = -10,              /* a file could not be read */
    OTLS_ERR_PARSE = -11,             /* malformed PEM/DER/key input */
    OTLS_ERR_STATE = -12,             /* call not valid in this state */
    OTLS_ERR_INTERNAL = -13           /* a backend failed unexpectedly */
} otls_status;

/* Returns a constant name for a status ("OTLS_ERR_VERIFY"), never NULL. */
OTLS_API const char *otls_status_name(otls_status status);

/* Detailed error for calls that have no object to hold it (otls_ctx_new). */
typedef struct otls_error {
    otls_status code;
    char message[256];
} otls_error;

/* ------------------------------------------------------------------------ */
/* Library, backends, allocator                                             */

/* Returns the omnitls version string, e.g. "0.1.0". */
OTLS_API const char *otls_version(void);

/* Feature flags a backend declares (otls_backend_info.features). */
#define OTLS_FEAT_TLS12 (1u << 0)          /* speaks TLS 1.2 */
#define OTLS_FEAT_TLS13 (1u << 1)          /* speaks TLS 1.3 */
#define OTLS_FEAT_VERIFIED_CHAIN (1u << 2) /* otls_verified_chain() */
#define OTLS_FEAT_TLS_UNIQUE (1u << 3)     /* "tls-unique" channel binding */
#define OTLS_FEAT_EXPORTER (1u << 4)       /* "tls-exporter" channel binding */
#define OTLS_FEAT_ALPN (1u << 5)           /* otls_ctx_set_alpn() */
#define OTLS_FEAT_SNI (1u << 6)            /* sends and reports SNI */
#define OTLS_FEAT_RESUMPTION (1u << 7)     /* client session resumption */

typedef struct otls_backend_info {
    const char *name;            /* "openssl", "mbedtls", "wolfssl" */
    const char *library_version; /* the TLS library's own version string */
    uint32_t features;           /* OTLS_FEAT_* bits */
    int is_default;              /* 1 for the backend NULL selects */
    const char *plugin_path;     /* the module it was loaded from; NULL if built in */
} otls_backend_info;

/* Lists the available backends: those built into the library, then the
 * plugin modules (omnitls-<name>.so) found in $OMNITLS_PLUGIN_PATH
 * (colon-separated directories) and the library's plugin directory; the
 * first module of a name wins. *list points to a library-owned array of
 * *count entries, valid for the life of the process. Fails only on NULL
 * arguments. */
OTLS_API otls_status otls_backends(const otls_backend_info **list, size_t *count);

/* Why plugin modules that were found could not be loaded, as
 * "path: reason; ..." (missing library, wrong provider ABI, no entry point),
 * or "" when none failed. Library-owned, valid for the life of the
 * process. */
OTLS_API const char *otls_backend_load_errors(void);

/* Name of the backend otls_ctx_new(NULL, ...) selects: the OMNITLS_BACKEND
 * environment variable if set, else the build's default. */
OTLS_API const char *otls_default_backend(void);

/* Replaces the allocator omnitls itself uses (not the TLS library's). Call it
 * before creating any object. realloc_fn may be NULL (omnitls does not need
 * it). Returns OTLS_ERR_INVALID_ARGUMENT when malloc_fn or free_fn is NULL,
 * OTLS_ERR_STATE once objects exist. */
OTLS_API otls_status otls_set_allocator(void *(*malloc_fn)(size_t size, void *user),
                                        void *(*realloc_fn)(void *ptr, size_t size, void *user),
                                        void (*free_fn)(void *ptr, void *user), void *user);

/* ------------------------------------------------------------------------ */
/* Contexts: the configuration shared by connections. Each connection keeps
 * its context's configuration as of otls_conn_new (see there).             */

typedef struct otls_ctx otls_ctx;
typedef struct otls_conn otls_conn;

typedef enum otls_role { OTLS_CLIENT = 0, OTLS_SERVER = 1 } otls_role;

/* Python's CERT_NONE / CERT_OPTIONAL / CERT_REQUIRED. On a client OPTIONAL
 * behaves as REQUIRED (as in Python); on a server it asks for a client
 * certificate and verifies it when one is sent. */
typedef enum otls_verify {
    OTLS_VERIFY_NONE = 0,
    OTLS_VERIFY_OPTIONAL = 1,
    OTLS_VERIFY_REQUIRED = 2
} otls_verify;

/* Protocol versions, as on the wire. 0 means "the backend's default". */
typedef enum otls_tls_version {
    OTLS_TLS_DEFAULT = 0,
    OTLS_TLS1_2 = 0x0303,
    OTLS_TLS1_3 = 0x0304
} otls_tls_version;

/* Creates a context for one role on one backend. backend is a name from
 * otls_backends() or NULL for otls_default_backend(). Defaults: clients verify
 * the server (OTLS_VERIFY_REQUIRED, hostname check on), servers do not ask for
 * client certificates (OTLS_VERIFY_NONE); TLS 1.2 and 1.3.
 * Returns NULL on failure and fills *err when err is not NULL
 * (OTLS_ERR_NOT_FOUND for an unknown backend). Free with otls_ctx_free(). */
OTLS_API otls_ctx *otls_ctx_new(const char *backend, otls_role role, otls_error *err);

/* Frees a context. Connections made from it must be freed first. NULL is a
 * no-op. */
OTLS_API void otls_ctx_free(otls_ctx *ctx);

/* The message for the last error on ctx ("" if none). Owned by ctx, valid
 * until the next call on ctx. */
OTLS_API const char *otls_ctx_error(const otls_ctx *ctx);

/* The backend name this context runs on. */
OTLS_API const char *otls_ctx_backend(const otls_ctx *ctx);

/* Adds trust anchors from a file of one or more PEM certificates or one DER
 * certificate (OTLS_ERR_FILE, OTLS_ERR_PARSE). */
OTLS_API otls_status otls_ctx_load_ca_file(otls_ctx *ctx, const char *path);

/* Adds every certificate found in the files of a directory, as
 * otls_ctx_load_ca_file does; files that hold no certificate are skipped.
 * OTLS_ERR_PARSE when the directory holds no certificate at all. */
OTLS_API otls_status otls_ctx_load_ca_dir(otls_ctx *ctx, const char *path);

/* Adds trust anchors from memory: PEM (one or more certificates) or DER. */
OTLS_API otls_status otls_ctx_load_ca_mem(otls_ctx *ctx, const void *data, size_t len);

/* Sets this side's certificate chain (leaf first, then intermediates) and
 * private key, for connections made from now on (otls_conn_new: live ones
 * keep the chain they started with, and a server's tls-server-end-point is
 * of the leaf it sent). key_path may be NULL when the key is in cert_path. Keys may be
 * PEM (PKCS#8, PKCS#1 RSA, SEC1 EC) or DER; encrypted keys give
 * OTLS_ERR_UNSUPPORTED. OTLS_ERR_PARSE also when the key does not match the
 * leaf certificate. */
OTLS_API otls_status otls_ctx_load_cert_chain_file(otls_ctx *ctx, const char *cert_path,
                                                   const char *key_path);

/* As otls_ctx_load_cert_chain_file, from memory (PEM or DER each). key may be
 * NULL when cert holds a PEM key as well. */
OTLS_API otls_status otls_ctx_load_cert_chain_mem(otls_ctx *ctx, const void *cert, size_t cert_len,
                                                  const void *key, size_t key_len);

/* Sets the verify mode (see otls_verify). */
OTLS_API otls_status otls_ctx_set_verify(otls_ctx *ctx, otls_verify mode);

/* Client only: turns the check of the server's name against its certificate
 * on (default) or off. OTLS_ERR_STATE on a server context. */
OTLS_API otls_status otls_ctx_set_check_hostname(otls_ctx *ctx, int on);

/* Limits the protocol versions (OTLS_TLS_DEFAULT leaves an end open).
 * OTLS_ERR_UNSUPPORTED when the backend cannot speak a requested version;
 * OTLS_ERR_INVALID_ARGUMENT when min > max or a version is not 1.2/1.3. */
OTLS_API otls_status otls_ctx_set_versions(otls_ctx *ctx, otls_tls_version min,
                                           otls_tls_version max);

/* Sets the cipher suites, in preference order: a colon-separated list of
 * suite names, OpenSSL-style ("ECDHE-RSA-AES128-GCM-SHA256",
 * "TLS_AES_128_GCM_SHA256") or IANA ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").
 * The same list means the same suites on every backend. OTLS_ERR_PARSE names
 * the first unknown suite; OTLS_ERR_UNSUPPORTED when the backend supports
 * none of them. Suites the backend lacks are dropped silently, like
 * OpenSSL's cipher strings. NULL restores the default. */
OTLS_API otls_status otls_ctx_set_ciphers(otls_ctx *ctx, const char *list);

/* Sets the ALPN protocols, in preference order (client: offered; server:
 * accepted), for connections made from now on: a live connection keeps the
 * list of its context at otls_conn_new. Each name is 1..255 bytes. count 0
 * turns ALPN off. */
OTLS_API otls_status otls_ctx_set_alpn(otls_ctx *ctx, const char *const *protocols, size_t count);

/* Sets the key-exchange groups, in preference order: a colon-separated list
 * of "P-256", "P-384", "P-521", "X25519", "X448" (OpenSSL's "prime256v1",
 * "secp256r1", "secp384r1", "secp521r1", "x25519", "x448" too). Client:
 * offered; server: accepted. A handshake with no group in common fails,
 * and a client refuses a server that picks a group it did not offer
 * (OTLS_ERR_TLS, naming the group; not every stack checks this itself). A
 * wolfSSL server limits TLS 1.3 groups only (UNSUPPORTED unless min is 1.3).
 * OTLS_ERR_INVALID_ARGUMENT names the first unknown group;
 * OTLS_ERR_UNSUPPORTED names one the backend cannot do. NULL restores the
 * backend's default. */
OTLS_API otls_status otls_ctx_set_groups(otls_ctx *ctx, const char *list);

/* Session resumption (otls_ctx_set_sessions). */
#define OTLS_SESSION_TICKETS (1u << 0) /* server: issues tickets; client: asks (TLS 1.2) */
#define OTLS_SESSION_CACHE (1u << 1)   /* server: keeps sessions to resume by id */
#define OTLS_SESSIONS_OFF 0u           /* every handshake is a full one */
#define OTLS_SESSIONS_DEFAULT (OTLS_SESSION_TICKETS | OTLS_SESSION_CACHE)

/* Chooses how a server lets clients resume (OTLS_SESSION_* flags;
 * OTLS_SESSIONS_DEFAULT, both, is the default). With both off no session
 * resumes, whatever the client offers. On a client only OTLS_SESSION_TICKETS
 * matters: without it the client asks for no TLS 1.2 tickets (a session id
 * can still resume). OTLS_ERR_INVALID_ARGUMENT for unknown flags. */
OTLS_API otls_status otls_ctx_set_sessions(otls_ctx *ctx, uint32_t flags);

/* Channel-binding options (otls_ctx_set_flags). */
/* Return tls-unique on TLS 1.3 (as Python does), though RFC 9266 leaves it
 * undefined there; off by default, when it is refused. */
#define OTLS_FLAG_TLS13_UNIQUE (1u << 0)

/* Sets OTLS_FLAG_* options (replaces the previous set). */
OTLS_API otls_status otls_ctx_set_flags(otls_ctx *ctx, uint32_t flags);

/* ------------------------------------------------------------------------ */
/* Connections                                                              */

/* Transport callbacks. Return the number of bytes moved (> 0),
 * OTLS_IO_WOULD_BLOCK when nothing can be moved now, OTLS_IO_ERROR on
 * failure; recv returns 0 at end of stream. */
#define OTLS_IO_ERROR (-1)
#define OTLS_IO_WOULD_BLOCK (-2)
typedef long (*otls_send_fn)(void *user, const void *buf, size_t len);
typedef long (*otls_recv_fn)(void *user, void *buf, size_t len);

/* Creates a connection from a context. The connection keeps the context's
 * configuration as it is now, on every backend: a later change of the
 * context (versions, ciphers, groups, ALPN, verify mode, hostname check,
 * flags, tickets, its own certificate chain and key) reaches only
 * connections made after it, whether this one's handshake has started or
 * not; a server connection sends the chain of its context as of this call,
 * and its tls-server-end-point is of that certificate. Shared rather than
 * kept: trust anchors (otls_ctx_load_ca_*) added later are trusted by live
 * connections too. A server's session cache is its context's, except that
 * on OpenSSL a change of a context that made connections starts an empty
 * one (sessions made before resume by ticket, not by session id).
 * Changing a context while another thread calls otls_conn_new on it is not
 * supported. Returns NULL on failure (out of memory); the reason is then in
 * otls_ctx_error(ctx). The context must outlive the connection. Free with
 * otls_conn_free(). */
OTLS_API otls_conn *otls_conn_new(otls_ctx *ctx);

/* Frees a connection (does not send close_notify; see otls_shutdown). NULL is
 * a no-op. Does not close a file descriptor given to otls_conn_set_fd. */
OTLS_API void otls_conn_free(otls_conn *conn);

/* The message for the last error on conn ("" if none). Owned by conn, valid
 * until the next call on conn: read it after the call that failed (the
 * message's buffer is allocated on a connection's first error, so a
 * pointer taken before then is not the one that gets the message). */
OTLS_API const char *otls_conn_error(const otls_conn *conn);

/* Uses a connected socket as transport; it may be non-blocking. Set the
 * transport before the handshake. */
OTLS_API otls_status otls_conn_set_fd(otls_conn *conn, int fd);

/* Uses a pair of callbacks as transport (event loops, embedded stacks). */
OTLS_API otls_status otls_conn_set_io(otls_conn *conn, otls_send_fn send_fn, otls_recv_fn recv_fn,
                                      void *user);

/* Client: the server name to send as SNI (not for IP addresses) and to check
 * the certificate against (DNS name or IP address). Copied. */
OTLS_API otls_status otls_conn_set_hostname(otls_conn *conn, const char *name);

/* Runs the handshake. OTLS_OK when done; OTLS_WANT_READ/WRITE on a
 * non-blocking transport; OTLS_ERR_VERIFY, OTLS_ERR_TLS, OTLS_ERR_IO on
 * failure (then the connection can only be freed). */
OTLS_API otls_status otls_handshake(otls_conn *conn);

/* Reads up to len bytes into buf; *got is set to the count. Runs the
 * handshake first if needed. OTLS_CLOSED when the peer sent close_notify. */
OTLS_API otls_status otls_read(otls_conn *conn, void *buf, size_t len, size_t *got);

/* Writes up to len bytes; *put is set to the count written (all of it on
 * a blocking transport). Runs the handshake first if needed. */
OTLS_API otls_status otls_write(otls_conn *conn, const void *buf, size_t len, size_t *put);

/* Sends close_notify. OTLS_OK once sent; WANT_* to retry. */
OTLS_API otls_status otls_shutdown(otls_conn *conn);

/* Session resumption (client). A session taken from one connection can be
 * given to a later connection of a context on the same backend, before its
 * handshake. */
typedef struct otls_session otls_session;

/* Takes the connection's resumable session. *session is then the caller's
 * to free with otls_session_free(). OTLS_NONE with *session = NULL when
 * there is none yet: TLS 1.3 servers send tickets after the handshake, so
 * take it after the first read. OTLS_ERR_UNSUPPORTED when the backend cannot
 * resume (no OTLS_FEAT_RESUMPTION). */
OTLS_API otls_status otls_conn_get_session(otls_conn *conn, otls_session **session);

/* Offers a session to resume. The connection keeps its own reference, so the
 * caller may free session afterwards. OTLS_ERR_INVALID_ARGUMENT when the
 * session comes from another backend; OTLS_ERR_STATE after the handshake has
 * started or on a server. */
OTLS_API otls_status otls_conn_set_session(otls_conn *conn, const otls_session *session);

/* Frees a session. NULL is a no-op. */
OTLS_API void otls_session_free(otls_session *session);

/* ------------------------------------------------------------------------ */
/* Introspection: valid once otls_handshake() returned OTLS_OK, and until the
 * connection is freed (otls_shutdown does not end it); before that, and
 * after a failed handshake, every call here returns
 * OTLS_ERR_HANDSHAKE_NOT_DONE. Facts are taken once at the end of the
 * handshake, so these calls are cheap and allocate nothing.               */

/* One DER-encoded certificate, owned by the connection. */
typedef struct otls_der {
    const uint8_t *data;
    size_t len;
} otls_der;

/* The peer's certificate, DER (Python's getpeercert(True)). OTLS_NONE with
 * *der = NULL, *len = 0 when the peer sent none (always so for a server that
 * did not ask for one). */
OTLS_API otls_status otls_peer_cert_der(otls_conn *conn, const uint8_t **der, size_t *len);

/* The chain the peer sent, leaf first, on client and server alike (Python's
 * get_unverified_chain()). OTLS_NONE with *count = 0 when the peer sent no
 * certificate. */
OTLS_API otls_status otls_unverified_chain(otls_conn *conn, const otls_der **certs, size_t *count);

/* The chain as verified, leaf ... trust anchor (Python's
 * get_verified_chain()). When the context did not verify (OTLS_VERIFY_NONE)
 * this is the chain as sent: nothing was verified. OTLS_NONE when the peer
 * sent no certificate. */
OTLS_API otls_status otls_verified_chain(otls_conn *conn, const otls_der **certs, size_t *count);

/* A cipher suite as Python's cipher() reports it, plus its IANA identity. */
typedef struct otls_cipher_info {
    const char *name;      /* OpenSSL-style name: cipher()[0] */
    const char *protocol;  /* version that introduced it: cipher()[1] */
    int secret_bits;       /* cipher()[2] */
    uint16_t iana_id;      /* e.g. 0xC02B */
    const char *iana_name; /* e.g. "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" */
} otls_cipher_info;

/* The negotiated cipher suite. */
OTLS_API otls_status otls_cipher(otls_conn *conn, otls_cipher_info *info);

/* The negotiated protocol version as Python names it: "TLSv1.2", "TLSv1.3". */
OTLS_API otls_status otls_protocol(otls_conn *conn, const char **version);

/* Server: the suites both ends enable, in the server's preference order
 * (Python's shared_ciphers()). *list is an array of *count entries owned by
 * the connection. Client: OTLS_NONE (Python returns None). */
OTLS_API otls_status otls_shared_ciphers(otls_conn *conn, const otls_cipher_info **list,
                                         size_t *count);

/* The compression method; *name = NULL and OTLS_NONE: no stack in use
 * compresses (Python's compression() returns None). */
OTLS_API otls_status otls_compression(otls_conn *conn, const char **name);

/* The negotiated ALPN protocol, NUL-terminated; OTLS_NONE when none. */
OTLS_API otls_status otls_alpn_selected(otls_conn *conn, const char **protocol);

/* Server: the SNI name the client sent; client: the name it sent.
 * OTLS_NONE when there was none. */
OTLS_API otls_status otls_server_name(otls_conn *conn, const char **name);

/* Longest channel binding omnitls returns, in bytes. */
#define OTLS_CHANNEL_BINDING_MAX 64

/* Copies the channel binding of the given type into buf (capacity *len) and
 * sets *len to its length. Types:
 *  - "tls-unique" (RFC 5929): the first Finished of the latest handshake.
 *    Refused on TLS 1.3 (RFC 9266) unless OTLS_FLAG_TLS13_UNIQUE is set.
 *  - "tls-server-end-point" (RFC 5929 4.1): hash of the server certificate
 *    the connection saw (a server: the leaf it sent, its context's as of
 *    otls_conn_new) (MD5/SHA-1 upgraded to SHA-256); refused for
 *    Ed25519/Ed448 and unknown signature algorithms.
 *  - "tls-exporter" (RFC 9266): 32 bytes of exporter output with the label
 *    "EXPORTER-Channel-Binding" and an empty context; on TLS 1.2 only with
 *    the extended master secret.
 * Unknown types and refusals give OTLS_ERR_UNSUPPORTED with the reason in
 * otls_conn_error(). OTLS_ERR_BUFFER_TOO_SMALL sets *len to the size
 * needed. */
OTLS_API otls_status otls_channel_binding(otls_conn *conn, const char *type, uint8_t *buf,
                                          size_t *len);

/* Sets *reused to 1 when the handshake resumed a session, else 0 (Python's
 * session_reused). */
OTLS_API otls_status otls_session_reused(otls_conn *conn, int *reused);

/* The connection's role, for reports. */
OTLS_API otls_role otls_conn_role(const otls_conn *conn);
/* The connection's backend name, for reports. */
OTLS_API const char *otls_conn_backend(const otls_conn *conn);

#ifdef __cplusplus
}
#endif

#endif /* OMNITLS_H */
