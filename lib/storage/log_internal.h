/* The partition log's state, shared by the files that implement log.h:
 * log.c (append, read), log_open.c (open, load, close), log_time.c
 * (lookups by time), retention.c (retention, DeleteRecords, truncation),
 * flush.c (fsync off the append path, the recovery checkpoint), cleaner.c
 * and cleaner_swap.c (compaction).
 * Internal to lib/storage. */
#ifndef KL_STORAGE_LOG_INTERNAL_H
#define KL_STORAGE_LOG_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "storage/cleaner.h"
#include "storage/log.h"
#include "util/clock.h"
#include "storage/segment.h"

/* Index positions are int32: a segment never grows past this. */
#define LOG_MAX_SEGMENT_BYTES INT32_MAX

struct kl_log {
    char *dir; /* the partition directory */
    char *topic;
    int32_t partition;
    kl_log_config_t config;
    kl_segment_t *segments; /* by base offset; the last one is active */
    size_t count;
    size_t cap;
    int64_t start_offset;
    int64_t end_offset;
    int64_t high_watermark;
    uint64_t recovered_bytes;
    uint64_t scanned_bytes;
    kl_log_repair_t *repairs; /* what the open repaired (log_repair.c) */
    size_t repair_count;
    int64_t split_point; /* the open split a segment based here (the
                            checkpoint was lowered to it); -1: none */

    /* Between the owner and a flusher thread (flush.c). `lock` guards the
     * shape of the segment list (the owner takes it to add or remove a
     * segment; the flusher to look at it), end_offset's updates and the
     * flush state below. `flush_lock` lets one flush run at a time and
     * keeps truncation (which lowers the recovery point) out of one.
     * Order: flush_lock, then lock. */
    pthread_mutex_t lock;
    pthread_mutex_t flush_lock;
    int64_t recovery_point;      /* everything below is flushed */
    int64_t checkpointed;        /* what the checkpoint file says; -1: none
                                    (flush_lock, or the owner alone) */
    int64_t oldest_unflushed_ms; /* first append since the last flush
                                    began; -1: none */
    bool dir_dirty;              /* segment files created since then */
    atomic_bool failed;          /* an fsync failed: nothing more is safe */
    unsigned appends_unchecked;  /* appends since the active segment was last
                                    seen linked (owner) */
    /* Why the last write failed (kl_log_last_error()), under lock. */
    int error_errno;
    char error_what[320];

    /* The cleaner (cleaner.c, cleaner_swap.c), under lock. */
    int64_t clean_point;      /* below it the log is cleaned */
    int64_t tombstone_due_ms; /* a kept tombstone may go from then on */
    bool cleaning;            /* a kl_log_clean_prepare() runs */
    struct log_clean_result *clean_pending; /* prepared, not installed */
    int clean_crash;          /* test hook: kl_clean_crash_t */
    bool clean_failed;              /* the cleaner met this damage */
    kl_log_clean_failure_t clean_failure;
    uint64_t clean_failed_size;     /* when the segment had this size */
    int64_t clean_failed_mtime_ms;  /* and modification time */

    char *why; /* during kl_log_open_why(): where to say what failed */
    size_t why_size;
};

/* Closes the index files of the sealed segments wholly below the recovery
 * point: flushed, their entries in memory; they are opened again on
 * demand (kl_segment_index_fd()). lock held, or the owner alone (open).
 * The flusher's range never reaches back below the recovery point, and a
 * truncation (which may reopen them) holds flush_lock. */
void log_close_flushed_indexes(kl_log_t *log);

/* Notes why a write failed (errno err; what: the operation and file),
 * for kl_log_last_error(); takes lock. */
void log_note_error(kl_log_t *log, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One run of old segments [base, end) and the cleaned file replacing
 * them (cleaner.c prepares it, cleaner_swap.c swaps it in). */
typedef struct log_clean_group {
    int64_t base, end;
    kl_file_t **old_files; /* a reference on each old .log */
    size_t old_count;
    char *cleaned_path; /* NULL: nothing to rewrite */
    uint64_t bytes_in, bytes_out;
    int64_t removed;
    kl_segment_batch_t *batches; /* as written to the cleaned file, for */
    size_t batch_count, batch_cap; /* its indexes without a re-read */
} log_clean_group_t;

typedef struct log_clean_result {
    log_clean_group_t *groups;
    size_t count;
    int64_t clean_end;        /* the clean point once installed */
    int64_t tombstone_due_ms; /* earliest a kept tombstone may go */
} log_clean_result_t;

/* Frees a prepared clean; unlink: deletes its .cleaned files too. */
void log_clean_result_free(log_clean_result_t *result, bool unlink_files);
/* At open, after the segments are loaded: the cleaner checkpoint. */
KL_WARN_UNUSED kl_err_t log_load_clean_point(kl_log_t *log);

static inline kl_segment_t *log_active(const kl_log_t *log) { return &log->segments[log->count - 1]; }

/* What kl_log_open() and kl_log_set_config() accept. */
bool log_config_valid(const kl_log_config_t *config);

/* Milliseconds since the epoch, by the system clock. */

/* Opens (create: creates) one more segment at the end of the list. */
KL_WARN_UNUSED kl_err_t log_add_segment(kl_log_t *log, int64_t base_offset, bool create, int64_t now_ms);

/* Takes segments [first, first + n) out of the list and deletes their
 * files; ranges still holding them keep reading them. */
void log_remove_segments(kl_log_t *log, size_t first, size_t n);

/* After a truncation to the log end offset, with flush_lock held: the
 * recovery point and its checkpoint file come down to it, and the cut is
 * made durable, so a crash cannot bring cut batches back. */
KL_WARN_UNUSED kl_err_t log_flush_after_truncate(kl_log_t *log);

/* Writes the recovery checkpoint with the recovery point (flush_lock held,
 * or the owner alone). */
KL_WARN_UNUSED kl_err_t log_write_checkpoint(kl_log_t *log, int64_t offset);

/* ---- log_repair.c: what recovery at open repairs, and records ---- */

/* Records a repair (path copied). KL_ERR_NOMEM. */
KL_WARN_UNUSED kl_err_t log_repair_note(kl_log_t *log, kl_log_repair_kind_t kind, const char *path,
                                        int64_t first_offset, int64_t end_offset, uint64_t position,
                                        uint64_t bytes);
void log_repairs_free(kl_log_t *log);
/* Segment i's scan found a damaged batch that valid ones follow (found):
 * moves what follows it to a new segment file (written under a name the
 * next open deletes, fsynced, renamed, the directory fsynced), inserts
 * that segment after i, and recovers segment i again, which cuts the
 * damaged batch. The new segment is still to be recovered. */
KL_WARN_UNUSED kl_err_t log_split_damaged(kl_log_t *log, size_t i, const kl_segment_recovery_t *found,
                                          int64_t now_ms);

/* The index of the last segment whose base offset is at or below offset
 * (0 when offset is below them all). */
size_t log_segment_for(const kl_log_t *log, int64_t offset);

/* cleaner_damage.c (lock held): the clean met failure in a segment
 * whose .log had size bytes and modification time mtime_ms; and the
 * index of that segment while it is there unchanged, else log->count (a
 * failure whose segment changed or went is forgotten). */
void log_clean_failed(kl_log_t *log, const kl_log_clean_failure_t *failure, uint64_t size, int64_t mtime_ms);
size_t log_damaged_segment(kl_log_t *log);

#endif
