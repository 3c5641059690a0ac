/* consumer: a consumer-group member. It prints the value of each message
 * of the topics, commits the offsets of what it printed (after printing,
 * so a crash never loses a message, at worst prints a few again), tells
 * when the group gives it partitions or takes them away, and leaves the
 * group cleanly on Ctrl-C (SIGINT) or SIGTERM.
 *
 *   ./consumer BOOTSTRAP GROUP TOPIC...
 *   ./consumer 127.0.0.1:9092 printers greetings
 *
 * Start it twice with the same GROUP: the partitions are shared out. Build
 * it against an installed kafkalite with
 *   cc consumer.c -o consumer $(pkg-config --cflags --libs kafkalite)
 */
#include <kafkalite.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#define COMMIT_EVERY 100 /* messages between two commits */

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void print_partitions(const char *what, const kl_topic_partition_list_t *parts)
{
    fprintf(stderr, "%s:", what);
    for (size_t i = 0; i < parts->count; i++)
        fprintf(stderr, " %s[%d]", parts->elems[i].topic, (int)parts->elems[i].partition);
    fprintf(stderr, "\n");
}

/* The rebalance callback, called from kl_consumer_poll() on this thread
 * when the group moves partitions. It must apply the change; before
 * partitions are taken away it commits what was printed from them, so the
 * next owner starts right after. */
static void on_rebalance(kl_consumer_t *consumer, kl_err_t err, kl_topic_partition_list_t *parts, void *opaque)
{
    (void)opaque;
    int cooperative = !strcmp(kl_rebalance_protocol(consumer), "COOPERATIVE");
    if (err == KL_ERR_ASSIGN_PARTITIONS) {
        print_partitions("assigned", parts);
        if (cooperative)
            kl_incremental_assign(consumer, parts);
        else
            kl_assign(consumer, parts);
        return;
    }
    print_partitions(err == KL_ERR_ASSIGNMENT_LOST ? "lost" : "revoked", parts);
    if (err == KL_ERR_REVOKE_PARTITIONS)
        kl_commit(consumer, NULL, 0); /* not after a loss: others may own them already */
    if (cooperative)
        kl_incremental_unassign(consumer, parts);
    else
        kl_assign(consumer, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s BOOTSTRAP GROUP TOPIC...\n", argv[0]);
        return 2;
    }
    char err[512];
    kl_conf_t *conf = kl_conf_new();
    if (kl_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
        kl_conf_set(conf, "group.id", argv[2], err, sizeof err) ||
        /* a group without commits starts at the beginning of the topics */
        kl_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err) ||
        /* we commit ourselves, after printing */
        kl_conf_set(conf, "enable.auto.commit", "false", err, sizeof err)) {
        fprintf(stderr, "configuration: %s\n", err);
        kl_conf_destroy(conf);
        return 1;
    }
    kl_conf_set_rebalance_cb(conf, on_rebalance);
    kl_consumer_t *consumer = kl_consumer_new(conf, err, sizeof err); /* copies conf */
    kl_conf_destroy(conf);
    if (!consumer) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    kl_err_t e = kl_subscribe(consumer, (const char *const *)argv + 3, (size_t)(argc - 3));
    if (e != KL_ERR_NONE) {
        fprintf(stderr, "subscribe: %s\n", kl_err_str(e));
        kl_consumer_destroy(consumer);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    unsigned long printed = 0;
    while (!stopping) {
        /* A short timeout, so that a signal is noticed soon. */
        kl_message_t *msg = kl_consumer_poll(consumer, 100);
        if (!msg) {
            fflush(stdout); /* nothing new: show what was printed so far */
            continue;
        }
        if (kl_message_error(msg) != KL_ERR_NONE) {
            fprintf(stderr, "%s\n", kl_err_str(kl_message_error(msg)));
        } else {
            size_t len;
            const char *value = kl_message_value(msg, &len);
            printf("%.*s\n", (int)len, value ? value : "");
            /* Each message handed out is stored as processed; commit the
             * stored offsets now and then, in the background. */
            if (++printed % COMMIT_EVERY == 0)
                kl_commit(consumer, NULL, 1);
        }
        kl_message_destroy(msg);
    }

    /* Commit the rest and wait for the answer, then leave the group (the
     * rebalance callback sees the revocation) and free everything. */
    fflush(stdout);
    e = kl_commit(consumer, NULL, 0);
    if (e != KL_ERR_NONE && e != KL_ERR_NOENT)
        fprintf(stderr, "final commit: %s\n", kl_err_str(e));
    kl_consumer_close(consumer);
    kl_consumer_destroy(consumer);
    fprintf(stderr, "%lu messages printed\n", printed);
    return 0;
}
