/* `kafkalite consume -f FORMAT`: placeholders and escapes, see
 * msg_format.h. Keys, values and header values are written byte for byte
 * (no quoting), as kcat does. */
#include <inttypes.h>
#include <string.h>

#include "msg_format.h"

static const char placeholders[] = "tpokKsSTh%";
static const char escapes[] = "ntr\\";

const char *msg_format_check(const char *format)
{
    for (const char *f = format; *f; f++) {
        if (*f == '%') {
            if (!f[1])
                return "the format ends with a lone %";
            if (!strchr(placeholders, *++f))
                return "unknown placeholder (known: %t %p %o %k %K %s %S %T %h %%)";
        } else if (*f == '\\') {
            if (!f[1])
                return "the format ends with a lone \\";
            if (!strchr(escapes, *++f))
                return "unknown escape (known: \\n \\t \\r \\\\)";
        }
    }
    return NULL;
}

static void print_headers(FILE *out, const kl_message_t *msg)
{
    const kl_headers_t *headers = kl_message_headers(msg);
    size_t count = headers ? kl_headers_count(headers) : 0;
    for (size_t i = 0; i < count; i++) {
        const char *name;
        const void *value;
        size_t len;
        if (kl_headers_get(headers, i, &name, &value, &len) != KL_ERR_NONE)
            break;
        fprintf(out, "%s%s=", i ? "," : "", name);
        if (value)
            fwrite(value, 1, len, out);
    }
}

static void print_placeholder(FILE *out, char c, const kl_message_t *msg)
{
    const void *data;
    size_t len;
    switch (c) {
    case 't':
        fputs(kl_message_topic(msg), out);
        break;
    case 'p':
        fprintf(out, "%" PRId32, kl_message_partition(msg));
        break;
    case 'o':
        fprintf(out, "%" PRId64, kl_message_offset(msg));
        break;
    case 'k':
    case 's':
        data = c == 'k' ? kl_message_key(msg, &len) : kl_message_value(msg, &len);
        if (data)
            fwrite(data, 1, len, out);
        break;
    case 'K':
    case 'S': /* -1 for a null key or value, as kcat prints it */
        data = c == 'K' ? kl_message_key(msg, &len) : kl_message_value(msg, &len);
        fprintf(out, "%lld", data ? (long long)len : -1LL);
        break;
    case 'T':
        fprintf(out, "%" PRId64, kl_message_timestamp(msg, NULL));
        break;
    case 'h':
        print_headers(out, msg);
        break;
    default:
        putc('%', out);
        break;
    }
}

void msg_format_print(FILE *out, const char *format, const kl_message_t *msg)
{
    for (const char *f = format; *f; f++) {
        if (*f == '%')
            print_placeholder(out, *++f, msg);
        else if (*f == '\\') {
            f++;
            putc(*f == 'n' ? '\n' : *f == 't' ? '\t' : *f == 'r' ? '\r' : '\\', out);
        } else
            putc(*f, out);
    }
}
