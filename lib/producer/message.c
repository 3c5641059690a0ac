/* Delivery reports as the application sees them: kl_message_t accessors,
 * filled from a batch (decoding the one record in place, so no copy of the
 * key and value is kept per message) or from a message that never reached
 * a batch; and kl_headers_t, the header lists kl_produce_headers() takes. */
#include <stdlib.h>
#include <string.h>

#include "producer/producer_impl.h"
#include "record/varint.h"

/* ---- reports ---------------------------------------------------------------- */

const char *kl_message_topic(const kl_message_t *m) { return m->topic; }
int32_t kl_message_partition(const kl_message_t *m) { return m->partition; }
int64_t kl_message_offset(const kl_message_t *m) { return m->offset; }
kl_err_t kl_message_error(const kl_message_t *m) { return m->err; }
void *kl_message_opaque(const kl_message_t *m) { return m->opaque; }
kl_msg_status_t kl_message_status(const kl_message_t *m) { return m->status; }

static void decode_record(kl_message_t *m, const prod_batch_t *b, uint32_t rec_pos);

/* The report with its record decoded. A report is the callback's own
 * non-const object on its caller's stack, so filling it in here is fine. */
static const kl_message_t *decoded(const kl_message_t *m)
{
    if (m->batch) {
        kl_message_t *w = (kl_message_t *)m;
        decode_record(w, w->batch, w->rec_pos);
        w->batch = NULL;
    }
    return m;
}

const void *kl_message_key(const kl_message_t *m, size_t *lenp)
{
    m = decoded(m);
    if (lenp)
        *lenp = m->key_len;
    return m->key;
}

const void *kl_message_value(const kl_message_t *m, size_t *lenp)
{
    m = decoded(m);
    if (lenp)
        *lenp = m->value_len;
    return m->value;
}

int64_t kl_message_timestamp(const kl_message_t *m, kl_timestamp_type_t *typep)
{
    m = decoded(m);
    if (typep)
        *typep = m->tstype;
    return m->timestamp;
}

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

/* Decodes the record we wrote at rec_pos: the batch writer's own output,
 * so a failure here is a bug; the report then shows no key or value. A
 * log-append time set by the broker stays the timestamp. */
static void decode_record(kl_message_t *m, const prod_batch_t *b, uint32_t rec_pos)
{
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
    m->batch = b;
    m->rec_pos = b->msgs[i].rec_pos;
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
}

/* ---- header lists ------------------------------------------------------------ */

struct kl_headers {
    kl_record_header_t *items; /* each item's name and value in one allocation */
    size_t count, cap;
    size_t bytes;
};

kl_headers_t *kl_headers_new(void) { return calloc(1, sizeof(kl_headers_t)); }

kl_err_t kl_headers_add(kl_headers_t *h, const char *name, const void *value, size_t value_len)
{
    if (!h || !name)
        return KL_ERR_INVALID_ARG;
    if (h->count == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4;
        kl_record_header_t *items = realloc(h->items, cap * sizeof *items);
        if (!items)
            return KL_ERR_NOMEM;
        h->items = items;
        h->cap = cap;
    }
    size_t name_len = strlen(name);
    size_t vlen = value ? value_len : 0;
    uint8_t *copy = malloc(name_len + vlen + 1);
    if (!copy)
        return KL_ERR_NOMEM;
    memcpy(copy, name, name_len);
    if (vlen)
        memcpy(copy + name_len, value, vlen);
    h->items[h->count++] = (kl_record_header_t){
        .key = copy,
        .key_len = name_len,
        .value = value ? copy + name_len : NULL,
        .value_len = vlen,
    };
    h->bytes += name_len + vlen;
    return KL_ERR_NONE;
}

size_t kl_headers_count(const kl_headers_t *h) { return h ? h->count : 0; }

void kl_headers_destroy(kl_headers_t *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->count; i++)
        free((void *)h->items[i].key);
    free(h->items);
    free(h);
}

const kl_record_header_t *prod_headers_items(const kl_headers_t *h, size_t *countp, size_t *bytesp)
{
    *countp = h ? h->count : 0;
    *bytesp = h ? h->bytes : 0;
    return h ? h->items : NULL;
}
