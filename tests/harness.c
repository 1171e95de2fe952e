/* Test harness, first half: the PKI cache, backends and parameter cells,
 * temporary files. See harness.h; pairs are in harness_pair.c. */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* PKI cache                                                                */

static struct tpki pki_cache[2];
static int pki_ok[2];
static char pki_err[2][256];
static pthread_once_t pki_once[2] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT};
static pthread_once_t pki_atexit_once = PTHREAD_ONCE_INIT;

static void pki_free_all(void)
{
    for (int i = 0; i < 2; i++) {
        if (pki_ok[i]) {
            tpki_free(&pki_cache[i]);
            pki_ok[i] = 0;
        }
    }
}

static void pki_register_atexit(void)
{
    atexit(pki_free_all);
}

static void pki_make(enum tpki_key_type type)
{
    pthread_once(&pki_atexit_once, pki_register_atexit);
    if (tpki_generate(&pki_cache[type], type, pki_err[type], sizeof pki_err[type]) == 0)
        pki_ok[type] = 1;
}

static void pki_make_ec(void)
{
    pki_make(TPKI_EC);
}

static void pki_make_rsa(void)
{
    pki_make(TPKI_RSA);
}

/* The cached PKI or NULL; never asserts (the runner process calls it). */
static const struct tpki *pki_get(enum tpki_key_type type)
{
    pthread_once(&pki_once[type], type == TPKI_RSA ? pki_make_rsa : pki_make_ec);
    return pki_ok[type] ? &pki_cache[type] : NULL;
}

const struct tpki *th_pki(enum tpki_key_type type)
{
    const struct tpki *pki = pki_get(type);
    cr_assert(pki != NULL, "tpki_generate(%s) failed: %s", type == TPKI_RSA ? "RSA" : "EC",
              pki_err[type]);
    return pki;
}

int th_der_eq(const uint8_t *der, size_t len, const struct tpki_blob *blob)
{
    return der != NULL && len == blob->len && memcmp(der, blob->data, len) == 0;
}

/* The blobs of a PKI, in a fixed order, for copying and freeing. */
#define PKI_BLOBS 9
static struct tpki_blob *pki_blobs(struct tpki *p, int i)
{
    struct tpki_blob *all[PKI_BLOBS] = {
        &p->root_der,       &p->inter_der,        &p->server_der,
        &p->client_der,     &p->root_pem,         &p->server_chain_pem,
        &p->server_key_pem, &p->client_chain_pem, &p->client_key_pem,
    };
    return all[i];
}

/* A copy in Criterion's shared arena: visible, at the same address, in the
 * test processes the runner starts. */
static void pki_arena_free(const struct tpki *pki);

/* NULL when the arena is full: the tests then generate their own. */
static struct tpki *pki_to_arena(const struct tpki *src)
{
    struct tpki *dst = cr_calloc(1, sizeof *dst);
    if (dst == NULL)
        return NULL;
    for (int i = 0; i < PKI_BLOBS; i++) {
        const struct tpki_blob *s = pki_blobs((struct tpki *)src, i);
        struct tpki_blob *d = pki_blobs(dst, i);
        d->data = cr_malloc(s->len + 1);
        if (d->data == NULL) {
            pki_arena_free(dst);
            return NULL;
        }
        memcpy(d->data, s->data, s->len);
        d->data[s->len] = 0;
        d->len = s->len;
    }
    return dst;
}

static void pki_arena_free(const struct tpki *pki)
{
    struct tpki *p = (struct tpki *)pki;
    if (p == NULL)
        return;
    for (int i = 0; i < PKI_BLOBS; i++)
        if (pki_blobs(p, i)->data != NULL)
            cr_free(pki_blobs(p, i)->data);
    cr_free(p);
}

/* ------------------------------------------------------------------------ */
/* Backends and cells                                                       */

const otls_backend_info *th_backend(const char *name)
{
    const otls_backend_info *list = NULL;
    size_t count = 0;
    if (name == NULL)
        name = otls_default_backend();
    if (name == NULL || otls_backends(&list, &count) != OTLS_OK)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

void th_require(const char *backend, uint32_t feats, const char *what)
{
    const otls_backend_info *info = th_backend(backend);
    cr_assert(info != NULL, "backend %s is not listed by otls_backends()",
              backend ? backend : "(default)");
    if ((info->features & feats) != feats)
        cr_skip_test("backend %s lacks %s", info->name, what);
}

void th_require_version(const char *backend, otls_tls_version version)
{
    if (version == OTLS_TLS1_2)
        th_require(backend, OTLS_FEAT_TLS12, "TLS 1.2");
    else if (version == OTLS_TLS1_3)
        th_require(backend, OTLS_FEAT_TLS13, "TLS 1.3");
}

void th_require_cell(const struct th_cell *cell)
{
    th_require_version(cell->client_backend, cell->version);
    th_require_version(cell->server_backend, cell->version);
}

static void cells_free(struct criterion_test_params *crp)
{
    struct th_cell *cells = crp->params;
    if (cells == NULL)
        return;
    if (crp->length > 0) {
        /* Every cell shares the same two arena PKIs. */
        pki_arena_free(cells[0].pki[0]);
        pki_arena_free(cells[0].pki[1]);
    }
    cr_free(cells);
}

struct criterion_test_params th_cells(unsigned dims, int rows)
{
    return th_cells_where(dims, rows, NULL);
}

int th_cell_speaks(const struct th_cell *cell, otls_tls_version version)
{
    if (version != OTLS_TLS1_3)
        return 1;
    const otls_backend_info *c = th_backend(cell->client_backend);
    const otls_backend_info *s = th_backend(cell->server_backend);
    return c && s && (c->features & s->features & OTLS_FEAT_TLS13);
}

struct criterion_test_params th_cells_where(unsigned dims, int rows,
                                            int (*keep)(const struct th_cell *cell))
{
    static const otls_tls_version versions[] = {OTLS_TLS1_2, OTLS_TLS1_3};
    static const enum tpki_key_type keys[] = {TPKI_EC, TPKI_RSA};
    static const otls_verify verifies[] = {OTLS_VERIFY_NONE, OTLS_VERIFY_OPTIONAL,
                                           OTLS_VERIFY_REQUIRED};
    const otls_backend_info *list = NULL;
    size_t nb = 0;
    otls_backends(&list, &nb);

    size_t nv = (dims & TH_DIM_VERSION) ? 2 : 1;
    size_t nk = (dims & TH_DIM_KEY) ? 2 : 1;
    size_t ns = (dims & TH_DIM_SERVER_VERIFY) ? 3 : 1;
    size_t nr = rows > 1 ? (size_t)rows : 1;
    size_t nserv = (dims & TH_DIM_CROSS) ? nb : 1;
    size_t total = nb * nserv * nv * nk * ns * nr;

    struct th_cell *cells = cr_calloc(total ? total : 1, sizeof *cells);
    if (cells == NULL)
        return cr_make_param_array(struct th_cell, NULL, 0, NULL);

    /* Generate here, in the runner, once; NULL falls back to the test. */
    const struct tpki *pki[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        const struct tpki *src = pki_get((enum tpki_key_type)k);
        pki[k] = src ? pki_to_arena(src) : NULL;
    }

    size_t n = 0;
    for (size_t c = 0; c < nb; c++)
        for (size_t s = 0; s < nserv; s++)
            for (size_t v = 0; v < nv; v++)
                for (size_t k = 0; k < nk; k++)
                    for (size_t sv = 0; sv < ns; sv++)
                        for (size_t r = 0; r < nr; r++) {
                            size_t si = (dims & TH_DIM_CROSS) ? s : c;
                            /* A pair that cannot speak the version is left
                             * out here and reported once, as a skip with its
                             * reason, by test_capabilities. */
                            if ((dims & TH_DIM_VERSION) && versions[v] == OTLS_TLS1_3 &&
                                !((list[c].features & list[si].features) & OTLS_FEAT_TLS13))
                                continue;
                            struct th_cell *cell = &cells[n];
                            snprintf(cell->client_backend, sizeof cell->client_backend, "%s",
                                     list[c].name);
                            snprintf(cell->server_backend, sizeof cell->server_backend, "%s",
                                     list[si].name);
                            cell->version =
                                (dims & TH_DIM_VERSION) ? versions[v] : OTLS_TLS_DEFAULT;
                            cell->key = (dims & TH_DIM_KEY) ? keys[k] : TPKI_EC;
                            cell->server_verify =
                                (dims & TH_DIM_SERVER_VERIFY) ? verifies[sv] : OTLS_VERIFY_NONE;
                            cell->row = (int)r;
                            cell->pki[0] = pki[0];
                            cell->pki[1] = pki[1];
                            if (keep == NULL || keep(cell))
                                n++;
                        }
    return cr_make_param_array(struct th_cell, cells, n, cells_free);
}

const char *th_version_name(otls_tls_version version)
{
    switch (version) {
    case OTLS_TLS1_2:
        return "TLSv1.2";
    case OTLS_TLS1_3:
        return "TLSv1.3";
    default:
        return "default";
    }
}

const char *th_verify_name(otls_verify mode)
{
    switch (mode) {
    case OTLS_VERIFY_NONE:
        return "NONE";
    case OTLS_VERIFY_OPTIONAL:
        return "OPTIONAL";
    case OTLS_VERIFY_REQUIRED:
        return "REQUIRED";
    default:
        return "?";
    }
}

const char *th_cell_desc(const struct th_cell *cell)
{
    static char buf[192];
    snprintf(buf, sizeof buf, "%s->%s %s %s server_verify=%s row %d", cell->client_backend,
             cell->server_backend, th_version_name(cell->version),
             cell->key == TPKI_RSA ? "RSA" : "EC", th_verify_name(cell->server_verify), cell->row);
    return buf;
}

const struct tpki *th_cell_pki(const struct th_cell *cell, enum tpki_key_type type)
{
    return cell->pki[type] ? cell->pki[type] : th_pki(type);
}

/* ------------------------------------------------------------------------ */
/* Files                                                                    */

/* Directories made by this process: removed at exit too, so a test that
 * fails halfway leaves nothing behind. */
#define TMPDIRS_MAX 16
static char tmpdirs[TMPDIRS_MAX][4096];
static int ntmpdirs;

static void tmpdirs_cleanup(void)
{
    for (int i = 0; i < ntmpdirs; i++)
        th_rmtree(tmpdirs[i]);
}

char *th_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s/omnitls-test-XXXXXX", base && *base ? base : "/tmp");
    cr_assert(mkdtemp(buf) != NULL, "mkdtemp(%s): %s", buf, strerror(errno));
    if (ntmpdirs == 0)
        atexit(tmpdirs_cleanup);
    if (ntmpdirs < TMPDIRS_MAX)
        memcpy(tmpdirs[ntmpdirs++], buf, sizeof buf);
    char *dir = strdup(buf);
    cr_assert(dir != NULL, "out of memory");
    return dir;
}

char *th_write_file(const char *dir, const char *name, const void *data, size_t len)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    cr_assert(path != NULL, "out of memory");
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL, "fopen(%s): %s", path, strerror(errno));
    size_t put = len ? fwrite(data, 1, len, f) : 0;
    cr_assert(fclose(f) == 0 && put == len, "writing %s failed", path);
    return path;
}

void th_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            th_rmtree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}
