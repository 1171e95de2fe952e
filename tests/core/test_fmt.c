/* core/fmt.c, the core's own snprintf, against the C library's on every
 * form the core uses and the edges around them (truncation, widths,
 * precision, extremes of each length modifier). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "internal.h"

#define SAME(...)                                                                                  \
    do {                                                                                           \
        char want[128], got[128];                                                                  \
        int wn = snprintf(want, sizeof want, __VA_ARGS__);                                         \
        int gn = oti_snprintf(got, sizeof got, __VA_ARGS__);                                       \
        cr_expect_str_eq(got, want, "format %s", #__VA_ARGS__);                                    \
        cr_expect_eq(gn, wn, "length for %s: %d, libc %d", #__VA_ARGS__, gn, wn);                  \
    } while (0)

Test(fmt, conversions)
{
    SAME("plain text");
    SAME("%s and %s", "one", "two");
    SAME("%.3s|%.0s|%.10s", "abcdef", "x", "short");
    SAME("%.*s|%.*s", 2, "abcdef", -1, "all of it");
    SAME("%-8s|%8s|%-3s", "ab", "cd", "longer");
    SAME("%d %d %d %i", 0, -1, INT_MAX, INT_MIN);
    SAME("%u %u %x %X", 0u, UINT_MAX, 0xdeadbeefu, 0xabcu);
    SAME("%02d:%02d:%02d %2d %2d", 5, 12, 0, 7, 123);
    SAME("%04x %04X %08x %09u", 0x1fu, 0xC02Bu, 0x1u, 123456789u);
    SAME("%ld %ld %lu", LONG_MAX, LONG_MIN, ULONG_MAX);
    SAME("%lld %lld %llu %llx", LLONG_MAX, LLONG_MIN, ULLONG_MAX, 0x1234567890abcdefull);
    SAME("%zu %zu", (size_t)0, SIZE_MAX);
    SAME("%zd|%zd", (ptrdiff_t)-5, (ptrdiff_t)7);
    SAME("%hd %hu %hhd %hhu", (short)-2, (unsigned short)65535, (signed char)-3,
         (unsigned char)250);
    SAME("%c%c%c", 'o', 'k', '!');
    SAME("100%% %s", "sure");
    SAME("%-5d|%05d|%5d", 42, -42, -7);
    SAME("%.3d|%.0d|%5.3d", 7, 0, 42);
    SAME("%*d|%-*d|%*d", 6, 1, 6, 2, -6, 3);
}

Test(fmt, truncation)
{
    char buf[8];
    memset(buf, 'x', sizeof buf);
    cr_expect_eq(oti_snprintf(buf, 5, "%s", "abcdefgh"), 8);
    cr_expect_str_eq(buf, "abcd");
    cr_expect_eq(buf[5], 'x', "wrote past the size");
    cr_expect_eq(oti_snprintf(buf, 1, "%d", 12345), 5);
    cr_expect_str_eq(buf, "");
    memset(buf, 'x', sizeof buf);
    cr_expect_eq(oti_snprintf(buf, 0, "%s", "abc"), 3);
    cr_expect_eq(buf[0], 'x', "size 0 must not write");
    cr_expect_eq(oti_snprintf(NULL, 0, "%s-%d", "ab", 10), 5);
}

Test(fmt, unsupported_shows_in_text)
{
    char buf[64];
    /* A directive outside the subset is copied, not guessed at. */
    const char *format = "a %f b %s"; /* not a literal: the compiler would refuse it */
    oti_snprintf(buf, sizeof buf, format, "c");
    cr_expect_str_eq(buf, "a %f b c");
}
