/* Joining the group: JoinGroup with one protocol per configured assignor
 * (its subscription metadata, owned partitions included for cooperative
 * ones), the coordinator's answers (MEMBER_ID_REQUIRED, stale ids and
 * generations, retriable and fatal errors), the elected leader's
 * assignment over its members' topics once the metadata describes them,
 * and SyncGroup, whose answer becomes the member's assignment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/cgrp_impl.h"
#include "proto/api.h"
#include "proto/codec.h"
#include "proto/msg_group.h"

static void on_join_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    cgrp_serve(t->opaque);
}

void cgrp_join_init(kl_cgrp_t *cg)
{
    kl_timer_init(&cg->join_timer, on_join_timer, cg);
    kl_arena_init(&cg->join_arena, 0);
}

void cgrp_join_free(kl_cgrp_t *cg)
{
    kl_arena_free(&cg->join_arena);
    kl_arena_init(&cg->join_arena, 0);
    cg->members = NULL;
    cg->nmembers = 0;
}

void cgrp_join_later(kl_cgrp_t *cg, bool backoff)
{
    cg->state = CGRP_WAIT_JOIN;
    kl_timer_stop(kl_client_loop(cg->client), &cg->join_timer);
    if (backoff)
        kl_timer_start(kl_client_loop(cg->client), &cg->join_timer, kl_backoff_ms(&cg->backoff, ++cg->join_failures));
}

/* A failed JoinGroup or SyncGroup: what Kafka's clients do for err. */
static void join_failed(kl_cgrp_t *cg, kl_err_t err, const char *what)
{
    kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: %s failed: %s", cg->group_id, what, kl_err_name(err));
    switch (err) {
    case KL_ERR_UNKNOWN_MEMBER_ID:
    case KL_ERR_ILLEGAL_GENERATION:
    case KL_ERR_FENCED_INSTANCE_ID:
        cgrp_join_later(cg, false); /* so cgrp_member_error() sees a member */
        cgrp_member_error(cg, err, what);
        return;
    case KL_ERR_REBALANCE_IN_PROGRESS:
        cgrp_join_later(cg, false);
        break;
    case KL_ERR_GROUP_AUTHORIZATION_FAILED:
    case KL_ERR_INCONSISTENT_GROUP_PROTOCOL:
    case KL_ERR_INVALID_SESSION_TIMEOUT:
    case KL_ERR_GROUP_MAX_SIZE_REACHED:
    case KL_ERR_INVALID_GROUP_ID:
    case KL_ERR_UNSUPPORTED_VERSION:
    case KL_ERR_UNSUPPORTED_API_VERSION: {
        char reason[160];
        snprintf(reason, sizeof reason, "%s failed: %s", what, kl_err_str(err));
        cgrp_fatal(cg, err, reason);
        return;
    }
    default:
        if (cgrp_coord_error(err)) {
            cgrp_coord_dead(cg, err, what);
            cgrp_join_later(cg, false); /* joins once the coordinator is back */
        } else {
            cgrp_join_later(cg, true);
        }
        break;
    }
    cgrp_serve(cg);
}

/* ---- JoinGroup ------------------------------------------------------------------ */

static kl_err_t build_protocols(kl_cgrp_t *cg, kl_join_group_request_protocol_t *protocols, kl_buf_t *bufs)
{
    size_t ntopics;
    const char **topics = cgrp_topics_matched(cg, &ntopics);
    const kl_topic_partition_list_t *owned_list = cg->cooperative ? cg->assignment : NULL;
    size_t nowned = owned_list ? owned_list->count : 0;
    kl_assignor_partition_t *owned = calloc(nowned ? nowned : 1, sizeof *owned);
    kl_err_t err = owned ? KL_ERR_NONE : KL_ERR_NOMEM;
    for (size_t i = 0; i < nowned && owned; i++)
        owned[i] = (kl_assignor_partition_t){owned_list->elems[i].topic, owned_list->elems[i].partition};
    kl_assignor_join_t join = {
        .version = KL_ASSIGNOR_SUBSCRIPTION_VERSION,
        .topics = topics,
        .topic_count = ntopics,
        .owned = owned,
        .owned_count = nowned,
        .generation = nowned ? cg->assignment_generation : -1,
        .rack = cg->rack,
    };
    for (size_t i = 0; i < cg->nassignors && !err; i++) {
        kl_buf_init(&bufs[i], 0);
        err = kl_assignor_subscription_build(cg->assignors[i], &join, &bufs[i]);
        protocols[i].name = kl_str(cg->assignors[i]->name);
        protocols[i].metadata = kl_bytes(bufs[i].data, (int32_t)bufs[i].len);
    }
    free(owned);
    free(topics);
    return err;
}

static void on_join(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg);

void cgrp_join_send(kl_cgrp_t *cg)
{
    kl_client_broker_t *b = cgrp_coord_get(cg);
    if (!b)
        return;
    int16_t version = kl_client_broker_api_version(b, KL_API_JOIN_GROUP);
    if (version < 0 || (cg->instance_id && version < 5)) {
        cgrp_fatal(cg, KL_ERR_UNSUPPORTED_API_VERSION,
                   version < 0 ? "the coordinator does not speak JoinGroup"
                               : "group.instance.id needs JoinGroup v5 (Kafka 2.3)");
        return;
    }
    kl_join_group_request_protocol_t protocols[CGRP_MAX_ASSIGNORS];
    kl_buf_t bufs[CGRP_MAX_ASSIGNORS];
    memset(bufs, 0, sizeof bufs);
    kl_err_t err = build_protocols(cg, protocols, bufs);
    if (!err) {
        kl_join_group_request_t req;
        kl_proto_init(&kl_join_group_request_schema, &req);
        req.group_id = kl_str(cg->group_id);
        req.session_timeout_ms = cg->session_timeout_ms;
        req.rebalance_timeout_ms = cg->rebalance_timeout_ms;
        req.member_id = kl_str(cg->member_id);
        req.group_instance_id = cg->instance_id ? kl_str(cg->instance_id) : KL_STR_NULL;
        req.protocol_type = kl_str("consumer");
        req.protocols.items = protocols;
        req.protocols.count = (int32_t)cg->nassignors;
        req.reason = KL_STR_NULL;
        err = cgrp_request_send(cg, b, KL_API_JOIN_GROUP, version, &req, 256 + bufs[0].len * cg->nassignors,
                                on_join, NULL);
    }
    for (size_t i = 0; i < cg->nassignors; i++)
        kl_buf_free(&bufs[i]);
    if (err) {
        kl_log(cg->log, KL_LOG_ERR, "CGRP", "group %s: cannot send JoinGroup: %s", cg->group_id, kl_err_str(err));
        cgrp_join_later(cg, true);
        return;
    }
    kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: JoinGroup v%d as \"%s\"", cg->group_id, version,
                 cg->member_id);
    cg->state = CGRP_JOINING;
    cg->rejoin = false;
    cgrp_topics_snapshot(cg, NULL, 0);
}

/* The leader keeps its members (ids and metadata copied) until it can
 * assign. */
static kl_err_t keep_members(kl_cgrp_t *cg, const kl_join_group_response_t *resp)
{
    cgrp_join_free(cg);
    size_t n = resp->members.count > 0 ? (size_t)resp->members.count : 0;
    kl_arena_t *a = &cg->join_arena;
    cg->members = kl_arena_calloc(a, n ? n : 1, sizeof *cg->members);
    if (!cg->members)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const kl_join_group_response_member_t *m = &resp->members.items[i];
        kl_str_t id = m->member_id, inst = m->group_instance_id;
        kl_bytes_t md = m->metadata;
        char *id_copy = kl_arena_strndup(a, id.ptr ? id.ptr : "", id.len > 0 ? (size_t)id.len : 0);
        char *inst_copy = inst.len >= 0 ? kl_arena_strndup(a, inst.ptr ? inst.ptr : "", (size_t)inst.len) : NULL;
        uint8_t *md_copy = kl_arena_alloc(a, md.len > 0 ? (size_t)md.len : 1);
        if (!id_copy || (inst.len >= 0 && !inst_copy) || !md_copy)
            return KL_ERR_NOMEM;
        if (md.len > 0)
            memcpy(md_copy, md.ptr, (size_t)md.len);
        kl_err_t err = kl_assignor_member_parse(
            &cg->members[cg->nmembers], kl_str(id_copy), inst_copy ? kl_str(inst_copy) : KL_STR_NULL,
            kl_bytes(md_copy, md.len), a);
        if (err) {
            kl_log(cg->log, KL_LOG_WARNING, "CGRP", "group %s: member %s sent unreadable metadata: %s",
                   cg->group_id, id_copy, kl_err_str(err));
            continue; /* it gets nothing */
        }
        cg->nmembers++;
    }
    return KL_ERR_NONE;
}

static void joined(kl_cgrp_t *cg, const kl_join_group_response_t *resp)
{
    cgrp_set_member_id(cg, resp->member_id.ptr ? resp->member_id.ptr : "",
                       resp->member_id.len > 0 ? (size_t)resp->member_id.len : 0);
    cg->generation = resp->generation_id;
    cg->leader = resp->leader.len > 0 && kl_str_eq(resp->leader, cg->member_id);
    const kl_assignor_t *a = kl_assignor_find(resp->protocol_name);
    if (!a) {
        cgrp_fatal(cg, KL_ERR_INCONSISTENT_GROUP_PROTOCOL, "the coordinator chose an unknown protocol");
        return;
    }
    cg->assignor = a;
    cg->cooperative_protocol = a->cooperative;
    free(cg->protocol);
    cg->protocol = strdup(a->name);
    kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: joined generation %d as %s%s, protocol %s",
                 cg->group_id, cg->generation, cg->member_id, cg->leader ? " (leader)" : "", a->name);
    if (cg->closing || cg->ntopics == 0 || cg->poll_exceeded) {
        cg->state = CGRP_STEADY; /* cgrp_serve() leaves */
        cgrp_serve(cg);
        return;
    }
    if (!cg->leader) {
        cg->state = CGRP_ASSIGNING;
        cgrp_join_free(cg);
        cgrp_join_assign_retry(cg); /* nothing to assign: SyncGroup at once */
        return;
    }
    if (keep_members(cg, resp) != KL_ERR_NONE) {
        join_failed(cg, KL_ERR_NOMEM, "JoinGroup");
        return;
    }
    /* Assign on fresh partition counts, as Kafka's clients do; it also
     * lets the followers' SyncGroup reach the coordinator first, which
     * some coordinators (librdkafka's mock) need. */
    cg->state = CGRP_ASSIGNING;
    cg->md_wait = true;
    kl_client_refresh_metadata(cg->client, "group leader assigning");
}

static void on_join(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg)
{
    (void)version;
    (void)arg;
    if (err == KL_ERR_DESTROY || cg->state != CGRP_JOINING)
        return; /* stale: the member moved on */
    kl_join_group_response_t *resp = body;
    if (!err)
        err = (kl_err_t)resp->error_code;
    if (err == KL_ERR_MEMBER_ID_REQUIRED) {
        /* KIP-394: the coordinator names us, we join again with that id. */
        cgrp_set_member_id(cg, resp->member_id.ptr ? resp->member_id.ptr : "",
                           resp->member_id.len > 0 ? (size_t)resp->member_id.len : 0);
        cgrp_join_later(cg, false);
        cgrp_serve(cg);
        return;
    }
    if (err) {
        join_failed(cg, err, "JoinGroup");
        return;
    }
    cg->join_failures = 0;
    joined(cg, resp);
}

/* ---- the leader's assignment and SyncGroup ------------------------------------------- */

static void on_sync(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg);

static void sync_send(kl_cgrp_t *cg, kl_sync_group_request_assignment_t *assignments, int32_t count)
{
    kl_client_broker_t *b = cgrp_coord_get(cg);
    if (!b) {
        cgrp_join_later(cg, false); /* the coordinator went: join again once back */
        return;
    }
    int16_t version = kl_client_broker_api_version(b, KL_API_SYNC_GROUP);
    kl_sync_group_request_t req;
    kl_proto_init(&kl_sync_group_request_schema, &req);
    req.group_id = kl_str(cg->group_id);
    req.generation_id = cg->generation;
    req.member_id = kl_str(cg->member_id);
    req.group_instance_id = cg->instance_id ? kl_str(cg->instance_id) : KL_STR_NULL;
    req.protocol_type = kl_str("consumer");
    req.protocol_name = kl_str(cg->protocol);
    req.assignments.items = assignments;
    req.assignments.count = count;
    kl_err_t err = version < 0 ? KL_ERR_UNSUPPORTED_API_VERSION
                               : cgrp_request_send(cg, b, KL_API_SYNC_GROUP, version, &req, 256 + 64 * (size_t)count,
                                                   on_sync, NULL);
    if (err) {
        join_failed(cg, err, "SyncGroup");
        return;
    }
    cg->state = CGRP_SYNCING;
}

/* The members' topics as the metadata describes them, or false while one
 * is not described yet. */
static bool collect_topics(kl_cgrp_t *cg, kl_assignor_topic_t **topicsp, size_t *countp)
{
    size_t cap = 0;
    for (size_t i = 0; i < cg->nmembers; i++)
        cap += cg->members[i].subscription.topics.count > 0 ? (size_t)cg->members[i].subscription.topics.count : 0;
    kl_assignor_topic_t *topics = kl_arena_calloc(&cg->join_arena, cap ? cap : 1, sizeof *topics);
    size_t n = 0;
    bool ready = topics != NULL;
    char name[256];
    for (size_t i = 0; i < cg->nmembers && topics; i++) {
        const kl_consumer_protocol_subscription_t *s = &cg->members[i].subscription;
        for (int32_t j = 0; j < s->topics.count; j++) {
            kl_str_t t = s->topics.items[j];
            bool dup = false;
            for (size_t k = 0; k < n && !dup; k++)
                dup = topics[k].name.len == t.len && memcmp(topics[k].name.ptr, t.ptr, (size_t)t.len) == 0;
            if (dup || t.len <= 0 || (size_t)t.len >= sizeof name)
                continue;
            memcpy(name, t.ptr, (size_t)t.len);
            name[t.len] = '\0';
            kl_client_want_topic(cg->client, name);
            const kl_md_topic_t *md = kl_client_topic(cg->client, name);
            if (!md || !md->described) {
                ready = false;
                continue;
            }
            topics[n].name = t;
            topics[n++].partition_count = md->err ? 0 : md->partition_count;
        }
    }
    *topicsp = topics;
    *countp = n;
    return ready;
}

/* Runs the assignor and encodes one assignment per member (in arena). */
static kl_err_t assign(kl_cgrp_t *cg, const kl_assignor_topic_t *topics, size_t ntopics,
                       kl_sync_group_request_assignment_t *out)
{
    kl_arena_t *a = &cg->join_arena;
    kl_consumer_protocol_assignment_t *plans = kl_arena_calloc(a, cg->nmembers ? cg->nmembers : 1, sizeof *plans);
    if (!plans)
        return KL_ERR_NOMEM;
    kl_err_t err = kl_assignor_assign(cg->assignor, cg->members, cg->nmembers, topics, ntopics, a, plans);
    for (size_t i = 0; i < cg->nmembers && !err; i++) {
        kl_buf_t buf;
        kl_buf_init(&buf, 0);
        int16_t v = cg->members[i].version;
        err = kl_consumer_protocol_assignment_encode(&buf, v > 3 ? 3 : v < 0 ? 0 : v, &plans[i]);
        uint8_t *copy = err ? NULL : kl_arena_alloc(a, buf.len ? buf.len : 1);
        if (!err && !copy)
            err = KL_ERR_NOMEM;
        if (!err) {
            memcpy(copy, buf.data, buf.len);
            out[i].member_id = cg->members[i].member_id;
            out[i].assignment = kl_bytes(copy, (int32_t)buf.len);
        }
        kl_buf_free(&buf);
    }
    return err;
}

void cgrp_join_assign_retry(kl_cgrp_t *cg)
{
    if (cg->state != CGRP_ASSIGNING)
        return;
    if (!cg->leader) {
        sync_send(cg, NULL, 0);
        return;
    }
    kl_assignor_topic_t *topics;
    size_t ntopics;
    if (cg->md_wait || !collect_topics(cg, &topics, &ntopics))
        return; /* kl_cgrp_metadata() comes back here */
    kl_sync_group_request_assignment_t *out =
        kl_arena_calloc(&cg->join_arena, cg->nmembers ? cg->nmembers : 1, sizeof *out);
    kl_err_t err = out ? assign(cg, topics, ntopics, out) : KL_ERR_NOMEM;
    if (err) {
        kl_log(cg->log, KL_LOG_ERR, "CGRP", "group %s: assignor %s failed: %s", cg->group_id, cg->assignor->name,
               kl_err_str(err));
        join_failed(cg, err, "assignment");
        return;
    }
    kl_str_t *names = kl_arena_calloc(&cg->join_arena, ntopics ? ntopics : 1, sizeof *names);
    for (size_t i = 0; names && i < ntopics; i++)
        names[i] = topics[i].name;
    cgrp_topics_snapshot(cg, names, names ? ntopics : 0);
    kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: leader assigned %zu topics to %zu members with %s",
                 cg->group_id, ntopics, cg->nmembers, cg->assignor->name);
    sync_send(cg, out, (int32_t)cg->nmembers);
    cgrp_join_free(cg); /* the request is encoded */
}

/* The assignment as a list (offsets KL_OFFSET_STORED). */
static kl_err_t assignment_list(kl_bytes_t data, kl_topic_partition_list_t **out)
{
    kl_topic_partition_list_t *l = kl_topic_partition_list_new(0);
    if (!l)
        return KL_ERR_NOMEM;
    *out = l;
    if (data.len <= 0)
        return KL_ERR_NONE; /* nothing for us */
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_consumer_protocol_assignment_t a;
    kl_err_t err = kl_consumer_protocol_assignment_decode(data, &arena, &a, NULL);
    char name[256];
    for (int32_t t = 0; !err && t < a.assigned_partitions.count; t++) {
        kl_str_t topic = a.assigned_partitions.items[t].topic;
        if (topic.len <= 0 || (size_t)topic.len >= sizeof name)
            continue;
        memcpy(name, topic.ptr, (size_t)topic.len);
        name[topic.len] = '\0';
        for (int32_t p = 0; p < a.assigned_partitions.items[t].partitions.count && !err; p++) {
            kl_topic_partition_t *tp = kl_topic_partition_list_add(l, name, a.assigned_partitions.items[t].partitions.items[p]);
            if (!tp)
                err = KL_ERR_NOMEM;
            else
                tp->offset = KL_OFFSET_STORED;
        }
    }
    kl_arena_free(&arena);
    kl_topic_partition_list_sort(l);
    return err;
}

static void on_sync(kl_cgrp_t *cg, kl_err_t err, void *body, int16_t version, void *arg)
{
    (void)version;
    (void)arg;
    if (err == KL_ERR_DESTROY || cg->state != CGRP_SYNCING)
        return;
    kl_sync_group_response_t *resp = body;
    if (!err)
        err = (kl_err_t)resp->error_code;
    kl_topic_partition_list_t *received = NULL;
    if (!err)
        err = assignment_list(resp->assignment, &received);
    if (err) {
        kl_topic_partition_list_destroy(received);
        join_failed(cg, err, "SyncGroup");
        return;
    }
    cg->join_failures = 0;
    cg->state = CGRP_STEADY;
    if (cgrp_topics_changed(cg)) {
        cg->rejoin = true; /* the metadata moved during the rebalance */
        cgrp_topics_report_gone(cg);
    }
    cgrp_heartbeat_start(cg);
    cgrp_assignment_received(cg, received);
}
