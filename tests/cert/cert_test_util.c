#define _POSIX_C_SOURCE 200809L

#include "cert_test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *cu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, (cap *= 2) + 1);
            if (nb == NULL)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cu_list_dir(const char *dir, const char *suffix, size_t *count)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    size_t n = 0, cap = 64, sl = strlen(suffix);
    char **list = malloc((cap + 1) * sizeof *list);
    struct dirent *e;
    while (list && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        if (n == cap) {
            char **nl = realloc(list, ((cap *= 2) + 1) * sizeof *list);
            if (nl == NULL)
                break;
            list = nl;
        }
        list[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (list == NULL)
        return NULL;
    qsort(list, n, sizeof *list, by_name);
    list[n] = NULL;
    *count = n;
    return list;
}

void cu_free_list(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

char *cu_path(const char *dir, const char *name, const char *old_suffix, const char *new_suffix)
{
    size_t nl = strlen(name), ol = strlen(old_suffix);
    if (nl >= ol && strcmp(name + nl - ol, old_suffix) == 0)
        nl -= ol;
    size_t need = strlen(dir) + 1 + nl + strlen(new_suffix) + 1;
    char *p = malloc(need);
    if (p)
        snprintf(p, need, "%s/%.*s%s", dir, (int)nl, name, new_suffix);
    return p;
}

int cu_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}
