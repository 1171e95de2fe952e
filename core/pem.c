#include <string.h>

#include "internal.h"
#include "pem.h"

#define BEGIN "-----BEGIN "
#define END "-----END "
#define DASHES "-----"

static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Finds needle in hay[0..len); returns its offset or len. */
static size_t find(const uint8_t *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return i;
    return len;
}

/* Decodes base64 text, skipping white space; strict about everything else.
 * out must hold len * 3 / 4 + 3 bytes. Returns the byte count or -1. */
static long b64_decode(const uint8_t *text, size_t len, uint8_t *out)
{
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad)
            return -1; /* bad character, or data after padding */
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    /* 2 or 3 chars in the last group leave 4 or 2 bits: 2 or 1 '='. */
    if (bits == 6 || bits / 2 != pad)
        return -1;
    return n;
}

static enum oti_pem_kind kind_of(const uint8_t *label, size_t len, const uint8_t *body,
                                 size_t body_len)
{
#define IS(s) (len == strlen(s) && memcmp(label, s, len) == 0)
    if (IS("CERTIFICATE") || IS("X509 CERTIFICATE"))
        return OTI_PEM_CERT;
    if (IS("ENCRYPTED PRIVATE KEY"))
        return OTI_PEM_ENCRYPTED_KEY;
    if (IS("PRIVATE KEY") || IS("RSA PRIVATE KEY") || IS("EC PRIVATE KEY")) {
        /* Traditional keys mark encryption with RFC 1421 headers. */
        if (find(body, body_len, "Proc-Type:") < body_len)
            return OTI_PEM_ENCRYPTED_KEY;
        return OTI_PEM_KEY;
    }
    return OTI_PEM_OTHER;
#undef IS
}

static otls_status push(struct oti_pem_block **blocks, size_t *count, size_t *cap,
                        struct oti_pem_block b)
{
    if (*count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        struct oti_pem_block *nb = oti_calloc(ncap, sizeof *nb);
        if (nb == NULL)
            return OTLS_ERR_NO_MEMORY;
        if (*count)
            memcpy(nb, *blocks, *count * sizeof *nb);
        oti_free(*blocks);
        *blocks = nb;
        *cap = ncap;
    }
    (*blocks)[(*count)++] = b;
    return OTLS_OK;
}

/* Decodes one block whose "-----BEGIN " starts at data; *used is set past
 * its END line. */
static otls_status decode_block(const uint8_t *data, size_t len, struct oti_pem_block *out,
                                size_t *used, char *err, size_t err_len)
{
    const uint8_t *label = data + strlen(BEGIN);
    size_t rest = len - strlen(BEGIN);
    size_t label_len = find(label, rest, DASHES);
    if (label_len == rest || memchr(label, '\n', label_len))
        return oti_set_error(err, err_len, OTLS_ERR_PARSE, "malformed PEM header line");
    const uint8_t *body = label + label_len + strlen(DASHES);
    size_t body_room = (size_t)(data + len - body);
    size_t end = find(body, body_room, END);
    if (end == body_room)
        return oti_set_error(err, err_len, OTLS_ERR_PARSE, "PEM block %.*s has no END line",
                             (int)(label_len > 40 ? 40 : label_len), (const char *)label);
    const uint8_t *end_label = body + end + strlen(END);
    size_t end_room = (size_t)(data + len - end_label);
    if (end_room < label_len + strlen(DASHES) || memcmp(end_label, label, label_len) != 0 ||
        memcmp(end_label + label_len, DASHES, strlen(DASHES)) != 0)
        return oti_set_error(err, err_len, OTLS_ERR_PARSE, "PEM END line does not match BEGIN");
    *used = (size_t)(end_label + label_len + strlen(DASHES) - data);

    out->kind = kind_of(label, label_len, body, end);
    /* Skip RFC 1421 header lines ("Name: value") before the base64 text. */
    const uint8_t *b64 = body;
    size_t b64_len = end;
    size_t blank = find(body, end, "\n\n");
    if (find(body, end, ":") < end && blank < end) {
        b64 = body + blank + 2;
        b64_len = end - blank - 2;
    }
    out->der = oti_malloc(b64_len / 4 * 3 + 3);
    if (out->der == NULL)
        return oti_set_error(err, err_len, OTLS_ERR_NO_MEMORY, "out of memory");
    long n = b64_decode(b64, b64_len, out->der);
    if (n <= 0) {
        oti_free(out->der);
        out->der = NULL;
        return oti_set_error(err, err_len, OTLS_ERR_PARSE, "PEM block has invalid base64");
    }
    out->len = (size_t)n;
    return OTLS_OK;
}

otls_status oti_pem_decode(const uint8_t *data, size_t len, struct oti_pem_block **blocks,
                           size_t *count, char *err, size_t err_len)
{
    struct oti_pem_block *list = NULL;
    size_t n = 0, cap = 0, pos = find(data, len, BEGIN);
    otls_status st = OTLS_OK;

    *blocks = NULL;
    *count = 0;
    if (len == 0)
        return oti_set_error(err, err_len, OTLS_ERR_PARSE, "the input is empty");
    if (pos == len) {
        /* Not PEM: accept one DER object (a SEQUENCE), nothing else. */
        if (len < 2 || data[0] != 0x30)
            return oti_set_error(err, err_len, OTLS_ERR_PARSE, "input is neither PEM nor DER");
        struct oti_pem_block b = {OTI_PEM_RAW_DER, oti_malloc(len), len};
        if (b.der == NULL)
            return oti_set_error(err, err_len, OTLS_ERR_NO_MEMORY, "out of memory");
        memcpy(b.der, data, len);
        st = push(&list, &n, &cap, b);
        if (st != OTLS_OK)
            oti_free(b.der);
    }
    while (st == OTLS_OK && pos < len) {
        struct oti_pem_block b = {0};
        size_t used = 0;
        st = decode_block(data + pos, len - pos, &b, &used, err, err_len);
        if (st == OTLS_OK) {
            st = push(&list, &n, &cap, b);
            if (st != OTLS_OK)
                oti_free(b.der);
        }
        pos += used;
        pos += find(data + pos, len - pos, BEGIN);
    }
    if (st != OTLS_OK) {
        oti_pem_free(list, n);
        if (st == OTLS_ERR_NO_MEMORY) /* push() leaves no message */
            oti_set_error(err, err_len, st, "out of memory");
        return st;
    }
    *blocks = list;
    *count = n;
    return OTLS_OK;
}

void oti_pem_free(struct oti_pem_block *blocks, size_t count)
{
    for (size_t i = 0; i < count; i++)
        oti_free(blocks[i].der);
    oti_free(blocks);
}
