/* The transaction coordinator (lib/broker/txn_coordinator.c, txn_log.c)
 * on a broker that is created but not started, driven directly: the
 * __transaction_state partition of an id (Java's String.hashCode, as
 * Kafka places it), the state replayed after a restart, a transaction
 * whose commit was decided but whose markers were not written before
 * the broker went down completed at the next start, a timed-out
 * transaction aborted with the epoch bumped, which its producer may
 * claim (KIP-588). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/server.h"
#include "broker/txn_coordinator.h"
#include "record/batch_layout.h"
#include "record/control.h"
#include "storage/file.h"
#include "../unit/txn_append.h"
#include "broker_fixture.h"

static kl_broker_t *broker_new_at(const char *dir)
{
    char errstr[512];
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "PLAINTEXT://127.0.0.1:0", errstr, sizeof errstr), 0);
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", dir, errstr, sizeof errstr), 0);
    ck_assert_int_eq(kl_conf_set(conf, "transaction.state.log.num.partitions", "3", errstr, sizeof errstr), 0);
    kl_broker_t *b = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(b != NULL, "kl_broker_new: %s", errstr);
    return b;
}

typedef struct coord_fixture {
    char dir[64];
    kl_broker_t *b;
    broker_topic_t *topic; /* "data", one partition */
} coord_fixture_t;

static void setup(coord_fixture_t *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/kl-txn-coord-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    f->b = broker_new_at(f->dir);
    ck_assert_int_eq(topics_create(&f->b->topics, kl_str("data"), 1, 1, NULL, NULL, 0, &f->topic), KL_ERR_NONE);
}

static void restart(coord_fixture_t *f)
{
    kl_broker_destroy(f->b);
    f->b = broker_new_at(f->dir);
    f->topic = topics_find(&f->b->topics, kl_str("data"));
    ck_assert_ptr_nonnull(f->topic);
}

static void teardown(coord_fixture_t *f)
{
    kl_broker_destroy(f->b);
    fixture_remove_dir(f->dir);
}

static txn_meta_t *meta_of(coord_fixture_t *f, const char *id)
{
    for (size_t i = 0; f->b->txns && i < f->b->txns->count; i++)
        if (!strcmp(f->b->txns->items[i]->id, id))
            return f->b->txns->items[i];
    return NULL;
}

/* InitProducerId, then a transaction on data-0 holding n records. */
static txn_meta_t *begin(coord_fixture_t *f, const char *id, int32_t timeout_ms, int n)
{
    int64_t pid = -1;
    int16_t epoch = -1;
    ck_assert_int_eq(txns_init_producer_id(f->b, kl_str(id), timeout_ms, -1, -1, &pid, &epoch), 0);
    txn_meta_t *m = NULL;
    ck_assert_int_eq(txns_check(f->b->txns, kl_str(id), pid, epoch, &m), 0);
    txn_partition_t part = {"data", 0};
    ck_assert_int_eq(txns_add_partitions(f->b->txns, m, &part, 1), 0);
    ck_assert_int_eq(m->status, TXN_ONGOING);
    txn_append(f->topic->logs[0], &f->topic->producers[0], pid, epoch, 0, n, true);
    return m;
}

static int64_t lso(coord_fixture_t *f)
{
    return partition_txn_lso(&f->topic->producers[0], kl_log_high_watermark(f->topic->logs[0]));
}

/* The control type of the last batch of data-0, or -1 if not a marker;
 * *coordinator_epoch (when not NULL) its value's coordinator epoch. */
static int last_marker_read(coord_fixture_t *f, int32_t *coordinator_epoch)
{
    kl_log_t *log = f->topic->logs[0];
    kl_log_range_t r;
    ck_assert_int_eq(kl_log_read(log, kl_log_end_offset(log) - 1, 1 << 20, &r), KL_ERR_NONE);
    ck_assert_uint_gt(r.length, KL_BATCH_HEADER_SIZE);
    uint8_t buf[256];
    size_t len = r.length < sizeof buf ? r.length : sizeof buf;
    ck_assert_int_eq(kl_pread_full(r.fd, buf, len, r.position), (ssize_t)len);
    kl_log_range_release(&r);
    int16_t type = -1;
    int32_t ce = -1;
    if (!(buf[KL_BATCH_POS_ATTRIBUTES + 1] & KL_BATCH_ATTR_CONTROL) ||
        !kl_control_records_read(buf + KL_BATCH_HEADER_SIZE, len - KL_BATCH_HEADER_SIZE, &type, &ce))
        return -1;
    if (coordinator_epoch)
        *coordinator_epoch = ce;
    return type;
}

static int last_marker(coord_fixture_t *f)
{
    return last_marker_read(f, NULL);
}

/* The coordinator epoch data-0 took last for pid, as DescribeProducers shows it. */
static int32_t partition_coordinator_epoch(coord_fixture_t *f, int64_t pid)
{
    const producer_entry_t *e = producer_state_find(&f->topic->producers[0], pid);
    ck_assert_msg(e != NULL, "data-0 does not know producer %lld", (long long)pid);
    return e->coordinator_epoch;
}

START_TEST(test_partition_for)
{
    /* String.hashCode of each, non-negative, modulo 50 */
    ck_assert_int_eq(txn_log_partition_for(kl_str("tx"), 50), 16);
    ck_assert_int_eq(txn_log_partition_for(kl_str("transactional-id-1"), 50), 41);
    ck_assert_int_eq(txn_log_partition_for(kl_str("\xc3\xa9t\xc3\xa9"), 50), 42);       /* U+00E9 */
    ck_assert_int_eq(txn_log_partition_for(kl_str("\xf0\x9f\x98\x80x"), 50), 39);       /* a surrogate pair */
}
END_TEST

START_TEST(test_state_survives_restart)
{
    coord_fixture_t f;
    setup(&f);
    txn_meta_t *m = begin(&f, "tx-r", 60000, 3);
    int64_t pid = m->producer_id;
    ck_assert_int_eq(txns_end(f.b, kl_str("tx-r"), pid, 0, true), 0);
    ck_assert_int_eq(last_marker(&f), KL_CONTROL_COMMIT);
    begin(&f, "tx-open", 60000, 2);
    restart(&f);
    m = meta_of(&f, "tx-r");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->status, TXN_COMPLETE_COMMIT);
    ck_assert_int_eq(m->producer_id, pid);
    ck_assert_int_eq(m->epoch, 0);
    txn_meta_t *open = meta_of(&f, "tx-open");
    ck_assert_ptr_nonnull(open);
    ck_assert_int_eq(open->status, TXN_ONGOING);
    ck_assert_uint_eq(open->count, 1);
    ck_assert_str_eq(open->parts[0].topic, "data");
    ck_assert_int_eq(lso(&f), 4); /* its records start at 4 */
    /* the next instance of tx-open aborts it and is fenced in */
    int64_t pid2;
    int16_t epoch2;
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-open"), 60000, -1, -1, &pid2, &epoch2), 0);
    ck_assert_int_eq(pid2, open->producer_id);
    ck_assert_int_eq(epoch2, 1);
    ck_assert_int_eq(last_marker(&f), KL_CONTROL_ABORT);
    ck_assert_int_eq(lso(&f), kl_log_high_watermark(f.topic->logs[0]));
    ck_assert_int_eq(txns_end(f.b, kl_str("tx-open"), pid2, 0, true), KL_ERR_INVALID_PRODUCER_EPOCH);
    teardown(&f);
}
END_TEST

/* Each load of the coordinator has a newer epoch, which its markers
 * carry; the partition keeps the newest per producer (rebuilt from the
 * markers at open) and refuses an older one. */
START_TEST(test_coordinator_epoch_fences_markers)
{
    coord_fixture_t f;
    setup(&f);
    int32_t e0 = f.b->txns->coordinator_epoch, got = -2;
    ck_assert_int_ge(e0, 0);
    txn_meta_t *m = begin(&f, "tx-ce", 60000, 2);
    int64_t pid = m->producer_id;
    ck_assert_int_eq(txns_end(f.b, kl_str("tx-ce"), pid, m->epoch, true), 0);
    ck_assert_int_eq(last_marker_read(&f, &got), KL_CONTROL_COMMIT);
    ck_assert_int_eq(got, e0);
    ck_assert_int_eq(partition_coordinator_epoch(&f, pid), e0);
    restart(&f);
    int32_t e1 = f.b->txns->coordinator_epoch;
    ck_assert_int_eq(e1, e0 + 1);
    ck_assert_int_eq(partition_coordinator_epoch(&f, pid), e0); /* from the marker in the log */
    m = begin(&f, "tx-ce", 60000, 1);
    int16_t epoch = m->epoch;
    ck_assert_int_eq(txns_end(f.b, kl_str("tx-ce"), pid, epoch, false), 0);
    ck_assert_int_eq(last_marker_read(&f, &got), KL_CONTROL_ABORT);
    ck_assert_int_eq(got, e1);
    restart(&f);
    ck_assert_int_eq(f.b->txns->coordinator_epoch, e1 + 1);
    ck_assert_int_eq(partition_coordinator_epoch(&f, pid), e1);
    /* a zombie coordinator of the load before: refused, nothing written */
    kl_log_t *log = f.topic->logs[0];
    int64_t end = kl_log_end_offset(log), offset = -1;
    txn_append(log, &f.topic->producers[0], pid, epoch, 1, 1, true); /* the aborted one held seq 0 */
    int64_t txn_end = kl_log_end_offset(log), lso_before = lso(&f);
    ck_assert_int_gt(txn_end, end);
    ck_assert_int_eq(partition_txn_write_marker(&f.topic->producers[0], log, pid, epoch, true, e0, kl_wallclock_ms(),
                                                &offset),
                     KL_ERR_TRANSACTION_COORDINATOR_FENCED);
    ck_assert_int_eq(kl_log_end_offset(log), txn_end);
    ck_assert_int_eq(lso(&f), lso_before);
    ck_assert_int_eq(partition_coordinator_epoch(&f, pid), e1);
    /* the current coordinator's marker goes in */
    ck_assert_int_eq(partition_txn_write_marker(&f.topic->producers[0], log, pid, epoch, true, e1 + 1,
                                                kl_wallclock_ms(), &offset),
                     KL_ERR_NONE);
    ck_assert_int_eq(offset, txn_end);
    ck_assert_int_eq(partition_coordinator_epoch(&f, pid), e1 + 1);
    teardown(&f);
}
END_TEST

START_TEST(test_prepared_commit_completes_at_start)
{
    coord_fixture_t f;
    setup(&f);
    txn_meta_t *m = begin(&f, "tx-p", 60000, 2);
    /* the decision is on disk, the broker goes down before the markers */
    txn_meta_t prepared = *m;
    prepared.status = TXN_PREPARE_COMMIT;
    ck_assert_int_eq(txn_log_write(f.b, &prepared), KL_ERR_NONE);
    ck_assert_int_eq(lso(&f), 0);
    restart(&f);
    m = meta_of(&f, "tx-p");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->status, TXN_COMPLETE_COMMIT);
    ck_assert_uint_eq(m->count, 0);
    ck_assert_int_eq(last_marker(&f), KL_CONTROL_COMMIT);
    ck_assert_int_eq(kl_log_end_offset(f.topic->logs[0]), 3);
    ck_assert_int_eq(lso(&f), 3);
    ck_assert_uint_eq(f.topic->producers[0].aborted.count, 0);
    /* and completed is what the next start finds */
    restart(&f);
    ck_assert_int_eq(meta_of(&f, "tx-p")->status, TXN_COMPLETE_COMMIT);
    ck_assert_int_eq(kl_log_end_offset(f.topic->logs[0]), 3);
    teardown(&f);
}
END_TEST

START_TEST(test_timeout_aborts_with_new_epoch)
{
    coord_fixture_t f;
    setup(&f);
    txn_meta_t *m = begin(&f, "tx-t", 1000, 2);
    int64_t pid = m->producer_id;
    txns_expire(f.b->txns, m->start_ms + 500); /* not yet */
    ck_assert_int_eq(m->status, TXN_ONGOING);
    txns_expire(f.b->txns, m->start_ms + 1001);
    ck_assert_int_eq(m->status, TXN_COMPLETE_ABORT);
    ck_assert_int_eq(m->epoch, 1);
    ck_assert_int_eq(last_marker(&f), KL_CONTROL_ABORT);
    ck_assert_int_eq(lso(&f), 3);
    ck_assert_uint_eq(f.topic->producers[0].aborted.count, 1);
    /* the timed-out producer's epoch is over, abortable (KIP-588) */
    txn_meta_t *checked;
    ck_assert_int_eq(txns_check(f.b->txns, kl_str("tx-t"), pid, 0, &checked), KL_ERR_INVALID_PRODUCER_ID_MAPPING);
    ck_assert_int_eq(txns_end(f.b, kl_str("tx-t"), pid, 0, true), KL_ERR_INVALID_PRODUCER_ID_MAPPING);
    /* too long a timeout is refused */
    int64_t p;
    int16_t e;
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-t"), 900001, -1, -1, &p, &e),
                     KL_ERR_INVALID_TRANSACTION_TIMEOUT);
    teardown(&f);
}
END_TEST

/* KIP-588: the producer whose transaction timed out claims the epoch the
 * coordinator bumped to, with InitProducerId naming its id and epoch (and
 * again, when it retries that); one with an older epoch is fenced, and
 * so is the timed-out one once a new instance came. */
START_TEST(test_timed_out_producer_claims_epoch)
{
    coord_fixture_t f;
    setup(&f);
    txn_meta_t *m = begin(&f, "tx-c", 1000, 1);
    int64_t pid = m->producer_id, p = -1;
    int16_t e = -1;
    txns_expire(f.b->txns, m->start_ms + 1001);
    ck_assert_int_eq(m->status, TXN_COMPLETE_ABORT);
    ck_assert_int_eq(m->epoch, 1);
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-c"), 1000, pid + 1, 0, &p, &e), KL_ERR_PRODUCER_FENCED);
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-c"), 1000, pid, 0, &p, &e), KL_ERR_NONE);
    ck_assert_int_eq(p, pid);
    ck_assert_int_eq(e, 1);
    ck_assert_int_eq(m->status, TXN_EMPTY);
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-c"), 1000, pid, 0, &p, &e), KL_ERR_NONE); /* a retry */
    ck_assert_int_eq(e, 1);
    /* the current epoch bumps (KIP-360), the one two behind is fenced */
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-c"), 1000, pid, 1, &p, &e), KL_ERR_NONE);
    ck_assert_int_eq(e, 2);
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-c"), 1000, pid, 0, &p, &e), KL_ERR_PRODUCER_FENCED);
    /* a timeout again, then a new instance: the timed-out one is fenced */
    txn_partition_t part = {"data", 0};
    ck_assert_int_eq(txns_add_partitions(f.b->txns, m, &part, 1), KL_ERR_NONE);
    txns_expire(f.b->txns, m->start_ms + 1001);
    ck_assert_int_eq(m->epoch, 3);
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-c"), 1000, -1, -1, &p, &e), KL_ERR_NONE);
    ck_assert_int_eq(e, 4);
    txn_meta_t *checked;
    ck_assert_int_eq(txns_check(f.b->txns, kl_str("tx-c"), pid, 2, &checked), KL_ERR_INVALID_PRODUCER_EPOCH);
    ck_assert_int_eq(txns_init_producer_id(f.b, kl_str("tx-c"), 1000, pid, 2, &p, &e), KL_ERR_PRODUCER_FENCED);
    teardown(&f);
}
END_TEST

static Suite *txn_coordinator_suite(void)
{
    Suite *s = suite_create("txn_coordinator");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_partition_for);
    tcase_add_test(tc, test_state_survives_restart);
    tcase_add_test(tc, test_coordinator_epoch_fences_markers);
    tcase_add_test(tc, test_prepared_commit_completes_at_start);
    tcase_add_test(tc, test_timeout_aborts_with_new_epoch);
    tcase_add_test(tc, test_timed_out_producer_claims_epoch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(txn_coordinator_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
