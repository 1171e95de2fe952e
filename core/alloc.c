/* The core's allocator: malloc by default, replaceable by the user (a static
 * pool or an RTOS heap) before any object exists. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *default_malloc(size_t size, void *user)
{
    (void)user;
    return malloc(size);
}

static void default_free(void *ptr, void *user)
{
    (void)user;
    free(ptr);
}

static void *(*alloc_malloc)(size_t, void *) = default_malloc;
static void (*alloc_free)(void *, void *) = default_free;
static void *alloc_user;
static atomic_int live_objects;

otls_status otls_set_allocator(void *(*malloc_fn)(size_t size, void *user),
                               void *(*realloc_fn)(void *ptr, size_t size, void *user),
                               void (*free_fn)(void *ptr, void *user), void *user)
{
    (void)realloc_fn; /* the core never reallocates */
    if (malloc_fn == NULL || free_fn == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    /* Swapping allocators under live objects would free with the wrong one. */
    if (atomic_load(&live_objects) != 0)
        return OTLS_ERR_STATE;
    alloc_malloc = malloc_fn;
    alloc_free = free_fn;
    alloc_user = user;
    return OTLS_OK;
}

void oti_objects_add(int delta)
{
    atomic_fetch_add(&live_objects, delta);
}

void *oti_malloc(size_t size)
{
    return alloc_malloc(size ? size : 1, alloc_user);
}

void *oti_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = oti_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void oti_free(void *ptr)
{
    if (ptr)
        alloc_free(ptr, alloc_user);
}

char *oti_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = oti_malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}
