/* embedded: a standalone application on kafkalite's public API only.
 *
 * It starts the embedded broker in-process on a data directory (a
 * temporary one when run with no arguments), produces messages, reads them
 * back through a consumer group that commits what it read, then stops the
 * broker, starts a new one on the same directory and shows that both the
 * messages and the group's committed offsets survived: the group reads
 * only what was produced after the restart.
 *
 *   ./examples/embedded [data-dir]
 *
 * The same producer and consumer code talks to a real Kafka cluster: only
 * bootstrap.servers changes. */
#include <kafkalite.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOPIC "demo"
#define GROUP "demo-readers"
#define FIRST_BATCH 10000
#define SECOND_BATCH 300
#define WAIT_MS 30000

static void die(const char *what, const char *why)
{
    fprintf(stderr, "%s: %s\n", what, why);
    exit(1);
}

/* Sets a property or exits saying why not. */
static void set(kl_conf_t *conf, const char *name, const char *value)
{
    char err[512];
    if (kl_conf_set(conf, name, value, err, sizeof err) != KL_ERR_NONE)
        die(name, err);
}

static kl_broker_t *start_broker(const char *dir)
{
    char err[512];
    kl_conf_t *conf = kl_broker_conf_new();
    set(conf, "log.dirs", dir);
    set(conf, "listeners", "PLAINTEXT://127.0.0.1:0"); /* any free port */
    set(conf, "num.partitions", "3");
    kl_broker_t *broker = kl_broker_new(conf, err, sizeof err); /* copies conf */
    kl_conf_destroy(conf);
    if (!broker)
        die("broker", err);
    if (kl_broker_start(broker) != KL_ERR_NONE)
        die("broker", "could not start");
    printf("broker listening on %s, data in %s\n", kl_broker_bootstrap_servers(broker), dir);
    return broker;
}

/* Produces count messages "message <i>" (i from first) and waits until
 * each is acknowledged by the broker. Returns how many were delivered. */
static long produce(const char *bootstrap, long first, long count)
{
    char err[512];
    kl_conf_t *conf = kl_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "linger.ms", "5");
    kl_producer_t *producer = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    if (!producer)
        die("producer", err);
    for (long i = first; i < first + count; i++) {
        char key[32], value[64];
        int klen = snprintf(key, sizeof key, "key-%ld", i);
        int vlen = snprintf(value, sizeof value, "message %ld", i);
        kl_err_t e;
        while ((e = kl_produce(producer, TOPIC, KL_PARTITION_UA, key, (size_t)klen, value, (size_t)vlen, 0,
                               NULL)) == KL_ERR_QUEUE_FULL)
            kl_producer_poll(producer, 10); /* the queue is full: let it drain */
        if (e != KL_ERR_NONE)
            die("produce", kl_err_str(e));
    }
    kl_producer_flush(producer, WAIT_MS); /* returns once every message is acknowledged */
    long failed = (long)kl_producer_failed(producer);
    kl_producer_destroy(producer);
    printf("produced %ld messages, %ld failed\n", count - failed, failed);
    return count - failed;
}

/* Reads through the group until every partition is read to its end, and
 * returns how many messages came. Closing the consumer commits the offsets
 * of what was read (enable.auto.commit is on by default). */
static long consume(const char *bootstrap, long *lowest, long *highest)
{
    char err[512];
    kl_conf_t *conf = kl_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "group.id", GROUP);
    set(conf, "auto.offset.reset", "earliest"); /* a new group starts at the beginning */
    set(conf, "enable.partition.eof", "true");  /* tell us when a partition is read to its end */
    kl_consumer_t *consumer = kl_consumer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    if (!consumer)
        die("consumer", err);
    const char *topics[] = {TOPIC};
    kl_subscribe(consumer, topics, 1);

    long count = 0, at_end = 0;
    *lowest = -1;
    *highest = -1;
    while (at_end < 3) { /* three partitions */
        kl_message_t *msg = kl_consumer_poll(consumer, WAIT_MS);
        if (!msg)
            die("consumer", "nothing came for a long time");
        kl_err_t e = kl_message_error(msg);
        if (e == KL_ERR_PARTITION_EOF) {
            at_end++;
        } else if (e != KL_ERR_NONE) {
            die("consume", kl_err_str(e));
        } else {
            long n = strtol((const char *)kl_message_value(msg, NULL) + strlen("message "), NULL, 10);
            if (*lowest < 0 || n < *lowest)
                *lowest = n;
            if (n > *highest)
                *highest = n;
            count++;
        }
        kl_message_destroy(msg); /* the message is ours until we free it */
    }
    kl_consumer_close(consumer); /* commits what was read, leaves the group */
    kl_consumer_destroy(consumer);
    printf("group %s read %ld messages (numbers %ld to %ld)\n", GROUP, count, *lowest, *highest);
    return count;
}

int main(int argc, char **argv)
{
    char tmp[] = "/tmp/kafkalite-embedded-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }
    long low, high;

    /* 1. A broker on the directory: produce, read through the group, stop. */
    kl_broker_t *broker = start_broker(dir);
    long produced = produce(kl_broker_bootstrap_servers(broker), 0, FIRST_BATCH);
    long read = consume(kl_broker_bootstrap_servers(broker), &low, &high);
    int ok = produced == FIRST_BATCH && read == FIRST_BATCH;
    kl_broker_stop(broker);
    kl_broker_destroy(broker);
    printf("broker stopped\n");

    /* 2. A new broker on the same directory. The group committed offsets
     * stored there, so it reads only the messages produced now. */
    broker = start_broker(dir);
    produced = produce(kl_broker_bootstrap_servers(broker), FIRST_BATCH, SECOND_BATCH);
    read = consume(kl_broker_bootstrap_servers(broker), &low, &high);
    ok &= produced == SECOND_BATCH && read == SECOND_BATCH && low == FIRST_BATCH &&
          high == FIRST_BATCH + SECOND_BATCH - 1;
    kl_broker_stop(broker);
    kl_broker_destroy(broker);

    printf("%s: the messages and the group's offsets survived the restart\n", ok ? "OK" : "FAILED");
    if (argc <= 1) { /* remove the temporary directory we made */
        char cmd[64];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmp);
    }
    return ok ? 0 : 1;
}
