/* `omnitls matrix`: every client backend x server backend x TLS version x
 * key type, each cell one handshake in this process (the demo's peers over
 * a socket pair, the server in a thread, mutual authentication with a fresh
 * test PKI), then the two ends' facts compared with each other and with
 * what was sent. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "demo.h"
#include "json.h"
#include "matrix.h"
#include "net.h"
#include "sha256.h"

#define MX_MAX_DIFFS 16

enum mx_result { MX_OK, MX_DISAGREE, MX_FAILED, MX_NA };
static const char *const result_name[] = {"ok", "disagree", "failed", "n/a"};

/* One field on which the ends differ: what each side has (for the
 * certificate fields, "client" is what the client saw and "server" what the
 * server sent, or the other way round for the client's certificate). */
struct mx_diff {
    const char *field;
    char *client, *server;
};

struct mx_cell {
    const otls_backend_info *client, *server;
    otls_tls_version tls;
    enum tpki_key_type key;
    enum mx_result result;
    char reason[2200]; /* n/a and failed: both peers' errors */
    struct mx_facts cf, sf;
    struct mx_diff diff[MX_MAX_DIFFS];
    size_t ndiff;
};

static void take(otls_conn *conn, void *user)
{
    mx_facts_take(user, conn);
}

static void *server_main(void *arg)
{
    cli_peer_run(arg);
    return NULL;
}

/* n/a when the backend refuses the cell's version: the library's reason. */
static int unsupported(const otls_backend_info *b, otls_role role, otls_tls_version v, char *why,
                       size_t why_len)
{
    otls_error e = {OTLS_OK, ""};
    otls_ctx *ctx = otls_ctx_new(b->name, role, &e);
    otls_status st;
    int na = 0;

    if (!ctx)
        return 0; /* the real attempt reports it */
    st = otls_ctx_set_versions(ctx, v, v);
    if (st == OTLS_ERR_UNSUPPORTED) {
        const char *msg = otls_ctx_error(ctx);
        /* The library's reason, naming the backend when it does not. */
        if (strstr(msg, b->name))
            snprintf(why, why_len, "%s", msg);
        else
            snprintf(why, why_len, "%s: %s", b->name, msg);
        na = 1;
    }
    otls_ctx_free(ctx);
    return na;
}

static const char *shown(const struct mx_fact *x)
{
    return x->value ? x->value : x->err ? x->err : "none";
}

static void add_diff(struct mx_cell *c, const char *field, const char *client, const char *server)
{
    struct mx_diff *d;

    if (c->ndiff == MX_MAX_DIFFS)
        return;
    d = &c->diff[c->ndiff++];
    d->field = field;
    d->client = mx_strdupf("%s", client);
    d->server = mx_strdupf("%s", server);
}

/* What a side saw of the other's certificate against what was sent. */
static void check_sent(struct mx_cell *c, const struct mx_facts *seen, int seen_by_client,
                       const struct tpki_blob *leaf, const struct tpki *pki, const char *names[3])
{
    otls_der sent[3] = {{leaf->data, leaf->len},
                        {pki->inter_der.data, pki->inter_der.len},
                        {pki->root_der.data, pki->root_der.len}};
    char *want[3] = {mx_chain_text(sent, 1), mx_chain_text(sent, 2), mx_chain_text(sent, 3)};
    enum mx_field field[3] = {MX_PEER_CERT, MX_UNVERIFIED_CHAIN, MX_VERIFIED_CHAIN};

    for (int i = 0; i < 3; i++) {
        const struct mx_fact *x = &seen->f[field[i]];
        if (!want[i] || (x->value && strcmp(x->value, want[i]) == 0))
            continue;
        if (seen_by_client)
            add_diff(c, names[i], shown(x), want[i]);
        else
            add_diff(c, names[i], want[i], shown(x));
    }
    for (int i = 0; i < 3; i++)
        free(want[i]);
}

static void compare(struct mx_cell *c, const struct tpki *pki)
{
    static const enum mx_field same[] = {MX_VERSION,     MX_CIPHER,     MX_CIPHER_IANA,
                                         MX_ALPN,        MX_TLS_UNIQUE, MX_TLS_SERVER_END_POINT,
                                         MX_TLS_EXPORTER};
    static const char *server_names[3] = {"server_cert", "server_chain", "server_verified_chain"};
    static const char *client_names[3] = {"client_cert", "client_chain", "client_verified_chain"};
    const char *want = c->tls == OTLS_TLS1_3 ? "TLSv1.3" : "TLSv1.2";

    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        const struct mx_fact *a = &c->cf.f[same[i]], *b = &c->sf.f[same[i]];
        if (!mx_fact_same(a, b))
            add_diff(c, mx_field_name[same[i]], shown(a), shown(b));
    }
    if (!c->cf.f[MX_VERSION].value || strcmp(c->cf.f[MX_VERSION].value, want) != 0) {
        c->result = MX_FAILED;
        snprintf(c->reason, sizeof c->reason, "negotiated %s, not %s", shown(&c->cf.f[MX_VERSION]),
                 want);
    }
    check_sent(c, &c->cf, 1, &pki->server_der, pki, server_names);
    check_sent(c, &c->sf, 0, &pki->client_der, pki, client_names);
    if (c->cf.oom || c->sf.oom) {
        c->result = MX_FAILED;
        snprintf(c->reason, sizeof c->reason, "out of memory");
    } else if (c->result == MX_OK && c->ndiff > 0) {
        c->result = MX_DISAGREE;
    }
}

static void run_cell(struct mx_cell *c, const struct tpki *pki)
{
    struct cli_demo_opts opts = {c->client->name, c->server->name, c->tls, c->key,
                                 OTLS_VERIFY_REQUIRED};
    struct cli_peer client, server;
    char err[1024];
    int fds[2];
    pthread_t thread;
    int rc;

    if (unsupported(c->client, OTLS_CLIENT, c->tls, c->reason, sizeof c->reason) ||
        unsupported(c->server, OTLS_SERVER, c->tls, c->reason, sizeof c->reason)) {
        c->result = MX_NA;
        return;
    }
    c->result = MX_FAILED;
    memset(&client, 0, sizeof client);
    memset(&server, 0, sizeof server);
    client.role = OTLS_CLIENT;
    server.role = OTLS_SERVER;
    client.inspect = server.inspect = take;
    client.inspect_user = &c->cf;
    server.inspect_user = &c->sf;
    if (!(server.ctx = cli_demo_ctx(OTLS_SERVER, &opts, pki, err, sizeof err)) ||
        !(client.ctx = cli_demo_ctx(OTLS_CLIENT, &opts, pki, err, sizeof err))) {
        snprintf(c->reason, sizeof c->reason, "%s", err);
        goto out;
    }
    if (cli_net_pair(fds, err, sizeof err) != 0) {
        snprintf(c->reason, sizeof c->reason, "%s", err);
        goto out;
    }
    client.fd = fds[0];
    server.fd = fds[1];
    rc = pthread_create(&thread, NULL, server_main, &server);
    if (rc != 0) {
        snprintf(c->reason, sizeof c->reason, "pthread_create: %s", strerror(rc));
        close(fds[0]);
        close(fds[1]);
        goto out;
    }
    cli_peer_run(&client);
    pthread_join(thread, NULL);
    if (!client.ok || !server.ok) {
        /* Both, as either may have failed because the other did. */
        snprintf(c->reason, sizeof c->reason, "%s%s%s%s%s",
                 client.ok ? "" : "client: ", client.ok ? "" : client.err,
                 !client.ok && !server.ok ? "; " : "",
                 server.ok ? "" : "server: ", server.ok ? "" : server.err);
        goto out;
    }
    c->result = MX_OK;
    compare(c, pki);
out:
    cli_json_free(&client.report);
    cli_json_free(&server.report);
    otls_ctx_free(client.ctx);
    otls_ctx_free(server.ctx);
}

static void free_cell(struct mx_cell *c)
{
    mx_facts_free(&c->cf);
    mx_facts_free(&c->sf);
    for (size_t i = 0; i < c->ndiff; i++) {
        free(c->diff[i].client);
        free(c->diff[i].server);
    }
}

static const char *tls_name(otls_tls_version v)
{
    return v == OTLS_TLS1_3 ? "1.3" : "1.2";
}

static const char *key_name(enum tpki_key_type k)
{
    return k == TPKI_RSA ? "rsa" : "ec";
}

/* The result column: "ok", "n/a: reason", "failed: reason" or
 * "disagree: field, field". */
static void result_text(const struct mx_cell *c, char *out, size_t len)
{
    size_t n;

    if (c->result == MX_OK) {
        snprintf(out, len, "ok");
        return;
    }
    if (c->result != MX_DISAGREE) {
        snprintf(out, len, "%s: %s", result_name[c->result], c->reason);
        return;
    }
    n = (size_t)snprintf(out, len, "disagree:");
    for (size_t i = 0; i < c->ndiff && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "%s %s", i ? "," : "", c->diff[i].field);
}

static const char *fact_or_dash(const struct mx_cell *c, enum mx_field k)
{
    return c->result == MX_OK || c->result == MX_DISAGREE ? shown(&c->cf.f[k]) : "-";
}

static void print_table(const struct mx_cell *cells, size_t n, enum mx_format format)
{
    char res[2048];
    int md = format == MX_MARKDOWN;

    if (md)
        printf("| client | server | TLS | key | version | cipher | result |\n"
               "|---|---|---|---|---|---|---|\n");
    else
        printf("%-8s %-8s %-3s %-3s %-7s %-30s %s\n", "client", "server", "tls", "key", "version",
               "cipher", "result");
    for (size_t i = 0; i < n; i++) {
        const struct mx_cell *c = &cells[i];
        result_text(c, res, sizeof res);
        if (md) {
            /* A | inside a reason would end the cell. */
            for (char *p = res; *p; p++)
                if (*p == '|')
                    *p = '/';
            printf("| %s | %s | %s | %s | %s | %s | %s |\n", c->client->name, c->server->name,
                   tls_name(c->tls), key_name(c->key), fact_or_dash(c, MX_VERSION),
                   fact_or_dash(c, MX_CIPHER), res);
        } else {
            printf("%-8s %-8s %-3s %-3s %-7s %-30s %s\n", c->client->name, c->server->name,
                   tls_name(c->tls), key_name(c->key), fact_or_dash(c, MX_VERSION),
                   fact_or_dash(c, MX_CIPHER), res);
        }
    }
    for (size_t i = 0, any = 0; i < n; i++)
        for (size_t k = 0; k < cells[i].ndiff; k++) {
            if (!any++)
                printf("\ndisagreements (client value; server value):\n%s", md ? "\n" : "");
            printf("%s%s -> %s, TLS %s, %s: %s: client %s; server %s\n", md ? "- " : "  ",
                   cells[i].client->name, cells[i].server->name, tls_name(cells[i].tls),
                   key_name(cells[i].key), cells[i].diff[k].field, cells[i].diff[k].client,
                   cells[i].diff[k].server);
        }
}

static void json_fact(struct cli_json *w, const struct mx_fact *x)
{
    cli_json_string(w, x->value);
}

static void json_side(struct cli_json *w, const struct mx_facts *f)
{
    cli_json_begin_object(w);
    for (int k = 0; k < MX_NFIELDS; k++) {
        if (k == MX_PEER_CERT_JSON)
            continue; /* the fingerprint says it: the matrix compares, not decodes */
        cli_json_key(w, mx_field_name[k]);
        if (k == MX_UNVERIFIED_CHAIN || k == MX_VERIFIED_CHAIN)
            mx_json_chain(w, f->f[k].value);
        else
            json_fact(w, &f->f[k]);
    }
    cli_json_key(w, "errors");
    cli_json_begin_object(w);
    for (int k = 0; k < MX_NFIELDS; k++)
        if (k != MX_PEER_CERT_JSON && f->f[k].err) {
            cli_json_key(w, mx_field_name[k]);
            cli_json_string(w, f->f[k].err);
        }
    cli_json_end_object(w);
    cli_json_end_object(w);
}

static int print_json(const struct mx_cell *cells, size_t n, const otls_backend_info *b, size_t nb,
                      const size_t count[4])
{
    struct cli_json w;
    int rc;

    cli_json_init(&w);
    cli_json_begin_object(&w);
    cli_json_key(&w, "schema");
    cli_json_int(&w, MX_SCHEMA);
    cli_json_key(&w, "mode");
    cli_json_string(&w, "interop");
    cli_json_key(&w, "omnitls_version");
    cli_json_string(&w, otls_version());
    mx_json_backends(&w, b, nb);
    cli_json_key(&w, "cells");
    cli_json_begin_array(&w);
    for (size_t i = 0; i < n; i++) {
        const struct mx_cell *c = &cells[i];
        int ran = c->result == MX_OK || c->result == MX_DISAGREE;
        cli_json_begin_object(&w);
        cli_json_key(&w, "client");
        cli_json_string(&w, c->client->name);
        cli_json_key(&w, "server");
        cli_json_string(&w, c->server->name);
        cli_json_key(&w, "tls");
        cli_json_string(&w, tls_name(c->tls));
        cli_json_key(&w, "key");
        cli_json_string(&w, key_name(c->key));
        cli_json_key(&w, "result");
        cli_json_string(&w, result_name[c->result]);
        cli_json_key(&w, "reason");
        cli_json_string(&w, ran ? NULL : c->reason);
        cli_json_key(&w, "version");
        cli_json_string(&w, ran ? c->cf.f[MX_VERSION].value : NULL);
        cli_json_key(&w, "cipher");
        cli_json_string(&w, ran ? c->cf.f[MX_CIPHER].value : NULL);
        cli_json_key(&w, "disagreements");
        cli_json_begin_array(&w);
        for (size_t k = 0; k < c->ndiff; k++) {
            cli_json_begin_object(&w);
            cli_json_key(&w, "field");
            cli_json_string(&w, c->diff[k].field);
            cli_json_key(&w, "client");
            cli_json_string(&w, c->diff[k].client);
            cli_json_key(&w, "server");
            cli_json_string(&w, c->diff[k].server);
            cli_json_end_object(&w);
        }
        cli_json_end_array(&w);
        cli_json_key(&w, "client_facts");
        if (ran)
            json_side(&w, &c->cf);
        else
            cli_json_null(&w);
        cli_json_key(&w, "server_facts");
        if (ran)
            json_side(&w, &c->sf);
        else
            cli_json_null(&w);
        cli_json_end_object(&w);
    }
    cli_json_end_array(&w);
    cli_json_key(&w, "summary");
    cli_json_begin_object(&w);
    cli_json_key(&w, "cells");
    cli_json_int(&w, (long long)n);
    for (int r = 0; r < 4; r++) {
        cli_json_key(&w, result_name[r]);
        cli_json_int(&w, (long long)count[r]);
    }
    cli_json_end_object(&w);
    cli_json_key(&w, "agree");
    cli_json_bool(&w, count[MX_DISAGREE] == 0 && count[MX_FAILED] == 0);
    cli_json_end_object(&w);
    rc = mx_print_json(&w, stdout);
    cli_json_free(&w);
    return rc;
}

int mx_interop_main(enum mx_format format)
{
    static const otls_tls_version versions[] = {OTLS_TLS1_2, OTLS_TLS1_3};
    static const enum tpki_key_type keys[] = {TPKI_EC, TPKI_RSA};
    const otls_backend_info *b = NULL;
    size_t nb = 0, n = 0, count[4] = {0, 0, 0, 0};
    struct tpki pki[2];
    struct mx_cell *cells;
    char err[1024];
    int rc = CLI_EXIT_FAILURE;

    memset(pki, 0, sizeof pki);
    if (otls_backends(&b, &nb) != OTLS_OK || nb == 0) {
        fputs("omnitls matrix: no backend available\n", stderr);
        return CLI_EXIT_FAILURE;
    }
    cells = calloc(nb * nb * 4, sizeof *cells);
    if (!cells) {
        fputs("omnitls matrix: out of memory\n", stderr);
        return CLI_EXIT_FAILURE;
    }
    for (int k = 0; k < 2; k++)
        if (tpki_generate(&pki[k], keys[k], err, sizeof err) != 0) {
            fprintf(stderr, "omnitls matrix: test PKI: %s\n", err);
            goto out;
        }
    for (size_t ci = 0; ci < nb; ci++)
        for (size_t si = 0; si < nb; si++)
            for (int v = 0; v < 2; v++)
                for (int k = 0; k < 2; k++) {
                    struct mx_cell *c = &cells[n++];
                    c->client = &b[ci];
                    c->server = &b[si];
                    c->tls = versions[v];
                    c->key = keys[k];
                    run_cell(c, &pki[k]);
                    count[c->result]++;
                }
    if (format == MX_JSON) {
        if (print_json(cells, n, b, nb, count) != 0)
            goto out;
    } else {
        print_table(cells, n, format);
        printf("\n%zu cells: %zu ok, %zu disagree, %zu failed, %zu n/a\n", n, count[MX_OK],
               count[MX_DISAGREE], count[MX_FAILED], count[MX_NA]);
        if (fflush(stdout) != 0)
            goto out;
    }
    rc = count[MX_DISAGREE] || count[MX_FAILED] ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
out:
    for (size_t i = 0; i < n; i++)
        free_cell(&cells[i]);
    free(cells);
    tpki_free(&pki[0]);
    tpki_free(&pki[1]);
    return rc;
}
