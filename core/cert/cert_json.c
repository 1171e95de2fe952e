/* json.dumps(getpeercert()) byte for byte: CPython's key order (or sorted
 * keys), tuples as lists, ", " and ": " separators, ensure_ascii escaping
 * (\uXXXX in lowercase hex, surrogate pairs past U+FFFF). */

#include "cert_internal.h"
#include "internal.h"

static void put_str(struct oti_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s;
    oti_buf_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        /* A run of characters printed as they are goes out in one piece:
         * one buffer call per character was a quarter of the JSON's cost. */
        size_t run = i;
        while (run < n && p[run] >= ' ' && p[run] <= '~' && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            oti_buf_put(b, p + i, run - i);
            i = run;
            continue;
        }
        uint32_t c = p[i];
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
        char esc[16];
        switch (c) {
        case '"':
            oti_buf_put(b, "\\\"", 2);
            continue;
        case '\\':
            oti_buf_put(b, "\\\\", 2);
            continue;
        case '\b':
            oti_buf_put(b, "\\b", 2);
            continue;
        case '\f':
            oti_buf_put(b, "\\f", 2);
            continue;
        case '\n':
            oti_buf_put(b, "\\n", 2);
            continue;
        case '\r':
            oti_buf_put(b, "\\r", 2);
            continue;
        case '\t':
            oti_buf_put(b, "\\t", 2);
            continue;
        default:
            break;
        }
        if (c >= ' ' && c <= '~') {
            oti_buf_putc(b, (char)c);
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
            esc[0] = '\\';
            esc[1] = 'u';
            for (int k = 0; k < 4; k++)
                esc[2 + k] = hex[(units[u] >> (12 - 4 * k)) & 15];
            oti_buf_put(b, esc, 6);
        }
    }
    oti_buf_putc(b, '"');
}

static void put_cstr(struct oti_buf *b, const char *s)
{
    put_str(b, s, strlen(s));
}

/* The corpus convention for Python bytes values. */
static void put_bytes(struct oti_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    oti_buf_puts(b, "{\"__bytes_hex__\": \"");
    for (size_t i = 0; i < n; i++) {
        oti_buf_putc(b, hex[(uint8_t)s[i] >> 4]);
        oti_buf_putc(b, hex[(uint8_t)s[i] & 15]);
    }
    oti_buf_puts(b, "\"}");
}

static void put_name(struct oti_buf *b, const otls_cert_name *name)
{
    oti_buf_putc(b, '[');
    for (size_t i = 0; i < name->count; i++) {
        const otls_cert_rdn *rdn = &name->rdns[i];
        if (i)
            oti_buf_puts(b, ", ");
        oti_buf_putc(b, '[');
        for (size_t j = 0; j < rdn->count; j++) {
            const otls_cert_attr *a = &rdn->attrs[j];
            if (j)
                oti_buf_puts(b, ", ");
            oti_buf_putc(b, '[');
            put_cstr(b, a->name);
            oti_buf_puts(b, ", ");
            if (a->value == NULL)
                oti_buf_puts(b, "null"); /* Python's None: a BIT STRING of no octets */
            else if (a->is_bytes)
                put_bytes(b, a->value, a->value_len);
            else
                put_str(b, a->value, a->value_len);
            oti_buf_putc(b, ']');
        }
        oti_buf_putc(b, ']');
    }
    oti_buf_putc(b, ']');
}

static void put_texts(struct oti_buf *b, const otls_cert_text *t, size_t n)
{
    oti_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            oti_buf_puts(b, ", ");
        put_str(b, t[i].data, t[i].len);
    }
    oti_buf_putc(b, ']');
}

static void put_san(struct oti_buf *b, const otls_cert *c)
{
    oti_buf_putc(b, '[');
    for (size_t i = 0; i < c->san_count; i++) {
        const otls_cert_san *s = &c->san[i];
        if (i)
            oti_buf_puts(b, ", ");
        oti_buf_putc(b, '[');
        put_cstr(b, s->label);
        oti_buf_puts(b, ", ");
        if (s->type == OTLS_SAN_DIRNAME)
            put_name(b, &s->dirname);
        else
            put_str(b, s->value, s->value_len);
        oti_buf_putc(b, ']');
    }
    oti_buf_putc(b, ']');
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

/* In CPython's insertion order. */
static const char *const keys[F_COUNT] = {
    "subject",  "issuer",         "version", "serialNumber", "notBefore",
    "notAfter", "subjectAltName", "OCSP",    "caIssuers",    "crlDistributionPoints"};

static void put_field(struct oti_buf *b, const otls_cert *c, enum field f)
{
    char num[32];
    switch (f) {
    case F_SUBJECT:
        put_name(b, &c->subject);
        break;
    case F_ISSUER:
        put_name(b, &c->issuer);
        break;
    case F_VERSION:
        oti_snprintf(num, sizeof num, "%lld", c->version);
        oti_buf_puts(b, num);
        break;
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
            for (size_t j = i; j > 0 && strcmp(keys[order[j - 1]], keys[order[j]]) > 0; j--) {
                enum field t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
    }

    struct oti_buf b = {0};
    oti_buf_putc(&b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            oti_buf_puts(&b, ", ");
        put_cstr(&b, keys[order[i]]);
        oti_buf_puts(&b, ": ");
        put_field(&b, c, order[i]);
    }
    oti_buf_putc(&b, '}');
    if (b.failed) {
        oti_buf_free(&b);
        return OTLS_ERR_NO_MEMORY;
    }
    *json = b.data;
    if (len)
        *len = b.len;
    return OTLS_OK;
}

void otls_free_string(char *s)
{
    oti_free(s);
}
