/* Validity dates as OpenSSL 3.0's ASN1_TIME_print() prints them.
 *
 * d2i_X509 accepts any octets in a UTCTime or GeneralizedTime; the printer
 * parses them (ossl_asn1_time_to_tm) and prints "Bad time value" when that
 * fails. Its parser is lenient: seconds may be left out, GeneralizedTime
 * may carry a fraction of a second (printed back as given), and a
 * "+hhmm"/"-hhmm" offset (hours up to 12) is folded into the time, which
 * must then still fall in the years 1900..9999. Every time it accepts ends
 * in "Z" or an offset, and OpenSSL 3.0.19 prints " GMT" after both. */
#include <stdint.h>

#include "cert_internal.h"
#include "internal.h"

static const char month_names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct civil {
    int year, mon, mday, hour, min, sec; /* mon 0..11 */
};

/* Writes v (0 <= v) in decimal, at least width digits padded with pad;
 * returns the number of characters. */
static size_t put_int(char *out, int64_t v, size_t width, char pad)
{
    if (width == 2 && v < 100) { /* the usual field, without a loop */
        out[0] = v >= 10 ? (char)('0' + v / 10) : pad;
        out[1] = (char)('0' + v % 10);
        return 2;
    }
    char tmp[24];
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    size_t n = 0;
    while (k + n < width)
        out[n++] = pad;
    while (k > 0)
        out[n++] = tmp[--k];
    return n;
}

/* ASN1_TIME_print's "%s %2d %02d:%02d:%02d%.*s %d GMT", without printf
 * (two snprintf calls were a sixth of a certificate's decoding; bench/).
 * NULL when out of memory. */
static const char *format(struct oti_dec *d, const struct civil *tm, const uint8_t *frac,
                          size_t frac_len)
{
    if (tm->mday < 0 || tm->hour < 0 || tm->min < 0 || tm->sec < 0 || tm->year < 0)
        return NULL; /* the parser never gives these */
    /* Written in place: "Mon DD HH:MM:SS" (15), the fraction, " ", the year
     * (at most 10 digits), " GMT" and a NUL fit in 40 + frac_len. */
    if (frac_len > SIZE_MAX - 40)
        return NULL;
    char *text = oti_arena_alloc(d->arena, 40 + frac_len), *o = text;
    if (text == NULL)
        return NULL;
    memcpy(o, month_names[tm->mon], 3);
    o[3] = ' ';
    o += 4;
    o += put_int(o, tm->mday, 2, ' ');
    *o++ = ' ';
    o += put_int(o, tm->hour, 2, '0');
    *o++ = ':';
    o += put_int(o, tm->min, 2, '0');
    *o++ = ':';
    o += put_int(o, tm->sec, 2, '0');
    if (frac_len > 0)
        memcpy(o, frac, frac_len);
    o += frac_len;
    *o++ = ' ';
    o += put_int(o, tm->year, 1, '0');
    memcpy(o, " GMT", 5);
    return text;
}

static bool leap(int y)
{
    return y % 400 == 0 || (y % 100 != 0 && y % 4 == 0);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (mon 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* The two forms nearly every certificate uses, YYMMDDHHMMSSZ and
 * YYYYMMDDHHMMSSZ, read straight through (the general parser below was a
 * tenth of a leaf's decode; bench/). False for anything else, including
 * values out of range: the general parser then decides. */
static bool parse_plain(uint32_t type, const uint8_t *a, size_t l, struct civil *out)
{
#if OTI_DECODER_SMALL
    (void)type;
    (void)a;
    (void)l;
    (void)out;
    return false;
#else
    size_t digits = type == OTI_TAG_UTCTIME ? 12 : 14;
    int v[7];
    if (l != digits + 1 || a[digits] != 'Z')
        return false;
    for (size_t i = 0; i < digits; i += 2) {
        if (!(a[i] >= '0' && a[i] <= '9' && a[i + 1] >= '0' && a[i + 1] <= '9'))
            return false;
        v[i / 2] = (a[i] - '0') * 10 + a[i + 1] - '0';
    }
    const int *f = v; /* f[0..5]: year (last two digits), month, day, hours, minutes, seconds */
    int year;
    if (type == OTI_TAG_UTCTIME) {
        year = v[0] < 50 ? 2000 + v[0] : 1900 + v[0];
    } else {
        year = v[0] * 100 + v[1];
        f = v + 1;
    }
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > mdays[f[1] - 1] + (f[1] == 2 && leap(year)) ||
        f[3] > 23 || f[4] > 59 || f[5] > 59)
        return false;
    out->year = year;
    out->mon = f[1] - 1;
    out->mday = f[2];
    out->hour = f[3];
    out->min = f[4];
    out->sec = f[5];
    return true;
#endif
}

/* ossl_asn1_time_to_tm (not strict: certificate times carry no
 * ASN1_STRING_FLAG_X509_TIME). */
static bool parse(uint32_t type, const uint8_t *a, size_t l, struct civil *out)
{
    static const int min[9] = {0, 0, 1, 1, 0, 0, 0, 0, 0};
    static const int max[9] = {99, 99, 12, 31, 23, 59, 59, 12, 59};
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool utc = type == OTI_TAG_UTCTIME;
    size_t min_l = utc ? 11 : 13;
    int end = utc ? 6 : 7, btz = utc ? 5 : 6;
    struct civil t = {0};
    size_t o = 0;

    if (l < min_l)
        return false;
    for (int i = 0; i < end; i++) {
        if (i == btz && (a[o] == 'Z' || a[o] == '+' || a[o] == '-'))
            break; /* seconds left out */
        if (!digit(a[o]))
            return false;
        int n = a[o] - '0';
        if (++o == l || !digit(a[o]))
            return false;
        n = n * 10 + a[o] - '0';
        if (++o == l)
            return false;
        int i2 = utc ? i + 1 : i;
        if (n < min[i2] || n > max[i2])
            return false;
        switch (i2) {
        case 0:
            t.year = n * 100;
            break;
        case 1:
            t.year = utc ? (n < 50 ? 2000 + n : 1900 + n) : t.year + n;
            break;
        case 2:
            t.mon = n - 1;
            break;
        case 3:
            if (n > mdays[t.mon] + (t.mon == 1 && leap(t.year)))
                return false;
            t.mday = n;
            break;
        case 4:
            t.hour = n;
            break;
        case 5:
            t.min = n;
            break;
        default:
            t.sec = n;
            break;
        }
    }
    if (!utc && a[o] == '.') {
        size_t f = ++o;
        if (o == l)
            return false;
        while (o < l && digit(a[o]))
            o++;
        if (o == f || o == l)
            return false;
    }
    if (a[o] == 'Z') {
        o++;
    } else if (a[o] == '+' || a[o] == '-') {
        int sign = a[o] == '-' ? 1 : -1; /* what to add to reach UTC */
        o++;
        if (o + 4 != l)
            return false;
        int offset = 0;
        for (int i = end; i < end + 2; i++) {
            if (!digit(a[o]) || !digit(a[o + 1]))
                return false;
            int n = (a[o] - '0') * 10 + a[o + 1] - '0';
            int i2 = utc ? i + 1 : i;
            if (n < min[i2] || n > max[i2])
                return false;
            offset += i == end ? n * 3600 : n * 60;
            o += 2;
        }
        if (offset) {
            /* OPENSSL_gmtime_adj: the result must be in 1900..9999. */
            int64_t secs = days_from_civil(t.year, t.mon + 1, t.mday) * 86400 + t.hour * 3600 +
                           t.min * 60 + t.sec + (int64_t)sign * offset;
            int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
            int64_t rem = secs - days * 86400, y;
            int m, d;
            civil_from_days(days, &y, &m, &d);
            if (y < 1900 || y > 9999)
                return false;
            t.year = (int)y;
            t.mon = m - 1;
            t.mday = d;
            t.hour = (int)(rem / 3600);
            t.min = (int)(rem / 60 % 60);
            t.sec = (int)(rem % 60);
        }
    } else {
        return false;
    }
    if (o != l)
        return false;
    *out = t;
    return true;
}

int oti_time_decode(struct oti_dec *d, struct oti_cur *c, otls_cert_time *out)
{
    struct oti_elem t;
    /* ASN1_TIME is a CHOICE of the two universal types. */
    int st = oti_asn1_peek(d, c, &t);
    if (st != OTI_OK)
        return st;
    if (t.cls != OTI_CLASS_UNIVERSAL ||
        (t.tag != OTI_TAG_UTCTIME && t.tag != OTI_TAG_GENERALIZEDTIME))
        return oti_dec_fail(d, OTI_BAD, "validity date is not a UTCTime or GeneralizedTime");
    c->p = t.end;
    if ((st = oti_asn1_collect(d, &t)) != OTI_OK)
        return st;

    struct civil tm;
    memset(out, 0, sizeof *out);
    if (!parse_plain(t.tag, t.value, t.len, &tm) && !parse(t.tag, t.value, t.len, &tm)) {
        out->text = "Bad time value";
        return OTI_OK;
    }
    /* The fraction is printed as given: '.' and the digits after it. */
    int frac = 0;
    if (t.tag == OTI_TAG_GENERALIZEDTIME && t.len > 15 && t.value[14] == '.') {
        frac = 1;
        while (14 + (size_t)frac < t.len && digit(t.value[14 + frac]))
            frac++;
    }
    out->text = format(d, &tm, frac ? t.value + 14 : NULL, (size_t)frac);
    if (out->text == NULL)
        return oti_dec_fail(d, OTLS_ERR_NO_MEMORY, "out of memory");
    out->valid = 1;
    out->epoch = days_from_civil(tm.year, tm.mon + 1, tm.mday) * 86400 + tm.hour * 3600 +
                 tm.min * 60 + tm.sec;
    return OTI_OK;
}
