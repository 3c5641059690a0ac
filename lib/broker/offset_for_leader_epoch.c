/* OffsetForLeaderEpoch: where a leader epoch ends in a partition's log,
 * which consumers ask after a leader change to detect truncation (KIP-320).
 * One node leads every partition at epoch 0 (what Metadata, ListOffsets and
 * Fetch say), so epoch 0 ends at the log end offset and any other epoch is
 * unknown (-1, -1), as Kafka answers an epoch newer than its latest. A
 * client that believes in a newer current epoch is told it is unknown, as
 * Kafka tells it (none is older than 0, so none is fenced). */
#include "broker/dispatch.h"
#include "broker/server.h"
#include "proto/msg_offset_for_leader_epoch.h"

#define LEADER_EPOCH 0

typedef kl_offset_for_leader_epoch_request_partition_t asked_t;
typedef kl_offset_for_leader_epoch_response_partition_t answer_t;

static void answer_partition(const broker_topic_t *t, const asked_t *p, answer_t *r)
{
    *r = (answer_t){.partition = p->partition, .leader_epoch = -1, .end_offset = -1};
    if (!t || p->partition < 0 || p->partition >= t->partition_count)
        r->error_code = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    else if (!t->logs[p->partition]) /* offline */
        r->error_code = KL_ERR_KAFKA_STORAGE_ERROR;
    else if (p->current_leader_epoch > LEADER_EPOCH)
        r->error_code = KL_ERR_UNKNOWN_LEADER_EPOCH;
    else if (p->leader_epoch == LEADER_EPOCH) {
        r->leader_epoch = LEADER_EPOCH;
        r->end_offset = kl_log_high_watermark(t->logs[p->partition]);
    }
}

broker_req_status_t handle_offset_for_leader_epoch(broker_request_t *req)
{
    const kl_offset_for_leader_epoch_request_t *body = req->body;
    kl_offset_for_leader_epoch_response_t resp;
    kl_proto_init(&kl_offset_for_leader_epoch_response_schema, &resp);
    int32_t nt = body->topics.count > 0 ? body->topics.count : 0;
    resp.topics.items = broker_alloc(req, (size_t)nt, sizeof *resp.topics.items);
    if (!resp.topics.items)
        return BROKER_REQ_CLOSE;
    resp.topics.count = nt;
    for (int32_t i = 0; i < nt; i++) {
        const kl_offset_for_leader_epoch_request_topic_t *rt = &body->topics.items[i];
        kl_offset_for_leader_epoch_response_topic_t *out = &resp.topics.items[i];
        const broker_topic_t *t = topics_find(&req->broker->topics, rt->topic);
        int32_t np = rt->partitions.count > 0 ? rt->partitions.count : 0;
        out->topic = rt->topic;
        out->partitions.items = broker_alloc(req, (size_t)np, sizeof *out->partitions.items);
        if (!out->partitions.items)
            return BROKER_REQ_CLOSE;
        out->partitions.count = np;
        for (int32_t k = 0; k < np; k++)
            answer_partition(t, &rt->partitions.items[k], &out->partitions.items[k]);
    }
    return broker_respond(req, &resp);
}
