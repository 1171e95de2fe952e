/* Status names and the error messages objects keep. */
#include <stdarg.h>

#include "internal.h"

const char *otls_status_name(otls_status status)
{
    switch (status) {
    case OTLS_OK:
        return "OTLS_OK";
    case OTLS_NONE:
        return "OTLS_NONE";
    case OTLS_WANT_READ:
        return "OTLS_WANT_READ";
    case OTLS_WANT_WRITE:
        return "OTLS_WANT_WRITE";
    case OTLS_CLOSED:
        return "OTLS_CLOSED";
    case OTLS_ERR_INVALID_ARGUMENT:
        return "OTLS_ERR_INVALID_ARGUMENT";
    case OTLS_ERR_NO_MEMORY:
        return "OTLS_ERR_NO_MEMORY";
    case OTLS_ERR_UNSUPPORTED:
        return "OTLS_ERR_UNSUPPORTED";
    case OTLS_ERR_HANDSHAKE_NOT_DONE:
        return "OTLS_ERR_HANDSHAKE_NOT_DONE";
    case OTLS_ERR_NOT_FOUND:
        return "OTLS_ERR_NOT_FOUND";
    case OTLS_ERR_IO:
        return "OTLS_ERR_IO";
    case OTLS_ERR_TLS:
        return "OTLS_ERR_TLS";
    case OTLS_ERR_VERIFY:
        return "OTLS_ERR_VERIFY";
    case OTLS_ERR_BUFFER_TOO_SMALL:
        return "OTLS_ERR_BUFFER_TOO_SMALL";
    case OTLS_ERR_FILE:
        return "OTLS_ERR_FILE";
    case OTLS_ERR_PARSE:
        return "OTLS_ERR_PARSE";
    case OTLS_ERR_STATE:
        return "OTLS_ERR_STATE";
    case OTLS_ERR_INTERNAL:
        return "OTLS_ERR_INTERNAL";
    }
    return "OTLS_ERR_UNKNOWN";
}

const char *otls_version(void)
{
    return OTLS_VERSION_STRING;
}

otls_status oti_set_error(char *buf, size_t size, otls_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    oti_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return code;
}

const char *oti_version_name(uint16_t version)
{
    switch (version) {
    case 0x0303:
        return "TLSv1.2";
    case 0x0304:
        return "TLSv1.3";
    default:
        return NULL;
    }
}
