/* Delivery reports as the application sees them, filled from a batch
 * (decoding the one record in place, so no copy of the key and value is
 * kept per message) or from a message that never reached a batch. The
 * kl_message_t accessors are shared with the consumer (lib/client/message.c). */
#include <string.h>

#include "producer/producer_impl.h"
#include "record/varint.h"

/* Reads a nullable byte field; false when malformed. */
static bool get_blob(const uint8_t **p, const uint8_t *end, const void **ptr, size_t *len)
{
    int32_t n;
    if (!kl_varint_get(p, end, &n) || n < -1 || (n > 0 && (size_t)(end - *p) < (size_t)n))
        return false;
    *ptr = n < 0 ? NULL : *p;
    *len = n < 0 ? 0 : (size_t)n;
    *p += n > 0 ? n : 0;
    return true;
}

/* Decodes the record we wrote at decode_pos of the batch decode_src: the
 * batch writer's own output, so a failure here is a bug; the report then
 * shows no key or value. A log-append time set by the broker stays the
 * timestamp. Called by the accessors, on first use. */
static void decode_record(kl_message_t *m)
{
    const prod_batch_t *b = m->decode_src;
    uint32_t rec_pos = m->decode_pos;
    const uint8_t *base = b->plain ? b->plain : b->wire;
    size_t size = b->plain ? b->plain_size : b->wire_size;
    if (!base || rec_pos >= size)
        return;
    const uint8_t *p = base + rec_pos, *end = base + size;
    int32_t len, offset_delta;
    int64_t ts_delta;
    if (!kl_varint_get(&p, end, &len) || len < 0 || (size_t)(end - p) < (size_t)len)
        return;
    end = p + len;
    if (p == end)
        return;
    p++; /* attributes */
    if (!kl_varlong_get(&p, end, &ts_delta) || !kl_varint_get(&p, end, &offset_delta))
        return;
    const void *key, *value;
    size_t key_len, value_len;
    if (!get_blob(&p, end, &key, &key_len) || !get_blob(&p, end, &value, &value_len))
        return;
    m->key = key;
    m->key_len = key_len;
    m->value = value;
    m->value_len = value_len;
    if (m->tstype != KL_TIMESTAMP_LOG_APPEND_TIME) {
        m->timestamp = b->base_timestamp + ts_delta;
        m->tstype = KL_TIMESTAMP_CREATE_TIME;
    }
}

void prod_message_from_batch(kl_message_t *m, const prod_batch_t *b, int32_t i)
{
    memset(m, 0, sizeof *m);
    m->topic = b->part->topic->name;
    m->partition = b->part->id;
    m->offset = !b->err && b->base_offset >= 0 ? b->base_offset + i : -1;
    m->err = b->err;
    m->status = b->status;
    m->opaque = b->msgs[i].opaque;
    m->leader_epoch = -1;
    m->decode = decode_record;
    m->decode_src = b;
    m->decode_pos = b->msgs[i].rec_pos;
    if (!b->err && b->log_append_time >= 0) {
        m->timestamp = b->log_append_time;
        m->tstype = KL_TIMESTAMP_LOG_APPEND_TIME;
    }
}

void prod_message_from_pending(kl_message_t *m, const pending_msg_t *pm)
{
    memset(m, 0, sizeof *m);
    m->topic = pm->topic->name;
    m->partition = pm->partition;
    m->offset = -1;
    m->key = pm->key;
    m->key_len = pm->key_len;
    m->value = pm->value;
    m->value_len = pm->value_len;
    m->timestamp = pm->timestamp;
    m->tstype = KL_TIMESTAMP_CREATE_TIME;
    m->err = pm->err;
    m->status = KL_MSG_STATUS_NOT_PERSISTED;
    m->opaque = pm->opaque;
    m->leader_epoch = -1;
}
