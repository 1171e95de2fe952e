/* Plugin loading: modules that cannot be used are refused with a reason,
 * never loaded half-way, and every usable backend stays available. Runs with
 * OMNITLS_PLUGIN_PATH pointing at a directory of broken modules (set by
 * CTest). */
#include <criterion/criterion.h>
#include <string.h>

#include "omnitls/omnitls.h"

static const otls_backend_info *find(const char *name)
{
    const otls_backend_info *list;
    size_t n;
    cr_assert_eq(otls_backends(&list, &n), OTLS_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

Test(plugins, broken_modules_are_reported)
{
    cr_assert_null(find("badabi"));
    cr_assert_null(find("junk"));
    const char *why = otls_backend_load_errors();
    cr_assert(strstr(why, "omnitls-badabi.so") && strstr(why, "ABI"), "%s", why);
    cr_assert(strstr(why, "omnitls-junk.so"), "%s", why);
}

Test(plugins, asking_for_one_names_the_failure)
{
    otls_error err;
    cr_assert_null(otls_ctx_new("badabi", OTLS_CLIENT, &err));
    cr_assert_eq(err.code, OTLS_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "omnitls-badabi.so"), "%s", err.message);
}

Test(plugins, built_in_and_plugin_backends_still_work)
{
    const otls_backend_info *list;
    size_t n;
    otls_backends(&list, &n);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        otls_error err;
        otls_ctx *ctx = otls_ctx_new(list[i].name, OTLS_CLIENT, &err);
        cr_assert_not_null(ctx, "%s: %s", list[i].name, err.message);
        otls_ctx_free(ctx);
        if (list[i].plugin_path)
            cr_assert(strstr(list[i].plugin_path, "omnitls-") != NULL);
    }
}

/* The bad-input catalogue's plugin cases (docs/bad-input.md): the exact
 * status and what the message says for each broken module asked for by
 * name, and for a name no module or build has. */
Test(plugins, catalogue_messages)
{
    static const struct {
        const char *name, *needle1, *needle2;
    } cases[] = {
        {"badabi",
         "its plugin did not load: ", "omnitls-badabi.so: built for another provider ABI"},
        {"junk", "its plugin did not load: ", "omnitls-junk.so: "},
        {"no-such-backend", "no TLS backend named 'no-such-backend' in this build", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        otls_error err;
        memset(&err, 0x55, sizeof err);
        cr_assert_null(otls_ctx_new(cases[i].name, OTLS_SERVER, &err));
        cr_assert_eq(err.code, OTLS_ERR_NOT_FOUND, "%s: %s", cases[i].name,
                     otls_status_name(err.code));
        cr_assert(strstr(err.message, cases[i].needle1) && strstr(err.message, cases[i].needle2),
                  "%s: \"%s\"", cases[i].name, err.message);
    }
    /* A module that failed once fails the same way again, never half
     * loaded. */
    otls_error again;
    cr_assert_null(otls_ctx_new("junk", OTLS_CLIENT, &again));
    cr_assert(strstr(again.message, "omnitls-junk.so"), "%s", again.message);
}
