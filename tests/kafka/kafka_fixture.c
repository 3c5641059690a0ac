/* Helpers for the C suites against Apache Kafka: see kafka_fixture.h. */
#include "kafka_fixture.h"
#include "test_skip.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The cluster a suite run alone started, and the process that owns it
 * (Check's forked children exit too, and must leave it up). */
static char own_dir[64];
static pid_t own_pid;

static const char *srcdir(void) { return getenv("srcdir") ? getenv("srcdir") : "."; }

static void stop_own_cluster(void)
{
    if (getpid() != own_pid)
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "\"%s/tests/kafka/cluster\" stop \"%s/cluster\"; rm -rf \"%s\"", srcdir(), own_dir,
             own_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "%s failed\n", cmd);
}

/* A suite run alone (make check TESTS=tests/kafka/test_kafka_x) starts a
 * three-node cluster of its own, as test_kafka_clients.sh does for all. */
static void start_own_cluster(const char *suite)
{
    snprintf(own_dir, sizeof own_dir, "/tmp/kl-kafka-XXXXXX");
    if (!mkdtemp(own_dir)) {
        perror("mkdtemp");
        exit(1);
    }
    own_pid = getpid();
    atexit(stop_own_cluster);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "KL_KAFKA_OWNER=%d \"%s/tests/kafka/cluster\" start \"%s/cluster\" 3",
             (int)own_pid, srcdir(), own_dir);
    printf("%s: KL_KAFKA_BOOTSTRAP is not set: starting a cluster of three Kafka nodes\n", suite);
    fflush(stdout);
    int status = system(cmd);
    if (WIFEXITED(status) && WEXITSTATUS(status) == KL_TEST_EXIT_SKIP)
        kl_test_skip_all("%s: no Kafka to start (see above)", suite);
    if (status != 0) {
        fprintf(stderr, "%s: %s failed\n", suite, cmd);
        exit(1);
    }
    char path[128], bootstrap[1024] = "";
    snprintf(path, sizeof path, "%s/cluster/bootstrap", own_dir);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(bootstrap, sizeof bootstrap, f)) {
        fprintf(stderr, "%s: cannot read %s\n", suite, path);
        exit(1);
    }
    fclose(f);
    bootstrap[strcspn(bootstrap, "\n")] = '\0';
    snprintf(path, sizeof path, "%s/cluster", own_dir);
    setenv("KL_KAFKA_BOOTSTRAP", bootstrap, 1);
    setenv("KL_KAFKA_CLUSTER_DIR", path, 1);
}

void kf_check_env(const char *suite)
{
    if (!kf_bootstrap())
        start_own_cluster(suite);
}

const char *kf_bootstrap(void)
{
    const char *b = getenv("KL_KAFKA_BOOTSTRAP");
    return b && *b ? b : NULL;
}

int64_t kf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

kl_conf_t *kf_conf(const char *name, ...)
{
    kl_conf_t *conf = kl_conf_new();
    char err[256];
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", kf_bootstrap(), err, sizeof err), KL_ERR_NONE);
    /* KF_DEBUG=broker,msg,... logs the clients' debug contexts to stderr. */
    if (getenv("KF_DEBUG"))
        ck_assert_int_eq(kl_conf_set(conf, "debug", getenv("KF_DEBUG"), err, sizeof err), KL_ERR_NONE);
    va_list ap;
    va_start(ap, name);
    for (const char *n = name; n; n = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        if (kl_conf_set(conf, n, v, err, sizeof err) != KL_ERR_NONE)
            ck_abort_msg("%s=%s: %s", n, v, err);
    }
    va_end(ap);
    return conf;
}

void kf_name(char *buf, size_t size, const char *prefix)
{
    static int n;
    snprintf(buf, size, "%s-%d-%d", prefix, (int)getpid(), ++n);
}

static int all_led(kl_admin_t *admin, const char *topic, int partitions)
{
    kl_admin_topics_t *t = NULL;
    int ok = kl_admin_describe_topics(admin, &topic, 1, 5000, &t) == KL_ERR_NONE && t->count == 1 &&
             t->items[0].err == KL_ERR_NONE && t->items[0].partition_count == (size_t)partitions;
    for (size_t i = 0; ok && i < t->items[0].partition_count; i++)
        ok = t->items[0].partitions[i].leader >= 0;
    kl_admin_topics_destroy(t);
    return ok;
}

static void create_topic(const char *topic, int partitions, int replication_factor, const char *const *configs,
                         int wait)
{
    kl_conf_t *conf = kf_conf(NULL);
    char err[256];
    kl_admin_t *admin = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(admin, "%s", err);
    kl_admin_new_topic_t nt = {topic, partitions, (int16_t)replication_factor, configs};
    kl_admin_results_t *res = NULL;
    ck_assert_int_eq(kl_admin_create_topics(admin, &nt, 1, 0, 30000, &res), KL_ERR_NONE);
    ck_assert_msg(res->items[0].err == KL_ERR_NONE, "create %s: %s %s", topic, kl_err_name(res->items[0].err),
                  res->items[0].errstr ? res->items[0].errstr : "");
    kl_admin_results_destroy(res);
    if (!wait) {
        kl_admin_destroy(admin);
        return;
    }
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    while (!all_led(admin, topic, partitions)) {
        ck_assert_msg(kf_now_ms() < deadline, "%s: partitions without a leader", topic);
        usleep(100 * 1000); /* between Metadata requests */
    }
    kl_admin_destroy(admin);
    /* Metadata names a leader before the leader itself knows (a Produce
     * with acks=0 would then be dropped with the connection): wait until
     * each leader answers ListOffsets. */
    conf = kf_conf(NULL);
    kl_consumer_t *c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(c, "%s", err);
    for (int p = 0; p < partitions; p++) {
        int64_t lo, hi;
        while (kl_query_watermark_offsets(c, topic, p, &lo, &hi, 5000) != KL_ERR_NONE) {
            ck_assert_msg(kf_now_ms() < deadline, "%s [%d]: the leader does not answer", topic, p);
            usleep(100 * 1000);
        }
    }
    kl_consumer_destroy(c);
}

void kf_create_topic(const char *topic, int partitions, int replication_factor, const char *const *configs)
{
    create_topic(topic, partitions, replication_factor, configs, 1);
}

void kf_create_topic_nowait(const char *topic, int partitions, int replication_factor, const char *const *configs)
{
    create_topic(topic, partitions, replication_factor, configs, 0);
}

void kf_cluster(const char *action, int node)
{
    const char *dir = getenv("KL_KAFKA_CLUSTER_DIR");
    ck_assert_msg(dir, "KL_KAFKA_CLUSTER_DIR is not set");
    char cmd[1024];
    if (node)
        snprintf(cmd, sizeof cmd, "\"%s/tests/kafka/cluster\" %s \"%s\" %d", srcdir(), action, dir, node);
    else
        snprintf(cmd, sizeof cmd, "\"%s/tests/kafka/cluster\" %s \"%s\"", srcdir(), action, dir);
    ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

int kf_leaders(const char *topic, int partitions, int replication_factor, int32_t *leaders)
{
    kl_conf_t *conf = kf_conf(NULL);
    char err[256];
    kl_admin_t *admin = kl_admin_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(admin, "%s", err);
    kl_admin_topics_t *t = NULL;
    int in_sync = -1;
    if (kl_admin_describe_topics(admin, &topic, 1, 5000, &t) == KL_ERR_NONE && t->count == 1 &&
        t->items[0].err == KL_ERR_NONE && t->items[0].partition_count == (size_t)partitions) {
        in_sync = 0;
        for (int i = 0; i < partitions; i++) {
            const kl_admin_partition_t *p = &t->items[0].partitions[i];
            ck_assert_int_eq(p->id, i);
            leaders[i] = p->leader;
            in_sync += p->leader >= 0 && p->isr_count == (size_t)replication_factor;
        }
    }
    kl_admin_topics_destroy(t);
    kl_admin_destroy(admin);
    return in_sync;
}

void kf_wait_in_sync(const char *topic, int partitions, int replication_factor)
{
    int32_t leaders[64];
    ck_assert_int_le(partitions, 64);
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    while (kf_leaders(topic, partitions, replication_factor, leaders) != partitions) {
        ck_assert_msg(kf_now_ms() < deadline, "%s: replicas not all in sync after %d ms", topic, KF_DEADLINE_MS);
        usleep(200 * 1000); /* between Metadata requests */
    }
}

static void count_failed(kl_producer_t *producer, const kl_message_t *m, void *opaque)
{
    (void)producer;
    if (kl_message_error(m) != KL_ERR_NONE)
        ++*(int *)opaque;
}

void kf_produce(const char *topic, int32_t partition, int count, const char *prefix, int64_t ts_base)
{
    int failed = 0;
    char err[256];
    kl_conf_t *conf = kf_conf("acks", "all", "partitioner", "murmur2_random", NULL);
    kl_conf_set_delivery_cb(conf, count_failed);
    kl_conf_set_opaque(conf, &failed);
    kl_producer_t *p = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(p, "%s", err);
    for (int i = 0; i < count; i++) {
        char key[32], value[64];
        int kl = snprintf(key, sizeof key, "k%d", i);
        int vl = snprintf(value, sizeof value, "%s%d", prefix, i);
        kl_err_t e = kl_produce_flags(p, topic, partition, KL_MSG_F_BLOCK, key, (size_t)kl, value, (size_t)vl, NULL,
                                      ts_base ? ts_base + i : 0, NULL);
        CHECK(e == KL_ERR_NONE, "produce to %s: %s", topic, kl_err_name(e));
    }
    ck_assert_int_eq(kl_producer_flush(p, KF_DEADLINE_MS), KL_ERR_NONE);
    kl_producer_destroy(p);
    ck_assert_int_eq(failed, 0);
}

static char *dup_bytes(const void *p, size_t len)
{
    if (!p)
        return NULL;
    char *s = malloc(len + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

void kf_read_all(const char *topic, int partitions, size_t count, kf_msg_t **msgsp)
{
    kl_conf_t *conf = kf_conf(NULL);
    char err[256];
    kl_consumer_t *c = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    ck_assert_msg(c, "%s", err);
    kl_topic_partition_list_t *tps = kl_topic_partition_list_new(0);
    for (int p = 0; p < partitions; p++)
        kl_topic_partition_list_add(tps, topic, p)->offset = KL_OFFSET_BEGINNING;
    ck_assert_int_eq(kl_assign(c, tps), KL_ERR_NONE);
    kl_topic_partition_list_destroy(tps);
    kf_msg_t *msgs = calloc(count ? count : 1, sizeof *msgs);
    ck_assert_ptr_nonnull(msgs);
    size_t got = 0;
    int64_t deadline = kf_now_ms() + KF_DEADLINE_MS;
    while (got < count) {
        CHECK(kf_now_ms() < deadline, "%s: %zu of %zu messages read", topic, got, count);
        kl_message_t *m = kl_consumer_poll(c, 200);
        if (!m)
            continue;
        CHECK(kl_message_error(m) == KL_ERR_NONE, "%s: consumer error %s", topic,
              kl_err_name(kl_message_error(m)));
        kf_msg_t *k = &msgs[got++];
        size_t len;
        const void *p;
        k->partition = kl_message_partition(m);
        k->offset = kl_message_offset(m);
        k->timestamp = kl_message_timestamp(m, NULL);
        p = kl_message_key(m, &len);
        k->key = dup_bytes(p, len);
        p = kl_message_value(m, &len);
        k->value = dup_bytes(p, len);
        const kl_headers_t *h = kl_message_headers(m);
        if (h && kl_headers_get_last(h, "h", &p, &len) == KL_ERR_NONE)
            k->header = dup_bytes(p, len);
        kl_message_destroy(m);
    }
    kl_consumer_destroy(c);
    *msgsp = msgs;
}

void kf_msgs_free(kf_msg_t *msgs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(msgs[i].key);
        free(msgs[i].value);
        free(msgs[i].header);
    }
    free(msgs);
}
