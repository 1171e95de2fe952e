/* json.dumps(getpeercert()) byte for byte: CPython's key order (or sorted
 * keys), tuples as lists, ", " and ": " separators, ensure_ascii escaping
 * (\uXXXX in lowercase hex, surrogate pairs past U+FFFF). */

#include "cert_internal.h"
#include "internal.h"

static const char hex[] = "0123456789abcdef";

/* Writers reserve room first and then store through a pointer: one buffer,
 * sized from the certificate, rarely grown (one call per character, then
 * per run, was most of the JSON's cost; bench/). */
/* Room for n more octets: the common case inline. After a failed
 * allocation the old buffer stays, so writes into it remain in bounds; the
 * caller checks b->failed at the end. */
static inline bool room(struct oti_buf *b, size_t n)
{
    return b->cap - b->len > n || oti_buf_reserve(b, n);
}

static inline void put(struct oti_buf *b, const char *s, size_t n)
{
    if (room(b, n)) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
    }
}

#define PUT(b, lit) put(b, lit, sizeof lit - 1)

static inline uint64_t zero_octets(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    return (v - ones) & ~v & high; /* the high bit of each octet that is 0 */
}

/* True when all eight octets of w print as they are: 0x20..0x7e, neither
 * '"' nor '\\' (bytes with the high bit, and with a value below 0x20 or
 * equal to 0x7f, '"' or '\\', found word-wise). */
static inline bool plain8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t bad = (w & high) | ((w - ones * 0x20) & ~w & high) | zero_octets(w ^ (ones * 0x7f)) |
                   zero_octets(w ^ (ones * '"')) | zero_octets(w ^ (ones * '\\'));
    return bad == 0;
}

/* A JSON string of s[0..n) (valid UTF-8 from the decoder): at most six
 * characters an octet (\u00XX), so room is reserved once. */
static void put_str(struct oti_buf *b, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    if (n > (SIZE_MAX - 2) / 6 || !room(b, 6 * n + 2))
        return;
    char *o = b->data + b->len;
    *o++ = '"';
    size_t i = 0;
    while (i < n) {
        while (!OTI_DECODER_SMALL && n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!plain8(w))
                break;
            memcpy(o, &w, 8);
            o += 8;
            i += 8;
        }
        if (i == n)
            break;
        uint32_t c = p[i];
        if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
            *o++ = (char)c;
            i++;
            continue;
        }
        size_t len = 1;
        /* Values are valid UTF-8 (the decoder checks); decode a sequence. */
        if (c >= 0xf0 && i + 3 < n) {
            c = (c & 0x07) << 18 | (p[i + 1] & 0x3fu) << 12 | (p[i + 2] & 0x3fu) << 6 |
                (p[i + 3] & 0x3fu);
            len = 4;
        } else if (c >= 0xe0 && c < 0xf0 && i + 2 < n) {
            c = (c & 0x0f) << 12 | (p[i + 1] & 0x3fu) << 6 | (p[i + 2] & 0x3fu);
            len = 3;
        } else if (c >= 0xc0 && c < 0xe0 && i + 1 < n) {
            c = (c & 0x1f) << 6 | (p[i + 1] & 0x3fu);
            len = 2;
        }
        i += len;
        static const char short_esc[] = "\"\"\\\\\bb\ff\nn\rr\tt";
        const char *e = c < 0x80 ? memchr(short_esc, (int)c, sizeof short_esc - 1) : NULL;
        if (e != NULL && (e - short_esc) % 2 == 0) {
            *o++ = '\\';
            *o++ = e[1];
            continue;
        }
        uint32_t units[2] = {c, 0};
        int nunits = 1;
        if (c >= 0x10000) {
            c -= 0x10000;
            units[0] = 0xd800 | (c >> 10);
            units[1] = 0xdc00 | (c & 0x3ff);
            nunits = 2;
        }
        for (int u = 0; u < nunits; u++) {
            *o++ = '\\';
            *o++ = 'u';
            for (int k = 0; k < 4; k++)
                *o++ = hex[(units[u] >> (12 - 4 * k)) & 15];
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
}

static void put_cstr(struct oti_buf *b, const char *s)
{
    put_str(b, s, strlen(s));
}

/* The corpus convention for Python bytes values. */
static void put_bytes(struct oti_buf *b, const char *s, size_t n)
{
    PUT(b, "{\"__bytes_hex__\": \"");
    if (n > SIZE_MAX / 2 - 4 || !room(b, 2 * n + 2))
        return;
    char *o = b->data + b->len;
    for (size_t i = 0; i < n; i++) {
        *o++ = hex[(uint8_t)s[i] >> 4];
        *o++ = hex[(uint8_t)s[i] & 15];
    }
    *o++ = '"';
    *o++ = '}';
    b->len = (size_t)(o - b->data);
}

static void put_name(struct oti_buf *b, const otls_cert_name *name)
{
    PUT(b, "[");
    for (size_t i = 0; i < name->count; i++) {
        const otls_cert_rdn *rdn = &name->rdns[i];
        if (i)
            PUT(b, ", ");
        PUT(b, "[");
        for (size_t j = 0; j < rdn->count; j++) {
            const otls_cert_attr *a = &rdn->attrs[j];
            if (j)
                PUT(b, ", ");
            PUT(b, "[");
            put_cstr(b, a->name);
            PUT(b, ", ");
            if (a->value == NULL)
                PUT(b, "null"); /* Python's None: a BIT STRING of no octets */
            else if (a->is_bytes)
                put_bytes(b, a->value, a->value_len);
            else
                put_str(b, a->value, a->value_len);
            PUT(b, "]");
        }
        PUT(b, "]");
    }
    PUT(b, "]");
}

static void put_texts(struct oti_buf *b, const otls_cert_text *t, size_t n)
{
    PUT(b, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            PUT(b, ", ");
        put_str(b, t[i].data, t[i].len);
    }
    PUT(b, "]");
}

static void put_san(struct oti_buf *b, const otls_cert *c)
{
    PUT(b, "[");
    for (size_t i = 0; i < c->san_count; i++) {
        const otls_cert_san *s = &c->san[i];
        if (i)
            PUT(b, ", ");
        PUT(b, "[");
        put_cstr(b, s->label);
        PUT(b, ", ");
        if (s->type == OTLS_SAN_DIRNAME)
            put_name(b, &s->dirname);
        else
            put_str(b, s->value, s->value_len);
        PUT(b, "]");
    }
    PUT(b, "]");
}

enum field {
    F_SUBJECT,
    F_ISSUER,
    F_VERSION,
    F_SERIAL,
    F_NOT_BEFORE,
    F_NOT_AFTER,
    F_SAN,
    F_OCSP,
    F_CA_ISSUERS,
    F_CRL_DP,
    F_COUNT
};

/* In CPython's insertion order, written as they are printed: the quotes
 * and the separator after each do not change the sort order ('"' sorts
 * before every letter). */
// clang-format off
#define KEY(k) {"\"" k "\": ", sizeof("\"" k "\": ") - 1}
// clang-format on
static const struct {
    const char *text;
    size_t len;
} keys[F_COUNT] = {KEY("subject"),        KEY("issuer"),
                   KEY("version"),        KEY("serialNumber"),
                   KEY("notBefore"),      KEY("notAfter"),
                   KEY("subjectAltName"), KEY("OCSP"),
                   KEY("caIssuers"),      KEY("crlDistributionPoints")};
#undef KEY

static void put_field(struct oti_buf *b, const otls_cert *c, enum field f)
{
    switch (f) {
    case F_SUBJECT:
        put_name(b, &c->subject);
        break;
    case F_ISSUER:
        put_name(b, &c->issuer);
        break;
    case F_VERSION: {
        /* "%lld" without printf. */
        char num[24], *e = num + sizeof num, *q = e;
        unsigned long long v =
            c->version < 0 ? 0ull - (unsigned long long)c->version : (unsigned long long)c->version;
        do
            *--q = (char)('0' + v % 10);
        while ((v /= 10) != 0);
        if (c->version < 0)
            *--q = '-';
        put(b, q, (size_t)(e - q));
        break;
    }
    case F_SERIAL:
        put_cstr(b, c->serial_text);
        break;
    case F_NOT_BEFORE:
        put_cstr(b, c->not_before.text);
        break;
    case F_NOT_AFTER:
        put_cstr(b, c->not_after.text);
        break;
    case F_SAN:
        put_san(b, c);
        break;
    case F_OCSP:
        put_texts(b, c->ocsp, c->ocsp_count);
        break;
    case F_CA_ISSUERS:
        put_texts(b, c->ca_issuers, c->ca_issuers_count);
        break;
    default:
        put_texts(b, c->crl_distribution_points, c->crl_distribution_points_count);
        break;
    }
}

otls_status otls_cert_to_json(const otls_cert *c, unsigned flags, char **json, size_t *len)
{
    if (json)
        *json = NULL;
    if (len)
        *len = 0;
    if (c == NULL || json == NULL || (flags & ~OTLS_JSON_SORT_KEYS))
        return OTLS_ERR_INVALID_ARGUMENT;

    enum field order[F_COUNT];
    size_t n = 0;
    for (int f = 0; f < F_COUNT; f++) {
        bool present = f < F_SAN || (f == F_SAN && c->has_san) || (f == F_OCSP && c->ocsp_count) ||
                       (f == F_CA_ISSUERS && c->ca_issuers_count) ||
                       (f == F_CRL_DP && c->crl_distribution_points_count);
        if (present)
            order[n++] = (enum field)f;
    }
    if (flags & OTLS_JSON_SORT_KEYS) {
        /* Insertion sort by code point, as sort_keys=True. */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && strcmp(keys[order[j - 1]].text, keys[order[j]].text) > 0;
                 j--) {
                enum field t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
    }

    /* A certificate's JSON is rarely longer than its DER. */
    struct oti_buf b = {0};
    oti_buf_reserve(&b, c->der_len < 512 ? 1024 : 2 * c->der_len);
    PUT(&b, "{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            PUT(&b, ", ");
        put(&b, keys[order[i]].text, keys[order[i]].len);
        put_field(&b, c, order[i]);
    }
    PUT(&b, "}");
    if (b.failed) {
        oti_buf_free(&b);
        return OTLS_ERR_NO_MEMORY;
    }
    b.data[b.len] = '\0';
    *json = b.data;
    if (len)
        *len = b.len;
    return OTLS_OK;
}

void otls_free_string(char *s)
{
    oti_free(s);
}
