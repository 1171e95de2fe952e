/* `omnitls matrix [--json|--markdown] [--peer HOST:PORT [--cafile F]
 * [--servername N] [--alpn P,...] [--tls 1.2|1.3]]`: options, then one of
 * the two modes (matrix_interop.c, matrix_peer.c). Exit status: 0 when
 * every combination that ran succeeded and agreed, 1 otherwise, 2 on bad
 * arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "matrix.h"

/* HOST:PORT or [IPv6]:PORT; the port must be a number. */
static int parse_peer(const char *arg, struct mx_peer_opts *o)
{
    const char *colon = strrchr(arg, ':');
    const char *host = arg;
    size_t len;

    if (!colon || colon[1] == '\0' || strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return -1;
    len = (size_t)(colon - arg);
    if (len >= 2 && arg[0] == '[' && arg[len - 1] == ']') {
        host++;
        len -= 2;
    } else if (memchr(arg, ':', len)) {
        return -1; /* a bare IPv6 address: its port needs [] around it */
    }
    if (len == 0 || len >= sizeof o->host || strlen(colon + 1) > 5 || atol(colon + 1) < 1 ||
        atol(colon + 1) > 65535)
        return -1;
    memcpy(o->host, host, len);
    o->host[len] = '\0';
    o->port = colon + 1;
    return 0;
}

/* "h2,http/1.1": names of 1..255 bytes, no empty one (cli_set_alpn would
 * skip it silently). */
static int alpn_ok(const char *list)
{
    size_t len = 0;

    for (const char *p = list;; p++) {
        if (*p == ',' || *p == '\0') {
            if (len == 0 || len > 255)
                return 0;
            if (*p == '\0')
                return 1;
            len = 0;
        } else {
            len++;
        }
    }
}

int cli_matrix_main(int argc, char **argv)
{
    struct mx_peer_opts peer;
    enum mx_format format = MX_TEXT;
    const char *target = NULL, *peer_only = NULL, *format_opt = NULL;

    memset(&peer, 0, sizeof peer);
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *v = NULL;

        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            cli_usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(opt, "--json") == 0 || strcmp(opt, "--markdown") == 0) {
            if (format_opt && strcmp(format_opt, opt) != 0)
                return cli_usage_error("matrix", "--json and --markdown exclude each other%s", "");
            format_opt = opt;
            format = opt[2] == 'j' ? MX_JSON : MX_MARKDOWN;
        } else if (cli_option(argc, argv, &i, "--peer", &v)) {
            if (!v)
                return cli_usage_error("matrix", "%s needs HOST:PORT", opt);
            if (parse_peer(v, &peer) != 0)
                return cli_usage_error("matrix", "\"%s\" is not HOST:PORT", v);
            target = v;
        } else if (cli_option(argc, argv, &i, "--cafile", &v) ||
                   cli_option(argc, argv, &i, "--servername", &v) ||
                   cli_option(argc, argv, &i, "--alpn", &v) ||
                   cli_option(argc, argv, &i, "--tls", &v)) {
            if (!v || !*v)
                return cli_usage_error("matrix", "%s needs a value", opt);
            peer_only = opt;
            if (strncmp(opt, "--cafile", 8) == 0)
                peer.cafile = v;
            else if (strncmp(opt, "--servername", 12) == 0)
                peer.servername = v;
            else if (strncmp(opt, "--alpn", 6) == 0 && !alpn_ok(v))
                return cli_usage_error("matrix",
                                       "--alpn takes names separated by commas, not \"%s\"", v);
            else if (strncmp(opt, "--alpn", 6) == 0)
                peer.alpn = v;
            else if (strcmp(v, "1.2") == 0)
                peer.version = OTLS_TLS1_2;
            else if (strcmp(v, "1.3") == 0)
                peer.version = OTLS_TLS1_3;
            else
                return cli_usage_error("matrix", "--tls takes 1.2 or 1.3, not \"%s\"", v);
        } else {
            return cli_usage_error("matrix", "unknown argument \"%s\"", opt);
        }
    }
    if (!target && peer_only)
        return cli_usage_error("matrix", "%s is an option of --peer", peer_only);
    /* A plugin that did not load is a missing column: say why. */
    if (*otls_backend_load_errors())
        fprintf(stderr, "omnitls matrix: not loaded: %s\n", otls_backend_load_errors());
    return target ? mx_peer_main(&peer, format) : mx_interop_main(format);
}
