/* JSON Lines output: see json_out.h. */
#include "json_out.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* The length of the well-formed UTF-8 sequence at s (at most n bytes), or
 * 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

bool json_utf8_valid(const unsigned char *s, size_t len)
{
    for (size_t i = 0, n; i < len; i += n)
        if (!(n = utf8_seq(s + i, len - i)))
            return false;
    return true;
}

static void put_string(FILE *out, const unsigned char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0, n; i < len; i += n) {
        unsigned char c = s[i];
        n = utf8_seq(s + i, len - i);
        if (!n) {
            fputs("\\ufffd", out);
            n = 1;
        } else if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c == '\n') {
            fputs("\\n", out);
        } else if (c == '\t') {
            fputs("\\t", out);
        } else if (c == '\r') {
            fputs("\\r", out);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
        } else {
            fwrite(s + i, 1, n, out);
        }
    }
    fputc('"', out);
}

static void put_base64(FILE *out, const unsigned char *s, size_t len)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fputc('"', out);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < len ? (uint32_t)s[i + 1] << 8 : 0) |
                     (i + 2 < len ? s[i + 2] : 0);
        fputc(digits[v >> 18 & 63], out);
        fputc(digits[v >> 12 & 63], out);
        fputc(i + 1 < len ? digits[v >> 6 & 63] : '=', out);
        fputc(i + 2 < len ? digits[v & 63] : '=', out);
    }
    fputc('"', out);
}

/* The separator and "name": before a member or element. */
static void member(json_out_t *j, const char *name, const char *suffix)
{
    if (!j->first[j->depth])
        fputc(',', j->out);
    j->first[j->depth] = false;
    if (name) {
        fputc('"', j->out);
        fputs(name, j->out); /* the names are the program's own: plain ASCII */
        fputs(suffix, j->out);
        fputs("\":", j->out);
    }
}

void json_begin(json_out_t *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->first[0] = true;
    fputc('{', out);
}

void json_end(json_out_t *j)
{
    fputs("}\n", j->out);
}

void json_str(json_out_t *j, const char *name, const char *s)
{
    member(j, name, "");
    if (s)
        put_string(j->out, (const unsigned char *)s, strlen(s));
    else
        fputs("null", j->out);
}

void json_int(json_out_t *j, const char *name, int64_t v)
{
    member(j, name, "");
    fprintf(j->out, "%" PRId64, v);
}

void json_bool(json_out_t *j, const char *name, bool v)
{
    member(j, name, "");
    fputs(v ? "true" : "false", j->out);
}

void json_null(json_out_t *j, const char *name)
{
    member(j, name, "");
    fputs("null", j->out);
}

void json_real(json_out_t *j, const char *name, double v)
{
    member(j, name, "");
    if (isfinite(v))
        fprintf(j->out, "%.3f", v);
    else
        fputs("null", j->out);
}

void json_bytes(json_out_t *j, const char *name, const void *data, size_t len)
{
    if (!data) {
        json_null(j, name);
    } else if (json_utf8_valid(data, len)) {
        member(j, name, "");
        put_string(j->out, data, len);
    } else {
        member(j, name, "_base64");
        put_base64(j->out, data, len);
    }
}

void json_open(json_out_t *j, const char *name, char bracket)
{
    member(j, name, "");
    fputc(bracket, j->out);
    if (j->depth + 1 < JSON_MAX_DEPTH)
        j->first[++j->depth] = true;
}

void json_close(json_out_t *j, char bracket)
{
    fputc(bracket == '{' ? '}' : ']', j->out);
    if (j->depth > 0)
        j->depth--;
}
