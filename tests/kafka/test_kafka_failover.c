/* Failover on three Kafka brokers (issue 14 item 4), the producer's half:
 *
 * - our idempotent acks=all producer sends KF_FAILOVER_MESSAGES messages
 *   (default below) over 6 partitions (replication factor 3,
 *   min.insync.replicas=2) while the leader of partition 0 is SIGKILLed and
 *   restarted and, once every replica is back in sync, another broker is
 *   shut down (controlled) and restarted: every message gets exactly one
 *   delivery report, every one is delivered, and reading the partitions
 *   back finds each exactly once, at the offset its report gave, in produce
 *   order per partition (values carry the sequence);
 * - the leader of a partition dies while the producer and a consumer are
 *   idle: both find the new leader (fresh metadata) within RECOVERY_MS;
 * - with two of the three brokers shut down, each message gets one failed
 *   report naming NOT_ENOUGH_REPLICAS within delivery.timeout.ms, and the
 *   same producer delivers again once they are back; nothing reported
 *   delivered is missing from the log.
 *
 * Stops and restarts nodes through tests/kafka/cluster (KL_KAFKA_CLUSTER_DIR):
 * test_kafka_clients.sh runs it after the suites that need every node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_fixture.h"
#include "test_skip.h"

#define PARTS 6
/* The count. On a loaded 2-core machine 1,000,000 took 69 s
 * (47 s to produce through the failures, the rest to read back), 200,000
 * took 31 s: KF_FAILOVER_MESSAGES sets another count. */
#define DEFAULT_MESSAGES 1000000
/* How soon after its leader's kill a partition must take messages again. */
#define RECOVERY_MS 120000

typedef struct reports {
    int n;
    unsigned char *count; /* delivery reports per message */
    kl_err_t *err;
    int64_t *offset;
    int64_t last_ms, max_gap_ms; /* the longest pause between two reports */
    int watch_from;              /* the first message sent after the kill */
    int64_t watch_ms;            /* when the first of those to partition 0 was delivered */
} reports_t;

static void reports_init(reports_t *r, int n)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    r->count = calloc((size_t)n, 1);
    r->err = calloc((size_t)n, sizeof *r->err);
    r->offset = calloc((size_t)n, sizeof *r->offset);
    ck_assert(r->count && r->err && r->offset);
    r->watch_from = n;
}

static void reports_free(reports_t *r)
{
    free(r->count);
    free(r->err);
    free(r->offset);
}

static void on_delivery(kl_producer_t *producer, const kl_message_t *m, void *opaque)
{
    (void)producer;
    reports_t *r = opaque;
    int i = (int)(intptr_t)kl_message_opaque(m) - 1;
    CHECK(i >= 0 && i < r->n, "report for unknown message %d", i);
    r->count[i]++;
    r->err[i] = kl_message_error(m);
    r->offset[i] = kl_message_offset(m);
    int64_t now = kf_now_ms();
    if (i >= r->watch_from && i % PARTS == 0 && !r->watch_ms && r->err[i] == KL_ERR_NONE)
        r->watch_ms = now;
    if (r->last_ms && now - r->last_ms > r->max_gap_ms)
        r->max_gap_ms = now - r->last_ms;
    r->last_ms = now;
}

static kl_producer_t *producer(reports_t *r, const char *delivery_timeout_ms)
{
    char err[256];
    kl_conf_t *conf = kf_conf("acks", "all", "enable.idempotence", "true", "delivery.timeout.ms",
                              delivery_timeout_ms, "request.timeout.ms", "5000", NULL);
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_opaque(conf, r);
    kl_producer_t *p = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(p, "%s", err);
    return p;
}

/* Message i, value "<i>", to partition. */
static void send_to(kl_producer_t *p, const char *topic, int32_t partition, int i)
{
    char v[16];
    int len = snprintf(v, sizeof v, "%d", i);
    kl_err_t e = kl_produce_flags(p, topic, partition, KL_MSG_F_BLOCK, NULL, 0, v, (size_t)len, NULL, 0,
                                  (void *)(intptr_t)(i + 1));
    CHECK(e == KL_ERR_NONE, "produce %d: %s", i, kl_err_name(e));
}

/* Message i: partition i % PARTS. */
static void send(kl_producer_t *p, const char *topic, int i) { send_to(p, topic, i % PARTS, i); }

/* What reading the topic back found. */
typedef struct found {
    int64_t records;   /* read */
    int64_t delivered; /* reported delivered and found at the reported offset */
    int64_t failed_found; /* reported failed, found all the same */
    int64_t dups, reorders, misplaced;
} found_t;

/* Reads every record of topic (up to the end offsets) and checks it
 * against the reports: no message twice, per partition in produce order,
 * each delivered one at its reported offset. */
static void read_back(const char *topic, const reports_t *r, found_t *f)
{
    memset(f, 0, sizeof *f);
    char err[256];
    kl_conf_t *conf = kf_conf("fetch.max.bytes", "8388608", NULL);
    kl_consumer_t *c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(c, "%s", err);
    int64_t end = 0;
    kl_topic_partition_list_t *tps = kl_topic_partition_list_new(PARTS);
    for (int p = 0; p < PARTS; p++) {
        int64_t lo, hi;
        ck_assert_int_eq(kl_query_watermark_offsets(c, topic, p, &lo, &hi, 10000), KL_ERR_NONE);
        end += hi - lo;
        kl_topic_partition_list_add(tps, topic, p)->offset = KL_OFFSET_BEGINNING;
    }
    ck_assert_int_eq(kl_assign(c, tps), KL_ERR_NONE);
    kl_topic_partition_list_destroy(tps);
    unsigned char *seen = calloc((size_t)r->n, 1);
    ck_assert_ptr_nonnull(seen);
    int last[PARTS];
    for (int p = 0; p < PARTS; p++)
        last[p] = -1;
    int64_t deadline = kf_now_ms() + 5 * KF_DEADLINE_MS;
    while (f->records < end) {
        CHECK(kf_now_ms() < deadline, "%s: %lld of %lld records read", topic, (long long)f->records, (long long)end);
        kl_message_t *m = kl_consumer_poll(c, 200);
        if (!m)
            continue;
        CHECK(kl_message_error(m) == KL_ERR_NONE, "%s: %s", topic, kl_err_name(kl_message_error(m)));
        size_t len;
        const char *v = kl_message_value(m, &len);
        char buf[16];
        CHECK(v && len > 0 && len < sizeof buf, "%s: unexpected value", topic);
        memcpy(buf, v, len);
        buf[len] = '\0';
        int i = atoi(buf), p = kl_message_partition(m);
        CHECK(i >= 0 && i < r->n && i % PARTS == p, "%s [%d]: value %s", topic, p, buf);
        f->records++;
        if (seen[i]++)
            f->dups++;
        else if (i < last[p])
            f->reorders++;
        else if (r->err[i] != KL_ERR_NONE)
            f->failed_found++;
        else if (r->offset[i] != kl_message_offset(m))
            f->misplaced++;
        else
            f->delivered++;
        if (i > last[p])
            last[p] = i;
        kl_message_destroy(m);
    }
    free(seen);
    kl_consumer_destroy(c);
}

static int messages(void)
{
    const char *s = getenv("KF_FAILOVER_MESSAGES");
    int n = s && *s ? atoi(s) : DEFAULT_MESSAGES;
    ck_assert_int_ge(n, 5 * PARTS);
    return n;
}

/* A node other than avoid that leads one of leaders[] (else any other). */
static int other_leader(const int32_t *leaders, int avoid)
{
    for (int p = 0; p < PARTS; p++)
        if (leaders[p] >= 0 && leaders[p] != avoid)
            return leaders[p];
    return avoid % 3 + 1;
}

START_TEST(test_leader_killed_under_load)
{
    char topic[64];
    kf_name(topic, sizeof topic, "failover");
    const char *configs[] = {"min.insync.replicas", "2", NULL};
    kf_create_topic(topic, PARTS, 3, configs);
    kf_wait_in_sync(topic, PARTS, 3);
    int n = messages();
    static reports_t r;
    reports_init(&r, n);
    kl_producer_t *p = producer(&r, "300000");
    int32_t leaders[PARTS];
    int killed = 0, stopped = 0;
    int64_t start = kf_now_ms(), killed_ms = 0;
    for (int i = 0; i < n; i++) {
        if (i == n / 5) { /* SIGKILL partition 0's leader */
            ck_assert_int_eq(kf_leaders(topic, PARTS, 3, leaders), PARTS);
            killed = leaders[0];
            kf_cluster("kill", killed);
            killed_ms = kf_now_ms();
            r.watch_from = i;
        } else if (i == 2 * n / 5) {
            kf_cluster("restart", killed);
        } else if (i == 3 * n / 5) { /* every replica back, then a controlled shutdown */
            kf_cluster("wait", 0);
            kf_wait_in_sync(topic, PARTS, 3);
            ck_assert_int_eq(kf_leaders(topic, PARTS, 3, leaders), PARTS);
            stopped = other_leader(leaders, killed);
            kf_cluster("shutdown", stopped);
        } else if (i == 4 * n / 5) {
            kf_cluster("restart", stopped);
        }
        send(p, topic, i);
    }
    ck_assert_int_eq(kl_producer_flush(p, 5 * KF_DEADLINE_MS), KL_ERR_NONE);
    int64_t produced_ms = kf_now_ms() - start;
    kl_producer_destroy(p);
    kf_cluster("wait", 0);
    int reported = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        CHECK(r.count[i] == 1, "message %d: %d delivery reports", i, r.count[i]);
        reported++;
        if (r.err[i] != KL_ERR_NONE && failed++ < 5)
            fprintf(stderr, "message %d: %s\n", i, kl_err_name(r.err[i]));
    }
    found_t f;
    read_back(topic, &r, &f);
    int64_t recovered_ms = r.watch_ms - killed_ms;
    printf("failover: %d sent in %lld ms (node %d killed, node %d shut down), %d reported, %d failed; "
           "%lld read, %lld found at their reported offsets, %lld duplicates, %lld out of order, %lld misplaced; "
           "partition 0 delivered again %lld ms after its leader's kill; longest pause between reports %lld ms\n",
           n, (long long)produced_ms, killed, stopped, reported, failed, (long long)f.records,
           (long long)f.delivered, (long long)f.dups, (long long)f.reorders, (long long)f.misplaced,
           (long long)recovered_ms, (long long)r.max_gap_ms);
    /* Kafka fences a dead broker after broker.session.timeout.ms (9 s) and
     * elects new leaders; a client that waited for its periodic metadata
     * refresh (5 min) took about 290 s here. */
    ck_assert_msg(r.watch_ms && recovered_ms < RECOVERY_MS, "partition 0 delivered again %lld ms after the kill",
                  (long long)recovered_ms);
    ck_assert_int_eq(failed, 0);
    ck_assert_int_eq(f.dups, 0);
    ck_assert_int_eq(f.reorders, 0);
    ck_assert_int_eq(f.misplaced, 0);
    ck_assert_int_eq(f.delivered, n);
    ck_assert_int_eq(f.records, n);
    reports_free(&r);
}
END_TEST

/* The leader of a partition dies while no request is in flight to it (the
 * producer and the consumer are idle): both must ask for new metadata
 * rather than reconnect to it until the periodic refresh. */
START_TEST(test_idle_leader_killed)
{
    char topic[64], err[256];
    kf_name(topic, sizeof topic, "idle");
    const char *configs[] = {"min.insync.replicas", "2", NULL};
    kf_create_topic(topic, 1, 3, configs);
    kf_wait_in_sync(topic, 1, 3);
    static reports_t r;
    reports_init(&r, 101);
    kl_producer_t *p = producer(&r, "300000");
    kl_conf_t *conf = kf_conf("topic.metadata.refresh.interval.ms", "300000", NULL);
    kl_consumer_t *c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(c, "%s", err);
    kl_topic_partition_list_t *tps = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(tps, topic, 0)->offset = KL_OFFSET_BEGINNING;
    ck_assert_int_eq(kl_assign(c, tps), KL_ERR_NONE);
    kl_topic_partition_list_destroy(tps);
    send_to(p, topic, 0, 0);
    ck_assert_int_eq(kl_producer_flush(p, KF_DEADLINE_MS), KL_ERR_NONE);
    int got = 0;
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    while (got < 1) {
        ck_assert_msg(kf_now_ms() < deadline, "the first message was not read");
        kl_message_t *m = kl_consumer_poll(c, 100);
        got += m && kl_message_error(m) == KL_ERR_NONE;
        if (m)
            kl_message_destroy(m);
    }
    int32_t leader;
    ck_assert_int_eq(kf_leaders(topic, 1, 3, &leader), 1);
    kf_cluster("kill", leader);
    int64_t killed_ms = kf_now_ms();
    for (int i = 1; i <= 100; i++)
        send_to(p, topic, 0, i);
    kl_err_t flushed = kl_producer_flush(p, RECOVERY_MS);
    int64_t delivered_ms = kf_now_ms() - killed_ms;
    deadline = killed_ms + RECOVERY_MS;
    while (got < 101 && kf_now_ms() < deadline) {
        kl_message_t *m = kl_consumer_poll(c, 100);
        got += m && kl_message_error(m) == KL_ERR_NONE;
        if (m)
            kl_message_destroy(m);
    }
    int64_t read_ms = kf_now_ms() - killed_ms;
    kl_consumer_destroy(c);
    kl_producer_destroy(p);
    kf_cluster("restart", leader);
    kf_cluster("wait", 0);
    printf("idle leader killed: 100 messages delivered %lld ms and read %lld ms after the kill\n",
           (long long)delivered_ms, (long long)read_ms);
    ck_assert_msg(flushed == KL_ERR_NONE, "not delivered %d ms after the leader's kill", RECOVERY_MS);
    for (int i = 0; i <= 100; i++)
        ck_assert_msg(r.count[i] == 1 && r.err[i] == KL_ERR_NONE, "message %d: %d reports, %s", i, r.count[i],
                      kl_err_name(r.err[i]));
    ck_assert_msg(got == 101, "%d of 101 read %d ms after the leader's kill", got, RECOVERY_MS);
    reports_free(&r);
}
END_TEST

#define NER_MSGS 30

START_TEST(test_two_brokers_down)
{
    char topic[64];
    kf_name(topic, sizeof topic, "notenough");
    const char *configs[] = {"min.insync.replicas", "2", NULL};
    kf_create_topic(topic, PARTS, 3, configs);
    kf_wait_in_sync(topic, PARTS, 3);
    static reports_t r;
    reports_init(&r, 2 * NER_MSGS);
    kl_producer_t *p = producer(&r, "15000");
    /* Warm up: the producer knows the leaders and has its producer id. */
    send(p, topic, 0);
    ck_assert_int_eq(kl_producer_flush(p, KF_DEADLINE_MS), KL_ERR_NONE);
    ck_assert_int_eq(r.err[0], KL_ERR_NONE);
    /* Nodes 2 and 3 shut down: node 1 keeps every partition, alone in sync.
     * They come back before anything is asserted (the next tests need
     * them). */
    kf_cluster("shutdown", 2);
    kf_cluster("shutdown", 3);
    int64_t start = kf_now_ms();
    for (int i = 1; i < NER_MSGS; i++)
        send(p, topic, i);
    kl_err_t flushed = kl_producer_flush(p, 2 * KF_DEADLINE_MS);
    int64_t took = kf_now_ms() - start;
    kf_cluster("restart", 2);
    kf_cluster("restart", 3);
    kf_cluster("wait", 0);
    ck_assert_int_eq(flushed, KL_ERR_NONE);
    for (int i = 1; i < NER_MSGS; i++) {
        ck_assert_int_eq(r.count[i], 1);
        ck_assert_msg(r.err[i] == KL_ERR_NOT_ENOUGH_REPLICAS, "message %d: %s", i, kl_err_name(r.err[i]));
    }
    /* delivery.timeout.ms, plus at most one request.timeout.ms in flight */
    ck_assert_msg(took < 15000 + 5000 + 10000, "failed after %lld ms", (long long)took);
    /* Back: the same producer delivers again. */
    kf_wait_in_sync(topic, PARTS, 3);
    for (int i = NER_MSGS; i < 2 * NER_MSGS; i++)
        send(p, topic, i);
    ck_assert_int_eq(kl_producer_flush(p, 2 * KF_DEADLINE_MS), KL_ERR_NONE);
    kl_producer_destroy(p);
    for (int i = NER_MSGS; i < 2 * NER_MSGS; i++) {
        ck_assert_int_eq(r.count[i], 1);
        ck_assert_msg(r.err[i] == KL_ERR_NONE, "message %d after the restart: %s", i, kl_err_name(r.err[i]));
    }
    found_t f;
    read_back(topic, &r, &f);
    printf("two brokers down: %d reported NOT_ENOUGH_REPLICAS in %lld ms (%lld of them in the log all the same); "
           "%lld delivered and found\n",
           NER_MSGS - 1, (long long)took, (long long)f.failed_found, (long long)f.delivered);
    ck_assert_int_eq(f.dups + f.reorders + f.misplaced, 0);
    ck_assert_int_eq(f.delivered, NER_MSGS + 1);
    reports_free(&r);
}
END_TEST

int main(void)
{
    kf_check_env("test_kafka_failover");
    if (!getenv("KL_KAFKA_CLUSTER_DIR"))
        kl_test_skip_all("test_kafka_failover: KL_KAFKA_CLUSTER_DIR is not set (run through test_kafka_clients.sh)");
    Suite *s = suite_create("kafka_failover");
    TCase *tc = tcase_create("under_load");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, test_leader_killed_under_load);
    suite_add_tcase(s, tc);
    tc = tcase_create("idle_leader");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_idle_leader_killed);
    suite_add_tcase(s, tc);
    tc = tcase_create("two_down");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_two_brokers_down);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int status = kl_test_result(sr);
    srunner_free(sr);
    return status;
}
