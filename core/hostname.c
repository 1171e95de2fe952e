/* Telling an IP literal from a DNS name without socket headers: IP
 * addresses get no SNI (RFC 6066) and are checked against IP SANs. */
#include <string.h>

#include "internal.h"

static bool is_ipv4(const char *s)
{
    int parts = 0;
    while (*s) {
        int digits = 0, value = 0;
        while (*s >= '0' && *s <= '9') {
            value = value * 10 + (*s++ - '0');
            if (++digits > 3 || value > 255)
                return false;
        }
        if (digits == 0 || ++parts > 4)
            return false;
        if (*s == '.' && s[1] != '\0')
            s++;
        else if (*s != '\0')
            return false;
    }
    return parts == 4;
}

static bool is_ipv6(const char *s)
{
    /* Hex groups and colons, optionally ending in dotted IPv4; the exact
     * check is the backend's (oti_ip_parse of name_check.c, or its stack's). */
    if (strchr(s, ':') == NULL)
        return false;
    return strspn(s, "0123456789abcdefABCDEF:.") == strlen(s);
}

bool oti_is_ip_literal(const char *name)
{
    return is_ipv4(name) || is_ipv6(name);
}
