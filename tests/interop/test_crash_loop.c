/* Issue 13's crash loop: `kafkalite broker` under acks=all load from two
 * librdkafka producers, one idempotent and one not (one request in flight,
 * so that retries keep the order), each numbering its messages per
 * partition, is SIGKILLed at random moments (seeded; the seed is printed,
 * CRASH_SEED replays it) and restarted on the same port, CRASH_KILLS times
 * (default 50). At the end everything is read back with a consumer: no
 * acknowledged message may be missing, the idempotent producer's may not
 * be duplicated, and no partition may hold a message after a later one of
 * the same producer. The second case damages the tail of each partition's
 * active segment and its indexes between kills, within what a promise can
 * survive (crash_damage.c says what and why). Both print their figures.
 * `make soak` runs more kills. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crash_damage.h"
#include "crash_daemon.h"
#include "rdkafka_clients.h"

#define PARTITIONS 2
#define MAX_SEQ (INT64_C(1) << 32)
#define OUTSTANDING_MAX 20000 /* messages produced and not yet reported */
#define BURST 10
#define SETTLE_MS 1000
#define DRAIN_MS 180000

typedef struct partition_state {
    uint8_t *acked; /* by sequence number */
    int64_t next_seq, acked_count, cap;
} partition_state_t;

typedef struct load {
    const char *topic;
    bool idempotent;
    rd_kafka_t *rk;
    partition_state_t parts[PARTITIONS];
    int64_t failed, produced;
    int down_events;
    char fatal[512];
} load_t;

typedef struct figures {
    int64_t acked, found, lost, duplicates, reorders, unexpected;
} figures_t;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_silent(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk, (void)level, (void)fac, (void)buf; /* refused connections are the point here */
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    load_t *l = opaque;
    uint64_t o = (uint64_t)(uintptr_t)m->_private;
    partition_state_t *ps = &l->parts[o / MAX_SEQ];
    int64_t seq = (int64_t)(o % MAX_SEQ);
    if (m->err) {
        l->failed++;
    } else if (!ps->acked[seq]) {
        ps->acked[seq] = 1;
        ps->acked_count++;
    }
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    load_t *l = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        l->down_events++;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[256];
        rd_kafka_fatal_error(rk, why, sizeof why);
        snprintf(l->fatal, sizeof l->fatal, "%s: %s", reason, why);
    }
}

static void load_start(load_t *l, const char *topic, bool idempotent, const char *bootstrap)
{
    memset(l, 0, sizeof *l);
    l->topic = topic;
    l->idempotent = idempotent;
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    rd_kafka_conf_set_log_cb(conf, log_silent);
    conf_set(conf, "acks", "all");
    conf_set(conf, "enable.idempotence", idempotent ? "true" : "false");
    if (!idempotent)
        conf_set(conf, "max.in.flight.requests.per.connection", "1");
    conf_set(conf, "message.timeout.ms", "900000");
    conf_set(conf, "linger.ms", "5");
    conf_set(conf, "reconnect.backoff.ms", "10");
    conf_set(conf, "reconnect.backoff.max.ms", "200");
    conf_set(conf, "retry.backoff.ms", "20");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_opaque(conf, l);
    l->rk = client_new(RD_KAFKA_PRODUCER, conf);
}

static void load_produce(load_t *l)
{
    if (l->produced - l->failed - l->parts[0].acked_count - l->parts[1].acked_count > OUTSTANDING_MAX)
        return;
    for (int p = 0; p < PARTITIONS; p++) {
        partition_state_t *ps = &l->parts[p];
        for (int i = 0; i < BURST; i++) {
            if (ps->next_seq == ps->cap) {
                int64_t cap = ps->cap ? 2 * ps->cap : 65536;
                ps->acked = realloc(ps->acked, (size_t)cap);
                ck_assert_ptr_nonnull(ps->acked);
                memset(ps->acked + ps->cap, 0, (size_t)(cap - ps->cap));
                ps->cap = cap;
            }
            char value[24];
            int len = snprintf(value, sizeof value, "%" PRId64, ps->next_seq);
            uint64_t o = (uint64_t)p * MAX_SEQ + (uint64_t)ps->next_seq;
            rd_kafka_resp_err_t err = rd_kafka_producev(
                l->rk, RD_KAFKA_V_TOPIC(l->topic), RD_KAFKA_V_PARTITION(p), RD_KAFKA_V_VALUE(value, (size_t)len),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)o), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                break;
            ck_assert_msg(err == 0, "%s: produce: %s %s", l->topic, rd_kafka_err2str(err), l->fatal);
            ps->next_seq++;
            l->produced++;
        }
    }
}

static void loads_poll(load_t *loads, int n, int wait_ms)
{
    for (int i = 0; i < n; i++)
        rd_kafka_poll(loads[i].rk, i == 0 ? wait_ms : 0);
}

static bool acked_in(void *opaque, int64_t seq)
{
    partition_state_t *ps = opaque;
    return seq >= 0 && seq < ps->next_seq && ps->acked[seq];
}

/* After a kill: the producers have seen their connections drop, so no
 * acknowledgement is still on its way. False when that did not show. */
static bool settle(load_t *loads, int n, const int *downs_before)
{
    long long deadline = now_ms() + SETTLE_MS;
    for (int i = 0; i < n; i++)
        while (loads[i].down_events == downs_before[i])
            if (now_ms() > deadline)
                return false;
            else
                loads_poll(loads, n, 10);
    loads_poll(loads, n, 0);
    return true;
}

/* Reads the load's topic back from the start and checks it. */
static void read_back(const char *bootstrap, load_t *l, figures_t *fig)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "group.id", "crash-loop-check");
    conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(PARTITIONS);
    int64_t high[PARTITIONS], next[PARTITIONS], max_seen[PARTITIONS];
    uint8_t *seen[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) {
        int64_t low;
        ck_assert_int_eq(rd_kafka_query_watermark_offsets(rk, l->topic, p, &low, &high[p], RDKAFKA_CLIENTS_TIMEOUT_MS),
                         0);
        ck_assert_int_eq(low, 0);
        rd_kafka_topic_partition_list_add(list, l->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
        next[p] = 0;
        max_seen[p] = -1;
        seen[p] = calloc((size_t)l->parts[p].next_seq + 1, 1);
        ck_assert_ptr_nonnull(seen[p]);
    }
    ck_assert_int_eq(rd_kafka_assign(rk, list), 0);
    rd_kafka_topic_partition_list_destroy(list);
    long long deadline = now_ms() + DRAIN_MS;
    for (;;) {
        bool done = true;
        for (int p = 0; p < PARTITIONS; p++)
            done &= next[p] >= high[p];
        if (done)
            break;
        ck_assert_msg(now_ms() < deadline, "%s: read back stalled", l->topic);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m)
            continue;
        if (m->err) {
            ck_assert_msg(m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF, "%s: %s", l->topic, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        int p = m->partition;
        ck_assert_int_eq(m->offset, next[p]); /* no gap in the offsets */
        next[p] = m->offset + 1;
        char num[24] = "";
        if (m->len < sizeof num)
            memcpy(num, m->payload, m->len);
        char *end;
        int64_t seq = strtoll(num, &end, 10);
        fig->found++;
        if (!num[0] || *end || seq < 0 || seq >= l->parts[p].next_seq) {
            fig->unexpected++;
        } else if (seen[p][seq]) {
            fig->duplicates++;
        } else {
            seen[p][seq] = 1;
            fig->reorders += seq < max_seen[p];
            if (seq > max_seen[p])
                max_seen[p] = seq;
        }
        rd_kafka_message_destroy(m);
    }
    for (int p = 0; p < PARTITIONS; p++) {
        for (int64_t s = 0; s < l->parts[p].next_seq; s++)
            fig->lost += l->parts[p].acked[s] && !seen[p][s];
        fig->acked += l->parts[p].acked_count;
        free(seen[p]);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static void crash_loop(bool damage)
{
    unsigned seed = getenv("CRASH_SEED") ? (unsigned)strtoul(getenv("CRASH_SEED"), NULL, 10)
                                         : (unsigned)time(NULL) ^ (unsigned)getpid();
    int kills = getenv("CRASH_KILLS") ? atoi(getenv("CRASH_KILLS")) : 50;
    printf("crash loop%s: seed %u (CRASH_SEED=%u replays it), %d kills\n", damage ? " with damage" : "", seed, seed,
           kills);
    fflush(stdout);
    static const char *const overrides[] = {"log.segment.bytes=1048576", "offsets.topic.num.partitions=1", NULL};
    crash_daemon_t d;
    crash_daemon_init(&d, overrides);
    printf("broker logs and data in %s (left there if the test fails)\n", d.work);
    fflush(stdout);
    crash_daemon_start(&d);
    create_topic(d.bootstrap, "idempotent", PARTITIONS);
    create_topic(d.bootstrap, "plain", PARTITIONS);
    load_t loads[2];
    load_start(&loads[0], "idempotent", true, d.bootstrap);
    load_start(&loads[1], "plain", false, d.bootstrap);
    int damaged = 0, unsettled = 0, cut = 0, flipped = 0, torn = 0;
    long long started = now_ms();
    for (int k = 0; k < kills; k++) {
        /* mostly under load, sometimes right after a start */
        int run_ms = rand_r(&seed) % 10 == 0 ? rand_r(&seed) % 100 : 50 + rand_r(&seed) % 600;
        long long until = now_ms() + run_ms;
        while (now_ms() < until) {
            for (int i = 0; i < 2; i++)
                load_produce(&loads[i]);
            loads_poll(loads, 2, 1);
        }
        int downs[2] = {loads[0].down_events, loads[1].down_events};
        crash_daemon_kill(&d);
        if (damage && !settle(loads, 2, downs)) {
            unsettled++;
        } else if (damage) {
            for (int i = 0; i < 2; i++)
                for (int p = 0; p < PARTITIONS; p++) {
                    char dir[256], what[256];
                    snprintf(dir, sizeof dir, "%s/%s-%d", d.logs, loads[i].topic, p);
                    if (crash_damage(dir, &seed, acked_in, &loads[i].parts[p], what, sizeof what)) {
                        damaged++;
                        cut += strstr(what, "unacknowledged last batch cut") != NULL;
                        flipped += strstr(what, "flipped in the unacknowledged") != NULL;
                        torn += strstr(what, "torn copy") != NULL;
                    }
                    if (getenv("CRASH_VERBOSE"))
                        printf("kill %d: %s-%d: %s\n", k + 1, loads[i].topic, p, what);
                }
        }
        crash_daemon_start(&d);
    }
    long long loop_ms = now_ms() - started;
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(!loads[i].fatal[0], "%s producer: fatal error %s", loads[i].topic, loads[i].fatal);
        ck_assert_int_eq(rd_kafka_flush(loads[i].rk, DRAIN_MS), 0);
    }
    for (int i = 0; i < 2; i++) {
        figures_t fig = {0};
        read_back(d.bootstrap, &loads[i], &fig);
        printf("%s producer: %" PRId64 " produced, %" PRId64 " acknowledged, %" PRId64 " failed; read back %" PRId64
               ": %" PRId64 " acknowledged lost, %" PRId64 " duplicates, %" PRId64 " reorders, %" PRId64
               " unexpected\n",
               loads[i].topic, loads[i].produced, fig.acked, loads[i].failed, fig.found, fig.lost, fig.duplicates,
               fig.reorders, fig.unexpected);
        fflush(stdout);
        ck_assert_int_eq(fig.lost, 0);
        ck_assert_int_eq(fig.reorders, 0);
        ck_assert_int_eq(fig.unexpected, 0);
        ck_assert_int_eq(loads[i].failed, 0);
        if (loads[i].idempotent)
            ck_assert_int_eq(fig.duplicates, 0);
        ck_assert_int_gt(fig.acked, 0);
        for (int p = 0; p < PARTITIONS; p++)
            free(loads[i].parts[p].acked);
        rd_kafka_destroy(loads[i].rk);
    }
    printf("crash loop%s: %d kills in %lld ms, %d partition tails damaged (unacknowledged last batch cut %d, "
           "flipped %d; torn copy appended %d), %d kills left undamaged (producers had not seen the drop)\n",
           damage ? " with damage" : "", kills, loop_ms, damaged, cut, flipped, torn, unsettled);
    fflush(stdout);
    crash_daemon_finish(&d);
}

START_TEST(test_crash_loop) { crash_loop(false); }
END_TEST

START_TEST(test_crash_loop_damaged) { crash_loop(true); }
END_TEST

int main(void)
{
    Suite *s = suite_create("crash_loop");
    TCase *tc = tcase_create("kills");
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, test_crash_loop);
    suite_add_tcase(s, tc);
    tc = tcase_create("damage");
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, test_crash_loop_damaged);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
