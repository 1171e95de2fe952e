/* `omnitls demo`: options, the PKI, the two contexts, the server thread and
 * the client, then one JSON object {"client": REPORT, "server": REPORT}. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "demo.h"
#include "net.h"

struct server_job {
    struct cli_peer peer;
    int listen_fd;
};

static void *server_main(void *arg)
{
    struct server_job *job = arg;
    char err[256];

    job->peer.fd = cli_net_accept(job->listen_fd, err, sizeof err);
    if (job->peer.fd < 0) {
        cli_json_init(&job->peer.report);
        snprintf(job->peer.err, sizeof job->peer.err, "%s", err);
        return NULL;
    }
    cli_peer_run(&job->peer);
    return NULL;
}

/* Returns 0, or an exit code (help: 0 after printing; errors: 2). */
static int parse(int argc, char **argv, struct cli_demo_opts *o, int *done)
{
    int rc;

    *done = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        const char *opt = argv[i];

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_usage(stdout);
            *done = 1;
            return CLI_EXIT_OK;
        } else if (cli_option(argc, argv, &i, "--client-backend", &v)) {
            if ((rc = cli_check_backend("demo", "--client-backend", v)) != CLI_EXIT_OK)
                return rc;
            o->client_backend = v;
        } else if (cli_option(argc, argv, &i, "--server-backend", &v)) {
            if ((rc = cli_check_backend("demo", "--server-backend", v)) != CLI_EXIT_OK)
                return rc;
            o->server_backend = v;
        } else if (cli_option(argc, argv, &i, "--tls", &v)) {
            if (!v)
                return cli_usage_error("demo", "%s needs a value", opt);
            if (strcmp(v, "1.2") == 0)
                o->version = OTLS_TLS1_2;
            else if (strcmp(v, "1.3") == 0)
                o->version = OTLS_TLS1_3;
            else
                return cli_usage_error("demo", "--tls takes 1.2 or 1.3, not \"%s\"", v);
        } else if (cli_option(argc, argv, &i, "--key", &v)) {
            if (!v)
                return cli_usage_error("demo", "%s needs a value", opt);
            if (strcmp(v, "ec") == 0)
                o->key = TPKI_EC;
            else if (strcmp(v, "rsa") == 0)
                o->key = TPKI_RSA;
            else
                return cli_usage_error("demo", "--key takes ec or rsa, not \"%s\"", v);
        } else if (cli_option(argc, argv, &i, "--verify", &v)) {
            if (!v)
                return cli_usage_error("demo", "%s needs a value", opt);
            if (strcmp(v, "none") == 0)
                o->verify = OTLS_VERIFY_NONE;
            else if (strcmp(v, "optional") == 0)
                o->verify = OTLS_VERIFY_OPTIONAL;
            else if (strcmp(v, "required") == 0)
                o->verify = OTLS_VERIFY_REQUIRED;
            else
                return cli_usage_error("demo",
                                       "--verify takes none, optional or required, not \"%s\"", v);
        } else {
            return cli_usage_error("demo", "unknown option \"%s\"", argv[i]);
        }
    }
    return CLI_EXIT_OK;
}

/* Runs the connection: the server in a thread, the client here. Returns 0
 * when both sides succeeded. */
static int run(struct cli_peer *client, struct server_job *server)
{
    char err[256];
    pthread_t thread;
    unsigned port = 0;
    int rc;

    server->listen_fd = cli_net_listen(&port, err, sizeof err);
    if (server->listen_fd < 0) {
        fprintf(stderr, "omnitls demo: server: %s\n", err);
        return -1;
    }
    rc = pthread_create(&thread, NULL, server_main, server);
    if (rc != 0) {
        fprintf(stderr, "omnitls demo: server: pthread_create: %s\n", strerror(rc));
        close(server->listen_fd);
        return -1;
    }
    client->fd = cli_net_connect(port, err, sizeof err);
    if (client->fd < 0) {
        cli_json_init(&client->report);
        snprintf(client->err, sizeof client->err, "%s", err);
        cli_net_abort_listen(server->listen_fd); /* do not leave accept() waiting */
    } else {
        cli_peer_run(client);
    }
    pthread_join(thread, NULL);
    close(server->listen_fd);

    /* Both sides, as either may have failed because the other did. */
    if (!client->ok)
        fprintf(stderr, "omnitls demo: client: %s\n", client->err);
    if (!server->peer.ok)
        fprintf(stderr, "omnitls demo: server: %s\n", server->peer.err);
    return client->ok && server->peer.ok ? 0 : -1;
}

static int print_result(struct cli_peer *client, struct cli_peer *server)
{
    struct cli_json out;
    int rc = CLI_EXIT_OK;

    cli_json_init(&out);
    cli_json_begin_object(&out);
    cli_json_key(&out, "client");
    cli_json_raw(&out, client->report.buf, client->report.len);
    cli_json_key(&out, "server");
    cli_json_raw(&out, server->report.buf, server->report.len);
    cli_json_end_object(&out);
    if (out.failed) {
        fputs("omnitls demo: out of memory\n", stderr);
        rc = CLI_EXIT_FAILURE;
    } else if (fwrite(out.buf, 1, out.len, stdout) != out.len || fputc('\n', stdout) == EOF ||
               fflush(stdout) != 0) {
        perror("omnitls demo: writing the result");
        rc = CLI_EXIT_FAILURE;
    }
    cli_json_free(&out);
    return rc;
}

int cli_demo_main(int argc, char **argv)
{
    struct cli_demo_opts opts = {NULL, NULL, OTLS_TLS_DEFAULT, TPKI_EC, OTLS_VERIFY_REQUIRED};
    struct tpki pki;
    struct cli_peer client;
    struct server_job server;
    char err[1024];
    int done, rc = parse(argc, argv, &opts, &done);

    if (rc != CLI_EXIT_OK || done)
        return rc;
    memset(&pki, 0, sizeof pki);
    memset(&client, 0, sizeof client);
    memset(&server, 0, sizeof server);
    client.role = OTLS_CLIENT;
    server.peer.role = OTLS_SERVER;
    client.fd = server.peer.fd = -1;

    rc = CLI_EXIT_FAILURE;
    if (tpki_generate(&pki, opts.key, err, sizeof err) != 0) {
        fprintf(stderr, "omnitls demo: test PKI: %s\n", err);
        goto out;
    }
    server.peer.ctx = cli_demo_ctx(OTLS_SERVER, &opts, &pki, err, sizeof err);
    if (!server.peer.ctx) {
        fprintf(stderr, "omnitls demo: %s\n", err);
        goto out;
    }
    client.ctx = cli_demo_ctx(OTLS_CLIENT, &opts, &pki, err, sizeof err);
    if (!client.ctx) {
        fprintf(stderr, "omnitls demo: %s\n", err);
        goto out;
    }
    if (run(&client, &server) == 0)
        rc = print_result(&client, &server.peer);
out:
    cli_json_free(&client.report);
    cli_json_free(&server.peer.report);
    otls_ctx_free(client.ctx);
    otls_ctx_free(server.peer.ctx);
    tpki_free(&pki);
    return rc;
}
