/* idempotent_producer: produces COUNT numbered messages so that, whatever
 * the network does, each is stored exactly once and in order.
 *
 *   ./idempotent_producer BOOTSTRAP TOPIC [COUNT]
 *
 * With enable.idempotence the broker recognises a batch the producer
 * retries after a lost answer and does not store it twice; acks=all waits
 * until every in-sync replica has the message. enable.gapless.guarantee
 * goes one step further: if a message fails for good after later ones were
 * sent (which would leave a gap), the producer stops with a fatal error
 * rather than go on. A fatal error is final: every later kl_produce()
 * returns KL_ERR_FATAL, kl_producer_fatal_error() says why, and the only
 * thing left to do is destroy the producer (and start a new one if the
 * application wants to go on).
 *
 * Build it against an installed kafkalite with
 *   cc idempotent_producer.c -o idempotent_producer \
 *       $(pkg-config --cflags --libs kafkalite)
 */
#include <kafkalite.h>

#include <stdio.h>
#include <stdlib.h>

typedef struct counts {
    unsigned long delivered, failed;
} counts_t;

/* Called from kl_producer_poll()/flush() on this thread, once a message. */
static void on_delivery(kl_producer_t *producer, const kl_message_t *msg, void *opaque)
{
    counts_t *counts = opaque;
    (void)producer;
    if (kl_message_error(msg) == KL_ERR_NONE)
        counts->delivered++;
    else if (counts->failed++ < 5)
        fprintf(stderr, "message failed: %s\n", kl_err_str(kl_message_error(msg)));
}

/* True (and says why) once the producer has hit a fatal error. */
static int is_fatal(kl_producer_t *producer)
{
    char why[512];
    kl_err_t err = kl_producer_fatal_error(producer, why, sizeof why);
    if (err == KL_ERR_NONE)
        return 0;
    fprintf(stderr, "fatal error, the producer must be destroyed: %s: %s\n", kl_err_str(err), why);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC [COUNT]\n", argv[0]);
        return 2;
    }
    long count = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
    counts_t counts = {0, 0};
    char err[512];
    kl_conf_t *conf = kl_conf_new();
    if (kl_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        kl_conf_set(conf, "enable.idempotence", "true", err, sizeof err) ||
        kl_conf_set(conf, "acks", "all", err, sizeof err) ||
        kl_conf_set(conf, "enable.gapless.guarantee", "true", err, sizeof err)) {
        fprintf(stderr, "configuration: %s\n", err);
        kl_conf_destroy(conf);
        return 1;
    }
    kl_conf_set_delivery_cb(conf, on_delivery);
    kl_conf_set_opaque(conf, &counts);
    kl_producer_t *producer = kl_producer_new(conf, err, sizeof err); /* copies conf */
    kl_conf_destroy(conf);
    if (!producer) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }

    int fatal = 0;
    for (long i = 0; i < count && !fatal; i++) {
        char value[32];
        int len = snprintf(value, sizeof value, "%ld", i);
        kl_err_t e;
        /* Partition 0: one partition keeps one order for all of them. */
        while ((e = kl_produce(producer, argv[2], 0, NULL, 0, value, (size_t)len, 0, NULL)) == KL_ERR_QUEUE_FULL)
            kl_producer_poll(producer, 10);
        if (e == KL_ERR_FATAL)
            fatal = is_fatal(producer);
        else if (e != KL_ERR_NONE)
            fprintf(stderr, "message %ld refused: %s\n", i, kl_err_str(e));
        kl_producer_poll(producer, 0); /* serve the delivery reports that came */
    }
    kl_producer_flush(producer, 60000);
    fatal |= is_fatal(producer);
    kl_producer_destroy(producer);
    printf("%ld sent, %lu delivered, %lu failed\n", count, counts.delivered, counts.failed);
    return fatal || counts.failed || counts.delivered != (unsigned long)count;
}
