/* Criterion entry point for every test binary.
 *
 * Criterion's own main exits 0 when tests were skipped, so CTest would count
 * a suite whose cells were all skipped (a backend without TLS 1.3, say) as
 * passed. Here a run that had skips and no failures exits with
 * TH_SKIP_EXIT_CODE, which tests/CMakeLists.txt declares as SKIP_RETURN_CODE:
 * CTest then reports the suite as skipped, never as passed. */
#include <stdio.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>

#ifndef TH_SKIP_EXIT_CODE
#define TH_SKIP_EXIT_CODE 77
#endif

static size_t passed, skipped, failed;
static int have_stats;

/* Counts test instances that ran. Tests left out by --filter are reported
 * as skipped too, but marked disabled: they are not skips of ours.
 *
 * A test process that exits non-zero after its test passed is a failure:
 * that is how a sanitizer report made at exit looks (LeakSanitizer checks
 * when the process ends, after the test has reported success), and
 * Criterion 2.4 itself only warns about it. */
ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    for (struct criterion_suite_stats *s = stats->suites; s; s = s->next) {
        for (struct criterion_test_stats *t = s->tests; t; t = t->next) {
            if (t->test->data->disabled)
                continue;
            if (t->exit_code != t->test->data->exit_code || t->signal != t->test->data->signal) {
                fprintf(stderr,
                        "[omnitls] %s::%s: the test process ended with exit code %d, signal %d "
                        "(a sanitizer report at exit?): failed\n",
                        t->test->category, t->test->name, t->exit_code, t->signal);
                failed++;
            } else if (t->test_status == CR_STATUS_SKIPPED)
                skipped++;
            else if (t->test_status == CR_STATUS_PASSED)
                passed++;
            else
                failed++;
        }
    }
    have_stats = 1;
}

int main(int argc, char *argv[])
{
    struct criterion_test_set *tests = criterion_initialize();
    int ok = 1;
    if (criterion_handle_args(argc, argv, true))
        ok = criterion_run_all_tests(tests);
    criterion_finalize(tests);
    if (have_stats)
        fprintf(stderr, "[omnitls] %zu passed, %zu skipped (not passed), %zu failed\n", passed,
                skipped, failed);
    if (!ok || failed > 0)
        return 1;
    return have_stats && skipped > 0 ? TH_SKIP_EXIT_CODE : 0;
}
