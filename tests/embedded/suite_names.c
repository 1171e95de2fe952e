/* embedded.suite_names: in a build whose suite table keeps only the linked
 * mbedTLS configuration's suites (the minimal profile), a cipher list
 * still treats the names of the dropped suites as a full build treats
 * suites its stack lacks: skipped, and OTLS_ERR_UNSUPPORTED with the reason
 * when nothing is left; a name no suite has stays a parse error. Plain C
 * (the minimal profile builds no Criterion). */
#include <stdio.h>
#include <string.h>

#include <omnitls/omnitls.h>

static int failures;

static void expect(otls_ctx *ctx, const char *list, otls_status want, const char *text)
{
    otls_status got = otls_ctx_set_ciphers(ctx, list);
    const char *msg = got < 0 ? otls_ctx_error(ctx) : "";
    if (got != want || (text != NULL && strstr(msg, text) == NULL)) {
        printf("FAIL %s: got %d (%s), want %d%s%s\n", list, (int)got, msg, (int)want,
               text ? " with " : "", text ? text : "");
        failures++;
    } else {
        printf("ok   %s: %d %s\n", list, (int)got, msg);
    }
}

int main(void)
{
    otls_error err;
    otls_ctx *ctx = otls_ctx_new(NULL, OTLS_CLIENT, &err);
    if (ctx == NULL) {
        printf("FAIL otls_ctx_new: %s\n", err.message);
        return 1;
    }
    /* DHE-DSS suites: no mbedTLS has them, so every such build drops them. */
    expect(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:DHE-DSS-AES128-SHA", OTLS_OK, NULL);
    expect(ctx, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384:ECDHE-ECDSA-AES128-GCM-SHA256", OTLS_OK, NULL);
    expect(ctx, "DHE-DSS-AES128-SHA", OTLS_ERR_UNSUPPORTED, "in this build");
    expect(ctx, "DHE-DSS-AES128-SHA:TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", OTLS_ERR_UNSUPPORTED,
           "linked mbedTLS configuration");
    expect(ctx, "NO-SUCH-SUITE", OTLS_ERR_PARSE, "unknown cipher suite 'NO-SUCH-SUITE'");
    expect(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:NO-SUCH-SUITE", OTLS_ERR_PARSE, "NO-SUCH-SUITE");
    otls_ctx_free(ctx);
    printf("%d failure(s)\n", failures);
    return failures != 0;
}
