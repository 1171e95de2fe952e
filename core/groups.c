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

/* A group named twice is kept once, where it came first. */
static const struct oti_id_list_kind group_list = {group_id, OTLS_ERR_INVALID_ARGUMENT, "group",
                                                   "the group list names no group", 1};

otls_status otls_ctx_set_groups(otls_ctx *ctx, const char *list)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    return oti_ctx_set_id_list(ctx, list, &group_list, &ctx->cfg.groups, &ctx->cfg.group_count,
                               &ctx->groups);
}
