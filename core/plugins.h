#ifndef OTLS_CORE_PLUGINS_H
#define OTLS_CORE_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>

#include "omnitls/provider.h"

#define OTI_MAX_PLUGINS 8

struct oti_plugin_set {
    bool (*is_taken)(const char *name); /* a built-in backend has this name */
    const struct otls_provider *providers[OTI_MAX_PLUGINS];
    char *paths[OTI_MAX_PLUGINS]; /* where each was loaded from */
    size_t count;
    char errors[512]; /* why modules that were found did not load */
};

/* Finds and loads the plugin modules; called once. */
void oti_plugins_load(struct oti_plugin_set *set);

#endif
