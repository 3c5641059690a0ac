/* Record batch v2 reader and broker-side checks: see batch.h. Batches are
 * read in place; records point into the batch, or into the one buffer a
 * compressed batch is inflated into. Every length is checked against what
 * is left before it is used. */
#include <string.h>

#include "record/batch.h"
#include "record/batch_layout.h"
#include "record/varint.h"
#include "util/crc32c.h"

uint32_t kl_batch_compute_crc(const void *batch, size_t len)
{
    if (len < KL_BATCH_HEADER_SIZE)
        return 0;
    return kl_crc32c(0, (const uint8_t *)batch + KL_BATCH_POS_ATTRIBUTES, len - KL_BATCH_POS_ATTRIBUTES);
}

/* Fills b from a whole batch of n >= KL_BATCH_HEADER_SIZE bytes at p. */
static void parse_header(const uint8_t *p, size_t n, kl_batch_t *b)
{
    b->data = p;
    b->size = n;
    b->base_offset = (int64_t)kl_load_be64(p + KL_BATCH_POS_BASE_OFFSET);
    b->batch_length = (int32_t)kl_load_be32(p + KL_BATCH_POS_LENGTH);
    b->partition_leader_epoch = (int32_t)kl_load_be32(p + KL_BATCH_POS_LEADER_EPOCH);
    b->magic = (int8_t)p[KL_BATCH_POS_MAGIC];
    b->crc = kl_load_be32(p + KL_BATCH_POS_CRC);
    b->attributes = (int16_t)kl_load_be16(p + KL_BATCH_POS_ATTRIBUTES);
    b->last_offset_delta = (int32_t)kl_load_be32(p + KL_BATCH_POS_LAST_OFFSET_DELTA);
    b->base_timestamp = (int64_t)kl_load_be64(p + KL_BATCH_POS_BASE_TIMESTAMP);
    b->max_timestamp = (int64_t)kl_load_be64(p + KL_BATCH_POS_MAX_TIMESTAMP);
    b->producer_id = (int64_t)kl_load_be64(p + KL_BATCH_POS_PRODUCER_ID);
    b->producer_epoch = (int16_t)kl_load_be16(p + KL_BATCH_POS_PRODUCER_EPOCH);
    b->base_sequence = (int32_t)kl_load_be32(p + KL_BATCH_POS_BASE_SEQUENCE);
    b->record_count = (int32_t)kl_load_be32(p + KL_BATCH_POS_RECORD_COUNT);
    b->records = p + KL_BATCH_HEADER_SIZE;
    b->records_size = n - KL_BATCH_HEADER_SIZE;
}

/* Checks of header fields that hold for any v2 batch. Returns NULL or a
 * static reason, with the Kafka error a broker answers in *kafka_err. */
static const char *check_header(const kl_batch_t *b, kl_err_t *kafka_err)
{
    *kafka_err = KL_ERR_INVALID_RECORD;
    if (kl_batch_codec(b) > KL_CODEC_ZSTD) {
        *kafka_err = KL_ERR_UNSUPPORTED_COMPRESSION_TYPE;
        return "unknown compression codec";
    }
    if (b->record_count < 0)
        return "negative record count";
    if (b->last_offset_delta < -1 || (int64_t)b->record_count > (int64_t)b->last_offset_delta + 1)
        return "record count does not fit lastOffsetDelta";
    /* the offset after the batch must be representable too */
    if (b->last_offset_delta >= 0 ? b->base_offset > INT64_MAX - 1 - b->last_offset_delta
                                  : b->base_offset < INT64_MIN - b->last_offset_delta)
        return "the last offset is past the offset range";
    if (kl_batch_codec(b) == KL_CODEC_NONE && (size_t)b->record_count > b->records_size / KL_RECORD_MIN_SIZE)
        return "record count does not fit the batch length";
    return NULL;
}

/* ------------------------------------------------------------ batch iter */

void kl_batch_iter_init(kl_batch_iter_t *it, const void *data, size_t len, unsigned flags)
{
    memset(it, 0, sizeof *it);
    it->start = it->p = data;
    it->end = it->p + len;
    it->flags = flags;
}

static kl_err_t batch_iter_fail(kl_batch_iter_t *it, kl_err_t err, const char *why)
{
    it->err = err;
    it->why = why;
    return err;
}

/* Smallest batchLength for an entry of this magic (legacy messages: crc,
 * magic, attributes, [timestamp,] key and value lengths), or 0 if the
 * magic is not one this iterator yields. */
static int32_t min_length_for_magic(int magic, unsigned flags)
{
    if (magic == KL_BATCH_MAGIC)
        return KL_BATCH_MIN_LENGTH;
    if ((flags & KL_BATCH_LEGACY) && (magic == 0 || magic == 1))
        return magic == 0 ? 14 : 22;
    return 0;
}

/* A magic 0/1 entry: only where it is and its first offset; msgset.h
 * decodes it. */
static void describe_legacy(const uint8_t *p, size_t size, kl_batch_t *batch)
{
    memset(batch, 0, sizeof *batch);
    batch->data = p;
    batch->size = size;
    batch->base_offset = (int64_t)kl_load_be64(p);
    batch->batch_length = (int32_t)(size - KL_BATCH_LOG_OVERHEAD);
    batch->magic = (int8_t)p[KL_BATCH_POS_MAGIC];
}

kl_err_t kl_batch_iter_next(kl_batch_iter_t *it, kl_batch_t *batch)
{
    if (it->err)
        return it->err;
    size_t left = (size_t)(it->end - it->p);
    it->incomplete = 0;
    it->damaged = 0;
    if (left == 0)
        return KL_ERR_NOENT;
    if (left < KL_BATCH_LOG_OVERHEAD) {
        it->incomplete = KL_BATCH_HEADER_SIZE; /* at least; size not known yet */
        return KL_ERR_NOENT;
    }
    int32_t length = (int32_t)kl_load_be32(it->p + KL_BATCH_POS_LENGTH);
    if (length < 14) /* below even a magic 0 message */
        return batch_iter_fail(it, KL_ERR_BAD_MSG, "batch length too small");
    size_t size = KL_BATCH_LOG_OVERHEAD + (size_t)length;
    if (left < KL_BATCH_POS_MAGIC + 1) {
        it->incomplete = size;
        return KL_ERR_NOENT;
    }
    int magic = it->p[KL_BATCH_POS_MAGIC];
    int32_t min_length = min_length_for_magic(magic, it->flags);
    if (!min_length)
        return batch_iter_fail(it, KL_ERR_BAD_MSG, "unsupported magic byte");
    if (length < min_length)
        return batch_iter_fail(it, KL_ERR_BAD_MSG, "batch length too small");
    if (size > left) {
        it->incomplete = size;
        return KL_ERR_NOENT;
    }
    if (magic != KL_BATCH_MAGIC) {
        describe_legacy(it->p, size, batch);
        it->p += size;
        return KL_ERR_NONE;
    }
    parse_header(it->p, size, batch);
    it->damaged = size;
    if (!(it->flags & KL_BATCH_SKIP_CRC) && kl_batch_compute_crc(it->p, size) != batch->crc)
        return batch_iter_fail(it, KL_ERR_CRC_MISMATCH, "batch CRC-32C mismatch");
    kl_err_t kafka_err;
    const char *why = check_header(batch, &kafka_err);
    if (why)
        return batch_iter_fail(it, KL_ERR_BAD_MSG, why);
    it->damaged = 0;
    it->p += size;
    return KL_ERR_NONE;
}

bool kl_batch_iter_skip(kl_batch_iter_t *it, kl_batch_t *batch)
{
    if (!it->err || !it->damaged)
        return false;
    parse_header(it->p, it->damaged, batch);
    it->p += it->damaged;
    it->damaged = 0;
    it->err = KL_ERR_NONE;
    it->why = NULL;
    return true;
}

/* ----------------------------------------------------------- record iter */

void kl_record_iter_init(kl_record_iter_t *it, size_t max_inflated)
{
    memset(it, 0, sizeof *it);
    it->max_inflated = max_inflated ? max_inflated : KL_BATCH_DEFAULT_MAX_INFLATED;
    kl_buf_init(&it->inflated, it->max_inflated);
}

void kl_record_iter_free(kl_record_iter_t *it) { kl_buf_free(&it->inflated); }

uint8_t *kl_record_iter_take_buffer(kl_record_iter_t *it, size_t *len)
{
    return kl_buf_steal(&it->inflated, len);
}

static kl_err_t record_iter_fail(kl_record_iter_t *it, kl_err_t err, const char *why)
{
    it->err = err;
    it->why = why;
    it->left = 0;
    return err;
}

static kl_err_t inflate_records(kl_record_iter_t *it, const kl_batch_t *batch)
{
    kl_codec_t codec = kl_batch_codec(batch);
    if (codec > KL_CODEC_ZSTD)
        return record_iter_fail(it, KL_ERR_BAD_MSG, "unknown compression codec");
    if (!kl_codec_available(codec))
        return record_iter_fail(it, KL_ERR_UNSUPPORTED_FEATURE, "codec not in this build");
    kl_buf_reset(&it->inflated);
    kl_err_t err =
        kl_decompress(codec, batch->records, batch->records_size, it->max_inflated, &it->inflated);
    if (!err)
        err = kl_buf_error(&it->inflated);
    if (err == KL_ERR_TOO_LARGE)
        return record_iter_fail(it, err, "the records inflate past the decompression limit");
    if (err)
        return record_iter_fail(it, err, "cannot decompress the records");
    static const uint8_t nothing[1];
    it->p = it->inflated.len ? it->inflated.data : nothing;
    it->end = it->p + it->inflated.len;
    if ((size_t)batch->record_count > it->inflated.len / KL_RECORD_MIN_SIZE)
        return record_iter_fail(it, KL_ERR_BAD_MSG, "record count does not fit the records");
    return KL_ERR_NONE;
}

kl_err_t kl_record_iter_start(kl_record_iter_t *it, const kl_batch_t *batch)
{
    it->err = KL_ERR_NONE;
    it->why = NULL;
    it->left = 0;
    if (batch->magic != KL_BATCH_MAGIC || batch->size < KL_BATCH_HEADER_SIZE)
        return record_iter_fail(it, KL_ERR_BAD_MSG, "not a v2 record batch");
    it->base_offset = batch->base_offset;
    it->base_timestamp = batch->base_timestamp;
    it->max_timestamp = batch->max_timestamp;
    it->log_append_time = kl_batch_is_log_append_time(batch);
    it->last_offset_delta = batch->last_offset_delta;
    it->prev_offset_delta = -1;
    if (batch->record_count < 0)
        return record_iter_fail(it, KL_ERR_BAD_MSG, "negative record count");
    if (kl_batch_codec(batch) == KL_CODEC_NONE) {
        it->p = batch->records;
        it->end = batch->records + batch->records_size;
    } else {
        kl_err_t err = inflate_records(it, batch);
        if (err)
            return err;
    }
    it->left = batch->record_count;
    return KL_ERR_NONE;
}

/* A nullable byte field: length -1 is null, below -1 is refused. */
static const char *get_blob(const uint8_t **pp, const uint8_t *end, const uint8_t **data, size_t *len)
{
    int32_t n;
    if (!kl_varint_get(pp, end, &n))
        return "bad varint";
    if (n < -1)
        return "negative length";
    if (n == -1) {
        *data = NULL;
        *len = 0;
        return NULL;
    }
    if ((size_t)n > (size_t)(end - *pp))
        return "field overruns its record";
    *data = *pp;
    *len = (size_t)n;
    *pp += n;
    return NULL;
}

/* Walks count headers in [*pp, end); header keys may not be null. */
static const char *skip_headers(const uint8_t **pp, const uint8_t *end, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const uint8_t *key, *value;
        size_t key_len, value_len;
        const char *why = get_blob(pp, end, &key, &key_len);
        if (!why && !key)
            why = "null header key";
        if (!why)
            why = get_blob(pp, end, &value, &value_len);
        if (why)
            return why;
    }
    return NULL;
}

static const char *parse_record(kl_record_iter_t *it, kl_record_t *rec)
{
    const uint8_t *p = it->p;
    int32_t len, offset_delta;
    int64_t ts_delta;
    if (!kl_varint_get(&p, it->end, &len))
        return "bad record length varint";
    if (len < KL_RECORD_MIN_SIZE - 1 || (size_t)len > (size_t)(it->end - p))
        return "record length overruns the batch";
    const uint8_t *end = p + len;
    rec->attributes = (int8_t)*p++;
    if (!kl_varlong_get(&p, end, &ts_delta) || !kl_varint_get(&p, end, &offset_delta))
        return "bad timestamp or offset delta varint";
    if (offset_delta <= it->prev_offset_delta || offset_delta > it->last_offset_delta)
        return "offset delta out of order or past lastOffsetDelta";
    const char *why = get_blob(&p, end, &rec->key, &rec->key_len);
    if (!why)
        why = get_blob(&p, end, &rec->value, &rec->value_len);
    if (why)
        return why;
    if (!kl_varint_get(&p, end, &rec->header_count) || rec->header_count < 0)
        return "bad header count";
    if ((size_t)rec->header_count > (size_t)(end - p) / 2)
        return "header count overruns its record";
    rec->headers = p;
    if ((why = skip_headers(&p, end, rec->header_count)))
        return why;
    rec->headers_size = (size_t)(p - rec->headers);
    if (p != end)
        return "record length does not match its fields";
    rec->offset = it->base_offset + offset_delta;
    rec->timestamp = it->log_append_time ? it->max_timestamp
                                         : (int64_t)((uint64_t)it->base_timestamp + (uint64_t)ts_delta);
    it->prev_offset_delta = offset_delta;
    it->p = end;
    return NULL;
}

kl_err_t kl_record_iter_next(kl_record_iter_t *it, kl_record_t *rec)
{
    if (it->err)
        return it->err;
    if (it->left == 0) {
        if (it->p != it->end)
            return record_iter_fail(it, KL_ERR_BAD_MSG, "bytes after the last record");
        return KL_ERR_NOENT;
    }
    const char *why = parse_record(it, rec);
    if (why)
        return record_iter_fail(it, KL_ERR_BAD_MSG, why);
    it->left--;
    return KL_ERR_NONE;
}

void kl_header_iter_init(kl_header_iter_t *it, const kl_record_t *rec)
{
    it->p = rec->headers;
    it->end = rec->headers ? rec->headers + rec->headers_size : NULL;
    it->left = rec->headers ? rec->header_count : 0;
}

bool kl_header_iter_next(kl_header_iter_t *it, kl_record_header_t *hdr)
{
    if (it->left <= 0)
        return false;
    const uint8_t *key, *value;
    size_t key_len, value_len;
    if (get_blob(&it->p, it->end, &key, &key_len) || !key || get_blob(&it->p, it->end, &value, &value_len)) {
        it->left = 0;
        return false;
    }
    hdr->key = key;
    hdr->key_len = key_len;
    hdr->value = value;
    hdr->value_len = value_len;
    it->left--;
    return true;
}

/* ------------------------------------------------------------ validation */

static kl_err_t reject(kl_err_t err, const char *reason, const char **why)
{
    if (why)
        *why = reason;
    return err;
}

/* Kafka's extra rules for batches a producer sends. */
static const char *check_from_client(const kl_batch_t *b)
{
    if (b->record_count == 0)
        return "a produced batch must hold records";
    if (b->last_offset_delta != b->record_count - 1)
        return "lastOffsetDelta does not match the record count";
    if (kl_batch_is_control(b))
        return "clients may not produce control batches";
    if (b->producer_id >= 0 && b->base_sequence < 0)
        return "idempotent batch without a base sequence";
    if (kl_batch_is_transactional(b) && b->producer_id < 0)
        return "transactional batch without a producer id";
    return NULL;
}

/* The records of a produced batch, walked once as Kafka does on append: a
 * compressed batch's inflate within the consumers' cap, every record must
 * decode and, with KL_BATCH_NEED_KEYS, carry a key. NULL when they do,
 * else what broke, with the Kafka error in *err. */
static const char *check_records(const kl_batch_t *b, unsigned flags, kl_err_t *kafka_err)
{
    kl_record_iter_t it;
    kl_record_t rec;
    kl_record_iter_init(&it, 0);
    kl_err_t err = kl_record_iter_start(&it, b);
    while (!err && (err = kl_record_iter_next(&it, &rec)) == KL_ERR_NONE)
        if ((flags & KL_BATCH_NEED_KEYS) && !rec.key)
            break;
    kl_record_iter_free(&it);
    *kafka_err = KL_ERR_CORRUPT_MESSAGE;
    switch ((int)err) {
    case KL_ERR_NOENT: return NULL;
    case KL_ERR_NONE: *kafka_err = KL_ERR_INVALID_RECORD; return "Compacted topic cannot accept message without key";
    case KL_ERR_UNSUPPORTED_FEATURE:
        *kafka_err = KL_ERR_UNSUPPORTED_COMPRESSION_TYPE;
        return "the batch's compression codec is not in this build";
    case KL_ERR_TOO_LARGE: return "the batch's records inflate past the decompression limit";
    case KL_ERR_BAD_COMPRESSION: return "the batch's compressed records are corrupt";
    default: return it.why ? it.why : "the batch's records do not decode";
    }
}

kl_err_t kl_batch_validate(const void *data, size_t len, unsigned flags, kl_batch_t *batch, const char **why)
{
    const uint8_t *p = data;
    kl_batch_t local;
    kl_batch_t *b = batch ? batch : &local;
    if (len < KL_BATCH_HEADER_SIZE)
        return reject(KL_ERR_CORRUPT_MESSAGE, "shorter than a batch header", why);
    if (p[KL_BATCH_POS_MAGIC] != KL_BATCH_MAGIC)
        return reject(p[KL_BATCH_POS_MAGIC] < KL_BATCH_MAGIC ? KL_ERR_INVALID_RECORD : KL_ERR_CORRUPT_MESSAGE,
                      "not a magic 2 record batch", why);
    int32_t length = (int32_t)kl_load_be32(p + KL_BATCH_POS_LENGTH);
    if (length < KL_BATCH_MIN_LENGTH || (size_t)length > len - KL_BATCH_LOG_OVERHEAD)
        return reject(KL_ERR_CORRUPT_MESSAGE, "batch length does not fit the data", why);
    if ((size_t)length != len - KL_BATCH_LOG_OVERHEAD)
        return reject(KL_ERR_INVALID_RECORD, "data after the batch: one batch expected", why);
    parse_header(p, len, b);
    if (kl_batch_compute_crc(p, len) != b->crc)
        return reject(KL_ERR_CORRUPT_MESSAGE, "batch CRC-32C mismatch", why);
    kl_err_t err;
    const char *reason = check_header(b, &err);
    if (!reason && (flags & KL_BATCH_FROM_CLIENT))
        reason = check_from_client(b);
    if (reason)
        return reject(err, reason, why);
    if (b->base_timestamp != -1 && b->max_timestamp != -1 && b->max_timestamp < b->base_timestamp)
        return reject(KL_ERR_INVALID_TIMESTAMP, "maxTimestamp below baseTimestamp", why);
    if ((flags & KL_BATCH_FROM_CLIENT) && (reason = check_records(b, flags, &err)))
        return reject(err, reason, why);
    return reject(KL_ERR_NONE, NULL, why);
}

/* ------------------------------------------------------------- patching */

kl_err_t kl_batch_set_base_offset(void *batch, size_t len, int64_t base_offset)
{
    if (len < KL_BATCH_HEADER_SIZE)
        return KL_ERR_INVALID_ARG;
    kl_store_be64((uint8_t *)batch + KL_BATCH_POS_BASE_OFFSET, (uint64_t)base_offset);
    return KL_ERR_NONE;
}

kl_err_t kl_batch_set_leader_epoch(void *batch, size_t len, int32_t epoch)
{
    if (len < KL_BATCH_HEADER_SIZE)
        return KL_ERR_INVALID_ARG;
    kl_store_be32((uint8_t *)batch + KL_BATCH_POS_LEADER_EPOCH, (uint32_t)epoch);
    return KL_ERR_NONE;
}

kl_err_t kl_batch_set_producer(void *batch, size_t len, int64_t producer_id, int16_t producer_epoch,
                               int32_t base_sequence)
{
    uint8_t *p = batch;
    if (len < KL_BATCH_HEADER_SIZE)
        return KL_ERR_INVALID_ARG;
    kl_store_be64(p + KL_BATCH_POS_PRODUCER_ID, (uint64_t)producer_id);
    kl_store_be16(p + KL_BATCH_POS_PRODUCER_EPOCH, (uint16_t)producer_epoch);
    kl_store_be32(p + KL_BATCH_POS_BASE_SEQUENCE, (uint32_t)base_sequence);
    kl_store_be32(p + KL_BATCH_POS_CRC, kl_batch_compute_crc(p, len));
    return KL_ERR_NONE;
}

kl_err_t kl_batch_set_transactional(void *batch, size_t len)
{
    uint8_t *p = batch;
    if (len < KL_BATCH_HEADER_SIZE)
        return KL_ERR_INVALID_ARG;
    uint16_t attrs = kl_load_be16(p + KL_BATCH_POS_ATTRIBUTES);
    kl_store_be16(p + KL_BATCH_POS_ATTRIBUTES, (uint16_t)(attrs | KL_BATCH_ATTR_TRANSACTIONAL));
    return KL_ERR_NONE;
}

kl_err_t kl_batch_set_log_append_time(void *batch, size_t len, int64_t timestamp)
{
    uint8_t *p = batch;
    if (len < KL_BATCH_HEADER_SIZE)
        return KL_ERR_INVALID_ARG;
    uint16_t attrs = kl_load_be16(p + KL_BATCH_POS_ATTRIBUTES);
    kl_store_be16(p + KL_BATCH_POS_ATTRIBUTES, (uint16_t)(attrs | KL_BATCH_ATTR_LOG_APPEND_TIME));
    kl_store_be64(p + KL_BATCH_POS_MAX_TIMESTAMP, (uint64_t)timestamp);
    kl_store_be32(p + KL_BATCH_POS_CRC, kl_batch_compute_crc(p, len));
    return KL_ERR_NONE;
}
