/* The downstream project's test of echo.c: a server (child process) and a
 * client over a socket pair. omnitls_add_test() runs it once per backend
 * with OMNITLS_BACKEND set; the test checks that it really ran on that
 * backend, then that the echo came back.
 *   test_echo PKI_DIR   (ca.pem, server.pem, server.key) */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "echo.h"

int main(int argc, char **argv)
{
    char ca[1024], cert[1024], key[1024], reply[64], err[512];
    const char *want = getenv("OMNITLS_BACKEND");
    struct echo_info info;
    int sv[2], status = 0, rc = 1;
    pid_t pid;

    if (argc != 2) {
        fprintf(stderr, "usage: test_echo PKI_DIR\n");
        return 2;
    }
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[1]);
    snprintf(cert, sizeof cert, "%s/server.pem", argv[1]);
    snprintf(key, sizeof key, "%s/server.key", argv[1]);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        return 1;
    }
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(sv[0]);
        if (echo_serve(sv[1], cert, key, err, sizeof err) != 0) {
            fprintf(stderr, "server: %s\n", err);
            _exit(1);
        }
        _exit(0);
    }
    close(sv[1]);
    memset(&info, 0, sizeof info);
    if (echo_call(sv[0], ca, "hello, omnitls", reply, sizeof reply, &info, err, sizeof err) != 0)
        fprintf(stderr, "client (%s): %s\n", info.backend, err);
    else if (strcmp(reply, "hello, omnitls") != 0)
        fprintf(stderr, "client (%s): echo came back as \"%s\"\n", info.backend, reply);
    else if (want && strcmp(want, info.backend) != 0)
        fprintf(stderr, "OMNITLS_BACKEND=%s but the test ran on %s\n", want, info.backend);
    else
        rc = 0;
    close(sv[0]);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = 1;
    if (rc == 0)
        printf("echo ok on backend %s: %s %s\n", info.backend, info.version, info.cipher);
    return rc;
}
