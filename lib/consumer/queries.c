/* Application calls that wait for the I/O thread (cons_op_t, a
 * kl_sync_call_t with the consumer's lists): here
 * kl_query_watermark_offsets() and kl_offsets_for_times(). */
#include <stdlib.h>
#include <time.h>

#include "consumer/consumer_impl.h"

/* A timeout of -1 waits this long at most: the I/O thread always answers
 * within its request timeouts, this only guards against a lost task. */
#define OP_FOREVER_MS (3600 * 1000)

static void op_free(kl_sync_call_t *call)
{
    cons_op_t *op = (cons_op_t *)call;
    kl_topic_partition_list_destroy(op->list);
    kl_topic_partition_list_destroy(op->list2);
    free(op);
}

static void op_run(kl_sync_call_t *call)
{
    cons_op_t *op = (cons_op_t *)call;
    if (atomic_load(&op->c->stopping))
        cons_op_done(op, KL_ERR_DESTROY);
    else
        op->run(op);
}

cons_op_t *cons_op_new(kl_consumer_t *c, void (*run)(cons_op_t *op), int timeout_ms)
{
    cons_op_t *op = calloc(1, sizeof *op);
    if (!op)
        return NULL;
    kl_sync_call_init(&op->call, c->client, op_run, op_free, timeout_ms < 0 ? OP_FOREVER_MS : timeout_ms);
    op->c = c;
    op->run = run;
    op->deadline_ms = op->call.deadline_ms;
    return op;
}

kl_err_t cons_op_post(cons_op_t *op)
{
    if (!op->c->closed)
        return kl_sync_call_post(&op->call);
    cons_op_release(op); /* the I/O thread's reference */
    return KL_ERR_STATE;
}

kl_err_t cons_op_wait(cons_op_t *op)
{
    kl_err_t err = cons_op_post(op);
    return err ? err : kl_sync_call_wait(&op->call);
}

/* ---- watermarks ------------------------------------------------------------------ */

/* The list's own error when every element failed alike, else NONE. */
static kl_err_t list_error(const kl_topic_partition_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->elems[i].err)
            return list->elems[i].err;
    return KL_ERR_NONE;
}

static void lookup_done(kl_consumer_t *c, kl_topic_partition_list_t *list, void *arg)
{
    (void)c;
    (void)list;
    cons_op_t *op = arg;
    cons_op_done(op, KL_ERR_NONE);
}

/* Watermarks: Kafka refuses a partition named twice in one request, so the
 * low and the high watermark are two lookups, one after the other. */
static void high_done(kl_consumer_t *c, kl_topic_partition_list_t *list, void *arg)
{
    (void)c;
    (void)list;
    cons_op_t *op = arg;
    cons_op_done(op, KL_ERR_NONE);
}

static void low_done(kl_consumer_t *c, kl_topic_partition_list_t *list, void *arg)
{
    cons_op_t *op = arg;
    if (list->elems[0].err) {
        cons_op_done(op, KL_ERR_NONE);
        return;
    }
    cons_io_lookup(c, op->list2, op->deadline_ms, high_done, op);
}

static void run_watermarks(cons_op_t *op)
{
    cons_io_lookup(op->c, op->list, op->deadline_ms, low_done, op);
}

kl_err_t kl_query_watermark_offsets(kl_consumer_t *c, const char *topic, int32_t partition, int64_t *lowp,
                                    int64_t *highp, int timeout_ms)
{
    if (!topic || partition < 0)
        return KL_ERR_INVALID_ARG;
    cons_op_t *op = cons_op_new(c, run_watermarks, timeout_ms);
    kl_topic_partition_list_t *low = kl_topic_partition_list_new(1), *high = kl_topic_partition_list_new(1);
    if (!op || !low || !high || kl_topic_partition_list_set_offset(low, topic, partition, KL_OFFSET_BEGINNING) ||
        kl_topic_partition_list_set_offset(high, topic, partition, KL_OFFSET_END)) {
        free(op);
        kl_topic_partition_list_destroy(low);
        kl_topic_partition_list_destroy(high);
        return KL_ERR_NOMEM;
    }
    op->list = low;
    op->list2 = high;
    kl_err_t err = cons_op_wait(op);
    if (!err)
        err = list_error(low);
    if (!err)
        err = list_error(high);
    if (!err) {
        if (lowp)
            *lowp = low->elems[0].offset;
        if (highp)
            *highp = high->elems[0].offset;
    }
    cons_op_release(op);
    return err;
}

/* ---- offsets for times ------------------------------------------------------------ */

static void run_times(cons_op_t *op) { cons_io_lookup(op->c, op->list, op->deadline_ms, lookup_done, op); }

kl_err_t kl_offsets_for_times(kl_consumer_t *c, kl_topic_partition_list_t *parts, int timeout_ms)
{
    if (!parts)
        return KL_ERR_INVALID_ARG;
    for (size_t i = 0; i < parts->count; i++)
        if (parts->elems[i].offset < 0)
            return KL_ERR_INVALID_ARG; /* a timestamp, not a logical offset */
    cons_op_t *op = cons_op_new(c, run_times, timeout_ms);
    kl_topic_partition_list_t *copy = kl_topic_partition_list_copy(parts);
    if (!op || !copy) {
        free(op);
        kl_topic_partition_list_destroy(copy);
        return KL_ERR_NOMEM;
    }
    op->list = copy;
    kl_err_t err = cons_op_wait(op);
    if (!err)
        for (size_t i = 0; i < parts->count; i++) {
            parts->elems[i].offset = copy->elems[i].offset;
            parts->elems[i].leader_epoch = copy->elems[i].leader_epoch;
            parts->elems[i].err = copy->elems[i].err;
        }
    cons_op_release(op);
    return err;
}
