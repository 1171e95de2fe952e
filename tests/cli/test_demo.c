/* `omnitls demo`, the main job out of the box, run for every backend pair,
 * TLS version, key type and verify mode, its JSON checked by check_demo.py. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnitls/omnitls.h"

struct demo_case {
    char client[16], server[16];
    char tls[4];
    char key[4];
    char verify[10];
};

static void free_cases(struct criterion_test_params *params)
{
    cr_free(params->params);
}

ParameterizedTestParameters(demo, report)
{
    static const char *tls[] = {"1.2", "1.3"};
    static const char *keys[] = {"ec", "rsa"};
    static const char *verify[] = {"none", "optional", "required"};
    const otls_backend_info *b;
    size_t nb = 0;
    otls_backends(&b, &nb);
    size_t n = nb * nb * 2 * 2 * 3, i = 0;
    struct demo_case *cases = cr_malloc(n * sizeof *cases);
    for (size_t c = 0; c < nb; c++)
        for (size_t s = 0; s < nb; s++)
            for (size_t t = 0; t < 2; t++)
                for (size_t k = 0; k < 2; k++)
                    for (size_t v = 0; v < 3; v++) {
                        /* Pairs without TLS 1.3 are left out; the
                         * capabilities suite reports them as skipped. */
                        if (t == 1 && !(b[c].features & b[s].features & OTLS_FEAT_TLS13))
                            continue;
                        struct demo_case *d = &cases[i++];
                        memset(d, 0, sizeof *d);
                        snprintf(d->client, sizeof d->client, "%s", b[c].name);
                        snprintf(d->server, sizeof d->server, "%s", b[s].name);
                        snprintf(d->tls, sizeof d->tls, "%s", tls[t]);
                        snprintf(d->key, sizeof d->key, "%s", keys[k]);
                        snprintf(d->verify, sizeof d->verify, "%s", verify[v]);
                    }
    return cr_make_param_array(struct demo_case, cases, i, free_cases);
}

ParameterizedTest(struct demo_case *d, demo, report)
{
    char out[] = "/tmp/omnitls-demo-XXXXXX";
    int fd = mkstemp(out);
    cr_assert_geq(fd, 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "'%s' demo --client-backend %s --server-backend %s --tls %s --key %s "
             "--verify %s > '%s'",
             OMNITLS_CLI, d->client, d->server, d->tls, d->key, d->verify, out);
    int rc = system(cmd);
    cr_assert_eq(rc, 0, "demo failed: %s", cmd);
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' %s %s %s %s", CHECK_DEMO, out, d->client,
             d->server, d->tls, d->verify);
    rc = system(cmd);
    remove(out);
    cr_assert_eq(rc, 0, "report check failed for %s -> %s, TLS %s, %s, verify %s", d->client,
                 d->server, d->tls, d->key, d->verify);
}

Test(demo, rejects_bad_usage)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' demo --tls 1.1 >/dev/null 2>&1", OMNITLS_CLI);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "bad --tls must be a usage error");
    snprintf(cmd, sizeof cmd, "'%s' demo --client-backend nosuch >/dev/null 2>&1", OMNITLS_CLI);
    rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "unknown backend must be a usage error");
}
