/* exactly_once: consume, transform, produce, exactly once. It reads INPUT
 * as a member of GROUP, writes each message's value upper-cased to OUTPUT,
 * and commits the input offsets in the same transaction as the output:
 * either both happen or neither, so after any crash a new run goes on
 * from the last committed transaction and read_committed readers of
 * OUTPUT see each input message exactly once.
 *
 *   ./exactly_once BOOTSTRAP GROUP INPUT OUTPUT TRANSACTIONAL_ID [INSTANCE_ID]
 *   ./exactly_once 127.0.0.1:9092 shouters words loud-words shouter-1
 *
 * With INSTANCE_ID the consumer is a static member of GROUP
 * (group.instance.id): a restart after a crash takes the crashed run's
 * partitions over at once instead of after its session.timeout.ms.
 * Run several with the same GROUP and different TRANSACTIONAL_IDs to share
 * INPUT's partitions out; a new run with the same TRANSACTIONAL_ID fences
 * (stops) an old one still running. Stops on SIGINT or SIGTERM after
 * committing what it has. Build it against an installed kafkalite with
 *   cc exactly_once.c -o exactly_once $(pkg-config --cflags --libs kafkalite)
 */
#include <kafkalite.h>

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 100         /* input messages per transaction at most */
#define TIMEOUT_MS 30000  /* for each transactional call */

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* The state the transaction loop and the rebalance callback share. */
typedef struct app {
    kl_consumer_t *consumer;
    kl_producer_t *producer;
    const char *output;
    kl_topic_partition_list_t *offsets; /* input offsets of the open transaction */
    int open;                           /* a transaction is open */
    int in_txn;                         /* input messages in it */
    int failed;                         /* a fatal error: stop */
    unsigned long done;                 /* input messages committed */
} app_t;

/* What to do after a transactional call: 0 when it went well; otherwise
 * the transaction is aborted (abortable error) or the program must stop
 * (fatal error), and -1 is returned. */
static int check(app_t *app, kl_error_t *error, const char *what)
{
    if (!error)
        return 0;
    fprintf(stderr, "%s: %s\n", what, kl_error_string(error));
    int abortable = kl_error_txn_requires_abort(error);
    if (kl_error_is_fatal(error) || !abortable)
        app->failed = 1; /* fenced, or a bug: nothing to retry here */
    kl_error_destroy(error);
    if (abortable) {
        error = kl_abort_transaction(app->producer, TIMEOUT_MS);
        if (error) {
            fprintf(stderr, "abort: %s\n", kl_error_string(error));
            app->failed = 1;
            kl_error_destroy(error);
        }
    }
    return -1;
}

/* After an abort the output of the batch is gone: the input goes back to
 * the last committed offsets, to be processed again. */
static void rewind_input(app_t *app)
{
    kl_topic_partition_list_t *parts = kl_topic_partition_list_copy(app->offsets);
    if (!parts || kl_committed(app->consumer, parts, TIMEOUT_MS) != KL_ERR_NONE) {
        app->failed = 1;
        kl_topic_partition_list_destroy(parts);
        return;
    }
    for (size_t i = 0; i < parts->count; i++) {
        const kl_topic_partition_t *p = &parts->elems[i];
        if (app->offsets->elems[i].offset < 0)
            continue; /* not read in this transaction */
        int64_t to = p->offset >= 0 ? p->offset : KL_OFFSET_BEGINNING;
        if (kl_seek(app->consumer, p->topic, p->partition, to, TIMEOUT_MS) != KL_ERR_NONE)
            app->failed = 1;
    }
    kl_topic_partition_list_destroy(parts);
}

/* Commits the open transaction: the output produced and the input offsets
 * that produced it. */
static void commit(app_t *app)
{
    if (!app->open)
        return;
    app->open = 0;
    kl_consumer_group_metadata_t *group = kl_consumer_group_metadata(app->consumer);
    int rc = check(app, kl_send_offsets_to_transaction(app->producer, app->offsets, group, TIMEOUT_MS),
                   "send offsets");
    kl_consumer_group_metadata_destroy(group);
    if (rc == 0)
        rc = check(app, kl_commit_transaction(app->producer, TIMEOUT_MS), "commit");
    if (rc == 0)
        app->done += (unsigned long)app->in_txn;
    else if (!app->failed)
        rewind_input(app);
    app->in_txn = 0;
    for (size_t i = 0; i < app->offsets->count; i++)
        app->offsets->elems[i].offset = KL_OFFSET_INVALID;
}

/* Partitions come and go: the transaction is committed before partitions
 * are taken away (their next owner starts from the committed offsets). */
static void on_rebalance(kl_consumer_t *consumer, kl_err_t err, kl_topic_partition_list_t *parts, void *opaque)
{
    app_t *app = opaque;
    int cooperative = !strcmp(kl_rebalance_protocol(consumer), "COOPERATIVE");
    if (err == KL_ERR_ASSIGN_PARTITIONS) {
        if (cooperative)
            kl_incremental_assign(consumer, parts);
        else
            kl_assign(consumer, parts);
        return;
    }
    if (err == KL_ERR_REVOKE_PARTITIONS)
        commit(app);
    else if (app->open) /* lost: another member may own them already */
        check(app, kl_abort_transaction(app->producer, TIMEOUT_MS), "abort");
    app->open = app->in_txn = 0;
    if (cooperative)
        kl_incremental_unassign(consumer, parts);
    else
        kl_assign(consumer, NULL);
}

/* Transforms one input message into the open transaction. */
static int process(app_t *app, const kl_message_t *msg)
{
    if (!app->open) {
        if (check(app, kl_begin_transaction(app->producer), "begin") != 0)
            return -1;
        app->open = 1;
    }
    size_t len, klen;
    const char *value = kl_message_value(msg, &len);
    const void *key = kl_message_key(msg, &klen);
    char *upper = malloc(len + 1);
    if (!upper)
        return -1;
    for (size_t i = 0; i < len; i++)
        upper[i] = (char)toupper((unsigned char)value[i]);
    kl_err_t e = kl_produce_flags(app->producer, app->output, KL_PARTITION_UA, KL_MSG_F_BLOCK, key, klen, upper,
                                  len, NULL, 0, NULL);
    free(upper);
    if (e != KL_ERR_NONE) {
        fprintf(stderr, "produce: %s\n", kl_err_str(e));
        return -1;
    }
    app->in_txn++;
    /* the input offset to commit is the next one to read */
    return kl_topic_partition_list_set_offset(app->offsets, kl_message_topic(msg), kl_message_partition(msg),
                                              kl_message_offset(msg) + 1) == KL_ERR_NONE ? 0 : -1;
}

static kl_conf_t *conf_of(const char *const *settings, char *err, size_t err_size)
{
    kl_conf_t *conf = kl_conf_new();
    for (int i = 0; settings[i]; i += 2)
        if (kl_conf_set(conf, settings[i], settings[i + 1], err, err_size) != KL_ERR_NONE) {
            kl_conf_destroy(conf);
            return NULL;
        }
    return conf;
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s BOOTSTRAP GROUP INPUT OUTPUT TRANSACTIONAL_ID [INSTANCE_ID]\n", argv[0]);
        return 2;
    }
    app_t app = {.output = argv[4]};
    char err[512];
    /* the input is read committed (only committed transactions' messages)
     * and its offsets committed by the transactions, never by the consumer */
    const char *consumer_settings[] = {"bootstrap.servers", argv[1], "group.id", argv[2],
                                       "auto.offset.reset", "earliest", "enable.auto.commit", "false",
                                       "isolation.level", "read_committed", NULL, NULL, NULL};
    if (argc == 7) {
        consumer_settings[10] = "group.instance.id";
        consumer_settings[11] = argv[6];
    }
    const char *producer_settings[] = {"bootstrap.servers", argv[1], "transactional.id", argv[5], NULL};
    kl_conf_t *cconf = conf_of(consumer_settings, err, sizeof err);
    kl_conf_t *pconf = cconf ? conf_of(producer_settings, err, sizeof err) : NULL;
    if (!cconf || !pconf) {
        fprintf(stderr, "configuration: %s\n", err);
        kl_conf_destroy(cconf);
        return 1;
    }
    kl_conf_set_rebalance_cb(cconf, on_rebalance);
    kl_conf_set_opaque(cconf, &app);
    app.producer = kl_producer_new(pconf, err, sizeof err);
    app.consumer = app.producer ? kl_consumer_new(cconf, err, sizeof err) : NULL;
    kl_conf_destroy(cconf);
    kl_conf_destroy(pconf);
    app.offsets = kl_topic_partition_list_new(8);
    if (!app.producer || !app.consumer || !app.offsets) {
        fprintf(stderr, "%s\n", err);
        kl_producer_destroy(app.producer);
        return 1;
    }
    /* fences an older instance with the same TRANSACTIONAL_ID, and aborts
     * the transaction it may have left open */
    if (check(&app, kl_init_transactions(app.producer, TIMEOUT_MS), "init") != 0 ||
        kl_subscribe(app.consumer, (const char *const *)&argv[3], 1) != KL_ERR_NONE)
        app.failed = 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    while (!stopping && !app.failed) {
        kl_message_t *msg = kl_consumer_poll(app.consumer, 100);
        if (msg && kl_message_error(msg) == KL_ERR_NONE) {
            if (process(&app, msg) != 0)
                app.failed = 1;
        } else if (msg) {
            fprintf(stderr, "consume: %s\n", kl_err_str(kl_message_error(msg)));
        }
        kl_message_destroy(msg);
        /* a transaction per BATCH messages, or when the input pauses */
        if (app.open && (app.in_txn >= BATCH || !msg))
            commit(&app);
    }
    if (!app.failed)
        commit(&app);
    kl_consumer_close(app.consumer);
    kl_consumer_destroy(app.consumer);
    kl_producer_destroy(app.producer);
    kl_topic_partition_list_destroy(app.offsets);
    fprintf(stderr, "%lu messages transformed exactly once\n", app.done);
    return app.failed ? 1 : 0;
}
