/* Helpers shared by the certificate tests: files and directories. */
#ifndef OTLS_TESTS_CERT_UTIL_H
#define OTLS_TESTS_CERT_UTIL_H

#include <stddef.h>

/* Reads a whole file (malloc'd, NUL-terminated; *len without the NUL), or
 * NULL when it cannot be read. */
char *cu_read_file(const char *path, size_t *len);

/* The names in dir ending in suffix, sorted (malloc'd array of malloc'd
 * strings, NULL-terminated). NULL when dir cannot be opened. */
char **cu_list_dir(const char *dir, const char *suffix, size_t *count);
void cu_free_list(char **list);

/* path = dir/name with name's suffix replaced (malloc'd). */
char *cu_path(const char *dir, const char *name, const char *old_suffix, const char *new_suffix);

/* 1 when path exists. */
int cu_exists(const char *path);

#endif
