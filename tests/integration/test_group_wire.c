/* The group APIs of the embedded broker over the wire: FindCoordinator in
 * its single and batched forms and for transactional keys; JoinGroup and
 * SyncGroup parked until the group is ready, holding back the requests
 * behind them on their connection, and a connection closed while parked;
 * __consumer_offsets as an internal topic; committed offsets of a simple
 * group across a restart, OffsetFetch's multi-group form, OffsetDelete,
 * ListGroups and DeleteGroups. Driven by the blocking wire client. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker_fixture.h"
#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_group.h"
#include "proto/msg_metadata.h"
#include "proto/msg_offset.h"
#include "proto/msg_produce.h"
#include "proto/msg_topic_admin.h"
#include "record/batch.h"
#include "../interop/wire_client.h"

#define TIMEOUT_MS 10000
#define GROUP "wired"

static const char *const props[] = {
    /* long enough that the second member joins within it on a loaded machine */
    "group.initial.rebalance.delay.ms", "2000",
    "group.min.session.timeout.ms", "500",
    "offsets.topic.num.partitions", "5",
    NULL,
};

typedef struct exchange {
    kl_arena_t arena;
    uint8_t *frame;
} exchange_t;

static void call(wire_client_t *wc, int16_t key, int16_t version, const void *req, void *resp, exchange_t *x)
{
    kl_arena_init(&x->arena, 0);
    kl_err_t err = wire_call(wc, key, version, req, &x->arena, resp, &x->frame, TIMEOUT_MS);
    ck_assert_msg(err == KL_ERR_NONE, "api %d v%d: %s", key, version, kl_err_str(err));
}

static void done(exchange_t *x)
{
    free(x->frame);
    kl_arena_free(&x->arena);
}

/* Reads the next response on wc, which must answer correlation id corr. */
static void receive(wire_client_t *wc, int16_t key, int16_t version, int32_t corr, void *resp, exchange_t *x)
{
    size_t len;
    ck_assert_int_eq(wire_recv_frame(wc, &x->frame, &len, TIMEOUT_MS), 0);
    kl_arena_init(&x->arena, 0);
    kl_rd_t rd;
    kl_rd_init(&rd, x->frame, len);
    int32_t got;
    ck_assert_int_eq(kl_proto_read_response(&rd, kl_api_find(key), version, &got, &x->arena, resp), 0);
    ck_assert_int_eq(got, corr);
}

static void connect_to(wire_client_t *wc, const broker_fixture_t *f)
{
    ck_assert_int_eq(wire_connect(wc, f->bootstrap), 0);
}

static int bootstrap_port(const broker_fixture_t *f) { return atoi(strchr(f->bootstrap, ':') + 1); }

/* ------------------------------------------------------------ FindCoordinator */

static void find_single(wire_client_t *wc, int16_t v, int8_t key_type, int16_t want_error, int port)
{
    kl_find_coordinator_request_t req;
    kl_proto_init(&kl_find_coordinator_request_schema, &req);
    req.key = kl_str(GROUP);
    req.key_type = key_type;
    kl_find_coordinator_response_t resp;
    exchange_t x;
    call(wc, KL_API_FIND_COORDINATOR, v, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, want_error);
    ck_assert_int_eq(resp.node_id, want_error ? -1 : 1);
    ck_assert_int_eq(resp.port, want_error ? -1 : port);
    if (!want_error)
        ck_assert(kl_str_eq(resp.host, "127.0.0.1"));
    done(&x);
}

static void find_batched(wire_client_t *wc, int16_t v, int8_t key_type, int16_t want_error, int port)
{
    kl_str_t keys[] = {kl_str("a"), kl_str(GROUP), kl_str("")};
    kl_find_coordinator_request_t req;
    kl_proto_init(&kl_find_coordinator_request_schema, &req);
    req.key_type = key_type;
    req.coordinator_keys.items = keys;
    req.coordinator_keys.count = 3;
    kl_find_coordinator_response_t resp;
    exchange_t x;
    call(wc, KL_API_FIND_COORDINATOR, v, &req, &resp, &x);
    ck_assert_int_eq(resp.coordinators.count, 3);
    for (int i = 0; i < 3; i++) {
        const kl_find_coordinator_response_coordinator_t *c = &resp.coordinators.items[i];
        ck_assert(c->key.len == keys[i].len && !memcmp(c->key.ptr, keys[i].ptr, (size_t)keys[i].len));
        ck_assert_int_eq(c->error_code, want_error);
        ck_assert_int_eq(c->node_id, want_error ? -1 : 1);
        ck_assert_int_eq(c->port, want_error ? -1 : port);
    }
    done(&x);
}

START_TEST(test_find_coordinator)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    int port = bootstrap_port(&f);
    for (int16_t v = 0; v <= 3; v++)
        find_single(&wc, v, 0, 0, port);
    find_single(&wc, 1, 1, 0, port); /* transactional ids are coordinated here too */
    find_single(&wc, 3, 5, KL_ERR_INVALID_REQUEST, port);
    for (int16_t v = 4; v <= 6; v++)
        find_batched(&wc, v, 0, 0, port);
    find_batched(&wc, 4, 1, 0, port);
    find_batched(&wc, 6, 2, KL_ERR_INVALID_REQUEST, port);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ membership */

typedef struct member {
    wire_client_t wc;
    char id[128];
    int32_t generation;
} member_t;

static int32_t join_send(member_t *m, int32_t session_ms)
{
    kl_join_group_request_protocol_t proto = {kl_str("range"), kl_bytes((const uint8_t *)"sub", 3)};
    kl_join_group_request_t req;
    kl_proto_init(&kl_join_group_request_schema, &req);
    req.group_id = kl_str(GROUP);
    req.session_timeout_ms = session_ms;
    req.rebalance_timeout_ms = 5000;
    req.member_id = kl_str(m->id);
    req.protocol_type = kl_str("consumer");
    req.protocols.items = &proto;
    req.protocols.count = 1;
    int32_t corr = wire_send_request(&m->wc, KL_API_JOIN_GROUP, 3, &req, TIMEOUT_MS);
    ck_assert_int_ge(corr, 0);
    return corr;
}

/* Reads the JoinGroup answer; returns how many members the leader got. */
static int join_recv(member_t *m, int32_t corr, const char *want_leader)
{
    kl_join_group_response_t resp;
    exchange_t x;
    receive(&m->wc, KL_API_JOIN_GROUP, 3, corr, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    ck_assert(kl_str_eq(resp.protocol_name, "range"));
    snprintf(m->id, sizeof m->id, "%.*s", (int)resp.member_id.len, resp.member_id.ptr);
    m->generation = resp.generation_id;
    if (want_leader)
        ck_assert(kl_str_eq(resp.leader, want_leader));
    int n = resp.members.count;
    done(&x);
    return n;
}

static int32_t heartbeat_send(member_t *m)
{
    kl_heartbeat_request_t req;
    kl_proto_init(&kl_heartbeat_request_schema, &req);
    req.group_id = kl_str(GROUP);
    req.generation_id = m->generation;
    req.member_id = kl_str(m->id);
    int32_t corr = wire_send_request(&m->wc, KL_API_HEARTBEAT, 1, &req, TIMEOUT_MS);
    ck_assert_int_ge(corr, 0);
    return corr;
}

static int16_t heartbeat_recv(member_t *m, int32_t corr)
{
    kl_heartbeat_response_t resp;
    exchange_t x;
    receive(&m->wc, KL_API_HEARTBEAT, 1, corr, &resp, &x);
    done(&x);
    return resp.error_code;
}

/* SyncGroup v3; the leader gives each of ids its id as assignment. */
static int32_t sync_send(member_t *m, member_t *const *members, int n)
{
    kl_sync_group_request_assignment_t a[4];
    for (int i = 0; i < n; i++)
        a[i] = (kl_sync_group_request_assignment_t){kl_str(members[i]->id),
                                                    kl_bytes((const uint8_t *)members[i]->id,
                                                             (int32_t)strlen(members[i]->id))};
    kl_sync_group_request_t req;
    kl_proto_init(&kl_sync_group_request_schema, &req);
    req.group_id = kl_str(GROUP);
    req.generation_id = m->generation;
    req.member_id = kl_str(m->id);
    req.assignments.items = n ? a : NULL;
    req.assignments.count = n;
    int32_t corr = wire_send_request(&m->wc, KL_API_SYNC_GROUP, 3, &req, TIMEOUT_MS);
    ck_assert_int_ge(corr, 0);
    return corr;
}

static void sync_recv(member_t *m, int32_t corr)
{
    kl_sync_group_response_t resp;
    exchange_t x;
    receive(&m->wc, KL_API_SYNC_GROUP, 3, corr, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    ck_assert(resp.assignment.len == (int32_t)strlen(m->id) &&
              !memcmp(resp.assignment.ptr, m->id, strlen(m->id)));
    done(&x);
}

static const char *group_state(wire_client_t *wc, char *buf, size_t size)
{
    kl_str_t name = kl_str(GROUP);
    kl_describe_groups_request_t req;
    kl_proto_init(&kl_describe_groups_request_schema, &req);
    req.groups.items = &name;
    req.groups.count = 1;
    kl_describe_groups_response_t resp;
    exchange_t x;
    call(wc, KL_API_DESCRIBE_GROUPS, 5, &req, &resp, &x);
    ck_assert_int_eq(resp.groups.count, 1);
    kl_str_t s = resp.groups.items[0].group_state;
    snprintf(buf, size, "%.*s", (int)s.len, s.ptr);
    done(&x);
    return buf;
}

/* Two members form the group: their JoinGroups wait for the initial
 * delay, a Heartbeat pipelined behind one waits with it and is answered
 * after it; the follower's SyncGroup waits for the leader's. b joins once
 * observer (a connection of its own) sees a's join parked, so a leads:
 * two connections' requests reach the broker in no fixed order. */
static void form_group(member_t *a, member_t *b, wire_client_t *observer)
{
    int32_t join_a = join_send(a, 6000);
    int32_t early = heartbeat_send(a); /* behind the parked join */
    char state[32];
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    while (strcmp(group_state(observer, state, sizeof state), "PreparingRebalance") != 0)
        ck_assert_msg(fixture_now_ms() < deadline, "a's JoinGroup not parked: group %s", state);
    int32_t join_b = join_send(b, 6000);
    ck_assert_int_eq(join_recv(a, join_a, NULL), 2);
    /* sent before a had a member id, and answered only after its join */
    ck_assert_int_eq(heartbeat_recv(a, early), KL_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(join_recv(b, join_b, a->id), 0);
    ck_assert_int_eq(a->generation, b->generation);
    int32_t sync_b = sync_send(b, NULL, 0);
    member_t *both[] = {a, b};
    int32_t sync_a = sync_send(a, both, 2);
    sync_recv(a, sync_a);
    sync_recv(b, sync_b);
}

static int16_t heartbeat(member_t *m) { return heartbeat_recv(m, heartbeat_send(m)); }

/* Both rejoin and sync; returns how many members the leader a got. */
static int rejoin(member_t *a, member_t *b)
{
    int32_t join_a = join_send(a, 6000), join_b = join_send(b, 6000);
    int n = join_recv(a, join_a, NULL);
    join_recv(b, join_b, a->id);
    member_t *both[] = {a, b};
    int32_t sync_a = sync_send(a, both, n >= 2 ? 2 : n), sync_b = sync_send(b, NULL, 0);
    sync_recv(a, sync_a);
    sync_recv(b, sync_b);
    return n;
}

/* A member whose JoinGroup is parked closes its connection: the others
 * rejoin without it, and once its session has timed out the group is
 * Stable with the two of them again. */
START_TEST(test_join_sync_parked)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    member_t a = {0}, b = {0}, c = {0};
    connect_to(&a.wc, &f);
    connect_to(&b.wc, &f);
    wire_client_t observer;
    connect_to(&observer, &f);
    form_group(&a, &b, &observer);
    wire_close(&observer);
    char state[32];
    ck_assert_str_eq(group_state(&a.wc, state, sizeof state), "Stable");
    ck_assert_int_eq(heartbeat(&b), 0);

    connect_to(&c.wc, &f);
    int32_t join_c = join_send(&c, 500);
    (void)join_c;
    long long deadline = fixture_now_ms() + TIMEOUT_MS;
    while (heartbeat(&a) != KL_ERR_REBALANCE_IN_PROGRESS)
        ck_assert(fixture_now_ms() < deadline);
    wire_close(&c.wc); /* its JoinGroup still parked */
    int32_t generation = a.generation;
    int members = rejoin(&a, &b);
    ck_assert_int_eq(a.generation, generation + 1);
    while (members != 2 || heartbeat(&a) != 0 || heartbeat(&b) != 0) {
        ck_assert_msg(fixture_now_ms() < deadline, "the closed member was never removed");
        if (heartbeat(&a) == KL_ERR_REBALANCE_IN_PROGRESS)
            members = rejoin(&a, &b);
    }
    ck_assert_str_eq(group_state(&a.wc, state, sizeof state), "Stable");

    /* the broker stops with a JoinGroup parked (the others owe theirs) */
    member_t d = {0};
    connect_to(&d.wc, &f);
    join_send(&d, 6000);
    while (heartbeat(&a) != KL_ERR_REBALANCE_IN_PROGRESS)
        ck_assert(fixture_now_ms() < deadline);
    fixture_stop(&f);
    ck_assert_int_eq(wire_wait_closed(&d.wc, TIMEOUT_MS), 0);
    wire_close(&d.wc);
    wire_close(&a.wc);
    wire_close(&b.wc);
}
END_TEST

/* ------------------------------------------------------------ __consumer_offsets */

static int16_t produce_to(wire_client_t *wc, const char *topic)
{
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    ck_assert_int_eq(kl_batch_writer_open(&w, &params), 0);
    ck_assert_int_eq(kl_batch_writer_append(&w, 1700000000000, "k", 1, "v", 1, NULL, 0), 0);
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), 0);
    kl_produce_request_partition_t part = {.index = 0, .records = kl_bytes(data, (int32_t)len)};
    kl_produce_request_topic_t t = {.name = kl_str(topic), .partition_data = {&part, 1}};
    kl_produce_request_t req;
    kl_proto_init(&kl_produce_request_schema, &req);
    req.acks = -1;
    req.timeout_ms = TIMEOUT_MS;
    req.topic_data.items = &t;
    req.topic_data.count = 1;
    kl_produce_response_t resp;
    exchange_t x;
    call(wc, KL_API_PRODUCE, 9, &req, &resp, &x);
    int16_t err = resp.responses.items[0].partition_responses.items[0].error_code;
    done(&x);
    kl_batch_writer_free(&w);
    return err;
}

static int16_t create_topic(wire_client_t *wc, const char *name, int32_t partitions)
{
    kl_create_topics_request_creatable_topic_t t = {.name = kl_str(name), .num_partitions = partitions,
                                                    .replication_factor = 1};
    kl_create_topics_request_t req;
    kl_proto_init(&kl_create_topics_request_schema, &req);
    req.topics.items = &t;
    req.topics.count = 1;
    kl_create_topics_response_t resp;
    exchange_t x;
    call(wc, KL_API_CREATE_TOPICS, 5, &req, &resp, &x);
    int16_t err = resp.topics.items[0].error_code;
    done(&x);
    return err;
}

static int16_t delete_topic(wire_client_t *wc, const char *name)
{
    kl_str_t n = kl_str(name);
    kl_delete_topics_request_t req;
    kl_proto_init(&kl_delete_topics_request_schema, &req);
    req.topic_names.items = &n;
    req.topic_names.count = 1;
    req.timeout_ms = TIMEOUT_MS;
    kl_delete_topics_response_t resp;
    exchange_t x;
    call(wc, KL_API_DELETE_TOPICS, 5, &req, &resp, &x);
    int16_t err = resp.responses.items[0].error_code;
    done(&x);
    return err;
}

/* Metadata of __consumer_offsets: internal, with partitions partitions. */
static void check_offsets_topic(wire_client_t *wc, int32_t partitions)
{
    kl_metadata_request_topic_t t = {.name = kl_str("__consumer_offsets")};
    kl_metadata_request_t req;
    kl_proto_init(&kl_metadata_request_schema, &req);
    req.topics.items = &t;
    req.topics.count = 1;
    req.allow_auto_topic_creation = true;
    kl_metadata_response_t resp;
    exchange_t x;
    call(wc, KL_API_METADATA, 9, &req, &resp, &x);
    ck_assert_int_eq(resp.topics.count, 1);
    ck_assert_int_eq(resp.topics.items[0].error_code, 0);
    ck_assert(resp.topics.items[0].is_internal);
    ck_assert_int_eq(resp.topics.items[0].partitions.count, partitions);
    done(&x);
}

/* The coordinator's topic, made with its settings when first named, is
 * listed as internal, and clients can neither write to it nor delete or
 * recreate it. */
START_TEST(test_offsets_topic)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    check_offsets_topic(&wc, 5);
    ck_assert_int_eq(produce_to(&wc, "__consumer_offsets"), KL_ERR_INVALID_TOPIC_EXCEPTION);
    ck_assert_int_eq(delete_topic(&wc, "__consumer_offsets"), KL_ERR_INVALID_REQUEST);
    ck_assert_int_eq(create_topic(&wc, "__consumer_offsets", 3), KL_ERR_TOPIC_ALREADY_EXISTS);
    check_offsets_topic(&wc, 5);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ committed offsets */

/* OffsetCommit v2 of a simple group (no generation, no member): partition
 * p of "t" at offset 10 * (p + 1) with metadata "m<p>"; returns each
 * partition's error in errors. */
static void commit_simple(wire_client_t *wc, int n, int16_t *errors)
{
    kl_offset_commit_request_partition_t parts[8];
    char meta[8][8];
    for (int p = 0; p < n; p++) {
        snprintf(meta[p], sizeof meta[p], "m%d", p);
        parts[p] = (kl_offset_commit_request_partition_t){.partition_index = p, .committed_offset = 10 * (p + 1),
                                                          .committed_leader_epoch = -1, .commit_timestamp = -1,
                                                          .committed_metadata = kl_str(meta[p])};
    }
    kl_offset_commit_request_topic_t t = {.name = kl_str("t"), .partitions = {parts, n}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str("simple");
    req.generation_id_or_member_epoch = -1;
    req.member_id = kl_str("");
    req.retention_time_ms = -1;
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_commit_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_COMMIT, 2, &req, &resp, &x);
    ck_assert_int_eq(resp.topics.items[0].partitions.count, n);
    for (int p = 0; p < n; p++)
        errors[p] = resp.topics.items[0].partitions.items[p].error_code;
    done(&x);
}

/* OffsetFetch v5 of partitions 0-2 of "t": offsets (-1: none). */
static void fetch_simple(wire_client_t *wc, int64_t *offsets)
{
    int32_t idx[] = {0, 1, 2};
    kl_offset_fetch_request_topic_t t = {.name = kl_str("t"), .partition_indexes = {idx, 3}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str("simple");
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_fetch_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_FETCH, 5, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    ck_assert_int_eq(resp.topics.items[0].partitions.count, 3);
    for (int p = 0; p < 3; p++) {
        const kl_offset_fetch_response_partition_t *rp = &resp.topics.items[0].partitions.items[p];
        ck_assert_int_eq(rp->error_code, 0);
        offsets[p] = rp->committed_offset;
        char meta[8];
        snprintf(meta, sizeof meta, "m%d", p);
        if (rp->committed_offset >= 0)
            ck_assert(kl_str_eq(rp->metadata, meta));
    }
    done(&x);
}

/* OffsetFetch v8, every topic of the groups "simple" and "none". */
static void fetch_groups(wire_client_t *wc, int want_partitions)
{
    kl_offset_fetch_request_group_t groups[2] = {{.group_id = kl_str("simple"), .topics = {NULL, -1}},
                                                 {.group_id = kl_str("none"), .topics = {NULL, -1}}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.groups.items = groups;
    req.groups.count = 2;
    kl_offset_fetch_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_FETCH, 8, &req, &resp, &x);
    ck_assert_int_eq(resp.groups.count, 2);
    ck_assert(kl_str_eq(resp.groups.items[0].group_id, "simple"));
    ck_assert_int_eq(resp.groups.items[0].topics.count, 1);
    ck_assert_int_eq(resp.groups.items[0].topics.items[0].partitions.count, want_partitions);
    ck_assert_int_eq(resp.groups.items[1].topics.count, 0);
    done(&x);
}

static int16_t offset_delete(wire_client_t *wc, int32_t partition)
{
    kl_offset_delete_request_partition_t part = {partition};
    kl_offset_delete_request_topic_t t = {.name = kl_str("t"), .partitions = {&part, 1}};
    kl_offset_delete_request_t req;
    kl_proto_init(&kl_offset_delete_request_schema, &req);
    req.group_id = kl_str("simple");
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_delete_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_DELETE, 0, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    int16_t err = resp.topics.items[0].partitions.items[0].error_code;
    done(&x);
    return err;
}

/* ListGroups v4: whether "simple" is listed, in state (if listed). */
static bool listed(wire_client_t *wc, char *state, size_t size)
{
    kl_list_groups_request_t req;
    kl_proto_init(&kl_list_groups_request_schema, &req);
    kl_list_groups_response_t resp;
    exchange_t x;
    call(wc, KL_API_LIST_GROUPS, 4, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    bool found = false;
    for (int32_t i = 0; i < resp.groups.count; i++)
        if (kl_str_eq(resp.groups.items[i].group_id, "simple")) {
            found = true;
            snprintf(state, size, "%.*s", (int)resp.groups.items[i].group_state.len,
                     resp.groups.items[i].group_state.ptr);
        }
    done(&x);
    return found;
}

static void delete_groups(wire_client_t *wc)
{
    kl_str_t names[] = {kl_str("simple"), kl_str("never-was")};
    kl_delete_groups_request_t req;
    kl_proto_init(&kl_delete_groups_request_schema, &req);
    req.groups_names.items = names;
    req.groups_names.count = 2;
    kl_delete_groups_response_t resp;
    exchange_t x;
    call(wc, KL_API_DELETE_GROUPS, 2, &req, &resp, &x);
    ck_assert_int_eq(resp.results.count, 2);
    ck_assert_int_eq(resp.results.items[0].error_code, 0);
    ck_assert_int_eq(resp.results.items[1].error_code, KL_ERR_GROUP_ID_NOT_FOUND);
    done(&x);
}

/* A simple group commits; its offsets survive a restart (with another
 * offsets.topic.num.partitions, which an existing topic ignores), one is
 * deleted, then the group. */
START_TEST(test_simple_group_offsets)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "t", 3), 0);
    int16_t errors[4];
    commit_simple(&wc, 4, errors); /* "t" has no partition 3 */
    ck_assert_int_eq(errors[0] | errors[1] | errors[2], 0);
    ck_assert_int_eq(errors[3], KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    int64_t offsets[3];
    fetch_simple(&wc, offsets);
    ck_assert(offsets[0] == 10 && offsets[1] == 20 && offsets[2] == 30);
    wire_close(&wc);

    static const char *const more[] = {"offsets.topic.num.partitions", "7", NULL};
    f.props = more;
    fixture_restart(&f);
    connect_to(&wc, &f);
    check_offsets_topic(&wc, 5);
    fetch_simple(&wc, offsets);
    ck_assert(offsets[0] == 10 && offsets[1] == 20 && offsets[2] == 30);
    fetch_groups(&wc, 3);
    char state[32];
    ck_assert(listed(&wc, state, sizeof state));
    ck_assert_str_eq(state, "Empty");
    ck_assert_int_eq(offset_delete(&wc, 1), 0);
    fetch_simple(&wc, offsets);
    ck_assert(offsets[0] == 10 && offsets[1] == -1 && offsets[2] == 30);
    delete_groups(&wc);
    ck_assert(!listed(&wc, state, sizeof state));
    fetch_simple(&wc, offsets);
    ck_assert(offsets[0] == -1 && offsets[1] == -1 && offsets[2] == -1);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* ------------------------------------------------------------ created on first need */

/* Whether f's log dir holds the directory of __consumer_offsets-p. */
static bool offsets_dir_exists(const broker_fixture_t *f, int p)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/__consumer_offsets-%d", f->dir, p);
    return stat(path, &st) == 0;
}

/* Metadata v9 of every topic: how many are listed as internal. */
static int internal_topics(wire_client_t *wc)
{
    kl_metadata_request_t req;
    kl_proto_init(&kl_metadata_request_schema, &req);
    req.topics.count = -1;
    kl_metadata_response_t resp;
    exchange_t x;
    call(wc, KL_API_METADATA, 9, &req, &resp, &x);
    int n = 0;
    for (int32_t i = 0; i < resp.topics.count; i++)
        n += resp.topics.items[i].is_internal;
    done(&x);
    return n;
}

/* A fresh broker starts without __consumer_offsets (its fsyncs made the
 * start slow) and answers the reading group APIs without creating it;
 * the first group request creates it, on disk before it is answered; a
 * restart loads it with the group and its commits. */
START_TEST(test_offsets_topic_on_first_need)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert(!offsets_dir_exists(&f, 0));
    ck_assert_int_eq(internal_topics(&wc), 0);
    ck_assert_int_eq(create_topic(&wc, "t", 3), 0);
    char state[32];
    ck_assert(!listed(&wc, state, sizeof state));
    ck_assert_str_eq(group_state(&wc, state, sizeof state), "Dead");
    int64_t offsets[3];
    fetch_simple(&wc, offsets);
    ck_assert(offsets[0] == -1 && offsets[1] == -1 && offsets[2] == -1);
    ck_assert(!offsets_dir_exists(&f, 0));
    ck_assert_int_eq(internal_topics(&wc), 0);

    /* a JoinGroup straight away (no FindCoordinator first) */
    member_t a = {0}, b = {0};
    connect_to(&a.wc, &f);
    connect_to(&b.wc, &f);
    form_group(&a, &b, &wc);
    for (int p = 0; p < 5; p++)
        ck_assert(offsets_dir_exists(&f, p));
    ck_assert_int_eq(internal_topics(&wc), 1);
    check_offsets_topic(&wc, 5);
    ck_assert_str_eq(group_state(&wc, state, sizeof state), "Stable");
    int16_t errors[3];
    commit_simple(&wc, 3, errors);
    ck_assert_int_eq(errors[0] | errors[1] | errors[2], 0);
    wire_close(&a.wc);
    wire_close(&b.wc);
    wire_close(&wc);

    fixture_restart(&f);
    connect_to(&wc, &f);
    check_offsets_topic(&wc, 5);
    fetch_simple(&wc, offsets);
    ck_assert(offsets[0] == 10 && offsets[1] == 20 && offsets[2] == 30);
    ck_assert(listed(&wc, state, sizeof state)); /* "simple" */
    ck_assert_str_ne(group_state(&wc, state, sizeof state), "Dead"); /* GROUP, loaded */
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("group_wire");
    TCase *tc = tcase_create("wire");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_find_coordinator);
    tcase_add_test(tc, test_join_sync_parked);
    tcase_add_test(tc, test_offsets_topic);
    tcase_add_test(tc, test_simple_group_offsets);
    tcase_add_test(tc, test_offsets_topic_on_first_need);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
