/* test_with_broker: how your own unit tests (here with Check) get a real
 * Kafka-protocol broker in a few lines. The fixture starts kafkalite's
 * embedded broker inside the test process, on 127.0.0.1 with a port the
 * system picks and a temporary data directory, so tests run in parallel
 * without a Kafka installation; the test gives the code under test
 * kl_broker_bootstrap_servers() as its bootstrap.servers.
 *
 * Build it against an installed kafkalite with
 *   cc test_with_broker.c -o test_with_broker \
 *       $(pkg-config --cflags --libs kafkalite check)
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#include <check.h>
#include <ftw.h>
#include <kafkalite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the fixture: a broker per test ---- */

static kl_broker_t *broker;
static char data_dir[64];

static void broker_setup(void)
{
    char err[512];
    snprintf(data_dir, sizeof data_dir, "/tmp/my-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(data_dir));

    kl_conf_t *conf = kl_broker_conf_new(); /* Kafka's server.properties names */
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "PLAINTEXT://127.0.0.1:0", err, sizeof err), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", data_dir, err, sizeof err), KL_ERR_NONE);
    broker = kl_broker_new(conf, err, sizeof err); /* copies conf */
    kl_conf_destroy(conf);
    ck_assert_msg(broker != NULL, "broker: %s", err);
    ck_assert_int_eq(kl_broker_start(broker), KL_ERR_NONE);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static void broker_teardown(void)
{
    kl_broker_destroy(broker); /* stops it too */
    nftw(data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- a test: produce, check the delivery reports, read back ---- */

#define COUNT 10

typedef struct result {
    int delivered;
    int64_t last_offset;
} result_t;

static void on_delivery(kl_producer_t *producer, const kl_message_t *msg, void *opaque)
{
    result_t *r = opaque;
    (void)producer;
    ck_assert_int_eq(kl_message_error(msg), KL_ERR_NONE);
    r->delivered++;
    r->last_offset = kl_message_offset(msg);
}

/* Reads partition 0 of topic from its beginning (no group: kl_assign)
 * and checks message i is at offset i with the value "order <i>". */
static void check_read_back(const char *topic, int count)
{
    char err[512];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", kl_broker_bootstrap_servers(broker), err, sizeof err),
                     KL_ERR_NONE);
    kl_consumer_t *consumer = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(consumer != NULL, "consumer: %s", err);
    kl_topic_partition_list_t *parts = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(parts, topic, 0)->offset = KL_OFFSET_BEGINNING;
    ck_assert_int_eq(kl_assign(consumer, parts), KL_ERR_NONE);
    kl_topic_partition_list_destroy(parts);

    int got = 0;
    for (int polls = 0; got < count && polls < 300; polls++) { /* 300 x 100 ms at most */
        kl_message_t *msg = kl_consumer_poll(consumer, 100);
        if (!msg)
            continue;
        ck_assert_int_eq(kl_message_error(msg), KL_ERR_NONE);
        char want[32];
        snprintf(want, sizeof want, "order %d", got);
        size_t len;
        const char *value = kl_message_value(msg, &len);
        ck_assert_int_eq(kl_message_offset(msg), got);
        ck_assert_msg(len == strlen(want) && memcmp(value, want, len) == 0, "offset %d: \"%.*s\", not \"%s\"", got,
                      (int)len, value, want);
        got++;
        kl_message_destroy(msg);
    }
    ck_assert_int_eq(got, count);
    kl_consumer_destroy(consumer);
}

START_TEST(messages_are_stored_in_order)
{
    char err[512];
    result_t r = {0, -1};
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", kl_broker_bootstrap_servers(broker), err, sizeof err),
                     KL_ERR_NONE);
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_opaque(conf, &r);
    kl_producer_t *producer = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(producer != NULL, "producer: %s", err);

    for (int i = 0; i < COUNT; i++) { /* the topic is created on first use */
        char value[32];
        int len = snprintf(value, sizeof value, "order %d", i);
        ck_assert_int_eq(kl_produce(producer, "orders", 0, NULL, 0, value, (size_t)len, 0, NULL), KL_ERR_NONE);
    }
    ck_assert_int_eq(kl_producer_flush(producer, 30000), KL_ERR_NONE);
    kl_producer_destroy(producer);

    ck_assert_int_eq(r.delivered, COUNT);
    ck_assert_int_eq(r.last_offset, COUNT - 1); /* a fresh broker: offsets 0 to 9 */
    check_read_back("orders", COUNT);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("with_broker");
    TCase *tc = tcase_create("orders");
    tcase_add_checked_fixture(tc, broker_setup, broker_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, messages_are_stored_in_order);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
