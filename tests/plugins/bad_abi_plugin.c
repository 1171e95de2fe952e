/* A plugin module built for another provider ABI: the library must refuse
 * it and say so. */
#include "omnitls/provider.h"

static const struct otls_provider provider = {
    .abi = OTLS_PROVIDER_ABI + 1000,
    .name = "badabi",
};

__attribute__((visibility("default"))) const struct otls_provider *otls_plugin_provider(void);

const struct otls_provider *otls_plugin_provider(void)
{
    return &provider;
}
