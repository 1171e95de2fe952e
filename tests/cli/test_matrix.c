/* `omnitls matrix`, end to end: the interop matrix in its three output
 * forms, bad arguments, and --peer against openssl s_server instances
 * started at test time (P-256, Ed25519, a SHA-1-signed chain, a closed
 * port). check_matrix.py runs the tool, parses its output and asserts;
 * each case here is one of its cases. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

static void check(const char *name)
{
    char cmd[2048];
    int rc;

    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' %s", CHECK_MATRIX, OMNITLS_CLI, name);
    rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "check_matrix.py %s failed", name);
}

Test(matrix, interop_json, .timeout = 240)
{
    check("interop-json");
}

Test(matrix, interop_text, .timeout = 240)
{
    check("interop-text");
}

Test(matrix, interop_markdown, .timeout = 240)
{
    check("interop-markdown");
}

Test(matrix, bad_arguments_exit_2, .timeout = 60)
{
    check("usage");
}

Test(matrix, peer_p256_all_agree, .timeout = 120)
{
    check("peer-p256");
}

Test(matrix, peer_ed25519_mbedtls_cannot, .timeout = 120)
{
    check("peer-ed25519");
}

Test(matrix, peer_sha1_chain, .timeout = 120)
{
    check("peer-sha1");
}

Test(matrix, peer_tls13_na_where_unsupported, .timeout = 120)
{
    check("peer-tls13");
}

Test(matrix, peer_refused, .timeout = 60)
{
    check("peer-refused");
}
