/* Contexts: creation, settings, and handing the settings to the backend. */
#include <string.h>

#include "cipher_suites.h"
#include "internal.h"

otls_status oti_ctx_apply(otls_ctx *ctx)
{
    otls_error e = {0};
    otls_status st = ctx->prov->ctx_configure(ctx->state, &ctx->cfg, &e);
    if (st < 0)
        return oti_ctx_fail(ctx, st, "%s: %s", ctx->prov->name, e.message);
    return OTLS_OK;
}

otls_ctx *otls_ctx_new(const char *backend, otls_role role, otls_error *err)
{
    otls_error local = {0};
    if (err == NULL)
        err = &local;
    memset(err, 0, sizeof *err);
    if (role != OTLS_CLIENT && role != OTLS_SERVER) {
        err->code = oti_set_error(err->message, sizeof err->message, OTLS_ERR_INVALID_ARGUMENT,
                                  "role must be OTLS_CLIENT or OTLS_SERVER");
        return NULL;
    }
    const char *name = backend ? backend : otls_default_backend();
    const struct otls_provider *prov = oti_provider_find(name);
    if (prov == NULL) {
        const char *why = oti_plugin_failure(name);
        err->code = oti_set_error(err->message, sizeof err->message, OTLS_ERR_NOT_FOUND,
                                  "no TLS backend named '%.64s' in this build%s%s%.150s", name,
                                  backend ? "" : " (from OMNITLS_BACKEND)",
                                  why ? "; its plugin did not load: " : "", why ? why : "");
        return NULL;
    }
    if (prov->abi != OTLS_PROVIDER_ABI) {
        err->code = oti_set_error(err->message, sizeof err->message, OTLS_ERR_UNSUPPORTED,
                                  "backend %s was built for provider ABI %u, not %u", prov->name,
                                  (unsigned)prov->abi, (unsigned)OTLS_PROVIDER_ABI);
        return NULL;
    }

    otls_ctx *ctx = oti_calloc(1, sizeof *ctx);
    void *state = ctx ? oti_calloc(1, prov->ctx_size) : NULL;
    if (state == NULL) {
        oti_free(ctx);
        err->code =
            oti_set_error(err->message, sizeof err->message, OTLS_ERR_NO_MEMORY, "out of memory");
        return NULL;
    }
    ctx->prov = prov;
    ctx->state = state;
    ctx->cfg.role = role;
    /* Python's defaults: a client verifies the server and its name. */
    ctx->cfg.verify = role == OTLS_CLIENT ? OTLS_VERIFY_REQUIRED : OTLS_VERIFY_NONE;
    ctx->cfg.check_hostname = role == OTLS_CLIENT;
    ctx->cfg.min_version = OTLS_TLS1_2;
    ctx->cfg.max_version = (prov->features & OTLS_FEAT_TLS13) ? OTLS_TLS1_3 : OTLS_TLS1_2;
    ctx->cfg.sessions = OTLS_SESSIONS_DEFAULT;
    oti_objects_add(1);

    otls_status st = prov->ctx_init(state, role, err);
    if (st >= 0)
        st = oti_ctx_apply(ctx);
    else
        oti_ctx_fail(ctx, st, "%s: %s", prov->name, err->message);
    if (st < 0) {
        err->code = st;
        oti_snprintf(err->message, sizeof err->message, "%s", ctx->error);
        otls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

void otls_ctx_free(otls_ctx *ctx)
{
    if (ctx == NULL)
        return;
    ctx->prov->ctx_free(ctx->state);
    oti_free(ctx->state);
    oti_free(ctx->suites);
    oti_free(ctx->alpn_wire);
    oti_free(ctx->groups);
    oti_own_chain_unref(ctx->own); /* connections may still hold it */
    oti_free(ctx);
    oti_objects_add(-1);
}

const char *otls_ctx_error(const otls_ctx *ctx)
{
    return ctx ? ctx->error : "no context";
}

const char *otls_ctx_backend(const otls_ctx *ctx)
{
    return ctx ? ctx->prov->name : NULL;
}

otls_status otls_ctx_set_verify(otls_ctx *ctx, otls_verify mode)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (mode != OTLS_VERIFY_NONE && mode != OTLS_VERIFY_OPTIONAL && mode != OTLS_VERIFY_REQUIRED)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "unknown verify mode %d", (int)mode);
    otls_verify old = ctx->cfg.verify;
    ctx->cfg.verify = mode;
    otls_status st = oti_ctx_apply(ctx);
    if (st < 0)
        ctx->cfg.verify = old;
    return st;
}

otls_status otls_ctx_set_check_hostname(otls_ctx *ctx, int on)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (ctx->cfg.role != OTLS_CLIENT)
        return oti_ctx_fail(ctx, OTLS_ERR_STATE, "hostname checking is for client contexts");
    ctx->cfg.check_hostname = on != 0;
    return oti_ctx_apply(ctx);
}

otls_status otls_ctx_set_versions(otls_ctx *ctx, otls_tls_version min, otls_tls_version max)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    uint16_t top = (ctx->prov->features & OTLS_FEAT_TLS13) ? OTLS_TLS1_3 : OTLS_TLS1_2;
    uint16_t lo = min == OTLS_TLS_DEFAULT ? OTLS_TLS1_2 : (uint16_t)min;
    uint16_t hi = max == OTLS_TLS_DEFAULT ? top : (uint16_t)max;
    if ((lo != OTLS_TLS1_2 && lo != OTLS_TLS1_3) || (hi != OTLS_TLS1_2 && hi != OTLS_TLS1_3))
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT,
                            "omnitls speaks TLS 1.2 and 1.3 only (got 0x%04x..0x%04x)",
                            (unsigned)min, (unsigned)max);
    if (lo > hi)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "minimum version is above the maximum");
    if (hi > top || lo > top)
        return oti_ctx_fail(ctx, OTLS_ERR_UNSUPPORTED, "backend %s does not support TLS 1.3",
                            ctx->prov->name);
    uint16_t old_lo = ctx->cfg.min_version, old_hi = ctx->cfg.max_version;
    ctx->cfg.min_version = lo;
    ctx->cfg.max_version = hi;
    otls_status st = oti_ctx_apply(ctx);
    if (st < 0) {
        ctx->cfg.min_version = old_lo;
        ctx->cfg.max_version = old_hi;
    }
    return st;
}

otls_status oti_parse_id_list(otls_ctx *ctx, const char *list, const struct oti_id_list_kind *kind,
                              uint16_t **out, size_t *count)
{
    size_t max = 1;
    for (const char *p = list; *p; p++)
        max += *p == ':';
    uint16_t *ids = oti_calloc(max, sizeof *ids);
    if (ids == NULL)
        return oti_ctx_fail(ctx, OTLS_ERR_NO_MEMORY, "out of memory");
    size_t n = 0, skipped = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ":");
        if (len > 0) {
            int id = kind->lookup(p, len);
            if (id == OTI_ID_ABSENT) {
                skipped++;
                p += len + (p[len] == ':');
                continue;
            }
            if (id < 0) {
                oti_free(ids);
                return oti_ctx_fail(ctx, kind->unknown_status, "unknown %s '%.*s'", kind->what,
                                    (int)(len > 80 ? 80 : len), p);
            }
            size_t i = 0;
            while (kind->dedupe && i < n && ids[i] != id)
                i++;
            if (!kind->dedupe || i == n)
                ids[n++] = (uint16_t)id;
        }
        p += len + (p[len] == ':');
    }
    if (n == 0) {
        oti_free(ids);
        if (skipped)
            return oti_ctx_fail(ctx, OTLS_ERR_UNSUPPORTED,
                                "no %s named is in this build: it keeps only those of the linked "
                                "mbedTLS configuration",
                                kind->what);
        return oti_ctx_fail(ctx, kind->unknown_status, "%s", kind->empty);
    }
    *out = ids;
    *count = n;
    return OTLS_OK;
}

otls_status oti_ctx_set_id_list(otls_ctx *ctx, const char *list,
                                const struct oti_id_list_kind *kind, const uint16_t **cfg_ids,
                                size_t *cfg_count, uint16_t **owned)
{
    uint16_t *ids = NULL;
    size_t n = 0;
    if (list) {
        otls_status st = oti_parse_id_list(ctx, list, kind, &ids, &n);
        if (st < 0)
            return st;
    }
    struct otls_ctx_config old = ctx->cfg;
    *cfg_ids = ids;
    *cfg_count = n;
    otls_status st = oti_ctx_apply(ctx);
    if (st < 0) {
        ctx->cfg = old;
        oti_free(ids);
        return st;
    }
    oti_free(*owned);
    *owned = ids;
    return OTLS_OK;
}

static int suite_id(const char *name, size_t len)
{
    const struct oti_suite *s = oti_suite_by_name(name, len);
    if (s != NULL)
        return s->id;
    return oti_suite_absent(name, len) ? OTI_ID_ABSENT : -1;
}

/* Names through the core table, so a list names the same suites on every
 * backend. */
static const struct oti_id_list_kind suite_list = {suite_id, OTLS_ERR_PARSE, "cipher suite",
                                                   "the cipher list names no suite", 0};

otls_status otls_ctx_set_ciphers(otls_ctx *ctx, const char *list)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    return oti_ctx_set_id_list(ctx, list, &suite_list, &ctx->cfg.suites, &ctx->cfg.suite_count,
                               &ctx->suites);
}

otls_status otls_ctx_set_alpn(otls_ctx *ctx, const char *const *protocols, size_t count)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if ((protocols == NULL && count > 0))
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT,
                            "invalid argument: (protocols == NULL && count > 0)");
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        size_t len = protocols[i] ? strlen(protocols[i]) : 0;
        if (len == 0 || len > 255)
            return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT,
                                "ALPN protocol %zu must be 1 to 255 bytes", i);
        total += 1 + len;
    }
    if (total > 65535)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "ALPN list is too long");
    uint8_t *wire = NULL;
    if (count > 0) {
        wire = oti_malloc(total);
        if (wire == NULL)
            return oti_ctx_fail(ctx, OTLS_ERR_NO_MEMORY, "out of memory");
        uint8_t *w = wire;
        for (size_t i = 0; i < count; i++) {
            size_t len = strlen(protocols[i]);
            *w++ = (uint8_t)len;
            memcpy(w, protocols[i], len);
            w += len;
        }
    }
    struct otls_ctx_config old = ctx->cfg;
    ctx->cfg.alpn_wire = wire;
    ctx->cfg.alpn_wire_len = count > 0 ? total : 0;
    otls_status st = oti_ctx_apply(ctx);
    if (st < 0) {
        ctx->cfg = old;
        oti_free(wire);
        return st;
    }
    oti_free(ctx->alpn_wire);
    ctx->alpn_wire = wire;
    return OTLS_OK;
}

otls_status otls_ctx_set_sessions(otls_ctx *ctx, uint32_t flags)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (flags & ~(uint32_t)OTLS_SESSIONS_DEFAULT)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "unknown session flags 0x%x",
                            (unsigned)(flags & ~(uint32_t)OTLS_SESSIONS_DEFAULT));
    uint32_t old = ctx->cfg.sessions;
    ctx->cfg.sessions = flags;
    otls_status st = oti_ctx_apply(ctx);
    if (st < 0)
        ctx->cfg.sessions = old;
    return st;
}

otls_status otls_ctx_set_flags(otls_ctx *ctx, uint32_t flags)
{
    if (ctx == NULL)
        return OTLS_ERR_INVALID_ARGUMENT;
    if (flags & ~(uint32_t)OTLS_FLAG_TLS13_UNIQUE)
        return oti_ctx_fail(ctx, OTLS_ERR_INVALID_ARGUMENT, "unknown flags 0x%x",
                            (unsigned)(flags & ~(uint32_t)OTLS_FLAG_TLS13_UNIQUE));
    ctx->flags = flags;
    return OTLS_OK;
}
