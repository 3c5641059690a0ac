/* Produce: validates each partition's record batch (kl_batch_validate,
 * once: the log takes it as checked; it walks the records once, inflating
 * a compressed batch within a cap, and requires keys on a compacted
 * topic), checks
 * an idempotent producer's sequence (a retried batch is answered with the
 * offset it got the first time and not written again) and its
 * transaction (a transactional batch starts its producer's transaction
 * in the partition), appends it to the
 * partition log with its base offset patched, answers base offset and
 * log-append time, and wakes the fetches waiting for that partition.
 * acks=0 gets no answer, and an error on it closes the connection, as
 * Kafka does, since the client could not learn of it otherwise. */
#include "broker/conf_table.h"
#include "broker/conn.h"
#include "broker/dispatch.h"
#include "broker/group_wire.h"
#include "proto/msg_produce.h"
#include "record/batch.h"

typedef kl_produce_response_partition_t produced_t;

/* A retry of a batch already written: Kafka answers it as a success with
 * the offset it got the first time. */
static int16_t answer_duplicate(kl_log_t *log, const producer_batch_t *dup, produced_t *r, const char **why)
{
    r->base_offset = dup->first_offset;
    r->log_append_time_ms = kl_log_config(log)->timestamp_type == KL_LOG_APPEND_TIME ? dup->timestamp : -1;
    r->log_start_offset = kl_log_start_offset(log);
    *why = NULL;
    return KL_ERR_NONE;
}

static int16_t append_batch(kl_broker_t *b, broker_topic_t *t, int32_t partition, kl_bytes_t records,
                            bool transactional, produced_t *r, const char **why)
{
    if (records.len <= 0) {
        *why = "Produce requests must carry exactly one record batch";
        return KL_ERR_INVALID_RECORD;
    }
    size_t len = (size_t)records.len;
    if (len > (size_t)t->max_message_bytes) {
        *why = "The record batch is larger than max.message.bytes";
        return KL_ERR_MESSAGE_TOO_LARGE;
    }
    kl_batch_t batch;
    unsigned flags = KL_BATCH_FROM_CLIENT | (t->cleanup_policy & KL_CLEANUP_COMPACT ? KL_BATCH_NEED_KEYS : 0);
    kl_err_t err = kl_batch_validate(records.ptr, len, flags, &batch, why);
    if (err)
        return (int16_t)err;
    if (kl_batch_is_transactional(&batch) != transactional ||
        (transactional && batch.producer_id < 0)) {
        *why = transactional ? "A produce request with a transactional id must carry transactional batches"
                             : "A transactional batch needs the produce request's transactional id";
        return KL_ERR_INVALID_RECORD;
    }
    producer_state_t *producers = &t->producers[partition];
    kl_log_t *log = t->logs[partition];
    if (batch.producer_id >= 0) {
        producer_batch_t dup;
        err = producer_state_check(producers, &batch, &dup, why);
        if (err == KL_ERR_DUPLICATE_SEQUENCE_NUMBER)
            return answer_duplicate(log, &dup, r, why);
        if (!err)
            err = partition_txn_check(producers, &batch, why);
        if (err)
            return (int16_t)err;
    }
    /* The batch lies in the connection's input buffer, which is ours to
     * patch: leader epoch (Kafka writes the leader's), then base offset and
     * log-append time in the log. Validated once: the log trusts it. */
    uint8_t *data = (uint8_t *)records.ptr;
    kl_batch_set_leader_epoch(data, len, 0);
    kl_log_append_info_t info;
    err = kl_log_append_checked(log, data, len, &batch, kl_wallclock_ms(), &info);
    if (err) {
        if (err == KL_ERR_KAFKA_STORAGE_ERROR)
            broker_storage_failed(b, t, partition, "appending");
        return broker_wire_error(err, KL_ERR_KAFKA_STORAGE_ERROR);
    }
    if (batch.producer_id >= 0 &&
        producer_state_update(producers, batch.producer_id, batch.producer_epoch, batch.base_sequence,
                              info.base_offset, info.last_offset,
                              info.log_append_time >= 0 ? info.log_append_time : batch.max_timestamp) != KL_ERR_NONE)
        broker_log(b, BROKER_LOG_ERR, "%s-%d: out of memory recording producer %lld", t->name, (int)partition,
                   (long long)batch.producer_id);
    else if (transactional)
        partition_txn_appended(producers, batch.producer_id, info.base_offset);
    if (!housekeeping_appended(b, t, partition)) {
        *why = "The appended records could not be synced to disk";
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    r->base_offset = info.base_offset;
    r->log_append_time_ms = info.log_append_time;
    r->log_start_offset = info.log_start_offset;
    t->bytes_in += len;
    t->messages_in += (uint64_t)batch.record_count;
    fetch_wake(b, t, partition, len);
    return KL_ERR_NONE;
}

static void produce_partition(broker_request_t *req, const kl_produce_request_t *body, broker_topic_t *t,
                              int16_t forced_error,
                              const kl_produce_request_partition_t *pd, produced_t *r)
{
    *r = (produced_t){.index = pd->index, .base_offset = -1, .log_append_time_ms = -1, .log_start_offset = -1};
    r->error_message = KL_STR_NULL;
    r->current_leader = (kl_produce_response_leader_id_and_epoch_t){-1, -1};
    const char *why = NULL;
    if (forced_error)
        r->error_code = forced_error;
    else if (!t || pd->index < 0 || pd->index >= t->partition_count)
        r->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    else if (groups_topic_internal(t->name)) /* only the coordinator writes there, as in Kafka */
        r->error_code = KL_ERR_INVALID_TOPIC_EXCEPTION;
    else if (!t->logs[pd->index]) /* offline */
        r->error_code = KL_ERR_KAFKA_STORAGE_ERROR;
    else
        r->error_code = append_batch(req->broker, t, pd->index, pd->records, body->transactional_id.len >= 0, r,
                                     &why);
    if (why && req->hdr.api_version >= 8)
        r->error_message = kl_str(why);
}

static int16_t request_error(const kl_produce_request_t *body)
{
    if (body->acks != 0 && body->acks != 1 && body->acks != -1)
        return KL_ERR_INVALID_REQUIRED_ACKS;
    return KL_ERR_NONE;
}

/* Whether a test asked for this response to be lost. */
static bool lose_response(kl_broker_t *b)
{
    int left = atomic_load(&b->fault_lost_produce_responses);
    while (left > 0 && !atomic_compare_exchange_weak(&b->fault_lost_produce_responses, &left, left - 1))
        ;
    return left > 0;
}

broker_req_status_t handle_produce(broker_request_t *req)
{
    const kl_produce_request_t *body = req->body;
    int16_t forced = request_error(body);
    int32_t nt = body->topic_data.count > 0 ? body->topic_data.count : 0;
    kl_produce_response_t resp;
    kl_proto_init(&kl_produce_response_schema, &resp);
    resp.responses.items = broker_alloc(req, (size_t)nt, sizeof *resp.responses.items);
    if (!resp.responses.items)
        return BROKER_REQ_CLOSE;
    resp.responses.count = nt;
    bool failed = false;
    for (int32_t i = 0; i < nt; i++) {
        const kl_produce_request_topic_t *td = &body->topic_data.items[i];
        kl_produce_response_topic_t *rt = &resp.responses.items[i];
        int32_t np = td->partition_data.count > 0 ? td->partition_data.count : 0;
        broker_topic_t *t = topics_find(&req->broker->topics, td->name);
        rt->name = td->name;
        rt->partition_responses.items = broker_alloc(req, (size_t)np, sizeof *rt->partition_responses.items);
        if (!rt->partition_responses.items)
            return BROKER_REQ_CLOSE;
        rt->partition_responses.count = np;
        for (int32_t k = 0; k < np; k++) {
            produce_partition(req, body, t, forced, &td->partition_data.items[k], &rt->partition_responses.items[k]);
            failed |= rt->partition_responses.items[k].error_code != 0;
        }
    }
    if (body->acks != 0 && lose_response(req->broker)) {
        broker_log(req->broker, BROKER_LOG_INFO, "%s: fault injection: produce response dropped",
                   req->conn->peer);
        return BROKER_REQ_CLOSE;
    }
    if (body->acks == 0) {
        if (failed)
            broker_log(req->broker, BROKER_LOG_INFO, "%s: closing the connection: an acks=0 produce failed",
                       req->conn->peer);
        return failed ? BROKER_REQ_CLOSE : BROKER_REQ_DONE;
    }
    return broker_respond(req, &resp);
}
