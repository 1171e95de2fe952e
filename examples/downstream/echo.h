/* The downstream project's own code: a TLS echo over a connected socket,
 * on whatever TLS stack omnitls picks (otls_ctx_new(NULL, ...): the
 * OMNITLS_BACKEND environment variable, else the build's default). */
#ifndef ECHO_H
#define ECHO_H

#include <stddef.h>

/* What the client saw of the connection, for the test's log. */
struct echo_info {
    char backend[32], version[16], cipher[64];
};

/* Serves one echo: handshake, read one message, write it back, close_notify.
 * Returns 0, or -1 with a reason in err. */
int echo_serve(int fd, const char *cert, const char *key, char *err, size_t err_len);

/* Sends msg to "localhost" over fd, verified against cafile, and reads the
 * echo into reply (NUL-terminated). Returns 0, or -1 with a reason in err. */
int echo_call(int fd, const char *cafile, const char *msg, char *reply, size_t reply_len,
              struct echo_info *info, char *err, size_t err_len);

#endif
