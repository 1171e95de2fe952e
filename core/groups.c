/* Key-exchange groups: names to IANA named-group ids, so one list means the
 * same groups on every backend. */
#include <string.h>

#include "internal.h"

static const struct {
    const char *name;
    uint16_t id;
} group_names[] = {
    {"P-256", 23},     {"prime256v1", 23}, {"secp256r1", 23}, {"P-384", 24},
    {"secp384r1", 24}, {"P-521", 25},      {"secp521r1", 25}, {"X25519", 29},
    {"x25519", 29},    {"X448", 30},       {"x448", 30},
};

static int group_id(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof group_names / sizeof group_names[0]; i++)
        if (strlen(group_names[i].name) == len && memcmp(group_names[i].name, name, len) == 0)
            return group_names[i].id;
    return -1;
}

const char *oti_group_name(uint16_t id)
{
    for (size_t i = 0; i < sizeof group_names / sizeof group_names[0]; i++)
        if (group_names[i].id == id)
            return group_names[i].name;
    return NULL;
}

/* Parses "a:b:c"; a group named twice is kept once, where it came first. */
static otls_status parse_groups(otls_ctx *ctx, const char *list, uint16_t **out, size_t *count)
{
    size_t max = 1;
    for (const char *p = list; *p; p++)
        max += *p == ':';
    uint16_t *ids = oti_calloc(max, sizeof *ids);
    if (ids == NULL)
        return oti_ctx_fail(ctx, OTLS_ERR_NO_MEMORY, "out of memory");
    size_t n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ":");
        if (len > 0) {
            int id = group_id(p, len);
            if (id < 0) {
                oti_free(ids);
                return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "unknown group '%.*s'",
                                    (int)(len > 80 ? 80 : len), p);
            }
            size_t i = 0;
            while (i < n && ids[i] != id)
                i++;
            if (i == n)
                ids[n++] = (uint16_t)id;
        }
        p += len + (p[len] == ':');
    }
    if (n == 0) {
        oti_free(ids);
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "the group list names no group");
    }
    *out = ids;
    *count = n;
    return OTLS_OK;
}

otls_status otls_ctx_set_groups(otls_ctx *ctx, const char *list)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    uint16_t *ids = NULL;
    size_t n = 0;
    if (list) {
        otls_status st = parse_groups(ctx, list, &ids, &n);
        if (st < 0)
            return st;
    }
    struct otls_ctx_config old = ctx->cfg;
    ctx->cfg.groups = ids;
    ctx->cfg.group_count = n;
    otls_status st = oti_ctx_apply(ctx);
    if (st < 0) {
        ctx->cfg = old;
        oti_free(ids);
        return st;
    }
    oti_free(ctx->groups);
    ctx->groups = ids;
    return OTLS_OK;
}
