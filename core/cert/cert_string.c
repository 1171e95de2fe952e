/* String values as OpenSSL's ASN1_STRING_to_UTF8() converts them: the
 * one-octet types (NumericString, PrintableString, T61String, IA5String) are
 * read as Latin-1 without checking their alphabets, BMPString as UCS-2 and
 * UniversalString as UCS-4 (both big-endian; surrogates and values past
 * U+10FFFF refused), UTF8String checked and copied. */
#include "cert_internal.h"
#include "../utf8.h"

/* The length of the ASCII run s starts with, eight octets at a time:
 * nearly every value is ASCII, which needs no conversion. */
static size_t ascii_prefix(const uint8_t *s, size_t n)
{
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080u)
            break;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

bool oti_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = ascii_prefix(s, n);
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t v, min;
        if ((c & 0xe0) == 0xc0) {
            need = 1;
            v = c & 0x1f;
            min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            need = 2;
            v = c & 0x0f;
            min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            need = 3;
            v = c & 0x07;
            min = 0x10000;
        } else {
            return false;
        }
        if (n - i - 1 < need)
            return false;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            v = v << 6 | (s[i + k] & 0x3f);
        }
        if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
            return false; /* overlong, out of range, surrogate */
        i += need + 1;
    }
    return true;
}

static bool unicode_ok(uint32_t v)
{
    return v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff);
}

/* Octets per character of a type ASN1_STRING_to_UTF8 converts (0 for
 * UTF-8), or -1. */
static int char_width(uint32_t tag)
{
    switch (tag) {
    case OTI_TAG_UTF8STRING:
        return 0;
    case OTI_TAG_NUMERICSTRING:
    case OTI_TAG_PRINTABLESTRING:
    case OTI_TAG_T61STRING:
    case OTI_TAG_IA5STRING:
    case OTI_TAG_UTCTIME:
    case OTI_TAG_GENERALIZEDTIME:
    case 26: /* VisibleString */
        return 1;
    case OTI_TAG_BMPSTRING:
        return 2;
    case OTI_TAG_UNIVERSALSTRING:
        return 4;
    default:
        return -1; /* ASN1_STRING_to_UTF8 returns -1 */
    }
}

int oti_string_check(struct oti_dec *d, uint32_t tag, const uint8_t *s, size_t n)
{
    int width = char_width(tag);
    if (width < 0)
        return OTI_ABSENT;
    if (width == 0)
        return oti_utf8_valid(s, n) ? OTI_OK
                                    : oti_dec_fail(d, OTI_BAD, "invalid UTF-8 in a UTF8String");
    if (width == 1)
        return OTI_OK; /* every octet is a Latin-1 character */
    if (n % (size_t)width)
        return oti_dec_fail(d, OTI_BAD, "string of %zu octets is not whole characters", n);
    for (size_t i = 0; i < n; i += (size_t)width) {
        uint32_t v = 0;
        for (int k = 0; k < width; k++)
            v = v << 8 | s[i + (size_t)k];
        if (!unicode_ok(v))
            return oti_dec_fail(d, OTI_BAD, "character U+%04X is not valid Unicode", (unsigned)v);
    }
    return OTI_OK;
}

int oti_string_to_utf8(struct oti_dec *d, uint32_t tag, const uint8_t *s, size_t n,
                       const char **out, size_t *out_len)
{
    int w = char_width(tag);
    if (w <= 1 && w >= 0 && ascii_prefix(s, n) == n) {
        /* ASCII is itself in UTF-8 and in Latin-1: copied as it is. */
        *out = oti_arena_strndup(d->arena, s, n);
        *out_len = n;
        return *out ? OTI_OK : oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    }
    int st = oti_string_check(d, tag, s, n);
    if (st != OTI_OK)
        return st;
    size_t width = (size_t)w;
    if (width == 0) {
        *out = oti_arena_strndup(d->arena, s, n);
        *out_len = n;
    } else {
        /* Every character takes at most 4 octets of UTF-8, and at most
         * twice its width (Latin-1 -> 2, UCS-2 -> 3, UCS-4 -> 4). */
        size_t chars = n / width;
        if (chars > (SIZE_MAX - 1) / 4)
            return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
        uint8_t *buf = oti_arena_alloc(d->arena, chars * (width == 1 ? 2 : 4) + 1);
        if (buf == NULL)
            return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
        size_t o = 0;
        for (size_t i = 0; i < n; i += width) {
            uint32_t v = 0;
            for (size_t k = 0; k < width; k++)
                v = v << 8 | s[i + k];
            o += oti_utf8_put(buf + o, v);
        }
        buf[o] = '\0';
        *out = (const char *)buf;
        *out_len = o;
    }
    if (*out == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    return OTI_OK;
}
