/* Compiled (never run) by scripts/embedded-size.sh: each array's size is a
 * struct's size on the target, read back with nm -S, so the numbers come
 * from the cross compiler's own layout. */
#include "../../backends/mbedtls/mbedtls_backend.h"
#include "internal.h"

const char size_otls_conn[sizeof(struct otls_conn)] = {0};
const char size_backend_conn[sizeof(struct oti_mbedtls_conn)] = {0};
const char size_mbedtls_ssl_context[sizeof(mbedtls_ssl_context)] = {0};
const char size_mbedtls_ssl_config[sizeof(mbedtls_ssl_config)] = {0};
const char size_mbedtls_x509_crt[sizeof(mbedtls_x509_crt)] = {0};
const char size_oti_facts[sizeof(struct oti_facts)] = {0};
/* Allocated on a connection's first error only, not part of every one. */
const char size_conn_error_on_failure[OTI_CONN_ERROR_SIZE] = {0};
const char size_chains_when_asked[sizeof(struct oti_chains)] = {0};
const char size_bindings_when_asked[sizeof(struct oti_bindings)] = {0};
const char size_session_facts[sizeof(struct otls_session_facts)] = {0};
const char size_hello_tap[sizeof(struct oti_hello_tap)] = {0};
const char size_backend_sni[sizeof(((struct oti_mbedtls_conn *)0)->sni)] = {0};
const char size_backend_vchain[sizeof(((struct oti_mbedtls_conn *)0)->vchain)] = {0};
const char size_otls_ctx[sizeof(struct otls_ctx)] = {0};
const char size_backend_ctx[sizeof(struct oti_mbedtls_ctx)] = {0};
