/* Loopback TCP for the demo: see net.h. */
#define _POSIX_C_SOURCE 200809L

#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void set_err(char *err, size_t err_len, const char *what)
{
    snprintf(err, err_len, "%s: %s", what, strerror(errno));
}

/* The safety net: no blocking call on this socket waits forever. On Linux
 * SO_RCVTIMEO also bounds accept() and SO_SNDTIMEO bounds connect(). */
static int set_timeouts(int fd)
{
    struct timeval tv = {CLI_NET_TIMEOUT_SECONDS, 0};

    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
        return -1;
    return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static void loopback(struct sockaddr_in *sa, unsigned port)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

int cli_net_listen(unsigned *port, char *err, size_t err_len)
{
    struct sockaddr_in sa;
    socklen_t sa_len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        set_err(err, err_len, "socket");
        return -1;
    }
    loopback(&sa, 0);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        set_err(err, err_len, "bind 127.0.0.1:0");
    } else if (listen(fd, 1) != 0) {
        set_err(err, err_len, "listen");
    } else if (set_timeouts(fd) != 0) {
        set_err(err, err_len, "setsockopt");
    } else if (getsockname(fd, (struct sockaddr *)&sa, &sa_len) != 0) {
        set_err(err, err_len, "getsockname");
    } else {
        *port = ntohs(sa.sin_port);
        return fd;
    }
    close(fd);
    return -1;
}

int cli_net_accept(int listen_fd, char *err, size_t err_len)
{
    int fd;

    do {
        fd = accept(listen_fd, NULL, NULL);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            snprintf(err, err_len, "accept: no client connected within %d s",
                     CLI_NET_TIMEOUT_SECONDS);
        else
            set_err(err, err_len, "accept");
        return -1;
    }
    if (set_timeouts(fd) != 0) {
        set_err(err, err_len, "setsockopt");
        close(fd);
        return -1;
    }
    return fd;
}

int cli_net_connect(unsigned port, char *err, size_t err_len)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        set_err(err, err_len, "socket");
        return -1;
    }
    loopback(&sa, port);
    if (set_timeouts(fd) != 0) {
        set_err(err, err_len, "setsockopt");
    } else if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        char what[64];
        snprintf(what, sizeof what, "connect 127.0.0.1:%u", port);
        set_err(err, err_len, what);
    } else {
        return fd;
    }
    close(fd);
    return -1;
}

int cli_net_pair(int fds[2], char *err, size_t err_len)
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
        set_err(err, err_len, "socketpair");
        return -1;
    }
    if (set_timeouts(fds[0]) != 0 || set_timeouts(fds[1]) != 0) {
        set_err(err, err_len, "setsockopt");
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    return 0;
}

int cli_net_dial(const char *host, const char *port, char *err, size_t err_len)
{
    struct addrinfo hints, *res = NULL;
    int fd = -1, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_len, "%s:%s: %s", host, port, gai_strerror(rc));
        return -1;
    }
    snprintf(err, err_len, "connect %s:%s: no address", host, port);
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            set_err(err, err_len, "socket");
            continue;
        }
        /* set_timeouts first: SO_SNDTIMEO bounds connect() too. */
        if (set_timeouts(fd) != 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            char what[300];
            snprintf(what, sizeof what, "connect %s:%s", host, port);
            set_err(err, err_len, what);
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

void cli_net_abort_listen(int listen_fd)
{
    /* On Linux this makes a pending accept() return EINVAL at once. */
    shutdown(listen_fd, SHUT_RDWR);
}

void cli_net_close(int fd, int graceful)
{
    if (fd < 0)
        return;
    if (graceful) {
        char buf[4096];
        ssize_t n;

        shutdown(fd, SHUT_WR);
        /* Bounded by SO_RCVTIMEO; what arrives now (the peer's close_notify)
         * is no longer needed. */
        do {
            n = recv(fd, buf, sizeof buf, 0);
        } while (n > 0 || (n < 0 && errno == EINTR));
    } else {
        shutdown(fd, SHUT_RDWR);
    }
    close(fd);
}

/* The transport callbacks for a library built without its fd transport
 * (OTLS_WITH_FD_TRANSPORT=OFF, the minimal profile): user points to the fd. */
static long io_result(ssize_t n)
{
    if (n >= 0)
        return (long)n;
    return errno == EAGAIN || errno == EWOULDBLOCK ? -2 /* OTLS_IO_WOULD_BLOCK */
                                                   : -1 /* OTLS_IO_ERROR */;
}

long cli_net_send(void *user, const void *buf, size_t len)
{
    ssize_t n;
    do
        n = send(*(const int *)user, buf, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return io_result(n);
}

long cli_net_recv(void *user, void *buf, size_t len)
{
    ssize_t n;
    do
        n = recv(*(const int *)user, buf, len, 0);
    while (n < 0 && errno == EINTR);
    return io_result(n);
}
