/* `omnitls matrix`: the interop matrix (every client backend x server
 * backend x TLS version x key type, in this process) and the --peer view
 * (one server as every client backend sees it). Shared by matrix*.c. */
#ifndef OTLS_CLI_MATRIX_H
#define OTLS_CLI_MATRIX_H

#include <stdio.h>

#include <omnitls/omnitls.h>

/* The JSON's "schema" number; it changes only when a field changes meaning
 * or disappears (documented in docs/testing-matrix.md). */
#define MX_SCHEMA 1

enum mx_format { MX_TEXT, MX_JSON, MX_MARKDOWN };

/* The facts of one connection, each as text: the value, or NULL with
 * err == NULL for "nothing to report" (no ALPN, no peer certificate), or
 * NULL with err set when the call failed (err holds "STATUS: message"). */
enum mx_field {
    MX_VERSION,
    MX_CIPHER,           /* OpenSSL-style name */
    MX_CIPHER_IANA,      /* "0xC02B TLS_ECDHE_..." */
    MX_ALPN,             /* the selected protocol */
    MX_PEER_CERT,        /* SHA-256 of the peer's certificate DER */
    MX_PEER_CERT_JSON,   /* the decoded peer certificate, getpeercert() JSON */
    MX_UNVERIFIED_CHAIN, /* SHA-256 of each certificate, leaf first, space-separated */
    MX_VERIFIED_CHAIN,
    MX_TLS_UNIQUE, /* hex */
    MX_TLS_SERVER_END_POINT,
    MX_TLS_EXPORTER,
    MX_NFIELDS
};

/* The JSON/report name of each field. */
extern const char *const mx_field_name[MX_NFIELDS];

struct mx_fact {
    char *value;
    char *err;
};

struct mx_facts {
    struct mx_fact f[MX_NFIELDS];
    int oom; /* an allocation failed: the facts are incomplete */
};

/* Takes every fact of conn (handshake done). */
void mx_facts_take(struct mx_facts *facts, otls_conn *conn);
void mx_facts_free(struct mx_facts *facts);

/* 1 when both have a value and the values are equal, or neither has one. */
int mx_fact_same(const struct mx_fact *a, const struct mx_fact *b);

/* malloc'd copy of printf output, NULL when out of memory. */
char *mx_strdupf(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The space-separated SHA-256 list of certs (leaf first); "" for none. */
char *mx_chain_text(const otls_der *certs, size_t count);

/* Writes a space-separated fingerprint list as a JSON object
 * {"length": N, "sha256": [...]}; NULL writes null. */
struct cli_json;
void mx_json_chain(struct cli_json *w, const char *text);

/* "backends": [...], as `omnitls backends --json` prints them. */
void mx_json_backends(struct cli_json *w, const otls_backend_info *b, size_t nb);

/* The commands' two modes; each returns the exit code. */
int mx_interop_main(enum mx_format format);

struct mx_peer_opts {
    char host[256];
    const char *port, *cafile, *servername, *alpn;
    otls_tls_version version;
};
int mx_peer_main(const struct mx_peer_opts *opts, enum mx_format format);

/* Prints the JSON text w holds (or says it ran out of memory). Returns 0 or
 * -1. */
int mx_print_json(struct cli_json *w, FILE *out);

#endif
