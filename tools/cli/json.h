/* A tiny JSON writer into a growable memory buffer. Commas and nesting are
 * tracked by the writer, so callers only say what comes next. Allocation
 * failures are sticky: the writer records them and ignores later calls, and
 * the caller checks `failed` once at the end. */
#ifndef OTLS_CLI_JSON_H
#define OTLS_CLI_JSON_H

#include <stddef.h>

#define CLI_JSON_MAX_DEPTH 32

struct cli_json {
    char *buf;  /* NUL-terminated text written so far (NULL when empty) */
    size_t len; /* bytes in buf, without the NUL */
    size_t cap;
    int failed;    /* 1 after an allocation failure or a nesting error */
    int after_key; /* 1 when the next value belongs to a key just written */
    unsigned depth;
    unsigned char need_comma[CLI_JSON_MAX_DEPTH];
};

void cli_json_init(struct cli_json *w);
void cli_json_free(struct cli_json *w);

void cli_json_begin_object(struct cli_json *w);
void cli_json_end_object(struct cli_json *w);
void cli_json_begin_array(struct cli_json *w);
void cli_json_end_array(struct cli_json *w);

/* An object key; the next call writes its value. */
void cli_json_key(struct cli_json *w, const char *name);

/* A string value; NULL writes null. Bytes >= 0x80 pass through unchanged, so
 * UTF-8 input stays UTF-8. */
void cli_json_string(struct cli_json *w, const char *s);
void cli_json_string_n(struct cli_json *w, const char *s, size_t len);
void cli_json_int(struct cli_json *w, long long v);
void cli_json_bool(struct cli_json *w, int v);
void cli_json_null(struct cli_json *w);

/* A value that is already JSON text (e.g. another writer's output). */
void cli_json_raw(struct cli_json *w, const char *text, size_t len);

#endif
