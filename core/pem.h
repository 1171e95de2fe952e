/* PEM decoding: the core turns every PEM or DER input into DER before a
 * backend sees it, so all backends accept exactly the same inputs. */
#ifndef OTLS_CORE_PEM_H
#define OTLS_CORE_PEM_H

#include <stddef.h>
#include <stdint.h>

#include "omnitls/omnitls.h"

enum oti_pem_kind {
    OTI_PEM_CERT,          /* CERTIFICATE */
    OTI_PEM_KEY,           /* PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY */
    OTI_PEM_ENCRYPTED_KEY, /* ENCRYPTED PRIVATE KEY or a Proc-Type: 4,ENCRYPTED key */
    OTI_PEM_OTHER,         /* anything else (EC PARAMETERS, ...): ignored by callers */
    OTI_PEM_RAW_DER        /* the input was not PEM but one DER object */
};

struct oti_pem_block {
    enum oti_pem_kind kind;
    uint8_t *der;
    size_t len;
};

/* Decodes every PEM block of data[0..len). Input without a PEM header that
 * starts like a DER SEQUENCE gives one OTI_PEM_RAW_DER block. On success
 * *blocks is an array of *count blocks to free with oti_pem_free. On
 * failure returns OTLS_ERR_PARSE (or OTLS_ERR_NO_MEMORY) with a reason in
 * err. */
otls_status oti_pem_decode(const uint8_t *data, size_t len, struct oti_pem_block **blocks,
                           size_t *count, char *err, size_t err_len);

void oti_pem_free(struct oti_pem_block *blocks, size_t count);

#endif
