/* The file-descriptor transport: the one core file that includes socket
 * headers, so builds with their own network stack (lwIP) can leave it out. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "internal.h"

static long map_result(ssize_t n)
{
    if (n >= 0)
        return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return OTLS_IO_WOULD_BLOCK;
    return OTLS_IO_ERROR;
}

long oti_fd_send(void *user, const void *buf, size_t len)
{
    int fd = *(const int *)user;
    ssize_t n;
    do {
        /* MSG_NOSIGNAL: a closed peer is an error, not a SIGPIPE. */
        n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = write(fd, buf, len); /* pipes and other streams */
    } while (n < 0 && errno == EINTR);
    return map_result(n);
}

long oti_fd_recv(void *user, void *buf, size_t len)
{
    int fd = *(const int *)user;
    ssize_t n;
    do {
        n = recv(fd, buf, len, 0);
        if (n < 0 && errno == ENOTSOCK)
            n = read(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    return map_result(n);
}
