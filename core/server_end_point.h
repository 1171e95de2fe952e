#ifndef OTLS_CORE_SERVER_END_POINT_H
#define OTLS_CORE_SERVER_END_POINT_H

#include <stddef.h>
#include <stdint.h>

#include "omnitls/omnitls.h"

/* Picks the tls-server-end-point hash (enum otls_hash) for a certificate.
 * OTLS_ERR_UNSUPPORTED for signature algorithms without one hash (Ed25519)
 * or unknown ones; OTLS_ERR_PARSE for bad DER. */
otls_status oti_server_end_point_hash(const uint8_t *der, size_t len, int *hash, char *err,
                                      size_t err_len);

#endif
