/* Unit tests for lib/storage's time side: the .timeindex in Kafka's
 * format, ListOffsets by time (against a brute-force answer, through the
 * index as written, as reloaded and as rebuilt), LogAppendTime. Each test
 * uses its own mkdtemp directory and removes it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/batch.h"
#include "storage/log.h"
#include "storage_fixture.h"
#include "util/buf.h"

/* The first record (offset order) stamped >= ts: what Kafka answers. */
static bool brute_force(const fixture_t *f, int64_t ts, int64_t *offset, int64_t *found)
{
    for (size_t i = 0; i < f->count; i++)
        for (int r = 0; r < RECORDS_PER_BATCH; r++)
            if (f->stamps[i][r] >= ts) {
                *offset = f->offsets[i] + r;
                *found = f->stamps[i][r];
                return true;
            }
    return false;
}

static void check_every_timestamp(fixture_t *f, int64_t from, int64_t to)
{
    for (int64_t ts = from; ts <= to; ts++) {
        int64_t want_offset, want_ts, offset, found;
        kl_err_t err = kl_log_find_offset_by_timestamp(f->log, ts, &offset, &found);
        if (!brute_force(f, ts, &want_offset, &want_ts)) {
            ck_assert_int_eq(err, KL_ERR_NOENT);
            ck_assert_int_eq(offset, -1);
            continue;
        }
        ck_assert_int_eq(err, KL_ERR_NONE);
        ck_assert_msg(offset == want_offset, "ts %lld: offset %lld, want %lld", (long long)(ts - T0), (long long)offset, (long long)want_offset);
        ck_assert_int_eq(found, want_ts);
    }
}

/* Batch i stamped T0 + 10 i + {0, 4, 8}, but every 7th goes 45 ms back in
 * time, as producers' clocks do. */
static void append_wandering(fixture_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t base = T0 + 10 * (int64_t)f->count - (f->count % 7 == 6 ? 45 : 0);
        append_stamped(f, 150, base, 4);
    }
}

/* Every entry: 12 bytes, timestamps rising, each the max timestamp of the
 * batch ending at its offset. */
static void check_timeindex_file(fixture_t *f, int64_t base, size_t min_entries)
{
    char path[256];
    segment_file_path(f, base, ".timeindex", path, sizeof path);
    off_t len;
    uint8_t *bytes = slurp(path, &len);
    ck_assert_int_eq(len % 12, 0);
    ck_assert_uint_ge((size_t)len / 12, min_entries);
    int64_t prev = -1;
    for (off_t at = 0; at < len; at += 12) {
        int64_t ts = (int64_t)kl_load_be64(bytes + at);
        int64_t offset = base + (int32_t)kl_load_be32(bytes + at + 8);
        ck_assert_int_gt(ts, prev);
        prev = ts;
        size_t i = (size_t)((offset - f->offsets[0]) / RECORDS_PER_BATCH);
        ck_assert_int_eq(f->offsets[i] + RECORDS_PER_BATCH - 1, offset);
        ck_assert_int_eq(f->stamps[i][RECORDS_PER_BATCH - 1], ts);
    }
    free(bytes);
}

START_TEST(test_find_offset_by_timestamp)
{
    fixture_t f;
    fixture_init(&f, 4096, 300);
    append_wandering(&f, 60);
    ck_assert_uint_gt(kl_log_segment_count(f.log), 4);
    int64_t last_ts = T0 + 10 * 59 + 8;
    check_every_timestamp(&f, T0 - 3, last_ts + 3);
    check_timeindex_file(&f, 0, 3);
    /* The same answers from the index files as reloaded ... */
    fixture_reopen(&f);
    check_every_timestamp(&f, T0 - 3, last_ts + 3);
    /* ... and as rebuilt from the .log when they are gone. */
    kl_log_close(f.log);
    f.log = NULL;
    for (size_t i = 0; i < f.count; i++) {
        char path[256];
        segment_file_path(&f, f.offsets[i], ".timeindex", path, sizeof path);
        unlink(path);
    }
    fixture_open(&f);
    check_every_timestamp(&f, T0 - 3, last_ts + 3);
    check_timeindex_file(&f, 0, 3);
    fixture_free(&f);
}
END_TEST

START_TEST(test_special_timestamps)
{
    fixture_t f;
    fixture_init(&f, 4096, 300);
    int64_t offset, found;
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, KL_LOG_TIMESTAMP_MAX, &offset, &found), KL_ERR_NOENT);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, T0, &offset, &found), KL_ERR_NOENT);
    append_wandering(&f, 30);
    append_stamped(&f, 100, T0 + 5000, -1); /* the max comes first in its batch */
    append_wandering(&f, 10);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, KL_LOG_TIMESTAMP_LATEST, &offset, &found), KL_ERR_NONE);
    ck_assert_int_eq(offset, kl_log_end_offset(f.log));
    ck_assert_int_eq(found, -1);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, KL_LOG_TIMESTAMP_EARLIEST, &offset, NULL), KL_ERR_NONE);
    ck_assert_int_eq(offset, 0);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, KL_LOG_TIMESTAMP_MAX, &offset, &found), KL_ERR_NONE);
    ck_assert_int_eq(offset, f.offsets[30]);
    ck_assert_int_eq(found, T0 + 5000);
    fixture_reopen(&f);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, KL_LOG_TIMESTAMP_MAX, &offset, &found), KL_ERR_NONE);
    ck_assert_int_eq(offset, f.offsets[30]);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, -7, &offset, &found), KL_ERR_INVALID_ARG);
    fixture_free(&f);
}
END_TEST

START_TEST(test_log_append_time)
{
    fixture_t f;
    fixture_setup(&f);
    f.config.timestamp_type = KL_LOG_APPEND_TIME;
    f.config.index_interval_bytes = 100;
    fixture_open(&f);
    for (int i = 0; i < 20; i++) {
        f.now = T0 + 1000 + 10 * i;
        append_stamped(&f, 80, T0, 1); /* the producer's stamps are replaced */
        ck_assert_int_eq(f.stamps[i][0], f.now);
    }
    for (size_t i = 0; i < f.count; i++) {
        kl_batch_t b;
        ck_assert_int_eq(kl_batch_validate(f.batches[i], f.sizes[i], 0, &b, NULL), KL_ERR_NONE);
        ck_assert(kl_batch_is_log_append_time(&b));
        ck_assert_int_eq(b.max_timestamp, T0 + 1000 + 10 * (int64_t)i);
    }
    check_log_contents(&f);
    check_every_timestamp(&f, T0 + 990, T0 + 1200);
    fixture_reopen(&f); /* the active segment's index is written on close */
    check_timeindex_file(&f, 0, 5);
    check_every_timestamp(&f, T0 + 990, T0 + 1200);
    fixture_free(&f);

    /* CreateTime: no log append time in the answer. */
    fixture_init(&f, 4096, 300);
    size_t len;
    uint8_t *b = make_batch(1, 10, T0, 0, &len);
    kl_log_append_info_t info;
    ck_assert_int_eq(kl_log_append_at(f.log, b, len, T0 + 99, &info), KL_ERR_NONE);
    ck_assert_int_eq(info.log_append_time, -1);
    ck_assert_int_eq(info.log_start_offset, 0);
    free(b);
    fixture_free(&f);
}
END_TEST

/* A rolled segment's time index ends with its max timestamp (Kafka writes
 * that entry on roll), even when no index entry was due. */
START_TEST(test_timeindex_sealed_on_roll)
{
    fixture_t f;
    fixture_init(&f, 2048, 1 << 20);
    append_wandering(&f, 20);
    ck_assert_uint_gt(kl_log_segment_count(f.log), 2);
    char path[256];
    segment_file_path(&f, 0, ".timeindex", path, sizeof path);
    ck_assert_int_eq(file_size(path), 12);
    check_timeindex_file(&f, 0, 1);
    fixture_free(&f);
}
END_TEST

/* log.roll.ms counts in the batches' own timestamps. */
START_TEST(test_roll_by_time)
{
    fixture_t f;
    fixture_setup(&f);
    f.config.segment_ms = 1000;
    fixture_open(&f);
    append_stamped(&f, 10, T0, 1);
    append_stamped(&f, 10, T0 + 900, 100); /* max T0 + 1100 - T0 > 1000 */
    ck_assert_uint_eq(kl_log_segment_count(f.log), 2);
    append_stamped(&f, 10, T0 + 1500, 1);
    append_stamped(&f, 10, T0 + 2000, 1); /* 2002 - 1102 <= 1000 */
    ck_assert_uint_eq(kl_log_segment_count(f.log), 2);
    append_stamped(&f, 10, T0 + 2103, 0);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 3);
    /* A producer's clock going back in time does not roll. */
    append_stamped(&f, 10, T0 - 50000, 0);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 3);
    check_log_contents(&f);
    fixture_reopen(&f);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 3);
    append_stamped(&f, 10, T0 + 3104, 0); /* the first batch is remembered */
    ck_assert_uint_eq(kl_log_segment_count(f.log), 4);
    check_log_contents(&f);
    fixture_free(&f);

    /* No timestamps: the segment's age by the clock decides. */
    fixture_setup(&f);
    f.config.segment_ms = 1000;
    fixture_open(&f);
    f.now = INT64_MAX / 4; /* far past the system clock that stamped its creation */
    append_stamped(&f, 10, -1, 0);
    append_stamped(&f, 10, -1, 0);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 2);
    fixture_free(&f);
}
END_TEST

/* kl_log_scan: the newest segments' batch headers, going back while a
 * segment holds something at or after the given time, never below the
 * log start offset; producer fields as written. */
typedef struct scanned {
    int64_t base[16];
    kl_log_batch_info_t last;
    int n;
} scanned_t;

static int on_batch(void *opaque, const kl_log_batch_info_t *b)
{
    scanned_t *s = opaque;
    ck_assert_int_lt(s->n, 16);
    s->base[s->n++] = b->base_offset;
    s->last = *b;
    return 0;
}

static int scan_from(fixture_t *f, int64_t since, scanned_t *s)
{
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(kl_log_scan(f->log, since, on_batch, s), KL_ERR_NONE);
    return s->n;
}

START_TEST(test_scan_newest_segments)
{
    fixture_t f;
    fixture_init(&f, 200, 4096); /* one batch per segment */
    for (int i = 0; i < 4; i++)
        append_stamped(&f, 60, T0 + 1000 * i, 0);
    scanned_t s;
    ck_assert_int_eq(scan_from(&f, T0 + 1500, &s), 2);
    ck_assert_int_eq(s.base[0], 6);
    ck_assert_int_eq(s.base[1], 9);
    ck_assert_int_eq(s.last.producer_id, -1);
    ck_assert_int_eq(s.last.max_timestamp, T0 + 3000);
    ck_assert_int_eq(scan_from(&f, INT64_MIN, &s), 4);
    ck_assert_int_eq(scan_from(&f, T0 + 99999, &s), 1); /* the last one always */
    ck_assert_int_eq(kl_log_delete_records(f.log, 4), KL_ERR_NONE);
    ck_assert_int_eq(scan_from(&f, INT64_MIN, &s), 3);
    ck_assert_int_eq(s.base[0], 3);

    /* an idempotent producer's batch */
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.producer_id = 77;
    params.producer_epoch = 3;
    params.base_sequence = 41;
    ck_assert_int_eq(kl_batch_writer_open(&w, &params), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_writer_append(&w, T0, "k", 1, "v", 1, NULL, 0), KL_ERR_NONE);
    ck_assert_int_eq(kl_batch_writer_append(&w, T0, "k", 1, "v", 1, NULL, 0), KL_ERR_NONE);
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    uint8_t *copy = malloc(len);
    memcpy(copy, data, len);
    ck_assert_int_eq(kl_log_append_at(f.log, copy, len, f.now, NULL), KL_ERR_NONE);
    free(copy);
    kl_batch_writer_free(&w);
    ck_assert_int_eq(scan_from(&f, T0 + 99999, &s), 1);
    ck_assert_int_eq(s.last.base_offset, 12);
    ck_assert_int_eq(s.last.last_offset, 13);
    ck_assert_int_eq(s.last.producer_id, 77);
    ck_assert_int_eq(s.last.producer_epoch, 3);
    ck_assert_int_eq(s.last.base_sequence, 41);
    fixture_free(&f);
}
END_TEST

static Suite *storage_time_suite(void)
{
    Suite *s = suite_create("storage_time");
    TCase *tc = tcase_create("time");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_find_offset_by_timestamp);
    tcase_add_test(tc, test_special_timestamps);
    tcase_add_test(tc, test_log_append_time);
    tcase_add_test(tc, test_timeindex_sealed_on_roll);
    tcase_add_test(tc, test_roll_by_time);
    tcase_add_test(tc, test_scan_newest_segments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(storage_time_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
