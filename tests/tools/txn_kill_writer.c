/* The transactional writer of test_broker_kill_txn.sh (issue 20): writes
 * transactions in a loop while the test SIGKILLs and restarts the broker.
 * Transaction T holds N records "T I N D" (I = 1..N, spread over the
 * topic's partitions; D = c when the writer means to commit it, a when it
 * means to abort it: every third transaction). On stdout, one line per
 * transaction once its outcome is known to the writer:
 *   committed T   kl_commit_transaction() returned success
 *   aborted T     kl_abort_transaction() returned success
 *   unknown T     the producer failed fatally before the outcome was known
 * The test checks that read_committed shows every "committed" transaction
 * whole, no transaction in part, and no record with D = a.
 *
 * Error handling, per the classes of include/kafkalite/producer.h:
 * retriable errors (the broker is away: KL_ERR_TIMED_OUT) repeat the same
 * call -- a commit whose outcome is unknown is committed again, which the
 * coordinator answers with the first commit's result; abortable errors
 * abort the transaction (the abort itself retried while retriable); fatal
 * errors (e.g. fenced after the coordinator lost track of an epoch) end
 * the producer: a new one's kl_init_transactions() completes whatever the
 * old one left open, and the transaction is reported "unknown".
 *
 *   txn_kill_writer BOOTSTRAP TOPIC PARTITIONS N STOPFILE
 * Stops at the end of the transaction during which STOPFILE appears. */
#include <kafkalite.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CALL_TIMEOUT_MS 1000
#define GIVE_UP_TRIES 60 /* of one call (a minute): then it gives up */

static const char *bootstrap, *topic;

static kl_producer_t *new_producer(void)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    if (kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr) ||
        kl_conf_set(conf, "transactional.id", "kill-writer", errstr, sizeof errstr) ||
        kl_conf_set(conf, "transaction.timeout.ms", "60000", errstr, sizeof errstr) ||
        kl_conf_set(conf, "linger.ms", "2", errstr, sizeof errstr)) {
        fprintf(stderr, "conf: %s\n", errstr);
        exit(1);
    }
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!p) {
        fprintf(stderr, "kl_producer_new: %s\n", errstr);
        exit(1);
    }
    for (int tries = 0;; tries++) {
        kl_error_t *e = kl_init_transactions(p, CALL_TIMEOUT_MS);
        if (!e)
            return p;
        fprintf(stderr, "init: %s\n", kl_error_string(e));
        int retriable = kl_error_is_retriable(e);
        kl_error_destroy(e);
        if (!retriable || tries >= GIVE_UP_TRIES) {
            fprintf(stderr, "init: giving up\n");
            exit(1);
        }
    }
}

/* What became of a transaction. */
enum outcome { COMMITTED, ABORTED, UNKNOWN };

/* Aborts the open transaction, retrying while retriable. */
static enum outcome abort_txn(kl_producer_t *p)
{
    for (int tries = 0;; tries++) {
        kl_error_t *e = kl_abort_transaction(p, CALL_TIMEOUT_MS);
        if (!e)
            return ABORTED;
        fprintf(stderr, "abort: %s\n", kl_error_string(e));
        int retriable = kl_error_is_retriable(e);
        kl_error_destroy(e);
        if (!retriable || tries >= GIVE_UP_TRIES)
            return UNKNOWN;
    }
}

/* Commits the open transaction: retriable errors commit again. */
static enum outcome commit_txn(kl_producer_t *p)
{
    for (int tries = 0;; tries++) {
        kl_error_t *e = kl_commit_transaction(p, CALL_TIMEOUT_MS);
        if (!e)
            return COMMITTED;
        fprintf(stderr, "commit: %s\n", kl_error_string(e));
        int retriable = kl_error_is_retriable(e), abortable = kl_error_txn_requires_abort(e);
        kl_error_destroy(e);
        if (abortable)
            return abort_txn(p);
        if (!retriable || tries >= GIVE_UP_TRIES)
            return UNKNOWN;
    }
}

/* Writes transaction t; its outcome. */
static enum outcome write_txn(kl_producer_t *p, long t, int partitions, int n)
{
    kl_error_t *e = kl_begin_transaction(p);
    if (e) {
        fprintf(stderr, "begin: %s\n", kl_error_string(e));
        kl_error_destroy(e);
        return UNKNOWN;
    }
    char decision = t % 3 == 0 ? 'a' : 'c';
    for (int i = 1; i <= n; i++) {
        char value[64];
        int len = snprintf(value, sizeof value, "%ld %d %d %c", t, i, n, decision);
        kl_err_t err;
        while ((err = kl_produce(p, topic, i % partitions, NULL, 0, value, (size_t)len, 0, NULL)) ==
               KL_ERR_QUEUE_FULL)
            kl_producer_poll(p, 10);
        if (err) {
            fprintf(stderr, "produce: %s\n", kl_err_str(err));
            return abort_txn(p);
        }
    }
    if (decision == 'c')
        return commit_txn(p);
    /* The records of an abort reach the log first (an abort drops what is
     * still queued), so that read_committed has aborted records to hide. */
    if (kl_producer_flush(p, CALL_TIMEOUT_MS) != KL_ERR_NONE)
        fprintf(stderr, "flush: timed out\n");
    return abort_txn(p);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC PARTITIONS N STOPFILE\n", argv[0]);
        return 2;
    }
    bootstrap = argv[1];
    topic = argv[2];
    int partitions = atoi(argv[3]), n = atoi(argv[4]);
    if (partitions < 1 || n < 1)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    kl_producer_t *p = new_producer();
    for (long t = 1; access(argv[5], F_OK) != 0; t++) {
        enum outcome o = write_txn(p, t, partitions, n);
        printf("%s %ld\n", o == COMMITTED ? "committed" : o == ABORTED ? "aborted" : "unknown", t);
        if (o == UNKNOWN) {
            kl_producer_destroy(p);
            p = new_producer();
        }
    }
    kl_producer_destroy(p);
    return 0;
}
