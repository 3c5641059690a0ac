/* producer: sends each line of standard input as one message to a topic,
 * prints what happened to each failed message, and exits 0 only when every
 * message was delivered. (Lines longer than 4095 bytes go in pieces.)
 *
 *   ./producer BOOTSTRAP TOPIC < lines.txt
 *   printf 'hello\nworld\n' | ./producer 127.0.0.1:9092 greetings
 *
 * Build it against an installed kafkalite with
 *   cc producer.c -o producer $(pkg-config --cflags --libs kafkalite)
 */
#include <kafkalite.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the delivery reports said. */
typedef struct counts {
    unsigned long delivered, failed;
} counts_t;

/* The delivery report callback: kafkalite calls it once for every message
 * it accepted, from kl_producer_poll() or kl_producer_flush() on this
 * thread, never from its own. opaque is what kl_conf_set_opaque() set. */
static void on_delivery(kl_producer_t *producer, const kl_message_t *msg, void *opaque)
{
    counts_t *counts = opaque;
    (void)producer;
    if (kl_message_error(msg) != KL_ERR_NONE) {
        size_t len;
        const char *value = kl_message_value(msg, &len);
        fprintf(stderr, "failed: \"%.*s\": %s\n", (int)len, value ? value : "", kl_err_str(kl_message_error(msg)));
        counts->failed++;
    } else {
        counts->delivered++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC < lines\n", argv[0]);
        return 2;
    }
    const char *bootstrap = argv[1], *topic = argv[2];

    /* 1. The configuration: librdkafka's property names. Every kl_conf_set
     * checks the name and the value at once and explains a refusal. */
    char err[512];
    counts_t counts = {0, 0};
    kl_conf_t *conf = kl_conf_new();
    if (kl_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) != KL_ERR_NONE ||
        kl_conf_set(conf, "acks", "all", err, sizeof err) != KL_ERR_NONE ||
        kl_conf_set(conf, "delivery.timeout.ms", "30000", err, sizeof err) != KL_ERR_NONE) {
        fprintf(stderr, "configuration: %s\n", err);
        return 1;
    }
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_opaque(conf, &counts);

    /* 2. The producer copies the configuration, so it can go now. */
    kl_producer_t *producer = kl_producer_new(conf, err, sizeof err);
    kl_conf_destroy(conf);
    if (!producer) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }

    /* 3. One message per line. kl_produce() only queues the message (it is
     * copied); the library sends it in the background. */
    char line[4096];
    unsigned long sent = 0;
    while (fgets(line, sizeof line, stdin)) {
        size_t len = strcspn(line, "\n");
        kl_err_t e;
        while ((e = kl_produce(producer, topic, KL_PARTITION_UA, NULL, 0, line, len, 0, NULL)) ==
               KL_ERR_QUEUE_FULL)
            kl_producer_poll(producer, 100); /* queue full: serve reports to make room */
        if (e != KL_ERR_NONE) {
            fprintf(stderr, "not sent: %s\n", kl_err_str(e)); /* no report follows */
            counts.failed++;
            continue;
        }
        sent++;
        kl_producer_poll(producer, 0); /* serve the reports that arrived */
    }

    /* 4. Wait for the last reports. delivery.timeout.ms bounds the wait: a
     * message that cannot be delivered by then fails with a report. */
    kl_producer_flush(producer, -1);
    kl_producer_destroy(producer);

    printf("%lu sent, %lu delivered, %lu failed\n", sent, counts.delivered, counts.failed);
    return counts.failed == 0 && counts.delivered == sent ? 0 : 1;
}
