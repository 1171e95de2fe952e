/* Entry points of the omnitls command-line tool's commands. */
#ifndef OTLS_CLI_H
#define OTLS_CLI_H

#include <stdio.h>

#include <omnitls/omnitls.h>

/* Exit codes. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

/* Prints the tool's usage text. */
void cli_usage(FILE *out);

/* Commands: argv[0] is the command name. Return an exit code. */
int cli_backends_main(int argc, char **argv);
int cli_demo_main(int argc, char **argv);
int cli_connect_main(int argc, char **argv);
int cli_serve_main(int argc, char **argv);
int cli_decode_main(int argc, char **argv);
int cli_matrix_main(int argc, char **argv);

/* options.c */
/* Matches "--name VALUE" and "--name=VALUE"; *value gets VALUE (NULL when
 * missing). Returns 1 when argv[*i] is this option. */
int cli_option(int argc, char **argv, int *i, const char *name, const char **value);
/* "omnitls CMD: <fmt with arg>", then the usage, on stderr; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* "h2,http/1.1" -> otls_ctx_set_alpn. */
otls_status cli_set_alpn(otls_ctx *ctx, const char *list);

/* 1 when name is one of otls_backends(). */
int cli_backend_known(const char *name);

/* The value of a backend option (opt) of command cmd: CLI_EXIT_OK when it
 * names an available backend; else CLI_EXIT_USAGE, after saying why (and
 * which backends there are) on stderr. Unknown names are usage errors,
 * caught before any work is done. */
int cli_check_backend(const char *cmd, const char *opt, const char *value);

/* One backend as `omnitls backends --json` shows it: {"name",
 * "library_version", "features", "default", "plugin"}. */
struct cli_json;
void cli_backend_json(struct cli_json *w, const otls_backend_info *b);

/* Prints the available backend names, comma-separated, to out. */
void cli_backend_list_names(FILE *out);

#endif
