#ifndef OTLS_CORE_FILE_H
#define OTLS_CORE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "omnitls/omnitls.h"

/* Reads a whole regular file into a NUL-terminated buffer (free with
 * oti_free). OTLS_ERR_FILE with the reason in err. */
otls_status oti_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t err_len);

/* Calls fn for every regular file of dir (following links; skipping dot
 * files), stopping at the first negative status, which it returns. */
otls_status oti_for_each_file(const char *dir, otls_status (*fn)(const char *path, void *arg),
                              void *arg, char *err, size_t err_len);

#endif
