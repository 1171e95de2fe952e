/* omnitls: the command-line tool. Dispatches to one command per file. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <omnitls/omnitls.h>

#include "cli.h"

void cli_usage(FILE *out)
{
    fputs("usage: omnitls <command> [options]\n"
          "       omnitls --help | --version\n"
          "\n"
          "commands:\n"
          "  backends [--json]      list the TLS backends, their library versions and\n"
          "                         features, and the default one\n"
          "  demo [options]         connect a client and a server in this process over\n"
          "                         127.0.0.1 with a throw-away PKI and print both\n"
          "                         connection reports as one JSON object\n"
          "\n"
          "demo options:\n"
          "  --client-backend NAME  the client's backend (default: the default backend)\n"
          "  --server-backend NAME  the server's backend (default: the default backend)\n"
          "  --tls 1.2|1.3          allow only this protocol version (default: any)\n"
          "  --key ec|rsa           key type of the test PKI (default: ec)\n"
          "  --verify none|optional|required\n"
          "                         verify mode of both sides (default: required)\n"
          "\n"
          "exit status: 0 success, 1 failure, 2 usage error\n",
          out);
}

int main(int argc, char **argv)
{
    /* A peer closing early must give an error from the library, not kill
     * the process on a write to a closed socket. */
    signal(SIGPIPE, SIG_IGN);

    if (argc < 2) {
        cli_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("omnitls %s\n", otls_version());
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "backends") == 0)
        return cli_backends_main(argc - 1, argv + 1);
    if (strcmp(cmd, "demo") == 0)
        return cli_demo_main(argc - 1, argv + 1);

    fprintf(stderr, "omnitls: unknown %s \"%s\"\n\n", cmd[0] == '-' ? "option" : "command",
            cmd);
    cli_usage(stderr);
    return CLI_EXIT_USAGE;
}
