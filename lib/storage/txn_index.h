/* The aborted-transaction index of a partition: Kafka's `.txnindex` files,
 * one beside each segment that holds abort markers, named by the segment's
 * base offset, of 34-byte big-endian entries (int16 version 0, int64
 * producer id, int64 first offset, int64 last offset: the marker's, int64
 * last stable offset once the transaction was complete). read_committed
 * fetches take from it the transactions to drop. All entries live in
 * memory, ordered by last offset; the files are written as markers are
 * appended and read back on open. Owner thread only. */
#ifndef KL_STORAGE_TXN_INDEX_H
#define KL_STORAGE_TXN_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/common.h"
#include "kafkalite/error.h"

#define KL_TXN_INDEX_ENTRY_SIZE 34
#define KL_TXN_INDEX_SUFFIX ".txnindex"

typedef struct kl_aborted_txn {
    int64_t producer_id;
    int64_t first_offset;       /* the transaction's first record */
    int64_t last_offset;        /* its abort marker */
    int64_t last_stable_offset; /* the partition's once it was aborted */
    int64_t segment_base;       /* the file holding it (memory only) */
} kl_aborted_txn_t;

typedef struct kl_txn_index {
    char *dir; /* the partition directory; NULL: not loaded */
    kl_aborted_txn_t *items;
    size_t count, cap;
    /* segments whose file held entries the load left out: rewritten by
     * the rebuild */
    int64_t *dirty;
    size_t dirty_count;
} kl_txn_index_t;

/* Reads every .txnindex file of dir. Entries whose last offset is at or
 * past end_offset (a marker lost with the log's unflushed tail) are left
 * out; a torn last entry is ignored (the rebuild at open rewrites the
 * file). KL_ERR_KAFKA_STORAGE_ERROR when the directory or a file cannot
 * be read, KL_ERR_NOMEM. */
KL_WARN_UNUSED kl_err_t kl_txn_index_load(kl_txn_index_t *idx, const char *dir, int64_t end_offset);
void kl_txn_index_free(kl_txn_index_t *idx);

/* Records an aborted transaction whose marker was just appended to the
 * segment based at e->segment_base: the entry is written to that
 * segment's file and fsynced (aborts are rare; the index then never lags
 * the flushed log), then kept in memory. KL_ERR_KAFKA_STORAGE_ERROR,
 * KL_ERR_NOMEM: nothing changed in memory. */
KL_WARN_UNUSED kl_err_t kl_txn_index_append(kl_txn_index_t *idx, const kl_aborted_txn_t *e);

/* The entries a read_committed fetch from fetch_offset up to upper_offset
 * must carry (Kafka's rule: last offset >= fetch_offset and first offset
 * < upper_offset), in index order, calling fn for each; fn returning
 * nonzero stops. Returns how many were given. */
typedef int kl_txn_index_fn(void *opaque, const kl_aborted_txn_t *e);
size_t kl_txn_index_collect(const kl_txn_index_t *idx, int64_t fetch_offset, int64_t upper_offset,
                            kl_txn_index_fn *fn, void *opaque);

/* The rebuild at open: the entries of every segment from from_segment on
 * are replaced by found (n of them, in marker order, each naming its
 * segment), and the files of the segments whose entries changed, or
 * that held entries the load left out, are rewritten (removed when none
 * is left). *changed: how many segment files
 * were rewritten. KL_ERR_KAFKA_STORAGE_ERROR, KL_ERR_NOMEM. */
KL_WARN_UNUSED kl_err_t kl_txn_index_rebuild(kl_txn_index_t *idx, int64_t from_segment,
                                             const kl_aborted_txn_t *found, size_t n, size_t *changed);

/* After a clean rewrote the segments below clean_end: keep(opaque, e,
 * &segment_base) says whether e's marker is still there and the base of
 * the segment holding it now. Entries whose marker went are dropped, the
 * others move to their segment's file, and the files of the segments
 * whose entries changed are rewritten (removed when none is left: the
 * segments merged away). *changed: how many files. A crash midway is
 * mended by the next call. KL_ERR_KAFKA_STORAGE_ERROR, KL_ERR_NOMEM. */
typedef bool kl_txn_index_keep_fn(void *opaque, const kl_aborted_txn_t *e, int64_t *segment_base);
KL_WARN_UNUSED kl_err_t kl_txn_index_refit(kl_txn_index_t *idx, int64_t clean_end, kl_txn_index_keep_fn *keep,
                                           void *opaque, size_t *changed);

/* The entry of the marker at last_offset, or NULL. */
const kl_aborted_txn_t *kl_txn_index_find(const kl_txn_index_t *idx, int64_t last_offset);

/* Forgets in memory the entries wholly below offset (the log start
 * offset moved); the files go with their segments. */
void kl_txn_index_trim(kl_txn_index_t *idx, int64_t offset);

/* dir/<base, 20 digits>.txnindex into buf. */
void kl_txn_index_path(const char *dir, int64_t segment_base, char *buf, size_t size);

#endif
