/* Unit tests for transactions on the partition side: control batches
 * (lib/record/control.c), the aborted-transaction index files
 * (lib/storage/txn_index.c) and the per-producer transaction state, last
 * stable offset and markers (lib/broker/partition_txn.c), on a real
 * partition log, through a clean restart, a crash that lost index
 * files, and the cleaner merging segments and dropping markers. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/producer_state.h"
#include "record/control.h"
#include "storage/cleaner.h"
#include "storage/txn_index.h"
#include "txn_append.h"
#include "util/buf.h"

#define NOW 1700000000000LL
#define EXPIRY (7LL * 24 * 3600 * 1000)

typedef struct txn_fixture {
    char root[64];
    kl_log_t *log;
    producer_state_t ps;
} txn_fixture_t;

static void fx_open(txn_fixture_t *f)
{
    ck_assert_int_eq(kl_log_open(f->root, "t", 0, NULL, &f->log), KL_ERR_NONE);
    producer_state_init(&f->ps);
    size_t repairs;
    ck_assert_int_eq(producer_state_load(&f->ps, f->log, NOW, EXPIRY, &repairs), KL_ERR_NONE);
}

static void fx_init(txn_fixture_t *f)
{
    snprintf(f->root, sizeof f->root, "/tmp/kl-txn-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->root));
    fx_open(f);
}

static void fx_close(txn_fixture_t *f, bool crash)
{
    producer_state_free(&f->ps);
    if (crash)
        kl_log_abandon(f->log);
    else
        kl_log_close(f->log);
    f->log = NULL;
}

static void fx_free(txn_fixture_t *f)
{
    if (f->log)
        fx_close(f, false);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->root);
    ck_assert_int_eq(system(cmd), 0);
}

static int64_t produce(txn_fixture_t *f, int64_t pid, int16_t epoch, int32_t seq, int n, bool transactional)
{
    return txn_append(f->log, &f->ps, pid, epoch, seq, n, transactional);
}

static int64_t marker(txn_fixture_t *f, int64_t pid, int16_t epoch, bool commit)
{
    int64_t offset = -1;
    ck_assert_int_eq(partition_txn_write_marker(&f->ps, f->log, pid, epoch, commit, 3, NOW, &offset), KL_ERR_NONE);
    return offset;
}

static int64_t lso(const txn_fixture_t *f)
{
    return partition_txn_lso(&f->ps, kl_log_high_watermark(f->log));
}

START_TEST(test_control_batch)
{
    for (int16_t type = KL_CONTROL_ABORT; type <= KL_CONTROL_COMMIT; type++) {
        uint8_t *data;
        size_t len;
        ck_assert_int_eq(kl_control_batch_encode(42, 7, type, 9, NOW, &data, &len), KL_ERR_NONE);
        kl_batch_t b;
        const char *why;
        ck_assert_int_eq(kl_batch_validate(data, len, 0, &b, &why), KL_ERR_NONE);
        ck_assert(kl_batch_is_control(&b) && kl_batch_is_transactional(&b));
        ck_assert_int_eq(b.producer_id, 42);
        ck_assert_int_eq(b.producer_epoch, 7);
        ck_assert_int_eq(b.base_sequence, -1);
        ck_assert_int_eq(b.record_count, 1);
        /* clients may not produce them */
        ck_assert_int_ne(kl_batch_validate(data, len, KL_BATCH_FROM_CLIENT, NULL, &why), KL_ERR_NONE);
        kl_record_iter_t it;
        kl_record_t rec;
        kl_record_iter_init(&it, 0);
        ck_assert_int_eq(kl_record_iter_start(&it, &b), KL_ERR_NONE);
        ck_assert_int_eq(kl_record_iter_next(&it, &rec), KL_ERR_NONE);
        int16_t got = -1;
        ck_assert(kl_control_key_type(rec.key, rec.key_len, &got));
        ck_assert_int_eq(got, type);
        ck_assert_uint_eq(rec.value_len, 6);
        ck_assert_int_eq(kl_load_be16(rec.value), 0);
        ck_assert_int_eq((int32_t)kl_load_be32(rec.value + 2), 9);
        kl_record_iter_free(&it);
        got = -1;
        ck_assert(kl_control_records_type(data + 61, len - 61, &got));
        ck_assert_int_eq(got, type);
        ck_assert(!kl_control_records_type(data + 61, 3, &got)); /* cut short */
        int32_t coordinator_epoch = -2;
        got = -1;
        ck_assert(kl_control_records_read(data + 61, len - 61, &got, &coordinator_epoch));
        ck_assert_int_eq(got, type);
        ck_assert_int_eq(coordinator_epoch, 9);
        /* the value cut short: the type still reads, the epoch does not */
        ck_assert(kl_control_records_read(data + 61, len - 61 - 3, &got, &coordinator_epoch));
        ck_assert_int_eq(coordinator_epoch, -1);
        free(data);
    }
}
END_TEST

typedef struct seen {
    kl_aborted_txn_t items[8];
    size_t count;
} seen_t;

static int collect(void *opaque, const kl_aborted_txn_t *e)
{
    seen_t *s = opaque;
    if (s->count < 8)
        s->items[s->count++] = *e;
    return 0;
}

START_TEST(test_markers_and_lso)
{
    txn_fixture_t f;
    fx_init(&f);
    ck_assert_int_eq(produce(&f, 1, 0, 0, 3, true), 0);
    ck_assert_int_eq(lso(&f), 0); /* pid 1's transaction holds it */
    ck_assert_int_eq(produce(&f, 2, 0, 0, 1, false), 3);
    ck_assert_int_eq(produce(&f, 1, 0, 3, 2, true), 4);
    ck_assert_int_eq(lso(&f), 0);
    /* while ongoing, pid 1 may not write outside its transaction */
    kl_batch_t b = {.producer_id = 1, .producer_epoch = 0, .base_sequence = 5};
    const char *why = NULL;
    ck_assert_int_eq(partition_txn_check(&f.ps, &b, &why), KL_ERR_INVALID_TXN_STATE);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_eq(produce(&f, 3, 0, 0, 1, true), 6); /* another transaction */
    ck_assert_int_eq(marker(&f, 1, 0, false), 7);       /* abort pid 1 */
    ck_assert_int_eq(lso(&f), 6);                       /* pid 3's is left */
    ck_assert_uint_eq(f.ps.aborted.count, 1);
    kl_aborted_txn_t e = f.ps.aborted.items[0];
    ck_assert_int_eq(e.producer_id, 1);
    ck_assert_int_eq(e.first_offset, 0);
    ck_assert_int_eq(e.last_offset, 7);
    ck_assert_int_eq(e.last_stable_offset, 6);
    ck_assert_int_eq(marker(&f, 3, 0, true), 8); /* commit pid 3: not indexed */
    ck_assert_uint_eq(f.ps.aborted.count, 1);
    ck_assert_int_eq(lso(&f), 9);
    ck_assert_int_eq(lso(&f), kl_log_high_watermark(f.log));
    /* a marker of an older epoch than the partition saw is fenced */
    ck_assert_int_eq(produce(&f, 1, 1, 0, 1, true), 9);
    int64_t off;
    ck_assert_int_eq(partition_txn_write_marker(&f.ps, f.log, 1, 0, false, 3, NOW, &off),
                     KL_ERR_INVALID_PRODUCER_EPOCH);
    ck_assert_int_eq(kl_log_end_offset(f.log), 10); /* nothing written */
    /* a bumped epoch on the marker restarts the producer's sequences */
    ck_assert_int_eq(marker(&f, 1, 2, false), 10);
    ck_assert_int_eq(produce(&f, 1, 2, 0, 1, false), 11);
    /* Kafka's fetch rule: last offset >= fetch offset, first < upper */
    seen_t s = {0};
    ck_assert_uint_eq(kl_txn_index_collect(&f.ps.aborted, 0, 12, collect, &s), 2);
    ck_assert_int_eq(s.items[1].first_offset, 9);
    s.count = 0;
    ck_assert_uint_eq(kl_txn_index_collect(&f.ps.aborted, 8, 12, collect, &s), 1);
    ck_assert_int_eq(s.items[0].last_offset, 10);
    ck_assert_uint_eq(kl_txn_index_collect(&f.ps.aborted, 0, 9, collect, &s), 1);
    ck_assert_uint_eq(kl_txn_index_collect(&f.ps.aborted, 11, 12, collect, &s), 0);
    /* read_committed reads stop at the LSO */
    ck_assert_int_eq(produce(&f, 4, 0, 0, 1, true), 12);
    kl_log_range_t r;
    ck_assert_int_eq(kl_log_read_until(f.log, 12, 1 << 20, lso(&f), &r), KL_ERR_NONE);
    ck_assert_uint_eq(r.length, 0);
    kl_log_range_release(&r);
    ck_assert_int_eq(kl_log_read_until(f.log, 11, 1 << 20, lso(&f), &r), KL_ERR_NONE);
    ck_assert_uint_gt(r.length, 0);
    size_t one = r.length;
    kl_log_range_release(&r);
    ck_assert_int_eq(kl_log_read(f.log, 11, 1 << 20, &r), KL_ERR_NONE);
    ck_assert_uint_gt(r.length, one);
    kl_log_range_release(&r);
    fx_free(&f);
}
END_TEST

/* The state after: pid 1 aborted [0, 3], pid 2 committed [4, 5], pid 5
 * ongoing from 6. */
static void write_history(txn_fixture_t *f)
{
    ck_assert_int_eq(produce(f, 1, 0, 0, 3, true), 0);
    ck_assert_int_eq(marker(f, 1, 0, false), 3);
    ck_assert_int_eq(produce(f, 2, 0, 0, 1, true), 4);
    ck_assert_int_eq(marker(f, 2, 0, true), 5);
    ck_assert_int_eq(produce(f, 5, 0, 0, 2, true), 6);
}

static void check_history(txn_fixture_t *f)
{
    ck_assert_int_eq(kl_log_end_offset(f->log), 8);
    ck_assert_int_eq(lso(f), 6);
    ck_assert_uint_eq(f->ps.ongoing, 1);
    ck_assert_uint_eq(f->ps.aborted.count, 1);
    kl_aborted_txn_t e = f->ps.aborted.items[0];
    ck_assert_int_eq(e.producer_id, 1);
    ck_assert_int_eq(e.first_offset, 0);
    ck_assert_int_eq(e.last_offset, 3);
    ck_assert_int_eq(e.last_stable_offset, 4);
    /* the ongoing one ends after the restart as before it */
    ck_assert_int_eq(marker(f, 5, 0, false), 8);
    ck_assert_int_eq(lso(f), 9);
    ck_assert_uint_eq(f->ps.aborted.count, 2);
}

static char *txnindex_path(const txn_fixture_t *f, char *buf, size_t size)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/t-0", f->root);
    kl_txn_index_path(dir, 0, buf, size);
    return buf;
}

START_TEST(test_restart)
{
    txn_fixture_t f;
    fx_init(&f);
    write_history(&f);
    char path[256];
    struct stat st;
    ck_assert_int_eq(stat(txnindex_path(&f, path, sizeof path), &st), 0);
    ck_assert_int_eq(st.st_size, KL_TXN_INDEX_ENTRY_SIZE);
    fx_close(&f, false);
    fx_open(&f);
    check_history(&f);
    fx_free(&f);
}
END_TEST

/* Loads the state again after a crash and says how many index files the
 * rebuild rewrote. */
static size_t crash_and_load(txn_fixture_t *f)
{
    fx_close(f, true);
    ck_assert_int_eq(kl_log_open(f->root, "t", 0, NULL, &f->log), KL_ERR_NONE);
    producer_state_init(&f->ps);
    size_t repairs = 99;
    ck_assert_int_eq(producer_state_load(&f->ps, f->log, NOW, EXPIRY, &repairs), KL_ERR_NONE);
    return repairs;
}

START_TEST(test_index_lost)
{
    txn_fixture_t f;
    fx_init(&f);
    write_history(&f);
    char path[256];
    ck_assert_int_eq(unlink(txnindex_path(&f, path, sizeof path)), 0);
    ck_assert_uint_eq(crash_and_load(&f), 1);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0); /* written again */
    ck_assert_int_eq(st.st_size, KL_TXN_INDEX_ENTRY_SIZE);
    check_history(&f);
    fx_free(&f);
}
END_TEST

START_TEST(test_index_damaged)
{
    txn_fixture_t f;
    fx_init(&f);
    write_history(&f);
    /* a torn entry, and one for a marker the log does not hold */
    char path[256];
    FILE *fp = fopen(txnindex_path(&f, path, sizeof path), "ab");
    ck_assert_ptr_nonnull(fp);
    uint8_t junk[KL_TXN_INDEX_ENTRY_SIZE + 5] = {0};
    kl_store_be64(junk + 2, 9);
    kl_store_be64(junk + 10, 100);
    kl_store_be64(junk + 18, 200);
    ck_assert_uint_eq(fwrite(junk, 1, sizeof junk, fp), sizeof junk);
    fclose(fp);
    ck_assert_uint_eq(crash_and_load(&f), 1);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, KL_TXN_INDEX_ENTRY_SIZE);
    check_history(&f);
    /* nothing to repair the next time */
    ck_assert_uint_eq(crash_and_load(&f), 0);
    fx_free(&f);
}
END_TEST

START_TEST(test_retention_removes_index)
{
    txn_fixture_t f;
    fx_init(&f);
    write_history(&f);
    char path[256];
    kl_txn_index_trim(&f.ps.aborted, 4);
    ck_assert_uint_eq(f.ps.aborted.count, 0);
    /* the file goes with its segment */
    kl_log_config_t config = *kl_log_config(f.log);
    config.segment_bytes = 1;
    ck_assert_int_eq(kl_log_set_config(f.log, &config), KL_ERR_NONE);
    produce(&f, 6, 0, 0, 1, false);
    ck_assert_int_eq(kl_log_delete_records(f.log, 8), KL_ERR_NONE);
    ck_assert_int_ne(access(txnindex_path(&f, path, sizeof path), F_OK), 0);
    fx_free(&f);
}
END_TEST

/* The .txnindex files of the partition directory match the index in
 * memory, each entry in the file of the segment holding its marker. */
static void check_index_files(txn_fixture_t *f)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/t-0", f->root);
    kl_txn_index_t disk = {0};
    ck_assert_int_eq(kl_txn_index_load(&disk, dir, kl_log_end_offset(f->log)), KL_ERR_NONE);
    ck_assert_uint_eq(disk.count, f->ps.aborted.count);
    for (size_t i = 0; i < disk.count; i++) {
        const kl_aborted_txn_t *a = &disk.items[i], *m = &f->ps.aborted.items[i];
        ck_assert_int_eq(a->last_offset, m->last_offset);
        ck_assert_int_eq(a->first_offset, m->first_offset);
        ck_assert_int_eq(a->segment_base, m->segment_base);
        ck_assert_int_eq(a->segment_base, kl_log_segment_base_of(f->log, a->last_offset));
    }
    kl_txn_index_free(&disk);
}

/* The cleaner merges the segments holding abort markers: their entries
 * move to the merged segment's file, and the files of the segments merged
 * away go; once delete.retention.ms has passed and the aborted records
 * are gone, the markers go and so do their entries. */
START_TEST(test_index_follows_clean)
{
    txn_fixture_t f;
    fx_init(&f);
    kl_log_config_t config = *kl_log_config(f.log);
    config.segment_bytes = 1; /* a segment per batch */
    config.compact = true;
    config.delete_retention_ms = EXPIRY;
    ck_assert_int_eq(kl_log_set_config(f.log, &config), KL_ERR_NONE);
    produce(&f, 1, 0, 0, 2, true);
    int64_t abort1 = marker(&f, 1, 0, false);
    produce(&f, 2, 0, 0, 1, true);
    int64_t abort2 = marker(&f, 2, 0, false);
    produce(&f, 3, 0, 0, 1, true);
    marker(&f, 3, 0, true);
    produce(&f, 4, 0, 0, 1, false);
    ck_assert_uint_eq(f.ps.aborted.count, 2);
    check_index_files(&f);
    config.segment_bytes = 1 << 20; /* the clean merges them */
    ck_assert_int_eq(kl_log_set_config(f.log, &config), KL_ERR_NONE);
    size_t segments = kl_log_segment_count(f.log), changed = 0;
    ck_assert_int_eq(kl_log_clean(f.log, NOW, NULL), KL_ERR_NONE);
    ck_assert_int_lt(kl_log_segment_count(f.log), segments);
    ck_assert_int_eq(partition_txn_cleaned(&f.ps, f.log, &changed), KL_ERR_NONE);
    ck_assert_uint_gt(changed, 0);
    ck_assert_uint_eq(f.ps.aborted.count, 2); /* the markers stay for now */
    check_index_files(&f);
    /* later: the producers wrote again, so the markers are not their last
     * batches; the aborted records are gone, the markers go */
    config.segment_bytes = 1;
    ck_assert_int_eq(kl_log_set_config(f.log, &config), KL_ERR_NONE);
    produce(&f, 1, 1, 0, 1, false);
    produce(&f, 2, 1, 0, 1, false);
    produce(&f, 4, 0, 1, 1, false);
    config.segment_bytes = 1 << 20;
    ck_assert_int_eq(kl_log_set_config(f.log, &config), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_clean(f.log, NOW + EXPIRY + 1, NULL), KL_ERR_NONE);
    ck_assert_int_eq(partition_txn_cleaned(&f.ps, f.log, &changed), KL_ERR_NONE);
    ck_assert_ptr_null(kl_txn_index_find(&f.ps.aborted, abort1));
    ck_assert_ptr_null(kl_txn_index_find(&f.ps.aborted, abort2));
    check_index_files(&f);
    fx_close(&f, false);
    fx_open(&f);
    check_index_files(&f);
    fx_free(&f);
}
END_TEST

static Suite *partition_txn_suite(void)
{
    Suite *s = suite_create("partition_txn");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_control_batch);
    tcase_add_test(tc, test_markers_and_lso);
    tcase_add_test(tc, test_restart);
    tcase_add_test(tc, test_index_lost);
    tcase_add_test(tc, test_index_damaged);
    tcase_add_test(tc, test_retention_removes_index);
    tcase_add_test(tc, test_index_follows_clean);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(partition_txn_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
