/* Test harness: a cached test PKI, parameter cells computed from the
 * backends present at run time, and connected client/server pairs.
 *
 * Every non-static function is prefixed th_. The harness calls Criterion's
 * cr_assert/cr_skip_test from the test thread only (never from the server
 * thread it starts). */
#ifndef OTLS_TESTS_HARNESS_H
#define OTLS_TESTS_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <omnitls/omnitls.h>

#include "testpki.h"

/* ------------------------------------------------------------------------ */
/* PKI                                                                      */

/* The PKI for a key type, generated once per process (thread-safe) and freed
 * at exit. Fails the current test when generation fails. */
const struct tpki *th_pki(enum tpki_key_type type);

/* 1 when der[0..len) is exactly the blob's bytes. */
int th_der_eq(const uint8_t *der, size_t len, const struct tpki_blob *blob);

/* ------------------------------------------------------------------------ */
/* Backends and parameter cells                                             */

/* The backend's entry (NULL name: the default backend), or NULL. */
const otls_backend_info *th_backend(const char *name);

/* Skips the current test, with a reason naming the backend and what, when
 * the backend lacks any of the OTLS_FEAT_* bits in feats. */
void th_require(const char *backend, uint32_t feats, const char *what);

/* Skips unless the backend can speak the version (0: any). */
void th_require_version(const char *backend, otls_tls_version version);

/* Dimensions of a parameter matrix (bit set for th_cells). */
#define TH_DIM_CROSS 1u         /* client backend x server backend */
#define TH_DIM_VERSION 2u       /* TLS 1.2, TLS 1.3 */
#define TH_DIM_KEY 4u           /* EC, RSA */
#define TH_DIM_SERVER_VERIFY 8u /* server NONE, OPTIONAL, REQUIRED */

/* One point of a matrix. Lives in Criterion's shared arena, as do the PKIs
 * it points to (generated once in the runner, so each test process does not
 * pay for RSA key generation). */
struct th_cell {
    char client_backend[32];
    char server_backend[32];
    otls_tls_version version;  /* OTLS_TLS_DEFAULT without TH_DIM_VERSION */
    enum tpki_key_type key;    /* TPKI_EC without TH_DIM_KEY */
    otls_verify server_verify; /* OTLS_VERIFY_NONE without the dimension */
    int row;                   /* 0..rows-1: a test's own table row */
    const struct tpki *pki[2]; /* by key type; NULL: generate in the test */
};

/* The cells: every backend from otls_backends() (both sides the same unless
 * TH_DIM_CROSS), crossed with the dimensions in dims and with rows table
 * rows (0 or 1: one row). For ParameterizedTestParameters. */
struct criterion_test_params th_cells(unsigned dims, int rows);

/* th_cells, keeping only the cells for which keep() returns non-zero: a
 * combination a backend cannot do is left out of a suite and reported once,
 * with its reason, by test_capabilities. */
struct criterion_test_params th_cells_where(unsigned dims, int rows,
                                            int (*keep)(const struct th_cell *cell));

/* Whether both backends of the cell speak the version. */
int th_cell_speaks(const struct th_cell *cell, otls_tls_version version);

/* "openssl->openssl TLSv1.3 EC sv=OPTIONAL row 0": for failure messages.
 * Returns a static buffer. */
const char *th_cell_desc(const struct th_cell *cell);

/* Skips when either backend of the cell cannot speak the cell's version. */
void th_require_cell(const struct th_cell *cell);

/* The cell's PKI for its key type (or for type). */
const struct tpki *th_cell_pki(const struct th_cell *cell, enum tpki_key_type type);

/* Names for messages. */
const char *th_version_name(otls_tls_version version); /* "TLSv1.2", "default" */
const char *th_verify_name(otls_verify mode);

/* ------------------------------------------------------------------------ */
/* Connected pairs                                                          */

enum th_transport {
    TH_FD = 0,      /* blocking socket, server handshake in a thread */
    TH_FD_NONBLOCK, /* non-blocking socket via otls_conn_set_fd, one thread */
    TH_CALLBACKS    /* non-blocking socket via otls_conn_set_io, one thread */
};

struct th_opts {
    const char *client_backend; /* NULL: the default backend */
    const char *server_backend;
    otls_tls_version version; /* pinned on both ends (min = max); 0: open */
    enum tpki_key_type key;
    const struct tpki *pki;    /* NULL: th_pki(key) */
    otls_verify server_verify; /* default NONE */
    otls_verify client_verify; /* default REQUIRED */
    int client_cert;           /* client loads its chain and key; default 0 */
    int client_ca;             /* client trusts the root; default 1 */
    int server_ca;             /* server trusts the root; default 1 */
    int check_hostname;        /* default 1 */
    const char *hostname;      /* default "localhost"; NULL: none */
    const char *const *client_alpn;
    size_t client_alpn_count;
    const char *const *server_alpn;
    size_t server_alpn_count;
    const char *client_ciphers; /* NULL: leave the default */
    const char *server_ciphers;
    uint32_t client_flags, server_flags;
    enum th_transport transport;
    const otls_session *session; /* offered by the client; NULL: none */
};

/* The defaults listed above. */
struct th_opts th_opts_default(void);

/* Defaults plus the cell's backends, version, key, PKI and server verify. */
struct th_opts th_opts_cell(const struct th_cell *cell);

/* Transport counters for TH_CALLBACKS. */
struct th_io {
    int fd;
    unsigned long sends, recvs, would_block;
    size_t bytes_out, bytes_in;
    int fail_recv; /* recv returns OTLS_IO_ERROR: simulates a broken transport */
};

struct th_pair {
    otls_ctx *cctx, *sctx;
    otls_conn *client, *server;
    otls_status cst, sst;      /* handshake results */
    char cerr[512], serr[512]; /* otls_conn_error() after each handshake */
    int fd[2];                 /* [0] client end, [1] server end */
    struct th_io cio, sio;
    unsigned long cwant, swant; /* WANT_* answers seen (one-thread drives) */
    const struct tpki *pki;
    enum th_transport transport;
    int keep_ctx;   /* th_pair_free leaves the contexts to the caller */
    char desc[192]; /* for messages */
};

/* Makes both contexts as o says (fails the test when configuration fails),
 * connects them and runs both handshakes. */
struct th_pair *th_pair_new(const struct th_opts *o);

/* Creates a context as o says, for one role (fails the test on error). */
otls_ctx *th_ctx_make(const struct th_opts *o, otls_role role);

/* Connects two ready contexts (takes them over unless the caller sets
 * keep_ctx on the result) and runs both handshakes, using o for the
 * transport, hostname and session only. */
struct th_pair *th_pair_connect(otls_ctx *cctx, otls_ctx *sctx, const struct th_opts *o);

/* Like th_pair_connect without the handshake (the caller drives it). */
struct th_pair *th_pair_connect_only(otls_ctx *cctx, otls_ctx *sctx, const struct th_opts *o);

/* Drives both handshakes on a non-blocking pair in this thread. */
void th_pair_drive(struct th_pair *p);

/* Starts both handshakes of a non-blocking pair and leaves them midway:
 * the server's first call (nothing to read yet), then the client's (its
 * hello goes out); each must answer OTLS_WANT_READ (fails the test else). */
void th_pair_start(struct th_pair *p);

/* Fails the test unless both handshakes returned OTLS_OK. */
void th_pair_assert_ok(const struct th_pair *p);

/* Frees the connections, the contexts (unless keep_ctx) and closes the
 * sockets. NULL is a no-op. */
void th_pair_free(struct th_pair *p);

/* ------------------------------------------------------------------------ */
/* Files                                                                    */

/* A fresh directory under TMPDIR (malloc'd path); fails the test on error. */
char *th_tmpdir(void);

/* Writes data to dir/name; returns the malloc'd path. */
char *th_write_file(const char *dir, const char *name, const void *data, size_t len);

/* Removes the files in dir (one level of subdirectories) and dir itself. */
void th_rmtree(const char *dir);

#endif
