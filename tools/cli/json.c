/* The JSON writer: see json.h. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_json_init(struct cli_json *w)
{
    memset(w, 0, sizeof *w);
}

void cli_json_free(struct cli_json *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

static void put(struct cli_json *w, const char *s, size_t n)
{
    if (w->failed)
        return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1) {
            if (cap > (size_t)-1 / 2) {
                w->failed = 1;
                return;
            }
            cap *= 2;
        }
        char *nb = realloc(w->buf, cap);
        if (!nb) {
            w->failed = 1;
            return;
        }
        w->buf = nb;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

/* Writes the separator a new value or key needs in its container. */
static void separate(struct cli_json *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->need_comma[w->depth - 1])
            put(w, ",", 1);
        w->need_comma[w->depth - 1] = 1;
    }
}

static void open_container(struct cli_json *w, char c)
{
    separate(w);
    if (w->depth >= CLI_JSON_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    put(w, &c, 1);
    w->need_comma[w->depth++] = 0;
}

static void close_container(struct cli_json *w, char c)
{
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }
    w->depth--;
    put(w, &c, 1);
}

void cli_json_begin_object(struct cli_json *w)
{
    open_container(w, '{');
}
void cli_json_end_object(struct cli_json *w)
{
    close_container(w, '}');
}
void cli_json_begin_array(struct cli_json *w)
{
    open_container(w, '[');
}
void cli_json_end_array(struct cli_json *w)
{
    close_container(w, ']');
}

/* Quotes and escapes s[0..len): '"' and '\\' get a backslash, ASCII control
 * characters (and DEL) become \u00XX, everything else is copied, so UTF-8
 * sequences pass through intact. */
static void put_quoted(struct cli_json *w, const char *s, size_t len)
{
    size_t start = 0;

    put(w, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t n = 0;

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            n = 2;
        } else if (c < 0x20 || c == 0x7F) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)c);
            n = 6;
        } else {
            continue;
        }
        put(w, s + start, i - start);
        put(w, esc, n);
        start = i + 1;
    }
    put(w, s + start, len - start);
    put(w, "\"", 1);
}

void cli_json_key(struct cli_json *w, const char *name)
{
    separate(w);
    put_quoted(w, name, strlen(name));
    put(w, ":", 1);
    w->after_key = 1;
}

void cli_json_string_n(struct cli_json *w, const char *s, size_t len)
{
    separate(w);
    if (s)
        put_quoted(w, s, len);
    else
        put(w, "null", 4);
}

void cli_json_string(struct cli_json *w, const char *s)
{
    cli_json_string_n(w, s, s ? strlen(s) : 0);
}

void cli_json_int(struct cli_json *w, long long v)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%lld", v);

    separate(w);
    put(w, num, (size_t)n);
}

void cli_json_bool(struct cli_json *w, int v)
{
    separate(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void cli_json_null(struct cli_json *w)
{
    separate(w);
    put(w, "null", 4);
}

void cli_json_raw(struct cli_json *w, const char *text, size_t len)
{
    separate(w);
    put(w, text, len);
}
