/* Shared by the lib/storage suites: a partition log in its own mkdtemp
 * directory, the batches appended to it as stored, and checks that read
 * the whole log back byte for byte. */
#ifndef KL_TEST_STORAGE_FIXTURE_H
#define KL_TEST_STORAGE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "storage/log.h"

#define TOPIC "events"
#define MAX_BATCHES 1024
#define RECORDS_PER_BATCH 3
#define T0 1700000000000LL /* a base timestamp, in ms */

typedef struct fixture {
    char root[64];
    kl_log_t *log;
    kl_log_config_t config;
    /* What was appended, as stored (base offsets patched). */
    uint8_t *batches[MAX_BATCHES];
    size_t sizes[MAX_BATCHES];
    int64_t offsets[MAX_BATCHES];
    int64_t stamps[MAX_BATCHES][RECORDS_PER_BATCH]; /* record timestamps */
    size_t count;
    int64_t now; /* the clock kl_log_append_at() gets; starts at T0 */
} fixture_t;

/* A fresh directory and the default config; fixture_open() opens it. */
void fixture_setup(fixture_t *f);
void fixture_open(fixture_t *f);
/* Both, with these two config values. */
void fixture_init(fixture_t *f, uint64_t segment_bytes, uint64_t index_interval);
void fixture_reopen(fixture_t *f);
void fixture_free(fixture_t *f);

/* A batch of RECORDS_PER_BATCH records whose values are value_len bytes
 * derived from seed, record r stamped ts0 + r * step; the caller frees it. */
uint8_t *make_batch(int seed, size_t value_len, int64_t ts0, int64_t step, size_t *len);
/* Appends n batches stamped T0 + their number (all records alike). */
void append_batches(fixture_t *f, size_t n, size_t value_len);
/* Appends one batch with record r stamped ts0 + r * step. */
void append_stamped(fixture_t *f, size_t value_len, int64_t ts0, int64_t step);
/* Forgets the appended batches from index keep on (they were cut off). */
void fixture_forget_from(fixture_t *f, size_t keep);
/* Forgets appended batch i alone (recovery dropped it). */
void fixture_forget_one(fixture_t *f, size_t i);
/* XORs n bytes of the file from position at. */
void flip_bytes(const char *path, off_t at, size_t n);

uint8_t *read_range(const kl_log_range_t *r);
/* Reads the log back from batch `from` on, range by range, and compares
 * every batch with what was appended; offsets must be continuous and the
 * end offset right. */
void check_log_from(fixture_t *f, size_t from);
/* check_log_from(f, 0), and the log must start at offset 0. */
void check_log_contents(fixture_t *f);

/* Path of the segment file with the highest base offset and this suffix. */
void last_segment_path(fixture_t *f, const char *suffix, char *out, size_t out_len);
/* Path of the segment file with this base offset and suffix. */
void segment_file_path(fixture_t *f, int64_t base, const char *suffix, char *out, size_t out_len);
off_t file_size(const char *path);
uint8_t *slurp(const char *path, off_t *len);
/* Segment files (.log) in the partition directory. */
size_t count_segment_files(fixture_t *f);

#endif
