#include <string.h>

#include "internal.h"

static int add_unowned(struct oti_der_list *list, const uint8_t *der, size_t len);

static int sink_add(struct otls_der_sink *sink, const uint8_t *der, size_t len)
{
    /* The sink is the list's first member, so the cast is exact. */
    return oti_der_list_add((struct oti_der_list *)sink, der, len);
}

static int sink_add_kept(struct otls_der_sink *sink, const uint8_t *der, size_t len)
{
    struct oti_der_list *list = (struct oti_der_list *)sink;
    if (der == NULL || len == 0)
        return -1;
    if (list->limit && list->count >= list->limit)
        return 0;
    if (list->count >= 64) /* past the borrowed bits: a copy */
        return oti_der_list_add(list, der, len);
    return add_unowned(list, der, len);
}

void oti_der_list_init(struct oti_der_list *list)
{
    memset(list, 0, sizeof *list);
    list->sink.add = sink_add;
    list->sink.add_kept = sink_add_kept;
}

/* Room for one more entry: 0 or -1. */
static int grow(struct oti_der_list *list)
{
    if (list->count < list->cap)
        return 0;
    size_t cap = list->cap ? list->cap * 2 : list->limit ? list->limit : 4;
    otls_der *items = oti_calloc(cap, sizeof *items);
    if (items == NULL)
        return -1;
    if (list->count)
        memcpy(items, list->items, list->count * sizeof *items);
    oti_free(list->items);
    list->items = items;
    list->cap = cap;
    return 0;
}

/* Appends der without copying it; the list does not own it (i < 64). */
static int add_unowned(struct oti_der_list *list, const uint8_t *der, size_t len)
{
    if (grow(list) != 0)
        return -1;
    list->items[list->count].data = der;
    list->items[list->count].len = len;
    list->borrowed |= (uint64_t)1 << list->count;
    list->count++;
    return 0;
}

int oti_der_list_add(struct oti_der_list *list, const uint8_t *der, size_t len)
{
    if (der == NULL || len == 0)
        return -1;
    if (list->limit && list->count >= list->limit)
        return 0;
    if (list->share != NULL && list->count < 64) {
        const struct oti_der_list *sh = list->share;
        for (size_t i = 0; i < sh->count; i++)
            if (sh->items[i].len == len &&
                (sh->items[i].data == der || memcmp(sh->items[i].data, der, len) == 0))
                return add_unowned(list, sh->items[i].data, len);
    }
    if (grow(list) != 0)
        return -1;
    uint8_t *copy = oti_malloc(len);
    if (copy == NULL)
        return -1;
    memcpy(copy, der, len);
    list->items[list->count].data = copy;
    list->items[list->count].len = len;
    list->count++;
    return 0;
}

int oti_der_list_append(struct oti_der_list *dst, const struct oti_der_list *src)
{
    for (size_t i = 0; i < src->count; i++)
        if (oti_der_list_add(dst, src->items[i].data, src->items[i].len) != 0)
            return -1;
    return 0;
}

void oti_der_list_borrow(struct oti_der_list *list, const otls_der *one)
{
    for (size_t i = 0; i < list->count && i < 64; i++) {
        otls_der *it = &list->items[i];
        if ((list->borrowed & ((uint64_t)1 << i)) || it->len != one->len ||
            memcmp(it->data, one->data, one->len) != 0)
            continue;
        oti_free((void *)it->data);
        it->data = one->data;
        list->borrowed |= (uint64_t)1 << i;
    }
}

void oti_der_list_clear(struct oti_der_list *list)
{
    size_t limit = list->limit; /* settings survive: the list may be filled again */
    const struct oti_der_list *share = list->share;
    for (size_t i = 0; i < list->count; i++)
        if (i >= 64 || !(list->borrowed & ((uint64_t)1 << i)))
            oti_free((void *)list->items[i].data);
    oti_free(list->items);
    oti_der_list_init(list);
    list->limit = limit;
    list->share = share;
}
