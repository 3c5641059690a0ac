/* Kafka's console producer line reader: see line_reader.h. */
#include "line_reader.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void line_reader_init(line_reader_t *r)
{
    memset(r, 0, sizeof *r);
    r->key_separator = "\t";
    r->headers_delimiter = "\t";
    r->headers_separator = ",";
    r->header_key_separator = ":";
}

const char *line_reader_set(line_reader_t *r, const char *name, const char *value)
{
    static const struct {
        const char *name;
        size_t field;
    } flags[] = {
        {"parse.key", offsetof(line_reader_t, parse_key)},
        {"parse.headers", offsetof(line_reader_t, parse_headers)},
        {"ignore.error", offsetof(line_reader_t, ignore_error)},
    }, texts[] = {
        {"key.separator", offsetof(line_reader_t, key_separator)},
        {"headers.delimiter", offsetof(line_reader_t, headers_delimiter)},
        {"headers.separator", offsetof(line_reader_t, headers_separator)},
        {"headers.key.separator", offsetof(line_reader_t, header_key_separator)},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (!strcmp(name, flags[i].name)) {
            if (strcmp(value, "true") && strcmp(value, "false"))
                return "parse.key, parse.headers and ignore.error are true or false";
            *(bool *)((char *)r + flags[i].field) = value[0] == 't';
            return NULL;
        }
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (!strcmp(name, texts[i].name)) {
            if (!*value)
                return "a separator or delimiter cannot be empty";
            *(const char **)((char *)r + texts[i].field) = value;
            return NULL;
        }
    if (!strcmp(name, "null.marker")) {
        r->null_marker = *value ? value : NULL;
        return NULL;
    }
    return "unknown line reader property (known: parse.key, key.separator, parse.headers, headers.delimiter, "
           "headers.separator, headers.key.separator, null.marker, ignore.error)";
}

const char *line_reader_set_arg(line_reader_t *r, const char *assignment)
{
    static char name[64];
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof name)
        return "--property wants name=value";
    memcpy(name, assignment, (size_t)(eq - assignment));
    name[eq - assignment] = '\0';
    return line_reader_set(r, name, eq + 1);
}

/* Where sep first occurs in the len bytes at s, or NULL. */
static const char *find(const char *s, size_t len, const char *sep)
{
    return memmem(s, len, sep, strlen(sep));
}

static bool is_null(const line_reader_t *r, const char *s, size_t len)
{
    return r->null_marker && strlen(r->null_marker) == len && !memcmp(s, r->null_marker, len);
}

/* Adds the header "name<sep>value" of len bytes at pair. */
static const char *add_header(const line_reader_t *r, const char *pair, size_t len, kl_headers_t *headers)
{
    const char *sep = find(pair, len, r->header_key_separator);
    if (!sep && !r->ignore_error)
        return "a header without its key separator found";
    size_t name_len = sep ? (size_t)(sep - pair) : len;
    if (memchr(pair, '\0', name_len))
        return "a header name holding a NUL byte";
    const char *value = sep ? sep + strlen(r->header_key_separator) : NULL;
    size_t value_len = sep ? len - name_len - strlen(r->header_key_separator) : 0;
    if (value && is_null(r, value, value_len))
        value = NULL, value_len = 0;
    char *name = strndup(pair, name_len);
    kl_err_t err = name ? kl_headers_add(headers, name, value, value_len) : KL_ERR_NOMEM;
    free(name);
    return err ? "out of memory" : NULL;
}

static const char *split_headers(const line_reader_t *r, const char *text, size_t len, kl_headers_t *headers)
{
    size_t seplen = strlen(r->headers_separator);
    while (len > 0) {
        const char *end = find(text, len, r->headers_separator);
        size_t pair_len = end ? (size_t)(end - text) : len;
        const char *why = add_header(r, text, pair_len, headers);
        if (why || !end)
            return why;
        text += pair_len + seplen;
        len -= pair_len + seplen;
    }
    return NULL;
}

const char *line_reader_split(const line_reader_t *r, const char *line, size_t len, line_message_t *m,
                              kl_headers_t *headers)
{
    const char *rest = line;
    size_t rest_len = len;
    if (r->parse_headers) {
        const char *delim = find(line, len, r->headers_delimiter);
        if (!delim && !r->ignore_error)
            return "no headers delimiter found";
        if (delim) {
            size_t headers_len = (size_t)(delim - line);
            rest = delim + strlen(r->headers_delimiter);
            rest_len = len - headers_len - strlen(r->headers_delimiter);
            const char *why = split_headers(r, line, headers_len, headers);
            if (why)
                return why;
        }
    }
    m->key = NULL;
    m->key_len = 0;
    m->value = rest;
    m->value_len = rest_len;
    if (r->parse_key) {
        const char *sep = find(rest, rest_len, r->key_separator);
        if (!sep && !r->ignore_error)
            return "no key separator found";
        if (sep) {
            m->key = rest;
            m->key_len = (size_t)(sep - rest);
            m->value = sep + strlen(r->key_separator);
            m->value_len = rest_len - m->key_len - strlen(r->key_separator);
            if (is_null(r, m->key, m->key_len))
                m->key = NULL, m->key_len = 0;
        }
    }
    if (is_null(r, m->value, m->value_len))
        m->value = NULL, m->value_len = 0;
    return NULL;
}
