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
          "  connect HOST:PORT [options]\n"
          "                         connect to a TLS server and print the report of\n"
          "                         each connection as one line of JSON\n"
          "  decode [--sort-keys] [--der] FILE\n"
          "                         print a certificate (PEM or DER; - for stdin) as\n"
          "                         Python's getpeercert() JSON\n"
          "  serve --cert F [options]\n"
          "                         serve TLS on 127.0.0.1, echo what clients send and\n"
          "                         print the report of each connection as one line of\n"
          "                         JSON\n"
          "  matrix [--json|--markdown]\n"
          "                         run every client backend against every server\n"
          "                         backend, TLS version and key type in this process\n"
          "                         and show where the two ends disagree\n"
          "  matrix --peer HOST:PORT [--cafile F] [--servername N] [--alpn P,...]\n"
          "         [--tls 1.2|1.3] [--json|--markdown]\n"
          "                         connect to one server with every backend and show\n"
          "                         side by side what each sees; * marks differences\n"
          "                         (without --cafile nothing is verified)\n"
          "\n"
          "demo options:\n"
          "  --client-backend NAME  the client's backend (default: the default backend)\n"
          "  --server-backend NAME  the server's backend (default: the default backend)\n"
          "  --tls 1.2|1.3          allow only this protocol version (default: any)\n"
          "  --key ec|rsa           key type of the test PKI (default: ec)\n"
          "  --verify none|optional|required\n"
          "                         verify mode of both sides (default: required)\n"
          "\n"
          "connect and serve options:\n"
          "  --backend NAME         the backend (default: the default backend)\n"
          "  --cafile F             trust anchors (PEM or DER) to verify the peer with\n"
          "  --cert F [--key F]     this side's chain, leaf first, and its key\n"
          "  --tls 1.2|1.3          allow only this protocol version (default: any)\n"
          "  --alpn P,...           ALPN protocols, in preference order\n"
          "  --ciphers LIST         cipher suites, OpenSSL or IANA names, colon-separated\n"
          "  --cb-tls13-unique      give tls-unique on TLS 1.3 too (Python's value)\n"
          "\n"
          "connect only:\n"
          "  --servername N         SNI and the name to verify (default: HOST)\n"
          "  --verify none|required verify the server (default: required)\n"
          "  --send TEXT            send TEXT (as given: no newline added) after the\n"
          "                         handshake and print the reply\n"
          "  --reconnect            connect again, offering the first session\n"
          "\n"
          "serve only:\n"
          "  --verify none|optional|required\n"
          "                         ask for a client certificate (default: none)\n"
          "  --port P               the port (default 0: any free one)\n"
          "  --once                 serve one connection, then exit\n"
          "\n"
          "serve says \"listening on 127.0.0.1:PORT\" on stderr. Both commands print a\n"
          "connection's facts the report has no field for on stderr, as \"omnitls CMD:\n"
          "connection N: resumed|getpeercert|received: VALUE\". A silent peer makes\n"
          "any wait on a connection give up after 10 s; serve --once also waits 10 s\n"
          "at most for its client (without --once it serves until killed).\n"
          "\n"
          "exit status: 0 success, 1 failure, 2 usage error; matrix: 0 when every\n"
          "combination that ran succeeded and agreed, 1 otherwise\n",
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
    if (strcmp(cmd, "connect") == 0)
        return cli_connect_main(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return cli_serve_main(argc - 1, argv + 1);
    if (strcmp(cmd, "decode") == 0)
        return cli_decode_main(argc - 1, argv + 1);
    if (strcmp(cmd, "matrix") == 0)
        return cli_matrix_main(argc - 1, argv + 1);

    fprintf(stderr, "omnitls: unknown %s \"%s\"\n\n", cmd[0] == '-' ? "option" : "command", cmd);
    cli_usage(stderr);
    return CLI_EXIT_USAGE;
}
