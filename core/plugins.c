/* Backend plugins: omnitls-<name>.so modules loaded with dlopen(RTLD_LOCAL),
 * so that stacks which cannot share one link (OpenSSL and wolfSSL export the
 * same SSL_* names) can share one process. Searched in $OMNITLS_PLUGIN_PATH
 * (colon-separated), then omnitls/plugins beside the library itself (so an
 * install moved to another prefix still finds its plugins), then the
 * configured install directory and the build tree's. */
#define _GNU_SOURCE /* dladdr */
#include <string.h>

#include "internal.h"
#include "plugins.h"

#if OTI_ENABLE_PLUGINS

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define PREFIX "omnitls-"
#define SUFFIX ".so"

static bool is_plugin_file(const char *name)
{
    size_t n = strlen(name);
    return n > strlen(PREFIX) + strlen(SUFFIX) && strncmp(name, PREFIX, strlen(PREFIX)) == 0 &&
           strcmp(name + n - strlen(SUFFIX), SUFFIX) == 0;
}

/* Records why the module for name did not load, and adds it to the
 * summary, cut off when that is full. */
static void note(struct oti_plugin_set *set, const char *name, const char *path, const char *why)
{
    /* dlerror() already starts with the path. */
    bool named = strncmp(why, path, strlen(path)) == 0;
    char line[240];
    int n = oti_snprintf(line, sizeof line, "%.150s%s%.150s", named ? "" : path, named ? "" : ": ",
                         why);
    if (n < 0)
        return;
    if (set->failed_count < OTI_MAX_PLUGINS) {
        oti_snprintf(set->failed[set->failed_count].name, sizeof set->failed[0].name, "%s", name);
        memcpy(set->failed[set->failed_count].reason, line, sizeof line);
        set->failed_count++;
    }
    size_t used = strlen(set->errors);
    if (used + strlen(line) + 3 < sizeof set->errors)
        oti_snprintf(set->errors + used, sizeof set->errors - used, "%s; ", line);
}

/* Loads one module; a failure is noted, never fatal: the other backends
 * still work. Handles are kept for the life of the process. */
static void load_one(struct oti_plugin_set *set, const char *path, const char *file)
{
    if (set->count == OTI_MAX_PLUGINS)
        return;
    /* The file name says the backend: a name already present (built in, or
     * found earlier on the path) wins, as PATH lookups do. */
    char name[64];
    size_t len = strlen(file) - strlen(PREFIX) - strlen(SUFFIX);
    if (len >= sizeof name)
        return;
    memcpy(name, file + strlen(PREFIX), len);
    name[len] = '\0';
    if (set->is_taken(name))
        return;
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->providers[i]->name, name) == 0)
            return;

    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        note(set, name, path, dlerror());
        return;
    }
    const struct otls_provider *(*entry)(void) = NULL;
    /* POSIX allows this conversion for dlsym results. */
    *(void **)(&entry) = dlsym(handle, "otls_plugin_provider");
    const struct otls_provider *p = entry ? entry() : NULL;
    if (p == NULL || p->abi != OTLS_PROVIDER_ABI || p->name == NULL || strcmp(p->name, name) != 0) {
        note(set, name, path,
             p == NULL ? "no otls_plugin_provider entry point"
                       : "built for another provider ABI or named otherwise");
        dlclose(handle);
        return;
    }
    if (strlen(path) >= sizeof set->paths[0]) {
        note(set, name, path, "path too long");
        dlclose(handle);
        return;
    }
    memcpy(set->paths[set->count], path, strlen(path) + 1);
    set->providers[set->count++] = p;
}

static void scan_dir(struct oti_plugin_set *set, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *ent;
    char path[4096];
    while ((ent = readdir(d)) != NULL) {
        if (!is_plugin_file(ent->d_name))
            continue;
        int n = oti_snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        if (n > 0 && (size_t)n < sizeof path)
            load_one(set, path, ent->d_name);
    }
    closedir(d);
}

static void scan_path(struct oti_plugin_set *set, const char *list)
{
    char dir[4096];
    while (list && *list) {
        size_t n = strcspn(list, ":");
        if (n > 0 && n < sizeof dir) {
            memcpy(dir, list, n);
            dir[n] = '\0';
            scan_dir(set, dir);
        }
        list += n + (list[n] == ':');
    }
}

/* Any object of the library locates it for dladdr. */
static const char library_anchor;

static void scan_beside_library(struct oti_plugin_set *set)
{
    Dl_info info;
    char dir[4096];
    if (!dladdr(&library_anchor, &info) || info.dli_fname == NULL)
        return;
    const char *slash = strrchr(info.dli_fname, '/');
    if (slash == NULL)
        return;
    int n = oti_snprintf(dir, sizeof dir, "%.*s/omnitls/plugins", (int)(slash - info.dli_fname),
                         info.dli_fname);
    if (n > 0 && (size_t)n < sizeof dir)
        scan_dir(set, dir);
}

void oti_plugins_load(struct oti_plugin_set *set)
{
    scan_path(set, getenv("OMNITLS_PLUGIN_PATH"));
    scan_beside_library(set);
    scan_path(set, OTI_PLUGIN_DIRS);
}

#else

void oti_plugins_load(struct oti_plugin_set *set)
{
    (void)set; /* a build without dlopen has its backends built in */
}

#endif

const char *oti_plugins_failure(const struct oti_plugin_set *set, const char *name)
{
    for (size_t i = 0; i < set->failed_count; i++)
        if (strcmp(set->failed[i].name, name) == 0)
            return set->failed[i].reason;
    return NULL;
}
