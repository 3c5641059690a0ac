/* Unit tests for the group coordinator's membership (lib/broker/group_*):
 * the initial rebalance delay, the MEMBER_ID_REQUIRED dance, protocol
 * selection and assignment distribution, session and rebalance timeouts,
 * generation fencing, static members restarting without a rebalance,
 * leaving one by one and in batches, all on a fake clock. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group_fixture.h"
#include "proto/codec.h"

#define JOIN_PENDING(f, c, g, v) ck_assert_int_eq(fx_join((f), (c), (g), (v)), GROUP_PENDING)

static const kl_join_group_response_t *join_resp(const fx_client_t *c) { return c->join.resp; }
static const kl_sync_group_response_t *sync_resp(const fx_client_t *c) { return c->sync.resp; }

static bool str_is(kl_str_t s, const char *c) { return kl_str_eq(s, c); }

static const char *state_of(fixture_t *f, const char *group)
{
    fx_reply_t r = {0};
    const char *state = fx_state(f, group, &r);
    fx_reply_free(&r);
    return state;
}

START_TEST(test_initial_delay_extends_while_members_join)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b;
    fx_client_init(&a, "client-a", "range");
    fx_client_init(&b, "client-b", "range");
    JOIN_PENDING(&f, &a, "g", 3); /* v3: no member id round trip */
    ck_assert_str_eq(state_of(&f, "g"), "PreparingRebalance");
    fx_advance(&f, 2000);
    JOIN_PENDING(&f, &b, "g", 3);
    fx_advance(&f, 1000); /* the first delay ends: b came, so it waits again */
    ck_assert_int_eq(a.join.count, 0);
    fx_advance(&f, 2999);
    ck_assert_int_eq(a.join.count, 0);
    fx_advance(&f, 1);
    ck_assert_int_eq(fx_joined(&a), KL_ERR_NONE);
    ck_assert_int_eq(fx_joined(&b), KL_ERR_NONE);
    ck_assert_int_eq(a.generation, 1);
    ck_assert_int_eq(b.generation, 1);
    ck_assert(str_is(join_resp(&a)->leader, a.member_id));
    ck_assert(str_is(join_resp(&b)->leader, a.member_id));
    ck_assert(str_is(join_resp(&a)->protocol_name, "range"));
    ck_assert_int_eq(join_resp(&a)->members.count, 2);
    ck_assert_int_eq(join_resp(&b)->members.count, 0);
    ck_assert_str_eq(state_of(&f, "g"), "CompletingRebalance");
    fx_client_free(&a);
    fx_client_free(&b);
    fx_free(&f);
}
END_TEST

START_TEST(test_initial_delay_capped_by_rebalance_timeout)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t c[4];
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        fx_client_init(&c[i], strdup(id), "range");
        c[i].rebalance_ms = 5000;
    }
    /* A member every 1.5 s would extend the delay forever, but the join
     * phase ends at the rebalance timeout, 5 s after the first join. */
    for (int i = 0; i < 4; i++) {
        JOIN_PENDING(&f, &c[i], "g", 3);
        fx_advance(&f, 1500);
        if (i < 3)
            ck_assert_int_eq(c[0].join.count, 0);
    }
    ck_assert_int_eq(c[0].join.count, 1); /* at 5000 */
    ck_assert_int_eq(fx_joined(&c[0]), KL_ERR_NONE);
    ck_assert_int_eq(join_resp(&c[0])->members.count, 4);
    for (int i = 0; i < 4; i++) {
        free((char *)c[i].client_id);
        fx_client_free(&c[i]);
    }
    fx_free(&f);
}
END_TEST

START_TEST(test_member_id_required)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, ghost;
    fx_client_init(&a, "client-a", "range");
    fx_client_init(&ghost, "ghost", "range");
    ck_assert_int_eq(fx_join(&f, &a, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&a), KL_ERR_MEMBER_ID_REQUIRED);
    ck_assert_int_eq(strncmp(a.member_id, "client-a-", 9), 0);
    ck_assert_int_eq(strlen(a.member_id), 9 + 36); /* client.id-uuid */
    ck_assert_int_eq(a.member_id[9 + 14], '4');     /* a version 4 uuid */
    ck_assert_int_eq(join_resp(&a)->generation_id, -1);
    ck_assert_str_eq(state_of(&f, "g"), "Empty");
    /* a second one takes an id and never comes back */
    ck_assert_int_eq(fx_join(&f, &ghost, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&ghost), KL_ERR_MEMBER_ID_REQUIRED);
    ck_assert_str_ne(ghost.member_id, a.member_id);
    char id[160];
    strcpy(id, a.member_id);
    JOIN_PENDING(&f, &a, "g", 5);
    fx_advance(&f, 3000);
    ck_assert_int_eq(fx_joined(&a), KL_ERR_NONE);
    ck_assert_str_eq(a.member_id, id);
    ck_assert_int_eq(join_resp(&a)->members.count, 1);
    /* the ghost's id expired with its session: it is unknown now */
    fx_advance(&f, 10000);
    ck_assert_int_eq(fx_join(&f, &ghost, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&ghost), KL_ERR_UNKNOWN_MEMBER_ID);
    /* a made-up id on a group that does not exist */
    strcpy(ghost.member_id, "made-up");
    ck_assert_int_eq(fx_join(&f, &ghost, "nope", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&ghost), KL_ERR_UNKNOWN_MEMBER_ID);
    fx_client_free(&a);
    fx_client_free(&ghost);
    fx_free(&f);
}
END_TEST

START_TEST(test_three_members_protocol_and_assignment)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b, c;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "roundrobin");
    fx_client_init(&c, "c", "roundrobin");
    a.protocols[1] = "roundrobin", a.metadata[0] = "a-range", a.metadata[1] = "a-rr";
    b.protocols[1] = "range", b.metadata[0] = "b-rr", b.metadata[1] = "b-range";
    c.protocols[1] = "range", c.metadata[0] = "c-rr", c.metadata[1] = "c-range";
    fx_join_member(&f, &a, "g", 7);
    fx_join_member(&f, &b, "g", 7);
    fx_join_member(&f, &c, "g", 7);
    fx_advance(&f, 3000);
    ck_assert_int_eq(a.join.count, 0); /* b and c came during the delay */
    fx_advance(&f, 3000);
    fx_client_t *all[] = {&a, &b, &c};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(fx_joined(all[i]), KL_ERR_NONE);
        /* a prefers range, b and c roundrobin: two votes to one */
        ck_assert(str_is(join_resp(all[i])->protocol_name, "roundrobin"));
        ck_assert(str_is(join_resp(all[i])->protocol_type, "consumer"));
        ck_assert(str_is(join_resp(all[i])->leader, a.member_id));
    }
    /* the leader sees every member's roundrobin metadata */
    const kl_join_group_response_t *lr = join_resp(&a);
    ck_assert_int_eq(lr->members.count, 3);
    const char *want[] = {"a-rr", "b-rr", "c-rr"};
    for (int i = 0; i < 3; i++) {
        ck_assert(str_is(lr->members.items[i].member_id, all[i]->member_id));
        ck_assert_int_eq(lr->members.items[i].metadata.len, 4);
        ck_assert_int_eq(memcmp(lr->members.items[i].metadata.ptr, want[i], 4), 0);
    }
    /* a fourth member with nothing in common, or another protocol type */
    fx_client_t d, e;
    fx_client_init(&d, "d", "sticky");
    fx_client_init(&e, "e", "roundrobin");
    e.protocol_type = "connect";
    ck_assert_int_eq(fx_join(&f, &d, "g", 7), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&d), KL_ERR_INCONSISTENT_GROUP_PROTOCOL);
    ck_assert_int_eq(fx_join(&f, &e, "g", 7), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&e), KL_ERR_INCONSISTENT_GROUP_PROTOCOL);
    /* followers wait for the leader's assignment */
    ck_assert_int_eq(fx_sync(&f, &b, "g", 5, 0, NULL, NULL), GROUP_PENDING);
    ck_assert_int_eq(fx_sync(&f, &c, "g", 5, 0, NULL, NULL), GROUP_PENDING);
    ck_assert_int_eq(b.sync.count, 0);
    int appends = f.appends;
    const char *ids[] = {a.member_id, b.member_id, c.member_id};
    const char *parts[] = {"A0", "B1", "C2"};
    ck_assert_int_eq(fx_sync(&f, &a, "g", 5, 3, ids, parts), GROUP_REPLIED);
    ck_assert_int_eq(f.appends, appends + 1); /* the group's metadata is stored */
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(all[i]->sync.count, 1);
        ck_assert_int_eq(sync_resp(all[i])->error_code, 0);
        ck_assert_int_eq(sync_resp(all[i])->assignment.len, 2);
        ck_assert_int_eq(memcmp(sync_resp(all[i])->assignment.ptr, parts[i], 2), 0);
        ck_assert(str_is(sync_resp(all[i])->protocol_name, "roundrobin"));
        ck_assert(str_is(sync_resp(all[i])->protocol_type, "consumer"));
    }
    /* DescribeGroups shows the Stable group's metadata and assignments */
    fx_reply_t r = {0};
    ck_assert_str_eq(fx_state(&f, "g", &r), "Stable");
    const kl_describe_groups_response_described_group_t *dg =
        &((kl_describe_groups_response_t *)r.resp)->groups.items[0];
    ck_assert(str_is(dg->protocol_data, "roundrobin"));
    ck_assert(str_is(dg->protocol_type, "consumer"));
    ck_assert_int_eq(dg->members.count, 3);
    ck_assert(str_is(dg->members.items[1].client_id, "b"));
    ck_assert(str_is(dg->members.items[1].client_host, "/127.0.0.1"));
    ck_assert_int_eq(memcmp(dg->members.items[1].member_assignment.ptr, "B1", 2), 0);
    ck_assert_int_eq(memcmp(dg->members.items[1].member_metadata.ptr, "b-rr", 4), 0);
    fx_reply_free(&r);
    /* a sync in the Stable group gets the same assignment again; a
     * protocol name that is not the group's is refused (v5) */
    ck_assert_int_eq(fx_sync(&f, &c, "g", 5, 0, NULL, NULL), GROUP_REPLIED);
    ck_assert_int_eq(memcmp(sync_resp(&c)->assignment.ptr, "C2", 2), 0);
    kl_sync_group_request_t req;
    kl_proto_init(&kl_sync_group_request_schema, &req);
    req.group_id = kl_str("g");
    req.generation_id = 1;
    req.member_id = kl_str(c.member_id);
    req.protocol_name = kl_str("range");
    group_ctx_t ctx = fx_ctx(5, "c");
    ck_assert_int_eq(group_sync(f.coord, &ctx, &req, fx_reply(&c.sync, KL_API_SYNC_GROUP, 5)), GROUP_REPLIED);
    ck_assert_int_eq(sync_resp(&c)->error_code, KL_ERR_INCONSISTENT_GROUP_PROTOCOL);
    fx_client_t *others[] = {&d, &e};
    for (int i = 0; i < 3; i++)
        fx_client_free(all[i]);
    for (int i = 0; i < 2; i++)
        fx_client_free(others[i]);
    fx_free(&f);
}
END_TEST

START_TEST(test_session_timeout_rebalances_survivors)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b, c;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    fx_client_init(&c, "c", "range");
    fx_client_t *all[] = {&a, &b, &c};
    fx_form_group(&f, all, 3, "g");
    /* b and c heartbeat, a falls silent */
    for (int i = 0; i < 2; i++) {
        fx_advance(&f, 4000);
        ck_assert_int_eq(fx_heartbeat(&f, &b, "g"), KL_ERR_NONE);
        ck_assert_int_eq(fx_heartbeat(&f, &c, "g"), KL_ERR_NONE);
    }
    fx_advance(&f, 1999);
    ck_assert_str_eq(state_of(&f, "g"), "Stable");
    fx_advance(&f, 1); /* a's 10 s session ends */
    ck_assert_str_eq(state_of(&f, "g"), "PreparingRebalance");
    ck_assert_int_eq(fx_heartbeat(&f, &b, "g"), KL_ERR_REBALANCE_IN_PROGRESS);
    ck_assert_int_eq(fx_heartbeat(&f, &a, "g"), KL_ERR_UNKNOWN_MEMBER_ID);
    /* the survivors rejoin: the last one completes the join at once */
    JOIN_PENDING(&f, &b, "g", 5);
    ck_assert_int_eq(fx_join(&f, &c, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&b), KL_ERR_NONE);
    ck_assert_int_eq(fx_joined(&c), KL_ERR_NONE);
    ck_assert_int_eq(b.generation, 2);
    ck_assert(str_is(join_resp(&b)->leader, b.member_id)); /* a led; b is next */
    ck_assert_int_eq(join_resp(&b)->members.count, 2);
    ck_assert_int_eq(fx_heartbeat(&f, &c, "g"), KL_ERR_NONE); /* CompletingRebalance */
    /* a stale generation is fenced everywhere */
    c.generation = 1;
    ck_assert_int_eq(fx_heartbeat(&f, &c, "g"), KL_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(fx_sync(&f, &c, "g", 5, 0, NULL, NULL), GROUP_REPLIED);
    ck_assert_int_eq(sync_resp(&c)->error_code, KL_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(fx_commit(&f, "g", 1, c.member_id, "t", 0, 5, NULL, 8), KL_ERR_ILLEGAL_GENERATION);
    c.generation = 2;
    const char *ids[] = {b.member_id, c.member_id}, *parts[] = {"B", "C"};
    ck_assert_int_eq(fx_sync(&f, &c, "g", 5, 0, NULL, NULL), GROUP_PENDING);
    ck_assert_int_eq(fx_sync(&f, &b, "g", 5, 2, ids, parts), GROUP_REPLIED);
    ck_assert_int_eq(sync_resp(&c)->error_code, 0);
    ck_assert_str_eq(state_of(&f, "g"), "Stable");
    for (int i = 0; i < 3; i++)
        fx_client_free(all[i]);
    fx_free(&f);
}
END_TEST

START_TEST(test_rebalance_timeout_removes_laggard)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    fx_client_t *all[] = {&a, &b};
    fx_form_group(&f, all, 2, "g");
    /* b rejoins with new metadata: a rebalance a never answers */
    b.metadata[0] = "b-v2";
    JOIN_PENDING(&f, &b, "g", 5);
    ck_assert_str_eq(state_of(&f, "g"), "PreparingRebalance");
    for (int i = 0; i < 5; i++) {
        fx_advance(&f, 5000);
        ck_assert_int_eq(fx_heartbeat(&f, &a, "g"), KL_ERR_REBALANCE_IN_PROGRESS); /* alive, not rejoining */
    }
    fx_advance(&f, 4999);
    ck_assert_int_eq(b.join.count, 0);
    fx_advance(&f, 1); /* 30 s rebalance timeout */
    ck_assert_int_eq(fx_joined(&b), KL_ERR_NONE);
    ck_assert_int_eq(b.generation, 2);
    ck_assert(str_is(join_resp(&b)->leader, b.member_id));
    ck_assert_int_eq(join_resp(&b)->members.count, 1);
    ck_assert_int_eq(fx_heartbeat(&f, &a, "g"), KL_ERR_UNKNOWN_MEMBER_ID);
    /* a member that never sends SyncGroup is removed after the timeout */
    fx_advance(&f, 30000);
    ck_assert_str_eq(state_of(&f, "g"), "Empty");
    fx_client_free(&a);
    fx_client_free(&b);
    fx_free(&f);
}
END_TEST

START_TEST(test_follower_rejoin_with_same_metadata_no_rebalance)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    fx_client_t *all[] = {&a, &b};
    fx_form_group(&f, all, 2, "g");
    ck_assert_int_eq(fx_join(&f, &b, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&b), KL_ERR_NONE);
    ck_assert_int_eq(b.generation, 1);
    ck_assert_str_eq(state_of(&f, "g"), "Stable");
    /* the leader rejoining forces a rebalance (e.g. topic metadata changed) */
    JOIN_PENDING(&f, &a, "g", 5);
    ck_assert_str_eq(state_of(&f, "g"), "PreparingRebalance");
    ck_assert_int_eq(fx_join(&f, &b, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&a), KL_ERR_NONE);
    ck_assert_int_eq(a.generation, 2);
    fx_client_free(&a);
    fx_client_free(&b);
    fx_free(&f);
}
END_TEST

static void static_client(fx_client_t *c, const char *client_id, const char *instance)
{
    fx_client_init(c, client_id, "range");
    c->protocols[1] = "roundrobin";
    c->instance_id = instance;
}

START_TEST(test_static_member_restart_without_rebalance)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t s1, s2;
    static_client(&s1, "s1", "i1");
    static_client(&s2, "s2", "i2");
    fx_client_t *all[] = {&s1, &s2};
    fx_form_group(&f, all, 2, "g"); /* static members join without MEMBER_ID_REQUIRED */
    ck_assert_int_eq(strncmp(s1.member_id, "i1-", 3), 0);
    /* s1 restarts: same instance id, no member id */
    fx_client_t s1b;
    static_client(&s1b, "s1", "i1");
    int appends = f.appends;
    ck_assert_int_eq(fx_join(&f, &s1b, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&s1b), KL_ERR_NONE);
    ck_assert_int_eq(f.appends, appends + 1); /* the new member id is persisted */
    ck_assert_str_ne(s1b.member_id, s1.member_id);
    ck_assert_int_eq(s1b.generation, 1);
    /* before v9 the old leader id comes back: no pointless assignment */
    ck_assert(str_is(join_resp(&s1b)->leader, s1.member_id));
    ck_assert_int_eq(join_resp(&s1b)->members.count, 0);
    ck_assert_str_eq(state_of(&f, "g"), "Stable");
    ck_assert_int_eq(fx_heartbeat(&f, &s2, "g"), KL_ERR_NONE);
    /* the old incarnation is fenced */
    ck_assert_int_eq(fx_heartbeat(&f, &s1, "g"), KL_ERR_FENCED_INSTANCE_ID);
    ck_assert_int_eq(fx_join(&f, &s1, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&s1), KL_ERR_FENCED_INSTANCE_ID);
    /* the new one keeps the old assignment */
    ck_assert_int_eq(fx_sync(&f, &s1b, "g", 5, 0, NULL, NULL), GROUP_REPLIED);
    ck_assert_int_eq(sync_resp(&s1b)->assignment.len, 7);
    ck_assert_int_eq(memcmp(sync_resp(&s1b)->assignment.ptr, "s1-part", 7), 0);
    /* v9: the restarted leader learns it leads but skips the assignment */
    fx_client_t s1c;
    static_client(&s1c, "s1", "i1");
    ck_assert_int_eq(fx_join(&f, &s1c, "g", 9), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&s1c), KL_ERR_NONE);
    ck_assert(str_is(join_resp(&s1c)->leader, s1c.member_id));
    ck_assert(join_resp(&s1c)->skip_assignment);
    ck_assert_int_eq(join_resp(&s1c)->members.count, 2);
    /* a failed append undoes the replacement */
    fx_client_t s2b;
    static_client(&s2b, "s2", "i2");
    f.fail_next = KL_ERR_KAFKA_STORAGE_ERROR;
    ck_assert_int_eq(fx_join(&f, &s2b, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&s2b), KL_ERR_NOT_COORDINATOR);
    ck_assert_int_eq(fx_heartbeat(&f, &s2, "g"), KL_ERR_NONE);
    fx_client_t *more[] = {&s1, &s2, &s1b, &s1c, &s2b};
    for (int i = 0; i < 5; i++)
        fx_client_free(more[i]);
    fx_free(&f);
}
END_TEST

START_TEST(test_static_member_protocol_change_rebalances)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t s1, s2;
    static_client(&s1, "s1", "i1");
    static_client(&s2, "s2", "i2");
    fx_client_t *all[] = {&s1, &s2};
    fx_form_group(&f, all, 2, "g"); /* range: both prefer it */
    /* s1 comes back preferring roundrobin: the vote ties, and the first
     * member's (s1's) preference now wins, so the protocol would change */
    fx_client_t s1b;
    static_client(&s1b, "s1", "i1");
    s1b.protocols[0] = "roundrobin", s1b.protocols[1] = "range";
    JOIN_PENDING(&f, &s1b, "g", 5);
    ck_assert_str_eq(state_of(&f, "g"), "PreparingRebalance");
    ck_assert_int_eq(fx_join(&f, &s2, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&s1b), KL_ERR_NONE);
    ck_assert(str_is(join_resp(&s1b)->protocol_name, "roundrobin"));
    ck_assert_int_eq(s1b.generation, 2);
    fx_client_free(&s1);
    fx_client_free(&s2);
    fx_client_free(&s1b);
    fx_free(&f);
}
END_TEST

static kl_leave_group_request_member_identity_t identity(const char *member_id, const char *instance_id)
{
    return (kl_leave_group_request_member_identity_t){kl_str(member_id), kl_str(instance_id), KL_STR_NULL};
}

START_TEST(test_leave_single_and_batched)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b, c;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    fx_client_init(&c, "c", "range");
    fx_client_t *all[] = {&a, &b, &c};
    fx_form_group(&f, all, 3, "g");
    /* v1: one member, the error at the top */
    ck_assert_int_eq(fx_leave(&f, &b, "g", 1), KL_ERR_NONE);
    ck_assert_int_eq(fx_leave(&f, &b, "g", 1), KL_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(fx_leave(&f, &b, "nope", 1), KL_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_str_eq(state_of(&f, "g"), "PreparingRebalance");
    JOIN_PENDING(&f, &a, "g", 5);
    ck_assert_int_eq(fx_join(&f, &c, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&a), KL_ERR_NONE);
    ck_assert_int_eq(join_resp(&a)->members.count, 2);

    /* v3+: several at once, by member id or by instance id */
    fixture_t g;
    fx_init(&g, false);
    fx_client_t s1, s2, d;
    static_client(&s1, "s1", "i1");
    static_client(&s2, "s2", "i2");
    fx_client_init(&d, "d", "range");
    d.protocols[1] = "roundrobin";
    fx_client_t *members[] = {&s1, &s2, &d};
    fx_form_group(&g, members, 3, "h");
    kl_leave_group_request_member_identity_t who[] = {identity("", "i1"), identity(d.member_id, NULL),
                                                       identity("nope", NULL), identity(s2.member_id, "i9")};
    kl_leave_group_request_t req;
    kl_proto_init(&kl_leave_group_request_schema, &req);
    req.group_id = kl_str("h");
    req.members.items = who;
    req.members.count = 4;
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(5, "admin");
    ck_assert_int_eq(group_leave(g.coord, &ctx, &req, fx_reply(&r, KL_API_LEAVE_GROUP, 5)), GROUP_REPLIED);
    const kl_leave_group_response_t *lr = r.resp;
    ck_assert_int_eq(lr->error_code, 0);
    ck_assert_int_eq(lr->members.count, 4);
    ck_assert_int_eq(lr->members.items[0].error_code, 0);
    ck_assert(str_is(lr->members.items[0].group_instance_id, "i1"));
    ck_assert_int_eq(lr->members.items[1].error_code, 0);
    ck_assert_int_eq(lr->members.items[2].error_code, KL_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(lr->members.items[3].error_code, KL_ERR_UNKNOWN_MEMBER_ID);
    fx_reply_free(&r);
    ck_assert_str_eq(state_of(&g, "h"), "PreparingRebalance");
    ck_assert_int_eq(fx_join(&g, &s2, "h", 5), GROUP_REPLIED); /* the only one left */
    ck_assert_int_eq(fx_joined(&s2), KL_ERR_NONE);
    ck_assert_int_eq(s2.generation, 2);
    /* the last one leaves: Empty, at the next generation */
    ck_assert_int_eq(fx_leave(&g, &s2, "h", 2), KL_ERR_NONE);
    ck_assert_str_eq(state_of(&g, "h"), "Empty");
    s2.generation = 3;
    ck_assert_int_eq(fx_commit(&g, "h", -1, NULL, "t", 0, 1, NULL, 8), KL_ERR_NONE);
    for (int i = 0; i < 3; i++) {
        fx_client_free(all[i]);
        fx_client_free(members[i]);
    }
    fx_free(&f);
    fx_free(&g);
}
END_TEST

START_TEST(test_request_checks)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a;
    fx_client_init(&a, "a", "range");
    a.session_ms = 1000; /* below group.min.session.timeout.ms */
    ck_assert_int_eq(fx_join(&f, &a, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&a), KL_ERR_INVALID_SESSION_TIMEOUT);
    a.session_ms = 10000;
    ck_assert_int_eq(fx_join(&f, &a, "", 5), GROUP_REPLIED);
    ck_assert_int_eq(fx_joined(&a), KL_ERR_INVALID_GROUP_ID);
    strcpy(a.member_id, "x");
    a.generation = 1;
    ck_assert_int_eq(fx_heartbeat(&f, &a, "g"), KL_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(fx_sync(&f, &a, "g", 3, 0, NULL, NULL), GROUP_REPLIED);
    ck_assert_int_eq(sync_resp(&a)->error_code, KL_ERR_UNKNOWN_MEMBER_ID);
    fx_client_free(&a);
    fx_free(&f);
}
END_TEST

START_TEST(test_cancelled_join_member_times_out)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    JOIN_PENDING(&f, &a, "g", 3);
    JOIN_PENDING(&f, &b, "g", 3);
    group_cancel(f.coord, &a.join); /* a's connection closed */
    fx_advance(&f, 6000);
    ck_assert_int_eq(a.join.count, 0);
    ck_assert_int_eq(fx_joined(&b), KL_ERR_NONE);
    ck_assert_int_eq(join_resp(&b)->members.count, 0); /* a leads, and stays until its session ends */
    ck_assert_int_eq(fx_sync(&f, &b, "g", 3, 0, NULL, NULL), GROUP_PENDING);
    fx_advance(&f, 9999);
    ck_assert_int_eq(b.sync.count, 0);
    fx_advance(&f, 1);
    ck_assert_int_eq(sync_resp(&b)->error_code, KL_ERR_REBALANCE_IN_PROGRESS);
    ck_assert_int_eq(fx_join(&f, &b, "g", 3), GROUP_REPLIED); /* alone now: no wait */
    ck_assert_int_eq(fx_joined(&b), KL_ERR_NONE);
    ck_assert_int_eq(b.generation, 2);
    ck_assert_int_eq(join_resp(&b)->members.count, 1);
    fx_client_free(&a);
    fx_client_free(&b);
    fx_free(&f);
}
END_TEST

START_TEST(test_group_max_size)
{
    fixture_t f;
    fx_init(&f, false);
    f.config.max_size = 2;
    fx_restart(&f);
    fx_client_t a, b, c;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    fx_client_init(&c, "c", "range");
    fx_client_t *all[] = {&a, &b};
    fx_form_group(&f, all, 2, "g");
    ck_assert_int_eq(fx_join(&f, &c, "g", 5), GROUP_REPLIED); /* refused before getting an id */
    ck_assert_int_eq(fx_joined(&c), KL_ERR_GROUP_MAX_SIZE_REACHED);
    ck_assert_str_eq(c.member_id, "");
    ck_assert_str_eq(state_of(&f, "g"), "Stable");
    fx_client_free(&a);
    fx_client_free(&b);
    fx_client_free(&c);
    fx_free(&f);
}
END_TEST

/* A reply callback that sends SyncGroup from inside, as a broker does when
 * answering resumes the connection and serves its next request at once. */
typedef struct reenter {
    group_reply_t inner;
    fixture_t *f;
    fx_client_t *c;
    group_status_t sync_status;
    int syncs;
} reenter_t;

static void reenter_cb(void *opaque, const void *resp)
{
    reenter_t *r = opaque;
    r->inner.fn(r->inner.opaque, resp);
    if (fx_joined(r->c) == KL_ERR_NONE && r->syncs++ == 0)
        r->sync_status = fx_sync(r->f, r->c, "g", 5, 0, NULL, NULL);
}

START_TEST(test_reply_callback_reenters)
{
    fixture_t f;
    fx_init(&f, false);
    fx_client_t a, b, c;
    fx_client_init(&a, "a", "range");
    fx_client_init(&b, "b", "range");
    fx_client_init(&c, "c", "range");
    fx_client_t *all[] = {&a, &b, &c};
    fx_form_group(&f, all, 3, "g");
    /* the leader rejoins; its answer, delivered first, makes it sync
     * (with no assignments) from inside the callback, and that inner call
     * delivers the rest, the outer request's own answer included */
    reenter_t re = {fx_reply(&a.join, KL_API_JOIN_GROUP, 5), &f, &a, GROUP_PENDING, 0};
    ck_assert_int_eq(fx_join_with(&f, &a, "g", 5, (group_reply_t){reenter_cb, &re}), GROUP_PENDING);
    ck_assert_int_eq(fx_join(&f, &b, "g", 5), GROUP_PENDING);
    ck_assert_int_eq(fx_join(&f, &c, "g", 5), GROUP_REPLIED);
    ck_assert_int_eq(re.syncs, 1);
    ck_assert_int_eq(re.sync_status, GROUP_REPLIED); /* the leader's own sync answered at once */
    ck_assert_int_eq(fx_joined(&b), KL_ERR_NONE);
    ck_assert_int_eq(fx_joined(&c), KL_ERR_NONE);
    ck_assert_int_eq(a.generation, 2);
    ck_assert_str_eq(state_of(&f, "g"), "Stable");
    ck_assert_int_eq(fx_sync(&f, &b, "g", 5, 0, NULL, NULL), GROUP_REPLIED);
    ck_assert_int_eq(sync_resp(&b)->assignment.len, 0);
    for (int i = 0; i < 3; i++)
        fx_client_free(all[i]);
    fx_free(&f);
}
END_TEST

static Suite *group_state_suite(void)
{
    Suite *s = suite_create("group_state");
    TCase *tc = tcase_create("membership");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_initial_delay_extends_while_members_join);
    tcase_add_test(tc, test_initial_delay_capped_by_rebalance_timeout);
    tcase_add_test(tc, test_member_id_required);
    tcase_add_test(tc, test_three_members_protocol_and_assignment);
    tcase_add_test(tc, test_session_timeout_rebalances_survivors);
    tcase_add_test(tc, test_rebalance_timeout_removes_laggard);
    tcase_add_test(tc, test_follower_rejoin_with_same_metadata_no_rebalance);
    tcase_add_test(tc, test_static_member_restart_without_rebalance);
    tcase_add_test(tc, test_static_member_protocol_change_rebalances);
    tcase_add_test(tc, test_leave_single_and_batched);
    tcase_add_test(tc, test_request_checks);
    tcase_add_test(tc, test_cancelled_join_member_times_out);
    tcase_add_test(tc, test_group_max_size);
    tcase_add_test(tc, test_reply_callback_reenters);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(group_state_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
