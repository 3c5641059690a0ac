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

/* ---- a test: produce, then check what the delivery reports said ---- */

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

    for (int i = 0; i < 10; i++) /* the topic is created on first use */
        ck_assert_int_eq(kl_produce(producer, "orders", 0, NULL, 0, "order", 5, 0, NULL), KL_ERR_NONE);
    ck_assert_int_eq(kl_producer_flush(producer, 30000), KL_ERR_NONE);
    kl_producer_destroy(producer);

    ck_assert_int_eq(r.delivered, 10);
    ck_assert_int_eq(r.last_offset, 9); /* a fresh broker: offsets 0 to 9 */
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
