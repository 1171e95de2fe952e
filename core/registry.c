/* The backends compiled into this library and the default choice. */
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "internal.h"
#include "builtin_backends.h"

/* Filled once, on first use; the provider table itself is constant. */
static otls_backend_info infos[OTI_BUILTIN_COUNT];
static once_flag infos_once = ONCE_FLAG_INIT;

static void fill_infos(void)
{
    const char *def = otls_default_backend();
    for (size_t i = 0; i < OTI_BUILTIN_COUNT; i++) {
        const struct otls_provider *p = oti_builtin_providers[i];
        infos[i].name = p->name;
        infos[i].library_version = p->lib_version();
        infos[i].features = p->features;
        infos[i].is_default = strcmp(p->name, def) == 0;
    }
}

otls_status otls_backends(const otls_backend_info **list, size_t *count)
{
    if (list == NULL || count == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    call_once(&infos_once, fill_infos);
    *list = infos;
    *count = OTI_BUILTIN_COUNT;
    return OTLS_OK;
}

const char *otls_default_backend(void)
{
    /* An unknown name is returned as is, so otls_ctx_new(NULL) reports it
     * instead of silently running on another stack. */
    const char *env = getenv("OMNITLS_BACKEND");
    return env && *env ? env : OTI_DEFAULT_BACKEND;
}

const struct otls_provider *oti_provider_find(const char *name)
{
    for (size_t i = 0; i < OTI_BUILTIN_COUNT; i++)
        if (strcmp(oti_builtin_providers[i]->name, name) == 0)
            return oti_builtin_providers[i];
    return NULL;
}
