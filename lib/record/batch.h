/* Kafka record batches v2 (magic 2): a writer that encodes records into an
 * open batch once (the producer's hot path), a zero-copy reader over byte
 * ranges as Fetch responses and log segments carry them, and the checks and
 * in-place patches the broker's append path needs. */
#ifndef KL_RECORD_BATCH_H
#define KL_RECORD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "record/compress.h"
#include "util/buf.h"

/* baseOffset .. recordCount; records start right after. */
#define KL_BATCH_HEADER_SIZE 61
/* baseOffset + batchLength: the bytes batchLength does not count. */
#define KL_BATCH_LOG_OVERHEAD 12
#define KL_BATCH_MAGIC 2

/* Batch attribute bits. */
#define KL_BATCH_ATTR_CODEC_MASK 0x07
#define KL_BATCH_ATTR_LOG_APPEND_TIME 0x08
#define KL_BATCH_ATTR_TRANSACTIONAL 0x10
#define KL_BATCH_ATTR_CONTROL 0x20
#define KL_BATCH_ATTR_DELETE_HORIZON 0x40

/* Default cap on a batch's decompressed record section. */
#define KL_BATCH_DEFAULT_MAX_INFLATED (64u * 1024 * 1024)

/* A record header. The key is never null; value == NULL means a null value
 * (an empty value is a non-NULL pointer with value_len 0). */
typedef struct kl_record_header {
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
} kl_record_header_t;

/* A decoded record. Pointers go into the batch or into the record
 * iterator's decompression buffer: valid until the next batch is started.
 * key == NULL (value == NULL) means a null key (value). */
typedef struct kl_record {
    int64_t offset;
    int64_t timestamp;
    int8_t attributes;
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
    int32_t header_count;
    const uint8_t *headers; /* header_count encoded headers: kl_header_iter */
    size_t headers_size;
} kl_record_t;

/* The header fields of one batch, and where its bytes are. */
typedef struct kl_batch {
    const uint8_t *data; /* the whole batch ... */
    size_t size;         /* ... KL_BATCH_LOG_OVERHEAD + batch_length bytes */
    int64_t base_offset;
    int32_t batch_length;
    int32_t partition_leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t record_count;
    const uint8_t *records; /* record section, compressed unless codec none */
    size_t records_size;
} kl_batch_t;

static inline kl_codec_t kl_batch_codec(const kl_batch_t *b)
{
    return (kl_codec_t)(b->attributes & KL_BATCH_ATTR_CODEC_MASK);
}
static inline bool kl_batch_is_control(const kl_batch_t *b) { return b->attributes & KL_BATCH_ATTR_CONTROL; }
static inline bool kl_batch_is_transactional(const kl_batch_t *b)
{
    return b->attributes & KL_BATCH_ATTR_TRANSACTIONAL;
}
static inline bool kl_batch_is_log_append_time(const kl_batch_t *b)
{
    return b->attributes & KL_BATCH_ATTR_LOG_APPEND_TIME;
}
static inline int64_t kl_batch_last_offset(const kl_batch_t *b) { return b->base_offset + b->last_offset_delta; }

/* ---------------------------------------------------------------- writer */

typedef struct kl_batch_params {
    int64_t base_offset;
    int32_t partition_leader_epoch; /* -1 unless the broker writes it */
    int64_t producer_id;            /* -1: not idempotent */
    int16_t producer_epoch;         /* -1 */
    int32_t base_sequence;          /* -1 */
    kl_codec_t codec;
    int codec_level;        /* -1: the codec's default */
    int16_t attributes;     /* LOG_APPEND_TIME | TRANSACTIONAL | CONTROL bits;
                               the codec bits come from codec */
    int64_t base_timestamp; /* -1: the first record's timestamp */
} kl_batch_params_t;

/* Sets the defaults noted above, base offset 0 and no compression. */
void kl_batch_params_init(kl_batch_params_t *params);

typedef enum { KL_BATCH_WRITER_IDLE, KL_BATCH_WRITER_OPEN, KL_BATCH_WRITER_CLOSED } kl_batch_writer_state_t;

typedef struct kl_batch_writer {
    kl_buf_t buf;     /* header then records; after close, the batch */
    kl_buf_t scratch; /* compression output, swapped with buf at close */
    kl_batch_params_t params;
    size_t max_size;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int32_t record_count;
    int32_t last_offset_delta; /* -1 before the first record */
    kl_batch_writer_state_t state;
} kl_batch_writer_t;

/* max_size caps the whole encoded batch (0: the format's limit, 2 GiB). */
void kl_batch_writer_init(kl_batch_writer_t *w, size_t max_size);
void kl_batch_writer_free(kl_batch_writer_t *w);

/* Starts a new batch, reusing the writer's memory. KL_ERR_INVALID_ARG for
 * an unknown codec or attribute bits, KL_ERR_UNSUPPORTED_FEATURE for a codec
 * this build lacks. */
KL_WARN_UNUSED kl_err_t kl_batch_writer_open(kl_batch_writer_t *w, const kl_batch_params_t *params);

/* Encodes one record with the next offset. Nothing is written when it
 * fails: KL_ERR_TOO_LARGE when the batch would pass max_size (the batch
 * stays open and valid), KL_ERR_INVALID_ARG for sizes or a timestamp delta
 * the format cannot hold, KL_ERR_STATE when no batch is open. */
KL_WARN_UNUSED kl_err_t kl_batch_writer_append(kl_batch_writer_t *w, int64_t timestamp, const void *key,
                                               size_t key_len, const void *value, size_t value_len,
                                               const kl_record_header_t *headers, size_t header_count);

/* Copies a decoded record, keeping its offset (which must be above the last
 * one written and within 2^31 of the base offset), timestamp, attributes
 * and headers: for rewriting batches (compaction). */
KL_WARN_UNUSED kl_err_t kl_batch_writer_append_record(kl_batch_writer_t *w, const kl_record_t *rec);

/* Bytes the batch takes so far, uncompressed: cheap, for batch.size. */
static inline size_t kl_batch_writer_size(const kl_batch_writer_t *w) { return w->buf.len; }
static inline int32_t kl_batch_writer_count(const kl_batch_writer_t *w) { return w->record_count; }

/* An upper bound of the bytes kl_batch_writer_append() would add. */
size_t kl_batch_record_size_bound(size_t key_len, size_t value_len, const kl_record_header_t *headers,
                                  size_t header_count);

/* Compresses the records (if a codec is set), fills in the lengths, counts,
 * timestamps and CRC, and points *data at the finished batch, which stays
 * valid until the writer is reopened, taken from or freed. */
KL_WARN_UNUSED kl_err_t kl_batch_writer_close(kl_batch_writer_t *w, const uint8_t **data, size_t *len);

/* Hands the closed batch's memory to the caller (free() it), so the batch
 * can wait for acks and retries while the writer builds the next one. */
uint8_t *kl_batch_writer_take(kl_batch_writer_t *w, size_t *len);

/* After kl_batch_writer_close() of a compressed batch, and before the
 * writer is reopened: hands the caller (free() it) the batch as it was
 * before compression (header, then the records uncompressed), so that a
 * producer can show each message's key and value in its delivery report
 * without keeping copies. NULL (and *len 0) for an uncompressed batch,
 * whose closed form already holds the records as written. */
uint8_t *kl_batch_writer_take_uncompressed(kl_batch_writer_t *w, size_t *len);

/* ---------------------------------------------------------------- reader */

/* kl_batch_iter flags. */
#define KL_BATCH_SKIP_CRC 0x1 /* do not verify CRC-32C (trusted local data) */
#define KL_BATCH_LEGACY 0x2   /* yield magic 0/1 entries (only data, size,
                                 base_offset and magic set) for msgset.h */

typedef struct kl_batch_iter {
    const uint8_t *start;
    const uint8_t *p;
    const uint8_t *end;
    unsigned flags;
    kl_err_t err;
    const char *why;   /* static description of err */
    size_t incomplete; /* at the end: bytes the partial last batch needs */
    size_t damaged;    /* after a CRC or header error: the bad batch's size */
} kl_batch_iter_t;

void kl_batch_iter_init(kl_batch_iter_t *it, const void *data, size_t len, unsigned flags);

/* Yields the next whole batch: KL_ERR_NONE and *batch filled, KL_ERR_NOENT
 * when no whole batch is left (it->incomplete > 0 when the range ends in a
 * partial batch: not an error), or a sticky error for corrupt data:
 * KL_ERR_BAD_MSG (it->why says what), KL_ERR_CRC_MISMATCH. */
kl_err_t kl_batch_iter_next(kl_batch_iter_t *it, kl_batch_t *batch);

/* After KL_ERR_CRC_MISMATCH, or KL_ERR_BAD_MSG for header fields that do
 * not agree, the damaged batch's length still framed it within the range:
 * fills *batch with its header fields as read (not to be trusted), steps
 * past it and clears the error, so that iteration goes on with the next
 * batch. False (nothing changes) for any other state, e.g. a length or
 * magic byte that leaves the next batch's position unknown. */
bool kl_batch_iter_skip(kl_batch_iter_t *it, kl_batch_t *batch);

/* Bytes of the range consumed by the batches yielded so far. */
static inline size_t kl_batch_iter_offset(const kl_batch_iter_t *it) { return (size_t)(it->p - it->start); }

typedef struct kl_record_iter {
    kl_buf_t inflated; /* decompressed records, reused from batch to batch */
    size_t max_inflated;
    const uint8_t *p;
    const uint8_t *end;
    int64_t base_offset;
    int64_t base_timestamp;
    int64_t max_timestamp;
    bool log_append_time;
    int32_t left;              /* records still to yield */
    int32_t last_offset_delta; /* from the batch header */
    int64_t prev_offset_delta;
    kl_err_t err;
    const char *why;
} kl_record_iter_t;

/* max_inflated caps a batch's decompressed records (0: the default). */
void kl_record_iter_init(kl_record_iter_t *it, size_t max_inflated);
void kl_record_iter_free(kl_record_iter_t *it);

/* Starts on a batch from kl_batch_iter_next() or kl_batch_validate(),
 * decompressing its records once. KL_ERR_UNSUPPORTED_FEATURE for a codec
 * this build lacks, KL_ERR_BAD_COMPRESSION, KL_ERR_TOO_LARGE past the cap,
 * KL_ERR_BAD_MSG. */
kl_err_t kl_record_iter_start(kl_record_iter_t *it, const kl_batch_t *batch);

/* Hands the current batch's decompressed records to the caller (free()
 * it; NULL for an uncompressed batch), so its records outlive the next
 * kl_record_iter_start(), e.g. in a consumer's reference-counted buffer.
 * Iteration of the current batch goes on unaffected. */
uint8_t *kl_record_iter_take_buffer(kl_record_iter_t *it, size_t *len);

/* KL_ERR_NONE and *rec filled; KL_ERR_NOENT after the last record (the
 * count and the section's size checked out); KL_ERR_BAD_MSG (sticky, it->why
 * says what) for a record that overruns, a varint that overflows, a length
 * below -1, offsets out of order or a count that does not match. */
kl_err_t kl_record_iter_next(kl_record_iter_t *it, kl_record_t *rec);

typedef struct kl_header_iter {
    const uint8_t *p;
    const uint8_t *end;
    int32_t left;
} kl_header_iter_t;

void kl_header_iter_init(kl_header_iter_t *it, const kl_record_t *rec);
/* False after the last header (or on malformed headers, which records from
 * kl_record_iter_next() never have). */
bool kl_header_iter_next(kl_header_iter_t *it, kl_record_header_t *hdr);

/* ------------------------------------------------------- broker append path */

/* kl_batch_validate flags. */
#define KL_BATCH_FROM_CLIENT 0x1 /* a produced batch: Kafka's stricter rules
                                    (records > 0, offsets contiguous, no
                                    control batch, records that decode) */
#define KL_BATCH_NEED_KEYS 0x2   /* with FROM_CLIENT: every record has a key
                                    (a compacted topic's) */

/* Checks that data holds exactly one well-formed v2 batch: sizes, magic,
 * CRC-32C, codec, counts against lastOffsetDelta and timestamps; with
 * KL_BATCH_FROM_CLIENT, the records must decode too, as Kafka checks
 * them on append: a compressed batch is inflated once, within
 * KL_BATCH_DEFAULT_MAX_INFLATED. Fills *batch (may be NULL). Returns the
 * Kafka error code the real broker would answer: KL_ERR_CORRUPT_MESSAGE,
 * KL_ERR_INVALID_RECORD, KL_ERR_INVALID_TIMESTAMP or
 * KL_ERR_UNSUPPORTED_COMPRESSION_TYPE, with a static description in *why
 * (may be NULL). */
kl_err_t kl_batch_validate(const void *data, size_t len, unsigned flags, kl_batch_t *batch, const char **why);

/* In-place patches of a batch of len bytes. The base offset and the
 * partition leader epoch are outside the CRC; the producer fields and the
 * log-append time are inside, so those two recompute it. KL_ERR_INVALID_ARG
 * when len is too short for a batch header. */
kl_err_t kl_batch_set_base_offset(void *batch, size_t len, int64_t base_offset);
kl_err_t kl_batch_set_leader_epoch(void *batch, size_t len, int32_t epoch);
kl_err_t kl_batch_set_producer(void *batch, size_t len, int64_t producer_id, int16_t producer_epoch,
                               int32_t base_sequence);
/* Sets the LOG_APPEND_TIME attribute and maxTimestamp = timestamp. */
kl_err_t kl_batch_set_log_append_time(void *batch, size_t len, int64_t timestamp);
/* Marks a batch of len bytes as part of a transaction (attribute bit 4),
 * without recomputing its CRC: kl_batch_set_producer() does that next. */
kl_err_t kl_batch_set_transactional(void *batch, size_t len);

/* CRC-32C over attributes .. end of a batch of len bytes, as stored at
 * byte 17. */
uint32_t kl_batch_compute_crc(const void *batch, size_t len);

#endif
