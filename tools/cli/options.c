/* Command-line helpers shared by the commands: option matching, usage
 * errors, and the option values that turn into context settings. */
#define _POSIX_C_SOURCE 200809L /* strtok_r */

#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAX_ALPN 16

int cli_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "omnitls %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fputs("\n\n", stderr);
    cli_usage(stderr);
    return CLI_EXIT_USAGE;
}

otls_status cli_set_alpn(otls_ctx *ctx, const char *list)
{
    char buf[1024];
    const char *names[MAX_ALPN];
    size_t count = 0;

    if (strlen(list) >= sizeof buf)
        return OTLS_ERR_INVALID_ARGUMENT;
    strcpy(buf, list);
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        if (count == MAX_ALPN)
            return OTLS_ERR_INVALID_ARGUMENT;
        names[count++] = p;
    }
    return otls_ctx_set_alpn(ctx, names, count);
}
