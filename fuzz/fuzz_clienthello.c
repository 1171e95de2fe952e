/* libFuzzer target for the core's hello reader (core/clienthello.c): the
 * record reassembly, the ClientHello and ServerHello readers and the tap a
 * connection feeds its received bytes to. The first input byte picks the
 * size of the pieces the tap is fed in, so the reassembly across records
 * and partial reads is fuzzed too. Checks what must hold for any input:
 * the three entry points agree with each other, every pointer they return
 * lies inside the message, and the tap publishes what oti_hello_read says. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clienthello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
    if (!ok)
        abort();
}

static int inside(const uint8_t *p, size_t n, const uint8_t *msg, size_t len)
{
    return n == 0 || (p >= msg && p + n <= msg + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)data[0] + 1;
    data++;
    size--;

    uint8_t *msg = malloc(size ? size : 1);
    require(msg != NULL);
    size_t msg_len = 0;
    enum oti_hello_result res = oti_hello_message(data, size, msg, size, &msg_len);
    require(res != OTI_HELLO_DONE || (msg_len >= 4 && msg_len <= size));

    struct oti_hello_view views[2];
    enum oti_hello_result reads[2] = {OTI_HELLO_MALFORMED, OTI_HELLO_MALFORMED};
    if (res == OTI_HELLO_DONE) {
        for (int t = 0; t < 2; t++) {
            struct oti_hello_view *v = &views[t];
            reads[t] = oti_hello_read(msg, msg_len, t + 1, v);
            if (reads[t] != OTI_HELLO_DONE)
                continue;
            require(inside(v->suites, v->suites_len, msg, msg_len));
            require(inside(v->alpn, v->alpn_len, msg, msg_len));
            require(v->has_alpn || v->alpn_len == 0);
        }
    }

    /* The convenience parser gives the ClientHello's suites. */
    uint16_t suites[8];
    size_t count = 0;
    enum oti_hello_result pres = oti_hello_parse(data, size, suites, 8, &count);
    require(pres == (res == OTI_HELLO_DONE ? reads[0] : res));
    if (pres == OTI_HELLO_DONE) {
        require(count == views[0].suites_len / 2);
        for (size_t i = 0; i < count && i < 8; i++)
            require(suites[i] ==
                    (uint16_t)(views[0].suites[2 * i] << 8 | views[0].suites[2 * i + 1]));
    }

    /* The tap, on both roles, fed piece by piece. */
    for (int t = 0; t < 2; t++) {
        struct oti_hello_tap tap;
        struct otls_peer_hello hello;
        memset(&tap, 0, sizeof tap);
        memset(&hello, 0, sizeof hello);
        tap.type = t + 1;
        tap.hello = &hello;
        for (size_t off = 0; off < size; off += piece) {
            size_t n = size - off < piece ? size - off : piece;
            require(oti_hello_tap_feed(&tap, data + off, n) == 0);
        }
        if (hello.complete) {
            require(res == OTI_HELLO_DONE && reads[t] == OTI_HELLO_DONE);
            require(hello.suite_count == views[t].suites_len / 2);
            require(hello.has_alpn == views[t].has_alpn);
            require(hello.alpn_len == views[t].alpn_len);
            require(hello.extended_master_secret == views[t].ems);
        } else if (hello.malformed) {
            require(tap.finished);
        }
        oti_hello_tap_free(&tap);
    }
    free(msg);
    return 0;
}
