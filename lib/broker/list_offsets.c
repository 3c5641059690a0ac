/* ListOffsets: the earliest (-2) and latest (-1) offsets of a partition,
 * the first offset whose timestamp is at or after a given time, found
 * through the partition log's time index, and (v7+) the record with the
 * largest timestamp (-3). Without tiered storage the earliest local offset
 * (-4, v8+) is the earliest one and there is no latest tiered offset (-5,
 * v9+: -1, as Kafka answers when remote storage is off). read_committed
 * (isolation level 1) answers below the last stable offset: latest is
 * the LSO. */
#include "broker/conn.h"
#include "broker/dispatch.h"
#include "proto/msg_fetch.h"

#define LATEST_TIMESTAMP (-1)
#define EARLIEST_TIMESTAMP (-2)
#define EARLIEST_LOCAL_TIMESTAMP (-4)
#define LATEST_TIERED_TIMESTAMP (-5)

/* *offset and *found_ts stay -1 when no record is that recent, or none
 * below limit (the high watermark, or for read_committed the last stable
 * offset). */
static kl_err_t offset_for_time(kl_log_t *log, int64_t ts, int64_t limit, int64_t *offset, int64_t *found_ts)
{
    *offset = *found_ts = -1;
    kl_err_t err = kl_log_find_offset_by_timestamp(log, ts, offset, found_ts);
    if (err == KL_ERR_NOENT) {
        *offset = *found_ts = -1;
        return KL_ERR_NONE;
    }
    if (!err && *offset >= limit)
        *offset = *found_ts = -1; /* nothing readable yet */
    return err;
}

typedef kl_list_offsets_response_partition_t listed_t;

static void list_partition(broker_request_t *req, const broker_topic_t *t, bool read_committed,
                           const kl_list_offsets_request_partition_t *p, listed_t *r)
{
    int16_t v = req->hdr.api_version;
    *r = (listed_t){.partition_index = p->partition_index, .timestamp = -1, .offset = -1, .leader_epoch = -1};
    if (!t || p->partition_index < 0 || p->partition_index >= t->partition_count) {
        r->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return;
    }
    kl_log_t *log = t->logs[p->partition_index];
    if (!log) { /* offline */
        r->error_code = KL_ERR_KAFKA_STORAGE_ERROR;
        return;
    }
    kl_err_t err = KL_ERR_NONE;
    int64_t limit = kl_log_high_watermark(log);
    if (read_committed)
        limit = partition_txn_lso(&t->producers[p->partition_index], limit);
    if (p->timestamp == LATEST_TIMESTAMP)
        r->offset = limit;
    else if (p->timestamp == EARLIEST_TIMESTAMP || p->timestamp == EARLIEST_LOCAL_TIMESTAMP)
        r->offset = kl_log_start_offset(log);
    else if (p->timestamp == LATEST_TIERED_TIMESTAMP)
        r->offset = -1;
    else
        err = offset_for_time(log, p->timestamp, limit, &r->offset, &r->timestamp);
    if (err) {
        broker_log(req->broker, BROKER_LOG_WARN, "ListOffsets on %s-%d: %s", t->name, (int)p->partition_index,
                   kl_err_str(err));
        r->error_code = broker_wire_error(err, KL_ERR_KAFKA_STORAGE_ERROR);
        r->offset = -1;
        return;
    }
    if (r->offset >= 0)
        r->leader_epoch = 0;
    if (v == 0) {
        /* v0 answers a list; a time with no record after it lists none */
        int64_t *one = broker_alloc(req, 1, sizeof *one);
        r->old_style_offsets.items = one;
        r->old_style_offsets.count = one && r->offset >= 0 && p->max_num_offsets > 0 ? 1 : 0;
        if (one)
            *one = r->offset;
    }
}

broker_req_status_t handle_list_offsets(broker_request_t *req)
{
    const kl_list_offsets_request_t *body = req->body;
    int32_t nt = body->topics.count > 0 ? body->topics.count : 0;
    kl_list_offsets_response_t resp;
    kl_proto_init(&kl_list_offsets_response_schema, &resp);
    resp.topics.items = broker_alloc(req, (size_t)nt, sizeof *resp.topics.items);
    if (!resp.topics.items)
        return BROKER_REQ_CLOSE;
    resp.topics.count = nt;
    for (int32_t i = 0; i < nt; i++) {
        const kl_list_offsets_request_topic_t *lt = &body->topics.items[i];
        kl_list_offsets_response_topic_t *rt = &resp.topics.items[i];
        const broker_topic_t *t = topics_find(&req->broker->topics, lt->name);
        int32_t np = lt->partitions.count > 0 ? lt->partitions.count : 0;
        rt->name = lt->name;
        rt->partitions.items = broker_alloc(req, (size_t)np, sizeof *rt->partitions.items);
        if (!rt->partitions.items)
            return BROKER_REQ_CLOSE;
        rt->partitions.count = np;
        for (int32_t k = 0; k < np; k++)
            list_partition(req, t, body->isolation_level == 1, &lt->partitions.items[k], &rt->partitions.items[k]);
    }
    return broker_respond(req, &resp);
}
