/* One log segment: `<base offset, 20 digits>.log` holding whole record
 * batches back to back, its sparse offset index `.index` (8-byte entries:
 * int32 offset relative to the base offset, int32 file position) and its
 * time index `.timeindex` (12-byte entries: int64 timestamp, int32 relative
 * offset), all big-endian as in Kafka. Only batch headers are read here. */
#ifndef KL_STORAGE_SEGMENT_H
#define KL_STORAGE_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/common.h"
#include "kafkalite/error.h"
#include "storage/file.h"

#define KL_SEGMENT_INDEX_ENTRY_SIZE 8
#define KL_SEGMENT_TIME_ENTRY_SIZE 12

typedef struct kl_index_entry {
    int64_t offset;    /* absolute: the last offset of the indexed batch */
    uint32_t position; /* where that batch starts in the .log */
} kl_index_entry_t;

typedef struct kl_time_entry {
    int64_t timestamp; /* the segment's max timestamp so far */
    int64_t offset;    /* absolute: last offset of the first batch with it */
} kl_time_entry_t;

typedef struct kl_segment {
    int64_t base_offset;
    char *log_path;
    char *index_path;
    char *timeindex_path;
    kl_file_t *log_file; /* one reference each, held by the segment */
    kl_file_t *index_file;     /* NULL while closed (kl_segment_close_indexes) */
    kl_file_t *timeindex_file; /* the same */
    int log_fd; /* the files' fds (-1 while closed) */
    int index_fd;
    int timeindex_fd;
    uint64_t size;       /* bytes of whole batches in the .log */
    int64_t next_offset; /* one past the last offset stored (base if empty) */
    size_t index_interval;
    size_t bytes_since_index;
    bool new_indexes; /* open created an index file: nothing to trust */
    bool dirty_tail; /* a failed append may have left bytes past size in
                        the .log: cut them before the next one */
    /* The indexes live in memory; appends only add entries there. The
     * files get the entries not written yet (from *_written on) when the
     * segment is sealed (roll, clean close); recovery rewrites them whole.
     * A crash loses nothing: the active segment is rescanned. */
    kl_index_entry_t *index;
    size_t index_len;
    size_t index_cap;
    size_t index_written; /* entries in the .index file */
    kl_time_entry_t *time_index;
    size_t time_len;
    size_t time_cap;
    size_t time_written; /* entries in the .timeindex file */
    int64_t max_timestamp;        /* largest batch maxTimestamp; -1: none */
    int64_t max_timestamp_offset; /* last offset of the first batch with it */
    int64_t first_timestamp;      /* first batch's maxTimestamp (-1: none or
                                     empty): log.roll.ms counts from it */
    int64_t created_ms;           /* set by the owner: roll time fallback */
    /* For recovery of a closed segment: the next segment's base offset.
     * The cleaner leaves gaps between batches, so the scan accepts a
     * batch starting past where the previous one ended as long as it
     * ends below this; 0 (the active segment, which the cleaner never
     * writes): offsets must be contiguous. */
    int64_t gap_limit;
} kl_segment_t;

/* The header fields a scan needs, read from the first bytes of a batch. */
typedef struct kl_segment_batch {
    int64_t base_offset;
    int64_t last_offset;
    int64_t max_timestamp;
    uint64_t position;
    uint64_t size; /* whole batch, log overhead included */
} kl_segment_batch_t;

/* Creates (create = true, files must not exist) or opens a segment in dir.
 * Opening does not read anything: call kl_segment_recover(),
 * kl_segment_load() or kl_segment_rebuild() next. KL_ERR_KAFKA_STORAGE_ERROR
 * when the files cannot be created or opened. */
KL_WARN_UNUSED kl_err_t kl_segment_open(kl_segment_t *seg, const char *dir, int64_t base_offset,
                                        size_t index_interval, bool create);
/* The index files of a sealed, flushed segment are not needed until it
 * is truncated or its indexes rewritten (the entries live in memory), so
 * the log closes them (kl_segment_close_indexes) and they are opened
 * again on demand: a segment then costs one descriptor, its .log, as in
 * Kafka, instead of three. The fds: -1 with errno set when the file
 * cannot be opened (EMFILE, say). */
int kl_segment_index_fd(kl_segment_t *seg);
int kl_segment_timeindex_fd(kl_segment_t *seg);
void kl_segment_close_indexes(kl_segment_t *seg);

/* Drops the segment's references on its files (read ranges may hold more). */
void kl_segment_close(kl_segment_t *seg);
/* Removes the segment's files, then closes it. */
void kl_segment_destroy(kl_segment_t *seg);

/* What kl_segment_recover() found wrong. */
typedef struct kl_segment_recovery {
    uint64_t truncated;   /* bytes cut off the end of the .log */
    int64_t cut_offset;   /* the first offset the cut may have held */
    /* A damaged batch (bad CRC, unreadable header or out of order) that
     * valid batches follow: its batchLength field led to a whole batch
     * that checks out and comes after it by offset. Nothing was cut: the
     * caller moves what follows to a segment of its own (based at
     * resume_offset), then recovers this one again, which cuts at
     * damaged_position. */
    bool damaged;
    uint64_t damaged_position, damaged_size;
    uint64_t resume_position; /* = damaged_position + damaged_size */
    int64_t resume_offset;    /* base offset of the batch there */
} kl_segment_recovery_t;

/* Scans every batch with its CRC, truncates the .log after the last whole
 * valid batch, rebuilds both indexes and rewrites the index files that
 * differ. sealed: the segment is no longer active, so its time index ends
 * with its max timestamp (Kafka writes that entry on roll). *found (may
 * be NULL) says what was cut; with found, a damaged batch that valid ones
 * follow is reported instead of cut (see kl_segment_recovery_t). */
KL_WARN_UNUSED kl_err_t kl_segment_recover(kl_segment_t *seg, bool sealed, kl_segment_recovery_t *found);

/* Reads both index files and checks them against the .log's batch headers
 * after the last offset index entry (about one index interval of them),
 * which also gives next_offset and the max timestamp. KL_ERR_NOENT when
 * either file is missing, torn or does not fit the .log: nothing loaded
 * is to be trusted, call kl_segment_rebuild() or kl_segment_recover(). */
KL_WARN_UNUSED kl_err_t kl_segment_load(kl_segment_t *seg);

/* Rebuilds both indexes from the batch headers (no CRC checks) and rewrites
 * the index files that differ. sealed as for kl_segment_recover().
 * KL_ERR_CORRUPT_MESSAGE when the headers do not chain to the end. */
KL_WARN_UNUSED kl_err_t kl_segment_rebuild(kl_segment_t *seg, bool sealed);

/* kl_segment_rebuild() from what the writer of the .log knows of its
 * batches (every one, in order, as they lie in the file), without reading
 * the file: the cleaner hands over the batches it wrote.
 * KL_ERR_CORRUPT_MESSAGE when they do not cover the .log exactly. */
KL_WARN_UNUSED kl_err_t kl_segment_index_batches(kl_segment_t *seg, const kl_segment_batch_t *batches, size_t n,
                                                 bool sealed);

/* Writes the index entries the files lack and ends the time index with
 * the segment's max timestamp if it lacks it (on roll and on a clean close,
 * as Kafka does), so a later open trusts the files and learns the max
 * timestamp without a scan. KL_ERR_KAFKA_STORAGE_ERROR if it cannot write:
 * the files then lack entries a later seal writes again. */
KL_WARN_UNUSED kl_err_t kl_segment_seal(kl_segment_t *seg);

/* Appends a batch whose base offset is already patched, taking it into the
 * in-memory indexes. On failure nothing is left of it:
 * KL_ERR_KAFKA_STORAGE_ERROR (KL_ERR_NOMEM). */
KL_WARN_UNUSED kl_err_t kl_segment_append(kl_segment_t *seg, const void *batch, size_t len,
                                          int64_t last_offset, int64_t max_timestamp);

/* Cuts the .log before the batch holding offset (whole batches go) and
 * rebuilds both indexes from what is left, unsealed: the segment becomes
 * the active one. Nothing of the segment is at or past offset: nothing
 * happens. KL_ERR_KAFKA_STORAGE_ERROR, KL_ERR_CORRUPT_MESSAGE. */
KL_WARN_UNUSED kl_err_t kl_segment_truncate(kl_segment_t *seg, int64_t offset);

/* The segment's newest timestamp for retention, as Kafka takes it: its max
 * timestamp, or its .log file's modification time when it has none. */
int64_t kl_segment_largest_timestamp(const kl_segment_t *seg);

/* Reads the batch header at position into *out. KL_ERR_NOENT at the end of
 * the segment, KL_ERR_CORRUPT_MESSAGE for a header that makes no sense,
 * KL_ERR_KAFKA_STORAGE_ERROR when reading fails. */
KL_WARN_UNUSED kl_err_t kl_segment_read_header(const kl_segment_t *seg, uint64_t position,
                                               kl_segment_batch_t *out);

/* Finds the first batch whose last offset is >= offset: the index gives a
 * start, then batch headers are scanned. KL_ERR_NOENT when no batch of
 * this segment holds offset or a later one. */
KL_WARN_UNUSED kl_err_t kl_segment_find(const kl_segment_t *seg, int64_t offset, kl_segment_batch_t *out);

/* Finds the first batch holding an offset >= min_offset whose maxTimestamp
 * is >= timestamp: the time index gives a start, then headers are scanned.
 * KL_ERR_NOENT when there is none in this segment. */
KL_WARN_UNUSED kl_err_t kl_segment_find_timestamp(const kl_segment_t *seg, int64_t timestamp, int64_t min_offset,
                                                  kl_segment_batch_t *out);

#endif
