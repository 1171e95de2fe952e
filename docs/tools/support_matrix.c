/* Writes docs/support-matrix.md for this build, at build time, from what the
 * library reports: the backends otls_backends() lists (built in and plugins)
 * and the OTLS_FEAT_* flags each declares. Nothing here says which backend
 * supports what: that comes from the backends' own declarations, so the page
 * cannot drift from the code.
 *
 *   support_matrix OUT.md "SOURCE_BACKENDS" FLAG=VALUE... [--check]
 *
 * SOURCE_BACKENDS: the backends present in the source tree (backends/<name>),
 * to name those this build left out. FLAG=VALUE: every OTLS_FEAT_* macro of
 * omnitls.h, read by CMake, so that a new flag shows in the page even before
 * it has a row below; --check then fails (the test docs.support_matrix runs
 * it). A row names its flag through the macro itself: a renamed or removed
 * flag does not compile. */
#define _POSIX_C_SOURCE 200809L /* strtok_r */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omnitls/omnitls.h>

/* One row per operation or option. feature 0: done by the core for every
 * backend (a mandatory provider slot, or core logic over one). */
struct row {
    const char *what;
    const char *calls;
    uint32_t bit;        /* OTLS_FEAT_* value, or 0 */
    const char *feature; /* its macro name, or NULL */
    const char *notes;
};
#define FEAT(macro) macro, #macro
#define CORE 0, NULL

static const struct row rows[] = {
    {"TLS 1.2", "`otls_ctx_set_versions`", FEAT(OTLS_FEAT_TLS12), ""},
    {"TLS 1.3", "`otls_ctx_set_versions`", FEAT(OTLS_FEAT_TLS13),
     "asking a backend without it for 1.3 only: `OTLS_ERR_UNSUPPORTED`"},
    {"trust anchors: file, directory, memory (PEM or DER)", "`otls_ctx_load_ca_*`", CORE,
     "PEM is decoded in the core"},
    {"own chain and key (PKCS#8, PKCS#1, SEC1)", "`otls_ctx_load_cert_chain_*`", CORE,
     "encrypted keys: `OTLS_ERR_UNSUPPORTED` everywhere"},
    {"verify modes none / optional / required", "`otls_ctx_set_verify`", CORE,
     "client: optional acts as required (as in Python)"},
    {"hostname check (DNS and IP)", "`otls_conn_set_hostname`, `otls_ctx_set_check_hostname`", CORE,
     ""},
    {"cipher suites by name (OpenSSL or IANA)", "`otls_ctx_set_ciphers`", CORE,
     "suites a backend lacks are dropped, as OpenSSL does"},
    {"SNI", "`otls_conn_set_hostname`, `otls_server_name`", FEAT(OTLS_FEAT_SNI),
     "never sent for IP addresses"},
    {"ALPN", "`otls_ctx_set_alpn`, `otls_alpn_selected`", FEAT(OTLS_FEAT_ALPN), ""},
    {"transport: socket or callbacks, blocking or not", "`otls_conn_set_fd`, `otls_conn_set_io`",
     CORE, "`OTLS_WANT_READ` / `OTLS_WANT_WRITE`"},
    {"peer certificate, DER", "`otls_peer_cert_der`", CORE, ""},
    {"chain as sent, leaf first", "`otls_unverified_chain`", CORE, "client and server alike"},
    {"chain as verified, leaf .. anchor", "`otls_verified_chain`", FEAT(OTLS_FEAT_VERIFIED_CHAIN),
     "under `OTLS_VERIFY_NONE`: the chain as sent"},
    {"cipher and protocol (Python's names)", "`otls_cipher`, `otls_protocol`", CORE,
     "one table in the core, by IANA id"},
    {"shared ciphers", "`otls_shared_ciphers`", CORE,
     "server only; read from the ClientHello by the core"},
    {"compression", "`otls_compression`", CORE, "always none"},
    {"channel binding tls-unique", "`otls_channel_binding`", FEAT(OTLS_FEAT_TLS_UNIQUE),
     "TLS 1.3: refused unless `OTLS_FLAG_TLS13_UNIQUE`"},
    {"channel binding tls-server-end-point", "`otls_channel_binding`", CORE,
     "hashed by the provider's `digest` slot; Ed25519/Ed448 refused (RFC 5929)"},
    {"channel binding tls-exporter", "`otls_channel_binding`", FEAT(OTLS_FEAT_EXPORTER),
     "TLS 1.2: only with extended master secret (RFC 9266)"},
    {"session resumption (client)", "`otls_conn_get_session`, `otls_conn_set_session`",
     FEAT(OTLS_FEAT_RESUMPTION), ""},
};
#define N_ROWS (sizeof rows / sizeof rows[0])

struct flag {
    char name[64];
    uint32_t value;
};

static const struct row *row_for(const char *flag)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (rows[i].feature && strcmp(rows[i].feature, flag) == 0)
            return &rows[i];
    return NULL;
}

static void cells(FILE *out, const otls_backend_info *b, size_t nb, uint32_t bit)
{
    for (size_t i = 0; i < nb; i++)
        fputs(bit == 0 || (b[i].features & bit) ? " yes |" : " **no** |", out);
}

int main(int argc, char **argv)
{
    struct flag flags[32];
    size_t nflags = 0;
    int check = 0, missing = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT.md \"BACKENDS\" FLAG=VALUE... [--check]\n", argv[0]);
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (strcmp(argv[i], "--check") == 0) {
            check = 1;
        } else if (eq && nflags < 32 && (size_t)(eq - argv[i]) < sizeof flags[0].name) {
            snprintf(flags[nflags].name, sizeof flags[0].name, "%.*s", (int)(eq - argv[i]),
                     argv[i]);
            flags[nflags++].value = (uint32_t)strtoul(eq + 1, NULL, 0);
        }
    }

    const otls_backend_info *b = NULL;
    size_t nb = 0;
    otls_backends(&b, &nb);
    FILE *out = fopen(argv[1], "w");
    if (out == NULL) {
        perror(argv[1]);
        return 1;
    }

    fprintf(out,
            "# Backend support matrix\n\n"
            "Generated when omnitls %s was built, from the backends the library lists\n"
            "(`otls_backends()`) and the feature flags (`OTLS_FEAT_*`) each one declares;\n"
            "see `docs/tools/support_matrix.c`. `omnitls backends` prints the same facts\n"
            "for any installed build.\n\n",
            otls_version());
    fputs("| backend | TLS library | linked | default |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < nb; i++)
        fprintf(out, "| %s | %s | %s | %s |\n", b[i].name, b[i].library_version,
                b[i].plugin_path ? "plugin" : "built in", b[i].is_default ? "yes" : "");
    /* Backends in the source tree that this build does not have. */
    char src[256];
    snprintf(src, sizeof src, "%s", argv[2]);
    for (char *save = NULL, *name = strtok_r(src, " ;", &save); name;
         name = strtok_r(NULL, " ;", &save)) {
        int built = 0;
        for (size_t i = 0; i < nb; i++)
            built |= strcmp(b[i].name, name) == 0;
        if (!built)
            fprintf(out, "| %s | not in this build | | |\n", name);
    }

    fputs("\n## Operations and options\n\n"
          "\"yes\" without a flag: the core does it for every backend. \"**no**\": the call\n"
          "returns `OTLS_ERR_UNSUPPORTED` with a message that names the backend.\n\n"
          "| operation or option | calls | flag |",
          out);
    for (size_t i = 0; i < nb; i++)
        fprintf(out, " %s |", b[i].name);
    fputs(" notes |\n|---|---|---|", out);
    for (size_t i = 0; i <= nb; i++) /* the backends, then the notes */
        fputs("---|", out);
    fputc('\n', out);
    for (size_t r = 0; r < N_ROWS; r++) {
        fprintf(out, "| %s | %s | %s |", rows[r].what, rows[r].calls,
                rows[r].feature ? rows[r].feature + strlen("OTLS_FEAT_") : "");
        cells(out, b, nb, rows[r].bit);
        fprintf(out, " %s |\n", rows[r].notes);
    }
    /* A flag without a row still shows what the backends declare. */
    for (size_t f = 0; f < nflags; f++) {
        if (row_for(flags[f].name))
            continue;
        fprintf(stderr, "support_matrix: %s has no row in docs/tools/support_matrix.c\n",
                flags[f].name);
        missing = 1;
        fprintf(out, "| %s (no description yet) | | %s |", flags[f].name,
                flags[f].name + strlen("OTLS_FEAT_"));
        cells(out, b, nb, flags[f].value);
        fputs(" |\n", out);
    }
    const char *errors = otls_backend_load_errors();
    if (*errors)
        fprintf(out, "\nPlugins found but not loaded when this page was made: %s\n", errors);
    if (fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return check && missing ? 1 : 0;
}
