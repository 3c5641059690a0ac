/* Unit tests for lib/storage's durability and recovery: the recovery
 * checkpoint (a clean close rescans nothing, a crash rescans from the
 * checkpointed segment on), flush_due/flush and a flusher thread, a cut at
 * every byte of the last two batches, random byte flips in the tail, and a
 * child killed with SIGKILL while it appends. Each test uses its own
 * mkdtemp directory and removes it. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/batch.h"
#include "storage/log.h"
#include "storage_fixture.h"

static void checkpoint_path(fixture_t *f, char *out, size_t len)
{
    snprintf(out, len, "%s/%s-0/recovery-point-offset-checkpoint", f->root, TOPIC);
}

/* Closes as a crash would: nothing flushed, no checkpoint written. */
static void crash(fixture_t *f)
{
    kl_log_abandon(f->log);
    f->log = NULL;
}

/* Sum of the .log sizes of the segments with base >= from. */
static uint64_t bytes_from(fixture_t *f, int64_t from)
{
    DIR *d = opendir(kl_log_dir(f->log));
    ck_assert_ptr_nonnull(d);
    uint64_t total = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strlen(e->d_name) == 24 && strcmp(e->d_name + 20, ".log") == 0 && strtoll(e->d_name, NULL, 10) >= from) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", kl_log_dir(f->log), e->d_name);
            total += (uint64_t)file_size(path);
        }
    closedir(d);
    return total;
}

/* The base offset of the segment holding offset, from the directory. */
static int64_t segment_holding(fixture_t *f, int64_t offset)
{
    DIR *d = opendir(kl_log_dir(f->log));
    int64_t best = -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strlen(e->d_name) == 24 && strcmp(e->d_name + 20, ".log") == 0) {
            int64_t base = strtoll(e->d_name, NULL, 10);
            best = base <= offset && base > best ? base : best;
        }
    closedir(d);
    return best;
}

START_TEST(test_checkpoint_skips_rescan)
{
    fixture_t f;
    fixture_init(&f, 4096, 512);
    append_batches(&f, 40, 200);
    ck_assert_uint_gt(kl_log_segment_count(f.log), 4);
    int64_t leo = kl_log_end_offset(f.log);
    fixture_reopen(&f);
    /* Kafka's format, one line for this partition. */
    char path[256], want[64];
    checkpoint_path(&f, path, sizeof path);
    off_t len;
    uint8_t *text = slurp(path, &len);
    int n = snprintf(want, sizeof want, "0\n1\n%s 0 %lld\n", TOPIC, (long long)leo);
    ck_assert_int_eq(len, n);
    ck_assert_mem_eq(text, want, (size_t)n);
    free(text);
    ck_assert_uint_eq(kl_log_recovery_scanned_bytes(f.log), 0);
    ck_assert_int_eq(kl_log_recovery_point(f.log), leo);
    check_log_contents(&f);

    /* A crash after more appends: from the checkpointed segment on. */
    append_batches(&f, 30, 200);
    int64_t from = segment_holding(&f, leo);
    uint64_t expect = bytes_from(&f, from);
    ck_assert_uint_lt(expect, kl_log_size(f.log));
    crash(&f);
    fixture_open(&f);
    ck_assert_uint_eq(kl_log_recovery_scanned_bytes(f.log), expect);
    ck_assert_uint_eq(kl_log_recovered_bytes(f.log), 0);
    check_log_contents(&f);

    /* No checkpoint at all: the last segment, as before checkpoints. */
    crash(&f);
    ck_assert_int_eq(unlink(path), 0);
    fixture_open(&f);
    ck_assert_uint_eq(kl_log_recovery_scanned_bytes(f.log), bytes_from(&f, segment_holding(&f, INT64_MAX)));
    check_log_contents(&f);
    /* A checkpoint naming more than the log holds is dropped. */
    fixture_reopen(&f);
    crash(&f);
    FILE *fp = fopen(path, "w");
    fprintf(fp, "0\n1\n%s 0 %lld\n", TOPIC, (long long)leo * 10);
    fclose(fp);
    fixture_open(&f);
    ck_assert_uint_gt(kl_log_recovery_scanned_bytes(f.log), 0);
    ck_assert_int_ne(access(path, F_OK), 0);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

START_TEST(test_flush_due)
{
    fixture_t f;
    fixture_setup(&f);
    f.config.segment_bytes = 2048;
    f.config.flush_interval_messages = 2 * RECORDS_PER_BATCH;
    f.config.flush_interval_ms = 1000;
    fixture_open(&f);
    ck_assert(!kl_log_flush_due(f.log, T0));
    append_batches(&f, 1, 100);
    ck_assert(!kl_log_flush_due(f.log, T0 + 999));
    ck_assert(kl_log_flush_due(f.log, T0 + 1000)); /* by age */
    append_batches(&f, 1, 100);
    ck_assert(kl_log_flush_due(f.log, T0)); /* by count */
    ck_assert_int_eq(kl_log_flush(f.log), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_recovery_point(f.log), kl_log_end_offset(f.log));
    ck_assert(!kl_log_flush_due(f.log, T0 + 5000));
    kl_log_close(f.log);
    f.log = NULL;

    /* Kafka's defaults: only a roll makes a flush due. */
    kl_log_config_init(&f.config);
    f.config.segment_bytes = 2048;
    fixture_open(&f);
    append_batches(&f, 1, 500);
    ck_assert(!kl_log_flush_due(f.log, INT64_MAX / 2));
    size_t segments = kl_log_segment_count(f.log);
    while (kl_log_segment_count(f.log) == segments)
        append_batches(&f, 1, 500);
    ck_assert(kl_log_flush_due(f.log, T0));
    ck_assert_int_eq(kl_log_flush(f.log), KL_ERR_NONE);
    ck_assert(!kl_log_flush_due(f.log, T0));
    /* The checkpoint followed the recovery point into the new segment:
     * a crash rescans that one only. */
    append_batches(&f, 1, 100);
    crash(&f);
    fixture_open(&f);
    ck_assert_uint_eq(kl_log_recovery_scanned_bytes(f.log), bytes_from(&f, segment_holding(&f, INT64_MAX)));
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

typedef struct flusher {
    kl_log_t *log;
    atomic_bool stop;
    int flushes;
} flusher_t;

static void *flusher_run(void *arg)
{
    flusher_t *fl = arg;
    while (!atomic_load(&fl->stop)) {
        if (kl_log_flush_due(fl->log, T0)) {
            ck_assert_int_eq(kl_log_flush(fl->log), KL_ERR_NONE);
            fl->flushes++;
        }
        usleep(100);
    }
    return NULL;
}

/* Appends, rolls, reads, retention and truncation on the owner thread
 * while another thread flushes. */
START_TEST(test_flusher_thread)
{
    fixture_t f;
    fixture_setup(&f);
    f.config.segment_bytes = 4096;
    f.config.flush_interval_messages = 10;
    f.config.retention_bytes = 64 * 1024;
    fixture_open(&f);
    flusher_t fl = {.log = f.log};
    atomic_init(&fl.stop, false);
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, flusher_run, &fl), 0);
    for (int round = 0; round < 6; round++) {
        append_batches(&f, 100, 150);
        ck_assert_int_eq(kl_log_retain(f.log, T0), KL_ERR_NONE);
        size_t keep = f.count - 10;
        ck_assert_int_eq(kl_log_truncate(f.log, f.offsets[keep]), KL_ERR_NONE);
        fixture_forget_from(&f, keep);
        kl_log_range_t r;
        ck_assert_int_eq(kl_log_read(f.log, kl_log_start_offset(f.log), 1 << 16, &r), KL_ERR_NONE);
        kl_log_range_release(&r);
    }
    atomic_store(&fl.stop, true);
    pthread_join(thread, NULL);
    ck_assert_int_gt(fl.flushes, 0);
    ck_assert_int_eq(kl_log_flush(f.log), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_recovery_point(f.log), kl_log_end_offset(f.log));
    int64_t start = kl_log_start_offset(f.log);
    size_t from = 0;
    while (f.offsets[from] + RECORDS_PER_BATCH <= start)
        from++;
    check_log_from(&f, from);
    crash(&f);
    fixture_open(&f);
    check_log_from(&f, from);
    fixture_free(&f);
}
END_TEST

/* Rewrites path with len bytes of data. */
static void put_file(const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* A log of 24 small batches over a few segments, crashed; *log_bytes gets
 * a copy of the last segment. Returns the index of its first batch. */
static size_t crashed_log(fixture_t *f, char *path, size_t path_len, uint8_t **log_bytes, off_t *size)
{
    fixture_init(f, 2048, 256);
    append_batches(f, 24, 60);
    ck_assert_uint_ge(kl_log_segment_count(f->log), 3);
    last_segment_path(f, ".log", path, path_len);
    crash(f);
    *log_bytes = slurp(path, size);
    size_t first = f->count;
    for (off_t left = *size; left > 0;)
        left -= (off_t)f->sizes[--first];
    ck_assert_uint_le(first + 3, f->count);
    return first;
}

/* Opens after a crash and checks that exactly batches [0, keep) are there;
 * f->count stays. */
static void check_recovered(fixture_t *f, size_t keep)
{
    char ck[256];
    checkpoint_path(f, ck, sizeof ck);
    unlink(ck);
    fixture_open(f);
    size_t count = f->count;
    f->count = keep;
    check_log_contents(f);
    f->count = count;
    crash(f);
}

/* check_recovered() of every batch but batch drop. */
static void check_recovered_without(fixture_t *f, size_t drop)
{
    fixture_t kept = *f;
    for (size_t i = drop; i + 1 < kept.count; i++) {
        kept.batches[i] = f->batches[i + 1];
        kept.sizes[i] = f->sizes[i + 1];
        kept.offsets[i] = f->offsets[i + 1];
        memcpy(kept.stamps[i], f->stamps[i + 1], sizeof kept.stamps[i]);
    }
    kept.count--;
    check_recovered(&kept, kept.count);
}

/* Removes the segment files based after the segment at path (what a
 * recovery split off it). */
static void remove_segments_after(fixture_t *f, const char *path)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s-0", f->root, TOPIC);
    long long base = strtoll(strrchr(path, '/') + 1, NULL, 10);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char *end;
        long long b = strtoll(e->d_name, &end, 10);
        if (end - e->d_name == 20 && b > base) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            ck_assert_int_eq(unlink(p), 0);
        }
    }
    closedir(d);
}

START_TEST(test_cut_at_every_byte)
{
    fixture_t f;
    char path[256];
    uint8_t *bytes;
    off_t size;
    crashed_log(&f, path, sizeof path, &bytes, &size);
    size_t n = f.count;
    off_t tail = (off_t)(f.sizes[n - 2] + f.sizes[n - 1]);
    for (off_t cut = size - tail; cut <= size; cut++) {
        put_file(path, bytes, (size_t)cut);
        size_t keep = cut == size ? n : cut >= size - (off_t)f.sizes[n - 1] ? n - 1 : n - 2;
        check_recovered(&f, keep);
        off_t whole = keep == n ? size : keep == n - 1 ? size - (off_t)f.sizes[n - 1] : size - tail;
        ck_assert_int_eq(file_size(path), whole);
    }
    /* And the log goes on from there. */
    fixture_open(&f);
    append_batches(&f, 2, 60);
    fixture_reopen(&f);
    check_log_contents(&f);
    free(bytes);
    fixture_free(&f);
}
END_TEST

START_TEST(test_random_byte_flips)
{
    fixture_t f;
    char path[256];
    uint8_t *bytes;
    off_t size;
    size_t first = crashed_log(&f, path, sizeof path, &bytes, &size);
    size_t n = f.count;
    uint8_t *flipped = malloc((size_t)size);
    srand(1234);
    off_t from = size - (off_t)(f.sizes[n - 3] + f.sizes[n - 2] + f.sizes[n - 1]);
    for (int round = 0; round < 300; round++) {
        off_t at = from + rand() % (size - from);
        memcpy(flipped, bytes, (size_t)size);
        flipped[at] ^= (uint8_t)(1 + rand() % 255);
        put_file(path, flipped, (size_t)size);
        /* Which batch was hit, and where in it. */
        size_t hit = first;
        off_t start = 0;
        while (start + (off_t)f.sizes[hit] <= at)
            start += (off_t)f.sizes[hit++];
        off_t in_batch = at - start;
        /* The partition leader epoch (bytes 12-15) is outside the CRC, in
         * Kafka's format as here: no reader can tell it was changed. */
        bool undetectable = in_batch >= 12 && in_batch < 16;
        /* batchLength (bytes 8-11) is outside the CRC too: a damaged one
         * leads nowhere, so the log is cut there; so is a damaged last
         * batch. Any other damaged batch goes alone. */
        bool cut = (in_batch >= 8 && in_batch < 12) || hit == n - 1;
        if (undetectable) {
            uint8_t saved[4];
            memcpy(saved, f.batches[hit] + 12, 4);
            memcpy(f.batches[hit] + 12, flipped + start + 12, 4);
            check_recovered(&f, n);
            memcpy(f.batches[hit] + 12, saved, 4);
        } else if (cut) {
            check_recovered(&f, hit);
            ck_assert_int_eq(file_size(path), start);
        } else {
            check_recovered_without(&f, hit);
            ck_assert_int_eq(file_size(path), start);
            remove_segments_after(&f, path);
        }
    }
    free(flipped);
    free(bytes);
    fixture_free(&f);
}
END_TEST

/* The crash test: a child appends with a flush after each batch
 * and reports each acknowledged offset; SIGKILL at a random moment; every
 * acknowledged batch must be there after recovery. */
static void child_append(const char *root, int fd)
{
    kl_log_config_t config;
    kl_log_config_init(&config);
    config.segment_bytes = 64 * 1024;
    config.flush_interval_messages = 1;
    kl_log_t *log;
    if (kl_log_open(root, TOPIC, 0, &config, &log))
        _exit(1);
    for (int i = 0;; i++) {
        size_t len;
        uint8_t *b = make_batch(i, 1000 + (size_t)(i % 7) * 700, T0 + i, 0, &len);
        int64_t base;
        if (kl_log_append(log, b, len, &base) || (kl_log_flush_due(log, T0) && kl_log_flush(log)) ||
            write(fd, &base, sizeof base) != sizeof base)
            _exit(1);
        free(b);
    }
}

START_TEST(test_sigkill_keeps_acknowledged)
{
    srand((unsigned)getpid());
    for (int run = 0; run < 3; run++) {
        fixture_t f;
        fixture_setup(&f);
        int p[2];
        ck_assert_int_eq(pipe(p), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(p[0]);
            child_append(f.root, p[1]);
        }
        close(p[1]);
        int64_t acked = -1, base;
        int want = 20 + rand() % 200;
        for (int i = 0; i < want && read(p[0], &base, sizeof base) == sizeof base; i++)
            acked = base;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        while (read(p[0], &base, sizeof base) == sizeof base)
            acked = base;
        close(p[0]);
        ck_assert_int_ge(acked, 0);
        fixture_open(&f);
        ck_assert_int_ge(kl_log_end_offset(f.log), acked + RECORDS_PER_BATCH);
        /* Every batch up to the end reads back whole, CRC and all. */
        for (int64_t offset = 0; offset < kl_log_end_offset(f.log);) {
            kl_log_range_t r;
            ck_assert_int_eq(kl_log_read(f.log, offset, 1 << 20, &r), KL_ERR_NONE);
            uint8_t *bytes = read_range(&r);
            kl_batch_iter_t it;
            kl_batch_t b;
            kl_batch_iter_init(&it, bytes, r.length, 0);
            for (; kl_batch_iter_next(&it, &b) == KL_ERR_NONE; offset = kl_batch_last_offset(&b) + 1)
                ck_assert_int_eq(b.base_offset, offset);
            ck_assert_uint_eq(kl_batch_iter_offset(&it), r.length);
            free(bytes);
            kl_log_range_release(&r);
        }
        fixture_free(&f);
    }
}
END_TEST

/* A segment that cannot be opened (a directory in its place: even root
 * cannot open that for writing) fails the open with its path and reason,
 * so the broker can take the partition offline and say why. */
START_TEST(test_unreadable_segment_named)
{
    fixture_t f;
    fixture_init(&f, 1000, 100);
    append_batches(&f, 12, 100);
    ck_assert_uint_gt(kl_log_segment_count(f.log), 2);
    kl_log_close(f.log);
    f.log = NULL;
    char path[256], moved[300];
    segment_file_path(&f, 0, ".log", path, sizeof path);
    snprintf(moved, sizeof moved, "%s.moved", path);
    ck_assert_int_eq(rename(path, moved), 0);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    char why[512];
    kl_log_t *log = NULL;
    ck_assert_int_eq(kl_log_open_why(f.root, TOPIC, 0, &f.config, &log, why, sizeof why),
                     KL_ERR_KAFKA_STORAGE_ERROR);
    ck_assert_ptr_null(log);
    ck_assert_msg(strstr(why, path) && strstr(why, "directory"), "why: %s", why);
    /* nothing was touched: put back, it opens with everything */
    ck_assert_int_eq(rmdir(path), 0);
    ck_assert_int_eq(rename(moved, path), 0);
    fixture_open(&f);
    check_log_contents(&f);
    fixture_free(&f);
}
END_TEST

static Suite *storage_recovery_suite(void)
{
    Suite *s = suite_create("storage_recovery");
    TCase *tc = tcase_create("recovery");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_checkpoint_skips_rescan);
    tcase_add_test(tc, test_flush_due);
    tcase_add_test(tc, test_flusher_thread);
    tcase_add_test(tc, test_cut_at_every_byte);
    tcase_add_test(tc, test_random_byte_flips);
    tcase_add_test(tc, test_unreadable_segment_named);
    tcase_add_test(tc, test_sigkill_keeps_acknowledged);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(storage_recovery_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
