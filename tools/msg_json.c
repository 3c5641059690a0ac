/* `kafkalite consume --format json`: one JSON object per message, see
 * msg_format.h and kafkalite-consume(1). */
#include "json_out.h"
#include "msg_format.h"

static const char *timestamp_type(kl_timestamp_type_t type)
{
    switch (type) {
    case KL_TIMESTAMP_CREATE_TIME: return "CreateTime";
    case KL_TIMESTAMP_LOG_APPEND_TIME: return "LogAppendTime";
    default: return NULL;
    }
}

void msg_json_print(FILE *out, const kl_message_t *msg)
{
    json_out_t j;
    kl_timestamp_type_t type;
    int64_t ts = kl_message_timestamp(msg, &type);
    const void *data;
    size_t len;
    json_begin(&j, out);
    json_str(&j, "topic", kl_message_topic(msg));
    json_int(&j, "partition", kl_message_partition(msg));
    json_int(&j, "offset", kl_message_offset(msg));
    if (type == KL_TIMESTAMP_NOT_AVAILABLE)
        json_null(&j, "timestamp");
    else
        json_int(&j, "timestamp", ts);
    json_str(&j, "timestamp_type", timestamp_type(type));
    data = kl_message_key(msg, &len);
    json_bytes(&j, "key", data, len);
    data = kl_message_value(msg, &len);
    json_bytes(&j, "value", data, len);
    json_open(&j, "headers", '[');
    const kl_headers_t *headers = kl_message_headers(msg);
    size_t count = headers ? kl_headers_count(headers) : 0;
    for (size_t i = 0; i < count; i++) {
        const char *name;
        if (kl_headers_get(headers, i, &name, &data, &len) != KL_ERR_NONE)
            break;
        json_open(&j, NULL, '{');
        json_str(&j, "name", name);
        json_bytes(&j, "value", data, len);
        json_close(&j, '{');
    }
    json_close(&j, '[');
    json_end(&j);
}
