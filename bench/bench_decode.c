/* Certificate decoding: DER -> otls_cert and DER -> JSON, microseconds per
 * certificate, over a list of PEM files (the system CA bundle's
 * the PEM files of /etc/ssl/certs in bench/run.sh), and on one leaf. Python's side of
 * the comparison is bench/py_decode.py, run on the same files.
 *
 * usage: bench_decode --list FILE [--leaf DER] [--reps R]
 * Prints one line per measure: median, min, max over the certificates of
 * each certificate's time (best of five batches of R / 5 runs). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <omnitls/cert.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            unsigned char *b = realloc(buf, cap *= 2);
            if (b == NULL) {
                free(buf);
                buf = NULL;
            } else {
                buf = b;
            }
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Mean µs of one decode (json = 0) or decode + JSON (json = 1) of der. */
static double time_one(const uint8_t *der, size_t len, int json, long reps)
{
    double t0 = now_us();
    for (long i = 0; i < reps; i++) {
        otls_cert *c = NULL;
        if (otls_cert_decode(der, len, &c, NULL) != OTLS_OK) {
            fprintf(stderr, "bench_decode: a certificate stopped decoding\n");
            exit(1);
        }
        if (json) {
            char *s = NULL;
            if (otls_cert_to_json(c, 0, &s, NULL) != OTLS_OK) {
                fprintf(stderr, "bench_decode: JSON failed\n");
                exit(1);
            }
            otls_free_string(s);
        }
        otls_cert_free(c);
    }
    return (now_us() - t0) / (double)reps;
}

/* The machine is shared: a certificate's time is the best of five
 * batches (each the mean of reps / 5 runs), so another process taking the
 * core during one batch does not count as decoding time. */
static double best_of_batches(const uint8_t *der, size_t len, int json, long reps)
{
    long per = reps / 5 > 0 ? reps / 5 : 1;
    double best = 0;
    for (int i = 0; i < 5; i++) {
        double t = time_one(der, len, json, per);
        if (i == 0 || t < best)
            best = t;
    }
    return best;
}

static void report(const char *what, double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("decode=%s certs=%zu median_us=%.3f min_us=%.3f max_us=%.3f best_us=%.3f\n", what, n,
           med, v[0], v[n - 1], v[0]);
}

int main(int argc, char **argv)
{
    const char *list = NULL, *leaf = NULL;
    long reps = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--list") == 0)
            list = argv[i + 1];
        else if (strcmp(argv[i], "--leaf") == 0)
            leaf = argv[i + 1];
        else if (strcmp(argv[i], "--reps") == 0)
            reps = strtol(argv[i + 1], NULL, 10);
    }
    if (list == NULL || reps < 1) {
        fprintf(stderr, "usage: bench_decode --list FILE [--leaf DER] [--reps R]\n");
        return 2;
    }
    FILE *lf = fopen(list, "r");
    if (lf == NULL) {
        fprintf(stderr, "bench_decode: cannot open %s\n", list);
        return 1;
    }
    size_t cap = 256, n = 0, refused = 0;
    otls_cert **certs = malloc(cap * sizeof *certs);
    char path[4096];
    while (certs != NULL && fgets(path, sizeof path, lf) != NULL) {
        path[strcspn(path, "\n")] = '\0';
        size_t len;
        unsigned char *pem = path[0] ? read_file(path, &len) : NULL;
        otls_cert *c = NULL;
        if (pem != NULL && otls_cert_decode_pem(pem, len, &c, NULL) == OTLS_OK) {
            if (n == cap) {
                otls_cert **b = realloc(certs, (cap *= 2) * sizeof *certs);
                if (b == NULL)
                    break;
                certs = b;
            }
            certs[n++] = c;
        } else if (path[0]) {
            refused++;
        }
        free(pem);
    }
    fclose(lf);
    if (certs == NULL || n == 0) {
        fprintf(stderr, "bench_decode: no certificate decoded from %s\n", list);
        return 1;
    }
    double *t = malloc(n * sizeof *t);
    if (t == NULL)
        return 1;
    for (size_t i = 0; i < n; i++)
        t[i] = best_of_batches(certs[i]->der, certs[i]->der_len, 0, reps);
    report("der_to_cert", t, n);
    for (size_t i = 0; i < n; i++)
        t[i] = best_of_batches(certs[i]->der, certs[i]->der_len, 1, reps);
    report("der_to_json", t, n);
    printf("decode=bundle files_refused=%zu\n", refused);
    if (leaf != NULL) {
        size_t len;
        unsigned char *der = read_file(leaf, &len);
        if (der == NULL) {
            fprintf(stderr, "bench_decode: cannot read %s\n", leaf);
            return 1;
        }
        /* One certificate: 25 batches; best_us is the headline (as for
         * Python's getpeercert() in py_decode.py), the rest the spread. */
        double a[25], b[25];
        for (int r = 0; r < 25; r++) {
            a[r] = time_one(der, len, 0, reps);
            b[r] = time_one(der, len, 1, reps);
        }
        report("leaf_der_to_cert", a, 25);
        report("leaf_der_to_json", b, 25);
        free(der);
    }
    for (size_t i = 0; i < n; i++)
        otls_cert_free(certs[i]);
    free(certs);
    free(t);
    return 0;
}
