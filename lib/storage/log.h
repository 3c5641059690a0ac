/* The partition log: one directory `<dir>/<topic>-<partition>/` of
 * segments in Kafka's layout. Appends whole validated batches as raw bytes
 * with their base offset patched, answers reads with byte ranges of segment
 * files, and recovers a torn or corrupt tail on open.
 *
 * Threads: the broker loop that owns the partition (the owner) makes every
 * call, except three that other threads may make at the same time:
 * kl_log_flush_due() and kl_log_flush() (one flusher thread at a time, or
 * the owner itself), and kl_log_range_release() (any thread). Appends never
 * wait for an fsync; kl_log_truncate() waits for a flush in progress. The
 * log cleaner's heavy half (storage/cleaner.h) also runs on another
 * thread; the owner swaps its result in. Stop the flusher and the cleaner
 * before kl_log_close(). */
#ifndef KL_STORAGE_LOG_H
#define KL_STORAGE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/common.h"
#include "kafkalite/error.h"
#include "record/batch.h"

typedef struct kl_log kl_log_t;

/* message.timestamp.type */
typedef enum kl_log_timestamp_type {
    KL_LOG_CREATE_TIME = 0, /* keep the producer's timestamps */
    KL_LOG_APPEND_TIME = 1, /* stamp each batch with the broker's clock */
} kl_log_timestamp_type_t;

typedef struct kl_log_config {
    uint64_t segment_bytes;        /* log.segment.bytes: roll past this size */
    uint64_t index_interval_bytes; /* log.index.interval.bytes */
    kl_log_timestamp_type_t timestamp_type; /* message.timestamp.type */
    /* log.roll.ms: roll when the new batch's maxTimestamp is more than this
     * past the active segment's first batch's (Kafka's rule), or, when that
     * batch has no timestamp, when the segment was created or opened more
     * than this long ago. > 0. */
    int64_t segment_ms;
    /* retention.ms: kl_log_retain() deletes segments whose newest
     * timestamp is older than this; -1: keep forever. */
    int64_t retention_ms;
    /* retention.bytes: kl_log_retain() deletes the oldest segments while
     * the log would stay at least this big without them; -1: no limit. */
    int64_t retention_bytes;
    /* log.flush.interval.messages and log.flush.interval.ms: when
     * kl_log_flush_due() says a flush is due. */
    int64_t flush_interval_messages;
    int64_t flush_interval_ms;
    /* cleanup.policy holds compact: the log cleaner (storage/cleaner.h)
     * keeps only the newest record of each key in the closed segments. */
    bool compact;
    /* delete.retention.ms: how long a tombstone (null value) stays after
     * the segment holding it was first cleaned. >= 0. */
    int64_t delete_retention_ms;
    /* min.compaction.lag.ms: a closed segment whose newest timestamp is
     * younger than this is not cleaned yet. >= 0. */
    int64_t min_compaction_lag_ms;
    /* min.cleanable.dirty.ratio: dirty bytes over cleanable bytes at which
     * the log is due a clean, in [0, 1]. */
    double min_cleanable_dirty_ratio;
} kl_log_config_t;

/* Kafka's defaults: 1 GiB segments, an index entry every 4 KiB,
 * CreateTime, segments rolled after 7 days, kept 7 days, no size limit,
 * no flush but on roll (both flush intervals INT64_MAX), not compacted
 * (tombstones kept a day, no compaction lag, dirty ratio 0.5). */
void kl_log_config_init(kl_log_config_t *config);

/* A byte range of one segment file holding whole batches, to send as is
 * (sendfile, or pread into a buffer). length 0 means nothing to read yet
 * (offset == log end offset).
 *
 * The range holds a reference on its segment file: fd stays open and its
 * bytes stay readable even when retention, kl_log_delete_records() or
 * kl_log_close() deletes or closes the segment meanwhile, until the range is
 * given to kl_log_range_release(). Every range a successful kl_log_read()
 * filled MUST be released exactly once, from any thread; a range never
 * released keeps its file open for good. (kl_log_truncate() is the
 * exception: it cuts the file itself, so bytes past the cut are gone.) */
typedef struct kl_log_range {
    int fd;
    uint64_t position;
    size_t length;
    int64_t first_offset; /* base offset of the first batch in the range */
    struct kl_file *file; /* the reference; NULL once released */
} kl_log_range_t;

/* Opens (creating if needed) the partition directory under dir, which must
 * exist, and recovers it. After a clean close (recovery-point-offset-
 * checkpoint says everything was flushed) nothing is rescanned: the index
 * files are checked against the batch headers after their last entry. After
 * a crash, the segments from the one holding the checkpointed recovery
 * point on (with no checkpoint, the last segment) are scanned with CRC
 * checks: a torn or corrupt tail is cut at the last whole valid batch, a
 * damaged batch that valid ones follow is dropped alone (they move to a
 * segment of their own), later segments are kept, and indexes are
 * rebuilt. Older segments' indexes are rebuilt when they do not fit.
 * Every repair is recorded (kl_log_repairs()). config NULL: the
 * defaults. Errors: KL_ERR_KAFKA_STORAGE_ERROR
 * (cannot create or read), KL_ERR_CORRUPT_MESSAGE (an earlier segment is
 * unreadable: the partition must go offline), KL_ERR_INVALID_ARG, KL_ERR_NOMEM. */
KL_WARN_UNUSED kl_err_t kl_log_open(const char *dir, const char *topic, int32_t partition,
                                    const kl_log_config_t *config, kl_log_t **logp);
/* kl_log_open() that also says, on failure, which file could not be read
 * or written and why ("<path>: <reason>", NUL-terminated in why when
 * why_size > 0), so that the broker can report the path of a partition it
 * takes offline. */
KL_WARN_UNUSED kl_err_t kl_log_open_why(const char *dir, const char *topic, int32_t partition,
                                        const kl_log_config_t *config, kl_log_t **logp, char *why,
                                        size_t why_size);
/* A clean close: ends the active segment's time index, flushes everything
 * and writes the recovery checkpoint (unless a flush failed before), so the
 * next open rescans nothing. Ranges not yet released stay readable. */
void kl_log_close(kl_log_t *log);
/* Closes without flushing or checkpointing: the files stay as a crash
 * would leave them and the next open rescans. For a partition taken
 * offline after a storage error, and for tests. */
void kl_log_abandon(kl_log_t *log);

/* Whether a flush is due at now_ms (the clock kl_log_append_at() gets):
 * some appended data is not flushed and either flush_interval_messages
 * offsets or more are unflushed, the oldest unflushed append is
 * flush_interval_ms old or more, or a rolled segment is not flushed yet
 * (Kafka flushes a segment when it rolls). Any one thread. */
bool kl_log_flush_due(kl_log_t *log, int64_t now_ms);

/* fsyncs (fdatasync) the segments holding unflushed data, their indexes
 * and, after a roll, the directory, without blocking appends meanwhile,
 * then advances the recovery point to the log end offset it started from.
 * Rewrites the recovery checkpoint when the recovery point has moved past
 * the segment the file names, so a crash rescans at most about one
 * segment. Any one thread. KL_ERR_KAFKA_STORAGE_ERROR when an fsync fails:
 * the log is then failed for good (appends and flushes fail, close writes
 * no checkpoint), since the kernel may have dropped the data; take the
 * partition offline. */
KL_WARN_UNUSED kl_err_t kl_log_flush(kl_log_t *log);

/* Replaces the log's configuration (checked as kl_log_open() checks it:
 * KL_ERR_INVALID_ARG, nothing changed). It takes effect from the next
 * append (rolling), retention run or flush check; index_interval_bytes
 * from the next segment created. */
KL_WARN_UNUSED kl_err_t kl_log_set_config(kl_log_t *log, const kl_log_config_t *config);
/* The configuration in force. */
const kl_log_config_t *kl_log_config(const kl_log_t *log);

/* Validates the batch (kl_batch_validate), patches its base offset in place
 * to the log end offset and appends it, rolling to a new segment when the
 * active one would pass segment_bytes. *base_offset (may be NULL) gets the
 * assigned offset. Errors: the validation's Kafka error, or
 * KL_ERR_KAFKA_STORAGE_ERROR when writing fails (full disk, read-only
 * directory), in which case nothing stored changes, or when the active
 * segment's file was removed from the directory while open (checked every
 * few hundred appends; the log is then failed for good). */
KL_WARN_UNUSED kl_err_t kl_log_append(kl_log_t *log, void *batch, size_t len, int64_t *base_offset);

/* Why the last append or flush that failed with
 * KL_ERR_KAFKA_STORAGE_ERROR failed: what it was doing and on which file
 * into what (NUL-terminated, may be NULL), and the errno it met (0:
 * none, e.g. the log was failed by an earlier fsync). EMFILE or ENFILE
 * means the process ran out of descriptors, not that the disk failed:
 * the same append may succeed once some are closed. Any thread. */
int kl_log_last_error(kl_log_t *log, char *what, size_t what_size);

/* What an append did, for the Produce response. */
typedef struct kl_log_append_info {
    int64_t base_offset;
    int64_t last_offset;
    int64_t log_append_time;  /* now_ms under LogAppendTime, else -1 */
    int64_t log_start_offset; /* after the append */
} kl_log_append_info_t;

/* kl_log_append() with the caller's clock: now_ms (milliseconds since the
 * epoch) stamps the batch under LogAppendTime (maxTimestamp and the
 * attribute bit, CRC recomputed) and drives time-based rolling. kl_log_append()
 * is this with the system clock. info may be NULL. */
KL_WARN_UNUSED kl_err_t kl_log_append_at(kl_log_t *log, void *batch, size_t len, int64_t now_ms,
                                         kl_log_append_info_t *info);

/* kl_log_append_at() for a batch the caller has already validated: checked
 * is what kl_batch_validate() filled for these very len bytes at batch
 * (KL_ERR_INVALID_ARG when checked->data or size say otherwise), so the
 * sizes and the CRC are not checked a second time. The broker's produce
 * path validates with Kafka's stricter client rules, then appends with
 * this. */
KL_WARN_UNUSED kl_err_t kl_log_append_checked(kl_log_t *log, void *batch, size_t len, const kl_batch_t *checked,
                                              int64_t now_ms, kl_log_append_info_t *info);

/* The batches from the one holding offset (or the next one after it)
 * onwards, within one segment, stopping at batch boundaries so the range
 * stays within max_bytes, but always at least one whole batch. Errors:
 * KL_ERR_OFFSET_OUT_OF_RANGE (offset below the log start or past the log end
 * offset), KL_ERR_KAFKA_STORAGE_ERROR, KL_ERR_CORRUPT_MESSAGE. */
KL_WARN_UNUSED kl_err_t kl_log_read(kl_log_t *log, int64_t offset, size_t max_bytes, kl_log_range_t *range);
/* kl_log_read() of the batches below end_offset only (a read_committed
 * fetch stops at the last stable offset): the range is empty when the
 * batch at offset starts at or past it. */
KL_WARN_UNUSED kl_err_t kl_log_read_until(kl_log_t *log, int64_t offset, size_t max_bytes, int64_t end_offset,
                                          kl_log_range_t *range);
/* Lets go of a range from kl_log_read(): closes the segment file if the
 * segment is gone and this was the last holder. Any thread; a released
 * range (file NULL) is ignored. Sets fd to -1 and file to NULL. */
void kl_log_range_release(kl_log_range_t *range);

/* ListOffsets' special timestamps. */
#define KL_LOG_TIMESTAMP_LATEST (-1)   /* the log end offset */
#define KL_LOG_TIMESTAMP_EARLIEST (-2) /* the log start offset */
#define KL_LOG_TIMESTAMP_MAX (-3)      /* the record with the largest timestamp */

/* ListOffsets by time, Kafka's rules: for timestamp >= 0, the first record
 * at or after the log start offset whose timestamp is >= timestamp (found
 * through the time index: the first batch whose maxTimestamp reaches it,
 * then that batch's records); LATEST and EARLIEST give the log end and
 * start offsets; MAX the first record carrying the largest timestamp.
 * *found_timestamp (may be NULL) gets that record's timestamp, -1 for
 * LATEST and EARLIEST. KL_ERR_NOENT when no record qualifies (Kafka answers
 * offset -1, timestamp -1); KL_ERR_INVALID_ARG for other negative
 * timestamps; KL_ERR_CORRUPT_MESSAGE, KL_ERR_KAFKA_STORAGE_ERROR. Capping
 * the answer by the high watermark is the caller's business. */
KL_WARN_UNUSED kl_err_t kl_log_find_offset_by_timestamp(kl_log_t *log, int64_t timestamp, int64_t *offset,
                                                        int64_t *found_timestamp);

/* Retention, as Kafka's log cleaner thread runs it every
 * log.retention.check.interval.ms: deletes the oldest segments, in order,
 * while each is wholly below the log start offset, or its newest timestamp
 * (max timestamp, else file modification time) is more than retention_ms
 * before now_ms, or the log minus it is still retention_bytes or more.
 * Never the active segment. The log start offset advances to the first
 * remaining segment. Ranges already read stay readable until released.
 * Always KL_ERR_NONE for now (room for a storage error). */
KL_WARN_UNUSED kl_err_t kl_log_retain(kl_log_t *log, int64_t now_ms);

/* DeleteRecords: moves the log start offset forward to offset (-1: the
 * high watermark), durably (log-start-offset-checkpoint), then deletes the
 * segments wholly below it, never the active one. An offset at or below
 * the log start offset changes nothing. Reads below the new start get
 * KL_ERR_OFFSET_OUT_OF_RANGE; a read at the start may still return a batch
 * beginning before it, as Kafka's does. KL_ERR_OFFSET_OUT_OF_RANGE past the
 * high watermark, KL_ERR_KAFKA_STORAGE_ERROR (nothing changed). */
KL_WARN_UNUSED kl_err_t kl_log_delete_records(kl_log_t *log, int64_t offset);

/* Truncates the log so that offset is past its end: whole batches only,
 * so the log end offset becomes offset, or the base offset of the batch
 * holding offset. Segments above go, the one holding offset is cut and
 * becomes active; below the first segment, everything goes and the log
 * restarts empty at offset. The log start offset and high watermark come
 * down with it if needed. At or past the log end offset: nothing happens.
 * Ranges of the cut segment past the cut lose those bytes; ranges of
 * deleted segments stay readable until released. KL_ERR_INVALID_ARG for a
 * negative offset; KL_ERR_KAFKA_STORAGE_ERROR or KL_ERR_CORRUPT_MESSAGE
 * when the cut fails half way (take the partition offline). */
KL_WARN_UNUSED kl_err_t kl_log_truncate(kl_log_t *log, int64_t offset);

/* One batch as kl_log_scan() yields it: header fields only. */
typedef struct kl_log_batch_info {
    int64_t base_offset;
    int64_t last_offset;
    int64_t max_timestamp;
    int64_t producer_id; /* -1: not idempotent */
    int16_t producer_epoch;
    int32_t base_sequence;
    int16_t attributes;
    /* A control batch's first record's type (KL_CONTROL_ABORT, _COMMIT,
     * from its key); -1 for other batches or a key that does not read. */
    int16_t control_type;
    int32_t coordinator_epoch; /* the marker value's; -1: none or unreadable */
    int64_t segment_base; /* the segment holding it */
} kl_log_batch_info_t;

/* Called once per batch in offset order; nonzero stops the scan. */
typedef int kl_log_scan_fn(void *opaque, const kl_log_batch_info_t *batch);

/* Reads the batch headers of the newest segments: the last one and, going
 * back, every one whose newest timestamp (as retention takes it) is at or
 * after since_ms (INT64_MIN: every segment), skipping batches wholly below
 * the log start offset. For state rebuilt from the log on open, as Kafka
 * rebuilds producer state from the segments after its last snapshot.
 * Owner only. KL_ERR_KAFKA_STORAGE_ERROR, KL_ERR_CORRUPT_MESSAGE. */
KL_WARN_UNUSED kl_err_t kl_log_scan(kl_log_t *log, int64_t since_ms, kl_log_scan_fn *fn, void *opaque);

/* kl_log_scan() that also starts no later than the segment holding
 * from_offset (the recovery point, for state whose files may lag an
 * unflushed tail). *first_segment gets the base offset of the first
 * segment scanned. */
KL_WARN_UNUSED kl_err_t kl_log_scan_from(kl_log_t *log, int64_t since_ms, int64_t from_offset,
                                         kl_log_scan_fn *fn, void *opaque, int64_t *first_segment);

/* The base offset of the active segment (where the next append goes). */
int64_t kl_log_active_segment_base(const kl_log_t *log);

/* Bytes of all segments' .log files. */
uint64_t kl_log_size(const kl_log_t *log);

int64_t kl_log_start_offset(const kl_log_t *log);
int64_t kl_log_end_offset(const kl_log_t *log);
/* For a single replica the log end offset once appended; kept apart for
 * the replicated cluster to come. */
int64_t kl_log_high_watermark(const kl_log_t *log);
size_t kl_log_segment_count(const kl_log_t *log);
/* The base offset of the segment holding offset (the first segment's for
 * an offset before it). Owner thread. */
int64_t kl_log_segment_base_of(const kl_log_t *log, int64_t offset);
/* Bytes recovery dropped at open: torn or damaged tails cut, damaged
 * batches removed. */
uint64_t kl_log_recovered_bytes(const kl_log_t *log);

/* What recovery at open changed, one entry per repair (log_repair.c). */
typedef enum kl_log_repair_kind {
    /* A torn or damaged tail cut off a segment's .log. */
    KL_LOG_REPAIR_TRUNCATED,
    /* A damaged batch that valid batches follow was dropped; what followed
     * it moved to a new segment, so no valid batch was lost. */
    KL_LOG_REPAIR_SKIPPED,
    /* Offsets the recovery checkpoint says were flushed are not there
     * (segment files removed or cut, or a wrong checkpoint): the log goes
     * on where what was found ends. */
    KL_LOG_REPAIR_LOST,
    /* A segment's index files were rebuilt from its .log: nothing lost. */
    KL_LOG_REPAIR_INDEXES,
} kl_log_repair_kind_t;

typedef struct kl_log_repair {
    kl_log_repair_kind_t kind;
    char *path;           /* the file repaired */
    int64_t first_offset; /* first offset dropped; -1: unknown or none */
    int64_t end_offset;   /* one past the last dropped; -1: unknown (the
                             rest of what the file held) */
    uint64_t position;    /* where in the file */
    uint64_t bytes;       /* bytes dropped */
} kl_log_repair_t;

/* The repairs the open made, in order (*count of them; NULL when none),
 * valid until the log is closed: the broker logs them, and a reader of
 * the log (the group coordinator) can tell that data was dropped. */
const kl_log_repair_t *kl_log_repairs(const kl_log_t *log, size_t *count);
/* One line describing repair r of log, for the broker's log. */
void kl_log_repair_describe(const kl_log_t *log, const kl_log_repair_t *r, char *buf, size_t size);
/* Bytes read with CRC checks by recovery at open (0 after a clean close). */
uint64_t kl_log_recovery_scanned_bytes(const kl_log_t *log);
/* The offset below which everything is known flushed. Any thread. */
int64_t kl_log_recovery_point(kl_log_t *log);
/* The partition directory. */
const char *kl_log_dir(const kl_log_t *log);

#endif
