/* The log cleaner: compaction of a partition log whose config says
 * compact. Kafka's design: an offset map (key -> newest offset) is built
 * over the dirty part of the log (the closed segments from the cleaner
 * checkpoint on, up to the first one min.compaction.lag.ms keeps back),
 * then every closed segment up to there is rewritten keeping only the
 * records the map does not supersede, small neighbours merged while they
 * fit log.segment.bytes. The active segment is never touched.
 *
 * Two halves, so appends never wait for the work: kl_log_clean_prepare()
 * reads and writes new `.log.cleaned` files (fsynced) on any one thread
 * while the owner keeps appending and reading; kl_log_clean_install(), on
 * the owner, swaps them in: `<base>.log.cleaned` is renamed to
 * `<base>-<end>.log.swap` (the commit point: it names the offsets
 * [base, end) it replaces), the old segments' files are deleted, the swap
 * file becomes `<base>.log`. kl_log_open() deletes leftover `.cleaned`
 * files and finishes any `.swap`, so a crash at any point leaves either
 * the old segments or the new one. Read ranges on an old segment keep its
 * file open until released. The cleaner-offset-checkpoint file keeps the
 * end of the cleaned part across restarts.
 *
 * Tombstones (records with a null value) are dropped once the segment
 * holding them was cleaned more than delete.retention.ms ago: a cleaned
 * segment's file modification time is set to the cleaner's clock when it
 * is written, and a tombstone from a dirty segment is always kept. Records
 * without a key are dropped (Kafka refuses them on compacted topics).
 * Transactions (cleaner_txn.h): nothing from the first batch of a
 * transaction without its marker in the cleanable segments on is cleaned
 * (the last stable offset bounds the clean), aborted transactions'
 * records go, and a marker goes once no batch of its transaction is left
 * and its segment was cleaned more than delete.retention.ms ago; other
 * control batches are kept as they are. A batch whose records all survive
 * is copied byte for byte, one that loses some is re-encoded with the
 * batch writer keeping its producer id, epoch, base sequence, attributes,
 * timestamps and codec; a batch that loses all its records goes, unless
 * it is its idempotent producer's last one in the cleaned part: that one
 * stays as an empty batch (Kafka's rule) with its offsets, sequence and
 * max timestamp, so the producer's state survives a restart. */
#ifndef KL_STORAGE_CLEANER_H
#define KL_STORAGE_CLEANER_H

#include "storage/log.h"

#define KL_CHECKPOINT_CLEANER "cleaner-offset-checkpoint"

/* What kl_log_clean_install() did. */
typedef struct kl_log_clean_stats {
    uint64_t bytes_read;     /* .log bytes of the segments rewritten */
    uint64_t bytes_written;  /* .log bytes of their replacements */
    size_t segments_before;  /* segments replaced ... */
    size_t segments_after;   /* ... by this many */
    int64_t records_removed;
} kl_log_clean_stats_t;

/* Cleanable bytes that are dirty at now_ms (0 when nothing is cleanable):
 * what min.cleanable.dirty.ratio is compared with. Any thread. */
double kl_log_dirty_ratio(kl_log_t *log, int64_t now_ms);

/* Whether the log is compacted and due a clean at now_ms: its dirty
 * ratio reaches min.cleanable.dirty.ratio with some dirty bytes, or a
 * tombstone kept by the last clean has reached delete.retention.ms. Any
 * thread. */
bool kl_log_clean_due(kl_log_t *log, int64_t now_ms);

/* The heavy half: builds the offset map (at most about map_max_bytes,
 * 0: no limit; the dirty part is cut short at a segment boundary when the
 * map fills, but the first dirty segment is always mapped) and writes the
 * cleaned segments, with now_ms as the cleaner's clock. Any one thread at
 * a time per log, the owner included, while the owner goes on. The result
 * waits in the log for kl_log_clean_install(). KL_ERR_NOENT when nothing
 * is cleanable, KL_ERR_STATE when a clean is already prepared or running,
 * KL_ERR_KAFKA_STORAGE_ERROR, KL_ERR_CORRUPT_MESSAGE (see
 * kl_log_clean_failure()), KL_ERR_NOMEM (nothing is left behind). */
KL_WARN_UNUSED kl_err_t kl_log_clean_prepare(kl_log_t *log, int64_t now_ms, size_t map_max_bytes);

/* Where the last kl_log_clean_prepare() that returned
 * KL_ERR_CORRUPT_MESSAGE met data it could not read. */
typedef struct kl_log_clean_failure {
    int64_t segment_base; /* the segment's base offset */
    uint64_t position;    /* byte position of the batch in its .log */
    kl_err_t err;         /* KL_ERR_CORRUPT_MESSAGE (a batch that fails its
                             CRC or does not parse), KL_ERR_TOO_LARGE (records
                             that inflate past the limit: a decompression
                             bomb), KL_ERR_BAD_COMPRESSION,
                             KL_ERR_UNSUPPORTED_FEATURE (a codec not built in) */
    const char *why;      /* static, what exactly */
} kl_log_clean_failure_t;

/* True and *out filled while such a failure stands. The segment stops the
 * cleaner there: only the segments before it count as cleanable (for
 * kl_log_clean_due(), kl_log_dirty_ratio() and the next prepare), so the
 * same damage is not read again at every back-off, until the segment
 * changes (its size or modification time) or goes. Any thread. */
bool kl_log_clean_failure(kl_log_t *log, kl_log_clean_failure_t *out);

/* Whether a prepared clean waits for kl_log_clean_install(). Any thread. */
bool kl_log_clean_prepared(kl_log_t *log);

/* The owner's half: swaps the prepared segments in (see above) and
 * advances the cleaner checkpoint. A group of segments that changed since
 * (retention, truncation) is skipped and its file deleted. stats may be
 * NULL. KL_ERR_NOENT when nothing was prepared; KL_ERR_KAFKA_STORAGE_ERROR
 * when a rename or delete fails (what was committed is finished by the
 * next open). */
KL_WARN_UNUSED kl_err_t kl_log_clean_install(kl_log_t *log, kl_log_clean_stats_t *stats);

/* Both halves on the owner, with no map limit. */
KL_WARN_UNUSED kl_err_t kl_log_clean(kl_log_t *log, int64_t now_ms, kl_log_clean_stats_t *stats);

/* The offset below which the log has been cleaned (the cleaner
 * checkpoint). Any thread. */
int64_t kl_log_clean_point(kl_log_t *log);

/* Test hook: kl_log_clean_install() stops as a crash would, returning
 * KL_ERR_STATE with the files left as they are: after the step given.
 * Reopen the log (after kl_log_abandon()) to see recovery finish. */
typedef enum kl_clean_crash {
    KL_CLEAN_CRASH_NONE = 0,
    KL_CLEAN_CRASH_AFTER_CLEANED, /* the .cleaned files written, nothing renamed */
    KL_CLEAN_CRASH_AFTER_SWAP,    /* renamed to .swap, old segments still there */
    KL_CLEAN_CRASH_AFTER_DELETE,  /* old segments deleted, .swap not renamed */
} kl_clean_crash_t;
void kl_log_clean_crash_at(kl_log_t *log, kl_clean_crash_t step);

/* Finishes or rolls back the swaps a crash interrupted in the partition
 * directory dir (kl_log_open() does this first). KL_ERR_KAFKA_STORAGE_ERROR. */
KL_WARN_UNUSED kl_err_t kl_cleaner_recover_dir(const char *dir);

#endif
