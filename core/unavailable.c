/* The public functions of the units a build leaves out (cmake/OmnitlsProfile.cmake):
 * each keeps its symbol, so a program links against any profile, and answers
 * OTLS_ERR_UNSUPPORTED naming the option that would bring it back. */
#include <stddef.h>

#include "internal.h"

#if !OTI_WITH_FD_TRANSPORT
otls_status otls_conn_set_fd(otls_conn *conn, int fd)
{
    (void)fd;
    if (conn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    return oti_conn_fail(conn, OTLS_ERR_UNSUPPORTED,
                         "otls_conn_set_fd: this omnitls was built without the fd transport "
                         "(OTLS_WITH_FD_TRANSPORT=OFF); use otls_conn_set_io");
}
#endif

#if !OTI_WITH_FILES
static otls_status no_files(otls_ctx *ctx, const char *what)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    return oti_ctx_fail(ctx, OTLS_ERR_UNSUPPORTED,
                        "%s: this omnitls was built without file loading (OTLS_WITH_FILES=OFF); "
                        "use the _mem loaders",
                        what);
}

otls_status otls_ctx_load_ca_file(otls_ctx *ctx, const char *path)
{
    (void)path;
    return no_files(ctx, "otls_ctx_load_ca_file");
}

otls_status otls_ctx_load_ca_dir(otls_ctx *ctx, const char *path)
{
    (void)path;
    return no_files(ctx, "otls_ctx_load_ca_dir");
}

otls_status otls_ctx_load_cert_chain_file(otls_ctx *ctx, const char *cert_path,
                                          const char *key_path)
{
    (void)cert_path;
    (void)key_path;
    return no_files(ctx, "otls_ctx_load_cert_chain_file");
}
#endif
