/* The core's ClientHello reader: it sees raw bytes from the network, so it
 * must take every split and reject every malformation without reading past
 * its input. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "clienthello.h"

/* Builds a ClientHello with the given suites, split into records of at most
 * frag bytes of handshake data. Returns the length written to out. */
static size_t build_hello(uint8_t *out, const uint16_t *suites, size_t n, size_t frag)
{
    uint8_t body[512];
    size_t b = 0;
    body[b++] = 0x03;
    body[b++] = 0x03;
    memset(body + b, 0xab, 32); /* random */
    b += 32;
    body[b++] = 32; /* session id */
    memset(body + b, 0x11, 32);
    b += 32;
    body[b++] = (uint8_t)(n * 2 >> 8);
    body[b++] = (uint8_t)(n * 2);
    for (size_t i = 0; i < n; i++) {
        body[b++] = (uint8_t)(suites[i] >> 8);
        body[b++] = (uint8_t)suites[i];
    }
    body[b++] = 1; /* compression methods: null */
    body[b++] = 0;
    body[b++] = 0; /* no extensions */
    body[b++] = 0;

    uint8_t msg[600];
    size_t m = 0;
    msg[m++] = 1; /* client_hello */
    msg[m++] = 0;
    msg[m++] = (uint8_t)(b >> 8);
    msg[m++] = (uint8_t)b;
    memcpy(msg + m, body, b);
    m += b;

    size_t o = 0;
    for (size_t off = 0; off < m; off += frag) {
        size_t chunk = m - off < frag ? m - off : frag;
        out[o++] = 22;
        out[o++] = 3;
        out[o++] = 1;
        out[o++] = (uint8_t)(chunk >> 8);
        out[o++] = (uint8_t)chunk;
        memcpy(out + o, msg + off, chunk);
        o += chunk;
    }
    return o;
}

static const uint16_t some_suites[] = {0x1301, 0x1302, 0xC02B, 0xC02F, 0x009E, 0x00FF};
#define N_SUITES (sizeof some_suites / sizeof some_suites[0])

Test(clienthello, whole_and_fragmented)
{
    uint8_t wire[2048];
    for (size_t frag = 1; frag <= 200; frag += 7) {
        size_t len = build_hello(wire, some_suites, N_SUITES, frag);
        uint16_t got[16];
        size_t count = 0;
        cr_assert_eq(oti_hello_parse(wire, len, got, 16, &count), OTI_HELLO_DONE, "frag %zu", frag);
        cr_assert_eq(count, N_SUITES);
        cr_assert_arr_eq(got, some_suites, sizeof some_suites);
    }
}

Test(clienthello, every_prefix_needs_more)
{
    uint8_t wire[2048];
    build_hello(wire, some_suites, N_SUITES, 50);
    /* The list ends well before the hello does; any prefix that cuts it
     * must ask for more, never misread. */
    for (size_t cut = 0; cut < 5 + 4 + 2 + 32 + 1 + 32 + 2 + 2 * N_SUITES; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees overreads */
        memcpy(copy, wire, cut);
        uint16_t got[16];
        size_t count;
        enum oti_hello_result r = oti_hello_parse(copy, cut, got, 16, &count);
        free(copy);
        cr_assert_eq(r, OTI_HELLO_NEED_MORE, "cut at %zu", cut);
    }
}

Test(clienthello, capacity_is_respected)
{
    uint8_t wire[2048];
    size_t len = build_hello(wire, some_suites, N_SUITES, 1000);
    uint16_t got[3] = {0};
    size_t count;
    cr_assert_eq(oti_hello_parse(wire, len, got, 2, &count), OTI_HELLO_DONE);
    cr_assert_eq(count, N_SUITES);
    cr_assert_eq(got[2], 0);
}

static enum oti_hello_result parse_mutated(size_t index, uint8_t value)
{
    uint8_t wire[2048];
    size_t len = build_hello(wire, some_suites, N_SUITES, 1000);
    wire[index] = value;
    uint16_t got[16];
    size_t count;
    return oti_hello_parse(wire, len, got, 16, &count);
}

Test(clienthello, malformed)
{
    cr_assert_eq(parse_mutated(0, 23), OTI_HELLO_MALFORMED);    /* application data */
    cr_assert_eq(parse_mutated(1, 2), OTI_HELLO_MALFORMED);     /* record version */
    cr_assert_eq(parse_mutated(5, 2), OTI_HELLO_MALFORMED);     /* server_hello */
    cr_assert_eq(parse_mutated(9, 2), OTI_HELLO_MALFORMED);     /* legacy_version */
    cr_assert_eq(parse_mutated(43, 33), OTI_HELLO_MALFORMED);   /* session id too long */
    cr_assert_eq(parse_mutated(77, 0x0d), OTI_HELLO_MALFORMED); /* odd suite length */
    cr_assert_eq(parse_mutated(76, 0xff), OTI_HELLO_MALFORMED); /* list beyond body */
    /* A record with a zero length or over the limit. */
    cr_assert_eq(parse_mutated(3, 0x50), OTI_HELLO_MALFORMED);
    uint8_t zero[] = {22, 3, 1, 0, 0, 1, 0};
    size_t count;
    uint16_t got[1];
    cr_assert_eq(oti_hello_parse(zero, sizeof zero, got, 1, &count), OTI_HELLO_MALFORMED);
}

Test(clienthello, random_bytes_never_crash)
{
    srand(1234);
    uint8_t *buf = malloc(300);
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(rand() % 300);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rand();
        if (len > 0 && round % 2)
            buf[0] = 22; /* get past the first check half the time */
        if (len > 1 && round % 2)
            buf[1] = 3;
        uint16_t got[8];
        size_t count;
        enum oti_hello_result r = oti_hello_parse(buf, len, got, 8, &count);
        cr_assert(r == OTI_HELLO_DONE || r == OTI_HELLO_NEED_MORE || r == OTI_HELLO_MALFORMED);
    }
    free(buf);
}

/* A hello message (no record layer) with an ALPN list and the extended
 * master secret extension; type 1 ClientHello or 2 ServerHello. */
static size_t hello_with_extensions(uint8_t *msg, int type)
{
    static const uint8_t alpn[] = {0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    uint8_t body[256];
    size_t b = 0;
    body[b++] = 3;
    body[b++] = 3;
    memset(body + b, 7, 32);
    b += 32;
    body[b++] = 0; /* empty session id */
    if (type == 1) {
        body[b++] = 0;
        body[b++] = 2;
        body[b++] = 0x13;
        body[b++] = 0x01;
        body[b++] = 1; /* compression: null */
        body[b++] = 0;
    } else {
        body[b++] = 0xc0; /* the chosen suite */
        body[b++] = 0x2f;
        body[b++] = 0; /* compression */
    }
    size_t ext_len = 4 + sizeof alpn + 4;
    body[b++] = 0;
    body[b++] = (uint8_t)ext_len;
    body[b++] = 0; /* ALPN */
    body[b++] = 16;
    body[b++] = 0;
    body[b++] = sizeof alpn;
    memcpy(body + b, alpn, sizeof alpn);
    b += sizeof alpn;
    body[b++] = 0; /* extended_master_secret, empty */
    body[b++] = 23;
    body[b++] = 0;
    body[b++] = 0;
    msg[0] = (uint8_t)type;
    msg[1] = 0;
    msg[2] = 0;
    msg[3] = (uint8_t)b;
    memcpy(msg + 4, body, b);
    return 4 + b;
}

Test(clienthello, extensions_on_both_roles)
{
    for (int type = 1; type <= 2; type++) {
        uint8_t msg[300];
        size_t len = hello_with_extensions(msg, type);
        struct oti_hello_view v;
        cr_assert_eq(oti_hello_read(msg, len, type, &v), OTI_HELLO_DONE, "type %d", type);
        cr_assert(v.ems, "type %d: EMS", type);
        cr_assert(v.has_alpn && v.alpn_len == 12 && v.alpn[0] == 2 && v.alpn[1] == 'h');
        cr_assert_eq(v.suites_len, type == 1 ? 2u : 0u);
        /* The other kind of hello is refused, and so is any cut. */
        cr_assert_eq(oti_hello_read(msg, len, 3 - type, &v), OTI_HELLO_MALFORMED);
        for (size_t cut = 0; cut < len; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, msg, cut);
            cr_assert_eq(oti_hello_read(copy, cut, type, &v), OTI_HELLO_MALFORMED, "cut %zu", cut);
            free(copy);
        }
    }
}

Test(clienthello, tap_publishes_once_whole)
{
    uint8_t wire[2048];
    size_t len = build_hello(wire, some_suites, N_SUITES, 30);
    struct otls_peer_hello hello = {0};
    struct oti_hello_tap tap = {.type = 1, .hello = &hello};
    for (size_t i = 0; i < len; i++) {
        cr_assert_not(hello.complete, "complete before byte %zu", i);
        cr_assert_eq(oti_hello_tap_feed(&tap, wire + i, 1), 0);
    }
    cr_assert(hello.complete);
    cr_assert_eq(hello.suite_count, N_SUITES);
    cr_assert_arr_eq(hello.suites, some_suites, sizeof some_suites);
    cr_assert_not(hello.has_alpn);
    oti_hello_tap_free(&tap);
}

/* A hello message whose only extension is key_share with the given body. */
static size_t hello_with_key_share(uint8_t *msg, int type, const uint8_t *ks, size_t ks_len)
{
    uint8_t body[128];
    size_t b = 0;
    body[b++] = 3;
    body[b++] = 3;
    memset(body + b, 7, 32);
    b += 32;
    body[b++] = 0; /* empty session id */
    if (type == 1) {
        const uint8_t suites_and_compression[] = {0, 2, 0x13, 0x01, 1, 0};
        memcpy(body + b, suites_and_compression, sizeof suites_and_compression);
        b += sizeof suites_and_compression;
    } else {
        const uint8_t suite_and_compression[] = {0x13, 0x01, 0};
        memcpy(body + b, suite_and_compression, sizeof suite_and_compression);
        b += sizeof suite_and_compression;
    }
    body[b++] = 0;
    body[b++] = (uint8_t)(4 + ks_len);
    body[b++] = 0; /* key_share */
    body[b++] = 51;
    body[b++] = 0;
    body[b++] = (uint8_t)ks_len;
    memcpy(body + b, ks, ks_len);
    b += ks_len;
    msg[0] = (uint8_t)type;
    msg[1] = 0;
    msg[2] = 0;
    msg[3] = (uint8_t)b;
    memcpy(msg + 4, body, b);
    return 4 + b;
}

/* The group a server chose, from its ServerHello's share or a
 * HelloRetryRequest's selected group; a ClientHello's list names none. */
Test(clienthello, key_share_group)
{
    const uint8_t server_share[] = {0x00, 0x17, 0x00, 0x02, 0xaa, 0xbb}; /* P-256 */
    const uint8_t retry_group[] = {0x00, 0x1d};                          /* X25519 */
    const uint8_t client_shares[] = {0x00, 0x06, 0x00, 0x1d, 0x00, 0x02, 0xaa, 0xbb};
    uint8_t msg[200];
    struct oti_hello_view v;

    size_t len = hello_with_key_share(msg, 2, server_share, sizeof server_share);
    cr_assert_eq(oti_hello_read(msg, len, 2, &v), OTI_HELLO_DONE);
    cr_assert_eq(v.key_share_group, 0x0017);
    len = hello_with_key_share(msg, 2, retry_group, sizeof retry_group);
    cr_assert_eq(oti_hello_read(msg, len, 2, &v), OTI_HELLO_DONE);
    cr_assert_eq(v.key_share_group, 0x001d);
    len = hello_with_key_share(msg, 1, client_shares, sizeof client_shares);
    cr_assert_eq(oti_hello_read(msg, len, 1, &v), OTI_HELLO_DONE);
    cr_assert_eq(v.key_share_group, 0);
}
