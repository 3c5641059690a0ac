/* The log cleaner (lib/storage/cleaner*.c) on a compacted log holding
 * transactions: committed ones, an aborted one whose record is the
 * newest of its key, and one still open (past the last stable offset)
 * in a closed segment. What a read_committed reader makes of the log
 * (the newest committed value of each key below the last stable offset)
 * is the same before and after each clean; the aborted records go, the
 * open transaction's segment is not cleaned until it ends, and the
 * markers go once their transaction's records are gone and
 * delete.retention.ms has passed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/batch.h"
#include "record/control.h"
#include "storage/cleaner.h"
#include "storage_fixture.h"

#define KEYS 8
#define DAY (24 * 3600 * 1000LL)
#define MAX_EVENTS 4096
#define MAX_TXNS 64

/* Appends one batch of producer pid (-1: none) with key=value records
 * ("k<key>" / "v<value>"; value -1 is a tombstone). */
static void append(fixture_t *f, int64_t pid, const int *keys, const int *values, int n)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    p.producer_id = pid;
    p.producer_epoch = pid >= 0 ? 0 : -1;
    p.base_sequence = pid >= 0 ? 0 : -1;
    p.attributes = pid >= 0 ? KL_BATCH_ATTR_TRANSACTIONAL : 0;
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), KL_ERR_NONE);
    for (int i = 0; i < n; i++) {
        char key[16], value[16];
        int kl = snprintf(key, sizeof key, "k%d", keys[i]), vl = snprintf(value, sizeof value, "v%d", values[i]);
        ck_assert_int_eq(kl_batch_writer_append(&w, f->now, key, (size_t)kl, values[i] >= 0 ? value : NULL,
                                                (size_t)vl, NULL, 0),
                         KL_ERR_NONE);
    }
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    uint8_t *batch = kl_batch_writer_take(&w, &len);
    kl_log_append_info_t info;
    ck_assert_int_eq(kl_log_append_at(f->log, batch, len, f->now, &info), KL_ERR_NONE);
    free(batch);
    kl_batch_writer_free(&w);
    f->now += 10;
}

static void put(fixture_t *f, int64_t pid, int key, int value) { append(f, pid, &key, &value, 1); }

static void marker(fixture_t *f, int64_t pid, int16_t type)
{
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_control_batch_encode(pid, 0, type, 0, f->now, &data, &len), KL_ERR_NONE);
    kl_log_append_info_t info;
    ck_assert_int_eq(kl_log_append_at(f->log, data, len, f->now, &info), KL_ERR_NONE);
    free(data);
    f->now += 10;
}

/* What read_committed shows, made into a table: value of each key (-1:
 * none), from the records below the last stable offset that are not in
 * an aborted transaction. Also counts the log's markers and records. */
typedef struct view {
    int value[KEYS];
    int markers, records;
} view_t;

typedef struct event {
    int64_t offset;
    int key, value, txn; /* txn: index, -1 outside one */
} event_t;

static void read_committed(kl_log_t *log, view_t *v)
{
    static event_t ev[MAX_EVENTS];
    struct { int64_t pid, first; int outcome; } txns[MAX_TXNS]; /* outcome: -1 open, 0 abort, 1 commit */
    int n = 0, nt = 0;
    *v = (view_t){0};
    kl_record_iter_t it;
    kl_record_iter_init(&it, 0);
    for (int64_t offset = kl_log_start_offset(log); offset < kl_log_end_offset(log);) {
        kl_log_range_t r;
        ck_assert_int_eq(kl_log_read(log, offset, 1 << 20, &r), KL_ERR_NONE);
        uint8_t *bytes = read_range(&r);
        kl_batch_iter_t bi;
        kl_batch_t b;
        kl_batch_iter_init(&bi, bytes, r.length, 0);
        while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE) {
            offset = kl_batch_last_offset(&b) + 1;
            int t = -1;
            for (int i = nt - 1; i >= 0 && t < 0; i--)
                if (txns[i].pid == b.producer_id && txns[i].outcome < 0)
                    t = i;
            if (kl_batch_is_control(&b)) {
                int16_t type;
                ck_assert(kl_control_records_type(b.records, b.records_size, &type));
                v->markers++;
                if (t >= 0)
                    txns[t].outcome = type == KL_CONTROL_COMMIT;
                continue;
            }
            if (kl_batch_is_transactional(&b) && t < 0) {
                ck_assert_int_lt(nt, MAX_TXNS);
                txns[nt].pid = b.producer_id;
                txns[nt].first = b.base_offset;
                txns[nt].outcome = -1;
                t = nt++;
            }
            ck_assert_int_eq(kl_record_iter_start(&it, &b), KL_ERR_NONE);
            kl_record_t rec;
            while (kl_record_iter_next(&it, &rec) == KL_ERR_NONE) {
                ck_assert_int_lt(n, MAX_EVENTS);
                ev[n++] = (event_t){rec.offset, atoi((const char *)rec.key + 1),
                                    rec.value ? atoi((const char *)rec.value + 1) : -1,
                                    kl_batch_is_transactional(&b) ? t : -1};
                v->records++;
            }
        }
        free(bytes);
        kl_log_range_release(&r);
    }
    kl_record_iter_free(&it);
    int64_t lso = INT64_MAX;
    for (int i = 0; i < nt; i++)
        if (txns[i].outcome < 0 && txns[i].first < lso)
            lso = txns[i].first;
    for (int k = 0; k < KEYS; k++)
        v->value[k] = -1;
    for (int i = 0; i < n; i++)
        if (ev[i].offset < lso && (ev[i].txn < 0 || txns[ev[i].txn].outcome == 1))
            v->value[ev[i].key] = ev[i].value;
}

static void expect_same(const view_t *a, const view_t *b)
{
    for (int k = 0; k < KEYS; k++)
        ck_assert_msg(a->value[k] == b->value[k], "key %d: %d before the clean, %d after", k, a->value[k],
                      b->value[k]);
}

/* Non-transactional records of keys 5-7 until the log rolled past the
 * segment in use. */
static void roll(fixture_t *f)
{
    size_t segments = kl_log_segment_count(f->log);
    for (int i = 0; kl_log_segment_count(f->log) == segments; i++)
        put(f, -1, 5 + i % 3, 100 + i);
}

START_TEST(test_transactions_survive_cleaning)
{
    fixture_t f;
    fixture_setup(&f);
    f.config.segment_bytes = 400;
    f.config.compact = true;
    f.config.retention_ms = -1;
    f.config.delete_retention_ms = DAY;
    fixture_open(&f);
    put(&f, -1, 0, 1);
    put(&f, -1, 1, 1);
    put(&f, -1, 2, 1);
    put(&f, 1000, 0, 2); /* committed */
    marker(&f, 1000, KL_CONTROL_COMMIT);
    int keys[] = {1, 3}, values[] = {2, 1};
    append(&f, 2000, keys, values, 2); /* aborted: k1's newest record */
    marker(&f, 2000, KL_CONTROL_ABORT);
    put(&f, -1, 2, 2);
    roll(&f);
    put(&f, 3000, 2, 3); /* open, in a segment that closes */
    put(&f, 1000, 4, 1); /* committed, after the open one */
    marker(&f, 1000, KL_CONTROL_COMMIT);
    roll(&f);
    roll(&f);
    view_t before, after;
    read_committed(f.log, &before);
    ck_assert_int_eq(before.value[0], 2);
    ck_assert_int_eq(before.value[1], 1);
    ck_assert_int_eq(before.value[2], 2);
    ck_assert_int_eq(before.value[3], -1);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    read_committed(f.log, &after);
    expect_same(&before, &after);
    ck_assert_int_lt(after.records, before.records);
    ck_assert_int_eq(after.markers, 3); /* the segments that held them were dirty */
    /* the open transaction ends: its segment is cleaned now */
    marker(&f, 3000, KL_CONTROL_COMMIT);
    roll(&f);
    read_committed(f.log, &before);
    ck_assert_int_eq(before.value[2], 3);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    read_committed(f.log, &after);
    expect_same(&before, &after);
    /* past delete.retention.ms, the aborted transaction's marker goes (its
     * records went); the committed ones stay with their records. A
     * producer's last batch stays (its state), so each writes again. */
    put(&f, 2000, 3, 5);
    marker(&f, 2000, KL_CONTROL_COMMIT);
    f.now += DAY + 1;
    roll(&f);
    read_committed(f.log, &before);
    ck_assert_int_eq(kl_log_clean(f.log, f.now, NULL), KL_ERR_NONE);
    read_committed(f.log, &after);
    expect_same(&before, &after);
    ck_assert_int_eq(before.value[3], 5);
    ck_assert_int_eq(after.markers, before.markers - 1);
    fixture_free(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("storage_cleaner_txn");
    TCase *tc = tcase_create("cleaner_txn");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_transactions_survive_cleaning);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
