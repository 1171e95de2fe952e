/* `omnitls matrix --peer HOST:PORT`: one server as every client backend
 * sees it, side by side. Each backend connects once, on its own socket;
 * the facts of the backends whose handshake succeeded are compared field by
 * field. tls-unique and tls-exporter belong to one connection, so across
 * connections only whether each stack could give them is compared. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "matrix.h"
#include "net.h"

/* The rows: the handshake and verification, then the facts. */
enum { ROW_RESULT, ROW_VERIFY, ROW_ERROR, ROW_FACT0 };
#define NROWS (ROW_FACT0 + MX_NFIELDS)

struct mx_client {
    const otls_backend_info *b;
    int ok;             /* the handshake succeeded */
    int na;             /* the backend cannot do what was asked (--tls 1.3) */
    char result[40];    /* "ok" or the status name of the failure */
    const char *verify; /* "ok", "failed", "off" or "not reached" */
    char error[1024];
    struct mx_facts f;
    /* The two chains as shown: "<length>: <fingerprints>". */
    char *chain_shown[2];
};

static int per_connection(enum mx_field k)
{
    return k == MX_TLS_UNIQUE || k == MX_TLS_EXPORTER;
}

static void failed(struct mx_client *c, const char *what, otls_status st, const char *why)
{
    snprintf(c->result, sizeof c->result, "%s", otls_status_name(st));
    snprintf(c->error, sizeof c->error, "%s: %s: %s", what, otls_status_name(st), why);
}

static otls_ctx *make_ctx(struct mx_client *c, const struct mx_peer_opts *o)
{
    otls_error e = {OTLS_OK, ""};
    otls_ctx *ctx = otls_ctx_new(c->b->name, OTLS_CLIENT, &e);
    otls_status st;
    const char *what;

    if (!ctx) {
        e.message[sizeof e.message - 1] = '\0';
        failed(c, "otls_ctx_new", e.code, e.message);
        return NULL;
    }
    /* Without --cafile nothing can be verified: say so, and look anyway. */
    if (o->cafile && (st = otls_ctx_load_ca_file(ctx, o->cafile)) != OTLS_OK)
        what = "--cafile";
    else if (!o->cafile && (st = otls_ctx_set_check_hostname(ctx, 0)) != OTLS_OK)
        what = "otls_ctx_set_check_hostname";
    else if (!o->cafile && (st = otls_ctx_set_verify(ctx, OTLS_VERIFY_NONE)) != OTLS_OK)
        what = "otls_ctx_set_verify";
    else if (o->version && (st = otls_ctx_set_versions(ctx, o->version, o->version)) != OTLS_OK)
        what = "--tls";
    else if (o->alpn && (st = cli_set_alpn(ctx, o->alpn)) != OTLS_OK)
        what = "--alpn";
    else
        return ctx;
    failed(c, what, st, otls_ctx_error(ctx));
    if (st == OTLS_ERR_UNSUPPORTED) {
        /* Not a failure of this server: this stack cannot do it at all. */
        c->na = 1;
        snprintf(c->result, sizeof c->result, "n/a");
    }
    otls_ctx_free(ctx);
    return NULL;
}

static void run_client(struct mx_client *c, const struct mx_peer_opts *o)
{
    otls_ctx *ctx = make_ctx(c, o);
    otls_conn *conn = NULL;
    const char *name = o->servername ? o->servername : o->host;
    char err[512];
    otls_status st;
    int fd = -1;

    c->verify = "not reached";
    if (!ctx)
        return;
    fd = cli_net_dial(o->host, o->port, err, sizeof err);
    if (fd < 0) {
        failed(c, "connect", OTLS_ERR_IO, err);
        goto out;
    }
    if (!(conn = otls_conn_new(ctx))) {
        failed(c, "otls_conn_new", OTLS_ERR_NO_MEMORY, otls_ctx_error(ctx));
        goto out;
    }
    if ((st = otls_conn_set_fd(conn, fd)) != OTLS_OK ||
        (st = otls_conn_set_hostname(conn, name)) != OTLS_OK) {
        failed(c, "connection set-up", st, otls_conn_error(conn));
        goto out;
    }
    st = otls_handshake(conn);
    if (st != OTLS_OK) {
        failed(c, "otls_handshake", st, otls_conn_error(conn));
        if (st == OTLS_ERR_VERIFY)
            c->verify = "failed";
        else if (!o->cafile)
            c->verify = "off";
        goto out;
    }
    c->ok = 1;
    snprintf(c->result, sizeof c->result, "ok");
    c->verify = o->cafile ? "ok" : "off";
    mx_facts_take(&c->f, conn);
    for (int i = 0; i < 2; i++) {
        const char *fps = c->f.f[i ? MX_VERIFIED_CHAIN : MX_UNVERIFIED_CHAIN].value;
        if (fps && !(c->chain_shown[i] = mx_strdupf("%zu: %s", (strlen(fps) + 1) / 65, fps)))
            c->f.oom = 1;
    }
    otls_shutdown(conn); /* a courtesy: the facts are taken */
out:
    otls_conn_free(conn);
    if (fd >= 0)
        cli_net_close(fd, 0);
    otls_ctx_free(ctx);
}

/* The text of row r for client c, as compared and printed; NULL when the
 * row does not apply (the facts of a failed handshake). */
static const char *row_value(const struct mx_client *c, int r, int compare)
{
    const struct mx_fact *x;

    if (r == ROW_RESULT)
        return c->result;
    if (r == ROW_VERIFY)
        return c->verify;
    if (r == ROW_ERROR)
        return c->ok ? "-" : c->error;
    if (!c->ok)
        return NULL;
    x = &c->f.f[r - ROW_FACT0];
    if (!compare && x->value &&
        (r - ROW_FACT0 == MX_UNVERIFIED_CHAIN || r - ROW_FACT0 == MX_VERIFIED_CHAIN))
        return c->chain_shown[r - ROW_FACT0 == MX_VERIFIED_CHAIN];
    if (compare && per_connection((enum mx_field)(r - ROW_FACT0)))
        return x->value ? "available" : x->err ? x->err : "none";
    return x->value ? x->value : x->err ? x->err : "none";
}

static const char *row_name(int r)
{
    return r == ROW_RESULT   ? "result"
           : r == ROW_VERIFY ? "verify"
           : r == ROW_ERROR  ? "error"
                             : mx_field_name[r - ROW_FACT0];
}

/* 1 when the clients the row applies to give different values. The error
 * text is never compared: each stack words its errors its own way. For
 * per-connection bindings, availability alone is compared (an error's
 * wording aside). */
static int row_differs(const struct mx_client *cl, size_t n, int r)
{
    const char *first = NULL;

    if (r == ROW_ERROR)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = cl[i].na ? NULL : row_value(&cl[i], r, 1);
        if (!v)
            continue;
        if (r >= ROW_FACT0 && per_connection((enum mx_field)(r - ROW_FACT0)) &&
            strcmp(v, "available") != 0)
            v = "unavailable";
        if (!first)
            first = v;
        else if (strcmp(first, v) != 0)
            return 1;
    }
    return 0;
}

/* One line per distinct value of a row, naming the backends that see it
 * ("all" when every backend does); backends the row does not apply to (a
 * failed handshake) are left out. A row that differs is marked "*". */
static void print_text(const struct mx_client *cl, size_t n, const struct mx_peer_opts *o,
                       const int *differs)
{
    int width = 3;
    char *names = NULL;

    for (size_t i = 0; i < n; i++)
        width += (int)strlen(cl[i].b->name) + 1;
    names = malloc((size_t)width + 1);
    if (!names) {
        fputs("omnitls matrix: out of memory\n", stderr);
        return;
    }
    printf("peer %s:%s, servername %s, %s\n\n", o->host, o->port,
           o->servername ? o->servername : o->host,
           o->cafile ? "verified against --cafile" : "not verified (no --cafile)");
    for (int r = 0; r < NROWS; r++) {
        int line = 0;

        for (size_t i = 0; i < n; i++) {
            const char *v = row_value(&cl[i], r, 0);
            size_t members = 0, len = 0;
            int seen = 0;

            if (!v || (r == ROW_ERROR && strcmp(v, "-") == 0))
                continue;
            for (size_t j = 0; j < i && !seen; j++) {
                const char *u = row_value(&cl[j], r, 0);
                seen = u && strcmp(u, v) == 0;
            }
            if (seen)
                continue; /* printed with the first backend that has it */
            for (size_t j = i; j < n; j++) {
                const char *u = row_value(&cl[j], r, 0);
                if (u && strcmp(u, v) == 0) {
                    len += (size_t)sprintf(names + len, "%s%s", members ? "," : "", cl[j].b->name);
                    members++;
                }
            }
            printf("%s %-22s %-*s %s\n", line == 0 && differs[r] ? "*" : " ",
                   line == 0 ? row_name(r) : "", width - 3, members == n ? "all" : names, v);
            line++;
        }
    }
    free(names);
}

static void print_markdown(const struct mx_client *cl, size_t n, const int *differs)
{
    printf("| field |");
    for (size_t i = 0; i < n; i++)
        printf(" %s |", cl[i].b->name);
    printf("\n|---|");
    for (size_t i = 0; i < n; i++)
        printf("---|");
    printf("\n");
    for (int r = 0; r < NROWS; r++) {
        printf(differs[r] ? "| **%s** (differs) |" : "| %s |", row_name(r));
        for (size_t i = 0; i < n; i++) {
            const char *v = row_value(&cl[i], r, 0);
            printf(" ");
            for (const char *p = v ? v : "-"; *p; p++)
                fputc(*p == '|' ? '/' : *p, stdout); /* a | would end the cell */
            printf(" |");
        }
        printf("\n");
    }
}

static void print_verdict(const struct mx_client *cl, size_t n, const int *differs)
{
    size_t nok = 0, nna = 0, ndiff = 0;

    for (size_t i = 0; i < n; i++) {
        nok += cl[i].ok != 0;
        nna += cl[i].na != 0;
    }
    for (int r = 0; r < NROWS; r++)
        ndiff += differs[r] != 0;
    printf("\n%zu backends: %zu connected, %zu failed, %zu n/a; %zu fields differ%s\n", n, nok,
           n - nok - nna, nna, ndiff, ndiff ? " (marked *)" : "");
}

static void json_client(struct cli_json *w, const struct mx_client *c)
{
    const struct mx_facts *f = &c->f;

    cli_json_begin_object(w);
    cli_json_key(w, "backend");
    cli_json_string(w, c->b->name);
    cli_json_key(w, "result");
    cli_json_string(w, c->result);
    cli_json_key(w, "error");
    cli_json_string(w, c->ok ? NULL : c->error);
    cli_json_key(w, "verify");
    cli_json_string(w, c->verify);
    for (int k = 0; k < MX_TLS_UNIQUE; k++) {
        cli_json_key(w, mx_field_name[k]);
        if (k == MX_UNVERIFIED_CHAIN || k == MX_VERIFIED_CHAIN)
            mx_json_chain(w, f->f[k].value);
        else if (k == MX_PEER_CERT_JSON && f->f[k].value)
            cli_json_raw(w, f->f[k].value, strlen(f->f[k].value));
        else
            cli_json_string(w, f->f[k].value);
    }
    cli_json_key(w, "channel_binding");
    cli_json_begin_object(w);
    for (int k = MX_TLS_UNIQUE; k < MX_NFIELDS; k++) {
        cli_json_key(w, mx_field_name[k]);
        cli_json_string(w, f->f[k].value);
    }
    cli_json_end_object(w);
    cli_json_key(w, "errors");
    cli_json_begin_object(w);
    for (int k = 0; k < MX_NFIELDS; k++)
        if (f->f[k].err) {
            cli_json_key(w, mx_field_name[k]);
            cli_json_string(w, f->f[k].err);
        }
    cli_json_end_object(w);
    cli_json_end_object(w);
}

static int print_json(const struct mx_client *cl, size_t n, const struct mx_peer_opts *o,
                      const int *differs, int agree, const otls_backend_info *b)
{
    struct cli_json w;
    int rc;

    cli_json_init(&w);
    cli_json_begin_object(&w);
    cli_json_key(&w, "schema");
    cli_json_int(&w, MX_SCHEMA);
    cli_json_key(&w, "mode");
    cli_json_string(&w, "peer");
    cli_json_key(&w, "omnitls_version");
    cli_json_string(&w, otls_version());
    cli_json_key(&w, "peer");
    cli_json_begin_object(&w);
    cli_json_key(&w, "host");
    cli_json_string(&w, o->host);
    cli_json_key(&w, "port");
    cli_json_int(&w, atol(o->port));
    cli_json_key(&w, "servername");
    cli_json_string(&w, o->servername ? o->servername : o->host);
    cli_json_key(&w, "cafile");
    cli_json_string(&w, o->cafile);
    cli_json_key(&w, "alpn");
    cli_json_string(&w, o->alpn);
    cli_json_key(&w, "tls");
    cli_json_string(&w, o->version == OTLS_TLS1_2   ? "1.2"
                        : o->version == OTLS_TLS1_3 ? "1.3"
                                                    : NULL);
    cli_json_end_object(&w);
    mx_json_backends(&w, b, n);
    cli_json_key(&w, "clients");
    cli_json_begin_array(&w);
    for (size_t i = 0; i < n; i++)
        json_client(&w, &cl[i]);
    cli_json_end_array(&w);
    cli_json_key(&w, "differences");
    cli_json_begin_array(&w);
    for (int r = 0; r < NROWS; r++)
        if (differs[r])
            cli_json_string(&w, row_name(r));
    cli_json_end_array(&w);
    cli_json_key(&w, "agree");
    cli_json_bool(&w, agree);
    cli_json_end_object(&w);
    rc = mx_print_json(&w, stdout);
    cli_json_free(&w);
    return rc;
}

int mx_peer_main(const struct mx_peer_opts *o, enum mx_format format)
{
    const otls_backend_info *b = NULL;
    size_t n = 0;
    struct mx_client *cl;
    int differs[NROWS], agree = 1, rc = CLI_EXIT_FAILURE;

    if (otls_backends(&b, &n) != OTLS_OK || n == 0) {
        fputs("omnitls matrix: no backend available\n", stderr);
        return CLI_EXIT_FAILURE;
    }
    cl = calloc(n, sizeof *cl);
    if (!cl) {
        fputs("omnitls matrix: out of memory\n", stderr);
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < n; i++) {
        cl[i].b = &b[i];
        run_client(&cl[i], o);
        if ((!cl[i].ok && !cl[i].na) || cl[i].f.oom)
            agree = 0;
    }
    for (int r = 0; r < NROWS; r++)
        if ((differs[r] = row_differs(cl, n, r)))
            agree = 0;
    if (format == MX_JSON) {
        if (print_json(cl, n, o, differs, agree, b) != 0)
            goto out;
    } else {
        if (format == MX_MARKDOWN)
            print_markdown(cl, n, differs);
        else
            print_text(cl, n, o, differs);
        print_verdict(cl, n, differs);
        if (fflush(stdout) != 0)
            goto out;
    }
    rc = agree ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
out:
    for (size_t i = 0; i < n; i++) {
        mx_facts_free(&cl[i].f);
        free(cl[i].chain_shown[0]);
        free(cl[i].chain_shown[1]);
    }
    free(cl);
    return rc;
}
