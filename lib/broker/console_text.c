/* Text helpers of the HTTP console's pages (see console.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker/console.h"

void console_printf(kl_buf_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    uint8_t *p = kl_buf_reserve(out, (size_t)n + 1);
    if (!p)
        return;
    va_start(ap, fmt);
    vsnprintf((char *)p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out->len += (size_t)n;
}

void console_json_str(kl_buf_t *out, const char *s)
{
    console_json_mem(out, s, strlen(s));
}

void console_json_mem(kl_buf_t *out, const void *data, size_t len)
{
    kl_buf_put(out, "\"", 1);
    for (const unsigned char *p = data, *end = p + len; p < end; p++) {
        if (*p == '"' || *p == '\\')
            console_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            console_printf(out, "\\u%04x", *p);
        else
            kl_buf_put(out, p, 1);
    }
    kl_buf_put(out, "\"", 1);
}

void console_label(kl_buf_t *out, const char *s)
{
    kl_buf_put(out, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            console_printf(out, "\\%c", *p);
        else if (*p == '\n')
            kl_buf_put(out, "\\n", 2);
        else
            kl_buf_put(out, p, 1);
    }
    kl_buf_put(out, "\"", 1);
}

void console_error(console_page_t *page, unsigned status, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    kl_buf_reset(&page->body);
    page->status = status;
    page->type = "application/json";
    kl_buf_put(&page->body, "{\"error\":", 9);
    console_json_str(&page->body, why);
    kl_buf_put(&page->body, "}\n", 2);
}
