/* Builds the REPORT of one connection (see report.h). Each field comes from
 * one introspection call: OTLS_OK gives the value, OTLS_NONE the documented
 * "nothing" form (null or []), an error gives null plus an "errors" entry
 * "<STATUS_NAME>: <otls_conn_error text>" under the field's name. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>

#include "base64.h"

/* Records a failed call in the errors object. The conn error text is copied
 * at once: it is only valid until the next call on conn. */
static void add_error(struct cli_json *errs, otls_conn *conn, const char *field, otls_status st)
{
    const char *name = otls_status_name(st);
    const char *text = otls_conn_error(conn);
    int n = snprintf(NULL, 0, "%s: %s", name, text);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;

    cli_json_key(errs, field);
    if (msg) {
        snprintf(msg, (size_t)n + 1, "%s: %s", name, text);
        cli_json_string(errs, msg);
        free(msg);
    } else {
        cli_json_string(errs, name); /* out of memory: keep at least the status */
    }
}

static void write_der(struct cli_json *w, const uint8_t *data, size_t len)
{
    char *b64 = cli_base64_encode(data, len);

    if (!b64) {
        w->failed = 1; /* out of memory: the whole report is unusable */
        return;
    }
    cli_json_string(w, b64);
    free(b64);
}

/* [name, protocol, bits], as Python's cipher() tuple. */
static void write_triple(struct cli_json *w, const otls_cipher_info *c)
{
    cli_json_begin_array(w);
    cli_json_string(w, c->name);
    cli_json_string(w, c->protocol);
    cli_json_int(w, c->secret_bits);
    cli_json_end_array(w);
}

static void write_cipher(struct cli_json *w, struct cli_json *errs, otls_conn *conn)
{
    otls_cipher_info info;
    otls_status st = otls_cipher(conn, &info);

    if (st != OTLS_OK) {
        /* Both fields come from this one call: both name the failure. */
        add_error(errs, conn, "cipher", st);
        add_error(errs, conn, "cipher_iana", st);
        cli_json_key(w, "cipher");
        cli_json_null(w);
        cli_json_key(w, "cipher_iana");
        cli_json_null(w);
        return;
    }
    char id[8];
    snprintf(id, sizeof id, "0x%04X", (unsigned)info.iana_id);
    cli_json_key(w, "cipher");
    write_triple(w, &info);
    cli_json_key(w, "cipher_iana");
    cli_json_begin_object(w);
    cli_json_key(w, "id");
    cli_json_string(w, id);
    cli_json_key(w, "name");
    cli_json_string(w, info.iana_name);
    cli_json_end_object(w);
}

/* A string-valued fact, already queried: OTLS_NONE gives null without an
 * error. Errors were recorded by note_error at query time. */
static void write_str_field(struct cli_json *w, const char *field, otls_status st,
                            const char *value)
{
    cli_json_key(w, field);
    cli_json_string(w, st == OTLS_OK ? value : NULL);
}

static void note_error(struct cli_json *errs, otls_conn *conn, const char *field, otls_status st)
{
    if (st != OTLS_OK && st != OTLS_NONE)
        add_error(errs, conn, field, st);
}

static void write_shared(struct cli_json *w, struct cli_json *errs, otls_conn *conn)
{
    const otls_cipher_info *list = NULL;
    size_t count = 0;
    otls_status st = otls_shared_ciphers(conn, &list, &count);

    cli_json_key(w, "shared_ciphers");
    if (st != OTLS_OK) {
        if (st != OTLS_NONE)
            add_error(errs, conn, "shared_ciphers", st);
        cli_json_null(w); /* the client's answer, as Python's None */
        return;
    }
    cli_json_begin_array(w);
    for (size_t i = 0; i < count; i++)
        write_triple(w, &list[i]);
    cli_json_end_array(w);
}

static void write_peer_cert(struct cli_json *w, struct cli_json *errs, otls_conn *conn)
{
    const uint8_t *der = NULL;
    size_t len = 0;
    otls_status st = otls_peer_cert_der(conn, &der, &len);

    cli_json_key(w, "peer_cert_der");
    if (st == OTLS_OK) {
        write_der(w, der, len);
        return;
    }
    if (st != OTLS_NONE)
        add_error(errs, conn, "peer_cert_der", st);
    cli_json_null(w);
}

static void write_chain(struct cli_json *w, struct cli_json *errs, otls_conn *conn,
                        const char *field, int verified)
{
    const otls_der *certs = NULL;
    size_t count = 0;
    otls_status st = verified ? otls_verified_chain(conn, &certs, &count)
                              : otls_unverified_chain(conn, &certs, &count);

    cli_json_key(w, field);
    if (st != OTLS_OK && st != OTLS_NONE) {
        add_error(errs, conn, field, st);
        cli_json_null(w);
        return;
    }
    cli_json_begin_array(w);
    for (size_t i = 0; st == OTLS_OK && i < count; i++)
        write_der(w, certs[i].data, certs[i].len);
    cli_json_end_array(w);
}

static void write_binding(struct cli_json *w, struct cli_json *errs, otls_conn *conn,
                          const char *type)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t buf[OTLS_CHANNEL_BINDING_MAX];
    size_t len = sizeof buf;
    otls_status st = otls_channel_binding(conn, type, buf, &len);

    cli_json_key(w, type);
    if (st != OTLS_OK) {
        add_error(errs, conn, type, st);
        cli_json_null(w);
        return;
    }
    char text[2 * OTLS_CHANNEL_BINDING_MAX + 1];
    if (len > sizeof buf)
        len = sizeof buf; /* a library bug; never read past our buffer */
    for (size_t i = 0; i < len; i++) {
        text[2 * i] = hex[buf[i] >> 4];
        text[2 * i + 1] = hex[buf[i] & 15];
    }
    cli_json_string_n(w, text, 2 * len);
}

void cli_report_write(struct cli_json *w, otls_conn *conn)
{
    struct cli_json errs;
    const char *version = NULL, *compression = NULL, *alpn = NULL, *sni = NULL;
    otls_status st, st_alpn, st_sni;

    cli_json_init(&errs);
    cli_json_begin_object(&errs);

    /* alpn and sni come after "errors" in the report but may add to it, so
     * they are queried first; their strings stay valid while conn lives. */
    st_alpn = otls_alpn_selected(conn, &alpn);
    note_error(&errs, conn, "alpn", st_alpn);
    st_sni = otls_server_name(conn, &sni);
    note_error(&errs, conn, "sni", st_sni);

    cli_json_begin_object(w);
    cli_json_key(w, "backend");
    cli_json_string(w, otls_conn_backend(conn));
    cli_json_key(w, "role");
    cli_json_string(w, otls_conn_role(conn) == OTLS_SERVER ? "server" : "client");

    st = otls_protocol(conn, &version);
    note_error(&errs, conn, "version", st);
    write_str_field(w, "version", st, version);
    write_cipher(w, &errs, conn);
    st = otls_compression(conn, &compression);
    note_error(&errs, conn, "compression", st);
    write_str_field(w, "compression", st, compression);
    write_shared(w, &errs, conn);
    write_peer_cert(w, &errs, conn);
    write_chain(w, &errs, conn, "unverified_chain", 0);
    write_chain(w, &errs, conn, "verified_chain", 1);

    cli_json_key(w, "channel_binding");
    cli_json_begin_object(w);
    write_binding(w, &errs, conn, "tls-unique");
    write_binding(w, &errs, conn, "tls-server-end-point");
    write_binding(w, &errs, conn, "tls-exporter");
    cli_json_end_object(w);

    cli_json_end_object(&errs);
    cli_json_key(w, "errors");
    if (errs.failed)
        w->failed = 1;
    else
        cli_json_raw(w, errs.buf, errs.len);
    cli_json_free(&errs);

    write_str_field(w, "alpn", st_alpn, alpn);
    write_str_field(w, "sni", st_sni, sni);
    cli_json_end_object(w);
}
