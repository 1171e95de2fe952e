/* Preloaded into test programs run under qemu-user (scripts/cross-arm.sh).
 *
 * Criterion runs each test in a child that re-executes the test binary
 * (execve of /proc/self/exe). Under qemu-user that execve goes to the host
 * kernel, which cannot run an ARM binary unless binfmt_misc is set up for
 * qemu (a machine-wide setting a CI job should not change). This execve
 * wraps an ARM program in the same qemu instead: OTLS_QEMU names qemu,
 * OTLS_QEMU_LD_PREFIX its -L; LD_PRELOAD and LD_LIBRARY_PATH are handed to
 * the new guest with -E rather than to the host's loader. Anything else
 * (a host shell, openssl) is executed as is. Built for the target only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int is_target_elf(const char *path)
{
    unsigned char h[20];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n != (ssize_t)sizeof h || memcmp(h, "\177ELF", 4) != 0)
        return 0;
    unsigned machine = h[18] | (unsigned)h[19] << 8; /* little-endian e_machine */
    return machine == 183 /* EM_AARCH64 */ || machine == 40 /* EM_ARM */;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    const char *qemu = getenv("OTLS_QEMU"), *prefix = getenv("OTLS_QEMU_LD_PREFIX");
    if (qemu == NULL || prefix == NULL || !is_target_elf(path))
        return (int)syscall(SYS_execve, path, argv, envp);

    size_t argc = 0, envc = 0;
    while (argv[argc])
        argc++;
    while (envp[envc])
        envc++;
    char **nargv = calloc(argc + 12, sizeof *nargv);
    char **nenvp = calloc(envc + 1, sizeof *nenvp);
    static char preload[4096], libpath[4096];
    if (nargv == NULL || nenvp == NULL) {
        errno = ENOMEM;
        return -1;
    }
    size_t a = 0, e = 0;
    nargv[a++] = (char *)qemu;
    nargv[a++] = "-L";
    nargv[a++] = (char *)prefix;
    nargv[a++] = "-0";
    nargv[a++] = argc ? argv[0] : (char *)path;
    for (size_t i = 0; i < envc; i++) {
        if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0) {
            snprintf(preload, sizeof preload, "%s", envp[i]);
            nargv[a++] = "-E";
            nargv[a++] = preload;
        } else if (strncmp(envp[i], "LD_LIBRARY_PATH=", 16) == 0) {
            snprintf(libpath, sizeof libpath, "%s", envp[i]);
            nargv[a++] = "-E";
            nargv[a++] = libpath;
        } else {
            nenvp[e++] = envp[i];
        }
    }
    nargv[a++] = (char *)path;
    for (size_t i = 1; i < argc; i++)
        nargv[a++] = argv[i];
    return (int)syscall(SYS_execve, qemu, nargv, nenvp);
}
