#include <string.h>

#include "clienthello.h"
#include "internal.h"

/* A record's plaintext is at most 2^14 bytes; allow the TLS 1.2 expansion. */
#define MAX_RECORD 18432
/* A hello larger than this is not worth buffering just for its facts. */
#define MAX_TAP (1u << 17)

#define EXT_ALPN 16
#define EXT_EMS 23
#define EXT_KEY_SHARE 51

enum oti_hello_result oti_hello_message(const uint8_t *data, size_t len, uint8_t *out, size_t cap,
                                        size_t *msg_len)
{
    size_t pos = 0, have = 0, want = 4; /* the 4-byte header, then its body */
    *msg_len = 0;
    while (have < want) {
        if (len - pos < 5)
            return OTI_HELLO_NEED_MORE;
        const uint8_t *h = data + pos;
        size_t rec_len = (size_t)h[3] << 8 | h[4];
        /* 22 = handshake; record versions are 3.x. */
        if (h[0] != 22 || h[1] != 3 || rec_len == 0 || rec_len > MAX_RECORD)
            return OTI_HELLO_MALFORMED;
        pos += 5;
        for (size_t end = pos + rec_len; pos < end && have < want; pos++) {
            if (pos >= len)
                return OTI_HELLO_NEED_MORE;
            if (have >= cap)
                return OTI_HELLO_MALFORMED;
            out[have++] = data[pos];
            if (have == 4) /* the header is whole: now the body's length */
                want = 4 + ((size_t)out[1] << 16 | (size_t)out[2] << 8 | out[3]);
        }
    }
    *msg_len = want;
    return OTI_HELLO_DONE;
}

/* A bounds-checked reader over one message. */
struct reader {
    const uint8_t *p;
    size_t left;
};

static int take(struct reader *r, size_t n, const uint8_t **at)
{
    if (r->left < n)
        return 0;
    if (at)
        *at = r->p;
    r->p += n;
    r->left -= n;
    return 1;
}

static int uint_n(struct reader *r, size_t n, size_t *v)
{
    const uint8_t *at;
    if (!take(r, n, &at))
        return 0;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = *v << 8 | at[i];
    return 1;
}

/* A vector with an n-byte length prefix. */
static int vec(struct reader *r, size_t n, const uint8_t **data, size_t *len)
{
    return uint_n(r, n, len) && take(r, *len, data);
}

static int extensions(struct reader *r, int type, struct oti_hello_view *out)
{
    const uint8_t *all;
    size_t all_len;
    if (r->left == 0)
        return 1; /* no extensions */
    if (!vec(r, 2, &all, &all_len) || r->left != 0)
        return 0;
    struct reader x = {all, all_len};
    while (x.left > 0) {
        size_t ext, len;
        const uint8_t *body;
        if (!uint_n(&x, 2, &ext) || !vec(&x, 2, &body, &len))
            return 0;
        if (ext == EXT_EMS) {
            out->ems = 1;
        } else if (ext == EXT_ALPN) {
            struct reader a = {body, len};
            if (!vec(&a, 2, &out->alpn, &out->alpn_len) || a.left != 0)
                return 0;
            out->has_alpn = 1;
        } else if (ext == EXT_KEY_SHARE && type == 2 && len >= 2) {
            /* A ServerHello's share, or a HelloRetryRequest's selected group:
             * either way the first two bytes name the group. */
            out->key_share_group = (uint16_t)(body[0] << 8 | body[1]);
        }
    }
    return 1;
}

enum oti_hello_result oti_hello_read(const uint8_t *msg, size_t len, int type,
                                     struct oti_hello_view *out)
{
    memset(out, 0, sizeof *out);
    struct reader r = {msg, len};
    size_t t, body_len, version;
    const uint8_t *ignored;
    size_t ignored_len;
    if (!uint_n(&r, 1, &t) || !uint_n(&r, 3, &body_len) || t != (size_t)type || body_len != r.left)
        return OTI_HELLO_MALFORMED;
    if (!uint_n(&r, 2, &version) || version >> 8 != 3 || !take(&r, 32, NULL) ||
        !vec(&r, 1, &ignored, &ignored_len) || ignored_len > 32)
        return OTI_HELLO_MALFORMED;
    if (type == 1) {
        if (!vec(&r, 2, &out->suites, &out->suites_len) || out->suites_len < 2 ||
            out->suites_len % 2 != 0 || !vec(&r, 1, &ignored, &ignored_len))
            return OTI_HELLO_MALFORMED;
    } else if (!take(&r, 2 + 1, NULL)) { /* cipher_suite, compression_method */
        return OTI_HELLO_MALFORMED;
    }
    return extensions(&r, type, out) ? OTI_HELLO_DONE : OTI_HELLO_MALFORMED;
}

enum oti_hello_result oti_hello_parse(const uint8_t *data, size_t len, uint16_t *suites, size_t cap,
                                      size_t *count)
{
    *count = 0;
    uint8_t *msg = oti_malloc(len ? len : 1);
    if (msg == NULL)
        return OTI_HELLO_MALFORMED;
    size_t msg_len;
    struct oti_hello_view v;
    enum oti_hello_result res = oti_hello_message(data, len, msg, len, &msg_len);
    if (res == OTI_HELLO_DONE)
        res = oti_hello_read(msg, msg_len, 1, &v);
    if (res == OTI_HELLO_DONE) {
        *count = v.suites_len / 2;
        for (size_t i = 0; i < *count && i < cap; i++)
            suites[i] = (uint16_t)(v.suites[2 * i] << 8 | v.suites[2 * i + 1]);
    }
    oti_free(msg);
    return res;
}

/* Publishes a complete hello; -1 when out of memory. */
static int publish(struct oti_hello_tap *tap, size_t msg_len)
{
    struct oti_hello_view v;
    if (oti_hello_read(tap->msg, msg_len, tap->type, &v) != OTI_HELLO_DONE) {
        tap->hello->malformed = 1;
        return 0;
    }
    size_t n = v.suites_len / 2;
    if (n > 0) {
        tap->suites = oti_calloc(n, sizeof *tap->suites);
        if (tap->suites == NULL)
            return -1;
        for (size_t i = 0; i < n; i++)
            tap->suites[i] = (uint16_t)(v.suites[2 * i] << 8 | v.suites[2 * i + 1]);
    }
    tap->hello->suites = tap->suites;
    tap->hello->suite_count = n;
    tap->hello->alpn = v.alpn;
    tap->hello->alpn_len = v.alpn_len;
    tap->hello->has_alpn = v.has_alpn;
    tap->hello->extended_master_secret = v.ems;
    tap->key_share_group = v.key_share_group;
    tap->hello->complete = 1;
    return 0;
}

int oti_hello_tap_feed(struct oti_hello_tap *tap, const uint8_t *data, size_t len)
{
    if (tap->finished || len == 0)
        return 0;
    for (size_t i = 0; i < len && tap->head_len < sizeof tap->head; i++)
        tap->head[tap->head_len++] = data[i];
    if (tap->len + len > MAX_TAP) {
        tap->finished = 1; /* give up: the facts stay unknown */
        return 0;
    }
    if (tap->len + len > tap->cap) {
        size_t cap = tap->cap ? tap->cap : 1024;
        while (cap < tap->len + len)
            cap *= 2;
        uint8_t *buf = oti_malloc(cap);
        if (buf == NULL)
            return -1;
        if (tap->len)
            memcpy(buf, tap->buf, tap->len);
        oti_free(tap->buf);
        tap->buf = buf;
        tap->cap = cap;
    }
    memcpy(tap->buf + tap->len, data, len);
    tap->len += len;

    /* The message is never longer than the bytes it came in. */
    uint8_t *msg = oti_malloc(tap->len);
    if (msg == NULL)
        return -1;
    size_t msg_len;
    enum oti_hello_result res = oti_hello_message(tap->buf, tap->len, msg, tap->len, &msg_len);
    if (res == OTI_HELLO_NEED_MORE) {
        oti_free(msg);
        return 0;
    }
    tap->finished = 1;
    tap->msg = msg;
    oti_free(tap->buf);
    tap->buf = NULL;
    tap->len = tap->cap = 0;
    if (res == OTI_HELLO_MALFORMED) {
        tap->hello->malformed = 1;
        return 0;
    }
    return publish(tap, msg_len);
}

void oti_hello_tap_free(struct oti_hello_tap *tap)
{
    oti_free(tap->buf);
    oti_free(tap->msg);
    oti_free(tap->suites);
    memset(tap, 0, sizeof *tap);
}

/* 21: an alert record; the stack names the alert. */
#define RECORD_ALERT 21

int oti_hello_tap_not_hello(const struct oti_hello_tap *tap, char *buf, size_t cap)
{
    if (!tap->hello->malformed || tap->head_len == 0 || tap->head[0] == RECORD_ALERT)
        return 0;
    char shown[3 * sizeof tap->head + 3];
    size_t n = 0;
    int text = 1;
    for (size_t i = 0; i < tap->head_len; i++)
        text &= tap->head[i] >= 0x20 && tap->head[i] < 0x7f && tap->head[i] != '"';
    if (text) {
        shown[n++] = '"';
        for (size_t i = 0; i < tap->head_len; i++)
            shown[n++] = (char)tap->head[i];
        shown[n++] = '"';
    } else {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < tap->head_len; i++) {
            if (i)
                shown[n++] = ' ';
            shown[n++] = hex[tap->head[i] >> 4];
            shown[n++] = hex[tap->head[i] & 15];
        }
    }
    shown[n] = '\0';
    oti_snprintf(buf, cap, "the peer did not send a TLS %s (its first bytes: %s)",
                 tap->type == 1 ? "ClientHello" : "ServerHello", shown);
    return 1;
}
