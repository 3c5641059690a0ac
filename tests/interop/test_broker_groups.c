/* Consumer groups of real clients on the embedded broker: three librdkafka
 * consumers share a 6-partition topic (range, then cooperative-sticky)
 * with every message consumed once and no partition owned twice; a member
 * that stops heartbeating loses its partitions after its session timeout;
 * committed offsets survive a broker restart and a restarted member
 * resumes from them; rd_kafka_list_groups shows members and assignments;
 * three kcat -G consumers share the topic, and survive one being killed. */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "../integration/broker_fixture.h"
#include "test_skip.h"
#include "rdkafka_clients.h"

#define TIMEOUT_MS 60000
#define NPARTS 6
#define NMSGS 6000
#define NMEMBERS 3
#define SESSION_MS 3000
#define HEARTBEAT_MS 300

extern char **environ;

/* The test broker: a short initial rebalance delay and session timeouts
 * below Kafka's 6 s minimum, so that tests wait little. */
static const char *const broker_props[] = {
    "group.initial.rebalance.delay.ms", "200",
    "group.min.session.timeout.ms", "1000",
    "offsets.topic.num.partitions", "10",
    NULL,
};

/* ------------------------------------------------------------ clients */

/* Messages first..last-1 with value "<i>", message i to partition i % 6,
 * so partition p holds p, p+6, ... in that order. */
static void produce(const char *bootstrap, const char *topic, int first, int last)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "acks", "all");
    conf_set(conf, "linger.ms", "5");
    conf_set(conf, "enable.idempotence", "false");
    conf_set(conf, "max.in.flight", "1"); /* keeps the order above */
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, conf);
    for (int i = first; i < last; i++) {
        char value[16];
        int n = snprintf(value, sizeof value, "%d", i);
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(i % NPARTS),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_VALUE(value, (size_t)n), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        ck_assert_msg(err == 0, "producev: %s", rd_kafka_err2str(err));
    }
    ck_assert_int_eq(rd_kafka_flush(rk, TIMEOUT_MS), 0);
    ck_assert_int_eq(rd_kafka_outq_len(rk), 0);
    rd_kafka_destroy(rk);
}

/* ------------------------------------------------------------ a group of members */

typedef struct group_run {
    const char *topic;
    int owner[NPARTS]; /* member index, or -1 */
    int overlaps;      /* assignments of a partition another member held */
    int *seen;         /* times each message value was consumed */
    int seen_size;
    int bad;           /* messages with an error or a value out of range */
} group_run_t;

typedef struct member {
    group_run_t *run;
    int index;
    rd_kafka_t *rk;
    int owned;    /* partitions held */
    int consumed; /* messages consumed */
    int first_value[NPARTS]; /* the first value consumed from each partition, -1 none */
    bool no_commit;          /* commits only by hand (not on revoke) */
} member_t;

static void commit_held(member_t *m)
{
    rd_kafka_resp_err_t err = rd_kafka_commit(m->rk, NULL, 0);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        fprintf(stderr, "member %d: commit on revoke: %s\n", m->index, rd_kafka_err2str(err));
}

static void take(member_t *m, const rd_kafka_topic_partition_list_t *parts)
{
    for (int i = 0; i < parts->cnt; i++) {
        int p = parts->elems[i].partition;
        if (m->run->owner[p] != -1)
            m->run->overlaps++;
        m->run->owner[p] = m->index;
        m->owned++;
    }
}

static void give_back(member_t *m, const rd_kafka_topic_partition_list_t *parts)
{
    for (int i = 0; i < parts->cnt; i++) {
        int p = parts->elems[i].partition;
        if (m->run->owner[p] == m->index) {
            m->run->owner[p] = -1;
            m->owned--;
        }
    }
}

/* Commits what was consumed before giving partitions up, so that the next
 * owner starts where this one stopped. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    member_t *m = opaque;
    bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        take(m, parts);
        if (cooperative)
            rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
        else
            rd_kafka_assign(rk, parts);
        return;
    }
    if (!m->no_commit)
        commit_held(m);
    give_back(m, parts);
    if (cooperative)
        rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
    else
        rd_kafka_assign(rk, NULL);
}

static void member_start(member_t *m, group_run_t *run, int index, const char *bootstrap, const char *group,
                         const char *strategy)
{
    memset(m, 0, sizeof *m);
    m->run = run;
    m->index = index;
    memset(m->first_value, -1, sizeof m->first_value);
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    char client_id[32];
    snprintf(client_id, sizeof client_id, "member-%d", index);
    conf_set(conf, "client.id", client_id);
    conf_set(conf, "group.id", group);
    conf_set(conf, "partition.assignment.strategy", strategy);
    conf_set(conf, "auto.offset.reset", "earliest");
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "session.timeout.ms", "3000");
    conf_set(conf, "heartbeat.interval.ms", "300");
    conf_set(conf, "max.poll.interval.ms", "30000");
    conf_set(conf, "fetch.wait.max.ms", "100");
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_opaque(conf, m);
    m->rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_poll_set_consumer(m->rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, run->topic, RD_KAFKA_PARTITION_UA);
    ck_assert_int_eq(rd_kafka_subscribe(m->rk, topics), 0);
    rd_kafka_topic_partition_list_destroy(topics);
}

/* Leaves the group (committing what it consumed) and frees the handle. */
static void member_close(member_t *m)
{
    commit_held(m);
    rd_kafka_consumer_close(m->rk);
    rd_kafka_destroy(m->rk);
    m->rk = NULL;
}

static void poll_members(member_t *ms, int n, int wait_ms);

/* Every member unsubscribes, and is polled until it gave its partitions
 * back, before any closes: a member closed while another, not polled,
 * is half-way through the rebalance its leaving caused can trip
 * librdkafka's "assignment in progress" assertion at close. */
static void members_close(member_t *ms, int n)
{
    for (int k = 0; k < n; k++)
        if (ms[k].rk)
            ck_assert_int_eq(rd_kafka_unsubscribe(ms[k].rk), 0);
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    for (int k = 0; k < n; k++)
        while (ms[k].rk && ms[k].owned > 0) {
            ck_assert_msg(fixture_now_ms() < deadline, "member %d still holds %d partitions", k, ms[k].owned);
            poll_members(ms, n, 30);
        }
    for (int k = 0; k < n; k++)
        if (ms[k].rk)
            member_close(&ms[k]);
}

static void consumed(member_t *m, const rd_kafka_message_t *msg)
{
    group_run_t *run = m->run;
    char value[16];
    size_t len = msg->err || !msg->payload ? 0 : msg->len < sizeof value - 1 ? msg->len : sizeof value - 1;
    if (len)
        memcpy(value, msg->payload, len);
    value[len] = '\0';
    int i = len ? atoi(value) : -1;
    if (msg->err || i < 0 || i >= run->seen_size || msg->partition != i % NPARTS) {
        if (msg->err)
            fprintf(stderr, "member %d: %s\n", m->index, rd_kafka_message_errstr(msg));
        run->bad++;
        return;
    }
    run->seen[i]++;
    m->consumed++;
    if (m->first_value[msg->partition] < 0)
        m->first_value[msg->partition] = i;
}

/* Polls every live member once, waiting up to wait_ms in all. */
static void poll_members(member_t *ms, int n, int wait_ms)
{
    for (int k = 0; k < n; k++) {
        if (!ms[k].rk)
            continue;
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(ms[k].rk, wait_ms / n);
        if (!msg)
            continue;
        if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            consumed(&ms[k], msg);
        rd_kafka_message_destroy(msg);
    }
}

static void run_init(group_run_t *run, const char *topic, int values)
{
    memset(run, 0, sizeof *run);
    run->topic = topic;
    for (int p = 0; p < NPARTS; p++)
        run->owner[p] = -1;
    run->seen = calloc((size_t)values, sizeof *run->seen);
    run->seen_size = values;
}

static int count_seen(const group_run_t *run, int first, int last, int times)
{
    int n = 0;
    for (int i = first; i < last; i++)
        n += run->seen[i] == times;
    return n;
}

/* Every partition held by one of the live members, each holding want. */
static bool balanced(const member_t *ms, int n, int want)
{
    int owned = 0;
    for (int k = 0; k < n; k++) {
        if (ms[k].rk && ms[k].owned != want)
            return false;
        owned += ms[k].rk ? ms[k].owned : 0;
    }
    return owned == NPARTS;
}

typedef bool done_fn(const member_t *ms, int n, const void *arg);

/* Polls the members until done() holds; false at the deadline. */
static bool poll_until(member_t *ms, int n, done_fn *done, const void *arg, int timeout_ms)
{
    long long deadline = fixture_now_ms() + timeout_ms;
    while (!done(ms, n, arg)) {
        if (fixture_now_ms() > deadline)
            return false;
        poll_members(ms, n, 30);
    }
    return true;
}

typedef struct want_msgs {
    int first, last; /* every value in [first, last) seen at least once */
    int owned_each;  /* and each live member holds this many partitions */
} want_msgs_t;

static bool all_consumed(const member_t *ms, int n, const void *arg)
{
    const want_msgs_t *w = arg;
    const group_run_t *run = ms[0].run;
    for (int i = w->first; i < w->last; i++)
        if (!run->seen[i])
            return false;
    return balanced(ms, n, w->owned_each);
}

static void print_split(const char *what, const member_t *ms, int n)
{
    fprintf(stderr, "%s:", what);
    for (int k = 0; k < n; k++)
        fprintf(stderr, " member %d %d msgs/%d parts%s", k, ms[k].consumed, ms[k].owned, ms[k].rk ? "" : " (gone)");
    fprintf(stderr, "\n");
}

/* ------------------------------------------------------------ the group as listed */

typedef struct assignment {
    int partitions[NPARTS];
    int count;
} assignment_t;

/* Reads a ConsumerProtocolAssignment: version, [topic [partition]], user data. */
static bool parse_assignment(const uint8_t *p, int len, const char *topic, assignment_t *a)
{
    const uint8_t *end = p + len;
    a->count = 0;
#define NEED(n) \
    if (end - p < (n)) \
        return false
    NEED(6);
    p += 2; /* version */
    int32_t topics = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
    p += 4;
    for (int32_t t = 0; t < topics; t++) {
        NEED(2);
        int name_len = p[0] << 8 | p[1];
        p += 2;
        NEED(name_len + 4);
        bool ours = (size_t)name_len == strlen(topic) && memcmp(p, topic, (size_t)name_len) == 0;
        p += name_len;
        int32_t n = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
        p += 4;
        NEED(4 * n);
        for (int32_t i = 0; i < n; i++, p += 4)
            if (ours && a->count < NPARTS)
                a->partitions[a->count++] = p[3];
    }
#undef NEED
    return true;
}

/* The member of ms whose client.id is client_id, or -1. */
static int member_by_client_id(const member_t *ms, int n, const char *client_id)
{
    for (int k = 0; k < n; k++) {
        char want[32];
        snprintf(want, sizeof want, "member-%d", ms[k].index);
        if (ms[k].rk && !strcmp(client_id, want))
            return k;
    }
    return -1;
}

/* Each listed member is one of ms, from 127.0.0.1, assigned the
 * partitions the rebalance callbacks handed it. */
static void check_listed_members(const struct rd_kafka_group_info *gi, const member_t *ms, int n)
{
    int owned_by[NPARTS];
    memset(owned_by, -1, sizeof owned_by);
    for (int i = 0; i < gi->member_cnt; i++) {
        const struct rd_kafka_group_member_info *mi = &gi->members[i];
        int k = member_by_client_id(ms, n, mi->client_id);
        ck_assert_msg(k >= 0, "unknown member client id %s", mi->client_id);
        ck_assert_str_eq(mi->client_host, "/127.0.0.1");
        ck_assert_int_gt(mi->member_metadata_size, 0);
        assignment_t a;
        ck_assert(parse_assignment(mi->member_assignment, mi->member_assignment_size, ms[0].run->topic, &a));
        ck_assert_int_eq(a.count, ms[k].owned);
        for (int j = 0; j < a.count; j++) {
            int p = a.partitions[j];
            ck_assert(p >= 0 && p < NPARTS && owned_by[p] == -1);
            owned_by[p] = k;
            ck_assert_int_eq(ms[0].run->owner[p], ms[k].index);
        }
    }
    for (int p = 0; p < NPARTS; p++)
        ck_assert_msg(owned_by[p] >= 0, "partition %d is assigned to no listed member", p);
}

/* rd_kafka_list_groups (ListGroups, then DescribeGroups) shows the group
 * Stable with the live members of ms and their assignments. */
static void check_listed(const char *bootstrap, const char *group, const char *protocol, const member_t *ms, int n)
{
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, conf_new(bootstrap));
    const struct rd_kafka_group_list *all, *one;
    ck_assert_int_eq(rd_kafka_list_groups(rk, NULL, &all, TIMEOUT_MS), 0);
    bool found = false;
    for (int i = 0; i < all->group_cnt; i++)
        found |= strcmp(all->groups[i].group, group) == 0;
    ck_assert_msg(found, "group %s not among the %d listed", group, all->group_cnt);
    rd_kafka_group_list_destroy(all);
    ck_assert_int_eq(rd_kafka_list_groups(rk, group, &one, TIMEOUT_MS), 0);
    ck_assert_int_eq(one->group_cnt, 1);
    const struct rd_kafka_group_info *gi = &one->groups[0];
    ck_assert_int_eq(gi->err, 0);
    ck_assert_str_eq(gi->state, "Stable");
    ck_assert_str_eq(gi->protocol_type, "consumer");
    ck_assert_str_eq(gi->protocol, protocol);
    int live = 0;
    for (int k = 0; k < n; k++)
        live += ms[k].rk != NULL;
    ck_assert_int_eq(gi->member_cnt, live);
    check_listed_members(gi, ms, n);
    rd_kafka_group_list_destroy(one);
    rd_kafka_destroy(rk);
}

/* ------------------------------------------------------------ the tests */

/* Three members share the topic: each partition held by one member at a
 * time, two each in the end, every message consumed exactly once. */
static void share_topic(const char *strategy, const char *protocol)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    create_topic(f.bootstrap, "shared", NPARTS);
    produce(f.bootstrap, "shared", 0, NMSGS);
    group_run_t run;
    run_init(&run, "shared", NMSGS);
    member_t ms[NMEMBERS];
    for (int k = 0; k < NMEMBERS; k++)
        member_start(&ms[k], &run, k, f.bootstrap, "sharers", strategy);
    want_msgs_t w = {0, NMSGS, NPARTS / NMEMBERS};
    long long t0 = fixture_now_ms();
    bool ok = poll_until(ms, NMEMBERS, all_consumed, &w, TIMEOUT_MS);
    print_split(strategy, ms, NMEMBERS);
    ck_assert_msg(ok, "not all consumed and balanced within %d ms", TIMEOUT_MS);
    fprintf(stderr, "%s: %d messages in %lld ms\n", strategy, NMSGS, fixture_now_ms() - t0);
    ck_assert_int_eq(run.bad, 0);
    ck_assert_int_eq(run.overlaps, 0);
    ck_assert_int_eq(count_seen(&run, 0, NMSGS, 1), NMSGS);
    check_listed(f.bootstrap, "sharers", protocol, ms, NMEMBERS);
    members_close(ms, NMEMBERS);
    free(run.seen);
    fixture_stop(&f);
}

START_TEST(test_share_range) { share_topic("range", "range"); }
END_TEST

START_TEST(test_share_cooperative_sticky) { share_topic("cooperative-sticky", "cooperative-sticky"); }
END_TEST

static bool live_balanced(const member_t *ms, int n, const void *arg)
{
    return balanced(ms, n, *(const int *)arg);
}

/* A member that stops heartbeating without leaving (its handle destroyed
 * without closing the consumer) keeps its partitions until its session
 * times out; then the others share them and consume what comes next. */
START_TEST(test_session_timeout)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    create_topic(f.bootstrap, "sessions", NPARTS);
    produce(f.bootstrap, "sessions", 0, 600);
    group_run_t run;
    run_init(&run, "sessions", 1200);
    member_t ms[NMEMBERS];
    for (int k = 0; k < NMEMBERS; k++)
        member_start(&ms[k], &run, k, f.bootstrap, "mortals", "range");
    want_msgs_t w = {0, 600, NPARTS / NMEMBERS};
    ck_assert(poll_until(ms, NMEMBERS, all_consumed, &w, TIMEOUT_MS));

    member_t *gone = &ms[NMEMBERS - 1];
    rd_kafka_destroy_flags(gone->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    gone->rk = NULL;
    for (int p = 0; p < NPARTS; p++)
        if (run.owner[p] == gone->index)
            run.owner[p] = -1;
    long long t0 = fixture_now_ms();
    int share = NPARTS / (NMEMBERS - 1);
    ck_assert(poll_until(ms, NMEMBERS, live_balanced, &share, TIMEOUT_MS));
    long long moved = fixture_now_ms() - t0;
    fprintf(stderr, "a silent member's partitions moved after %lld ms (session.timeout.ms %d)\n", moved,
            SESSION_MS);
    /* not at once, as after a LeaveGroup: after the session timeout, counted
     * from a last heartbeat a little before the handle went */
    ck_assert_int_ge(moved, SESSION_MS / 2);
    ck_assert_int_eq(run.overlaps, 0);

    produce(f.bootstrap, "sessions", 600, 1200);
    want_msgs_t more = {600, 1200, share};
    ck_assert(poll_until(ms, NMEMBERS, all_consumed, &more, TIMEOUT_MS));
    ck_assert_int_eq(count_seen(&run, 600, 1200, 1), 600);
    ck_assert_int_eq(run.bad, 0);
    check_listed(f.bootstrap, "mortals", "range", ms, NMEMBERS);
    members_close(ms, NMEMBERS);
    free(run.seen);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ commits and restarts */

static bool consumed_half(const member_t *ms, int n, const void *arg)
{
    (void)n, (void)arg;
    return ms[0].consumed >= NMSGS / 2;
}

/* Commits the member's positions with metadata "m<partition>"; fills
 * offsets with them. */
static void commit_positions(member_t *m, int64_t *offsets)
{
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(NPARTS);
    for (int p = 0; p < NPARTS; p++)
        rd_kafka_topic_partition_list_add(parts, m->run->topic, p);
    ck_assert_int_eq(rd_kafka_position(m->rk, parts), 0);
    for (int p = 0; p < NPARTS; p++) {
        rd_kafka_topic_partition_t *tp = &parts->elems[p];
        if (tp->offset < 0)
            tp->offset = 0; /* nothing consumed there yet */
        offsets[p] = tp->offset;
        char meta[8];
        snprintf(meta, sizeof meta, "m%d", p);
        tp->metadata = strdup(meta);
        tp->metadata_size = strlen(meta);
    }
    ck_assert_int_eq(rd_kafka_commit(m->rk, parts, 0), 0);
    rd_kafka_topic_partition_list_destroy(parts);
}

/* rd_kafka_committed of a group (from a handle that joins nothing) gives
 * offsets and their metadata. */
static void check_committed(const char *bootstrap, const char *group, const char *topic, const int64_t *offsets)
{
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "group.id", group);
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, conf);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(NPARTS);
    for (int p = 0; p < NPARTS; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p);
    ck_assert_int_eq(rd_kafka_committed(rk, parts, TIMEOUT_MS), 0);
    for (int p = 0; p < NPARTS; p++) {
        const rd_kafka_topic_partition_t *tp = &parts->elems[p];
        char meta[8];
        snprintf(meta, sizeof meta, "m%d", p);
        ck_assert_int_eq(tp->err, 0);
        ck_assert_int_eq(tp->offset, offsets[p]);
        ck_assert(tp->metadata_size == strlen(meta) && !memcmp(tp->metadata, meta, strlen(meta)));
    }
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

/* A member consumes about half the topic and commits; the broker
 * restarts; the offsets read back, and a new member of the group goes on
 * from them: nothing consumed twice, nothing skipped. */
START_TEST(test_commit_restart)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    create_topic(f.bootstrap, "resume", NPARTS);
    produce(f.bootstrap, "resume", 0, NMSGS);
    group_run_t run;
    run_init(&run, "resume", NMSGS);
    member_t first, second;
    member_start(&first, &run, 0, f.bootstrap, "resumers", "range");
    first.no_commit = true;
    ck_assert(poll_until(&first, 1, consumed_half, NULL, TIMEOUT_MS));
    int64_t offsets[NPARTS];
    commit_positions(&first, offsets);
    rd_kafka_consumer_close(first.rk);
    rd_kafka_destroy(first.rk);
    /* the positions are just past what was consumed */
    int kept = 0;
    for (int i = 0; i < NMSGS; i++) {
        int below = i / NPARTS < offsets[i % NPARTS];
        ck_assert_msg(run.seen[i] == below, "message %d consumed %d times", i, run.seen[i]);
        kept += below;
    }
    fprintf(stderr, "committed %d of %d messages before the restart\n", kept, NMSGS);
    check_committed(f.bootstrap, "resumers", "resume", offsets);

    fixture_restart(&f);
    check_committed(f.bootstrap, "resumers", "resume", offsets);
    member_start(&second, &run, 1, f.bootstrap, "resumers", "range");
    want_msgs_t w = {0, NMSGS, NPARTS};
    ck_assert(poll_until(&second, 1, all_consumed, &w, TIMEOUT_MS));
    ck_assert_int_eq(count_seen(&run, 0, NMSGS, 1), NMSGS);
    ck_assert_int_eq(second.consumed, NMSGS - kept);
    for (int p = 0; p < NPARTS; p++)
        if (offsets[p] < NMSGS / NPARTS)
            ck_assert_int_eq(second.first_value[p], p + NPARTS * (int)offsets[p]);
    ck_assert_int_eq(run.bad, 0);
    member_close(&second);
    free(run.seen);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ kcat -G */

#define KCATS 3

typedef struct kcat {
    pid_t pid; /* 0 once gone */
    int out;   /* its stdout */
    char line[64];
    size_t line_len;
    int consumed;
} kcat_t;

static bool have_kcat(void)
{
    char *argv[] = {"kcat", "-V", NULL};
    pid_t pid;
    int status;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&pid, "kcat", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* kcat -G: a balanced consumer of the group, printing "<value>" lines
 * unbuffered. */
static void kcat_start(kcat_t *k, const char *bootstrap, const char *group, const char *topic)
{
    char bs[64];
    snprintf(bs, sizeof bs, "%s", bootstrap);
    char *argv[] = {"kcat", "-b", bs, "-G", (char *)group, (char *)topic, "-q", "-u", "-f", "%s\n",
                    "-X", "auto.offset.reset=earliest", "-X", "session.timeout.ms=3000",
                    "-X", "heartbeat.interval.ms=300", "-X", "partition.assignment.strategy=range",
                    "-X", "fetch.wait.max.ms=100", NULL};
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    memset(k, 0, sizeof *k);
    ck_assert_int_eq(posix_spawnp(&k->pid, "kcat", &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    k->out = fds[0];
    fcntl(k->out, F_SETFL, O_NONBLOCK);
}

/* Ends kcat with sig (SIGTERM: it leaves the group) and reaps it. */
static void kcat_stop(kcat_t *k, int sig)
{
    if (!k->pid)
        return;
    kill(k->pid, sig);
    int status;
    waitpid(k->pid, &status, 0);
    close(k->out);
    k->pid = 0;
}

static void kcat_line(kcat_t *k, group_run_t *run)
{
    k->line[k->line_len] = '\0';
    int i = atoi(k->line);
    if (k->line_len == 0 || i < 0 || i >= run->seen_size)
        run->bad++;
    else
        run->seen[i]++;
    k->consumed++;
    k->line_len = 0;
}

/* Reads what the live kcats printed, waiting up to wait_ms for some. */
static void kcat_read(kcat_t *ks, int n, group_run_t *run, int wait_ms)
{
    struct pollfd pfd[KCATS];
    for (int k = 0; k < n; k++)
        pfd[k] = (struct pollfd){.fd = ks[k].pid ? ks[k].out : -1, .events = POLLIN};
    if (poll(pfd, (nfds_t)n, wait_ms) <= 0)
        return;
    for (int k = 0; k < n; k++) {
        char buf[4096];
        ssize_t got = pfd[k].revents ? read(ks[k].out, buf, sizeof buf) : 0;
        for (ssize_t j = 0; j < got; j++) {
            if (buf[j] == '\n')
                kcat_line(&ks[k], run);
            else if (ks[k].line_len < sizeof ks[k].line - 1)
                ks[k].line[ks[k].line_len++] = buf[j];
        }
    }
}

/* The group as rd_kafka_list_groups shows it: Stable with members
 * members, each assigned NPARTS / members partitions. */
static bool group_settled(rd_kafka_t *rk, const char *group, const char *topic, int members)
{
    const struct rd_kafka_group_list *gl;
    if (rd_kafka_list_groups(rk, group, &gl, TIMEOUT_MS) != 0)
        return false;
    bool ok = gl->group_cnt == 1 && !strcmp(gl->groups[0].state, "Stable") && gl->groups[0].member_cnt == members;
    for (int i = 0; ok && i < members; i++) {
        const struct rd_kafka_group_member_info *mi = &gl->groups[0].members[i];
        assignment_t a;
        ok = parse_assignment(mi->member_assignment, mi->member_assignment_size, topic, &a) &&
             a.count == NPARTS / members;
    }
    rd_kafka_group_list_destroy(gl);
    return ok;
}

static void kcat_wait_settled(kcat_t *ks, group_run_t *run, rd_kafka_t *rk, const char *group, int members)
{
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    while (!group_settled(rk, group, run->topic, members)) {
        ck_assert_msg(fixture_now_ms() < deadline, "group %s did not settle with %d members", group, members);
        kcat_read(ks, KCATS, run, 50); /* also paces the ListGroups requests */
    }
}

static void kcat_wait_consumed(kcat_t *ks, group_run_t *run, int first, int last)
{
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    while (count_seen(run, first, last, 0) > 0) {
        ck_assert_msg(fixture_now_ms() < deadline, "kcats consumed %d of %d", last - first -
                      count_seen(run, first, last, 0), last - first);
        kcat_read(ks, KCATS, run, 100);
    }
}

/* Three kcat -G consumers share the topic, every message once; one is
 * killed with SIGKILL and the two others take its partitions after its
 * session timeout and consume what comes next; they leave on SIGTERM. */
START_TEST(test_kcat_group)
{
    KL_SKIP_IF(!have_kcat(), "kcat not installed (Debian kcat)");
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    create_topic(f.bootstrap, "kcats", NPARTS);
    group_run_t run;
    run_init(&run, "kcats", NMSGS + 600);
    kcat_t ks[KCATS];
    for (int k = 0; k < KCATS; k++)
        kcat_start(&ks[k], f.bootstrap, "kcat-group", "kcats");
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, conf_new(f.bootstrap));
    kcat_wait_settled(ks, &run, rk, "kcat-group", KCATS);
    produce(f.bootstrap, "kcats", 0, NMSGS);
    kcat_wait_consumed(ks, &run, 0, NMSGS);
    ck_assert_int_eq(count_seen(&run, 0, NMSGS, 1), NMSGS);
    fprintf(stderr, "kcat -G: %d / %d / %d messages\n", ks[0].consumed, ks[1].consumed, ks[2].consumed);

    long long t0 = fixture_now_ms();
    kcat_stop(&ks[KCATS - 1], SIGKILL);
    kcat_wait_settled(ks, &run, rk, "kcat-group", KCATS - 1);
    fprintf(stderr, "kcat -G: a killed member's partitions moved after %lld ms\n", fixture_now_ms() - t0);
    produce(f.bootstrap, "kcats", NMSGS, NMSGS + 600);
    kcat_wait_consumed(ks, &run, NMSGS, NMSGS + 600);
    ck_assert_int_eq(count_seen(&run, NMSGS, NMSGS + 600, 1), 600);
    ck_assert_int_eq(run.bad, 0);
    for (int k = 0; k < KCATS - 1; k++)
        kcat_stop(&ks[k], SIGTERM);
    const struct rd_kafka_group_list *gl;
    ck_assert_int_eq(rd_kafka_list_groups(rk, "kcat-group", &gl, TIMEOUT_MS), 0);
    ck_assert_str_eq(gl->groups[0].state, "Empty");
    rd_kafka_group_list_destroy(gl);
    rd_kafka_destroy(rk);
    free(run.seen);
    fixture_stop(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("broker_groups");
    TCase *tc = tcase_create("rdkafka");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_share_range);
    tcase_add_test(tc, test_share_cooperative_sticky);
    tcase_add_test(tc, test_session_timeout);
    tcase_add_test(tc, test_commit_restart);
    tcase_add_test(tc, test_kcat_group);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int rc = kl_test_result(sr);
    srunner_free(sr);
    return rc;
}
