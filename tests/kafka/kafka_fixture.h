/* Helpers for the C suites that run against Apache Kafka: the cluster comes
 * from tests/kafka/test_kafka_clients.sh (KL_KAFKA_BOOTSTRAP), or a suite
 * run alone starts its own; clients aimed
 * at it, unique topic names, topics created through our admin client,
 * and reading back every message of a topic with our consumer. */
#ifndef KL_TEST_KAFKA_FIXTURE_H
#define KL_TEST_KAFKA_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include <kafkalite.h>

/* A check that calls into Check only when it fails (cheap per message). */
#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            ck_abort_msg(__VA_ARGS__);                                         \
    } while (0)

/* How long any one condition may take to come true against Kafka. */
#define KF_DEADLINE_MS 60000

/* In main(): returns when KL_KAFKA_BOOTSTRAP names a cluster. Otherwise
 * (a suite run alone: make check TESTS=tests/kafka/test_kafka_x) starts a
 * three-node cluster with tests/kafka/cluster, sets KL_KAFKA_BOOTSTRAP
 * and KL_KAFKA_CLUSTER_DIR for it and stops it at exit; skips the program
 * (tests/test_skip.h: exit 77, 1 under KL_TEST_NO_SKIP=1) when Kafka
 * cannot be had. */
void kf_check_env(const char *suite);
const char *kf_bootstrap(void);
int64_t kf_now_ms(void);

/* A client configuration aimed at the cluster plus name/value pairs,
 * NULL-terminated. */
kl_conf_t *kf_conf(const char *name, ...);

/* "<prefix>-<pid>-<n>": a topic or group name no other test uses. */
void kf_name(char *buf, size_t size, const char *prefix);

/* Creates topic and waits until every partition has a leader. configs as
 * kl_admin_new_topic_t's (NULL for none). */
void kf_create_topic(const char *topic, int partitions, int replication_factor, const char *const *configs);
/* Only creates it: its leaders may not be ready yet (a client producing
 * at once sees UNKNOWN_TOPIC_OR_PARTITION and NOT_LEADER_OR_FOLLOWER). */
void kf_create_topic_nowait(const char *topic, int partitions, int replication_factor, const char *const *configs);

/* Produces count messages (acks=all) to topic's partition (KL_PARTITION_UA:
 * keys "k<i>" spread them), values "<prefix><i>", timestamps ts_base + i
 * (ts_base 0: now), and fails the test unless every one is delivered. */
void kf_produce(const char *topic, int32_t partition, int count, const char *prefix, int64_t ts_base);

/* Runs tests/kafka/cluster ACTION on the cluster of KL_KAFKA_CLUSTER_DIR
 * (kill, shutdown or restart node; node 0: wait until every node is back),
 * failing the test when it fails. */
void kf_cluster(const char *action, int node);

/* The leader of each of topic's partitions (-1: none) as Metadata says,
 * into leaders[partitions]; returns how many partitions have every one of
 * replication_factor replicas in sync (-1 when the request failed). */
int kf_leaders(const char *topic, int partitions, int replication_factor, int32_t *leaders);

/* Waits (KF_DEADLINE_MS) until every partition of topic has a leader and
 * all replication_factor replicas in sync. */
void kf_wait_in_sync(const char *topic, int partitions, int replication_factor);

/* One message read back. */
typedef struct kf_msg {
    int32_t partition;
    int64_t offset;
    int64_t timestamp;
    char *key, *value; /* NUL-terminated copies; NULL for null */
    char *header;      /* the value of the last header "h", or NULL */
} kf_msg_t;

/* Reads every partition of topic from the beginning with our consumer
 * (no group) until count messages came, failing the test after
 * KF_DEADLINE_MS; *msgsp gets them in the order received. */
void kf_read_all(const char *topic, int partitions, size_t count, kf_msg_t **msgsp);
void kf_msgs_free(kf_msg_t *msgs, size_t count);

#endif
