/* Java .properties parsing (see properties.h): natural lines are joined
 * into logical lines first (comments and blank lines dropped,
 * continuations followed), then each logical line is split into key and
 * value, unescaping both. */
#include "properties.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable string for one logical line and its unescaped parts. */
typedef struct text {
    char *data;
    size_t len, cap;
} text_t;

static bool text_put(text_t *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 128;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (!grown)
            return false;
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
    return true;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

/* The natural line starting at *pos: its bytes [*start, *end), *pos moved
 * past its terminator. False at the end of the text. */
static bool next_line(const char *text, size_t len, size_t *pos, size_t *start, size_t *end)
{
    if (*pos >= len)
        return false;
    size_t p = *pos;
    *start = p;
    while (p < len && text[p] != '\n' && text[p] != '\r')
        p++;
    *end = p;
    if (p < len && text[p] == '\r' && p + 1 < len && text[p + 1] == '\n')
        p++;
    *pos = p < len ? p + 1 : p;
    return true;
}

/* A line ending with an odd number of backslashes continues. */
static bool continues(const char *s, size_t n)
{
    size_t backslashes = 0;
    while (backslashes < n && s[n - 1 - backslashes] == '\\')
        backslashes++;
    return backslashes % 2 == 1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s (n bytes left); -1 when malformed. */
static int32_t read_u16(const char *s, size_t n)
{
    if (n < 4)
        return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(s[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static bool put_utf8(text_t *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return text_put(out, b, n);
}

/* The \u escape at s[*i] (just past the 'u'): a UTF-16 unit, paired with
 * a following \uDCxx when it is a high surrogate. Lone surrogates become
 * U+FFFD, as Java's UTF-8 encoder would not write them either. */
static bool unescape_u(const char *s, size_t n, size_t *i, text_t *out, bool *bad)
{
    int32_t unit = read_u16(s + *i, n - *i);
    if (unit < 0) {
        *bad = true;
        return false;
    }
    *i += 4;
    uint32_t cp = (uint32_t)unit;
    if (unit >= 0xd800 && unit <= 0xdbff && *i + 6 <= n && s[*i] == '\\' && s[*i + 1] == 'u') {
        int32_t low = read_u16(s + *i + 2, n - *i - 2);
        if (low >= 0xdc00 && low <= 0xdfff) {
            cp = 0x10000 + ((uint32_t)(unit - 0xd800) << 10) + (uint32_t)(low - 0xdc00);
            *i += 6;
        }
    }
    if (cp >= 0xd800 && cp <= 0xdfff)
        cp = 0xfffd;
    return put_utf8(out, cp);
}

/* Unescapes s[*i..n) into out, stopping (for a key) at an unescaped
 * separator or blank. */
static bool unescape(const char *s, size_t n, size_t *i, bool key, text_t *out, bool *bad)
{
    out->len = 0;
    if (!text_put(out, "", 0))
        return false;
    while (*i < n) {
        char c = s[*i];
        if (key && (c == '=' || c == ':' || is_blank(c)))
            return true;
        (*i)++;
        if (c != '\\' || *i >= n) {
            if (!text_put(out, &c, 1))
                return false;
            continue;
        }
        c = s[(*i)++];
        if (c == 'u') {
            if (!unescape_u(s, n, i, out, bad))
                return false;
            continue;
        }
        c = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c;
        if (!text_put(out, &c, 1))
            return false;
    }
    return true;
}

/* Splits one logical line and hands it to fn. */
static int emit(const char *s, size_t n, int line, properties_fn *fn, void *opaque, text_t *key, text_t *value,
                int *bad_line)
{
    size_t i = 0;
    bool bad = false;
    if (!unescape(s, n, &i, true, key, &bad)) {
        *bad_line = bad ? line : 0;
        return -1;
    }
    bool separator = false;
    for (; i < n; i++) {
        if (!separator && (s[i] == '=' || s[i] == ':'))
            separator = true;
        else if (!is_blank(s[i]))
            break;
    }
    if (!unescape(s, n, &i, false, value, &bad)) {
        *bad_line = bad ? line : 0;
        return -1;
    }
    return fn(opaque, key->data, value->data, line);
}

/* Reads the logical line that starts at the natural line [start, end) into
 * logical, following continuations; *lineno counts natural lines. */
static bool join_lines(const char *text, size_t len, size_t *pos, size_t start, size_t end, int *lineno,
                       text_t *logical)
{
    logical->len = 0;
    for (;;) {
        bool more = continues(text + start, end - start);
        if (!text_put(logical, text + start, end - start - (more ? 1 : 0)))
            return false;
        if (!more || !next_line(text, len, pos, &start, &end))
            return true;
        (*lineno)++;
        while (start < end && is_blank(text[start]))
            start++;
        if (start == end)
            return true; /* an empty line ends the continuation */
    }
}

int properties_parse(const char *text, size_t len, properties_fn *fn, void *opaque, int *bad_line)
{
    text_t logical = {0}, key = {0}, value = {0};
    size_t pos = 0, start, end;
    int lineno = 0, rc = 0;
    *bad_line = 0;
    while (rc == 0 && next_line(text, len, &pos, &start, &end)) {
        int first = ++lineno;
        while (start < end && is_blank(text[start]))
            start++;
        if (start == end || text[start] == '#' || text[start] == '!')
            continue;
        if (!join_lines(text, len, &pos, start, end, &lineno, &logical)) {
            rc = -1;
            break;
        }
        rc = emit(logical.data, logical.len, first, fn, opaque, &key, &value, bad_line);
    }
    free(logical.data);
    free(key.data);
    free(value.data);
    return rc;
}

static char *read_file(const char *prog, const char *path, size_t *lenp)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open %s: %s\n", prog, path, strerror(errno));
        return NULL;
    }
    char *text = malloc(PROPERTIES_MAX_BYTES + 1);
    size_t n = text ? fread(text, 1, PROPERTIES_MAX_BYTES + 1, f) : 0;
    bool failed = !text || ferror(f) || n > PROPERTIES_MAX_BYTES;
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, path,
                !text ? "out of memory" : n > PROPERTIES_MAX_BYTES ? "larger than 16 MiB" : "read error");
        free(text);
        return NULL;
    }
    *lenp = n;
    return text;
}

int properties_load(const char *prog, const char *path, properties_fn *fn, void *opaque)
{
    size_t len;
    char *text = read_file(prog, path, &len);
    if (!text)
        return -1;
    int bad_line;
    int rc = properties_parse(text, len, fn, opaque, &bad_line);
    free(text);
    if (rc == -1 && bad_line > 0)
        fprintf(stderr, "%s: %s:%d: malformed \\uxxxx escape\n", prog, path, bad_line);
    else if (rc == -1)
        fprintf(stderr, "%s: %s: out of memory\n", prog, path);
    return rc;
}
