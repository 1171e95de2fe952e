/* `omnitls decode [--sort-keys] [--der] FILE`: a certificate file as
 * Python's getpeercert() would show it, in JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omnitls/cert.h>

#include "cli.h"

/* Reads a whole file (certificates are small; 16 MiB is plenty). */
static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= (16u << 20))
            break;
        unsigned char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f) || (buf && n == cap);
    if (f != stdin)
        fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int cli_decode_main(int argc, char **argv)
{
    unsigned flags = 0;
    int der_only = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sort-keys") == 0)
            flags |= OTLS_JSON_SORT_KEYS;
        else if (strcmp(argv[i], "--der") == 0)
            der_only = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return fprintf(stderr, "omnitls decode: unknown option %s\n", argv[i]), CLI_EXIT_USAGE;
        else if (path == NULL)
            path = argv[i];
        else
            return fprintf(stderr, "omnitls decode: one file only\n"), CLI_EXIT_USAGE;
    }
    if (path == NULL) {
        fprintf(stderr, "usage: omnitls decode [--sort-keys] [--der] FILE (- for stdin)\n");
        return CLI_EXIT_USAGE;
    }
    size_t len = 0;
    unsigned char *data = read_all(path, &len);
    if (data == NULL) {
        fprintf(stderr, "omnitls decode: cannot read %s\n", path);
        return CLI_EXIT_FAILURE;
    }
    otls_cert *cert = NULL;
    otls_error err = {0};
    otls_status st = der_only ? otls_cert_decode(data, len, &cert, &err)
                              : otls_cert_decode_pem(data, len, &cert, &err);
    free(data);
    if (st != OTLS_OK) {
        fprintf(stderr, "omnitls decode: %s: %s\n", otls_status_name(st), err.message);
        return CLI_EXIT_FAILURE;
    }
    char *json = NULL;
    size_t json_len = 0;
    st = otls_cert_to_json(cert, flags, &json, &json_len);
    otls_cert_free(cert);
    if (st != OTLS_OK) {
        fprintf(stderr, "omnitls decode: %s\n", otls_status_name(st));
        return CLI_EXIT_FAILURE;
    }
    fwrite(json, 1, json_len, stdout);
    fputc('\n', stdout);
    otls_free_string(json);
    return CLI_EXIT_OK;
}
