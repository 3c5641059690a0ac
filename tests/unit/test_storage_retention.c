/* Unit tests for how lib/storage's partition log shrinks: retention by
 * time (controlled timestamps, and file times for batches without any)
 * and by size, DeleteRecords, truncation, and read ranges that outlive the
 * deletion of their segment. Each test uses its own mkdtemp directory. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "storage/log.h"
#include "storage_fixture.h"

/* The segments' base offsets, from the directory, sorted. */
static size_t list_bases(fixture_t *f, int64_t *bases, size_t max)
{
    DIR *d = opendir(kl_log_dir(f->log));
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strlen(e->d_name) == 24 && strcmp(e->d_name + 20, ".log") == 0) {
            ck_assert_uint_lt(n, max);
            bases[n++] = strtoll(e->d_name, NULL, 10);
        }
    closedir(d);
    for (size_t i = 1; i < n; i++) /* insertion sort: a few dozen */
        for (size_t j = i; j > 0 && bases[j - 1] > bases[j]; j--) {
            int64_t t = bases[j];
            bases[j] = bases[j - 1];
            bases[j - 1] = t;
        }
    return n;
}

/* The index of the appended batch holding offset. */
static size_t batch_holding(const fixture_t *f, int64_t offset)
{
    for (size_t i = 0; i < f->count; i++)
        if (offset < f->offsets[i] + RECORDS_PER_BATCH)
            return i;
    return f->count;
}

/* Largest stamp of the batches in [from, to). */
static int64_t stamps_max(const fixture_t *f, int64_t from, int64_t to)
{
    int64_t max = -1;
    for (size_t i = 0; i < f->count; i++)
        for (int r = 0; f->offsets[i] >= from && f->offsets[i] < to && r < RECORDS_PER_BATCH; r++)
            max = f->stamps[i][r] > max ? f->stamps[i][r] : max;
    return max;
}

/* 30 batches of about 500 bytes, batch i stamped T0 + 1000 i (+ 0..2):
 * three to a segment. */
static void fill(fixture_t *f, int64_t retention_ms, int64_t retention_bytes)
{
    fixture_setup(f);
    f->config.segment_bytes = 1600;
    f->config.index_interval_bytes = 400;
    f->config.retention_ms = retention_ms;
    f->config.retention_bytes = retention_bytes;
    fixture_open(f);
    for (int i = 0; i < 30; i++)
        append_stamped(f, 150, T0 + 1000 * i, 1);
    ck_assert_uint_ge(kl_log_segment_count(f->log), 10);
}

START_TEST(test_retention_by_time)
{
    fixture_t f;
    fill(&f, 10000, -1);
    int64_t bases[64];
    size_t n = list_bases(&f, bases, 64);
    int64_t now = T0 + 30000;
    int64_t first_max = stamps_max(&f, bases[0], bases[1]);
    ck_assert_int_eq(kl_log_retain(f.log, first_max + 10000), KL_ERR_NONE); /* not older than 10 s */
    ck_assert_uint_eq(kl_log_segment_count(f.log), n);
    size_t gone = 0;
    while (gone + 1 < n && now - stamps_max(&f, bases[gone], bases[gone + 1]) > 10000)
        gone++;
    ck_assert_uint_gt(gone, 2);
    ck_assert_int_eq(kl_log_retain(f.log, now), KL_ERR_NONE);
    ck_assert_uint_eq(kl_log_segment_count(f.log), n - gone);
    ck_assert_uint_eq(count_segment_files(&f), n - gone);
    ck_assert_int_eq(kl_log_start_offset(f.log), bases[gone]);
    check_log_from(&f, batch_holding(&f, bases[gone]));
    fixture_reopen(&f);
    ck_assert_int_eq(kl_log_start_offset(f.log), bases[gone]);
    check_log_from(&f, batch_holding(&f, bases[gone]));
    /* Never the active segment, however old. */
    ck_assert_int_eq(kl_log_retain(f.log, now + 1000000), KL_ERR_NONE);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 1);
    ck_assert_int_eq(kl_log_start_offset(f.log), bases[n - 1]);
    check_log_from(&f, batch_holding(&f, bases[n - 1]));
    fixture_free(&f);
}
END_TEST

/* Kafka stops at the first segment not expired, even if later ones are. */
START_TEST(test_retention_stops_at_recent_segment)
{
    fixture_t f;
    fixture_setup(&f);
    f.config.segment_bytes = 1600;
    f.config.retention_ms = 10000;
    fixture_open(&f);
    for (int i = 0; i < 15; i++)
        append_stamped(&f, 150, i == 7 ? T0 + 1000000 : T0 + 1000 * i, 1);
    int64_t bases[64];
    size_t n = list_bases(&f, bases, 64);
    size_t recent = 0;
    while (bases[recent + 1] <= f.offsets[7])
        recent++;
    ck_assert_int_eq(kl_log_retain(f.log, T0 + 100000), KL_ERR_NONE);
    ck_assert_uint_eq(kl_log_segment_count(f.log), n - recent);
    ck_assert_int_eq(kl_log_start_offset(f.log), bases[recent]);
    fixture_free(&f);
}
END_TEST

/* Batches without timestamps expire by their file's modification time. */
START_TEST(test_retention_by_file_time)
{
    fixture_t f;
    fixture_setup(&f);
    f.config.segment_bytes = 1600;
    f.config.retention_ms = 3600 * 1000;
    fixture_open(&f);
    for (int i = 0; i < 9; i++)
        append_stamped(&f, 150, -1, 0);
    int64_t bases[64];
    size_t n = list_bases(&f, bases, 64);
    ck_assert_uint_ge(n, 3);
    ck_assert_int_eq(kl_log_retain(f.log, time(NULL) * 1000LL), KL_ERR_NONE);
    ck_assert_uint_eq(kl_log_segment_count(f.log), n);
    char path[256];
    segment_file_path(&f, bases[0], ".log", path, sizeof path);
    struct timespec old[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
    ck_assert_int_eq(kl_log_retain(f.log, time(NULL) * 1000LL), KL_ERR_NONE);
    ck_assert_uint_eq(kl_log_segment_count(f.log), n - 1);
    ck_assert_int_eq(kl_log_start_offset(f.log), bases[1]);
    fixture_free(&f);
}
END_TEST

START_TEST(test_retention_by_size)
{
    fixture_t f;
    uint64_t limit = 5000;
    fill(&f, -1, (int64_t)limit);
    int64_t bases[64];
    size_t n = list_bases(&f, bases, 64);
    uint64_t total = kl_log_size(f.log), sizes[64];
    for (size_t i = 0; i < n; i++) {
        char path[256];
        segment_file_path(&f, bases[i], ".log", path, sizeof path);
        sizes[i] = (uint64_t)file_size(path);
    }
    size_t gone = 0;
    while (gone + 1 < n && total - sizes[gone] >= limit)
        total -= sizes[gone++];
    ck_assert_int_eq(kl_log_retain(f.log, T0), KL_ERR_NONE);
    ck_assert_uint_eq(kl_log_segment_count(f.log), n - gone);
    ck_assert_uint_eq(kl_log_size(f.log), total);
    ck_assert_uint_ge(kl_log_size(f.log), limit);
    ck_assert_int_eq(kl_log_start_offset(f.log), bases[gone]);
    check_log_from(&f, batch_holding(&f, bases[gone]));
    fixture_free(&f);
}
END_TEST

START_TEST(test_delete_records)
{
    fixture_t f;
    fill(&f, -1, -1);
    int64_t bases[64];
    size_t n = list_bases(&f, bases, 64);
    int64_t cut = bases[3] + 4; /* inside a batch of the fourth segment */
    ck_assert_int_eq(kl_log_delete_records(f.log, kl_log_end_offset(f.log) + 1), KL_ERR_OFFSET_OUT_OF_RANGE);
    ck_assert_int_eq(kl_log_delete_records(f.log, cut), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_start_offset(f.log), cut);
    ck_assert_uint_eq(kl_log_segment_count(f.log), n - 3);
    ck_assert_int_eq(kl_log_delete_records(f.log, cut - 1), KL_ERR_NONE); /* no going back */
    ck_assert_int_eq(kl_log_start_offset(f.log), cut);
    kl_log_range_t r;
    ck_assert_int_eq(kl_log_read(f.log, cut, 1, &r), KL_ERR_NONE);
    ck_assert_int_eq(r.first_offset, f.offsets[batch_holding(&f, cut)]);
    kl_log_range_release(&r);
    int64_t offset, ts;
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, T0, &offset, &ts), KL_ERR_NONE);
    ck_assert_int_eq(offset, cut);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, KL_LOG_TIMESTAMP_EARLIEST, &offset, NULL), KL_ERR_NONE);
    ck_assert_int_eq(offset, cut);
    check_log_from(&f, batch_holding(&f, cut));
    /* It holds across a reopen, crash or not. */
    fixture_reopen(&f);
    ck_assert_int_eq(kl_log_start_offset(f.log), cut);
    check_log_from(&f, batch_holding(&f, cut));
    /* Up to the high watermark: everything but the active segment goes. */
    ck_assert_int_eq(kl_log_delete_records(f.log, -1), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_start_offset(f.log), kl_log_end_offset(f.log));
    ck_assert_uint_eq(kl_log_segment_count(f.log), 1);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, T0, &offset, &ts), KL_ERR_NOENT);
    append_batches(&f, 2, 100);
    check_log_from(&f, f.count - 2);
    fixture_reopen(&f);
    check_log_from(&f, f.count - 2);
    fixture_free(&f);
}
END_TEST

START_TEST(test_truncate)
{
    fixture_t f;
    fill(&f, -1, -1);
    int64_t bases[64];
    size_t n = list_bases(&f, bases, 64);
    ck_assert_int_eq(kl_log_truncate(f.log, -1), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_log_truncate(f.log, kl_log_end_offset(f.log)), KL_ERR_NONE);
    ck_assert_uint_eq(kl_log_segment_count(f.log), n);
    /* At a batch boundary inside the sixth segment. */
    size_t keep = batch_holding(&f, bases[5]) + 1;
    ck_assert_int_eq(kl_log_truncate(f.log, f.offsets[keep]), KL_ERR_NONE);
    fixture_forget_from(&f, keep);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 6);
    ck_assert_uint_eq(count_segment_files(&f), 6);
    check_log_contents(&f);
    /* Inside a batch: the whole batch goes. */
    ck_assert_int_eq(kl_log_truncate(f.log, f.offsets[keep - 2] + 1), KL_ERR_NONE);
    fixture_forget_from(&f, keep - 2);
    check_log_contents(&f);
    int64_t offset, ts;
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, KL_LOG_TIMESTAMP_MAX, &offset, &ts), KL_ERR_NONE);
    ck_assert_int_eq(ts, f.stamps[f.count - 1][RECORDS_PER_BATCH - 1]);
    ck_assert_int_eq(kl_log_find_offset_by_timestamp(f.log, ts + 1, &offset, &ts), KL_ERR_NOENT);
    append_stamped(&f, 150, T0 + 99000, 1);
    append_batches(&f, 4, 150);
    check_log_contents(&f);
    fixture_reopen(&f);
    check_log_contents(&f);
    /* To the very start. */
    ck_assert_int_eq(kl_log_truncate(f.log, 0), KL_ERR_NONE);
    fixture_forget_from(&f, 0);
    ck_assert_int_eq(kl_log_end_offset(f.log), 0);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 1);
    append_batches(&f, 3, 150);
    fixture_reopen(&f);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

/* Below the first segment (records deleted): the log restarts there. */
START_TEST(test_truncate_below_start)
{
    fixture_t f;
    fill(&f, -1, -1);
    int64_t bases[64];
    list_bases(&f, bases, 64);
    ck_assert_int_eq(kl_log_delete_records(f.log, bases[4]), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_truncate(f.log, bases[2]), KL_ERR_NONE);
    fixture_forget_from(&f, 0);
    ck_assert_int_eq(kl_log_start_offset(f.log), bases[2]);
    ck_assert_int_eq(kl_log_end_offset(f.log), bases[2]);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 1);
    ck_assert_uint_eq(count_segment_files(&f), 1);
    append_batches(&f, 4, 150);
    ck_assert_int_eq(f.offsets[0], bases[2]);
    fixture_reopen(&f);
    ck_assert_int_eq(kl_log_start_offset(f.log), bases[2]);
    check_log_from(&f, 0);
    fixture_free(&f);
}
END_TEST

/* A crash cut unflushed records DeleteRecords had passed, so the log start
 * checkpoint lies past the recovered end: the log restarts empty there, as
 * Kafka's does, and what is appended next stays readable after a restart
 * (found by tests/fuzz/fuzz_storage: the start used to come down to the
 * recovered end, and the next open moved it back up over the new records). */
START_TEST(test_start_past_recovered_end)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 4096);
    append_batches(&f, 5, 100);
    int64_t end = kl_log_end_offset(f.log);
    ck_assert_int_eq(kl_log_delete_records(f.log, -1), KL_ERR_NONE);
    char path[256];
    last_segment_path(&f, ".log", path, sizeof path);
    kl_log_abandon(f.log); /* the crash: nothing was flushed */
    f.log = NULL;
    ck_assert_int_eq(truncate(path, 0), 0);
    fixture_open(&f);
    ck_assert_int_eq(kl_log_start_offset(f.log), end);
    ck_assert_int_eq(kl_log_end_offset(f.log), end);
    ck_assert_uint_eq(count_segment_files(&f), 1);
    fixture_forget_from(&f, 0);
    append_batches(&f, 2, 100);
    ck_assert_int_eq(f.offsets[0], end);
    fixture_reopen(&f);
    ck_assert_int_eq(kl_log_start_offset(f.log), end);
    check_log_from(&f, 0);
    fixture_free(&f);
}
END_TEST

/* A range keeps its segment's bytes readable after retention, DeleteRecords
 * or truncation deleted the segment, until it is released. */
START_TEST(test_range_survives_deletion)
{
    fixture_t f;
    fill(&f, 10000, -1);
    int64_t bases[64];
    size_t n = list_bases(&f, bases, 64);
    kl_log_range_t first, middle, last;
    ck_assert_int_eq(kl_log_read(f.log, 0, 1 << 20, &first), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_read(f.log, bases[4], 1 << 20, &middle), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_read(f.log, bases[n - 2], 1 << 20, &last), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_retain(f.log, T0 + 17000), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_delete_records(f.log, bases[5]), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_truncate(f.log, bases[n - 3]), KL_ERR_NONE);
    char path[256];
    segment_file_path(&f, 0, ".log", path, sizeof path);
    ck_assert_int_ne(access(path, F_OK), 0);
    kl_log_close(f.log);
    f.log = NULL;
    kl_log_range_t *ranges[] = {&first, &middle, &last};
    for (size_t i = 0; i < 3; i++) {
        uint8_t *bytes = read_range(ranges[i]);
        size_t at = batch_holding(&f, ranges[i]->first_offset), pos = 0;
        for (; pos < ranges[i]->length; pos += f.sizes[at++])
            ck_assert_mem_eq(bytes + pos, f.batches[at], f.sizes[at]);
        free(bytes);
        kl_log_range_release(ranges[i]);
    }
    fixture_free(&f);
}
END_TEST

static Suite *storage_retention_suite(void)
{
    Suite *s = suite_create("storage_retention");
    TCase *tc = tcase_create("retention");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_retention_by_time);
    tcase_add_test(tc, test_retention_stops_at_recent_segment);
    tcase_add_test(tc, test_retention_by_file_time);
    tcase_add_test(tc, test_retention_by_size);
    tcase_add_test(tc, test_delete_records);
    tcase_add_test(tc, test_truncate);
    tcase_add_test(tc, test_truncate_below_start);
    tcase_add_test(tc, test_start_past_recovered_end);
    tcase_add_test(tc, test_range_survives_deletion);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(storage_retention_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
