/* The group's offset requests: OffsetCommit and OffsetFetch at the version
 * the coordinator speaks. Each is an op that waits for the coordinator,
 * is sent, and is retried (after a back-off, within socket.timeout.ms of
 * its submission) when the coordinator moved, went away or is loading, or
 * an offset fetch found a transaction's commit pending; the partitions'
 * own errors go into the list handed back. */
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/cgrp_impl.h"
#include "proto/api.h"
#include "proto/codec.h"
#include "proto/msg_offset.h"
#include "util/arena.h"

static void on_ops_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    cgrp_ops_run(t->opaque);
}

void cgrp_ops_init(kl_cgrp_t *cg) { kl_timer_init(&cg->ops_timer, on_ops_timer, cg); }

static void op_complete(kl_cgrp_t *cg, cgrp_op_t *op, kl_err_t err)
{
    op->cb(cg, err, op->parts, op->arg);
    kl_topic_partition_list_destroy(op->parts);
    free(op);
}

void cgrp_ops_fail_all(kl_cgrp_t *cg, kl_err_t err)
{
    kl_timer_stop(kl_client_loop(cg->client), &cg->ops_timer);
    while (cg->ops) {
        cgrp_op_t *op = cg->ops;
        cg->ops = op->next;
        op_complete(cg, op, err);
    }
}

/* Queues op (in submission order), to go once due and the coordinator is
 * ready. */
static void op_queue(kl_cgrp_t *cg, cgrp_op_t *op)
{
    cgrp_op_t **pp = &cg->ops;
    while (*pp)
        pp = &(*pp)->next;
    op->next = NULL;
    *pp = op;
}

static void op_retry(kl_cgrp_t *cg, cgrp_op_t *op, kl_err_t err)
{
    int64_t now = kl_clock_ms();
    int64_t at = now + kl_backoff_ms(&cg->backoff, op->attempts);
    if (at >= op->deadline_ms) {
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "OFFSET", "group %s: %s gives up after %d attempts: %s", cg->group_id,
                     op->commit ? "OffsetCommit" : "OffsetFetch", op->attempts, kl_err_name(err));
        op_complete(cg, op, err);
        return;
    }
    op->retry_at_ms = at;
    op_queue(cg, op);
    cgrp_ops_run(cg);
}

/* ---- OffsetCommit ---------------------------------------------------------------- */

static void commit_result(kl_cgrp_t *cg, cgrp_op_t *op, const kl_offset_commit_response_t *resp)
{
    kl_err_t retry = KL_ERR_NONE, member = KL_ERR_NONE;
    for (size_t i = 0; i < op->parts->count; i++) {
        kl_topic_partition_t *tp = &op->parts->elems[i];
        tp->err = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION; /* unless the answer names it */
        for (int32_t t = 0; t < resp->topics.count; t++) {
            const kl_offset_commit_response_topic_t *rt = &resp->topics.items[t];
            if (!kl_str_eq(rt->name, tp->topic))
                continue;
            for (int32_t p = 0; p < rt->partitions.count; p++)
                if (rt->partitions.items[p].partition_index == tp->partition)
                    tp->err = (kl_err_t)rt->partitions.items[p].error_code;
        }
        if (cgrp_coord_error(tp->err) || tp->err == KL_ERR_COORDINATOR_LOAD_IN_PROGRESS)
            retry = tp->err;
        if (tp->err == KL_ERR_REBALANCE_IN_PROGRESS || tp->err == KL_ERR_ILLEGAL_GENERATION ||
            tp->err == KL_ERR_UNKNOWN_MEMBER_ID || tp->err == KL_ERR_FENCED_INSTANCE_ID)
            member = tp->err;
    }
    if (retry) {
        if (cgrp_coord_error(retry))
            cgrp_coord_dead(cg, retry, "OffsetCommit");
        op_retry(cg, op, retry);
        return;
    }
    int32_t generation = op->generation;
    op_complete(cg, op, KL_ERR_NONE);
    /* An error about a generation the member has left already (it joined
     * the next one while the commit was in flight) says nothing about its
     * membership now: Kafka's clients ignore it too. */
    if (member && generation == cg->generation)
        cgrp_member_error(cg, member, "OffsetCommit");
    else if (member)
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: OffsetCommit of generation %d: %s (now %d)",
                     cg->group_id, generation, kl_err_name(member), cg->generation);
}

static void on_commit(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg)
{
    (void)version;
    cgrp_op_t *op = arg;
    if (err == KL_ERR_DESTROY) {
        op_complete(cg, op, err);
        return;
    }
    if (err) {
        if (cgrp_coord_error(err))
            cgrp_coord_dead(cg, err, "OffsetCommit");
        op_retry(cg, op, err);
        return;
    }
    commit_result(cg, op, body);
}

/* The request body, partitions grouped by topic (arrays in arena). */
static kl_err_t commit_build(kl_cgrp_t *cg, const cgrp_op_t *op, kl_arena_t *arena, kl_offset_commit_request_t *req)
{
    size_t n = op->parts->count;
    kl_offset_commit_request_topic_t *topics = kl_arena_calloc(arena, n ? n : 1, sizeof *topics);
    kl_offset_commit_request_partition_t *parts = kl_arena_calloc(arena, n ? n : 1, sizeof *parts);
    if (!topics || !parts)
        return KL_ERR_NOMEM;
    int32_t ntopics = 0;
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = op->parts->elems[i].topic;
        bool seen = false;
        for (int32_t t = 0; t < ntopics && !seen; t++)
            seen = kl_str_eq(topics[t].name, name);
        if (seen)
            continue;
        kl_offset_commit_request_topic_t *t = &topics[ntopics++];
        t->name = kl_str(name);
        t->partitions.items = &parts[np];
        for (size_t j = i; j < n; j++) {
            const kl_topic_partition_t *tp = &op->parts->elems[j];
            if (strcmp(tp->topic, name) != 0)
                continue;
            kl_offset_commit_request_partition_t *p = &parts[np++];
            p->partition_index = tp->partition;
            p->committed_offset = tp->offset;
            p->committed_leader_epoch = tp->leader_epoch;
            p->commit_timestamp = -1;
            p->committed_metadata = tp->metadata ? kl_str(tp->metadata) : KL_STR_NULL;
            t->partitions.count++;
        }
    }
    kl_proto_init(&kl_offset_commit_request_schema, req);
    req->group_id = kl_str(cg->group_id);
    bool member = cg->generation >= 0;
    req->generation_id_or_member_epoch = member ? cg->generation : -1;
    req->member_id = kl_str(member ? cg->member_id : "");
    req->group_instance_id = member && cg->instance_id ? kl_str(cg->instance_id) : KL_STR_NULL;
    req->retention_time_ms = -1;
    req->topics.items = topics;
    req->topics.count = ntopics;
    return KL_ERR_NONE;
}

/* ---- OffsetFetch -------------------------------------------------------------------- */

static void fetch_fill(kl_topic_partition_t *tp, int64_t offset, int32_t epoch, kl_str_t metadata, int16_t code)
{
    tp->err = (kl_err_t)code;
    tp->offset = code || offset < 0 ? KL_OFFSET_INVALID : offset;
    tp->leader_epoch = code ? -1 : epoch;
    free(tp->metadata);
    tp->metadata = NULL;
    if (!code && metadata.len > 0) {
        tp->metadata = malloc((size_t)metadata.len + 1);
        if (tp->metadata) {
            memcpy(tp->metadata, metadata.ptr, (size_t)metadata.len);
            tp->metadata[metadata.len] = '\0';
        } else {
            tp->err = KL_ERR_NOMEM;
        }
    }
}

/* The group-level error and the partitions, from either layout. */
static kl_err_t fetch_result(cgrp_op_t *op, const kl_offset_fetch_response_t *resp, int16_t version, kl_err_t *retryp)
{
    kl_err_t top = KL_ERR_NONE;
    for (size_t i = 0; i < op->parts->count; i++) {
        kl_topic_partition_t *tp = &op->parts->elems[i];
        fetch_fill(tp, -1, -1, KL_STR_NULL, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
        if (version >= 8) {
            const kl_offset_fetch_response_group_t *g = resp->groups.count > 0 ? &resp->groups.items[0] : NULL;
            top = g ? (kl_err_t)g->error_code : KL_ERR_BAD_MSG;
            for (int32_t t = 0; g && t < g->topics.count; t++) {
                if (!kl_str_eq(g->topics.items[t].name, tp->topic))
                    continue;
                for (int32_t p = 0; p < g->topics.items[t].partitions.count; p++) {
                    const kl_offset_fetch_response_group_partition_t *rp = &g->topics.items[t].partitions.items[p];
                    if (rp->partition_index == tp->partition)
                        fetch_fill(tp, rp->committed_offset, rp->committed_leader_epoch, rp->metadata,
                                   rp->error_code);
                }
            }
        } else {
            top = version >= 2 ? (kl_err_t)resp->error_code : KL_ERR_NONE;
            for (int32_t t = 0; t < resp->topics.count; t++) {
                if (!kl_str_eq(resp->topics.items[t].name, tp->topic))
                    continue;
                for (int32_t p = 0; p < resp->topics.items[t].partitions.count; p++) {
                    const kl_offset_fetch_response_partition_t *rp = &resp->topics.items[t].partitions.items[p];
                    if (rp->partition_index == tp->partition)
                        fetch_fill(tp, rp->committed_offset, version >= 5 ? rp->committed_leader_epoch : -1,
                                   rp->metadata, rp->error_code);
                }
            }
        }
        if (tp->err == KL_ERR_UNSTABLE_OFFSET_COMMIT || tp->err == KL_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
            cgrp_coord_error(tp->err))
            *retryp = tp->err;
    }
    if (top == KL_ERR_COORDINATOR_LOAD_IN_PROGRESS || cgrp_coord_error(top))
        *retryp = top;
    return top;
}

static void on_fetch(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg)
{
    cgrp_op_t *op = arg;
    kl_err_t retry = KL_ERR_NONE;
    if (err == KL_ERR_DESTROY) {
        op_complete(cg, op, err);
        return;
    }
    if (err)
        retry = err;
    else
        err = fetch_result(op, body, version, &retry);
    if (retry) {
        if (cgrp_coord_error(retry))
            cgrp_coord_dead(cg, retry, "OffsetFetch");
        op_retry(cg, op, retry);
        return;
    }
    op_complete(cg, op, err);
}

static kl_err_t fetch_build(kl_cgrp_t *cg, const cgrp_op_t *op, int16_t version, kl_arena_t *arena,
                            kl_offset_fetch_request_t *req)
{
    size_t n = op->parts->count;
    /* one layout serves both forms: the group_topic struct is the same */
    kl_offset_fetch_request_topic_t *topics = kl_arena_calloc(arena, n ? n : 1, sizeof *topics);
    int32_t *indexes = kl_arena_calloc(arena, n ? n : 1, sizeof *indexes);
    kl_offset_fetch_request_group_t *group = kl_arena_calloc(arena, 1, sizeof *group);
    if (!topics || !indexes || !group)
        return KL_ERR_NOMEM;
    int32_t ntopics = 0;
    size_t ni = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = op->parts->elems[i].topic;
        bool seen = false;
        for (int32_t t = 0; t < ntopics && !seen; t++)
            seen = kl_str_eq(topics[t].name, name);
        if (seen)
            continue;
        kl_offset_fetch_request_topic_t *t = &topics[ntopics++];
        t->name = kl_str(name);
        t->partition_indexes.items = &indexes[ni];
        for (size_t j = i; j < n; j++)
            if (strcmp(op->parts->elems[j].topic, name) == 0) {
                indexes[ni++] = op->parts->elems[j].partition;
                t->partition_indexes.count++;
            }
    }
    kl_proto_init(&kl_offset_fetch_request_schema, req);
    req->require_stable = true;
    if (version >= 8) {
        group->group_id = kl_str(cg->group_id);
        group->member_id = KL_STR_NULL;
        group->member_epoch = -1;
        group->topics.items = (kl_offset_fetch_request_group_topic_t *)(void *)topics;
        group->topics.count = ntopics;
        req->groups.items = group;
        req->groups.count = 1;
    } else {
        req->group_id = kl_str(cg->group_id);
        req->topics.items = topics;
        req->topics.count = ntopics;
    }
    return KL_ERR_NONE;
}

/* ---- sending ---------------------------------------------------------------------- */

static void op_send(kl_cgrp_t *cg, kl_client_broker_t *b, cgrp_op_t *op)
{
    int16_t key = op->commit ? KL_API_OFFSET_COMMIT : KL_API_OFFSET_FETCH;
    int16_t version = kl_client_broker_api_version(b, key);
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_err_t err = version < 0 ? KL_ERR_UNSUPPORTED_API_VERSION : KL_ERR_NONE;
    size_t hint = 128 + op->parts->count * 32;
    op->attempts++;
    if (!err && op->commit) {
        kl_offset_commit_request_t req;
        err = commit_build(cg, op, &arena, &req);
        op->generation = req.generation_id_or_member_epoch;
        if (!err)
            err = cgrp_request_send(cg, b, key, version, &req, hint, on_commit, op);
    } else if (!err) {
        kl_offset_fetch_request_t req;
        err = fetch_build(cg, op, version, &arena, &req);
        if (!err)
            err = cgrp_request_send(cg, b, key, version, &req, hint, on_fetch, op);
    }
    kl_arena_free(&arena);
    if (err)
        op_complete(cg, op, err);
}

void cgrp_ops_run(kl_cgrp_t *cg)
{
    if (!cg->ops)
        return;
    kl_client_broker_t *b = cgrp_coord_get(cg);
    int64_t now = kl_clock_ms(), next = INT64_MAX;
    /* Take the due ops out first: sending one may complete it, and its
     * callback may submit another. */
    cgrp_op_t *due = NULL, **due_tail = &due;
    cgrp_op_t **pp = &cg->ops;
    while (*pp) {
        cgrp_op_t *op = *pp;
        if (now >= op->deadline_ms || (b && now >= op->retry_at_ms)) {
            *pp = op->next;
            op->next = NULL;
            *due_tail = op;
            due_tail = &op->next;
        } else {
            int64_t at = b ? op->retry_at_ms : op->deadline_ms;
            next = at < next ? at : next;
            pp = &op->next;
        }
    }
    kl_timer_stop(kl_client_loop(cg->client), &cg->ops_timer);
    if (next != INT64_MAX)
        kl_timer_start(kl_client_loop(cg->client), &cg->ops_timer, next > now ? next - now : 0);
    while (due) {
        cgrp_op_t *op = due;
        due = op->next;
        if (now >= op->deadline_ms)
            op_complete(cg, op, KL_ERR_TIMED_OUT);
        else
            op_send(cg, b, op);
    }
}

static void op_submit(kl_cgrp_t *cg, bool commit, const kl_topic_partition_list_t *parts, kl_cgrp_offsets_cb *cb,
                      void *arg)
{
    cgrp_op_t *op = calloc(1, sizeof *op);
    kl_topic_partition_list_t *copy = parts ? kl_topic_partition_list_copy(parts)
                                            : kl_topic_partition_list_new(0);
    if (!op || !copy) {
        free(op);
        kl_topic_partition_list_t empty = {0, 0, NULL};
        cb(cg, KL_ERR_NOMEM, copy ? copy : &empty, arg);
        kl_topic_partition_list_destroy(copy);
        return;
    }
    for (size_t i = 0; i < copy->count; i++)
        copy->elems[i].err = KL_ERR_NONE;
    op->commit = commit;
    op->parts = copy;
    op->cb = cb;
    op->arg = arg;
    op->deadline_ms = kl_clock_ms() + cg->socket_timeout_ms;
    if (copy->count == 0) {
        op_complete(cg, op, KL_ERR_NONE);
        return;
    }
    op_queue(cg, op);
    cgrp_ops_run(cg);
}

void kl_cgrp_commit(kl_cgrp_t *cg, const kl_topic_partition_list_t *offsets, kl_cgrp_offsets_cb *cb, void *arg)
{
    op_submit(cg, true, offsets, cb, arg);
}

void kl_cgrp_fetch_offsets(kl_cgrp_t *cg, const kl_topic_partition_list_t *parts, kl_cgrp_offsets_cb *cb, void *arg)
{
    op_submit(cg, false, parts, cb, arg);
}
