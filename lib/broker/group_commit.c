/* The walk both offset commits share: OffsetCommit (group_offsets.c) and
 * TxnOffsetCommit (group_txn_offsets.c). It sizes the answer like the
 * request, answers each partition (the group's error, else the
 * partition's own, else the append's), encodes the valid partitions as one
 * batch for the group's partition and answers once it is appended. A kind
 * reads its request through callbacks; both answers are arrays of topics
 * [name, partitions [index, error code]], reached through the layout the
 * kind gives (every array is kl_array_t-shaped, see proto/types.h). */
#include <stdlib.h>

#include "broker/group_internal.h"

void group_commit_data_free(void *p)
{
    group_commit_data_t *d = p;
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++) {
        free(d->offsets[i].topic);
        free(d->offsets[i].metadata);
    }
    free(d->offsets);
    free(d->errors);
    free(d);
}

group_commit_data_t *group_commit_data_new(size_t n)
{
    group_commit_data_t *d = calloc(1, sizeof *d);
    if (d && (!(d->offsets = calloc(n + 1, sizeof *d->offsets)) || !(d->errors = calloc(n + 1, sizeof *d->errors)))) {
        group_commit_data_free(d);
        return NULL;
    }
    return d;
}

static void *at(void *base, size_t offset)
{
    return (char *)base + offset;
}

/* Sizes the answer like the request; false when out of memory. */
static bool answer_skeleton(group_queued_t *q, const group_commit_t *cm, size_t *partitions)
{
    const group_commit_layout_t *l = &cm->kind->answer;
    kl_array_t *topics = at(q->resp, l->topics);
    int32_t nt = cm->topics > 0 ? cm->topics : 0;
    topics->items = group_reply_array(q, (size_t)nt, l->topic_size);
    if (nt && !topics->items)
        return false;
    topics->count = nt;
    *partitions = 0;
    for (int32_t t = 0; t < nt; t++) {
        void *topic = at(topics->items, (size_t)t * l->topic_size);
        kl_array_t *parts = at(topic, l->topic_partitions);
        int32_t np;
        *(kl_str_t *)at(topic, l->topic_name) = group_reply_kstr(q, cm->kind->topic(cm->req, t, &np));
        np = np > 0 ? np : 0;
        parts->items = group_reply_array(q, (size_t)np, l->partition_size);
        if (np && !parts->items)
            return false;
        parts->count = np;
        *partitions += (size_t)np;
    }
    return true;
}

static int16_t partition_error(group_coordinator_t *c, kl_str_t topic, const group_commit_part_t *p)
{
    if (c->env.partition_exists && !c->env.partition_exists(c->env.opaque, topic, p->partition))
        return KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (p->metadata.len > c->config.offset_metadata_max_bytes)
        return KL_ERR_OFFSET_METADATA_TOO_LARGE;
    return KL_ERR_NONE;
}

/* Answers every partition; encodes the valid ones' records into b and d. */
static void commit_records(group_coordinator_t *c, const group_commit_t *cm, group_queued_t *q, record_batch_t *b,
                           group_commit_data_t *d)
{
    const group_commit_layout_t *l = &cm->kind->answer;
    int64_t now = group_coord_wall(c);
    kl_array_t *topics = at(q->resp, l->topics);
    for (int32_t t = 0; t < topics->count; t++) {
        kl_array_t *parts = at(at(topics->items, (size_t)t * l->topic_size), l->topic_partitions);
        int32_t np;
        kl_str_t name = cm->kind->topic(cm->req, t, &np);
        for (int32_t k = 0; k < parts->count; k++) {
            group_commit_part_t p;
            cm->kind->partition(cm->req, t, k, &p);
            void *answer = at(parts->items, (size_t)k * l->partition_size);
            *(int32_t *)at(answer, l->partition_index) = p.partition;
            int16_t *slot = at(answer, l->partition_error);
            *slot = cm->group_error ? cm->group_error : partition_error(c, name, &p);
            if (*slot)
                continue;
            group_offset_t o = {group_strdup(name), p.partition, p.offset, p.leader_epoch,
                                group_strdup(p.metadata), p.timestamp >= 0 ? p.timestamp : now, cm->expire};
            if (!o.topic || !o.metadata) {
                free(o.topic);
                free(o.metadata);
                *slot = KL_ERR_UNKNOWN_SERVER_ERROR;
                continue;
            }
            d->offsets[d->count] = o;
            d->errors[d->count++] = slot;
            group_record_offset_key(&b->key, cm->g->id, o.topic, o.partition);
            group_record_offset_value(&b->value, &o);
            group_batch_add(b, false);
        }
    }
}

void group_commit_run(group_coordinator_t *c, const group_commit_t *cm)
{
    group_queued_t *q = group_reply_new(c, cm->reply, cm->kind->schema);
    if (!q)
        return;
    size_t n = 0;
    group_commit_data_t *d = answer_skeleton(q, cm, &n) ? group_commit_data_new(n) : NULL;
    group_op_t *op = NULL;
    if (!d || (!cm->group_error && !(op = group_op_new(c, cm->kind->stored, cm->g->id, 0)))) {
        group_commit_data_free(d);
        group_reply_discard(q);
        group_reply_oom(c, cm->reply);
        return;
    }
    d->producer_id = cm->producer_id;
    record_batch_t b;
    if (cm->producer_id >= 0)
        group_batch_begin_txn(c, &b, cm->producer_id, cm->producer_epoch);
    else
        group_batch_begin(c, &b);
    commit_records(c, cm, q, &b, d);
    if (!op) {
        group_batch_abort(&b);
        group_commit_data_free(d);
        group_reply_send(c, q);
        return;
    }
    op->data = d;
    op->free_data = group_commit_data_free;
    op->reply = q;
    group_batch_submit(&b, cm->g->partition, op); /* no valid partition: answers at once */
}
