/* The peer's hello, read from its first record before mbedTLS parses it.
 * It tells whether the extended master secret was negotiated (mbedTLS 2.28
 * keeps that in its private handshake state only), and lets a server act as
 * OpenSSL's does where mbedTLS differs: ALPN without overlap is ignored
 * rather than fatal, and with the default suite list the client's order
 * wins. */
#include <string.h>

#include <mbedtls/platform.h>

#include "mbedtls_backend.h"

#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define EXT_ALPN 16
#define EXT_EMS 23

/* What a hello says that matters here; pointers into the record. */
struct hello {
    int server;            /* a ServerHello (else a ClientHello) */
    const uint8_t *suites; /* ClientHello: cipher_suites, 2 bytes each */
    size_t suites_len;
    const uint8_t *alpn; /* ALPN ProtocolNameList body, or NULL */
    size_t alpn_len;
    int ems; /* extended_master_secret extension present */
};

/* A bounds-checked reader. */
struct reader {
    const uint8_t *p;
    size_t left;
};

static int skip(struct reader *r, size_t n)
{
    if (r->left < n)
        return -1;
    r->p += n;
    r->left -= n;
    return 0;
}

static int get(struct reader *r, size_t bytes, size_t *value)
{
    if (r->left < bytes)
        return -1;
    size_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v = (v << 8) | r->p[i];
    *value = v;
    return skip(r, bytes);
}

/* A vector with a length prefix of `bytes` bytes. */
static int vector(struct reader *r, size_t bytes, const uint8_t **data, size_t *len)
{
    if (get(r, bytes, len) != 0 || r->left < *len)
        return -1;
    *data = r->p;
    return skip(r, *len);
}

static int extensions(struct reader *r, struct hello *out)
{
    const uint8_t *all;
    size_t all_len;
    if (r->left == 0)
        return 0; /* no extensions at all */
    if (vector(r, 2, &all, &all_len) != 0)
        return -1;
    struct reader x = {all, all_len};
    while (x.left > 0) {
        size_t type;
        const uint8_t *body;
        size_t body_len;
        if (get(&x, 2, &type) != 0 || vector(&x, 2, &body, &body_len) != 0)
            return -1;
        if (type == EXT_EMS) {
            out->ems = 1;
        } else if (type == EXT_ALPN) {
            struct reader a = {body, body_len};
            if (vector(&a, 2, &out->alpn, &out->alpn_len) != 0)
                return -1;
        }
    }
    return 0;
}

/* Parses the body of the first handshake record; 0 on success. */
static int hello_parse(const uint8_t *rec, size_t len, struct hello *out)
{
    memset(out, 0, sizeof *out);
    struct reader r = {rec, len};
    size_t type, body_len;
    if (get(&r, 1, &type) != 0 || get(&r, 3, &body_len) != 0 || body_len > r.left)
        return -1; /* a hello split over records: leave it to mbedTLS */
    if (type != HS_CLIENT_HELLO && type != HS_SERVER_HELLO)
        return -1;
    struct reader b = {r.p, body_len};
    const uint8_t *ignored;
    size_t ignored_len;
    out->server = type == HS_SERVER_HELLO;
    /* version, random, session_id */
    if (skip(&b, 2 + 32) != 0 || vector(&b, 1, &ignored, &ignored_len) != 0)
        return -1;
    if (out->server) {
        /* cipher_suite, compression_method */
        if (skip(&b, 2 + 1) != 0)
            return -1;
    } else if (vector(&b, 2, &out->suites, &out->suites_len) != 0 ||
               vector(&b, 1, &ignored, &ignored_len) != 0) {
        return -1;
    }
    return extensions(&b, out);
}

/* The client offered ALPN and none of its protocols is ours. */
static int alpn_disjoint(const char *const *ours, const uint8_t *list, size_t len)
{
    for (const char *const *o = ours; *o != NULL; o++) {
        size_t olen = strlen(*o);
        for (size_t i = 0; i < len; i += 1 + (size_t)list[i]) {
            size_t n = list[i];
            if (i + 1 + n > len)
                return 0; /* malformed: let mbedTLS say so */
            if (n == olen && memcmp(list + i + 1, *o, n) == 0)
                return 0;
        }
    }
    return 1;
}

/* Acts on the peer's hello. */
static void hello_apply(struct oti_mbedtls_conn *c, const struct hello *h)
{
    int server = c->ctx->role == OTLS_SERVER;
    if (h->server == server)
        return; /* not the peer's hello */
    /* mbedTLS offers the extended master secret and accepts it whenever
     * the peer does, so the peer's hello decides. */
    c->ems = h->ems;
    if (!server)
        return;
    /* OpenSSL's server (and omnitls's OpenSSL backend) goes on without ALPN
     * when nothing overlaps; mbedTLS would send no_application_protocol. */
    if (c->alpn != NULL && h->alpn != NULL && alpn_disjoint(c->alpn, h->alpn, h->alpn_len))
        oti_mbedtls_conf_alpn_off(&c->conf);
    /* OpenSSL honours the client's order unless a suite list was set
     * (SSL_OP_CIPHER_SERVER_PREFERENCE); mbedTLS always picks by its own
     * list, so give it the client's order for this connection. */
    if (!c->custom_suites && c->suites != NULL && h->suites != NULL) {
        size_t n = 0;
        while (c->suites[n] != 0)
            n++;
        int *list = oti_mbedtls_suites_by_client(c->suites, n, h->suites, h->suites_len);
        if (list != NULL) {
            mbedtls_ssl_conf_ciphersuites(&c->conf, list);
            mbedtls_free(c->suites_by_client);
            c->suites_by_client = list;
        }
    }
}

/* A TLS record header, and the largest plaintext record body (a hello is
 * never encrypted) with the slack RFC 5246 allows. */
#define RECORD_HEADER 5
#define RECORD_MAX (16384 + 2048)

void oti_mbedtls_tap_free(struct oti_mbedtls_tap *tap)
{
    mbedtls_free(tap->buf);
    tap->buf = NULL;
    tap->len = tap->cap = 0;
    tap->done = 1;
}

/* Collects the first record; once it is whole, parses the hello in it and
 * acts on it before mbedTLS reads it (mbedTLS asks for exactly the bytes
 * of the record it is reading, so this runs before it parses the record). */
void oti_mbedtls_tap_feed(struct oti_mbedtls_conn *c, const unsigned char *buf, size_t n)
{
    struct oti_mbedtls_tap *t = &c->tap;
    if (t->len + n > t->cap) {
        size_t need = t->len + n, cap = t->cap ? t->cap : 512;
        while (cap < need)
            cap *= 2;
        if (cap > RECORD_HEADER + RECORD_MAX)
            cap = RECORD_HEADER + RECORD_MAX;
        if (need > cap) {
            oti_mbedtls_tap_free(t); /* not a hello we can read */
            return;
        }
        unsigned char *p = mbedtls_calloc(1, cap);
        if (p == NULL) {
            oti_mbedtls_tap_free(t); /* the defaults stand */
            return;
        }
        if (t->len > 0)
            memcpy(p, t->buf, t->len);
        mbedtls_free(t->buf);
        t->buf = p;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, buf, n);
    t->len += n;
    if (t->len < RECORD_HEADER)
        return;
    size_t body = ((size_t)t->buf[3] << 8) | t->buf[4];
    if (t->buf[0] != MBEDTLS_SSL_MSG_HANDSHAKE || body > RECORD_MAX) {
        oti_mbedtls_tap_free(t);
        return;
    }
    if (t->len < RECORD_HEADER + body)
        return;
    struct hello h;
    if (hello_parse(t->buf + RECORD_HEADER, body, &h) == 0)
        hello_apply(c, &h);
    oti_mbedtls_tap_free(t);
}
