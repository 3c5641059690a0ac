/* Unit tests for lib/storage's log cleaner: a random keyed workload
 * against a model map, tombstones under a fake clock, batch metadata kept
 * through a rewrite, a crash injected at each step of the swap, appends
 * going on while the cleaner runs on another thread, read ranges on
 * replaced segments, the checkpoint, the dirty ratio and the compaction
 * lag. Each test uses its own mkdtemp directory. */
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/batch.h"
#include "record/control.h"
#include "storage/cleaner.h"
#include "storage/cleaner_map.h"
#include "storage_fixture.h"

#define KEYS 40
#define DAY (24 * 3600 * 1000LL)
#define MAX_OFFSETS 20000

/* What the test appended: per offset its key (-1: keyless) and value
 * (-1: tombstone). */
typedef struct model {
    int key[MAX_OFFSETS];
    int value[MAX_OFFSETS];
    int64_t end;
} model_t;

/* One record to put in a batch. */
typedef struct rec_in {
    int key; /* -1: no key */
    int value; /* -1: null (a tombstone) */
} rec_in_t;

static void encode_key(int key, char *buf, size_t *len) { *len = (size_t)snprintf(buf, 16, "k%03d", key); }

/* A batch of n records with these producer fields and codec, appended at
 * f->now; the model learns each offset. */
static void append_records(fixture_t *f, model_t *m, const rec_in_t *in, int n, int64_t producer_id,
                           int16_t attributes, kl_codec_t codec)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.producer_id = producer_id;
    p.producer_epoch = producer_id >= 0 ? 3 : -1;
    p.base_sequence = producer_id >= 0 ? 7 : -1;
    p.attributes = attributes;
    p.codec = codec;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    for (int i = 0; i < n; i++) {
        char key[16], value[32];
        size_t key_len;
        encode_key(in[i].key, key, &key_len);
        int value_len = snprintf(value, sizeof value, "value-%d-of-%d", in[i].value, in[i].key);
        ck_assert_int_eq(kl_batch_writer_append(&w, f->now + i, in[i].key >= 0 ? key : NULL, key_len,
                                                in[i].value >= 0 ? value : NULL, (size_t)value_len, NULL, 0),
                         KL_ERR_NONE);
    }
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    uint8_t *batch = kl_batch_writer_take(&w, &len);
    kl_log_append_info_t info;
    ck_assert_int_eq(kl_log_append_at(f->log, batch, len, f->now, &info), KL_ERR_NONE);
    for (int i = 0; i < n; i++) {
        ck_assert_int_lt(info.base_offset + i, MAX_OFFSETS);
        m->key[info.base_offset + i] = in[i].key;
        m->value[info.base_offset + i] = in[i].value;
    }
    m->end = info.last_offset + 1;
    free(batch);
    kl_batch_writer_free(&w);
}

/* A commit marker of producer_id (its transaction ends), at an offset the
 * model holds as keyless. */
static void append_commit(fixture_t *f, model_t *m, int64_t producer_id)
{
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_control_batch_encode(producer_id, 3, KL_CONTROL_COMMIT, 0, f->now, &data, &len),
                     KL_ERR_NONE);
    kl_log_append_info_t info;
    ck_assert_int_eq(kl_log_append_at(f->log, data, len, f->now, &info), KL_ERR_NONE);
    m->key[info.base_offset] = -1;
    m->end = info.last_offset + 1;
    free(data);
}

/* `count` random batches of 1-5 records over KEYS keys, one in 10 a
 * tombstone, from a fixed seed. */
static void append_random(fixture_t *f, model_t *m, unsigned *seed, int count)
{
    for (int b = 0; b < count; b++) {
        rec_in_t in[5];
        int n = 1 + rand_r(seed) % 5;
        for (int i = 0; i < n; i++) {
            in[i].key = rand_r(seed) % KEYS;
            in[i].value = rand_r(seed) % 10 == 0 ? -1 : rand_r(seed) % 100000;
        }
        append_records(f, m, in, n, -1, 0, KL_CODEC_NONE);
        f->now += 10;
    }
}

/* Calls fn on every record of the log, in order, with its batch. */
typedef void record_fn(void *opaque, const kl_batch_t *batch, const kl_record_t *rec);

static void walk_log(kl_log_t *log, record_fn *fn, void *opaque)
{
    int64_t offset = kl_log_start_offset(log);
    kl_record_iter_t records;
    kl_record_iter_init(&records, 0);
    while (offset < kl_log_end_offset(log)) {
        kl_log_range_t r;
        ck_assert_int_eq(kl_log_read(log, offset, 1 << 20, &r), KL_ERR_NONE);
        ck_assert_uint_gt(r.length, 0);
        uint8_t *bytes = read_range(&r);
        kl_batch_iter_t it;
        kl_batch_t b;
        kl_batch_iter_init(&it, bytes, r.length, 0);
        while (kl_batch_iter_next(&it, &b) == KL_ERR_NONE) {
            ck_assert_int_ge(b.base_offset, offset); /* offsets only go up */
            if (kl_batch_is_control(&b)) { /* a transaction marker: no data */
                offset = kl_batch_last_offset(&b) + 1;
                continue;
            }
            ck_assert_int_eq(kl_record_iter_start(&records, &b), KL_ERR_NONE);
            kl_record_t rec;
            while (kl_record_iter_next(&records, &rec) == KL_ERR_NONE)
                fn(opaque, &b, &rec);
            offset = kl_batch_last_offset(&b) + 1;
        }
        ck_assert_uint_eq(kl_batch_iter_offset(&it), r.length);
        free(bytes);
        kl_log_range_release(&r);
    }
    kl_record_iter_free(&records);
}

typedef struct checker {
    const model_t *m;
    int64_t clean_end; /* records below it were compacted */
    int64_t last;      /* last offset seen */
    size_t seen;
    bool tombstones_gone; /* no tombstone may remain below clean_end */
    bool present[MAX_OFFSETS];
} checker_t;

static int rec_key(const kl_record_t *rec)
{
    ck_assert_ptr_nonnull(rec->key);
    return atoi((const char *)rec->key + 1);
}

/* The newest offset below `before` holding key, or -1. */
static int64_t newest(const model_t *m, int key, int64_t before)
{
    for (int64_t o = before - 1; o >= 0; o--)
        if (m->key[o] == key)
            return o;
    return -1;
}

static void check_record(void *opaque, const kl_batch_t *b, const kl_record_t *rec)
{
    (void)b;
    checker_t *c = opaque;
    ck_assert_int_gt(rec->offset, c->last);
    c->last = rec->offset;
    ck_assert_int_lt(rec->offset, c->m->end);
    int key = c->m->key[rec->offset], value = c->m->value[rec->offset];
    if (key < 0) {
        ck_assert_ptr_null(rec->key);
        ck_assert_int_ge(rec->offset, c->clean_end); /* keyless records go */
    } else {
        ck_assert_int_eq(rec_key(rec), key);
    }
    if (value < 0) {
        ck_assert_ptr_null(rec->value);
    } else {
        char want[32];
        int n = snprintf(want, sizeof want, "value-%d-of-%d", value, key);
        ck_assert_uint_eq(rec->value_len, (size_t)n);
        ck_assert(memcmp(rec->value, want, (size_t)n) == 0);
    }
    if (rec->offset < c->clean_end) {
        ck_assert_int_eq(newest(c->m, key, c->clean_end), rec->offset);
        ck_assert(!(c->tombstones_gone && value < 0));
    }
    c->present[rec->offset] = true;
    c->seen++;
}

/* The log holds exactly: below clean_end, the newest record of each key
 * there (tombstones too unless tombstones_gone); from clean_end on,
 * everything appended. */
static void check_compacted(kl_log_t *log, const model_t *m, int64_t clean_end, bool tombstones_gone)
{
    checker_t *c = calloc(1, sizeof *c);
    c->m = m;
    c->clean_end = clean_end;
    c->last = -1;
    c->tombstones_gone = tombstones_gone;
    walk_log(log, check_record, c);
    for (int64_t o = 0; o < m->end; o++) {
        bool want = o >= clean_end || (m->key[o] >= 0 && newest(m, m->key[o], clean_end) == o &&
                                       !(tombstones_gone && m->value[o] < 0));
        ck_assert_msg(c->present[o] == want, "offset %lld: present %d, want %d", (long long)o, c->present[o],
                      want);
    }
    ck_assert_int_eq(kl_log_end_offset(log), m->end);
    free(c);
}

/* A log between two cleans: offsets go up, each record is as appended,
 * and the newest record of every key is there. */
static void check_consistent(kl_log_t *log, const model_t *m)
{
    checker_t *c = calloc(1, sizeof *c);
    c->m = m;
    c->last = -1;
    walk_log(log, check_record, c);
    for (int k = 0; k < KEYS; k++) {
        int64_t o = newest(m, k, m->end);
        ck_assert(o < 0 || c->present[o]);
    }
    ck_assert_uint_lt(c->seen, (size_t)m->end);
    ck_assert_int_eq(kl_log_end_offset(log), m->end);
    free(c);
}

/* A compacted log of small segments with everything cleanable. */
/* A compacted log of segment_bytes segments, opened; returns the empty
 * model its tests keep beside it. */
static model_t *setup_compacted(fixture_t *f, uint64_t segment_bytes)
{
    model_t *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    fixture_setup(f);
    f->config.segment_bytes = segment_bytes;
    f->config.index_interval_bytes = 256;
    f->config.compact = true;
    f->config.retention_ms = -1;
    f->config.delete_retention_ms = DAY;
    fixture_open(f);
    return m;
}

static void teardown_compacted(fixture_t *f, model_t *m)
{
    free(m);
    fixture_free(f);
}

START_TEST(test_map)
{
    kl_offset_map_t *map = kl_offset_map_new();
    char key[16];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 5000; i++) {
            int n = snprintf(key, sizeof key, "key%d", i);
            ck_assert_int_eq(kl_offset_map_put(map, key, (size_t)n, round * 10000 + i), KL_ERR_NONE);
        }
    ck_assert_int_eq(kl_offset_map_put(map, "key7", 4, 5), KL_ERR_NONE); /* older: ignored */
    int64_t offset;
    ck_assert_uint_eq(kl_offset_map_count(map), 5000);
    ck_assert(kl_offset_map_get(map, "key7", 4, &offset));
    ck_assert_int_eq(offset, 20007);
    ck_assert(!kl_offset_map_get(map, "key5000", 7, &offset));
    ck_assert_int_eq(kl_offset_map_put(map, "", 0, 3), KL_ERR_NONE); /* an empty key is a key */
    ck_assert(kl_offset_map_get(map, "", 0, &offset));
    ck_assert_int_eq(offset, 3);
    kl_offset_map_free(map);
}
END_TEST

START_TEST(test_random_workload_matches_model)
{
    fixture_t f;
    unsigned seed = 20240601;
    model_t *m = setup_compacted(&f, 2048);
    append_random(&f, m, &seed, 400);
    size_t before = kl_log_segment_count(f.log);
    uint64_t size_before = kl_log_size(f.log);
    ck_assert_uint_gt(before, 10);
    ck_assert(kl_log_clean_due(f.log, f.now));
    kl_log_clean_stats_t st;
    ck_assert_int_eq(kl_log_clean(f.log, f.now, &st), KL_ERR_NONE);
    int64_t clean_end = kl_log_clean_point(f.log);
    ck_assert_int_eq(clean_end, kl_log_end_offset(f.log) - (m->end - clean_end)); /* up to the active segment */
    ck_assert_uint_lt(kl_log_segment_count(f.log), before);
    ck_assert_uint_lt(kl_log_size(f.log), size_before);
    ck_assert_int_gt(st.records_removed, 0);
    ck_assert_uint_eq(kl_log_size(f.log), size_before - st.bytes_read + st.bytes_written);
    check_compacted(f.log, m, clean_end, false);
    /* More writes and a second clean: the first cleaned part is filtered
     * again by the new map. */
    append_random(&f, m, &seed, 300);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    ck_assert_int_gt(kl_log_clean_point(f.log), clean_end);
    check_compacted(f.log, m, kl_log_clean_point(f.log), false);
    /* and the same after a restart, which also keeps the checkpoint */
    int64_t point = kl_log_clean_point(f.log);
    fixture_reopen(&f);
    ck_assert_int_eq(kl_log_clean_point(f.log), point);
    ck_assert(kl_log_dirty_ratio(f.log, f.now) == 0);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NOENT);
    check_compacted(f.log, m, point, false);
    teardown_compacted(&f, m);
}
END_TEST

/* The indexes the cleaner gives a cleaned segment (from the batches it
 * wrote) are the ones a rebuild from the file makes. */
START_TEST(test_cleaned_indexes_match_rebuild)
{
    fixture_t f;
    unsigned seed = 4242;
    model_t *m = setup_compacted(&f, 4096);
    f.config.index_interval_bytes = 100;
    ck_assert_int_eq(kl_log_set_config(f.log, &f.config), KL_ERR_NONE);
    append_random(&f, m, &seed, 300);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    int64_t point = kl_log_clean_point(f.log);
    kl_log_close(f.log);
    f.log = NULL;
    static const char *const suffixes[] = {".index", ".timeindex"};
    uint8_t *saved[64][2];
    off_t sizes[64][2];
    int64_t bases[64];
    size_t n = 0;
    for (int64_t base = 0; base < point && n < 64; base++) {
        char path[256];
        segment_file_path(&f, base, ".log", path, sizeof path);
        if (access(path, F_OK) != 0)
            continue;
        bases[n] = base;
        for (int k = 0; k < 2; k++) {
            segment_file_path(&f, base, suffixes[k], path, sizeof path);
            saved[n][k] = slurp(path, &sizes[n][k]);
            ck_assert_int_eq(unlink(path), 0);
        }
        n++;
    }
    ck_assert_uint_ge(n, 1);
    ck_assert_int_gt(sizes[0][0], 8); /* several entries to compare */
    fixture_open(&f); /* rebuilds the missing indexes */
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            char path[256];
            off_t len;
            segment_file_path(&f, bases[i], suffixes[k], path, sizeof path);
            uint8_t *now = slurp(path, &len);
            ck_assert_int_eq(len, sizes[i][k]);
            ck_assert(len == 0 || memcmp(now, saved[i][k], (size_t)len) == 0);
            free(now);
            free(saved[i][k]);
        }
    check_compacted(f.log, m, point, false);
    teardown_compacted(&f, m);
}
END_TEST

START_TEST(test_merged_segments_fit)
{
    fixture_t f;
    model_t *m = setup_compacted(&f, 1500);
    /* the same 3 keys over and over: each segment shrinks to a few
     * records, and neighbours merge */
    for (int i = 0; i < 200; i++) {
        rec_in_t in = {i % 3, i};
        append_records(&f, m, &in, 1, -1, 0, KL_CODEC_NONE);
    }
    ck_assert_uint_gt(kl_log_segment_count(f.log), 10);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    ck_assert_uint_le(kl_log_segment_count(f.log), 3);
    check_compacted(f.log, m, kl_log_clean_point(f.log), false);
    ck_assert_int_eq(kl_log_start_offset(f.log), 0);
    teardown_compacted(&f, m);
}
END_TEST

/* Key 1 and its tombstone in one segment, key 2 after. */
static void append_tombstone_case(fixture_t *f, model_t *m)
{
    rec_in_t in[] = {{1, 10}, {1, -1}, {2, 20}};
    append_records(f, m, in, 3, -1, 0, KL_CODEC_NONE);
    for (int i = 0; i < 30; i++) {
        rec_in_t more = {3 + i % 4, i};
        append_records(f, m, &more, 1, -1, 0, KL_CODEC_NONE);
    }
}

static bool has_tombstone_of(kl_log_t *log, int key);

START_TEST(test_tombstones_after_delete_retention)
{
    fixture_t f;
    model_t *m = setup_compacted(&f, 600);
    append_tombstone_case(&f, m);
    int64_t t = f.now;
    ck_assert_int_eq(kl_log_clean(f.log, t, NULL), KL_ERR_NONE);
    ck_assert(has_tombstone_of(f.log, 1)); /* first clean: kept */
    /* Not due yet: nothing to do, kept exactly delete.retention.ms. */
    ck_assert(!kl_log_clean_due(f.log, t + DAY));
    ck_assert_int_eq(kl_log_clean(f.log, t + DAY, NULL), KL_ERR_NOENT);
    ck_assert(has_tombstone_of(f.log, 1));
    /* A restart in between keeps the clock of the clean (the file time). */
    fixture_reopen(&f);
    ck_assert(kl_log_clean_due(f.log, t + DAY + 1) || kl_log_dirty_ratio(f.log, t + DAY + 1) == 0);
    ck_assert_int_eq(kl_log_clean(f.log, t + DAY + 1, NULL), KL_ERR_NONE);
    ck_assert(!has_tombstone_of(f.log, 1));
    check_compacted(f.log, m, kl_log_clean_point(f.log), true);
    teardown_compacted(&f, m);
}
END_TEST

typedef struct tomb_search {
    int key;
    bool found;
} tomb_search_t;

static void find_tombstone(void *opaque, const kl_batch_t *b, const kl_record_t *rec)
{
    (void)b;
    tomb_search_t *s = opaque;
    if (rec->key && !rec->value && rec_key(rec) == s->key)
        s->found = true;
}

static bool has_tombstone_of(kl_log_t *log, int key)
{
    tomb_search_t s = {key, false};
    walk_log(log, find_tombstone, &s);
    return s.found;
}

typedef struct meta_check {
    int batches;
    kl_codec_t codec;
} meta_check_t;

static void check_meta(void *opaque, const kl_batch_t *b, const kl_record_t *rec)
{
    meta_check_t *mc = opaque;
    if (b->producer_id != 1000)
        return;
    ck_assert_int_eq(b->producer_epoch, 3);
    ck_assert_int_eq(b->base_sequence, 7);
    ck_assert(kl_batch_is_transactional(b));
    ck_assert_int_eq(kl_batch_codec(b), mc->codec);
    if (rec->offset == b->base_offset)
        mc->batches++;
}

START_TEST(test_batch_metadata_kept)
{
    fixture_t f;
    model_t *m = setup_compacted(&f, 800);
    kl_codec_t codec = kl_codec_available(KL_CODEC_LZ4) ? KL_CODEC_LZ4 : KL_CODEC_NONE;
    /* 4 records, the middle two superseded later: the batch is rewritten */
    rec_in_t in[] = {{10, 1}, {11, 2}, {12, 3}, {13, 4}};
    append_records(&f, m, in, 4, 1000, KL_BATCH_ATTR_TRANSACTIONAL, codec);
    append_commit(&f, m, 1000); /* an open transaction would hold the cleaner back */
    int64_t first = 0;
    for (int i = 0; i < 20; i++) {
        rec_in_t more = {11 + i % 2, 100 + i};
        append_records(&f, m, &more, 1, -1, 0, KL_CODEC_NONE);
    }
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    check_compacted(f.log, m, kl_log_clean_point(f.log), false);
    meta_check_t mc = {0, codec};
    walk_log(f.log, check_meta, &mc);
    ck_assert_int_eq(mc.batches, 1); /* base offset 0 kept: record 0 is there */
    kl_log_range_t r;
    ck_assert_int_eq(kl_log_read(f.log, first, 1 << 20, &r), KL_ERR_NONE);
    ck_assert_int_eq(r.first_offset, 0);
    kl_log_range_release(&r);
    teardown_compacted(&f, m);
}
END_TEST

typedef struct producer_batches {
    int64_t producer_id;
    int empty, full; /* its batches with no record, with some */
    int64_t empty_base, empty_last;
    int32_t empty_sequence;
} producer_batches_t;

static void count_producer_batches(kl_log_t *log, producer_batches_t *pb)
{
    int64_t offset = kl_log_start_offset(log);
    while (offset < kl_log_end_offset(log)) {
        kl_log_range_t r;
        ck_assert_int_eq(kl_log_read(log, offset, 1 << 20, &r), KL_ERR_NONE);
        uint8_t *bytes = read_range(&r);
        kl_batch_iter_t it;
        kl_batch_t b;
        kl_batch_iter_init(&it, bytes, r.length, 0);
        while (kl_batch_iter_next(&it, &b) == KL_ERR_NONE) {
            if (b.producer_id == pb->producer_id && b.record_count == 0) {
                pb->empty++;
                pb->empty_base = b.base_offset;
                pb->empty_last = kl_batch_last_offset(&b);
                pb->empty_sequence = b.base_sequence;
            } else if (b.producer_id == pb->producer_id) {
                pb->full++;
            }
            offset = kl_batch_last_offset(&b) + 1;
        }
        free(bytes);
        kl_log_range_release(&r);
    }
}

/* An idempotent producer's batches that lose every record go, but for
 * its last one, which stays as an empty batch keeping its offsets and
 * sequence (Kafka's rule), so the producer's state survives. */
START_TEST(test_emptied_producer_batch)
{
    fixture_t f;
    model_t *m = setup_compacted(&f, 600);
    rec_in_t first[] = {{20, 1}, {21, 2}};
    rec_in_t last[] = {{22, 3}, {23, 4}, {24, 5}};
    append_records(&f, m, first, 2, 2000, 0, KL_CODEC_NONE);
    append_records(&f, m, last, 3, 2000, 0, KL_CODEC_NONE);
    for (int i = 0; i < 30; i++) { /* every key of the producer again */
        rec_in_t more = {20 + i % 5, 100 + i};
        append_records(&f, m, &more, 1, -1, 0, KL_CODEC_NONE);
    }
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    check_compacted(f.log, m, kl_log_clean_point(f.log), false);
    producer_batches_t pb = {.producer_id = 2000};
    count_producer_batches(f.log, &pb);
    ck_assert_int_eq(pb.full, 0);
    ck_assert_int_eq(pb.empty, 1);
    ck_assert_int_eq(pb.empty_base, 2);
    ck_assert_int_eq(pb.empty_last, 4);
    ck_assert_int_eq(pb.empty_sequence, 7);
    /* what the broker rebuilds producer state from sees it too */
    fixture_reopen(&f);
    count_producer_batches(f.log, &pb);
    ck_assert_int_eq(pb.empty, 2);
    teardown_compacted(&f, m);
}
END_TEST

START_TEST(test_keyless_records_dropped)
{
    fixture_t f;
    model_t *m = setup_compacted(&f, 600);
    for (int i = 0; i < 30; i++) {
        rec_in_t in[] = {{-1, i}, {i % 5, i}};
        append_records(&f, m, in, 2, -1, 0, KL_CODEC_NONE);
    }
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    check_compacted(f.log, m, kl_log_clean_point(f.log), false);
    teardown_compacted(&f, m);
}
END_TEST

/* Files of the partition directory ending with suffix. */
static size_t count_suffix(fixture_t *f, const char *suffix)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s-0", f->root, TOPIC);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0, k = strlen(suffix);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strlen(e->d_name) >= k && strcmp(e->d_name + strlen(e->d_name) - k, suffix) == 0;
    closedir(d);
    return n;
}

START_TEST(test_crash_at_each_swap_step)
{
    static const kl_clean_crash_t steps[] = {KL_CLEAN_CRASH_AFTER_CLEANED, KL_CLEAN_CRASH_AFTER_SWAP,
                                             KL_CLEAN_CRASH_AFTER_DELETE};
    kl_clean_crash_t step = steps[_i];
    fixture_t f;
    unsigned seed = 77;
    model_t *m = setup_compacted(&f, 2048);
    append_random(&f, m, &seed, 200);
    int64_t end = kl_log_end_offset(f.log);
    kl_log_clean_crash_at(f.log, step);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_STATE);
    if (step == KL_CLEAN_CRASH_AFTER_CLEANED)
        ck_assert_uint_gt(count_suffix(&f, ".log.cleaned"), 0);
    else
        ck_assert_uint_eq(count_suffix(&f, ".log.swap"), 1);
    kl_log_abandon(f.log); /* the crash */
    f.log = NULL;
    fixture_open(&f);
    ck_assert_uint_eq(count_suffix(&f, ".log.cleaned"), 0);
    ck_assert_uint_eq(count_suffix(&f, ".log.swap"), 0);
    ck_assert_int_eq(kl_log_end_offset(f.log), end);
    if (step == KL_CLEAN_CRASH_AFTER_CLEANED) {
        check_compacted(f.log, m, 0, false); /* rolled back: all there */
    } else {
        /* Rolled forward: the first group is compacted, the checkpoint
         * was not written: fewer records, each as appended, and every
         * key's newest one there. */
        check_consistent(f.log, m);
    }
    /* Either way a clean now finishes the job. */
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    check_compacted(f.log, m, kl_log_clean_point(f.log), false);
    teardown_compacted(&f, m);
}
END_TEST

START_TEST(test_range_outlives_swap)
{
    fixture_t f;
    unsigned seed = 5;
    model_t *m = setup_compacted(&f, 2048);
    append_random(&f, m, &seed, 100);
    kl_log_range_t r;
    ck_assert_int_eq(kl_log_read(f.log, 0, 1 << 20, &r), KL_ERR_NONE);
    uint8_t *before = read_range(&r);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    uint8_t *after = read_range(&r); /* the old file, still open */
    ck_assert(memcmp(before, after, r.length) == 0);
    kl_log_range_release(&r);
    free(before);
    free(after);
    teardown_compacted(&f, m);
}
END_TEST

START_TEST(test_dirty_ratio_and_lag)
{
    fixture_t f;
    unsigned seed = 9;
    model_t *m = setup_compacted(&f, 2048);
    f.config.min_compaction_lag_ms = 1000;
    ck_assert_int_eq(kl_log_set_config(f.log, &f.config), KL_ERR_NONE);
    append_random(&f, m, &seed, 200); /* batches 10 ms apart: 2 s */
    ck_assert(!kl_log_clean_due(f.log, T0)); /* everything younger than the lag */
    ck_assert_int_eq(kl_log_clean(f.log, T0, NULL), KL_ERR_NOENT);
    int64_t mid = T0 + 1000;
    ck_assert(kl_log_clean_due(f.log, mid + 500));
    ck_assert_int_eq(kl_log_clean(f.log, mid + 500, NULL), KL_ERR_NONE);
    int64_t point = kl_log_clean_point(f.log);
    ck_assert_int_gt(point, 0);
    ck_assert_int_lt(point, m->end / 2); /* the first quarter's segments, about */
    check_compacted(f.log, m, point, false);
    /* Dirty ratio: nothing dirty but what the lag held back. */
    double ratio = kl_log_dirty_ratio(f.log, f.now + 10000);
    ck_assert(ratio > 0 && ratio < 1);
    f.config.min_cleanable_dirty_ratio = 1;
    ck_assert_int_eq(kl_log_set_config(f.log, &f.config), KL_ERR_NONE);
    ck_assert(!kl_log_clean_due(f.log, f.now + 10000));
    f.config.min_cleanable_dirty_ratio = 0.01;
    ck_assert_int_eq(kl_log_set_config(f.log, &f.config), KL_ERR_NONE);
    ck_assert(kl_log_clean_due(f.log, f.now + 10000));
    /* a log that is not compacted is never due */
    f.config.compact = false;
    ck_assert_int_eq(kl_log_set_config(f.log, &f.config), KL_ERR_NONE);
    ck_assert(!kl_log_clean_due(f.log, f.now + 10000));
    teardown_compacted(&f, m);
}
END_TEST

/* The owner appends (and installs what the cleaner prepared) while
 * another thread keeps cleaning. */
typedef struct concurrent {
    fixture_t *f;
    model_t *m;
    atomic_bool done;
    int cleans;
} concurrent_t;

static void *cleaner_thread(void *arg)
{
    concurrent_t *c = arg;
    while (!atomic_load(&c->done)) {
        kl_err_t err = kl_log_clean_prepare(c->f->log, T0 + 1000000, 0);
        ck_assert(err == KL_ERR_NONE || err == KL_ERR_NOENT || err == KL_ERR_STATE);
        c->cleans += err == KL_ERR_NONE;
        sched_yield();
    }
    return NULL;
}

START_TEST(test_appends_while_cleaning)
{
    fixture_t f;
    unsigned seed = 31;
    model_t *m = setup_compacted(&f, 4096);
    concurrent_t c = {&f, m, false, 0};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, cleaner_thread, &c), 0);
    int installed = 0;
    for (int i = 0; i < 3000 && (i < 1500 || installed < 3); i++) {
        append_random(&f, m, &seed, 1);
        if (kl_log_clean_prepared(f.log)) {
            ck_assert_int_eq(kl_log_clean_install(f.log, NULL), KL_ERR_NONE);
            installed++;
        }
    }
    atomic_store(&c.done, true);
    pthread_join(t, NULL);
    if (kl_log_clean_prepared(f.log))
        ck_assert_int_eq(kl_log_clean_install(f.log, NULL), KL_ERR_NONE);
    ck_assert_int_gt(installed, 0);
    check_compacted(f.log, m, kl_log_clean_point(f.log), false);
    /* a last clean on the owner (nothing left to do if the thread's last
     * one reached the active segment) */
    kl_err_t err = kl_log_clean(f.log, f.now, NULL);
    ck_assert(err == KL_ERR_NONE || err == KL_ERR_NOENT);
    check_compacted(f.log, m, kl_log_clean_point(f.log), false);
    teardown_compacted(&f, m);
}
END_TEST

static Suite *cleaner_suite(void)
{
    Suite *s = suite_create("storage_cleaner");
    TCase *tc = tcase_create("cleaner");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_map);
    tcase_add_test(tc, test_random_workload_matches_model);
    tcase_add_test(tc, test_merged_segments_fit);
    tcase_add_test(tc, test_cleaned_indexes_match_rebuild);
    tcase_add_test(tc, test_tombstones_after_delete_retention);
    tcase_add_test(tc, test_batch_metadata_kept);
    tcase_add_test(tc, test_keyless_records_dropped);
    tcase_add_test(tc, test_emptied_producer_batch);
    tcase_add_loop_test(tc, test_crash_at_each_swap_step, 0, 3);
    tcase_add_test(tc, test_range_outlives_swap);
    tcase_add_test(tc, test_dirty_ratio_and_lag);
    tcase_add_test(tc, test_appends_while_cleaning);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cleaner_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
