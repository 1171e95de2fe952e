/* The bad-input catalogue's checks, shared by tests/test_bad_input_*.c:
 * each case asserts the exact status and that the message holds the words
 * that say what happened, and records the case for docs/bad-input.md when
 * OTLS_BAD_INPUT_LOG names a file (one line per check, appended). */
#ifndef OTLS_TESTS_BAD_INPUT_H
#define OTLS_TESTS_BAD_INPUT_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Appends "file\tcase\tbackend\tstatus\tmessage" to $OTLS_BAD_INPUT_LOG
 * (file: the test's source, which groups the table). One write(2) of an
 * O_APPEND file per line, so parallel test processes do not interleave. */
static inline void bi_log(const char *file, const char *what, const char *backend, otls_status st,
                          const char *msg)
{
    const char *path = getenv("OTLS_BAD_INPUT_LOG");
    if (path == NULL || *path == '\0')
        return;
    const char *base = strrchr(file, '/');
    char line[1024];
    int n = snprintf(line, sizeof line, "%s\t%s\t%s\t%s\t%s\n", base ? base + 1 : file, what,
                     backend ? backend : "-", otls_status_name(st), msg ? msg : "");
    if (n <= 0)
        return;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return;
    ssize_t put = write(fd, line, (size_t)n);
    (void)put;
    close(fd);
}

/* Asserts st == want and that msg holds each of the NULL-terminated
 * needles. what names the case ("server: garbage instead of a
 * ClientHello"), where gives the cell for failure messages. */
static inline void bi_check(const char *file, const char *what, const char *where,
                            const char *backend, otls_status st, otls_status want, const char *msg,
                            const char *const *needles)
{
    cr_assert(st == want, "%s [%s]: %s, expected %s (message \"%s\")", what, where,
              otls_status_name(st), otls_status_name(want), msg ? msg : "(NULL)");
    if (want < 0)
        cr_assert(msg != NULL && msg[0] != '\0', "%s [%s]: %s left no message", what, where,
                  otls_status_name(st));
    for (size_t i = 0; needles[i] != NULL; i++)
        cr_assert(msg != NULL && strstr(msg, needles[i]) != NULL,
                  "%s [%s]: message \"%s\" lacks \"%s\"", what, where, msg ? msg : "(NULL)",
                  needles[i]);
    bi_log(file, what, backend, st, msg);
}

/* BI_EXPECT(what, where, backend, status, expected, message, "needle", ...) */
#define BI_EXPECT(what, where, backend, st, want, msg, ...)                                        \
    bi_check(__FILE__, what, where, backend, st, want, msg,                                        \
             (const char *const[]){__VA_ARGS__, NULL})

/* Status and the connection's message after a call on conn. */
#define BI_CONN(what, where, conn, call, want, ...)                                                \
    do {                                                                                           \
        otls_status bi_st_ = (call);                                                               \
        BI_EXPECT(what, where, otls_conn_backend(conn), bi_st_, want, otls_conn_error(conn),       \
                  __VA_ARGS__);                                                                    \
    } while (0)

/* Status and the context's message after a call on ctx. */
#define BI_CTX(what, where, ctx, call, want, ...)                                                  \
    do {                                                                                           \
        otls_status bi_st_ = (call);                                                               \
        BI_EXPECT(what, where, otls_ctx_backend(ctx), bi_st_, want, otls_ctx_error(ctx),           \
                  __VA_ARGS__);                                                                    \
    } while (0)

#endif
