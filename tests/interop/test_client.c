/* The client core (lib/client) against librdkafka's mock cluster: the
 * ApiVersions handshake (the mock refuses v3, so the v0 fallback runs),
 * metadata for a topic spread over several brokers, reconnecting to a
 * broker that went down and came back, an unreachable bootstrap that must
 * not hang, and bootstrap.servers values that must be refused. Waits are on
 * a condition variable the I/O thread signals, with deadlines. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"
#include "kafkalite/admin.h"
#include "kafkalite/consumer.h"
#include "kafkalite/producer.h"
#include "mock_util.h"
#include "proto/api.h"

/* What the I/O thread saw, copied under the lock for the test thread. */
typedef struct seen {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int ready, down, metadata;
    int32_t partitions;
    int32_t leaders[16];
    int brokers_known;
    int16_t produce_version, metadata_version, api_versions_version;
} seen_t;

static seen_t seen;
static const char *watched_topic = "t4";

static void seen_reset(void)
{
    memset(&seen, 0, sizeof seen);
    pthread_mutex_init(&seen.lock, NULL);
    pthread_cond_init(&seen.cond, NULL);
}

static void on_ready(kl_client_t *c, kl_client_broker_t *b, void *opaque)
{
    (void)c;
    (void)opaque;
    pthread_mutex_lock(&seen.lock);
    seen.ready++;
    seen.produce_version = kl_client_broker_api_version(b, KL_API_PRODUCE);
    seen.metadata_version = kl_client_broker_api_version(b, KL_API_METADATA);
    seen.api_versions_version = kl_client_broker_api_version(b, KL_API_API_VERSIONS);
    pthread_cond_broadcast(&seen.cond);
    pthread_mutex_unlock(&seen.lock);
}

static void on_down(kl_client_t *c, kl_client_broker_t *b, void *opaque)
{
    (void)c;
    (void)b;
    (void)opaque;
    pthread_mutex_lock(&seen.lock);
    seen.down++;
    pthread_cond_broadcast(&seen.cond);
    pthread_mutex_unlock(&seen.lock);
}

static void on_metadata(kl_client_t *c, void *opaque)
{
    (void)opaque;
    pthread_mutex_lock(&seen.lock);
    seen.metadata++;
    const kl_md_topic_t *t = kl_client_topic(c, watched_topic);
    if (t && !t->err) {
        seen.partitions = t->partition_count;
        for (int32_t i = 0; i < t->partition_count && i < 16; i++)
            seen.leaders[i] = t->leaders[i];
    }
    seen.brokers_known = 0;
    for (int32_t id = 0; id < 16; id++)
        seen.brokers_known += kl_client_broker(c, id) != NULL;
    pthread_cond_broadcast(&seen.cond);
    pthread_mutex_unlock(&seen.lock);
}

/* Waits (up to ms) until pred holds; pred reads `seen` under its lock. */
#define SEEN_WAIT(pred, ms)                                                    \
    do {                                                                       \
        struct timespec ts_;                                                   \
        clock_gettime(CLOCK_REALTIME, &ts_);                                   \
        ts_.tv_sec += (ms) / 1000;                                             \
        ts_.tv_nsec += ((ms) % 1000) * 1000000L;                               \
        if (ts_.tv_nsec >= 1000000000L) {                                      \
            ts_.tv_sec++;                                                      \
            ts_.tv_nsec -= 1000000000L;                                        \
        }                                                                      \
        pthread_mutex_lock(&seen.lock);                                        \
        while (!(pred) && pthread_cond_timedwait(&seen.cond, &seen.lock, &ts_) == 0) \
            ;                                                                  \
        pthread_mutex_unlock(&seen.lock);                                      \
    } while (0)

static void quiet_log(void *opaque, int level, const char *fac, const char *msg)
{
    (void)opaque;
    (void)level;
    (void)fac;
    (void)msg;
}

static kl_client_t *client_new(const char *bootstrap, const char *extra_name, const char *extra_value)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    if (extra_name)
        ck_assert_int_eq(kl_conf_set(conf, extra_name, extra_value, errstr, sizeof errstr), KL_ERR_NONE);
    kl_conf_set_log_cb(conf, quiet_log); /* never served: lines stay queued */
    kl_client_events_t ev = {on_ready, on_down, on_metadata};
    kl_client_t *c = kl_client_new(conf, &ev, NULL, errstr, sizeof errstr);
    ck_assert_msg(c != NULL, "kl_client_new: %s", errstr);
    ck_assert_int_eq(kl_client_start(c, errstr, sizeof errstr), KL_ERR_NONE);
    return c;
}

static void want_task(void *arg) { kl_client_want_topic(arg, watched_topic); }

START_TEST(test_handshake_and_metadata)
{
    seen_reset();
    mock_cluster_t m;
    mock_cluster_start(&m, 3);
    mock_topic_create(&m, watched_topic, 4);
    kl_client_t *c = client_new(m.bootstraps, NULL, NULL);
    ck_assert_int_eq(kl_client_post(c, want_task, c), 0);
    SEEN_WAIT(seen.partitions == 4 && seen.brokers_known == 3, 10000);
    pthread_mutex_lock(&seen.lock);
    ck_assert_int_eq(seen.partitions, 4);
    ck_assert_int_eq(seen.brokers_known, 3);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(seen.leaders[i] >= 1 && seen.leaders[i] <= 3, "partition %d leader %d", i, seen.leaders[i]);
    /* librdkafka 2.0's mock: ApiVersions 0-2 (v3 refused, v0 fallback),
     * Produce up to 7, Metadata up to 2 */
    ck_assert_int_eq(seen.api_versions_version, 2);
    ck_assert_int_ge(seen.produce_version, 3);
    ck_assert_int_ge(seen.metadata_version, 1);
    fprintf(stderr, "negotiated: ApiVersions v%d, Produce v%d, Metadata v%d\n", seen.api_versions_version,
            seen.produce_version, seen.metadata_version);
    pthread_mutex_unlock(&seen.lock);
    kl_client_stop(c, NULL, NULL);
    kl_client_destroy(c);
    mock_cluster_stop(&m);
}
END_TEST

static void refresh_task(void *arg) { kl_client_refresh_metadata(arg, "test"); }

START_TEST(test_broker_back_after_down)
{
    seen_reset();
    mock_cluster_t m;
    mock_cluster_start(&m, 1);
    mock_topic_create(&m, watched_topic, 1);
    kl_client_t *c = client_new(m.bootstraps, "socket.connection.setup.timeout.ms", "1000");
    ck_assert_int_eq(kl_client_post(c, want_task, c), 0);
    SEEN_WAIT(seen.partitions == 1 && seen.ready >= 1, 10000);
    ck_assert_int_eq(seen.partitions, 1);
    int ready_before = seen.ready;
    ck_assert_int_eq(rd_kafka_mock_broker_set_down(m.mc, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    SEEN_WAIT(seen.down >= 1, 10000);
    ck_assert_int_ge(seen.down, 1);
    ck_assert_int_eq(rd_kafka_mock_broker_set_up(m.mc, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    int md_before = seen.metadata;
    ck_assert_int_eq(kl_client_post(c, refresh_task, c), 0);
    SEEN_WAIT(seen.ready > ready_before && seen.metadata > md_before, 10000);
    ck_assert_int_gt(seen.ready, ready_before);
    ck_assert_int_gt(seen.metadata, md_before);
    kl_client_stop(c, NULL, NULL);
    kl_client_destroy(c);
    mock_cluster_stop(&m);
}
END_TEST

START_TEST(test_unreachable_bootstrap_does_not_hang)
{
    seen_reset();
    char bootstrap[64];
    snprintf(bootstrap, sizeof bootstrap, "127.0.0.1:%d", mock_dead_port());
    kl_client_t *c = client_new(bootstrap, "reconnect.backoff.ms", "10");
    ck_assert_int_eq(kl_client_post(c, want_task, c), 0);
    SEEN_WAIT(seen.down >= 1, 5000);
    ck_assert_int_ge(seen.down, 1);
    ck_assert_int_eq(seen.ready, 0);
    ck_assert_int_eq(seen.metadata, 0);
    int64_t start = mock_now_ms();
    kl_client_stop(c, NULL, NULL);
    kl_client_destroy(c);
    ck_assert_int_lt(mock_now_ms() - start, 3000);
}
END_TEST

static void expect_refused(const char *name, const char *value, const char *bootstrap, kl_err_t want_set,
                           const char *want_text)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, name, value, errstr, sizeof errstr), want_set);
    errstr[0] = '\0';
    kl_client_t *c = kl_client_new(conf, NULL, NULL, errstr, sizeof errstr);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(errstr, want_text) != NULL, "errstr \"%s\" lacks \"%s\"", errstr, want_text);
}

START_TEST(test_bad_settings_refused)
{
    expect_refused("bootstrap.servers", "host:99999", "x", KL_ERR_NONE, "host:99999");
    expect_refused("bootstrap.servers", "", "x", KL_ERR_NONE, "empty");
    expect_refused("bootstrap.servers", "ssl://host:9093", "x", KL_ERR_NONE, "ssl://host:9093");
    expect_refused("bootstrap.servers", "[::1:9092", "x", KL_ERR_NONE, "[::1:9092");
    /* sasl.mechanisms defaults to GSSAPI: a kinit command naming no
     * property is refused at creation, before anything runs */
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", "localhost:9092", errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "security.protocol", "sasl_plaintext", errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "sasl.kerberos.kinit.cmd", "kinit %{sasl.kerberos.nope}", errstr,
                                 sizeof errstr),
                     KL_ERR_NONE);
    ck_assert_ptr_null(kl_client_new(conf, NULL, NULL, errstr, sizeof errstr));
    ck_assert_msg(strstr(errstr, "%{sasl.kerberos.nope} names no property"), "%s", errstr);
    /* valid forms */
    const char *good[] = {"localhost", "h1:1,h2:2", "PLAINTEXT://h:9092", "[::1]:9092", "::1", " a:1 , b:2 "};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        conf = kl_conf_new();
        ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", good[i], errstr, sizeof errstr), KL_ERR_NONE);
        kl_client_t *c = kl_client_new(conf, NULL, NULL, errstr, sizeof errstr);
        ck_assert_msg(c != NULL, "%s: %s", good[i], errstr);
        kl_client_stop(c, NULL, NULL);
        kl_client_destroy(c);
    }
}
END_TEST

/* The handles' constructors refuse a bad configuration alike, with or
 * without an errstr buffer (NULL, or no room: nothing written). */
static void *handle_new(int which, const kl_conf_t *conf, char *errstr, size_t errstr_size)
{
    switch (which) {
    case 0: return kl_producer_new(conf, errstr, errstr_size);
    case 1: return kl_consumer_new(conf, errstr, errstr_size);
    default: return kl_admin_new(conf, errstr, errstr_size);
    }
}

START_TEST(test_handles_refuse_with_or_without_errstr)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", "host:99999", errstr, sizeof errstr), KL_ERR_NONE);
    ck_assert_int_eq(kl_conf_set(conf, "group.id", "g", errstr, sizeof errstr), KL_ERR_NONE);
    for (int which = 0; which < 3; which++) {
        ck_assert_ptr_null(handle_new(which, conf, NULL, 0));
        ck_assert_ptr_null(handle_new(which, conf, errstr, 0));
        ck_assert_ptr_null(handle_new(which, NULL, NULL, 0));
        errstr[0] = 'x';
        ck_assert_ptr_null(handle_new(which, conf, errstr, 1));
        ck_assert_int_eq(errstr[0], '\0');
        ck_assert_ptr_null(handle_new(which, conf, errstr, sizeof errstr));
        ck_assert_msg(strstr(errstr, "host:99999") != NULL, "handle %d: \"%s\"", which, errstr);
        ck_assert_ptr_null(handle_new(which, NULL, errstr, sizeof errstr));
        ck_assert_msg(strstr(errstr, "not a client configuration") != NULL, "handle %d: \"%s\"", which, errstr);
    }
    kl_conf_destroy(conf);
}
END_TEST

/* A GSSAPI client with sasl.kerberos.kinit.cmd (its %{...} replaced) and
 * this relogin period; not started. */
static kl_client_t *kinit_client(const char *cmd, const char *period)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    const char *props[] = {"bootstrap.servers", "127.0.0.1:1", "security.protocol", "sasl_plaintext",
                           "sasl.kerberos.principal", "someone", "sasl.kerberos.kinit.cmd", cmd,
                           "sasl.kerberos.min.time.before.relogin", period, NULL};
    for (const char **p = props; *p; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s", errstr);
    kl_conf_set_log_cb(conf, quiet_log);
    kl_client_t *c = kl_client_new(conf, NULL, NULL, errstr, sizeof errstr);
    ck_assert_msg(c != NULL, "kl_client_new: %s", errstr);
    return c;
}

static int count_lines(const char *path, const char *want)
{
    FILE *f = fopen(path, "r");
    int n = 0;
    char line[128];
    while (f && fgets(line, sizeof line, f))
        n += strncmp(line, want, strlen(want)) == 0;
    if (f)
        fclose(f);
    return n;
}

/* The kinit command runs once as the client is made, then every period on
 * its own thread; destroying the client kills one still running. */
START_TEST(test_kinit_cmd_runs_and_repeats)
{
    char dir[] = "/tmp/kl-kinit-XXXXXX", runs[64], cmd[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(runs, sizeof runs, "%s/runs", dir);
    snprintf(cmd, sizeof cmd, "echo %%{sasl.kerberos.principal} >> %s", runs);
    kl_client_t *c = kinit_client(cmd, "100");
    ck_assert_int_ge(count_lines(runs, "someone"), 1); /* before kl_client_new returned */
    int64_t deadline = mock_now_ms() + 10000;
    while (count_lines(runs, "someone") < 3 && mock_now_ms() < deadline)
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    ck_assert_int_ge(count_lines(runs, "someone"), 3);
    kl_client_destroy(c);

    /* the second run hangs: destroy does not wait for it */
    char sleeping[64];
    snprintf(sleeping, sizeof sleeping, "%s/sleeping", dir);
    snprintf(cmd, sizeof cmd, "if [ -f %s/started ]; then touch %s; sleep 60; fi; touch %s/started", dir, sleeping,
             dir);
    c = kinit_client(cmd, "100");
    deadline = mock_now_ms() + 10000;
    while (access(sleeping, F_OK) != 0 && mock_now_ms() < deadline)
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    ck_assert_int_eq(access(sleeping, F_OK), 0);
    int64_t start = mock_now_ms();
    kl_client_destroy(c);
    ck_assert_int_lt(mock_now_ms() - start, 5000);
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    ck_assert_int_eq(system(rm), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client");
    TCase *tc = tcase_create("mock");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_handshake_and_metadata);
    tcase_add_test(tc, test_broker_back_after_down);
    tcase_add_test(tc, test_unreachable_bootstrap_does_not_hang);
    tcase_add_test(tc, test_bad_settings_refused);
    tcase_add_test(tc, test_handles_refuse_with_or_without_errstr);
    tcase_add_test(tc, test_kinit_cmd_runs_and_repeats);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
