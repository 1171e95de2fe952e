/* Heap accounting by malloc interposition: the executable defines malloc and
 * friends, so every library of the process (OpenSSL, mbedTLS, wolfSSL,
 * omnitls, libc) allocates through them, and they pass on to glibc's own
 * entry points. mbedTLS as Debian builds it has no allocator hook
 * (MBEDTLS_PLATFORM_MEMORY is off), so this is the one method that counts
 * every stack the same way. Sizes are malloc_usable_size(), which is what
 * the heap really gives (requested size rounded up to glibc's chunk). */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stddef.h>

#include "bench.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t align, size_t size);

static atomic_llong live_total;
static atomic_ullong alloc_count;
/* Initial-exec TLS in the executable: no allocation on first use. */
static _Thread_local long long live_thread;
/* Written once, before any thread starts; read by every allocation. */
static int counting = 1;

void bench_heap_stop(void)
{
    counting = 0;
}

int bench_heap_counting(void)
{
    return counting;
}

static void *note_alloc(void *p)
{
    if (p != NULL && counting) {
        long long n = (long long)malloc_usable_size(p);
        atomic_fetch_add_explicit(&live_total, n, memory_order_relaxed);
        atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
        live_thread += n;
    }
    return p;
}

static void note_free(void *p)
{
    if (p != NULL && counting) {
        long long n = (long long)malloc_usable_size(p);
        atomic_fetch_sub_explicit(&live_total, n, memory_order_relaxed);
        live_thread -= n;
    }
}

void *malloc(size_t size)
{
    return note_alloc(__libc_malloc(size));
}

void *calloc(size_t n, size_t size)
{
    return note_alloc(__libc_calloc(n, size));
}

void *realloc(void *ptr, size_t size)
{
    note_free(ptr);
    void *p = __libc_realloc(ptr, size);
    if (p == NULL && size != 0 && ptr != NULL) {
        note_alloc(ptr); /* failed: the old block is still live */
        return NULL;
    }
    return note_alloc(p);
}

void free(void *ptr)
{
    note_free(ptr);
    __libc_free(ptr);
}

void *memalign(size_t align, size_t size)
{
    return note_alloc(__libc_memalign(align, size));
}

void *aligned_alloc(size_t align, size_t size)
{
    return note_alloc(__libc_memalign(align, size));
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return 22; /* EINVAL */
    void *p = note_alloc(__libc_memalign(align, size));
    if (p == NULL)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

long long bench_heap_thread_live(void)
{
    return live_thread;
}

long long bench_heap_live(void)
{
    return atomic_load(&live_total);
}

unsigned long long bench_heap_allocs(void)
{
    return atomic_load(&alloc_count);
}
