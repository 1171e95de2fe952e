/* Library and context configuration: backends, the default backend, the
 * allocator, cipher lists, version limits, ALPN lists, role checks. */
#define _POSIX_C_SOURCE 200809L

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

Test(config, backends)
{
    const otls_backend_info *list = NULL;
    size_t n = 0;
    cr_assert_eq(otls_backends(&list, &n), OTLS_OK);
    cr_assert(list != NULL && n >= 1, "otls_backends lists %zu backends", n);
    const char *def = otls_default_backend();
    cr_assert(def != NULL && def[0], "otls_default_backend() is empty");
    int defaults = 0, found = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(list[i].name && list[i].name[0], "backend %zu has no name", i);
        cr_assert(list[i].library_version && list[i].library_version[0],
                  "backend %s has no library_version", list[i].name);
        cr_assert(list[i].features & (OTLS_FEAT_TLS12 | OTLS_FEAT_TLS13),
                  "backend %s speaks neither TLS 1.2 nor 1.3", list[i].name);
        for (size_t j = 0; j < i; j++)
            cr_assert(strcmp(list[i].name, list[j].name) != 0, "backend %s listed twice",
                      list[i].name);
        if (list[i].is_default) {
            defaults++;
            cr_assert_str_eq(list[i].name, def, "is_default marks %s, default is %s", list[i].name,
                             def);
        }
        if (strcmp(list[i].name, def) == 0)
            found = 1;
        cr_log_info("backend %s (%s) features 0x%x%s", list[i].name, list[i].library_version,
                    list[i].features, list[i].is_default ? " default" : "");

        /* Each listed backend makes contexts that say where they run. */
        otls_error err;
        otls_ctx *ctx = otls_ctx_new(list[i].name, OTLS_SERVER, &err);
        cr_assert(ctx != NULL, "otls_ctx_new(%s): %s", list[i].name, err.message);
        cr_assert_str_eq(otls_ctx_backend(ctx), list[i].name);
        cr_assert_str_eq(otls_ctx_error(ctx), "", "a fresh context has an error message");
        otls_ctx_free(ctx);
    }
    cr_assert(found, "default backend %s is not listed", def);
    cr_assert_eq(defaults, 1, "%d backends are marked is_default", defaults);

    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_CLIENT, NULL);
    cr_assert(ctx != NULL, "otls_ctx_new(NULL backend) failed");
    cr_assert_str_eq(otls_ctx_backend(ctx), def);
    otls_ctx_free(ctx);
    cr_assert_str_eq(otls_version(), OTLS_VERSION_STRING);
}

ParameterizedTestParameters(config, default_backend_env)
{
    return th_cells(0, 0);
}

/* OMNITLS_BACKEND picks the backend NULL selects. Set before any other call
 * into the library in this (fresh) test process. */
ParameterizedTest(struct th_cell *cell, config, default_backend_env)
{
    cr_assert(setenv("OMNITLS_BACKEND", cell->client_backend, 1) == 0);
    cr_assert_str_eq(otls_default_backend(), cell->client_backend);
    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_CLIENT, NULL);
    cr_assert(ctx != NULL);
    cr_assert_str_eq(otls_ctx_backend(ctx), cell->client_backend);
    otls_ctx_free(ctx);
    const otls_backend_info *info = th_backend(cell->client_backend);
    cr_assert(info && info->is_default, "is_default does not follow OMNITLS_BACKEND");
}

Test(config, unknown_backend)
{
    otls_error err;
    memset(&err, 0, sizeof err);
    otls_ctx *ctx = otls_ctx_new("no-such-backend", OTLS_CLIENT, &err);
    cr_assert(ctx == NULL, "a context on an unknown backend");
    cr_assert(err.code == OTLS_ERR_NOT_FOUND, "err.code %s", otls_status_name(err.code));
    cr_assert(err.message[0], "no message for an unknown backend");
    cr_assert(otls_ctx_new("no-such-backend", OTLS_SERVER, NULL) == NULL);

    memset(&err, 0, sizeof err);
    ctx = otls_ctx_new(NULL, (otls_role)7, &err);
    cr_assert(ctx == NULL, "a context with role 7");
    cr_assert(err.code == OTLS_ERR_INVALID_ARGUMENT && err.message[0], "role 7: %s \"%s\"",
              otls_status_name(err.code), err.message);
}

/* ------------------------------------------------------------------------ */
/* Allocator                                                                */

static atomic_long live, total;
static int user_token;
static atomic_int bad_user;

static void *count_malloc(size_t size, void *user)
{
    if (user != &user_token)
        atomic_store(&bad_user, 1);
    void *p = malloc(size ? size : 1);
    if (p) {
        atomic_fetch_add(&live, 1);
        atomic_fetch_add(&total, 1);
    }
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *user)
{
    if (user != &user_token)
        atomic_store(&bad_user, 1);
    void *p = realloc(ptr, size ? size : 1);
    if (p && ptr == NULL) {
        atomic_fetch_add(&live, 1);
        atomic_fetch_add(&total, 1);
    }
    return p;
}

static void count_free(void *ptr, void *user)
{
    if (user != &user_token)
        atomic_store(&bad_user, 1);
    if (ptr)
        atomic_fetch_sub(&live, 1);
    free(ptr);
}

/* omnitls's own allocations go through the user's allocator, and are all
 * returned once every object is freed. */
Test(config, allocator)
{
    cr_assert_eq(otls_set_allocator(NULL, NULL, count_free, &user_token),
                 OTLS_ERR_INVALID_ARGUMENT);
    cr_assert_eq(otls_set_allocator(count_malloc, NULL, NULL, &user_token),
                 OTLS_ERR_INVALID_ARGUMENT);
    otls_status st = otls_set_allocator(count_malloc, count_realloc, count_free, &user_token);
    cr_assert(st == OTLS_OK, "otls_set_allocator before any object: %s", otls_status_name(st));

    struct th_opts o = th_opts_default();
    o.server_verify = OTLS_VERIFY_REQUIRED;
    o.client_cert = 1;
    struct th_pair *p = th_pair_new(&o);
    th_pair_assert_ok(p);
    const char *proto = NULL;
    cr_assert_eq(otls_protocol(p->client, &proto), OTLS_OK);
    st = otls_set_allocator(count_malloc, NULL, count_free, &user_token);
    cr_assert(st == OTLS_ERR_STATE, "otls_set_allocator with live objects: %s",
              otls_status_name(st));
    th_pair_free(p);

    cr_assert(atomic_load(&total) > 0, "omnitls made no allocation through the allocator");
    cr_assert(atomic_load(&live) == 0, "%ld allocations still live after freeing everything",
              (long)atomic_load(&live));
    cr_assert(!atomic_load(&bad_user), "the allocator got a wrong user pointer");
}

/* ------------------------------------------------------------------------ */
/* Cipher lists, versions, ALPN lists, role checks                          */

ParameterizedTestParameters(config, ciphers)
{
    return th_cells(0, 0);
}

ParameterizedTest(struct th_cell *cell, config, ciphers)
{
    otls_ctx *ctx = otls_ctx_new(cell->client_backend, OTLS_CLIENT, NULL);
    cr_assert(ctx != NULL);
    otls_status st = otls_ctx_set_ciphers(ctx, "NOT-A-CIPHER");
    cr_assert(st == OTLS_ERR_PARSE, "unknown suite: %s", otls_status_name(st));
    cr_assert(strstr(otls_ctx_error(ctx), "NOT-A-CIPHER") != NULL,
              "message does not name the suite: \"%s\"", otls_ctx_error(ctx));

    /* The first unknown one is named, after known ones. */
    st = otls_ctx_set_ciphers(ctx, "ECDHE-RSA-AES128-GCM-SHA256:BOGUS-SUITE-1:BOGUS-SUITE-2");
    cr_assert(st == OTLS_ERR_PARSE, "list with an unknown suite: %s", otls_status_name(st));
    cr_assert(strstr(otls_ctx_error(ctx), "BOGUS-SUITE-1") != NULL,
              "message does not name the first unknown suite: \"%s\"", otls_ctx_error(ctx));

    /* OpenSSL-style and IANA names, mixed; NULL restores the default. */
    st = otls_ctx_set_ciphers(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                   "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256");
    cr_assert(st == OTLS_OK, "valid list: %s (%s)", otls_status_name(st), otls_ctx_error(ctx));
    st = otls_ctx_set_ciphers(ctx, NULL);
    cr_assert(st == OTLS_OK, "NULL list: %s (%s)", otls_status_name(st), otls_ctx_error(ctx));
    otls_ctx_free(ctx);
}

ParameterizedTestParameters(config, ciphers_changed_after_connect)
{
    return th_cells(TH_DIM_CROSS | TH_DIM_KEY, 0);
}

/* A connection keeps its contexts' suites as of otls_conn_new: both
 * contexts move to AES-256 after the connections were made and before
 * their handshakes, which still agree on AES-128; the next connection takes
 * AES-256 (an OpenSSL SSL reads its suites from its SSL_CTX). */
ParameterizedTest(struct th_cell *cell, config, ciphers_changed_after_connect)
{
    th_require_cell(cell);
    struct th_opts o = th_opts_cell(cell);
    o.version = OTLS_TLS1_2;
    th_require_version(cell->client_backend, OTLS_TLS1_2);
    th_require_version(cell->server_backend, OTLS_TLS1_2);
    const char *sig = cell->key == TPKI_EC ? "ECDSA" : "RSA";
    char aes128[64], aes256[64];
    snprintf(aes128, sizeof aes128, "ECDHE-%s-AES128-GCM-SHA256", sig);
    snprintf(aes256, sizeof aes256, "ECDHE-%s-AES256-GCM-SHA384", sig);
    o.client_ciphers = aes128;
    o.server_ciphers = aes128;
    o.transport = TH_CALLBACKS;
    otls_ctx *cctx = th_ctx_make(&o, OTLS_CLIENT);
    otls_ctx *sctx = th_ctx_make(&o, OTLS_SERVER);
    struct th_pair *p = th_pair_connect_only(cctx, sctx, &o);
    p->keep_ctx = 1;
    cr_assert(otls_ctx_set_ciphers(cctx, aes256) == OTLS_OK, "%s", otls_ctx_error(cctx));
    cr_assert(otls_ctx_set_ciphers(sctx, aes256) == OTLS_OK, "%s", otls_ctx_error(sctx));
    th_pair_drive(p);
    th_pair_assert_ok(p);
    struct th_pair *q = th_pair_connect(cctx, sctx, &o);
    th_pair_assert_ok(q);
    const char *want[2] = {aes128, aes256};
    struct th_pair *pairs[2] = {p, q};
    for (int i = 0; i < 2; i++) {
        otls_conn *ends[2] = {pairs[i]->client, pairs[i]->server};
        for (int j = 0; j < 2; j++) {
            otls_cipher_info ci;
            memset(&ci, 0, sizeof ci);
            cr_assert(otls_cipher(ends[j], &ci) == OTLS_OK && ci.name, "%s", pairs[i]->desc);
            cr_assert(strcmp(ci.name, want[i]) == 0, "%s: %s: %s %s, expected %s", pairs[i]->desc,
                      i ? "made after the change" : "made before the change",
                      j ? "server" : "client", ci.name, want[i]);
        }
    }
    th_pair_free(p);
    th_pair_free(q); /* and the contexts */
}

ParameterizedTestParameters(config, versions)
{
    return th_cells(0, 0);
}

ParameterizedTest(struct th_cell *cell, config, versions)
{
    const otls_backend_info *info = th_backend(cell->client_backend);
    otls_ctx *ctx = otls_ctx_new(cell->client_backend, OTLS_CLIENT, NULL);
    cr_assert(ctx != NULL);
    static const struct {
        int min, max;
    } bad[] = {
        {OTLS_TLS1_3, OTLS_TLS1_2}, /* min > max */
        {0x0301, OTLS_TLS_DEFAULT}, /* TLS 1.0: not 1.2/1.3 */
        {OTLS_TLS_DEFAULT, 0x0305},
        {0x0302, 0x0302},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        otls_status st =
            otls_ctx_set_versions(ctx, (otls_tls_version)bad[i].min, (otls_tls_version)bad[i].max);
        cr_assert(st == OTLS_ERR_INVALID_ARGUMENT, "set_versions(0x%04x, 0x%04x): %s", bad[i].min,
                  bad[i].max, otls_status_name(st));
        cr_assert(otls_ctx_error(ctx)[0], "set_versions(0x%04x, 0x%04x) left no message",
                  bad[i].min, bad[i].max);
    }
    cr_assert_eq(otls_ctx_set_versions(ctx, OTLS_TLS_DEFAULT, OTLS_TLS_DEFAULT), OTLS_OK);
    otls_status want13 = (info->features & OTLS_FEAT_TLS13) ? OTLS_OK : OTLS_ERR_UNSUPPORTED;
    otls_status st = otls_ctx_set_versions(ctx, OTLS_TLS1_3, OTLS_TLS1_3);
    cr_assert(st == want13, "set_versions(1.3, 1.3) on %s: %s, expected %s", info->name,
              otls_status_name(st), otls_status_name(want13));
    if (info->features & OTLS_FEAT_TLS12)
        cr_assert_eq(otls_ctx_set_versions(ctx, OTLS_TLS1_2, OTLS_TLS1_2), OTLS_OK);
    if ((info->features & (OTLS_FEAT_TLS12 | OTLS_FEAT_TLS13)) ==
        (OTLS_FEAT_TLS12 | OTLS_FEAT_TLS13))
        cr_assert_eq(otls_ctx_set_versions(ctx, OTLS_TLS1_2, OTLS_TLS1_3), OTLS_OK);
    otls_ctx_free(ctx);
}

ParameterizedTestParameters(config, alpn_lists)
{
    return th_cells(0, 0);
}

/* Each ALPN name is 1..255 bytes; count 0 turns ALPN off. */
ParameterizedTest(struct th_cell *cell, config, alpn_lists)
{
    th_require(cell->client_backend, OTLS_FEAT_ALPN, "ALPN");
    otls_ctx *ctx = otls_ctx_new(cell->client_backend, OTLS_CLIENT, NULL);
    cr_assert(ctx != NULL);
    char longest[256], too_long[257];
    memset(longest, 'a', 255);
    longest[255] = 0;
    memset(too_long, 'b', 256);
    too_long[256] = 0;

    const char *empty[] = {"h2", ""};
    otls_status st = otls_ctx_set_alpn(ctx, empty, 2);
    cr_assert(st == OTLS_ERR_INVALID_ARGUMENT && otls_ctx_error(ctx)[0], "empty ALPN name: %s",
              otls_status_name(st));
    const char *toolong[] = {too_long};
    st = otls_ctx_set_alpn(ctx, toolong, 1);
    cr_assert(st == OTLS_ERR_INVALID_ARGUMENT && otls_ctx_error(ctx)[0], "256-byte ALPN name: %s",
              otls_status_name(st));
    const char *withnull[] = {"h2", NULL};
    st = otls_ctx_set_alpn(ctx, withnull, 2);
    cr_assert(st == OTLS_ERR_INVALID_ARGUMENT, "NULL ALPN name: %s", otls_status_name(st));

    const char *ok[] = {longest, "h2"};
    st = otls_ctx_set_alpn(ctx, ok, 2);
    cr_assert(st == OTLS_OK, "255-byte ALPN name: %s (%s)", otls_status_name(st),
              otls_ctx_error(ctx));
    st = otls_ctx_set_alpn(ctx, NULL, 0);
    cr_assert(st == OTLS_OK, "ALPN off: %s (%s)", otls_status_name(st), otls_ctx_error(ctx));
    otls_ctx_free(ctx);
}

ParameterizedTestParameters(config, roles)
{
    return th_cells(0, 0);
}

/* The hostname check is a client setting. */
ParameterizedTest(struct th_cell *cell, config, roles)
{
    otls_ctx *ctx = otls_ctx_new(cell->server_backend, OTLS_SERVER, NULL);
    cr_assert(ctx != NULL);
    otls_status st = otls_ctx_set_check_hostname(ctx, 1);
    cr_assert(st == OTLS_ERR_STATE, "check_hostname on a server: %s", otls_status_name(st));
    cr_assert(otls_ctx_error(ctx)[0], "OTLS_ERR_STATE left no message");
    otls_ctx_free(ctx);

    ctx = otls_ctx_new(cell->client_backend, OTLS_CLIENT, NULL);
    cr_assert(ctx != NULL);
    cr_assert_eq(otls_ctx_set_check_hostname(ctx, 0), OTLS_OK);
    cr_assert_eq(otls_ctx_set_check_hostname(ctx, 1), OTLS_OK);
    otls_ctx_free(ctx);
}
