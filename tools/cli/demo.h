/* The demo: a client and a server in one process, over loopback TCP. */
#ifndef OTLS_CLI_DEMO_H
#define OTLS_CLI_DEMO_H

#include <omnitls/omnitls.h>

#include "json.h"
#include "testpki.h"

struct cli_demo_opts {
    const char *client_backend; /* NULL: the default backend */
    const char *server_backend;
    otls_tls_version version; /* OTLS_TLS_DEFAULT: not restricted */
    enum tpki_key_type key;
    otls_verify verify;
};

/* Makes the configured context of one side. Returns NULL with a message that
 * names the side, the call, the status and the context's error in err. */
otls_ctx *cli_demo_ctx(otls_role role, const struct cli_demo_opts *opts, const struct tpki *pki,
                       char *err, size_t err_len);

/* One side of the demo connection. */
struct cli_peer {
    otls_role role;
    otls_ctx *ctx;
    int fd;                 /* connected socket; cli_peer_run closes it */
    int ok;                 /* 1 once everything succeeded */
    struct cli_json report; /* the REPORT when ok */
    char err[1024];         /* why it failed when !ok */
    /* Called, when set, with the live connection once the report is
     * written and before close_notify (`omnitls matrix` takes its facts). */
    void (*inspect)(otls_conn *conn, void *user);
    void *inspect_user;
};

/* Handshake, ping/pong, report, shutdown, close. Sets p->ok or p->err. */
void cli_peer_run(struct cli_peer *p);

#endif
