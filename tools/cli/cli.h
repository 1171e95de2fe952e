/* Entry points of the omnitls command-line tool's commands. */
#ifndef OTLS_CLI_H
#define OTLS_CLI_H

#include <stdio.h>

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

/* 1 when name is one of otls_backends(). */
int cli_backend_known(const char *name);

/* Prints the available backend names, comma-separated, to out. */
void cli_backend_list_names(FILE *out);

#endif
