/* Reading files and directories: kept apart so builds without a file system
 * (embedded) can leave it out. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "internal.h"

/* Certificate and key files are small; a bundle of every public CA is
 * about 200 KiB. This bound keeps a wrong path (a disk image) harmless. */
#define MAX_FILE_SIZE (64u << 20)

otls_status oti_read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t err_len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return oti_set_error(err, err_len, OTLS_ERR_FILE, "cannot open %.200s: %s", path,
                             strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > MAX_FILE_SIZE) {
        fclose(f);
        return oti_set_error(err, err_len, OTLS_ERR_FILE,
                             "%.200s is not a regular file of at most 64 MiB", path);
    }
    size_t size = (size_t)sb.st_size;
    uint8_t *buf = oti_malloc(size + 1);
    if (buf == NULL) {
        fclose(f);
        return oti_set_error(err, err_len, OTLS_ERR_NO_MEMORY, "out of memory");
    }
    size_t got = fread(buf, 1, size, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || got != size) {
        oti_free(buf);
        return oti_set_error(err, err_len, OTLS_ERR_FILE, "cannot read %.200s", path);
    }
    buf[size] = 0;
    *data = buf;
    *len = size;
    return OTLS_OK;
}

otls_status oti_for_each_file(const char *dir, otls_status (*fn)(const char *path, void *arg),
                              void *arg, char *err, size_t err_len)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return oti_set_error(err, err_len, OTLS_ERR_FILE, "cannot open directory %.200s: %s", dir,
                             strerror(errno));
    otls_status st = OTLS_OK;
    struct dirent *ent;
    char path[4096];
    while (st >= 0 && (ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        int n = oti_snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        if (n < 0 || (size_t)n >= sizeof path)
            continue;
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        st = fn(path, arg);
    }
    closedir(d);
    return st;
}
