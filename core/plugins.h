#ifndef OTLS_CORE_PLUGINS_H
#define OTLS_CORE_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>

#include "omnitls/provider.h"

#if !defined(OTI_ENABLE_PLUGINS) || OTI_ENABLE_PLUGINS
#define OTI_MAX_PLUGINS 8
#define OTI_PLUGIN_TEXT(n) (n)
#else
/* No dlopen: the set stays empty; its buffers shrink to a byte each, so a
 * small device does not keep 7.8 KB of RAM for nothing. */
#define OTI_MAX_PLUGINS 1
#define OTI_PLUGIN_TEXT(n) 1
#endif

struct oti_plugin_set {
    bool (*is_taken)(const char *name); /* a built-in backend has this name */
    const struct otls_provider *providers[OTI_MAX_PLUGINS];
    char paths[OTI_MAX_PLUGINS]
              [OTI_PLUGIN_TEXT(512)]; /* where each was loaded from; no
                                       * allocation: it lives as long as the process */
    size_t count;
    char errors[OTI_PLUGIN_TEXT(1024)]; /* why modules that were found did not load */
    struct {
        char name[OTI_PLUGIN_TEXT(64)];    /* the backend the module's file name promised */
        char reason[OTI_PLUGIN_TEXT(240)]; /* "path: why" */
    } failed[OTI_MAX_PLUGINS];
    size_t failed_count;
};

/* Finds and loads the plugin modules; called once. */
void oti_plugins_load(struct oti_plugin_set *set);

/* Why the module for backend name failed to load, or NULL. */
const char *oti_plugins_failure(const struct oti_plugin_set *set, const char *name);

#endif
