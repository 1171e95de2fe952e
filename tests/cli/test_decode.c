/* `omnitls decode`: every conformance certificate prints CPython's JSON, and
 * bad input exits non-zero with a one-line reason. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while ((n += fread(buf + n, 1, cap - n, f)) == cap)
        buf = realloc(buf, (cap *= 2) + 1);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int run(const char *args, char **out, size_t *len)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' decode %s 2>/dev/null", OMNITLS_CLI, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    *out = slurp(p, len);
    return pclose(p);
}

Test(decode, conformance_corpus)
{
    DIR *d = opendir(CORPUS_DIR);
    cr_assert_not_null(d, "the conformance corpus is missing: %s", CORPUS_DIR);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".pem") != 0)
            continue;
        char args[1024], want_path[1024];
        snprintf(args, sizeof args, "--sort-keys '%s/%s'", CORPUS_DIR, e->d_name);
        snprintf(want_path, sizeof want_path, "%s/%.*s.json", CORPUS_DIR, (int)(n - 4), e->d_name);
        FILE *w = fopen(want_path, "rb");
        cr_assert_not_null(w, "%s", want_path);
        size_t want_len, got_len;
        char *want = slurp(w, &want_len);
        fclose(w);
        char *got = NULL;
        int rc = run(args, &got, &got_len);
        cr_assert_eq(rc, 0, "%s: exit %d", e->d_name, rc);
        /* The tool ends its line; the corpus files have no newline. */
        cr_assert(got_len == want_len + 1 && memcmp(got, want, want_len) == 0,
                  "%s: output differs from CPython's", e->d_name);
        free(want);
        free(got);
        files++;
    }
    closedir(d);
    cr_assert_eq(files, 61, "expected the 61 corpus certificates, found %d", files);
}

Test(decode, bad_input_fails_cleanly)
{
    char *out;
    size_t len;
    int rc = run("/nonexistent-file", &out, &len);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
    cr_assert_eq(len, 0);
    free(out);
    rc = run("--der " CORPUS_DIR "/README.md", &out, &len);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
    cr_assert_eq(len, 0, "no partial answer on stdout");
    free(out);
    rc = run("", &out, &len);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
    free(out);
}
