/* `omnitls backends [--json]`: the backends built in, their TLS library
 * versions and features, and which one is the default. */
#include <stdio.h>
#include <string.h>

#include <omnitls/omnitls.h>

#include "cli.h"
#include "json.h"

static const struct {
    uint32_t bit;
    const char *name;
} features[] = {
    {OTLS_FEAT_TLS12, "tls1.2"},
    {OTLS_FEAT_TLS13, "tls1.3"},
    {OTLS_FEAT_VERIFIED_CHAIN, "verified-chain"},
    {OTLS_FEAT_TLS_UNIQUE, "tls-unique"},
    {OTLS_FEAT_EXPORTER, "exporter"},
    {OTLS_FEAT_ALPN, "alpn"},
    {OTLS_FEAT_SNI, "sni"},
    {OTLS_FEAT_RESUMPTION, "resumption"},
};
#define N_FEATURES (sizeof features / sizeof features[0])

int cli_backend_known(const char *name)
{
    const otls_backend_info *list = NULL;
    size_t count = 0;

    otls_backends(&list, &count);
    for (size_t i = 0; i < count; i++)
        if (list[i].name && strcmp(list[i].name, name) == 0)
            return 1;
    return 0;
}

int cli_check_backend(const char *cmd, const char *opt, const char *value)
{
    if (!value)
        return cli_usage_error(cmd, "%s needs a backend name", opt);
    if (!cli_backend_known(value)) {
        fprintf(stderr, "omnitls %s: unknown backend \"%s\"; available: ", cmd, value);
        cli_backend_list_names(stderr);
        fputs("\n", stderr);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

void cli_backend_list_names(FILE *out)
{
    const otls_backend_info *list = NULL;
    size_t count = 0;

    otls_backends(&list, &count);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%s", i ? ", " : "", list[i].name ? list[i].name : "?");
    if (count == 0)
        fputs("(none)", out);
}

static void print_text(const otls_backend_info *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const char *sep = "";

        printf("%-8s  %-30s  ", list[i].name ? list[i].name : "?",
               list[i].library_version ? list[i].library_version : "?");
        for (size_t f = 0; f < N_FEATURES; f++) {
            if (list[i].features & features[f].bit) {
                printf("%s%s", sep, features[f].name);
                sep = ",";
            }
        }
        printf("%s", list[i].is_default ? "  (default)" : "");
        if (list[i].plugin_path)
            printf("  plugin %s", list[i].plugin_path);
        printf("\n");
    }
    const char *errors = otls_backend_load_errors();
    if (*errors)
        printf("not loaded: %s\n", errors);
}

void cli_backend_json(struct cli_json *w, const otls_backend_info *b)
{
    cli_json_begin_object(w);
    cli_json_key(w, "name");
    cli_json_string(w, b->name);
    cli_json_key(w, "library_version");
    cli_json_string(w, b->library_version);
    cli_json_key(w, "features");
    cli_json_begin_array(w);
    for (size_t f = 0; f < N_FEATURES; f++)
        if (b->features & features[f].bit)
            cli_json_string(w, features[f].name);
    cli_json_end_array(w);
    cli_json_key(w, "default");
    cli_json_bool(w, b->is_default);
    cli_json_key(w, "plugin");
    if (b->plugin_path)
        cli_json_string(w, b->plugin_path);
    else
        cli_json_null(w);
    cli_json_end_object(w);
}

static int print_json(const otls_backend_info *list, size_t count)
{
    struct cli_json w;
    int rc = CLI_EXIT_OK;

    cli_json_init(&w);
    cli_json_begin_array(&w);
    for (size_t i = 0; i < count; i++)
        cli_backend_json(&w, &list[i]);
    cli_json_end_array(&w);
    /* The array's shape is fixed for other tools; load failures go to
     * stderr. */
    if (*otls_backend_load_errors())
        fprintf(stderr, "omnitls backends: not loaded: %s\n", otls_backend_load_errors());
    if (w.failed) {
        fputs("omnitls backends: out of memory\n", stderr);
        rc = CLI_EXIT_FAILURE;
    } else {
        fwrite(w.buf, 1, w.len, stdout);
        fputc('\n', stdout);
    }
    cli_json_free(&w);
    return rc;
}

int cli_backends_main(int argc, char **argv)
{
    const otls_backend_info *list = NULL;
    size_t count = 0;
    int json = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_usage(stdout);
            return CLI_EXIT_OK;
        } else {
            fprintf(stderr, "omnitls backends: unknown option \"%s\"\n\n", argv[i]);
            cli_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    otls_backends(&list, &count);
    if (json)
        return print_json(list, count);
    print_text(list, count);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
