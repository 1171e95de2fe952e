/* What a backend cannot do: each missing capability is reported here once,
 * as a skip with its reason (the parametrised suites leave those cells out),
 * after checking that the API refuses it with OTLS_ERR_UNSUPPORTED and says
 * why. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

struct cap_case {
    char backend[16];
    otls_role role;
};

static void free_cases(struct criterion_test_params *params)
{
    cr_free(params->params);
}

ParameterizedTestParameters(capabilities, tls13)
{
    const otls_backend_info *list;
    size_t n;
    otls_backends(&list, &n);
    struct cap_case *cases = cr_calloc(n ? 2 * n : 1, sizeof *cases);
    for (size_t i = 0; i < 2 * n; i++) {
        snprintf(cases[i].backend, sizeof cases[i].backend, "%s", list[i / 2].name);
        cases[i].role = i % 2 ? OTLS_SERVER : OTLS_CLIENT;
    }
    return cr_make_param_array(struct cap_case, cases, 2 * n, free_cases);
}

ParameterizedTest(struct cap_case *c, capabilities, tls13)
{
    otls_error err;
    otls_ctx *ctx = otls_ctx_new(c->backend, c->role, &err);
    cr_assert_not_null(ctx, "%s", err.message);
    otls_status st = otls_ctx_set_versions(ctx, OTLS_TLS1_3, OTLS_TLS1_3);
    int has = (th_backend(c->backend)->features & OTLS_FEAT_TLS13) != 0;
    if (has) {
        cr_assert_eq(st, OTLS_OK, "%s", otls_ctx_error(ctx));
        otls_ctx_free(ctx);
        return;
    }
    cr_assert_eq(st, OTLS_ERR_UNSUPPORTED, "TLS 1.3 on %s: %s", c->backend, otls_status_name(st));
    cr_assert(strstr(otls_ctx_error(ctx), "TLS 1.3") != NULL, "message: %s", otls_ctx_error(ctx));
    char reason[300];
    snprintf(reason, sizeof reason, "%s", otls_ctx_error(ctx));
    otls_ctx_free(ctx);
    cr_skip_test("TLS 1.3 cells for %s are left out of every suite: %s", c->backend, reason);
}
