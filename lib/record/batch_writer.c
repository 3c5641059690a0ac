/* Record batch v2 writer: see batch.h. The header is written with
 * placeholders at open, each record is encoded once straight into the
 * buffer at append, and close compresses the record section (into a second
 * buffer, then swapped) and back-patches lengths, counts and the CRC. */
#include <string.h>

#include "record/batch.h"
#include "record/batch_layout.h"
#include "record/varint.h"
#include "util/crc32c.h"

/* One record to encode: headers come either as an array (append) or as
 * already-encoded bytes (append_record). */
typedef struct record_in {
    int32_t offset_delta;
    int64_t timestamp;
    int8_t attributes;
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
    const kl_record_header_t *headers;
    size_t header_count;
    const uint8_t *raw_headers;
    size_t raw_headers_size;
} record_in_t;

void kl_batch_params_init(kl_batch_params_t *params)
{
    memset(params, 0, sizeof *params);
    params->partition_leader_epoch = -1;
    params->producer_id = -1;
    params->producer_epoch = -1;
    params->base_sequence = -1;
    params->codec = KL_CODEC_NONE;
    params->codec_level = -1;
    params->base_timestamp = -1;
}

void kl_batch_writer_init(kl_batch_writer_t *w, size_t max_size)
{
    memset(w, 0, sizeof *w);
    /* The writer checks max_size itself before writing, so that a record
     * that does not fit leaves the buffer usable (no sticky error). */
    kl_buf_init(&w->buf, 0);
    kl_buf_init(&w->scratch, 0);
    w->max_size = max_size && max_size < KL_BATCH_MAX_SIZE ? max_size : KL_BATCH_MAX_SIZE;
    kl_batch_params_init(&w->params);
    w->state = KL_BATCH_WRITER_IDLE;
}

void kl_batch_writer_free(kl_batch_writer_t *w)
{
    kl_buf_free(&w->buf);
    kl_buf_free(&w->scratch);
    w->state = KL_BATCH_WRITER_IDLE;
}

kl_err_t kl_batch_writer_open(kl_batch_writer_t *w, const kl_batch_params_t *params)
{
    if ((unsigned)params->codec > KL_CODEC_ZSTD || (params->attributes & ~KL_BATCH_KNOWN_ATTRS))
        return KL_ERR_INVALID_ARG;
    if (params->codec != KL_CODEC_NONE && !kl_codec_available(params->codec))
        return KL_ERR_UNSUPPORTED_FEATURE;
    if (w->max_size < KL_BATCH_HEADER_SIZE)
        return KL_ERR_TOO_LARGE;
    kl_buf_reset(&w->buf);
    uint8_t *h = kl_buf_extend(&w->buf, KL_BATCH_HEADER_SIZE);
    if (!h)
        return kl_buf_error(&w->buf);
    memset(h, 0, KL_BATCH_HEADER_SIZE);
    kl_store_be64(h + KL_BATCH_POS_BASE_OFFSET, (uint64_t)params->base_offset);
    kl_store_be32(h + KL_BATCH_POS_LEADER_EPOCH, (uint32_t)params->partition_leader_epoch);
    h[KL_BATCH_POS_MAGIC] = KL_BATCH_MAGIC;
    kl_store_be16(h + KL_BATCH_POS_ATTRIBUTES, (uint16_t)(params->attributes | params->codec));
    kl_store_be64(h + KL_BATCH_POS_PRODUCER_ID, (uint64_t)params->producer_id);
    kl_store_be16(h + KL_BATCH_POS_PRODUCER_EPOCH, (uint16_t)params->producer_epoch);
    kl_store_be32(h + KL_BATCH_POS_BASE_SEQUENCE, (uint32_t)params->base_sequence);
    w->params = *params;
    w->base_timestamp = params->base_timestamp;
    w->max_timestamp = INT64_MIN;
    w->record_count = 0;
    w->last_offset_delta = -1;
    w->state = KL_BATCH_WRITER_OPEN;
    return KL_ERR_NONE;
}

/* Encoded size of a nullable byte field (length varint + bytes). */
static inline uint64_t blob_size(const void *p, size_t len)
{
    return p ? kl_uvar_size(kl_zigzag32((int32_t)len)) + len : 1;
}

/* Size of the record body (everything after its length varint), or
 * UINT64_MAX when a field is too long for the format. */
static uint64_t record_body_size(const record_in_t *in, int64_t ts_delta)
{
    if (in->key_len > INT32_MAX || in->value_len > INT32_MAX || in->header_count > INT32_MAX)
        return UINT64_MAX;
    uint64_t n = 1 + kl_uvar_size(kl_zigzag64(ts_delta)) + kl_uvar_size(kl_zigzag32(in->offset_delta)) +
                 blob_size(in->key, in->key_len) + blob_size(in->value, in->value_len);
    if (in->raw_headers) {
        if (in->raw_headers_size > INT32_MAX)
            return UINT64_MAX;
        return n + kl_uvar_size(kl_zigzag32((int32_t)in->header_count)) + in->raw_headers_size;
    }
    n += kl_uvar_size(kl_zigzag32((int32_t)in->header_count));
    for (size_t i = 0; i < in->header_count && n <= INT32_MAX; i++) {
        const kl_record_header_t *h = &in->headers[i];
        if (!h->key || h->key_len > INT32_MAX || h->value_len > INT32_MAX)
            return UINT64_MAX;
        n += blob_size(h->key, h->key_len) + blob_size(h->value, h->value_len);
    }
    return n;
}

static inline uint8_t *put_blob(uint8_t *p, const void *data, size_t len)
{
    if (!data) {
        *p++ = 1; /* zig-zag -1: null */
        return p;
    }
    p = kl_uvar_put(p, kl_zigzag32((int32_t)len));
    if (len)
        memcpy(p, data, len);
    return p + len;
}

static void encode_record(uint8_t *p, uint64_t body, const record_in_t *in, int64_t ts_delta)
{
    p = kl_uvar_put(p, kl_zigzag32((int32_t)body));
    *p++ = (uint8_t)in->attributes;
    p = kl_uvar_put(p, kl_zigzag64(ts_delta));
    p = kl_uvar_put(p, kl_zigzag32(in->offset_delta));
    p = put_blob(p, in->key, in->key_len);
    p = put_blob(p, in->value, in->value_len);
    p = kl_uvar_put(p, kl_zigzag32((int32_t)in->header_count));
    if (in->raw_headers) {
        if (in->raw_headers_size)
            memcpy(p, in->raw_headers, in->raw_headers_size);
        return;
    }
    for (size_t i = 0; i < in->header_count; i++) {
        p = put_blob(p, in->headers[i].key, in->headers[i].key_len);
        p = put_blob(p, in->headers[i].value, in->headers[i].value_len);
    }
}

static kl_err_t writer_put(kl_batch_writer_t *w, const record_in_t *in)
{
    if (w->state != KL_BATCH_WRITER_OPEN)
        return KL_ERR_STATE;
    if (w->record_count == INT32_MAX)
        return KL_ERR_TOO_LARGE;
    /* With base_timestamp -1 the first record sets it. */
    bool first_sets_base = w->record_count == 0 && w->params.base_timestamp == -1;
    int64_t base_ts = first_sets_base ? in->timestamp : w->base_timestamp;
    int64_t ts_delta;
    if (__builtin_sub_overflow(in->timestamp, base_ts, &ts_delta))
        return KL_ERR_INVALID_ARG;
    uint64_t body = record_body_size(in, ts_delta);
    if (body > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    size_t total = kl_uvar_size(kl_zigzag32((int32_t)body)) + (size_t)body;
    if (total > w->max_size - w->buf.len)
        return KL_ERR_TOO_LARGE;
    uint8_t *p = kl_buf_reserve(&w->buf, total);
    if (!p)
        return kl_buf_error(&w->buf);
    encode_record(p, body, in, ts_delta);
    w->buf.len += total;
    w->base_timestamp = base_ts;
    if (in->timestamp > w->max_timestamp)
        w->max_timestamp = in->timestamp;
    w->last_offset_delta = in->offset_delta;
    w->record_count++;
    return KL_ERR_NONE;
}

kl_err_t kl_batch_writer_append(kl_batch_writer_t *w, int64_t timestamp, const void *key, size_t key_len,
                                const void *value, size_t value_len, const kl_record_header_t *headers,
                                size_t header_count)
{
    if (w->last_offset_delta == INT32_MAX)
        return KL_ERR_TOO_LARGE;
    if (header_count && !headers)
        return KL_ERR_INVALID_ARG;
    record_in_t in = {
        .offset_delta = w->last_offset_delta + 1,
        .timestamp = timestamp,
        .key = key,
        .key_len = key_len,
        .value = value,
        .value_len = value_len,
        .headers = headers,
        .header_count = header_count,
    };
    return writer_put(w, &in);
}

kl_err_t kl_batch_writer_append_record(kl_batch_writer_t *w, const kl_record_t *rec)
{
    int64_t delta;
    if (__builtin_sub_overflow(rec->offset, w->params.base_offset, &delta) || delta <= w->last_offset_delta ||
        delta > INT32_MAX || rec->header_count < 0 || (rec->header_count && !rec->headers))
        return KL_ERR_INVALID_ARG;
    static const uint8_t none[1];
    record_in_t in = {
        .offset_delta = (int32_t)delta,
        .timestamp = rec->timestamp,
        .attributes = rec->attributes,
        .key = rec->key,
        .key_len = rec->key_len,
        .value = rec->value,
        .value_len = rec->value_len,
        .header_count = (size_t)rec->header_count,
        .raw_headers = rec->headers ? rec->headers : none,
        .raw_headers_size = rec->headers ? rec->headers_size : 0,
    };
    return writer_put(w, &in);
}

size_t kl_batch_record_size_bound(size_t key_len, size_t value_len, const kl_record_header_t *headers,
                                  size_t header_count)
{
    /* length 5, attributes 1, timestamp delta 10, offset delta 5, key and
     * value lengths 5 each, header count 5, header lengths 5 each. */
    size_t n = 5 + 1 + 10 + 5 + 5 + key_len + 5 + value_len + 5;
    for (size_t i = 0; i < header_count; i++)
        n += 10 + headers[i].key_len + headers[i].value_len;
    return n;
}

/* Replaces the record section with its compressed form. */
static kl_err_t compress_records(kl_batch_writer_t *w)
{
    kl_buf_t *out = &w->scratch;
    kl_buf_reset(out);
    /* max_size bounds the records as appended; compressed output is only
     * held to the format's limit, so that a full batch of incompressible
     * data can still be closed (the codec reserves its worst case). */
    out->max = KL_BATCH_MAX_SIZE;
    kl_buf_put(out, w->buf.data, KL_BATCH_HEADER_SIZE);
    if (kl_buf_error(out))
        return kl_buf_error(out);
    kl_err_t err = kl_compress(w->params.codec, w->params.codec_level, w->buf.data + KL_BATCH_HEADER_SIZE,
                               w->buf.len - KL_BATCH_HEADER_SIZE, out);
    if (!err)
        err = kl_buf_error(out);
    if (err)
        return err;
    kl_buf_t tmp = w->buf;
    w->buf = *out;
    *out = tmp;
    return KL_ERR_NONE;
}

kl_err_t kl_batch_writer_close(kl_batch_writer_t *w, const uint8_t **data, size_t *len)
{
    if (w->state != KL_BATCH_WRITER_OPEN)
        return KL_ERR_STATE;
    if (w->params.codec != KL_CODEC_NONE) {
        kl_err_t err = compress_records(w);
        if (err)
            return err;
    }
    uint8_t *h = w->buf.data;
    size_t n = w->buf.len;
    bool empty = w->record_count == 0;
    kl_store_be32(h + KL_BATCH_POS_LENGTH, (uint32_t)(n - KL_BATCH_LOG_OVERHEAD));
    kl_store_be32(h + KL_BATCH_POS_LAST_OFFSET_DELTA, (uint32_t)(empty ? 0 : w->last_offset_delta));
    kl_store_be64(h + KL_BATCH_POS_BASE_TIMESTAMP, (uint64_t)w->base_timestamp);
    kl_store_be64(h + KL_BATCH_POS_MAX_TIMESTAMP, (uint64_t)(empty ? w->base_timestamp : w->max_timestamp));
    kl_store_be32(h + KL_BATCH_POS_RECORD_COUNT, (uint32_t)w->record_count);
    kl_store_be32(h + KL_BATCH_POS_CRC, kl_batch_compute_crc(h, n));
    w->state = KL_BATCH_WRITER_CLOSED;
    *data = h;
    *len = n;
    return KL_ERR_NONE;
}

uint8_t *kl_batch_writer_take(kl_batch_writer_t *w, size_t *len)
{
    if (w->state != KL_BATCH_WRITER_CLOSED) {
        *len = 0;
        return NULL;
    }
    w->state = KL_BATCH_WRITER_IDLE;
    return kl_buf_steal(&w->buf, len);
}

uint8_t *kl_batch_writer_take_uncompressed(kl_batch_writer_t *w, size_t *len)
{
    /* compress_records() swapped the buffers: scratch holds the original. */
    if (w->state != KL_BATCH_WRITER_CLOSED || w->params.codec == KL_CODEC_NONE || !w->scratch.data) {
        *len = 0;
        return NULL;
    }
    return kl_buf_steal(&w->scratch, len);
}
