/* The core's own snprintf: the subset of printf the core's messages and the
 * certificate decoder use, so that the library needs no <stdio.h> (newlib's
 * vsnprintf alone costs several KiB of flash and may allocate).
 *
 * Supported: flags '-' and '0', a width and a precision (digits or '*'),
 * the length modifiers hh h l ll z, and the conversions d i u x X c s %.
 * Anything else is copied literally, so a wrong format shows up in the
 * message instead of reading a stray argument. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

struct out {
    char *buf;
    size_t size;
    size_t len; /* what a big enough buffer would hold */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

/* One converted field: sign/prefix, then digits or text, padded to width. */
static void field(struct out *o, const char *sign, const char *body, size_t body_len, int width,
                  int left, int zero)
{
    size_t sign_len = 0;
    while (sign[sign_len])
        sign_len++;
    int fill = width - (int)(sign_len + body_len);
    if (!left && !zero)
        pad(o, ' ', fill);
    for (size_t i = 0; i < sign_len; i++)
        put(o, sign[i]);
    if (!left && zero)
        pad(o, '0', fill);
    for (size_t i = 0; i < body_len; i++)
        put(o, body[i]);
    if (left)
        pad(o, ' ', fill);
}

static size_t digits(char *end, unsigned long long v, unsigned base, int upper, int precision)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    while (v != 0) {
        *--p = set[v % base];
        v /= base;
    }
    /* C: precision is the minimum digit count; 0 with precision 0 is "". */
    while ((int)(end - p) < precision)
        *--p = '0';
    return (size_t)(end - p);
}

int oti_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        const char *start = f++;
        int left = 0, zero = 0, width = 0, precision = -1;
        for (;; f++) {
            if (*f == '-')
                left = 1;
            else if (*f == '0')
                zero = 1;
            else
                break;
        }
        if (*f == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = 1;
                width = width == INT_MIN ? INT_MAX : -width;
            }
            f++;
        } else {
            while (*f >= '0' && *f <= '9' && width < INT_MAX / 10)
                width = width * 10 + (*f++ - '0');
        }
        if (*f == '.') {
            f++;
            precision = 0;
            if (*f == '*') {
                precision = va_arg(ap, int);
                f++;
            } else {
                while (*f >= '0' && *f <= '9' && precision < INT_MAX / 10)
                    precision = precision * 10 + (*f++ - '0');
            }
        }
        int len = 0; /* 1 h, 2 hh, 3 l, 4 ll, 5 z */
        if (*f == 'h') {
            len = f[1] == 'h' ? 2 : 1;
            f += len;
        } else if (*f == 'l') {
            len = f[1] == 'l' ? 4 : 3;
            f += len - 2;
        } else if (*f == 'z') {
            len = 5;
            f++;
        }
        char tmp[24]; /* 2^64 in octal would need 22; decimal needs 20 */
        char *end = tmp + sizeof tmp;
        switch (*f) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X': {
            /* One fetch for every integer conversion (a signed argument
             * read as its unsigned type has the same bits), then the sign
             * back from the argument's width: one copy of each va_arg. */
            int is_signed = *f == 'd' || *f == 'i';
            unsigned long long v;
            if (len == 3)
                v = va_arg(ap, unsigned long);
            else if (len == 4)
                v = va_arg(ap, unsigned long long);
            else if (len == 5)
                v = va_arg(ap, size_t);
            else
                v = va_arg(ap, unsigned);
            if (len == 1)
                v = is_signed ? (unsigned long long)(short)v : (unsigned short)v;
            else if (len == 2)
                v = is_signed ? (unsigned long long)(signed char)v : (unsigned char)v;
            else if (is_signed && len == 3)
                v = (unsigned long long)(long)v;
            else if (is_signed && len == 5)
                v = (unsigned long long)(ptrdiff_t)v;
            else if (is_signed && len != 4)
                v = (unsigned long long)(int)v;
            int neg = is_signed && (long long)v < 0;
            if (neg)
                v = 0ull - v;
            size_t n = digits(end, v, *f == 'x' || *f == 'X' ? 16 : 10, *f == 'X',
                              precision < 0 ? 1 : precision);
            field(&o, neg ? "-" : "", end - n, n, width, left, zero && precision < 0);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            field(&o, "", &c, 1, width, left, 0);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            size_t n = 0;
            while ((precision < 0 || n < (size_t)precision) && s[n])
                n++;
            field(&o, "", s, n, width, left, 0);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default: /* unsupported: copy the directive as written */
            for (const char *p = start; p <= f && *p; p++)
                put(&o, *p);
            if (*f == '\0')
                f--;
            break;
        }
    }
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

int oti_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = oti_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
