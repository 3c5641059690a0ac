/* Real clients against the embedded broker: librdkafka's admin API
 * creates a 3-partition topic (and grows one, deletes records, describes
 * and alters configs), its producer (acks=all) writes 10,000 keyed
 * messages with headers, its consumer (manual assignment, no group) reads
 * every one back byte-exact, and again after the broker restarted on the
 * same directory; watermarks come from ListOffsets. kcat (when installed)
 * produces lines and consumes them back. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include "broker/server.h"

#define TIMEOUT_MS 30000
#define NMSGS 10000
#define NPARTS 3
#define TOPIC "rk-roundtrip"
#define BASE_TS INT64_C(1700000000000)
#define LOST_RESPONSES 3

extern char **environ;

/* ------------------------------------------------------------ messages */

typedef struct expect {
    int32_t partition[NMSGS + 100];
    int64_t offset[NMSGS + 100];
    int delivered, failed;
} expect_t;

static int msg_key(char *buf, size_t size, int i) { return snprintf(buf, size, "key-%05d", i); }

/* Values of varying length so batches are not all alike. */
static int msg_value(char *buf, size_t size, int i)
{
    int n = snprintf(buf, size, "value %d:", i);
    int extra = (i * 7919) % 300;
    for (int k = 0; k < extra && (size_t)n + 1 < size; k++)
        buf[n++] = (char)('a' + (i + k) % 26);
    buf[n] = '\0';
    return n;
}

static void log_quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 3)
        fprintf(stderr, "rdkafka %s: %s\n", fac, buf);
}

static rd_kafka_conf_t *conf_new(const char *bootstrap)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, log_quiet);
    ck_assert(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr) == RD_KAFKA_CONF_OK);
    return conf;
}

static void conf_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char errstr[256];
    ck_assert_msg(rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK, "%s=%s: %s",
                  name, value, errstr);
}

/* ------------------------------------------------------------ admin */

static void create_topic(rd_kafka_t *rk, const char *topic, int partitions)
{
    char errstr[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, errstr, sizeof errstr);
    ck_assert_ptr_nonnull(nt);
    ck_assert_int_eq(rd_kafka_NewTopic_set_config(nt, "retention.ms", "-1"), 0);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS);
    ck_assert_ptr_nonnull(ev);
    ck_assert_msg(rd_kafka_event_error(ev) == 0, "CreateTopics: %s", rd_kafka_event_error_string(ev));
    size_t n;
    const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(rd_kafka_topic_result_error(res[0]) == 0, "CreateTopics %s: %s", topic,
                  rd_kafka_topic_result_error_string(res[0]));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
}

static void delete_topic(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteTopics(rk, &dt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS);
    ck_assert_ptr_nonnull(ev);
    size_t n;
    const rd_kafka_topic_result_t **res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(rd_kafka_topic_result_error(res[0]) == 0, "DeleteTopics: %s",
                  rd_kafka_topic_result_error_string(res[0]));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_DeleteTopic_destroy(dt);
}

/* ------------------------------------------------------------ produce */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    expect_t *e = opaque;
    int i = (int)(intptr_t)msg->_private;
    if (msg->err) {
        e->failed++;
        fprintf(stderr, "delivery of %d failed: %s\n", i, rd_kafka_err2str(msg->err));
        return;
    }
    e->partition[i] = msg->partition;
    e->offset[i] = msg->offset;
    e->delivered++;
}

/* Produces messages first..last-1 with an idempotent producer (acks=all);
 * with restart_at in range, the broker restarts on its port once that
 * message is handed over, while earlier ones are in flight. Every message
 * must be acknowledged. */
static void produce_range(broker_fixture_t *f, expect_t *e, int first, int last, int restart_at)
{
    char errstr[256];
    rd_kafka_conf_t *conf = conf_new(f->bootstrap);
    conf_set(conf, "enable.idempotence", "true");
    conf_set(conf, "acks", "all");
    conf_set(conf, "linger.ms", "5");
    conf_set(conf, "reconnect.backoff.ms", "10");
    conf_set(conf, "reconnect.backoff.max.ms", "200");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, e);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "producer: %s", errstr);
    int before = e->delivered;
    for (int i = first; i < last; i++) {
        char key[32], value[512], hval[32];
        int kl = msg_key(key, sizeof key, i), vl = msg_value(value, sizeof value, i);
        int hl = snprintf(hval, sizeof hval, "h-%d", i);
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(TOPIC), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_KEY(key, (size_t)kl), RD_KAFKA_V_VALUE(value, (size_t)vl),
                                        RD_KAFKA_V_HEADER("trace", hval, hl), RD_KAFKA_V_HEADER("empty", "", 0),
                                        RD_KAFKA_V_TIMESTAMP(BASE_TS + i), RD_KAFKA_V_OPAQUE((void *)(intptr_t)i),
                                        RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        ck_assert_msg(err == 0, "producev: %s", rd_kafka_err2str(err));
        if (i == restart_at) {
            rd_kafka_poll(rk, 0);
            fixture_restart_same_port(f);
        }
        /* later, responses to appended batches get lost: retries of
         * batches already written, which must not be written twice */
        if (restart_at >= 0 && i == restart_at + (last - restart_at) / 2)
            atomic_store(&f->broker->fault_lost_produce_responses, LOST_RESPONSES);
    }
    ck_assert_int_eq(rd_kafka_flush(rk, TIMEOUT_MS), 0);
    char fatal[256];
    ck_assert_msg(rd_kafka_fatal_error(rk, fatal, sizeof fatal) == 0, "fatal: %s", fatal);
    ck_assert_int_eq(e->failed, 0);
    ck_assert_int_eq(e->delivered - before, last - first);
    rd_kafka_destroy(rk);
}

/* ------------------------------------------------------------ consume */

static void check_message(const expect_t *e, const rd_kafka_message_t *m, int *seen)
{
    ck_assert_msg(m->err == 0, "consume: %s", rd_kafka_message_errstr(m));
    ck_assert_uint_eq(m->key_len, 9);
    char key[32], value[512], hval[32];
    memcpy(key, m->key, 9);
    key[9] = '\0';
    int i = atoi(key + 4);
    ck_assert(i >= 0 && i < NMSGS + 100);
    ck_assert_msg(!seen[i], "message %d twice", i);
    seen[i] = 1;
    ck_assert_int_eq(m->partition, e->partition[i]);
    ck_assert_int_eq(m->offset, e->offset[i]);
    msg_key(key, sizeof key, i);
    ck_assert(memcmp(m->key, key, 9) == 0);
    int vl = msg_value(value, sizeof value, i);
    ck_assert_msg(m->len == (size_t)vl && memcmp(m->payload, value, (size_t)vl) == 0, "value of %d differs", i);
    rd_kafka_timestamp_type_t tstype;
    ck_assert_int_eq(rd_kafka_message_timestamp(m, &tstype), BASE_TS + i);
    ck_assert_int_eq(tstype, RD_KAFKA_TIMESTAMP_CREATE_TIME);
    rd_kafka_headers_t *hdrs;
    ck_assert_int_eq(rd_kafka_message_headers(m, &hdrs), 0);
    ck_assert_int_eq(rd_kafka_header_cnt(hdrs), 2);
    const void *hv;
    size_t hv_len;
    int hl = snprintf(hval, sizeof hval, "h-%d", i);
    ck_assert_int_eq(rd_kafka_header_get_last(hdrs, "trace", &hv, &hv_len), 0);
    ck_assert(hv_len == (size_t)hl && memcmp(hv, hval, (size_t)hl) == 0);
    ck_assert_int_eq(rd_kafka_header_get_last(hdrs, "empty", &hv, &hv_len), 0);
    ck_assert_uint_eq(hv_len, 0);
}

/* Reads messages 0..count-1 from the start of every partition. */
static void consume_all(const char *bootstrap, const expect_t *e, int count)
{
    char errstr[256];
    rd_kafka_conf_t *conf = conf_new(bootstrap);
    conf_set(conf, "group.id", "kl-broker-test"); /* assign() wants one; no group is joined */
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "fetch.wait.max.ms", "100");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    ck_assert_msg(rk != NULL, "consumer: %s", errstr);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(NPARTS);
    for (int p = 0; p < NPARTS; p++)
        rd_kafka_topic_partition_list_add(parts, TOPIC, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    ck_assert_int_eq(rd_kafka_assign(rk, parts), 0);
    rd_kafka_topic_partition_list_destroy(parts);
    int *seen = calloc(NMSGS + 100, sizeof *seen);
    int got = 0;
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    while (got < count && fixture_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        check_message(e, m, seen);
        got++;
        rd_kafka_message_destroy(m);
    }
    ck_assert_msg(got == count, "consumed %d of %d", got, count);
    free(seen);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static void check_watermarks(const char *bootstrap, const expect_t *e, int count)
{
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf_new(bootstrap), errstr, sizeof errstr);
    ck_assert_ptr_nonnull(rk);
    int64_t want[NPARTS] = {0};
    for (int i = 0; i < count; i++)
        want[e->partition[i]]++;
    for (int p = 0; p < NPARTS; p++) {
        int64_t lo, hi;
        ck_assert_int_eq(rd_kafka_query_watermark_offsets(rk, TOPIC, p, &lo, &hi, TIMEOUT_MS), 0);
        ck_assert_int_eq(lo, 0);
        ck_assert_int_eq(hi, want[p]);
    }
    rd_kafka_destroy(rk);
}

START_TEST(test_rdkafka_roundtrip)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    char errstr[256];
    rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, conf_new(f.bootstrap), errstr, sizeof errstr);
    ck_assert_ptr_nonnull(admin);
    create_topic(admin, TOPIC, NPARTS);
    create_topic(admin, "rk-scratch", 1);
    rd_kafka_destroy(admin);

    expect_t *e = calloc(1, sizeof *e);
    produce_range(&f, e, 0, NMSGS, -1);
    int per_part[NPARTS] = {0};
    for (int i = 0; i < NMSGS; i++)
        per_part[e->partition[i]]++;
    for (int p = 0; p < NPARTS; p++)
        ck_assert_msg(per_part[p] > 0, "partition %d got no message", p);
    fprintf(stderr, "librdkafka produced %d messages (%d/%d/%d per partition)\n", NMSGS, per_part[0], per_part[1],
            per_part[2]);
    consume_all(f.bootstrap, e, NMSGS);

    /* the data and the topic survive a restart; appends go on after it */
    fixture_restart(&f);
    consume_all(f.bootstrap, e, NMSGS);
    produce_range(&f, e, NMSGS, NMSGS + 100, -1);
    consume_all(f.bootstrap, e, NMSGS + 100);
    check_watermarks(f.bootstrap, e, NMSGS + 100);
    admin = rd_kafka_new(RD_KAFKA_PRODUCER, conf_new(f.bootstrap), errstr, sizeof errstr);
    ck_assert_ptr_nonnull(admin);
    delete_topic(admin, "rk-scratch");
    rd_kafka_destroy(admin);
    free(e);
    fixture_stop(&f);
}
END_TEST

/* An idempotent producer keeps producing while the broker restarts under
 * it: requests in flight are lost with the connection and retried against
 * the new broker, which rebuilt its producer state from the log, so every
 * acknowledged message is there exactly once at the offset its report
 * gave. */
START_TEST(test_rdkafka_idempotent_restart)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    char errstr[256];
    rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, conf_new(f.bootstrap), errstr, sizeof errstr);
    ck_assert_ptr_nonnull(admin);
    create_topic(admin, TOPIC, NPARTS);
    rd_kafka_destroy(admin);
    expect_t *e = calloc(1, sizeof *e);
    produce_range(&f, e, 0, NMSGS, NMSGS / 2);
    ck_assert_int_eq(atomic_load(&f.broker->fault_lost_produce_responses), 0);
    check_watermarks(f.bootstrap, e, NMSGS); /* exactly NMSGS stored: no duplicate */
    consume_all(f.bootstrap, e, NMSGS);      /* each once, where its report said */
    fprintf(stderr, "librdkafka (idempotent) produced %d messages across a broker restart\n", NMSGS);
    free(e);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ admin */

/* Waits for the admin result event of type on q. */
static rd_kafka_event_t *admin_result(rd_kafka_queue_t *q, rd_kafka_event_type_t type)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(rd_kafka_event_type(ev), type);
    ck_assert_msg(rd_kafka_event_error(ev) == 0, "%s: %s", rd_kafka_event_name(ev), rd_kafka_event_error_string(ev));
    return ev;
}

static void grow_partitions(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *topic, size_t count)
{
    char errstr[256];
    rd_kafka_NewPartitions_t *np = rd_kafka_NewPartitions_new(topic, count, errstr, sizeof errstr);
    ck_assert_ptr_nonnull(np);
    rd_kafka_CreatePartitions(rk, &np, 1, NULL, q);
    rd_kafka_event_t *ev = admin_result(q, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT);
    size_t n;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(rd_kafka_topic_result_error(res[0]) == 0, "CreatePartitions: %s",
                  rd_kafka_topic_result_error_string(res[0]));
    rd_kafka_event_destroy(ev);
    rd_kafka_NewPartitions_destroy(np);
}

static void delete_records_before(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *topic, int64_t offset)
{
    rd_kafka_topic_partition_list_t *before = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(before, topic, 0)->offset = offset;
    rd_kafka_DeleteRecords_t *dr = rd_kafka_DeleteRecords_new(before);
    rd_kafka_topic_partition_list_destroy(before);
    rd_kafka_DeleteRecords(rk, &dr, 1, NULL, q);
    rd_kafka_event_t *ev = admin_result(q, RD_KAFKA_EVENT_DELETERECORDS_RESULT);
    const rd_kafka_topic_partition_list_t *offsets =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
    ck_assert_int_eq(offsets->cnt, 1);
    ck_assert_int_eq(offsets->elems[0].err, 0);
    ck_assert_int_eq(offsets->elems[0].offset, offset); /* the new low watermark */
    rd_kafka_event_destroy(ev);
    rd_kafka_DeleteRecords_destroy(dr);
}

static void alter_topic_config(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *topic, const char *name,
                               const char *value)
{
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    ck_assert_int_eq(rd_kafka_ConfigResource_set_config(res, name, value), 0);
    rd_kafka_AlterConfigs(rk, &res, 1, NULL, q);
    rd_kafka_event_t *ev = admin_result(q, RD_KAFKA_EVENT_ALTERCONFIGS_RESULT);
    size_t n;
    const rd_kafka_ConfigResource_t **out = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(rd_kafka_ConfigResource_error(out[0]) == 0, "AlterConfigs: %s",
                  rd_kafka_ConfigResource_error_string(out[0]));
    rd_kafka_event_destroy(ev);
    rd_kafka_ConfigResource_destroy(res);
}

/* The value and source of one topic config through DescribeConfigs. */
static void expect_topic_config(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *topic, const char *name,
                                const char *value, rd_kafka_ConfigSource_t source)
{
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_DescribeConfigs(rk, &res, 1, NULL, q);
    rd_kafka_event_t *ev = admin_result(q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
    size_t n, count;
    const rd_kafka_ConfigResource_t **out =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(rd_kafka_ConfigResource_error(out[0]), 0);
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(out[0], &count);
    bool found = false;
    for (size_t i = 0; i < count; i++) {
        if (strcmp(rd_kafka_ConfigEntry_name(entries[i]), name))
            continue;
        found = true;
        ck_assert_str_eq(rd_kafka_ConfigEntry_value(entries[i]), value);
        ck_assert_int_eq(rd_kafka_ConfigEntry_source(entries[i]), source);
    }
    ck_assert_msg(found, "%s not described", name);
    rd_kafka_event_destroy(ev);
    rd_kafka_ConfigResource_destroy(res);
}

START_TEST(test_rdkafka_admin)
{
    broker_fixture_t f;
    fixture_start(&f, NULL);
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf_new(f.bootstrap), errstr, sizeof errstr);
    ck_assert_ptr_nonnull(rk);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    create_topic(rk, TOPIC, NPARTS);
    grow_partitions(rk, q, TOPIC, NPARTS + 1);
    expect_t *e = calloc(1, sizeof *e);
    produce_range(&f, e, 0, 1000, -1);
    int64_t lo, hi;
    ck_assert_int_eq(rd_kafka_query_watermark_offsets(rk, TOPIC, NPARTS, &lo, &hi, TIMEOUT_MS), 0);
    ck_assert_int_gt(hi, 0); /* the new partition takes messages */
    delete_records_before(rk, q, TOPIC, 10);
    ck_assert_int_eq(rd_kafka_query_watermark_offsets(rk, TOPIC, 0, &lo, &hi, TIMEOUT_MS), 0);
    ck_assert_int_eq(lo, 10);
    expect_topic_config(rk, q, TOPIC, "retention.ms", "-1", RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    expect_topic_config(rk, q, TOPIC, "segment.bytes", "1073741824", RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
    alter_topic_config(rk, q, TOPIC, "segment.bytes", "1048576");
    expect_topic_config(rk, q, TOPIC, "segment.bytes", "1048576", RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
    expect_topic_config(rk, q, TOPIC, "retention.ms", "604800000", RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
    free(e);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ kcat */

/* Runs argv with stdin from in (NULL: /dev/null) and stdout into out (may
 * be NULL); returns the exit status, killing it past the deadline. */
static int run(char *const argv[], const char *in, size_t in_len, char **out, size_t *out_len)
{
    int inp[2], outp[2];
    ck_assert_int_eq(pipe(inp), 0);
    ck_assert_int_eq(pipe(outp), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, inp[0], 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_addclose(&fa, inp[1]);
    posix_spawn_file_actions_addclose(&fa, outp[0]);
    pid_t pid;
    ck_assert_int_eq(posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(inp[0]);
    close(outp[1]);
    /* kcat -P reads all its input before writing anything, and kcat -C
     * reads none: writing first, then reading, cannot deadlock */
    for (size_t done = 0; in && done < in_len;) {
        ssize_t n = write(inp[1], in + done, in_len - done);
        ck_assert_int_gt(n, 0);
        done += (size_t)n;
    }
    close(inp[1]);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    fcntl(outp[0], F_SETFL, O_NONBLOCK);
    int status = -1;
    for (;;) {
        ssize_t n = read(outp[0], buf + len, cap - len);
        if (n > 0) {
            len += (size_t)n;
            if (len == cap)
                buf = realloc(buf, cap *= 2);
            continue;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            while ((n = read(outp[0], buf + len, cap - len)) > 0)
                if ((len += (size_t)n) == cap)
                    buf = realloc(buf, cap *= 2);
            break;
        }
        if (fixture_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            ck_abort_msg("%s %s timed out", argv[0], argv[1]);
        }
        usleep(10000); /* polling a child process: no event to wait on */
    }
    close(outp[0]);
    if (out) {
        *out = buf;
        *out_len = len;
    } else
        free(buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

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

#define KCAT_LINES 100000

START_TEST(test_kcat)
{
    KL_SKIP_IF(!have_kcat(), "kcat not installed (Debian kcat)");
    broker_fixture_t f;
    fixture_start(&f, NULL);
    size_t cap = KCAT_LINES * 64, len = 0;
    char *in = malloc(cap);
    for (int i = 0; i < KCAT_LINES; i++)
        len += (size_t)snprintf(in + len, cap - len, "k%d:line %d of the kcat test\n", i, i);
    char bootstrap[64];
    snprintf(bootstrap, sizeof bootstrap, "%s", f.bootstrap);
    char *produce[] = {"kcat", "-b", bootstrap, "-P", "-t", "kcat", "-K", ":", "-H", "origin=kcat",
                       "-X", "acks=all", NULL};
    ck_assert_int_eq(run(produce, in, len, NULL, NULL), 0);
    char *consume[] = {"kcat", "-b", bootstrap, "-C", "-t", "kcat", "-o", "beginning", "-e", "-q",
                       "-f", "%k:%s|%h\n", NULL};
    char *out;
    size_t out_len;
    ck_assert_int_eq(run(consume, NULL, 0, &out, &out_len), 0);
    /* the topic was auto-created with one partition: order is kept, and
     * every key, value and header comes back byte-exact */
    size_t at = 0;
    for (int i = 0; i < KCAT_LINES; i++) {
        char want[96];
        int n = snprintf(want, sizeof want, "k%d:line %d of the kcat test|origin=kcat\n", i, i);
        ck_assert_msg(at + (size_t)n <= out_len && memcmp(out + at, want, (size_t)n) == 0,
                      "kcat line %d differs: %.*s", i, (int)(out_len - at < 80 ? out_len - at : 80), out + at);
        at += (size_t)n;
    }
    ck_assert_uint_eq(at, out_len);
    fprintf(stderr, "kcat produced and consumed %d lines\n", KCAT_LINES);
    free(out);
    free(in);
    fixture_stop(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("broker_rdkafka");
    TCase *tc = tcase_create("clients");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_rdkafka_roundtrip);
    tcase_add_test(tc, test_rdkafka_idempotent_restart);
    tcase_add_test(tc, test_rdkafka_admin);
    tcase_add_test(tc, test_kcat);
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
