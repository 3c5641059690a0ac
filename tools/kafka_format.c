/* Kafka's console consumer layout: see kafka_format.h. */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "kafka_format.h"

void kafka_format_init(kafka_format_t *f)
{
    memset(f, 0, sizeof *f);
    f->value = true;
    f->key_separator = "\t";
    f->line_separator = "\n";
    f->headers_separator = ",";
    f->header_key_separator = ":";
}

const char *kafka_format_set(kafka_format_t *f, const char *assignment)
{
    static const struct {
        const char *name;
        size_t flag;
    } flags[] = {
        {"print.timestamp", offsetof(kafka_format_t, timestamp)}, {"print.partition", offsetof(kafka_format_t, partition)},
        {"print.offset", offsetof(kafka_format_t, offset)},       {"print.headers", offsetof(kafka_format_t, headers)},
        {"print.key", offsetof(kafka_format_t, key)},             {"print.value", offsetof(kafka_format_t, value)},
    };
    static const struct {
        const char *name;
        size_t text;
    } texts[] = {
        {"key.separator", offsetof(kafka_format_t, key_separator)},
        {"line.separator", offsetof(kafka_format_t, line_separator)},
        {"headers.separator", offsetof(kafka_format_t, headers_separator)},
        {"headers.key.separator", offsetof(kafka_format_t, header_key_separator)},
    };
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return "--property wants name=value";
    size_t len = (size_t)(eq - assignment);
    const char *v = eq + 1;
    f->used = true;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strlen(flags[i].name) == len && !strncmp(flags[i].name, assignment, len)) {
            if (strcmp(v, "true") && strcmp(v, "false"))
                return "print.* properties are true or false";
            *(bool *)((char *)f + flags[i].flag) = v[0] == 't';
            return NULL;
        }
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strlen(texts[i].name) == len && !strncmp(texts[i].name, assignment, len)) {
            *(const char **)((char *)f + texts[i].text) = v;
            return NULL;
        }
    return "unknown --property (known: print.timestamp, print.partition, print.offset, print.headers, print.key, "
           "print.value, key.separator, line.separator, headers.separator, headers.key.separator)";
}

static void print_bytes(FILE *out, const void *data, size_t len)
{
    if (data)
        fwrite(data, 1, len, out);
    else
        fputs("null", out);
}

static void print_headers(FILE *out, const kafka_format_t *f, const kl_message_t *msg)
{
    const kl_headers_t *headers = kl_message_headers(msg);
    size_t count = headers ? kl_headers_count(headers) : 0;
    if (!count)
        fputs("NO_HEADERS", out);
    for (size_t i = 0; i < count; i++) {
        const char *name;
        const void *value;
        size_t len;
        if (kl_headers_get(headers, i, &name, &value, &len) != KL_ERR_NONE)
            break;
        fprintf(out, "%s%s%s", i ? f->headers_separator : "", name, f->header_key_separator);
        print_bytes(out, value, len);
    }
}

void kafka_format_print(FILE *out, const kafka_format_t *f, const kl_message_t *msg)
{
    const char *sep = "";
    const void *data;
    size_t len;
    if (f->timestamp) {
        kl_timestamp_type_t type;
        int64_t ts = kl_message_timestamp(msg, &type);
        if (type == KL_TIMESTAMP_NOT_AVAILABLE)
            fputs("NO_TIMESTAMP", out);
        else
            fprintf(out, "%s:%" PRId64, type == KL_TIMESTAMP_CREATE_TIME ? "CreateTime" : "LogAppendTime", ts);
        sep = f->key_separator;
    }
    if (f->partition) {
        fprintf(out, "%sPartition:%" PRId32, sep, kl_message_partition(msg));
        sep = f->key_separator;
    }
    if (f->offset) {
        fprintf(out, "%sOffset:%" PRId64, sep, kl_message_offset(msg));
        sep = f->key_separator;
    }
    if (f->headers) {
        fputs(sep, out);
        print_headers(out, f, msg);
        sep = f->key_separator;
    }
    if (f->key) {
        fputs(sep, out);
        data = kl_message_key(msg, &len);
        print_bytes(out, data, len);
        sep = f->key_separator;
    }
    if (f->value) {
        fputs(sep, out);
        data = kl_message_value(msg, &len);
        print_bytes(out, data, len);
    }
    fputs(f->line_separator, out);
}
