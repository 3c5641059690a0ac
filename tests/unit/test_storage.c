/* Unit tests for lib/storage: the partition log's append/read round trip
 * across segments, reopen, recovery of torn and corrupt tails, index
 * rebuild, read budgets and storage errors. Each test uses its own mkdtemp
 * directory and removes it. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/batch.h"
#include "storage/log.h"
#include "storage_fixture.h"
#include "test_skip.h"

START_TEST(test_round_trip_across_segments)
{
    fixture_t f;
    fixture_init(&f, 4096, 512);
    append_batches(&f, 60, 200);
    ck_assert_uint_gt(kl_log_segment_count(f.log), 5);
    check_log_contents(&f);
    /* Every offset, even mid-batch, reads from the batch holding it. */
    for (int64_t o = 0; o < kl_log_end_offset(f.log); o++) {
        kl_log_range_t r;
        ck_assert_int_eq(kl_log_read(f.log, o, 1 << 20, &r), KL_ERR_NONE);
        ck_assert_int_eq(r.first_offset, o / RECORDS_PER_BATCH * RECORDS_PER_BATCH);
        kl_log_range_release(&r);
    }
    fixture_free(&f);
}
END_TEST

START_TEST(test_offsets_survive_reopen)
{
    fixture_t f;
    fixture_init(&f, 4096, 512);
    append_batches(&f, 25, 200);
    size_t segments = kl_log_segment_count(f.log);
    fixture_reopen(&f);
    ck_assert_uint_eq(kl_log_segment_count(f.log), segments);
    ck_assert_uint_eq(kl_log_recovered_bytes(f.log), 0);
    check_log_contents(&f);
    append_batches(&f, 5, 200);
    fixture_reopen(&f);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

START_TEST(test_torn_tail_recovered)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 512);
    append_batches(&f, 10, 100);
    char path[256];
    last_segment_path(&f, ".log", path, sizeof path);
    off_t size = file_size(path);

    /* Cut the last batch in the middle. */
    ck_assert_int_eq(truncate(path, size - (off_t)f.sizes[9] / 2), 0);
    fixture_reopen(&f);
    ck_assert_uint_eq(kl_log_recovered_bytes(f.log), f.sizes[9] - f.sizes[9] / 2);
    fixture_forget_from(&f, 9);
    check_log_contents(&f);
    ck_assert_int_eq(file_size(path), size - (off_t)f.sizes[9]);

    /* Garbage after the last whole batch. */
    int fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    uint8_t junk[100];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    ck_assert_int_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    fixture_reopen(&f);
    ck_assert_uint_eq(kl_log_recovered_bytes(f.log), sizeof junk);
    check_log_contents(&f);
    append_batches(&f, 2, 100);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

/* Checks that the open made exactly one repair, of this kind, naming
 * segment base's .log, these offsets [first, end) and these bytes. */
static void check_one_repair(fixture_t *f, kl_log_repair_kind_t kind, int64_t base, int64_t first, int64_t end,
                             uint64_t position, uint64_t bytes)
{
    size_t n;
    const kl_log_repair_t *r = kl_log_repairs(f->log, &n);
    ck_assert_uint_eq(n, 1);
    char path[256];
    segment_file_path(f, base, ".log", path, sizeof path);
    ck_assert_int_eq(r->kind, kind);
    ck_assert_str_eq(r->path, path);
    ck_assert_int_eq(r->first_offset, first);
    ck_assert_int_eq(r->end_offset, end);
    ck_assert_uint_eq(r->position, position);
    ck_assert_uint_eq(r->bytes, bytes);
    ck_assert_uint_eq(kl_log_recovered_bytes(f->log), bytes);
    char line[1024];
    kl_log_repair_describe(f->log, r, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, path));
}

/* Issue 13, fault 2: six bytes flipped inside a batch that is not the last
 * one. Only that batch may go: the valid ones after it are kept (moved to
 * a segment of their own), and the drop is reported. */
START_TEST(test_damaged_batch_dropped_alone)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 512);
    append_batches(&f, 8, 100);
    char path[256];
    last_segment_path(&f, ".log", path, sizeof path);
    off_t size = file_size(path);
    kl_log_abandon(f.log); /* a crash: a clean close would vouch for the data */
    f.log = NULL;

    off_t batch6 = size - (off_t)f.sizes[7] - (off_t)f.sizes[6];
    flip_bytes(path, batch6 + (off_t)f.sizes[6] / 2, 6);
    ck_assert_int_eq(kl_log_open(f.root, TOPIC, 0, &f.config, &f.log), KL_ERR_NONE);
    check_one_repair(&f, KL_LOG_REPAIR_SKIPPED, 0, f.offsets[6], f.offsets[7], (uint64_t)batch6, f.sizes[6]);
    ck_assert_uint_eq(kl_log_segment_count(f.log), 2);
    ck_assert_int_eq(file_size(path), batch6);
    fixture_forget_one(&f, 6);
    check_log_contents(&f);

    /* It stays repaired: more appends, a clean reopen, then a crash and a
     * full rescan find nothing more to drop. */
    append_batches(&f, 2, 100);
    fixture_reopen(&f);
    check_log_contents(&f);
    kl_log_abandon(f.log);
    f.log = NULL;
    char ck[256];
    snprintf(ck, sizeof ck, "%s/%s-0/recovery-point-offset-checkpoint", f.root, TOPIC);
    unlink(ck);
    fixture_open(&f);
    size_t n;
    kl_log_repairs(f.log, &n);
    ck_assert_uint_eq(n, 0);
    check_log_contents(&f);

    /* The last batch has nothing after it to vouch for its length: a
     * damaged one is cut, and that is reported too. */
    last_segment_path(&f, ".log", path, sizeof path);
    size = file_size(path);
    int64_t base = f.offsets[f.count - 3]; /* the segment split off above */
    kl_log_abandon(f.log);
    f.log = NULL;
    size_t last = f.count - 1;
    flip_bytes(path, size - (off_t)f.sizes[last] / 2, 6);
    fixture_open(&f);
    check_one_repair(&f, KL_LOG_REPAIR_TRUNCATED, base, f.offsets[last], -1, (uint64_t)(size - (off_t)f.sizes[last]),
                     f.sizes[last]);
    fixture_forget_from(&f, last);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

/* A damaged batch in an older segment: only it goes, and the segments
 * after it stay (before, they were deleted with it). */
START_TEST(test_damaged_batch_in_closed_segment)
{
    fixture_t f;
    fixture_init(&f, 2048, 256);
    append_batches(&f, 24, 60);
    ck_assert_uint_ge(kl_log_segment_count(f.log), 3);
    kl_log_abandon(f.log);
    f.log = NULL;
    /* The second batch of the first segment; no checkpoint: the first
     * segment is scanned as after a crash with nothing flushed. */
    char path[256];
    segment_file_path(&f, 0, ".log", path, sizeof path);
    flip_bytes(path, (off_t)f.sizes[0] + 70, 6);
    char ck[256];
    snprintf(ck, sizeof ck, "%s/%s-0/recovery-point-offset-checkpoint", f.root, TOPIC);
    FILE *fp = fopen(ck, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "0\n1\n%s 0 0\n", TOPIC);
    fclose(fp);
    fixture_open(&f);
    check_one_repair(&f, KL_LOG_REPAIR_SKIPPED, 0, f.offsets[1], f.offsets[2], f.sizes[0], f.sizes[1]);
    fixture_forget_one(&f, 1);
    check_log_contents(&f);
    fixture_reopen(&f);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* The split that drops a damaged batch, cut short by a crash at each of
 * its steps, loses nothing and duplicates nothing at the next open. */
START_TEST(test_split_cut_short_by_a_crash)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 512);
    append_batches(&f, 8, 100);
    char path[256], moved[256], tmp[300];
    last_segment_path(&f, ".log", path, sizeof path);
    kl_log_abandon(f.log);
    f.log = NULL;
    off_t size = file_size(path), batch6 = size - (off_t)f.sizes[7] - (off_t)f.sizes[6];
    flip_bytes(path, batch6 + (off_t)f.sizes[6] / 2, 6);
    off_t len;
    uint8_t *damaged = slurp(path, &len);
    segment_file_path(&f, f.offsets[7], ".log", moved, sizeof moved);
    snprintf(tmp, sizeof tmp, "%s.cleaned", moved);
    char ck[256];
    snprintf(ck, sizeof ck, "%s/%s-0/recovery-point-offset-checkpoint", f.root, TOPIC);

    /* Killed while copying: a partial temporary file, nothing renamed. */
    write_file(tmp, damaged + batch6 + f.sizes[6], f.sizes[7] / 2);
    fixture_open(&f);
    check_one_repair(&f, KL_LOG_REPAIR_SKIPPED, 0, f.offsets[6], f.offsets[7], (uint64_t)batch6, f.sizes[6]);
    ck_assert_int_ne(access(tmp, F_OK), 0);
    kl_log_abandon(f.log);
    f.log = NULL;

    /* Killed after the rename, before the damaged segment was cut: the
     * batches after the damage are in both files, and the checkpoint the
     * split lowered makes the open scan the damaged segment again. */
    off_t ck_len;
    uint8_t *lowered = slurp(ck, &ck_len);
    char want[64];
    int n = snprintf(want, sizeof want, "0\n1\n%s 0 0\n", TOPIC);
    ck_assert_int_eq(ck_len, n);
    ck_assert_mem_eq(lowered, want, (size_t)n);
    free(lowered);
    write_file(path, damaged, (size_t)len);
    fixture_open(&f);
    check_one_repair(&f, KL_LOG_REPAIR_TRUNCATED, 0, f.offsets[6], f.offsets[7], (uint64_t)batch6,
                     f.sizes[6] + f.sizes[7]);
    ck_assert_int_eq(file_size(path), batch6);
    fixture_forget_one(&f, 6);
    check_log_contents(&f);
    free(damaged);
    fixture_free(&f);
}
END_TEST

/* Issue 13, fault 6: a deleted .log after a clean close restarts the
 * partition at offset 0; that is not silent: the checkpoint's offsets
 * that are gone are reported. */
START_TEST(test_deleted_log_reported)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 512);
    append_batches(&f, 4, 100);
    char path[256];
    last_segment_path(&f, ".log", path, sizeof path);
    kl_log_close(f.log);
    f.log = NULL;
    ck_assert_int_eq(unlink(path), 0);
    fixture_open(&f);
    size_t n;
    const kl_log_repair_t *r = kl_log_repairs(f.log, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(r->kind, KL_LOG_REPAIR_LOST);
    ck_assert_int_eq(r->first_offset, 0);
    ck_assert_int_eq(r->end_offset, 4 * RECORDS_PER_BATCH);
    ck_assert_ptr_nonnull(strstr(r->path, "recovery-point-offset-checkpoint"));
    fixture_forget_from(&f, 0);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

START_TEST(test_deleted_index_rebuilt)
{
    fixture_t f;
    fixture_init(&f, 8192, 300);
    append_batches(&f, 40, 200);
    ck_assert_uint_gt(kl_log_segment_count(f.log), 2);
    fixture_reopen(&f); /* the active segment's index is written on close */
    char last[256], first[256];
    last_segment_path(&f, ".index", last, sizeof last);
    snprintf(first, sizeof first, "%s/%020d.index", kl_log_dir(f.log), 0);
    off_t last_len, first_len;
    uint8_t *last_bytes = slurp(last, &last_len), *first_bytes = slurp(first, &first_len);
    ck_assert_int_gt(first_len, 0);
    ck_assert_int_eq(first_len % 8, 0);
    kl_log_close(f.log);
    f.log = NULL;

    ck_assert_int_eq(unlink(last), 0);
    ck_assert_int_eq(unlink(first), 0);
    ck_assert_int_eq(kl_log_open(f.root, TOPIC, 0, &f.config, &f.log), KL_ERR_NONE);
    off_t len;
    uint8_t *again = slurp(last, &len);
    ck_assert_int_eq(len, last_len);
    ck_assert_mem_eq(again, last_bytes, (size_t)len);
    free(again);
    again = slurp(first, &len);
    ck_assert_int_eq(len, first_len);
    ck_assert_mem_eq(again, first_bytes, (size_t)len);
    free(again);

    /* An index that disagrees with the log is rewritten too. */
    int fd = open(first, O_WRONLY | O_TRUNC);
    ck_assert_int_eq(write(fd, "\0\0\0\x7f\0\0\0\x01", 8), 8);
    close(fd);
    fixture_reopen(&f);
    again = slurp(first, &len);
    ck_assert_int_eq(len, first_len);
    ck_assert_mem_eq(again, first_bytes, (size_t)len);
    free(again);
    check_log_contents(&f);
    free(last_bytes);
    free(first_bytes);
    fixture_free(&f);
}
END_TEST

START_TEST(test_small_budget_one_whole_batch)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 4096);
    append_batches(&f, 5, 300);
    kl_log_range_t r;
    ck_assert_int_eq(kl_log_read(f.log, 0, 1, &r), KL_ERR_NONE);
    ck_assert_uint_eq(r.length, f.sizes[0]);
    kl_log_range_release(&r);
    ck_assert_int_eq(kl_log_read(f.log, 4, f.sizes[1] + f.sizes[2] + 1, &r), KL_ERR_NONE);
    ck_assert_int_eq(r.first_offset, 3);
    ck_assert_uint_eq(r.position, f.sizes[0]);
    ck_assert_uint_eq(r.length, f.sizes[1] + f.sizes[2]);
    kl_log_range_release(&r);
    ck_assert_ptr_null(r.file);
    kl_log_range_release(&r); /* twice: ignored */
    fixture_free(&f);
}
END_TEST

/* A range holds its file: readable after the log is closed, until released. */
START_TEST(test_range_outlives_close)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 4096);
    append_batches(&f, 3, 100);
    kl_log_range_t r;
    ck_assert_int_eq(kl_log_read(f.log, 3, 1 << 20, &r), KL_ERR_NONE);
    kl_log_close(f.log);
    f.log = NULL;
    uint8_t *bytes = read_range(&r);
    ck_assert_uint_eq(r.length, f.sizes[1] + f.sizes[2]);
    ck_assert_mem_eq(bytes, f.batches[1], f.sizes[1]);
    free(bytes);
    kl_log_range_release(&r);
    ck_assert_int_eq(r.fd, -1);
    fixture_free(&f);
}
END_TEST

/* Root ignores directory permissions: as root the case runs again as user
 * nobody (its own TCase, so only it runs again). */
START_TEST(test_read_only_directory)
{
    if (!kl_test_as_nobody("log as nobody"))
        return;
    fixture_t f;
    fixture_init(&f, 2048, 512);
    append_batches(&f, 3, 300);
    size_t segments = kl_log_segment_count(f.log);
    ck_assert_int_eq(chmod(kl_log_dir(f.log), 0555), 0);
    /* The next appends must roll, which needs new files. */
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *b = make_batch(99, 1500, T0, 0, &len);
        ck_assert_int_eq(kl_log_append(f.log, b, len, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
        free(b);
    }
    ck_assert_uint_eq(kl_log_segment_count(f.log), segments);
    check_log_contents(&f);
    ck_assert_int_eq(chmod(kl_log_dir(f.log), 0755), 0);
    append_batches(&f, 3, 1500);
    fixture_reopen(&f);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

/* A segment file removed under the open log: appends would land in a file
 * that no longer has a name and vanish at the next start, so they fail
 * within a few hundred appends, and keep failing. */
START_TEST(test_removed_segment_fails_appends)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 4096);
    append_batches(&f, 3, 100);
    char path[4096];
    snprintf(path, sizeof path, "%s/%020d.log", kl_log_dir(f.log), 0);
    ck_assert_int_eq(unlink(path), 0);
    kl_err_t err = KL_ERR_NONE;
    int appended = 0;
    for (; appended < 1000 && err == KL_ERR_NONE; appended++) {
        size_t len;
        uint8_t *b = make_batch(1, 100, T0, 0, &len);
        err = kl_log_append(f.log, b, len, NULL);
        free(b);
    }
    ck_assert_int_eq(err, KL_ERR_KAFKA_STORAGE_ERROR);
    ck_assert_int_le(appended, 300);
    size_t len;
    uint8_t *b = make_batch(1, 100, T0, 0, &len);
    ck_assert_int_eq(kl_log_append(f.log, b, len, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    free(b);
    fixture_free(&f);
}
END_TEST

/* A full disk, played by RLIMIT_FSIZE: the write stops half way. */
START_TEST(test_full_disk_leaves_log_intact)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 256);
    append_batches(&f, 4, 300);
    char path[256];
    last_segment_path(&f, ".log", path, sizeof path);
    off_t size = file_size(path);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)size + 100;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    size_t len;
    uint8_t *b = make_batch(7, 300, T0, 0, &len);
    ck_assert_int_eq(kl_log_append(f.log, b, len, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    free(b);
    ck_assert_int_eq(file_size(path), size);
    check_log_contents(&f);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    append_batches(&f, 2, 300);
    fixture_reopen(&f);
    ck_assert_uint_eq(kl_log_recovered_bytes(f.log), 0);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

START_TEST(test_bad_batch_rejected)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 4096);
    append_batches(&f, 2, 50);
    size_t len;
    uint8_t *b = make_batch(3, 50, T0, 0, &len);
    b[len - 1] ^= 1; /* CRC no longer matches */
    ck_assert_int_eq(kl_log_append(f.log, b, len, NULL), KL_ERR_CORRUPT_MESSAGE);
    ck_assert_int_eq(kl_log_append(f.log, b, 10, NULL), KL_ERR_CORRUPT_MESSAGE);
    free(b);
    check_log_contents(&f);
    kl_log_t *other;
    ck_assert_int_eq(kl_log_open(f.root, "a/b", 0, NULL, &other), KL_ERR_INVALID_ARG);
    fixture_free(&f);
}
END_TEST

/* The produce path validates once and appends with kl_log_append_checked:
 * the checked header must describe the very bytes appended, and a
 * configuration kl_log_open() would refuse is refused at run time too. */
START_TEST(test_append_checked)
{
    fixture_t f;
    fixture_init(&f, 1 << 20, 4096);
    size_t len, other_len;
    uint8_t *b = make_batch(1, 40, T0, 1, &len);
    uint8_t *other = make_batch(2, 40, T0, 1, &other_len);
    kl_batch_t checked;
    ck_assert_int_eq(kl_batch_validate(other, other_len, KL_BATCH_FROM_CLIENT, &checked, NULL), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_append_checked(f.log, b, len, &checked, T0, NULL), KL_ERR_INVALID_ARG);
    ck_assert_int_eq(kl_batch_validate(b, len, KL_BATCH_FROM_CLIENT, &checked, NULL), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_append_checked(f.log, b, len - 1, &checked, T0, NULL), KL_ERR_INVALID_ARG);
    kl_log_append_info_t info;
    ck_assert_int_eq(kl_log_append_checked(f.log, b, len, &checked, T0, &info), KL_ERR_NONE);
    ck_assert_int_eq(info.base_offset, 0);
    ck_assert_int_eq(info.last_offset, RECORDS_PER_BATCH - 1);
    ck_assert_int_eq(kl_log_end_offset(f.log), RECORDS_PER_BATCH);
    kl_log_config_t c = *kl_log_config(f.log);
    c.segment_bytes = 0;
    ck_assert_int_eq(kl_log_set_config(f.log, &c), KL_ERR_INVALID_ARG);
    ck_assert_uint_eq(kl_log_config(f.log)->segment_bytes, 1 << 20);
    c.segment_bytes = 100;
    ck_assert_int_eq(kl_log_set_config(f.log, &c), KL_ERR_NONE);
    ck_assert_uint_eq(kl_log_config(f.log)->segment_bytes, 100);
    free(b);
    free(other);
    fixture_free(&f);
}
END_TEST

static Suite *storage_suite(void)
{
    Suite *s = suite_create("storage");
    TCase *tc = tcase_create("log");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_round_trip_across_segments);
    tcase_add_test(tc, test_offsets_survive_reopen);
    tcase_add_test(tc, test_torn_tail_recovered);
    tcase_add_test(tc, test_damaged_batch_dropped_alone);
    tcase_add_test(tc, test_damaged_batch_in_closed_segment);
    tcase_add_test(tc, test_split_cut_short_by_a_crash);
    tcase_add_test(tc, test_deleted_log_reported);
    tcase_add_test(tc, test_deleted_index_rebuilt);
    tcase_add_test(tc, test_small_budget_one_whole_batch);
    tcase_add_test(tc, test_range_outlives_close);
    tcase_add_test(tc, test_removed_segment_fails_appends);
    tcase_add_test(tc, test_full_disk_leaves_log_intact);
    tcase_add_test(tc, test_append_checked);
    tcase_add_test(tc, test_bad_batch_rejected);
    suite_add_tcase(s, tc);
    TCase *nobody = tcase_create("log as nobody");
    tcase_set_timeout(nobody, 30);
    tcase_add_test(nobody, test_read_only_directory);
    suite_add_tcase(s, nobody);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(storage_suite());
    srunner_run_all(sr, CK_NORMAL);
    int rc = kl_test_result(sr);
    srunner_free(sr);
    return rc;
}
