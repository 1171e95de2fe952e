/* Loopback TCP for the demo: only 127.0.0.1, ephemeral port. Every socket
 * gets a receive/send timeout so that a failing peer never hangs the other. */
#ifndef OTLS_CLI_NET_H
#define OTLS_CLI_NET_H

#include <stddef.h>

#define CLI_NET_TIMEOUT_SECONDS 10

/* A socket listening on 127.0.0.1, port 0; *port gets the port chosen.
 * Returns the fd, or -1 with a reason in err. */
int cli_net_listen(unsigned *port, char *err, size_t err_len);

/* Accepts one connection (gives up after the timeout). Returns the fd, or -1
 * with a reason in err. */
int cli_net_accept(int listen_fd, char *err, size_t err_len);

/* Connects to 127.0.0.1:port. Returns the fd, or -1 with a reason in err. */
int cli_net_connect(unsigned port, char *err, size_t err_len);

/* A connected pair of local stream sockets (socketpair) with the timeouts
 * set. Returns 0, or -1 with a reason in err. */
int cli_net_pair(int fds[2], char *err, size_t err_len);

/* Connects to host:port (any host; name lookup, IPv4 or IPv6) with the
 * timeouts set. Returns the fd, or -1 with a reason in err. */
int cli_net_dial(const char *host, const char *port, char *err, size_t err_len);

/* Wakes a thread blocked in cli_net_accept on listen_fd (it then fails). */
void cli_net_abort_listen(int listen_fd);

/* Closes a connected socket. graceful: send FIN and read until the peer's
 * FIN (or the timeout) first, so that no unread byte makes the kernel reset
 * the peer; otherwise close at once. */
void cli_net_close(int fd, int graceful);

/* otls_send_fn/otls_recv_fn over the socket *(int *)user, for a library
 * built without otls_conn_set_fd (the minimal profile). */
long cli_net_send(void *user, const void *buf, size_t len);
long cli_net_recv(void *user, void *buf, size_t len);

#endif
