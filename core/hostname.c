/* Telling an IP literal from a DNS name: IP addresses get no SNI (RFC 6066)
 * and are checked against IP SANs. The rule is the name check's own parser
 * (glibc inet_pton's), so that every backend sees the same split: a looser
 * test here once sent "01.2.3.4" to OpenSSL as an address (which its parser
 * reads as 1.2.3.4) and to mbedTLS and wolfSSL as an address they refused. */
#include "internal.h"
#include "name_check.h"

bool oti_is_ip_literal(const char *name)
{
    uint8_t addr[16];
    return oti_ip_parse(name, addr) != 0;
}
