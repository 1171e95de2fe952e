#ifndef OTLS_CORE_PLUGINS_H
#define OTLS_CORE_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>

#include "omnitls/provider.h"

#define OTI_MAX_PLUGINS 8

struct oti_plugin_set {
    bool (*is_taken)(const char *name); /* a built-in backend has this name */
    const struct otls_provider *providers[OTI_MAX_PLUGINS];
    char paths[OTI_MAX_PLUGINS][512]; /* where each was loaded from; no
                                       * allocation: it lives as long as the process */
    size_t count;
    char errors[1024]; /* why modules that were found did not load */
    struct {
        char name[64];    /* the backend the module's file name promised */
        char reason[240]; /* "path: why" */
    } failed[OTI_MAX_PLUGINS];
    size_t failed_count;
};

/* Finds and loads the plugin modules; called once. */
void oti_plugins_load(struct oti_plugin_set *set);

/* Why the module for backend name failed to load, or NULL. */
const char *oti_plugins_failure(const struct oti_plugin_set *set, const char *name);

#endif
