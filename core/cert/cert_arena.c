/* Memory for the decoder: an arena per certificate (one free releases a whole
 * otls_cert) and a growable buffer for text. Sizes always come from bytes
 * that exist (counted elements, produced text), never from a length field
 * alone. */
#include <stdarg.h>
#include <string.h>

#include "cert_internal.h"
#include "internal.h"

#define ARENA_ALIGN 16
#define ARENA_BLOCK 4096

struct oti_arena_block {
    struct oti_arena_block *next;
    size_t used, cap;
    /* data follows, ARENA_ALIGN-aligned */
};

#define HEADER_SIZE                                                                                \
    ((sizeof(struct oti_arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

void oti_arena_init(struct oti_arena *a, void *mem, size_t size)
{
    struct oti_arena_block *b = mem;
    b->next = NULL;
    b->used = 0;
    b->cap = size - HEADER_SIZE;
    a->head = a->first = b;
}

void *oti_arena_alloc(struct oti_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        return NULL;
    struct oti_arena_block *b = a->head;
    if (b == NULL || b->cap - b->used < need) {
        size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        if (cap > SIZE_MAX - HEADER_SIZE)
            return NULL;
        b = oti_malloc(HEADER_SIZE + cap);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->cap = cap;
        /* A big block goes behind the current one so the current one's
         * free space is not wasted. */
        if (a->head && need > ARENA_BLOCK) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b + HEADER_SIZE + b->used;
    b->used += need;
    return p;
}

void *oti_arena_calloc(struct oti_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = oti_arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *oti_arena_strndup(struct oti_arena *a, const void *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = oti_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void oti_arena_free(struct oti_arena *a)
{
    struct oti_arena_block *b = a->head;
    while (b) {
        struct oti_arena_block *next = b->next;
        if (b != a->first)
            oti_free(b);
        b = next;
    }
    a->head = a->first = NULL;
}

bool oti_buf_reserve(struct oti_buf *b, size_t len)
{
    if (b->failed)
        return false;
    if (b->cap - b->len > len) /* keep room for a NUL */
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= len) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *p = oti_malloc(cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    if (b->len)
        memcpy(p, b->data, b->len);
    oti_free(b->data);
    b->data = p;
    b->cap = cap;
    return true;
}

void oti_buf_put(struct oti_buf *b, const void *data, size_t len)
{
    if (len == 0 || !oti_buf_reserve(b, len))
        return;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void oti_buf_putc(struct oti_buf *b, char c)
{
    oti_buf_put(b, &c, 1);
}

void oti_buf_puts(struct oti_buf *b, const char *s)
{
    oti_buf_put(b, s, strlen(s));
}

void oti_buf_free(struct oti_buf *b)
{
    oti_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

long oti_dec_offset(const struct oti_dec *d, const uint8_t *p)
{
    uintptr_t a = (uintptr_t)p, base = (uintptr_t)d->der;
    if (d->der == NULL || a < base || a - base > d->der_len)
        return -1;
    return (long)(a - base);
}

int oti_dec_fail(struct oti_dec *d, int code, const char *fmt, ...)
{
    if (d->msg[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        oti_vsnprintf(d->msg, sizeof d->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int oti_render_fail(struct oti_dec *d, int *render_error, const char *fmt, ...)
{
    if (render_error == NULL || *render_error != OTI_OK)
        return OTI_OK;
    *render_error = OTLS_ERR_PARSE;
    if (d->render_msg[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        oti_vsnprintf(d->render_msg, sizeof d->render_msg, fmt, ap);
        va_end(ap);
    }
    return OTI_OK;
}

int oti_render_raise(struct oti_dec *d, int render_error)
{
    memcpy(d->msg, d->render_msg, sizeof d->msg);
    return render_error;
}

void oti_dec_forget(struct oti_dec *d)
{
    d->msg[0] = '\0';
    d->render_msg[0] = '\0';
}
