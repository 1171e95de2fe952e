/* mbedTLS configuration for compiling omnitls for a bare-metal target
 * against a distribution's mbedTLS 2.28 headers (scripts/embedded-size.sh):
 * the distribution's config with what a bare-metal libc lacks turned off.
 * Select it with -DMBEDTLS_CONFIG_FILE='"mbedtls_baremetal_config.h"'.
 * A firmware build uses its own board's config; these are the settings
 * omnitls itself cares about (docs/embedded.md). */
#ifndef OTLS_MBEDTLS_BAREMETAL_CONFIG_H
#define OTLS_MBEDTLS_BAREMETAL_CONFIG_H

#include <mbedtls/config.h>

/* No pthread, no BSD sockets, no file system, no OS clock or entropy. */
#undef MBEDTLS_THREADING_C
#undef MBEDTLS_THREADING_PTHREAD
#undef MBEDTLS_NET_C
#undef MBEDTLS_FS_IO
#undef MBEDTLS_TIMING_C
#undef MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
/* mbedTLS's own allocations through mbedtls_platform_set_calloc_free, so the
 * firmware can give it the pool it gives omnitls (otls_set_allocator). */
#define MBEDTLS_PLATFORM_MEMORY

#endif
