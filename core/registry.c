/* The backends of this process: those linked in, then the plugins found at
 * first use; and the default choice. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "builtin_backends.h"
#include "internal.h"
#include "plugins.h"

#define MAX_BACKENDS (OTI_BUILTIN_COUNT + OTI_MAX_PLUGINS)

/* Filled once, then only read. */
static const struct otls_provider *providers[MAX_BACKENDS];
static otls_backend_info infos[MAX_BACKENDS];
static size_t backend_count;
static struct oti_plugin_set plugins;
static atomic_int registry_state; /* 0 not yet, 1 filling, 2 filled */

static bool is_builtin(const char *name)
{
    for (size_t i = 0; i < OTI_BUILTIN_COUNT; i++)
        if (strcmp(oti_builtin_providers[i]->name, name) == 0)
            return true;
    return false;
}

static void registry_fill(void)
{
    for (size_t i = 0; i < OTI_BUILTIN_COUNT; i++)
        providers[backend_count++] = oti_builtin_providers[i];
    plugins.is_taken = is_builtin;
    oti_plugins_load(&plugins);
    for (size_t i = 0; i < plugins.count; i++) {
        infos[backend_count].plugin_path = plugins.paths[i];
        providers[backend_count++] = plugins.providers[i];
    }

    const char *def = otls_default_backend();
    for (size_t i = 0; i < backend_count; i++) {
        infos[i].name = providers[i]->name;
        infos[i].library_version = providers[i]->lib_version();
        infos[i].features = providers[i]->features;
        infos[i].is_default = strcmp(providers[i]->name, def) == 0;
    }
}

/* call_once without a thread library (C11 <threads.h> is missing from newlib
 * and most RTOS SDKs): the first caller fills, the others wait for it. */
static void registry_init(void)
{
    if (atomic_load_explicit(&registry_state, memory_order_acquire) == 2)
        return;
    int expected = 0;
    if (atomic_compare_exchange_strong(&registry_state, &expected, 1)) {
        registry_fill();
        atomic_store_explicit(&registry_state, 2, memory_order_release);
        return;
    }
    while (atomic_load_explicit(&registry_state, memory_order_acquire) != 2)
        ; /* filling takes microseconds (no plugins) to a few dlopen calls */
}

otls_status otls_backends(const otls_backend_info **list, size_t *count)
{
    if (list == NULL || count == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    registry_init();
    *list = infos;
    *count = backend_count;
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
    registry_init();
    for (size_t i = 0; i < backend_count; i++)
        if (strcmp(providers[i]->name, name) == 0)
            return providers[i];
    return NULL;
}

const char *otls_backend_load_errors(void)
{
    return oti_plugin_errors();
}

const char *oti_plugin_failure(const char *name)
{
    registry_init();
    return oti_plugins_failure(&plugins, name);
}

const char *oti_plugin_errors(void)
{
    registry_init();
    return plugins.errors;
}
