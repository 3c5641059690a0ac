/* DeleteRecords: moves a partition's log start offset forward (durably;
 * the segments wholly below it go), so the records before it can no longer
 * be read. -1 stands for the high watermark. The producers whose batches
 * are all gone are forgotten, as Kafka does when the log start moves. */
#include "broker/dispatch.h"
#include "proto/msg_topic_admin.h"

typedef kl_delete_records_response_delete_records_partition_result_t trimmed_t;

static void delete_partition(broker_request_t *req, broker_topic_t *t,
                             const kl_delete_records_request_delete_records_partition_t *p, trimmed_t *r)
{
    *r = (trimmed_t){.partition_index = p->partition_index, .low_watermark = -1};
    if (!t || p->partition_index < 0 || p->partition_index >= t->partition_count) {
        r->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    kl_log_t *log = t->logs[p->partition_index];
    if (!log) { /* offline */
        r->error_code = KL_ERR_KAFKA_STORAGE_ERROR;
        return;
    }
    kl_err_t err = p->offset < -1 ? KL_ERR_OFFSET_OUT_OF_RANGE : kl_log_delete_records(log, p->offset);
    if (err == KL_ERR_NONE || err == KL_ERR_OFFSET_OUT_OF_RANGE) {
        r->error_code = (int16_t)err;
        r->low_watermark = err ? -1 : kl_log_start_offset(log);
    } else {
        broker_log(req->broker, BROKER_LOG_ERR, "DeleteRecords on %s-%d: %s", t->name, (int)p->partition_index,
                   kl_err_str(err));
        r->error_code = KL_ERR_KAFKA_STORAGE_ERROR;
        return;
    }
    if (!err)
        producer_state_expire(&t->producers[p->partition_index], kl_wallclock_ms(),
                              req->broker->topics.defaults.producer_expiration_ms, kl_log_start_offset(log));
}

broker_req_status_t handle_delete_records(broker_request_t *req)
{
    const kl_delete_records_request_t *body = req->body;
    kl_delete_records_response_t resp;
    kl_proto_init(&kl_delete_records_response_schema, &resp);
    int32_t nt = body->topics.count > 0 ? body->topics.count : 0;
    resp.topics.items = broker_alloc(req, (size_t)nt, sizeof *resp.topics.items);
    if (!resp.topics.items)
        return BROKER_REQ_CLOSE;
    resp.topics.count = nt;
    for (int32_t i = 0; i < nt; i++) {
        const kl_delete_records_request_delete_records_topic_t *dt = &body->topics.items[i];
        kl_delete_records_response_delete_records_topic_result_t *rt = &resp.topics.items[i];
        broker_topic_t *t = topics_find(&req->broker->topics, dt->name);
        int32_t np = dt->partitions.count > 0 ? dt->partitions.count : 0;
        rt->name = dt->name;
        rt->partitions.items = broker_alloc(req, (size_t)np, sizeof *rt->partitions.items);
        if (!rt->partitions.items)
            return BROKER_REQ_CLOSE;
        rt->partitions.count = np;
        for (int32_t k = 0; k < np; k++)
            delete_partition(req, t, &dt->partitions.items[k], &rt->partitions.items[k]);
    }
    return broker_respond(req, &resp);
}
