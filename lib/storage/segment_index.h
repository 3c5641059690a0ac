/* The two sparse indexes of a segment, in memory and in their files: the
 * offset index (index.c) and the time index (timeindex.c). Internal to
 * lib/storage: segment.c applies Kafka's rules of when to add an entry. */
#ifndef KL_STORAGE_SEGMENT_INDEX_H
#define KL_STORAGE_SEGMENT_INDEX_H

#include "storage/segment.h"

/* Both files: fixed-size entries back to back. read and sync leave the
 * file holding the whole in-memory index (*_written = *_len). */
/* Rewrites the file with bytes unless it already holds exactly them. */
KL_WARN_UNUSED kl_err_t kl_index_file_sync(int fd, const uint8_t *bytes, size_t len);
/* Writes count entries of size entry_size at entry index from, cutting the
 * file back to `from` entries if that fails. */
bool kl_index_file_append(int fd, const uint8_t *bytes, size_t entry_size, size_t from, size_t count);
/* Reads the whole file; false when it cannot, or its size is not a whole
 * number of entries. *bytes is malloc'ed (free it), *count entries. */
bool kl_index_file_slurp(int fd, size_t entry_size, uint8_t **bytes, size_t *count);

/* Offset index. push: false when out of memory. read: loads the file,
 * false when it is torn, out of order or points past the .log. */
bool kl_offset_index_push(kl_segment_t *seg, int64_t offset, uint64_t position);
bool kl_offset_index_read(kl_segment_t *seg);
KL_WARN_UNUSED kl_err_t kl_offset_index_sync(kl_segment_t *seg);
/* Writes the entries from index_written on at their place in the file. */
bool kl_offset_index_write_pending(kl_segment_t *seg);

/* Time index. Kafka adds an entry only when the timestamp is above the
 * last entry's: wants() says whether it would. read: false when the file is
 * torn, or its timestamps do not increase or its offsets go backwards or
 * out of [base_offset, next_offset). */
bool kl_time_index_wants(const kl_segment_t *seg, int64_t timestamp);
bool kl_time_index_push(kl_segment_t *seg, int64_t timestamp, int64_t offset);
bool kl_time_index_read(kl_segment_t *seg);
KL_WARN_UNUSED kl_err_t kl_time_index_sync(kl_segment_t *seg);
bool kl_time_index_write_pending(kl_segment_t *seg);
/* The entry with the largest timestamp <= timestamp, or NULL. */
const kl_time_entry_t *kl_time_index_lookup(const kl_segment_t *seg, int64_t timestamp);

#endif
