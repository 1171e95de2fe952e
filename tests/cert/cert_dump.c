/* cert_dump: prints a certificate file's JSON as omnitls renders it, for the
 * differential checks against CPython (tests/cert/tools/diff_python.py).
 *
 *   cert_dump [--insertion-order] [--facts] FILE...
 *
 * Each FILE (PEM or DER) gives one line: the JSON (sorted keys unless
 * --insertion-order), or "ERROR <status>: <reason>". A file that cannot be
 * read gives "ERROR file". --facts adds a line with what omnitls decodes
 * beyond Python (algorithms, key size, fingerprint, extensions). Exit
 * status 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omnitls/cert.h>

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static void facts(const otls_cert *c)
{
    printf("FACTS sig=%s key=%s bits=%u curve=%s sha256=", c->signature_algorithm.name,
           c->key_algorithm.name, c->key_bits, c->key_curve.name ? c->key_curve.name : "-");
    uint8_t md[32] = {0};
    otls_cert_sha256(c, md);
    for (int i = 0; i < 32; i++)
        printf("%02X", md[i]);
    printf(" bc=%d ca=%d pathlen=%ld ku=%d:%03x eku=%d", c->has_basic_constraints, c->is_ca,
           c->path_len, c->has_key_usage, c->key_usage, c->has_ext_key_usage);
    for (size_t i = 0; i < c->ext_key_usage_count; i++)
        printf("%s%s", i ? "," : ":", c->ext_key_usage[i].name);
    printf(" nb=%lld na=%lld\n", (long long)c->not_before.epoch, (long long)c->not_after.epoch);
}

int main(int argc, char **argv)
{
    unsigned flags = OTLS_JSON_SORT_KEYS;
    int want_facts = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--insertion-order") == 0) {
            flags = 0;
            continue;
        }
        if (strcmp(argv[i], "--facts") == 0) {
            want_facts = 1;
            continue;
        }
        size_t len = 0;
        unsigned char *data = slurp(argv[i], &len);
        if (data == NULL) {
            printf("ERROR file\n");
            continue;
        }
        otls_cert *cert = NULL;
        otls_error err;
        otls_status st = otls_cert_decode_pem(data, len, &cert, &err);
        free(data);
        if (st != OTLS_OK) {
            printf("ERROR %s: %s\n", otls_status_name(st), err.message);
            continue;
        }
        char *json = NULL;
        size_t jlen = 0;
        st = otls_cert_to_json(cert, flags, &json, &jlen);
        if (st != OTLS_OK) {
            printf("ERROR %s: json\n", otls_status_name(st));
        } else {
            fwrite(json, 1, jlen, stdout);
            putchar('\n');
        }
        if (want_facts)
            facts(cert);
        otls_free_string(json);
        otls_cert_free(cert);
    }
    return 0;
}
