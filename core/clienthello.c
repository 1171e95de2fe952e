#include <string.h>

#include "clienthello.h"
#include "internal.h"

/* A record's plaintext is at most 2^14 bytes; allow the TLS 1.2 expansion. */
#define MAX_RECORD 18432
/* A ClientHello larger than this is not worth buffering just for a list. */
#define MAX_TAP (1u << 17)

/* Reads the handshake bytes carried by consecutive handshake records as one
 * stream, without copying. */
struct reader {
    const uint8_t *data;
    size_t len;
    size_t pos;      /* next byte in data */
    size_t rec_left; /* bytes left in the current record */
    enum oti_hello_result fail;
};

static int next_byte(struct reader *r, uint8_t *out)
{
    while (r->rec_left == 0) {
        if (r->len - r->pos < 5) {
            r->fail = OTI_HELLO_NEED_MORE;
            return 0;
        }
        const uint8_t *h = r->data + r->pos;
        size_t rec_len = (size_t)h[3] << 8 | h[4];
        /* 22 = handshake; record versions are 3.x. */
        if (h[0] != 22 || h[1] != 3 || rec_len == 0 || rec_len > MAX_RECORD) {
            r->fail = OTI_HELLO_MALFORMED;
            return 0;
        }
        r->pos += 5;
        r->rec_left = rec_len;
    }
    if (r->pos >= r->len) {
        r->fail = OTI_HELLO_NEED_MORE;
        return 0;
    }
    *out = r->data[r->pos++];
    r->rec_left--;
    return 1;
}

/* Reads n (<= 4) bytes big-endian into *v. */
static int read_uint(struct reader *r, size_t n, size_t *v)
{
    uint8_t b;
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!next_byte(r, &b))
            return 0;
        *v = *v << 8 | b;
    }
    return 1;
}

static int skip(struct reader *r, size_t n)
{
    uint8_t b;
    for (size_t i = 0; i < n; i++)
        if (!next_byte(r, &b))
            return 0;
    return 1;
}

enum oti_hello_result oti_hello_parse(const uint8_t *data, size_t len, uint16_t *suites, size_t cap,
                                      size_t *count)
{
    struct reader r = {data, len, 0, 0, OTI_HELLO_MALFORMED};
    size_t type, body_len, version, sid_len, cs_len;

    *count = 0;
    if (!read_uint(&r, 1, &type) || !read_uint(&r, 3, &body_len))
        return r.fail;
    if (type != 1) /* client_hello */
        return OTI_HELLO_MALFORMED;
    if (!read_uint(&r, 2, &version) || !skip(&r, 32) || !read_uint(&r, 1, &sid_len))
        return r.fail;
    if (version >> 8 != 3 || sid_len > 32)
        return OTI_HELLO_MALFORMED;
    if (!skip(&r, sid_len) || !read_uint(&r, 2, &cs_len))
        return r.fail;
    /* 2 + 32 + 1 + sid + 2 bytes precede the list inside the body. */
    if (cs_len < 2 || cs_len % 2 != 0 || 2 + 32 + 1 + sid_len + 2 + cs_len > body_len)
        return OTI_HELLO_MALFORMED;
    for (size_t i = 0; i < cs_len / 2; i++) {
        size_t id;
        if (!read_uint(&r, 2, &id))
            return r.fail;
        if (i < cap)
            suites[i] = (uint16_t)id;
    }
    *count = cs_len / 2;
    return OTI_HELLO_DONE;
}

int oti_hello_tap_feed(struct oti_hello_tap *tap, const uint8_t *data, size_t len)
{
    if (tap->finished || len == 0)
        return 0;
    if (tap->len + len > MAX_TAP) {
        tap->finished = 1; /* give up: shared ciphers will be unknown */
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

    size_t count;
    uint16_t probe;
    enum oti_hello_result res = oti_hello_parse(tap->buf, tap->len, &probe, 0, &count);
    if (res == OTI_HELLO_NEED_MORE)
        return 0;
    tap->finished = 1;
    if (res == OTI_HELLO_DONE) {
        tap->suites = oti_calloc(count, sizeof *tap->suites);
        if (tap->suites == NULL)
            return -1;
        oti_hello_parse(tap->buf, tap->len, tap->suites, count, &tap->suite_count);
    }
    oti_free(tap->buf);
    tap->buf = NULL;
    tap->len = tap->cap = 0;
    return 0;
}

void oti_hello_tap_free(struct oti_hello_tap *tap)
{
    oti_free(tap->buf);
    oti_free(tap->suites);
    memset(tap, 0, sizeof *tap);
}
