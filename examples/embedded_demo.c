/* embedded_demo: a standalone application on kafkalite's public API only.
 * It starts the embedded broker in-process on a data directory (a
 * temporary one when run with no arguments), produces messages with the
 * kafkalite producer and counts their delivery reports, then stops the
 * broker, starts a new one on the same directory and shows that the data
 * survived: new messages continue at the next offsets.
 *
 *   ./examples/embedded_demo [data-dir]
 *
 * (Consuming through a group arrives with the consumer; see README.) */
#include <kafkalite.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOPIC "demo"
#define PARTITIONS 3
#define MESSAGES 10000

/* What the delivery reports told us, per partition. */
typedef struct tally {
    long delivered[PARTITIONS];
    int64_t last_offset[PARTITIONS];
    long failed;
} tally_t;

/* Called from kl_producer_poll()/flush() on this thread, once per message. */
static void on_delivery(kl_producer_t *producer, const kl_message_t *msg, void *opaque)
{
    tally_t *t = opaque;
    (void)producer;
    int32_t p = kl_message_partition(msg);
    if (kl_message_error(msg) != KL_ERR_NONE || p < 0 || p >= PARTITIONS) {
        fprintf(stderr, "delivery failed: %s\n", kl_err_str(kl_message_error(msg)));
        t->failed++;
        return;
    }
    t->delivered[p]++;
    t->last_offset[p] = kl_message_offset(msg);
}

static kl_broker_t *start_broker(const char *dir)
{
    char err[512];
    kl_conf_t *conf = kl_broker_conf_new();
    if (kl_conf_set(conf, "log.dirs", dir, err, sizeof err) ||
        kl_conf_set(conf, "listeners", "PLAINTEXT://127.0.0.1:0", err, sizeof err) ||
        kl_conf_set(conf, "num.partitions", "3", err, sizeof err)) {
        fprintf(stderr, "broker config: %s\n", err);
        exit(1);
    }
    kl_broker_t *broker = kl_broker_new(conf, err, sizeof err); /* copies conf */
    kl_conf_destroy(conf);
    if (!broker || kl_broker_start(broker) != KL_ERR_NONE) {
        fprintf(stderr, "broker: %s\n", broker ? "could not start" : err);
        exit(1);
    }
    printf("broker listening on %s, data in %s\n", kl_broker_bootstrap_servers(broker), dir);
    return broker;
}

/* Produces count messages with keys key-<first..> and waits for every
 * delivery report. Returns the number that failed. */
static long produce(const char *bootstrap, long first, long count, tally_t *t)
{
    char err[512];
    kl_conf_t *conf = kl_conf_new();
    if (kl_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) ||
        kl_conf_set(conf, "linger.ms", "5", err, sizeof err) ||
        kl_conf_set(conf, "acks", "all", err, sizeof err) ||
        kl_conf_set(conf, "partitioner", "murmur2_random", err, sizeof err)) {
        fprintf(stderr, "producer config: %s\n", err);
        exit(1);
    }
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_opaque(conf, t);
    kl_producer_t *producer = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    if (!producer) {
        fprintf(stderr, "producer: %s\n", err);
        exit(1);
    }
    for (long i = first; i < first + count; i++) {
        char key[32], value[64];
        int klen = snprintf(key, sizeof key, "key-%ld", i);
        int vlen = snprintf(value, sizeof value, "message %ld from the embedded demo", i);
        kl_err_t e;
        while ((e = kl_produce(producer, TOPIC, -1, key, (size_t)klen, value, (size_t)vlen, 0, NULL)) ==
               KL_ERR_QUEUE_FULL)
            kl_producer_poll(producer, 10); /* make room: serve reports */
        if (e != KL_ERR_NONE) {
            fprintf(stderr, "produce: %s\n", kl_err_str(e));
            t->failed++;
        }
    }
    /* flush returns once every message has its report (or the timeout). */
    if (kl_producer_flush(producer, 30000) != KL_ERR_NONE)
        fprintf(stderr, "%zu messages still outstanding\n", kl_producer_outstanding(producer));
    kl_producer_destroy(producer);
    return t->failed;
}

static void report(const char *what, const tally_t *t)
{
    printf("%s:\n", what);
    for (int p = 0; p < PARTITIONS; p++)
        printf("  partition %d: %5ld delivered, last offset %lld\n", p, t->delivered[p],
               (long long)t->last_offset[p]);
}

int main(int argc, char **argv)
{
    char tmp[] = "/tmp/kafkalite-demo-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }

    /* 1. Start a broker, produce, stop it. */
    kl_broker_t *broker = start_broker(dir);
    tally_t first = {{0}, {-1, -1, -1}, 0};
    long failed = produce(kl_broker_bootstrap_servers(broker), 0, MESSAGES, &first);
    report("first run", &first);
    kl_broker_stop(broker);
    kl_broker_destroy(broker);

    /* 2. A new broker on the same directory: produce a little more. Each
     * partition must continue right after its last offset of run 1. */
    broker = start_broker(dir);
    tally_t second = {{0}, {-1, -1, -1}, 0};
    failed += produce(kl_broker_bootstrap_servers(broker), MESSAGES, 300, &second);
    report("after restart", &second);
    kl_broker_stop(broker);
    kl_broker_destroy(broker);

    int ok = failed == 0;
    for (int p = 0; p < PARTITIONS; p++)
        ok &= second.delivered[p] == 0 || second.last_offset[p] == first.last_offset[p] + second.delivered[p];
    long total = 0;
    for (int p = 0; p < PARTITIONS; p++)
        total += first.delivered[p];
    ok &= total == MESSAGES;
    printf("%s: %ld messages delivered before the restart, offsets continued after it, %ld failed\n",
           ok ? "OK" : "FAILED", total, failed);

    if (argc <= 1) { /* remove the temporary directory we made */
        char cmd[64];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmp);
    }
    return ok ? 0 : 1;
}
