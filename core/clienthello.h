/* Reading the cipher_suites list of a ClientHello from the raw bytes a
 * server receives, for backends that cannot tell which suites the client
 * offered. Bytes are only watched, never changed. */
#ifndef OTLS_CORE_CLIENTHELLO_H
#define OTLS_CORE_CLIENTHELLO_H

#include <stddef.h>
#include <stdint.h>

enum oti_hello_result {
    OTI_HELLO_DONE,      /* suites found */
    OTI_HELLO_NEED_MORE, /* the bytes so far end before the list does */
    OTI_HELLO_MALFORMED  /* not a TLS ClientHello */
};

/* Parses the TLS records in data[0..len) (the first bytes a server
 * receives, possibly split over several records). On OTI_HELLO_DONE,
 * *count is the number of suites in the list and the first min(*count, cap)
 * are in suites[]. Never reads outside data. */
enum oti_hello_result oti_hello_parse(const uint8_t *data, size_t len, uint16_t *suites, size_t cap,
                                      size_t *count);

/* A tap on the server's receive path that collects bytes until the suite
 * list has gone by. */
struct oti_hello_tap {
    uint8_t *buf;
    size_t len, cap;
    int finished;     /* stop watching */
    uint16_t *suites; /* the client's suites, once parsed */
    size_t suite_count;
};

/* Feeds received bytes; returns -1 only when out of memory. */
int oti_hello_tap_feed(struct oti_hello_tap *tap, const uint8_t *data, size_t len);
void oti_hello_tap_free(struct oti_hello_tap *tap);

#endif
