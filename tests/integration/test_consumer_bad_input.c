/* The consumer given bad input by its group or its cluster, on the
 * embedded broker: a member whose assignment strategy no other member
 * speaks is refused (INCONSISTENT_GROUP_PROTOCOL through poll) while the
 * group carries on; a topic deleted while being consumed is reported
 * through poll and its partitions go away, and the consumer keeps working.
 * (Corrupt batches with check.crcs are in test_consumer.c.) */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kafkalite.h>

#include "broker_fixture.h"

#define WAIT_MS 60000

static const char *const broker_props[] = {"num.partitions", "3", "group.initial.rebalance.delay.ms", "0", NULL};
static broker_fixture_t fx;

static void setup(void) { fixture_start(&fx, broker_props); }
static void teardown(void) { fixture_stop(&fx); }

static kl_conf_t *client_conf(void)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", fx.bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    return conf;
}

static kl_consumer_t *member_new(const char *group, const char *strategy)
{
    char errstr[256];
    kl_conf_t *conf = client_conf();
    const char *props[] = {"group.id", group, "auto.offset.reset", "earliest", "partition.assignment.strategy",
                           strategy, NULL};
    for (const char *const *p = props; p[0]; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s=%s: %s", p[0], p[1],
                      errstr);
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

static void produce(const char *topic, int per_partition)
{
    char errstr[256];
    kl_conf_t *conf = client_conf();
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(p != NULL, "kl_producer_new: %s", errstr);
    for (int i = 0; i < per_partition; i++)
        for (int32_t part = 0; part < 3; part++)
            ck_assert_int_eq(kl_produce(p, topic, part, NULL, 0, "v", 1, 0, NULL), KL_ERR_NONE);
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

/* Polls c until a message carrying err comes (records are counted in
 * *records), failing after WAIT_MS; returns it. */
static kl_message_t *poll_for_error(kl_consumer_t *c, kl_err_t err, long *records)
{
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (fixture_now_ms() < deadline) {
        kl_message_t *m = kl_consumer_poll(c, 100);
        if (!m)
            continue;
        if (kl_message_error(m) == err)
            return m;
        if (!kl_message_error(m) && records)
            (*records)++;
        kl_message_destroy(m);
    }
    ck_abort_msg("no %s within %d ms", kl_err_name(err), WAIT_MS);
    return NULL;
}

/* ---- a member with an assignment strategy the group does not speak ---------------- */

START_TEST(test_inconsistent_protocol)
{
    produce("proto", 10);
    kl_consumer_t *a = member_new("g-proto", "range");
    subscribe(a, "proto");
    long records = 0;
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (assignment_size(a) != 3 && fixture_now_ms() < deadline) {
        kl_message_t *m = kl_consumer_poll(a, 50);
        records += m && !kl_message_error(m);
        kl_message_destroy(m);
    }
    ck_assert_uint_eq(assignment_size(a), 3);

    kl_consumer_t *b = member_new("g-proto", "roundrobin");
    subscribe(b, "proto");
    kl_message_t *m = poll_for_error(b, KL_ERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
    ck_assert_int_eq(kl_message_partition(m), -1); /* the consumer's error, not a partition's */
    size_t len;
    const char *why = kl_message_value(m, &len);
    ck_assert_msg(why && len > 0, "no reason given");
    kl_message_destroy(m);
    ck_assert_uint_eq(assignment_size(b), 0);
    ck_assert_str_eq(kl_rebalance_protocol(a), "EAGER");

    /* the group carries on without it: a still owns everything and reads
     * each message once */
    deadline = fixture_now_ms() + WAIT_MS;
    while (records < 30 && fixture_now_ms() < deadline) {
        m = kl_consumer_poll(a, 100);
        if (m && !kl_message_error(m))
            records++;
        kl_message_destroy(m);
    }
    ck_assert_int_eq(records, 30);
    m = kl_consumer_poll(a, 300);
    ck_assert_msg(!m || kl_message_error(m), "a message beyond the 30 produced");
    kl_message_destroy(m);
    ck_assert_uint_eq(assignment_size(a), 3);
    /* the refused member still closes cleanly */
    ck_assert_int_eq(kl_consumer_close(b), KL_ERR_NONE);
    kl_consumer_destroy(b);
    kl_consumer_destroy(a);
}
END_TEST

/* ---- a topic deleted while being consumed ------------------------------------------ */

static void delete_topic(const char *topic)
{
    char errstr[256];
    kl_conf_t *conf = client_conf();
    kl_admin_t *admin = kl_admin_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(admin != NULL, "kl_admin_new: %s", errstr);
    kl_admin_results_t *res = NULL;
    const char *topics[] = {topic};
    ck_assert_int_eq(kl_admin_delete_topics(admin, topics, 1, WAIT_MS, &res), KL_ERR_NONE);
    ck_assert_uint_eq(res->count, 1);
    ck_assert_int_eq(res->items[0].err, KL_ERR_NONE);
    kl_admin_results_destroy(res);
    kl_admin_destroy(admin);
}

START_TEST(test_topic_deleted_while_consuming)
{
    produce("doomed", 100);
    produce("kept", 100);
    kl_consumer_t *c = member_new("g-del", "range");
    const char *topics[] = {"doomed", "kept"};
    ck_assert_int_eq(kl_subscribe(c, topics, 2), KL_ERR_NONE);
    long records = 0;
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (records < 600 && fixture_now_ms() < deadline) {
        kl_message_t *m = kl_consumer_poll(c, 100);
        if (m && !kl_message_error(m))
            records++;
        kl_message_destroy(m);
    }
    ck_assert_int_eq(records, 600);
    ck_assert_uint_eq(assignment_size(c), 6);

    delete_topic("doomed");
    kl_message_t *m = poll_for_error(c, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION, NULL);
    /* from the fetcher (the partition's error) or from the group (the
     * subscription's: no topic, the reason names it), whichever saw it
     * first */
    size_t len;
    const char *why = kl_message_value(m, &len);
    ck_assert_msg(why && len > 0, "no reason given");
    const char *topic = kl_message_topic(m);
    ck_assert_msg((topic && !strcmp(topic, "doomed")) || memmem(why, len, "doomed", 6), "topic %s: %.*s",
                  topic ? topic : "(none)", (int)len, why);
    kl_message_destroy(m);

    /* the group drops the deleted topic's partitions; the other topic is
     * still read */
    deadline = fixture_now_ms() + WAIT_MS;
    while (assignment_size(c) != 3 && fixture_now_ms() < deadline)
        kl_message_destroy(kl_consumer_poll(c, 50));
    kl_topic_partition_list_t *list;
    ck_assert_int_eq(kl_assignment(c, &list), KL_ERR_NONE);
    ck_assert_uint_eq(list->count, 3);
    for (size_t i = 0; i < list->count; i++)
        ck_assert_str_eq(list->elems[i].topic, "kept");
    kl_topic_partition_list_destroy(list);
    produce("kept", 5);
    records = 0;
    deadline = fixture_now_ms() + WAIT_MS;
    while (records < 15 && fixture_now_ms() < deadline) {
        m = kl_consumer_poll(c, 100);
        if (m && !kl_message_error(m)) {
            ck_assert_str_eq(kl_message_topic(m), "kept");
            ck_assert_int_ge(kl_message_offset(m), 100);
            records++;
        }
        kl_message_destroy(m);
    }
    ck_assert_int_eq(records, 15);
    ck_assert_int_eq(kl_consumer_close(c), KL_ERR_NONE);
    kl_consumer_destroy(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("consumer_bad_input");
    TCase *tc = tcase_create("bad_input");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_inconsistent_protocol);
    tcase_add_test(tc, test_topic_deleted_while_consuming);
    suite_add_tcase(s, tc);
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
