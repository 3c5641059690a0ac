/* Consumers in groups on the embedded broker: three members share a
 * 6-partition topic and see every message exactly once; committed offsets
 * survive the consumer (a new member resumes from them); a member that
 * closes hands its partitions over; the rebalance callback sees each
 * change. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>

#include "broker_fixture.h"

#define WAIT_MS 60000

static const char *const broker_props[] = {"num.partitions", "6", "group.initial.rebalance.delay.ms", "0", NULL};
static broker_fixture_t fx;

static void setup(void) { fixture_start(&fx, broker_props); }
static void teardown(void) { fixture_stop(&fx); }

static kl_conf_t *client_conf(const char *const *props)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", fx.bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    for (const char *const *p = props; p && p[0]; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s=%s: %s", p[0], p[1],
                      errstr);
    return conf;
}

static kl_consumer_t *member_new(const char *group, const char *const *props, kl_rebalance_cb *cb)
{
    char errstr[256];
    kl_conf_t *conf = client_conf(props);
    if (getenv("KL_TEST_DEBUG"))
        kl_conf_set(conf, "debug", getenv("KL_TEST_DEBUG"), NULL, 0);
    ck_assert_int_eq(kl_conf_set(conf, "group.id", group, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "auto.offset.reset", "earliest", errstr, sizeof errstr), KL_ERR_NONE);
    if (cb)
        kl_conf_set_rebalance_cb(conf, cb);
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "kl_consumer_new: %s", errstr);
    return c;
}

static void subscribe(kl_consumer_t *c, const char *topic)
{
    const char *topics[] = {topic};
    ck_assert_int_eq(kl_subscribe(c, topics, 1), KL_ERR_NONE);
}

/* count messages spread over the partitions, value = "v<i>" */
static void produce(const char *topic, int32_t partition, int count)
{
    char errstr[256];
    const char *props[] = {"linger.ms", "10", NULL};
    kl_conf_t *conf = client_conf(props);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < count; i++) {
        char value[32];
        int n = snprintf(value, sizeof value, "v%d", i);
        kl_err_t err;
        while ((err = kl_produce(p, topic, partition, NULL, 0, value, (size_t)n, 0, NULL)) == KL_ERR_QUEUE_FULL)
            kl_producer_poll(p, 10);
        ck_assert_int_eq(err, KL_ERR_NONE);
        if (i % 10000 == 0)
            kl_producer_poll(p, 0);
    }
    ck_assert_int_eq(kl_producer_flush(p, WAIT_MS), KL_ERR_NONE);
    ck_assert_uint_eq(kl_producer_failed(p), 0);
    kl_producer_destroy(p);
}

static size_t assignment_size(kl_consumer_t *c)
{
    kl_topic_partition_list_t *list;
    ck_assert_int_eq(kl_assignment(c, &list), KL_ERR_NONE);
    size_t n = list->count;
    kl_topic_partition_list_destroy(list);
    return n;
}

/* ---- every message once ---------------------------------------------------------- */

#define NMSG 300000
#define NPART 6
#define QUIET_MS 3000 /* polled after the last message, for late duplicates */

/* The "v<i>" value's i, or -1. */
static long value_index(kl_message_t *msg)
{
    size_t len;
    const char *v = kl_message_value(msg, &len);
    char buf[16];
    if (!v || len < 2 || len >= sizeof buf || v[0] != 'v')
        return -1;
    memcpy(buf, v + 1, len - 1);
    buf[len - 1] = '\0';
    char *end;
    long i = strtol(buf, &end, 10);
    return *end == '\0' && i >= 0 && i < NMSG ? i : -1;
}

/* Each member owns 2 of the 6 partitions (range: 6 / 3), none twice. */
static void check_two_partitions_each(kl_consumer_t *const m[3])
{
    bool owned[NPART] = {false};
    for (int i = 0; i < 3; i++) {
        kl_topic_partition_list_t *list;
        ck_assert_int_eq(kl_assignment(m[i], &list), KL_ERR_NONE);
        ck_assert_msg(list->count == 2, "member %d owns %zu partitions, not 2", i, list->count);
        for (size_t k = 0; k < list->count; k++) {
            int32_t p = list->elems[k].partition;
            ck_assert(p >= 0 && p < NPART);
            ck_assert_msg(!owned[p], "partition %d owned twice", p);
            owned[p] = true;
        }
        kl_topic_partition_list_destroy(list);
    }
}

START_TEST(test_three_members_exactly_once)
{
    produce("eo", KL_PARTITION_UA, NMSG);
    kl_consumer_t *m[3];
    for (int i = 0; i < 3; i++) {
        m[i] = member_new("g-eo", NULL, NULL);
        subscribe(m[i], "eo");
    }
    /* seen[p] counts per offset (offsets per partition stay below NMSG);
     * values[i] counts the value "v<i>": a message delivered twice at
     * different offsets is a duplicate too. */
    unsigned char *seen[NPART];
    for (int p = 0; p < NPART; p++)
        seen[p] = calloc(NMSG, 1);
    unsigned char *values = calloc(NMSG, 1);
    long total = 0, dups = 0, value_dups = 0;
    long long deadline = fixture_now_ms() + 3 * WAIT_MS;
    long long last_progress = fixture_now_ms();
    /* Drain each member in turn without waiting; wait a little only when
     * a whole round found nothing. After the last distinct message, go on
     * polling for QUIET_MS so a late duplicate is seen. */
    int idle = 0;
    while (fixture_now_ms() < deadline &&
           fixture_now_ms() - last_progress < (total < NMSG ? WAIT_MS : QUIET_MS)) {
        int got = 0;
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 5000; k++) {
                kl_message_t *msg = kl_consumer_poll(m[i], idle ? 3 : 0);
                if (!msg)
                    break;
                got++;
                if (!kl_message_error(msg)) {
                    int32_t p = kl_message_partition(msg);
                    int64_t off = kl_message_offset(msg);
                    long v = value_index(msg);
                    ck_assert(p >= 0 && p < NPART && off >= 0 && off < NMSG);
                    ck_assert_msg(v >= 0, "partition %d offset %lld: not a value produced", p, (long long)off);
                    if (seen[p][off]++)
                        dups++;
                    else
                        total++;
                    value_dups += values[v]++ != 0;
                    last_progress = fixture_now_ms();
                } else {
                    size_t len;
                    const char *why = kl_message_value(msg, &len);
                    fprintf(stderr, "member %d: %s: %.*s\n", i, kl_err_name(kl_message_error(msg)), (int)len,
                            why ? why : "");
                }
                kl_message_destroy(msg);
            }
        idle = got == 0;
    }
    if (total != NMSG) {
        for (int i = 0; i < 3; i++) {
            kl_partition_lag_t *lags;
            size_t n;
            ck_assert_int_eq(kl_consumer_lag(m[i], &lags, &n), KL_ERR_NONE);
            for (size_t k = 0; k < n; k++)
                fprintf(stderr, "member %d: %s [%d] position %lld committed %lld high %lld\n", i, lags[k].topic,
                        lags[k].partition, (long long)lags[k].position, (long long)lags[k].committed,
                        (long long)lags[k].high_watermark);
            kl_consumer_lag_free(lags, n);
        }
        for (int p = 0; p < NPART; p++) {
            long n = 0, first_missing = -1;
            for (long o = 0; o < NMSG; o++) {
                n += seen[p][o] != 0;
                if (!seen[p][o] && first_missing < 0)
                    first_missing = o;
            }
            fprintf(stderr, "partition %d: %ld seen, first missing %ld\n", p, n, first_missing);
        }
    }
    ck_assert_msg(total == NMSG, "consumed %ld distinct messages of %d", total, NMSG);
    ck_assert_msg(dups == 0, "%ld duplicates by offset", dups);
    ck_assert_msg(value_dups == 0, "%ld duplicates by value", value_dups);
    for (long i = 0; i < NMSG; i++)
        ck_assert_msg(values[i] == 1, "value v%ld consumed %d times", i, values[i]);
    check_two_partitions_each(m);
    for (int i = 0; i < 3; i++)
        kl_consumer_destroy(m[i]);
    for (int p = 0; p < NPART; p++)
        free(seen[p]);
    free(values);
}
END_TEST

/* ---- commits survive the consumer ------------------------------------------------ */

START_TEST(test_commits_resume)
{
    produce("cr", 0, 200);
    const char *props[] = {"enable.auto.commit", "false", NULL};
    kl_consumer_t *c = member_new("g-cr", props, NULL);
    subscribe(c, "cr");
    kl_message_t *msg = NULL;
    long long first_deadline = fixture_now_ms() + WAIT_MS;
    for (int got = 0; got < 120;) {
        ck_assert_msg(fixture_now_ms() < first_deadline, "%d of 120 messages consumed within %d ms", got, WAIT_MS);
        msg = kl_consumer_poll(c, 200);
        if (msg && !kl_message_error(msg) && kl_message_partition(msg) == 0) {
            ck_assert_int_eq(kl_message_offset(msg), got);
            got++;
            if (got == 120)
                break;
        }
        kl_message_destroy(msg);
        msg = NULL;
    }
    ck_assert_int_eq(kl_commit_message(c, msg, 0), KL_ERR_NONE); /* up to offset 119: 120 next */
    kl_message_destroy(msg);
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(list, "cr", 0);
    ck_assert_int_eq(kl_committed(c, list, WAIT_MS), KL_ERR_NONE);
    ck_assert_int_eq(list->elems[0].offset, 120);
    char *id = kl_consumer_memberid(c);
    ck_assert_ptr_nonnull(id);
    ck_assert_msg(strlen(id) > 0, "no member id");
    kl_mem_free(id);
    ck_assert_str_eq(kl_rebalance_protocol(c), "EAGER");
    ck_assert_int_eq(kl_consumer_close(c), KL_ERR_NONE);
    kl_consumer_destroy(c);
    /* a new member of the group starts where the commit says */
    c = member_new("g-cr", NULL, NULL);
    subscribe(c, "cr");
    long long deadline = fixture_now_ms() + WAIT_MS;
    msg = NULL;
    while (!msg && fixture_now_ms() < deadline) {
        msg = kl_consumer_poll(c, 200);
        if (msg && kl_message_error(msg)) {
            kl_message_destroy(msg);
            msg = NULL;
        }
    }
    ck_assert_ptr_nonnull(msg);
    ck_assert_int_eq(kl_message_offset(msg), 120);
    kl_message_destroy(msg);
    kl_consumer_destroy(c); /* closes: auto-commit stores 121 */
    c = member_new("g-cr", NULL, NULL);
    list->elems[0].offset = KL_OFFSET_INVALID;
    ck_assert_int_eq(kl_committed(c, list, WAIT_MS), KL_ERR_NONE);
    ck_assert_int_eq(list->elems[0].offset, 121);
    kl_topic_partition_list_destroy(list);
    kl_consumer_destroy(c);
}
END_TEST

/* ---- a member that closes hands over -------------------------------------------- */

static int assigned_events, revoked_events;

static void count_rebalance(kl_consumer_t *c, kl_err_t err, kl_topic_partition_list_t *parts, void *opaque)
{
    (void)opaque;
    if (err == KL_ERR_ASSIGN_PARTITIONS) {
        assigned_events++;
        ck_assert_int_eq(kl_assign(c, parts), KL_ERR_NONE);
    } else {
        revoked_events++;
        ck_assert_int_eq(kl_assign(c, NULL), KL_ERR_NONE);
    }
}

START_TEST(test_close_hands_over)
{
    produce("ho", KL_PARTITION_UA, 600);
    kl_consumer_t *a = member_new("g-ho", NULL, count_rebalance);
    kl_consumer_t *b = member_new("g-ho", NULL, NULL);
    subscribe(a, "ho");
    subscribe(b, "ho");
    long long deadline = fixture_now_ms() + WAIT_MS;
    while ((assignment_size(a) != 3 || assignment_size(b) != 3) && fixture_now_ms() < deadline) {
        kl_message_destroy(kl_consumer_poll(a, 20));
        kl_message_destroy(kl_consumer_poll(b, 20));
    }
    ck_assert_uint_eq(assignment_size(a), 3);
    ck_assert_uint_eq(assignment_size(b), 3);
    ck_assert_int_ge(assigned_events, 1);
    ck_assert_int_eq(kl_consumer_close(a), KL_ERR_NONE);
    ck_assert_int_ge(revoked_events, 1); /* the callback ran inside close */
    ck_assert_uint_eq(assignment_size(a), 0);
    while (assignment_size(b) != 6 && fixture_now_ms() < deadline)
        kl_message_destroy(kl_consumer_poll(b, 20));
    ck_assert_uint_eq(assignment_size(b), 6);
    kl_consumer_destroy(a);
    kl_consumer_destroy(b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("consumer_group");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {{"commits", test_commits_resume}, {"handover", test_close_hands_over},
                 {"exactly_once", test_three_members_exactly_once}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
