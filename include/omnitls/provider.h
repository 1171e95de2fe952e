/* omnitls backend interface: what a TLS stack must implement.
 *
 * A backend is one `struct otls_provider`. It answers narrow questions in its
 * own stack's terms; the core turns those answers into the behaviour users
 * see (certificate decoding, cipher names and bits, the tls-unique rule,
 * error codes). A backend never formats user-visible data and never calls
 * back into the core: everything it needs is passed in, so a backend can be
 * built as a plugin that links only its TLS library. (A core rule a backend
 * applies itself, such as the name check of core/name_check.h, is compiled
 * into the plugin module: the OTI_CORE_SOURCES property of its target.)
 *
 * Memory: the core allocates ctx_size bytes for a context's state and
 * conn_size bytes for a connection's, zeroed, and passes them in. A backend
 * frees only what it allocated itself (its TLS library's objects).
 *
 * Configuration: when ctx_configure fails, the backend must leave its
 * previous configuration in force (the core keeps its old one too).
 *
 * Errors: every slot that can fail takes an otls_error. On failure the
 * backend returns a negative otls_status and fills e->message with its own
 * stack's reason (e.g. "certificate verify failed: unable to get local
 * issuer certificate"); e->code is set by the core from the return value.
 *
 * A NULL optional slot means "not supported": the core then answers
 * OTLS_ERR_UNSUPPORTED with a message that names the backend.
 */
#ifndef OMNITLS_PROVIDER_H
#define OMNITLS_PROVIDER_H

#include <stdarg.h>
#include <stddef.h>

/* The formatter otls_error_setf uses: vsnprintf, unless the build names
 * another with the same signature (a library whose backends are all linked
 * in uses the core's own, so that it needs no <stdio.h>). */
#ifdef OTLS_PROVIDER_VSNPRINTF
int OTLS_PROVIDER_VSNPRINTF(char *buf, size_t size, const char *fmt, va_list ap);
#else
#include <stdio.h>
#define OTLS_PROVIDER_VSNPRINTF vsnprintf
#endif

#include "omnitls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of the structs below (2: the peer
 * hello's lists live only until the handshake completes; otls_der_sink has
 * add_kept). Until the first
 * release (0.x) fields are only appended and a plugin is built with the
 * library it ships with; from 1.0 on, any change to these structs bumps it. */
#define OTLS_PROVIDER_ABI 2

/* The whole context configuration, validated by the core. Passed in full on
 * every change, so a backend applies it idempotently. */
struct otls_ctx_config {
    otls_role role;
    otls_verify verify;
    int check_hostname;     /* client: check the peer name */
    uint16_t min_version;   /* 0x0303 or 0x0304 */
    uint16_t max_version;   /* 0x0303 or 0x0304 */
    const uint16_t *suites; /* IANA ids, preference order; NULL: default */
    size_t suite_count;
    const uint8_t *alpn_wire; /* ALPN list, wire format; NULL: off */
    size_t alpn_wire_len;
    /* Appended in 0.x (see OTLS_PROVIDER_ABI). */
    const uint16_t *groups; /* IANA named-group ids, preference order; NULL: the
                             * backend's default. A backend that cannot do one
                             * of them fails with OTLS_ERR_UNSUPPORTED. */
    size_t group_count;
    uint32_t sessions; /* OTLS_SESSION_* allowed (the core's default: both) */
};

/* The peer's first hello (a server sees the ClientHello, a client the
 * ServerHello), read by the core from the bytes its transport delivers.
 * `complete` turns 1 inside the receive call that delivers the hello's last
 * byte, before the backend's stack reads that byte, so a backend may adjust
 * its connection (suite order, ALPN) from its receive callback. The core
 * owns the memory. The struct stays valid until conn_free; the lists it
 * points to (suites, alpn) only until the handshake completes, when the
 * core frees them and sets them to NULL with counts 0 (ABI 2: a connection
 * keeps no hello bytes once established). */
struct otls_peer_hello {
    int complete;           /* the hello has been read */
    int malformed;          /* it could not be read: the stack will say why */
    const uint16_t *suites; /* ClientHello: the offered suites, in order */
    size_t suite_count;
    const uint8_t *alpn; /* ClientHello: ALPN ProtocolNameList body */
    size_t alpn_len;     /* 0: no ALPN extension */
    int has_alpn;
    int extended_master_secret; /* the extension is present */
};

/* What a connection needs when it starts. The transport callbacks may be the
 * core's own wrappers around the user's. */
struct otls_conn_params {
    otls_send_fn send;
    otls_recv_fn recv;
    void *io_user;
    const char *hostname;                     /* client: name to verify; NULL: none */
    int hostname_is_ip;                       /* hostname is an IP literal: no SNI */
    void *session;                            /* client: a session_get() result to resume, or NULL;
                                               * borrowed: the backend takes its own reference */
    const struct otls_peer_hello *peer_hello; /* filled as the peer's hello arrives */
};

/* Where a backend puts a list of DER certificates; add() copies the bytes
 * and returns 0, or -1 when out of memory (the backend then returns
 * OTLS_ERR_NO_MEMORY). add_kept() (ABI 2) is for bytes the backend keeps,
 * unchanged, until conn_free (its stack's own certificate objects): the
 * core keeps the pointer instead of a copy (per-connection memory). */
struct otls_der_sink {
    int (*add)(struct otls_der_sink *sink, const uint8_t *der, size_t len);
    int (*add_kept)(struct otls_der_sink *sink, const uint8_t *der, size_t len);
};

/* Facts about an established session. Strings are NUL-terminated, "" when
 * absent. */
struct otls_session_facts {
    uint16_t version; /* 0x0303 / 0x0304 */
    uint16_t suite;   /* IANA cipher-suite id */
    int resumed;      /* session was resumed */
    int extended_master_secret;
    int peer_verified; /* the peer's chain was verified successfully; on a
                        * resumed session, when the session was made (as
                        * OpenSSL keeps it) */
    char alpn[256];
    char server_name[256]; /* server: SNI received; client: SNI sent */
};

/* Hash algorithms for the digest slot. */
enum otls_hash {
    OTLS_HASH_SHA256 = 1,
    OTLS_HASH_SHA384 = 2,
    OTLS_HASH_SHA512 = 3,
    OTLS_HASH_SHA224 = 4
};

struct otls_provider {
    uint32_t abi;      /* OTLS_PROVIDER_ABI the backend was built for */
    const char *name;  /* "openssl", "mbedtls", "wolfssl" */
    uint32_t features; /* OTLS_FEAT_* */
    size_t ctx_size;   /* bytes of context state the core allocates */
    size_t conn_size;  /* bytes of connection state the core allocates */

    /* The TLS library's version string, e.g. "OpenSSL 3.0.19 27 Jan 2026". */
    const char *(*lib_version)(void);

    /* Context. ctx_init runs once; ctx_configure after every setting change
     * with the whole configuration; ctx_free must cope with a context whose
     * ctx_init failed. */
    otls_status (*ctx_init)(void *ctx, otls_role role, otls_error *e);
    void (*ctx_free)(void *ctx);
    otls_status (*ctx_configure)(void *ctx, const struct otls_ctx_config *cfg, otls_error *e);
    /* Adds one trust anchor. */
    otls_status (*ctx_add_ca)(void *ctx, const uint8_t *der, size_t len, otls_error *e);
    /* Sets this side's chain (leaf first) and private key (DER: PKCS#8,
     * PKCS#1 or SEC1). Must fail when the key does not match the leaf. */
    otls_status (*ctx_set_own_chain)(void *ctx, const otls_der *chain, size_t count,
                                     const uint8_t *key, size_t key_len, otls_error *e);

    /* Connection. conn_init runs at the first handshake call, after
     * conn_prepare (below) when the backend has it; conn_free must cope with
     * a connection whose conn_prepare or conn_init failed or never ran. */
    otls_status (*conn_init)(void *conn, void *ctx, const struct otls_conn_params *p,
                             otls_error *e);
    void (*conn_free)(void *conn);
    /* OTLS_OK, OTLS_WANT_READ/WRITE, or an error (OTLS_ERR_VERIFY for a
     * verification failure, OTLS_ERR_IO for a transport failure). */
    otls_status (*handshake)(void *conn, otls_error *e);
    otls_status (*read)(void *conn, void *buf, size_t len, size_t *got, otls_error *e);
    otls_status (*write)(void *conn, const void *buf, size_t len, size_t *put, otls_error *e);
    otls_status (*shutdown)(void *conn, otls_error *e);

    /* Facts, asked once after the handshake. */
    /* The peer's chain as sent, leaf first, on both roles. Adds nothing when
     * the peer sent no certificate. */
    otls_status (*peer_chain)(void *conn, struct otls_der_sink *sink);
    /* The verified chain, leaf .. trust anchor; only asked when
     * facts.peer_verified is set. Optional (OTLS_FEAT_VERIFIED_CHAIN). */
    otls_status (*verified_chain)(void *conn, struct otls_der_sink *sink);
    otls_status (*session)(void *conn, struct otls_session_facts *out);
    /* The suites this end enables, IANA ids in preference order, every
     * version; *count is set to the number written (at most cap). */
    otls_status (*enabled_suites)(void *conn, uint16_t *out, size_t cap, size_t *count);
    /* The Finished verify_data of this end (own = 1) or the peer's (own = 0)
     * from the latest handshake. Optional (OTLS_FEAT_TLS_UNIQUE). */
    otls_status (*finished)(void *conn, int own, uint8_t *buf, size_t cap, size_t *len);
    /* RFC 5705/8446 exporter. context == NULL means "no context"; a
     * non-NULL context of length 0 is an empty context. Optional
     * (OTLS_FEAT_EXPORTER). */
    otls_status (*export_keying_material)(void *conn, const char *label, const uint8_t *context,
                                          size_t context_len, uint8_t *out, size_t out_len,
                                          otls_error *e);
    /* Client resumption. session_get returns a new reference to the
     * connection's resumable session, or NULL when there is none yet (TLS 1.3
     * tickets arrive after the handshake); session_free drops it. Optional
     * (OTLS_FEAT_RESUMPTION): both or neither. */
    void *(*session_get)(void *conn);
    void (*session_free)(void *session);
    /* Hashes data with alg into out (28/32/48/64 bytes). Optional. */
    otls_status (*digest)(enum otls_hash alg, const uint8_t *data, size_t len, uint8_t *out);

    /* Appended in 0.x (see OTLS_PROVIDER_ABI). Runs in otls_conn_new: takes
     * the context's configuration as it is now (versions, suites, groups,
     * verify mode, ALPN list, own chain and key) for this connection, so
     * that a later ctx_configure or ctx_set_own_chain reaches only later
     * connections. conn_init then adds the transport, name and session.
     * conn_free must cope with a connection that was only prepared. A
     * backend without it takes the configuration in conn_init (at the
     * first handshake call), which breaks the rule of otls_conn_new. */
    otls_status (*conn_prepare)(void *conn, void *ctx, otls_error *e);
};

/* Helper for backends: fills e->message like vprintf and returns code
 * (for a backend's own out-of-line wrapper). */
static inline otls_status otls_error_vsetf(otls_error *e, otls_status code, const char *fmt,
                                           va_list ap)
{
    if (e) {
        OTLS_PROVIDER_VSNPRINTF(e->message, sizeof e->message, fmt, ap);
        e->code = code;
    }
    return code;
}

/* Helper for backends: fills e->message like printf and returns code. */
static inline otls_status otls_error_setf(otls_error *e, otls_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    otls_error_vsetf(e, code, fmt, ap);
    va_end(ap);
    return code;
}

/* Helper for backends: OpenSSL's reason text for a TLS alert number ("tlsv1
 * alert unknown ca"), or NULL, so that every backend words a received alert
 * as Python users see it. */
static inline const char *otls_alert_text(int alert)
{
    static const struct {
        unsigned char alert;
        const char *text;
    } table[] = {
        {10, "sslv3 alert unexpected message"},
        {20, "sslv3 alert bad record mac"},
        {21, "tlsv1 alert decryption failed"},
        {22, "tlsv1 alert record overflow"},
        {30, "sslv3 alert decompression failure"},
        {40, "sslv3 alert handshake failure"},
        {41, "sslv3 alert no certificate"},
        {42, "sslv3 alert bad certificate"},
        {43, "sslv3 alert unsupported certificate"},
        {44, "sslv3 alert certificate revoked"},
        {45, "sslv3 alert certificate expired"},
        {46, "sslv3 alert certificate unknown"},
        {47, "sslv3 alert illegal parameter"},
        {48, "tlsv1 alert unknown ca"},
        {49, "tlsv1 alert access denied"},
        {50, "tlsv1 alert decode error"},
        {51, "tlsv1 alert decrypt error"},
        {60, "tlsv1 alert export restriction"},
        {70, "tlsv1 alert protocol version"},
        {71, "tlsv1 alert insufficient security"},
        {80, "tlsv1 alert internal error"},
        {86, "tlsv1 alert inappropriate fallback"},
        {90, "tlsv1 alert user cancelled"},
        {100, "tlsv1 alert no renegotiation"},
        {109, "tlsv13 alert missing extension"},
        {110, "tlsv1 unsupported extension"},
        {112, "tlsv1 unrecognized name"},
        {115, "tlsv1 alert unknown psk identity"},
        {116, "tlsv13 alert certificate required"},
        {120, "tlsv1 alert no application protocol"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].alert == alert)
            return table[i].text;
    return NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* OMNITLS_PROVIDER_H */
