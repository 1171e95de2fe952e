/* The facts of one connection as text, for `omnitls matrix` to compare and
 * print (see matrix.h). Certificates are compared by SHA-256 fingerprint:
 * equal fingerprints are equal DER. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <omnitls/cert.h>

#include "cli.h"
#include "json.h"
#include "matrix.h"
#include "sha256.h"

const char *const mx_field_name[MX_NFIELDS] = {
    "version",     "cipher",           "cipher_iana",    "alpn",       "peer_cert_sha256",
    "peer_cert",   "unverified_chain", "verified_chain", "tls-unique", "tls-server-end-point",
    "tls-exporter"};

char *mx_strdupf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(s = malloc((size_t)n + 1)))
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *mx_chain_text(const otls_der *certs, size_t count)
{
    char *s = malloc(count * 65 + 1);

    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        cli_sha256_hex(certs[i].data, certs[i].len, s + 65 * i);
        s[65 * i + 64] = i + 1 < count ? ' ' : '\0';
    }
    return s;
}

/* Records the outcome of one call: value (already built, may be NULL on
 * OTLS_OK only when out of memory), or the error. */
static void set(struct mx_facts *f, enum mx_field k, otls_conn *conn, otls_status st, char *value)
{
    struct mx_fact *x = &f->f[k];

    if (st == OTLS_OK) {
        x->value = value;
        if (!value)
            f->oom = 1;
    } else if (st != OTLS_NONE) {
        free(value);
        x->err = mx_strdupf("%s: %s", otls_status_name(st), otls_conn_error(conn));
        if (!x->err)
            f->oom = 1;
    } else {
        free(value);
    }
}

static void take_binding(struct mx_facts *f, enum mx_field k, otls_conn *conn)
{
    uint8_t cb[OTLS_CHANNEL_BINDING_MAX];
    size_t len = sizeof cb;
    otls_status st = otls_channel_binding(conn, mx_field_name[k], cb, &len);
    char *hex = NULL;

    if (st == OTLS_OK && len <= sizeof cb && (hex = malloc(2 * len + 1))) {
        for (size_t i = 0; i < len; i++)
            snprintf(hex + 2 * i, 3, "%02x", cb[i]);
        hex[2 * len] = '\0';
    }
    set(f, k, conn, st, hex);
}

static void take_chain(struct mx_facts *f, enum mx_field k, otls_conn *conn)
{
    const otls_der *certs = NULL;
    size_t count = 0;
    otls_status st = k == MX_VERIFIED_CHAIN ? otls_verified_chain(conn, &certs, &count)
                                            : otls_unverified_chain(conn, &certs, &count);

    set(f, k, conn, st, st == OTLS_OK ? mx_chain_text(certs, count) : NULL);
}

/* Decoded whatever the verify mode (otls_peer_cert), unlike getpeercert(),
 * which is {} on a connection that did not verify: the point here is to
 * show what each stack received. */
static void take_peer_json(struct mx_facts *f, otls_conn *conn)
{
    otls_cert *cert = NULL;
    char *json = NULL;
    otls_status st = otls_peer_cert(conn, &cert);

    if (st == OTLS_OK) {
        st = otls_cert_to_json(cert, OTLS_JSON_SORT_KEYS, &json, NULL);
        otls_cert_free(cert);
        if (st != OTLS_OK) {
            f->oom = 1;
            return;
        }
        char *copy = mx_strdupf("%s", json);
        otls_free_string(json);
        json = copy;
    }
    set(f, MX_PEER_CERT_JSON, conn, st, json);
}

void mx_facts_take(struct mx_facts *f, otls_conn *conn)
{
    const char *text = NULL;
    otls_cipher_info c;
    const uint8_t *der = NULL;
    size_t len = 0;
    char fp[65];
    otls_status st;

    memset(f, 0, sizeof *f);
    st = otls_protocol(conn, &text);
    set(f, MX_VERSION, conn, st, st == OTLS_OK ? mx_strdupf("%s", text) : NULL);
    st = otls_cipher(conn, &c);
    set(f, MX_CIPHER, conn, st, st == OTLS_OK ? mx_strdupf("%s", c.name) : NULL);
    set(f, MX_CIPHER_IANA, conn, st,
        st == OTLS_OK ? mx_strdupf("0x%04X %s", (unsigned)c.iana_id, c.iana_name) : NULL);
    st = otls_alpn_selected(conn, &text);
    set(f, MX_ALPN, conn, st, st == OTLS_OK ? mx_strdupf("%s", text) : NULL);
    st = otls_peer_cert_der(conn, &der, &len);
    if (st == OTLS_OK)
        cli_sha256_hex(der, len, fp);
    set(f, MX_PEER_CERT, conn, st, st == OTLS_OK ? mx_strdupf("%s", fp) : NULL);
    take_peer_json(f, conn);
    take_chain(f, MX_UNVERIFIED_CHAIN, conn);
    take_chain(f, MX_VERIFIED_CHAIN, conn);
    take_binding(f, MX_TLS_UNIQUE, conn);
    take_binding(f, MX_TLS_SERVER_END_POINT, conn);
    take_binding(f, MX_TLS_EXPORTER, conn);
}

void mx_facts_free(struct mx_facts *f)
{
    for (int k = 0; k < MX_NFIELDS; k++) {
        free(f->f[k].value);
        free(f->f[k].err);
    }
    memset(f, 0, sizeof *f);
}

int mx_fact_same(const struct mx_fact *a, const struct mx_fact *b)
{
    if (!a->value || !b->value)
        return !a->value && !b->value;
    return strcmp(a->value, b->value) == 0;
}

void mx_json_chain(struct cli_json *w, const char *text)
{
    long n = 0;

    if (!text) {
        cli_json_null(w);
        return;
    }
    for (const char *p = text; *p; p += 64 + (p[64] == ' '))
        n++;
    cli_json_begin_object(w);
    cli_json_key(w, "length");
    cli_json_int(w, n);
    cli_json_key(w, "sha256");
    cli_json_begin_array(w);
    for (const char *p = text; *p; p += 64 + (p[64] == ' '))
        cli_json_string_n(w, p, 64);
    cli_json_end_array(w);
    cli_json_end_object(w);
}

int mx_print_json(struct cli_json *w, FILE *out)
{
    if (w->failed) {
        fputs("omnitls matrix: out of memory\n", stderr);
        return -1;
    }
    if (fwrite(w->buf, 1, w->len, out) != w->len || fputc('\n', out) == EOF || fflush(out) != 0) {
        perror("omnitls matrix: writing the result");
        return -1;
    }
    return 0;
}

void mx_json_backends(struct cli_json *w, const otls_backend_info *b, size_t nb)
{
    cli_json_key(w, "backends");
    cli_json_begin_array(w);
    for (size_t i = 0; i < nb; i++)
        cli_backend_json(w, &b[i]);
    cli_json_end_array(w);
}
