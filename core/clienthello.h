/* Reading the peer's first hello from the raw bytes a connection receives:
 * the ClientHello's suites, ALPN list and extended-master-secret extension
 * on a server, the ServerHello's extensions on a client. Every backend gets
 * the same facts, including those its stack does not expose. Bytes are only
 * watched, never changed. */
#ifndef OTLS_CORE_CLIENTHELLO_H
#define OTLS_CORE_CLIENTHELLO_H

#include <stddef.h>
#include <stdint.h>

#include "omnitls/provider.h"

enum oti_hello_result {
    OTI_HELLO_DONE,      /* the whole hello message is there */
    OTI_HELLO_NEED_MORE, /* the bytes so far end inside it */
    OTI_HELLO_MALFORMED  /* not a TLS hello of the expected kind */
};

/* Reassembles the first handshake message from the TLS records in
 * data[0..len) into out (capacity cap; the message is never longer than
 * len). On OTI_HELLO_DONE *msg_len is its length, header included. Never
 * reads outside data. */
enum oti_hello_result oti_hello_message(const uint8_t *data, size_t len, uint8_t *out, size_t cap,
                                        size_t *msg_len);

/* The facts of one hello message (type 1 ClientHello or 2 ServerHello, as
 * expected). Pointers in *out point into msg. */
struct oti_hello_view {
    const uint8_t *suites; /* 2 bytes each */
    size_t suites_len;
    const uint8_t *alpn;
    size_t alpn_len;
    int has_alpn;
    int ems;
    uint16_t key_share_group; /* ServerHello (or HelloRetryRequest): the group
                                 the server chose; 0 when none */
};
enum oti_hello_result oti_hello_read(const uint8_t *msg, size_t len, int type,
                                     struct oti_hello_view *out);

/* Convenience for the ClientHello's suites: the first min(*count, cap) ids
 * of the list go to suites[], *count is the list's length. */
enum oti_hello_result oti_hello_parse(const uint8_t *data, size_t len, uint16_t *suites, size_t cap,
                                      size_t *count);

/* A tap on a connection's receive path that collects bytes until the peer's
 * hello has gone by, then publishes it in `hello`. */
struct oti_hello_tap {
    int type;     /* the hello expected: 1 (we are a server) or 2 */
    int finished; /* stop watching */
    uint8_t *buf; /* raw bytes so far */
    size_t len, cap;
    uint8_t *msg; /* the reassembled hello, which hello points into */
    uint16_t *suites;
    uint16_t key_share_group;      /* from a ServerHello, once published */
    struct otls_peer_hello *hello; /* where the facts are published: the
                                    * connection's, which outlives the tap */
    uint8_t head[8];               /* the peer's first bytes, to name what it sent */
    size_t head_len;
};

/* Feeds received bytes; returns -1 only when out of memory. */
int oti_hello_tap_feed(struct oti_hello_tap *tap, const uint8_t *data, size_t len);
void oti_hello_tap_free(struct oti_hello_tap *tap);

/* When the peer's first bytes were not a hello of the expected kind (nor
 * an alert, which the stack reports itself), writes what it sent instead,
 * "the peer did not send a TLS ClientHello (its first bytes: "GET / HT")",
 * and returns 1; else 0. Stacks word this case in as many ways as there
 * are stacks; this wording is the same on each. */
int oti_hello_tap_not_hello(const struct oti_hello_tap *tap, char *buf, size_t cap);

#endif
