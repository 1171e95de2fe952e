/* Key-exchange groups and session resumption settings. mbedTLS takes a
 * group list per mbedtls_ssl_config: 2.28 as ECP group ids, 3.x as IANA
 * ids; the shared configuration keeps its own copy, as it does for suites. */
#include <string.h>

#include <mbedtls/ecp.h>

#include "mbedtls_backend.h"

otls_status oti_mbedtls_groups_build(struct oti_mbedtls_ctx *c, const struct otls_ctx_config *cfg,
                                     otls_error *e)
{
    size_t n = cfg->groups ? cfg->group_count : 0;
    if (n > OTI_MBEDTLS_MAX_GROUPS)
        return otls_error_setf(e, OTLS_ERR_INVALID_ARGUMENT, "too many groups");
    for (size_t i = 0; i < n; i++)
        if (mbedtls_ecp_curve_info_from_tls_id(cfg->groups[i]) == NULL)
            return otls_error_setf(e, OTLS_ERR_UNSUPPORTED, "mbedTLS %s was built without group %u",
                                   MBEDTLS_VERSION_STRING, (unsigned)cfg->groups[i]);
    memset(c->groups, 0, sizeof c->groups);
    if (n > 0)
        memcpy(c->groups, cfg->groups, n * sizeof c->groups[0]);
    c->group_count = n;
    return OTLS_OK;
}

void oti_mbedtls_groups_conf(struct oti_mbedtls_shared *c, const struct oti_mbedtls_ctx *x)
{
    if (x->group_count == 0)
        return;
#if OTI_MBEDTLS_V3
    memcpy(c->groups, x->groups, sizeof c->groups); /* zero-terminated */
    mbedtls_ssl_conf_groups(&c->conf, c->groups);
#else
    size_t k = 0;
    for (size_t i = 0; i < x->group_count; i++) {
        const mbedtls_ecp_curve_info *info = mbedtls_ecp_curve_info_from_tls_id(x->groups[i]);
        if (info != NULL) /* checked when configured */
            c->groups[k++] = info->grp_id;
    }
    c->groups[k] = MBEDTLS_ECP_DP_NONE;
    mbedtls_ssl_conf_curves(&c->conf, c->groups);
#endif
}
