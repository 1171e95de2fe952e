/* The demo's two contexts, configured from the throw-away PKI. */
#include "demo.h"

#include <stdio.h>

static int check(otls_ctx *ctx, otls_status st, const char *side, const char *call, char *err,
                 size_t err_len)
{
    if (st == OTLS_OK)
        return 0;
    snprintf(err, err_len, "%s context: %s failed: %s: %s", side, call, otls_status_name(st),
             otls_ctx_error(ctx));
    return -1;
}

/* Verify mode and, on the client, the hostname check (on unless the mode is
 * NONE). Ordered so that it works whether or not the library refuses, as
 * Python does, VERIFY_NONE while the hostname check is on. */
static int set_verify(otls_ctx *ctx, otls_role role, otls_verify mode, const char *side, char *err,
                      size_t err_len)
{
    int client = role == OTLS_CLIENT;

    if (client && mode == OTLS_VERIFY_NONE &&
        check(ctx, otls_ctx_set_check_hostname(ctx, 0), side, "otls_ctx_set_check_hostname", err,
              err_len))
        return -1;
    if (check(ctx, otls_ctx_set_verify(ctx, mode), side, "otls_ctx_set_verify", err, err_len))
        return -1;
    if (client && mode != OTLS_VERIFY_NONE &&
        check(ctx, otls_ctx_set_check_hostname(ctx, 1), side, "otls_ctx_set_check_hostname", err,
              err_len))
        return -1;
    return 0;
}

otls_ctx *cli_demo_ctx(otls_role role, const struct cli_demo_opts *opts, const struct tpki *pki,
                       char *err, size_t err_len)
{
    static const char *const server_alpn[] = {"h2", "http/1.1"};
    static const char *const client_alpn[] = {"http/1.1"};
    int server = role == OTLS_SERVER;
    const char *side = server ? "server" : "client";
    const char *backend = server ? opts->server_backend : opts->client_backend;
    const struct tpki_blob *chain = server ? &pki->server_chain_pem : &pki->client_chain_pem;
    const struct tpki_blob *key = server ? &pki->server_key_pem : &pki->client_key_pem;
    otls_error e = {OTLS_OK, ""};
    otls_ctx *ctx = otls_ctx_new(backend, role, &e);

    if (!ctx) {
        e.message[sizeof e.message - 1] = '\0';
        snprintf(err, err_len, "%s context: otls_ctx_new(%s) failed: %s: %s", side,
                 backend ? backend : otls_default_backend(), otls_status_name(e.code), e.message);
        return NULL;
    }
    /* The client loads its chain too, so it can answer a certificate
     * request; the root verifies the peer on both sides. */
    if (check(ctx, otls_ctx_load_cert_chain_mem(ctx, chain->data, chain->len, key->data, key->len),
              side, "otls_ctx_load_cert_chain_mem", err, err_len) ||
        check(ctx, otls_ctx_load_ca_mem(ctx, pki->root_pem.data, pki->root_pem.len), side,
              "otls_ctx_load_ca_mem", err, err_len) ||
        set_verify(ctx, role, opts->verify, side, err, err_len) ||
        check(ctx,
              server ? otls_ctx_set_alpn(ctx, server_alpn, 2)
                     : otls_ctx_set_alpn(ctx, client_alpn, 1),
              side, "otls_ctx_set_alpn", err, err_len) ||
        (opts->version != OTLS_TLS_DEFAULT &&
         check(ctx, otls_ctx_set_versions(ctx, opts->version, opts->version), side,
               "otls_ctx_set_versions", err, err_len))) {
        otls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}
