/* Unit tests for lib/consumer's assignors: hand-computed range and
 * roundrobin assignments, cooperative-sticky stickiness, revoke-first moves,
 * generation conflicts and a seeded property test of its balance, and the
 * JoinGroup subscription metadata round trip for versions 0-3. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "consumer/assignor.h"
#include "consumer/assignor_plan.h"
#include "consumer/assignor_sticky.h"

#define MAX_MEMBERS 16
#define MAX_TOPICS 8

/* A group under test: members and topics built from short specs, all
 * memory in one arena. */
typedef kl_consumer_protocol_assignment_topic_partition_t assigned_t;

typedef struct group {
    kl_arena_t arena;
    kl_assignor_member_t members[MAX_MEMBERS];
    size_t member_count;
    kl_assignor_topic_t topics[MAX_TOPICS];
    size_t topic_count;
    kl_consumer_protocol_assignment_t result[MAX_MEMBERS];
} group_t;

static void group_init(group_t *g)
{
    memset(g, 0, sizeof *g);
    kl_arena_init(&g->arena, 0);
}

static void group_free(group_t *g) { kl_arena_free(&g->arena); }

static const char *dup(group_t *g, const char *s, size_t n)
{
    return kl_arena_strndup(&g->arena, s, n);
}

static void add_topic(group_t *g, const char *name, int32_t partitions)
{
    ck_assert_uint_lt(g->topic_count, MAX_TOPICS);
    g->topics[g->topic_count++] = (kl_assignor_topic_t){kl_str(dup(g, name, strlen(name))),
                                                        partitions};
}

/* topics: "t0,t1"; instance NULL for a dynamic member. */
static kl_assignor_member_t *add_member(group_t *g, const char *id, const char *instance,
                                        const char *topics)
{
    ck_assert_uint_lt(g->member_count, MAX_MEMBERS);
    kl_assignor_member_t *m = &g->members[g->member_count++];
    m->member_id = kl_str(dup(g, id, strlen(id)));
    m->group_instance_id = instance ? kl_str(dup(g, instance, strlen(instance))) : KL_STR_NULL;
    m->version = KL_CONSUMER_PROTOCOL_MAX_VERSION;
    m->subscription.user_data = KL_BYTES_NULL;
    m->subscription.generation_id = -1;
    m->subscription.rack_id = KL_STR_NULL;
    kl_str_t *names = kl_arena_calloc(&g->arena, MAX_TOPICS, sizeof *names);
    int32_t count = 0;
    for (const char *s = topics; *s;) {
        size_t len = strcspn(s, ",");
        names[count++] = kl_str(dup(g, s, len));
        s += len + (s[len] == ',');
    }
    m->subscription.topics.items = names;
    m->subscription.topics.count = count;
    return m;
}

/* Parses "t0:0,1;t1:2" into (topic, partition) pairs. */
static size_t parse_partitions(group_t *g, const char *spec, kl_assignor_partition_t *out,
                               size_t max)
{
    size_t n = 0;
    for (const char *s = spec; *s;) {
        size_t len = strcspn(s, ":");
        const char *topic = dup(g, s, len);
        s += len + 1;
        for (;;) {
            char *end;
            long p = strtol(s, &end, 10);
            ck_assert_uint_lt(n, max);
            out[n++] = (kl_assignor_partition_t){topic, (int32_t)p};
            s = end;
            if (*s != ',')
                break;
            s++;
        }
        if (*s == ';')
            s++;
    }
    return n;
}

/* Sets what m owns ("t0:0,1;t1:2") and the generation it is from. */
static void set_owned(group_t *g, kl_assignor_member_t *m, const char *spec, int32_t generation)
{
    kl_assignor_partition_t parts[256];
    size_t n = parse_partitions(g, spec, parts, 256);
    kl_assignor_owned_t owned;
    ck_assert_int_eq(kl_assignor_owned_group(parts, n, &g->arena, &owned), KL_ERR_NONE);
    m->subscription.owned_partitions.items = owned.items;
    m->subscription.owned_partitions.count = owned.count;
    m->subscription.generation_id = generation;
}

/* "t0:0,1;t1:2", the format set_owned reads; "" when empty. */
static const char *assignment_str(const kl_consumer_protocol_assignment_t *a, char *buf,
                                  size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < a->assigned_partitions.count; i++) {
        const assigned_t *tp = &a->assigned_partitions.items[i];
        len += (size_t)snprintf(buf + len, size - len, "%s%.*s:", i ? ";" : "", (int)tp->topic.len,
                                tp->topic.ptr);
        for (int32_t k = 0; k < tp->partitions.count; k++)
            len += (size_t)snprintf(buf + len, size - len, "%s%d", k ? "," : "",
                                    (int)tp->partitions.items[k]);
    }
    return buf;
}

static void run(group_t *g, const kl_assignor_t *assignor)
{
    ck_assert_int_eq(kl_assignor_assign(assignor, g->members, g->member_count, g->topics,
                                        g->topic_count, &g->arena, g->result),
                     KL_ERR_NONE);
}

/* Checks member i's assignment against "t0:0,1;t1:2". */
static void expect(group_t *g, size_t i, const char *want)
{
    char buf[1024];
    ck_assert_str_eq(assignment_str(&g->result[i], buf, sizeof buf), want);
}

/* The next round of a cooperative group: everyone now owns what it was
 * given, one generation later. */
static void next_generation(group_t *g, int32_t generation)
{
    for (size_t i = 0; i < g->member_count; i++) {
        char buf[1024];
        set_owned(g, &g->members[i], assignment_str(&g->result[i], buf, sizeof buf), generation);
    }
}

/* ---- range and roundrobin ---- */

START_TEST(range_even_and_uneven)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t1", 3);
    add_topic(&g, "t0", 3);
    add_member(&g, "consumer-b", NULL, "t0,t1");
    add_member(&g, "consumer-a", NULL, "t1,t0");
    run(&g, &kl_assignor_range);
    /* Per topic, a (first by id) gets the extra partition of both topics. */
    expect(&g, 0, "t0:2;t1:2");
    expect(&g, 1, "t0:0,1;t1:0,1");
    group_free(&g);
}
END_TEST

START_TEST(range_uneven_subscriptions)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 5);
    add_topic(&g, "t1", 2);
    add_topic(&g, "t2", 4);
    add_member(&g, "a", NULL, "t0,t1");
    add_member(&g, "b", NULL, "t0");
    add_member(&g, "c", NULL, "t1,t2,missing");
    run(&g, &kl_assignor_range);
    /* t0: a, b share 5 (3 + 2); t1: a, c share 2; t2: c alone; "missing"
     * is not in metadata and is skipped. */
    expect(&g, 0, "t0:0,1,2;t1:0");
    expect(&g, 1, "t0:3,4");
    expect(&g, 2, "t1:1;t2:0,1,2,3");
    group_free(&g);
}
END_TEST

START_TEST(range_static_members_first)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 7);
    add_member(&g, "m-0", NULL, "t0");
    add_member(&g, "m-1", "zeta", "t0");
    add_member(&g, "m-2", "alpha", "t0");
    add_member(&g, "m-3", NULL, "t0");
    run(&g, &kl_assignor_range);
    /* Order: alpha (m-2), zeta (m-1), then m-0, m-3 by member id; 7 over 4
     * is 1 each plus 3 extra for the first three. */
    expect(&g, 2, "t0:0,1");
    expect(&g, 1, "t0:2,3");
    expect(&g, 0, "t0:4,5");
    expect(&g, 3, "t0:6");
    group_free(&g);
}
END_TEST

START_TEST(range_more_members_than_partitions)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 2);
    add_topic(&g, "empty", 0);
    add_member(&g, "c", NULL, "t0,empty");
    add_member(&g, "a", NULL, "t0");
    add_member(&g, "b", NULL, "t0");
    add_member(&g, "idle", NULL, "");
    run(&g, &kl_assignor_range);
    expect(&g, 0, "");
    expect(&g, 1, "t0:0");
    expect(&g, 2, "t0:1");
    expect(&g, 3, "");
    group_free(&g);
}
END_TEST

START_TEST(roundrobin_two_topics)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t1", 3);
    add_topic(&g, "t0", 3);
    add_member(&g, "b", NULL, "t0,t1");
    add_member(&g, "a", NULL, "t0,t1");
    run(&g, &kl_assignor_roundrobin);
    /* t0-0 a, t0-1 b, t0-2 a, t1-0 b, t1-1 a, t1-2 b */
    expect(&g, 1, "t0:0,2;t1:1");
    expect(&g, 0, "t0:1;t1:0,2");
    group_free(&g);
}
END_TEST

START_TEST(roundrobin_uneven_subscriptions)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 1);
    add_topic(&g, "t1", 2);
    add_topic(&g, "t2", 3);
    add_member(&g, "c0", NULL, "t0");
    add_member(&g, "c1", NULL, "t0,t1");
    add_member(&g, "c2", NULL, "t0,t1,t2");
    run(&g, &kl_assignor_roundrobin);
    /* The Java documentation's example: members not subscribed to a
     * partition's topic are passed over. */
    expect(&g, 0, "t0:0");
    expect(&g, 1, "t1:0");
    expect(&g, 2, "t1:1;t2:0,1,2");
    group_free(&g);
}
END_TEST

START_TEST(roundrobin_static_members_first)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 5);
    add_member(&g, "a", NULL, "t0");
    add_member(&g, "z", "instance-1", "t0");
    add_member(&g, "b", NULL, "t0");
    run(&g, &kl_assignor_roundrobin);
    /* Order: z (static), a, b. */
    expect(&g, 1, "t0:0,3");
    expect(&g, 0, "t0:1,4");
    expect(&g, 2, "t0:2");
    group_free(&g);
}
END_TEST

/* The result depends on the input, not on the order it comes in. */
START_TEST(eager_order_independent)
{
    const kl_assignor_t *assignors[] = {&kl_assignor_range, &kl_assignor_roundrobin,
                                        &kl_assignor_cooperative_sticky};
    for (size_t k = 0; k < 3; k++) {
        group_t g, h;
        group_init(&g);
        group_init(&h);
        const char *ids[] = {"m1", "m2", "m3", "m4"};
        const char *subs[] = {"t0,t1", "t1", "t0,t1,t2", "t2"};
        add_topic(&g, "t0", 4), add_topic(&g, "t1", 5), add_topic(&g, "t2", 3);
        add_topic(&h, "t2", 3), add_topic(&h, "t1", 5), add_topic(&h, "t0", 4);
        for (size_t i = 0; i < 4; i++) {
            add_member(&g, ids[i], NULL, subs[i]);
            add_member(&h, ids[3 - i], NULL, subs[3 - i]);
        }
        run(&g, assignors[k]);
        run(&h, assignors[k]);
        for (size_t i = 0; i < 4; i++) {
            char want[256];
            expect(&h, 3 - i, assignment_str(&g.result[i], want, sizeof want));
        }
        group_free(&g);
        group_free(&h);
    }
}
END_TEST

START_TEST(assign_rejects_bad_input)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 2);
    add_member(&g, "a", NULL, "t0");
    add_member(&g, "a", "other-instance", "t0");
    kl_err_t err = kl_assignor_assign(&kl_assignor_range, g.members, 2, g.topics, 1, &g.arena,
                                      g.result);
    ck_assert_int_eq(err, KL_ERR_INVALID_ARG);
    g.members[1].member_id = kl_str("b");
    add_topic(&g, "t0", 3);
    err = kl_assignor_assign(&kl_assignor_range, g.members, 2, g.topics, 2, &g.arena, g.result);
    ck_assert_int_eq(err, KL_ERR_INVALID_ARG);
    g.topics[1].name = kl_str("t1");
    g.topics[1].partition_count = -1;
    err = kl_assignor_assign(&kl_assignor_range, g.members, 2, g.topics, 2, &g.arena, g.result);
    ck_assert_int_eq(err, KL_ERR_INVALID_ARG);
    /* No members, no topics: nothing to do, no error. */
    ck_assert_int_eq(kl_assignor_assign(&kl_assignor_cooperative_sticky, g.members, 0, g.topics,
                                        0, &g.arena, g.result),
                     KL_ERR_NONE);
    group_free(&g);
}
END_TEST

START_TEST(strategy_list)
{
    const kl_assignor_t *list[4];
    size_t n = 0;
    char err[128];
    ck_assert_int_eq(kl_assignor_list_parse(" roundrobin, range", list, 4, &n, err, sizeof err),
                     KL_ERR_NONE);
    ck_assert_uint_eq(n, 2);
    ck_assert_ptr_eq(list[0], &kl_assignor_roundrobin);
    ck_assert_ptr_eq(list[1], &kl_assignor_range);
    ck_assert_int_eq(kl_assignor_list_parse("cooperative-sticky", list, 4, &n, err, sizeof err),
                     KL_ERR_NONE);
    ck_assert(n == 1 && list[0]->cooperative);
    ck_assert_str_eq(list[0]->protocol_type, "consumer");
    ck_assert_int_eq(kl_assignor_list_parse("range,cooperative-sticky", list, 4, &n, err,
                                            sizeof err),
                     KL_ERR_INVALID_VALUE);
    ck_assert_ptr_nonnull(strstr(err, "mix"));
    ck_assert_int_eq(kl_assignor_list_parse("range,sticky", list, 4, &n, err, sizeof err),
                     KL_ERR_INVALID_VALUE);
    ck_assert_ptr_nonnull(strstr(err, "\"sticky\""));
    ck_assert_int_eq(kl_assignor_list_parse("range,range", list, 4, &n, err, sizeof err),
                     KL_ERR_INVALID_VALUE);
    ck_assert_int_eq(kl_assignor_list_parse("", list, 4, &n, err, sizeof err),
                     KL_ERR_INVALID_VALUE);
    ck_assert_ptr_eq(kl_assignor_by_flag(KL_ASSIGNOR_COOPERATIVE_STICKY),
                     &kl_assignor_cooperative_sticky);
    ck_assert_ptr_eq(kl_assignor_find(kl_str("range")), &kl_assignor_range);
    ck_assert_ptr_null(kl_assignor_find(kl_str("rang")));
}
END_TEST

static void add_eager_tests(TCase *tc)
{
    tcase_add_test(tc, range_even_and_uneven);
    tcase_add_test(tc, range_uneven_subscriptions);
    tcase_add_test(tc, range_static_members_first);
    tcase_add_test(tc, range_more_members_than_partitions);
    tcase_add_test(tc, roundrobin_two_topics);
    tcase_add_test(tc, roundrobin_uneven_subscriptions);
    tcase_add_test(tc, roundrobin_static_members_first);
    tcase_add_test(tc, eager_order_independent);
    tcase_add_test(tc, assign_rejects_bad_input);
    tcase_add_test(tc, strategy_list);
}

/* ---- cooperative-sticky ---- */

#define SLOTS 64 /* partitions per topic the checks below can number */

/* A partition's number in the checks: its topic's index in g->topics times
 * SLOTS plus the partition (-1 when the topic is unknown). */
static int slot_of(const group_t *g, kl_str_t topic, int32_t partition)
{
    for (size_t t = 0; t < g->topic_count; t++)
        if (kl_assignor_str_cmp(g->topics[t].name, topic) == 0)
            return partition >= 0 && partition < SLOTS ? (int)(t * SLOTS) + partition : -1;
    return -1;
}

/* Marks who[slot] = value for every partition of member i's result. */
static size_t mark_result(const group_t *g, size_t i, int *who, int value)
{
    size_t n = 0;
    const kl_consumer_protocol_assignment_t *a = &g->result[i];
    for (int32_t k = 0; k < a->assigned_partitions.count; k++) {
        const assigned_t *tp = &a->assigned_partitions.items[k];
        for (int32_t j = 0; j < tp->partitions.count; j++, n++) {
            int s = slot_of(g, tp->topic, tp->partitions.items[j]);
            ck_assert_int_ge(s, 0);
            ck_assert_msg(who[s] < 0, "partition %d assigned twice", s);
            who[s] = value;
        }
    }
    return n;
}

static bool subscribes(const group_t *g, size_t i, kl_str_t topic)
{
    const kl_consumer_protocol_subscription_t *sub = &g->members[i].subscription;
    for (int32_t k = 0; k < sub->topics.count; k++)
        if (kl_assignor_str_cmp(sub->topics.items[k], topic) == 0)
            return true;
    return false;
}

START_TEST(sticky_fresh_assignment)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 4);
    add_topic(&g, "t1", 3);
    add_member(&g, "c", NULL, "t0,t1");
    add_member(&g, "a", NULL, "t0,t1");
    add_member(&g, "b", NULL, "t0,t1");
    run(&g, &kl_assignor_cooperative_sticky);
    /* Free partitions go, in order, to the least loaded member (the first
     * by member id among equals). */
    expect(&g, 1, "t0:0,3;t1:2");
    expect(&g, 2, "t0:1;t1:0");
    expect(&g, 0, "t0:2;t1:1");
    group_free(&g);
}
END_TEST

START_TEST(sticky_member_leaves)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 4);
    add_topic(&g, "t1", 5);
    add_member(&g, "a", NULL, "t0,t1");
    add_member(&g, "b", NULL, "t0,t1");
    add_member(&g, "c", NULL, "t0,t1");
    run(&g, &kl_assignor_cooperative_sticky);
    next_generation(&g, 1);
    int before[MAX_TOPICS * SLOTS], after[MAX_TOPICS * SLOTS];
    memset(before, -1, sizeof before);
    memset(after, -1, sizeof after);
    for (size_t i = 0; i < 3; i++)
        mark_result(&g, i, before, (int)i);
    g.member_count = 2; /* c leaves */
    run(&g, &kl_assignor_cooperative_sticky);
    size_t na = mark_result(&g, 0, after, 0), nb = mark_result(&g, 1, after, 1);
    ck_assert_uint_eq(na + nb, 9);
    ck_assert_uint_le(na > nb ? na - nb : nb - na, 1);
    /* Only c's partitions moved. */
    for (size_t s = 0; s < MAX_TOPICS * SLOTS; s++)
        if (before[s] == 0 || before[s] == 1)
            ck_assert_int_eq(after[s], before[s]);
    group_free(&g);
}
END_TEST

START_TEST(sticky_member_joins)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 11);
    set_owned(&g, add_member(&g, "a", NULL, "t0"), "t0:0,1,2,3", 4);
    set_owned(&g, add_member(&g, "b", NULL, "t0"), "t0:4,5,6,7", 4);
    set_owned(&g, add_member(&g, "c", NULL, "t0"), "t0:8,9,10", 4);
    add_member(&g, "d", NULL, "t0");
    run(&g, &kl_assignor_cooperative_sticky);
    /* d's share comes from the most loaded (a and b), not from c; the two
     * partitions are revoked first, so d gets nothing yet. */
    expect(&g, 0, "t0:1,2,3");
    expect(&g, 1, "t0:5,6,7");
    expect(&g, 2, "t0:8,9,10");
    expect(&g, 3, "");
    next_generation(&g, 5);
    run(&g, &kl_assignor_cooperative_sticky);
    expect(&g, 0, "t0:1,2,3");
    expect(&g, 1, "t0:5,6,7");
    expect(&g, 2, "t0:8,9,10");
    expect(&g, 3, "t0:0,4");
    group_free(&g);
}
END_TEST

START_TEST(sticky_generation_conflict)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 6);
    set_owned(&g, add_member(&g, "a", NULL, "t0"), "t0:0,1", 3);
    set_owned(&g, add_member(&g, "b", NULL, "t0"), "t0:1,2", 2); /* stale about t0:1 */
    add_member(&g, "c", NULL, "t0");
    run(&g, &kl_assignor_cooperative_sticky);
    /* The newer generation keeps t0:1; b just loses it (it never really
     * had it in generation 3). */
    expect(&g, 0, "t0:0,1");
    expect(&g, 1, "t0:2,4");
    expect(&g, 2, "t0:3,5");
    group_free(&g);
}
END_TEST

START_TEST(sticky_same_generation_tie)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 4);
    set_owned(&g, add_member(&g, "a", NULL, "t0"), "t0:0,1", 3);
    set_owned(&g, add_member(&g, "b", NULL, "t0"), "t0:1,2", 3);
    run(&g, &kl_assignor_cooperative_sticky);
    /* Two claims from one generation: neither is believed, and t0:1 waits
     * until both have let go of it. */
    expect(&g, 0, "t0:0");
    expect(&g, 1, "t0:2,3");
    next_generation(&g, 4);
    run(&g, &kl_assignor_cooperative_sticky);
    expect(&g, 0, "t0:0,1");
    expect(&g, 1, "t0:2,3");
    group_free(&g);
}
END_TEST

/* Members older than subscription v2 say their generation in user data:
 * Java's int32 or librdkafka's [topic [partition]] generation. */
START_TEST(sticky_generation_from_user_data)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 4);
    kl_assignor_member_t *a = add_member(&g, "a", NULL, "t0");
    set_owned(&g, a, "t0:0", -1);
    a->version = 1;
    static const uint8_t java_generation_7[] = {0, 0, 0, 7};
    a->subscription.user_data = kl_bytes(java_generation_7, 4);
    set_owned(&g, add_member(&g, "b", NULL, "t0"), "t0:0,1", 5);
    kl_assignor_member_t *c = add_member(&g, "c", NULL, "t0");
    c->version = 0;
    const kl_assignor_partition_t c_owned[] = {{"t0", 1}};
    kl_assignor_join_t join = {.version = 0, .owned = c_owned, .owned_count = 1,
                               .generation = 9};
    ck_assert_int_eq(kl_sticky_user_data(&join, &g.arena, &c->subscription.user_data),
                     KL_ERR_NONE);
    run(&g, &kl_assignor_cooperative_sticky);
    /* t0:0: a (7) over b (5); t0:1: c (9) over b (5). */
    expect(&g, 0, "t0:0,3");
    expect(&g, 1, "t0:2");
    expect(&g, 2, "t0:1");
    group_free(&g);
}
END_TEST

START_TEST(sticky_unsubscribed_topic_revoked_first)
{
    group_t g;
    group_init(&g);
    add_topic(&g, "t0", 2);
    add_topic(&g, "t1", 1);
    set_owned(&g, add_member(&g, "a", NULL, "t0"), "t0:0;t1:0", 2);
    set_owned(&g, add_member(&g, "b", NULL, "t0,t1"), "t0:1", 2);
    run(&g, &kl_assignor_cooperative_sticky);
    expect(&g, 0, "t0:0");
    expect(&g, 1, "t0:1"); /* t1:0 only once a has revoked it */
    next_generation(&g, 3);
    run(&g, &kl_assignor_cooperative_sticky);
    expect(&g, 0, "t0:0");
    expect(&g, 1, "t0:1;t1:0");
    group_free(&g);
}
END_TEST

/* ---- the property test ---- */

static uint32_t rnd(uint64_t *state, uint32_t n)
{
    uint64_t x = *state;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    *state = x;
    return (uint32_t)(x >> 32) % n;
}

/* A random claim on the group's topics (and past their ends) as set_owned
 * reads it. */
static void random_owned(group_t *g, uint64_t *seed, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t t = 0; t < g->topic_count; t++) {
        const char *sep = len ? ";" : "";
        for (int32_t p = 0; p <= g->topics[t].partition_count; p++) {
            if (rnd(seed, 3) != 0)
                continue;
            len += (size_t)snprintf(buf + len, size - len, "%s%.*s:%d", sep,
                                    (int)g->topics[t].name.len, g->topics[t].name.ptr, (int)p);
            sep = ";";
        }
    }
}

static void random_group(group_t *g, uint64_t *seed)
{
    size_t topics = 1 + rnd(seed, 4);
    for (size_t t = 0; t < topics; t++) {
        char name[8];
        snprintf(name, sizeof name, "t%zu", t);
        add_topic(g, name, (int32_t)rnd(seed, 10));
    }
    /* Three subscriptions to choose from, so that some members share one. */
    char subs[3][64];
    for (size_t k = 0; k < 3; k++) {
        size_t len = 0;
        subs[k][0] = '\0';
        for (size_t t = 0; t < topics; t++)
            if (t == k % topics || rnd(seed, 2))
                len += (size_t)snprintf(subs[k] + len, sizeof subs[k] - len, "%st%zu",
                                        len ? "," : "", t);
        if (rnd(seed, 4) == 0)
            snprintf(subs[k] + len, sizeof subs[k] - len, ",ghost");
    }
    size_t members = 1 + rnd(seed, 7);
    for (size_t i = 0; i < members; i++) {
        char id[16], instance[16], owned[512];
        snprintf(id, sizeof id, "m%02u", rnd(seed, 100) * 10 + (unsigned)i);
        snprintf(instance, sizeof instance, "i%zu", i);
        kl_assignor_member_t *m = add_member(g, id, rnd(seed, 4) ? NULL : instance,
                                             subs[rnd(seed, 3)]);
        if (rnd(seed, 3) != 0) {
            random_owned(g, seed, owned, sizeof owned);
            set_owned(g, m, owned, (int32_t)rnd(seed, 3));
        }
    }
}

/* Claims: every assigned partition exists, is subscribed and is given once;
 * one claimed by anyone else goes only to the sole newest claimant. */
static void check_safe(const group_t *g)
{
    int who[MAX_TOPICS * SLOTS];
    memset(who, -1, sizeof who);
    for (size_t i = 0; i < g->member_count; i++)
        mark_result(g, i, who, (int)i);
    int newest[MAX_TOPICS * SLOTS], claimer[MAX_TOPICS * SLOTS];
    for (size_t s = 0; s < MAX_TOPICS * SLOTS; s++)
        newest[s] = INT32_MIN, claimer[s] = -1;
    for (size_t i = 0; i < g->member_count; i++) {
        const kl_consumer_protocol_subscription_t *sub = &g->members[i].subscription;
        for (int32_t k = 0; k < sub->owned_partitions.count; k++)
            for (int32_t j = 0; j < sub->owned_partitions.items[k].partitions.count; j++) {
                int s = slot_of(g, sub->owned_partitions.items[k].topic,
                                sub->owned_partitions.items[k].partitions.items[j]);
                if (s < 0)
                    continue;
                if (sub->generation_id > newest[s])
                    newest[s] = sub->generation_id, claimer[s] = (int)i;
                else if (sub->generation_id == newest[s])
                    claimer[s] = -2; /* tie */
            }
    }
    for (size_t t = 0; t < g->topic_count; t++)
        for (int32_t p = 0; p < SLOTS; p++) {
            int s = (int)t * SLOTS + p;
            if (who[s] < 0)
                continue;
            ck_assert_int_lt(p, g->topics[t].partition_count);
            ck_assert(subscribes(g, (size_t)who[s], g->topics[t].name));
            if (newest[s] != INT32_MIN)
                ck_assert_int_eq(claimer[s], who[s]);
        }
}

/* Every subscribed partition is given; none could go to a subscriber with
 * two fewer; equal subscriptions hold counts within one. Returns false when
 * some partition is still held back. */
static bool check_balanced(const group_t *g, bool require_complete)
{
    int who[MAX_TOPICS * SLOTS];
    size_t load[MAX_MEMBERS];
    memset(who, -1, sizeof who);
    for (size_t i = 0; i < g->member_count; i++)
        load[i] = mark_result(g, i, who, (int)i);
    for (size_t t = 0; t < g->topic_count; t++) {
        bool subscribed = false;
        for (size_t i = 0; i < g->member_count; i++)
            subscribed |= subscribes(g, i, g->topics[t].name);
        for (int32_t p = 0; p < g->topics[t].partition_count; p++) {
            int owner = who[t * SLOTS + (size_t)p];
            if (subscribed && owner < 0 && !require_complete)
                return false;
            ck_assert_msg(subscribed == (owner >= 0), "t%zu-%d owner %d", t, (int)p, owner);
            for (size_t i = 0; owner >= 0 && i < g->member_count; i++)
                if (subscribes(g, i, g->topics[t].name))
                    ck_assert_uint_ge(load[i] + 1, load[owner]);
        }
    }
    for (size_t i = 0; i < g->member_count; i++)
        for (size_t j = 0; j < g->member_count; j++) {
            bool same = true;
            for (size_t t = 0; t < g->topic_count; t++)
                same &= subscribes(g, i, g->topics[t].name) == subscribes(g, j, g->topics[t].name);
            if (same)
                ck_assert_uint_le(load[i], load[j] + 1);
        }
    return true;
}

static bool same_subscriptions(const group_t *g)
{
    for (size_t i = 1; i < g->member_count; i++)
        for (size_t t = 0; t < g->topic_count; t++)
            if (subscribes(g, i, g->topics[t].name) != subscribes(g, 0, g->topics[t].name))
                return false;
    return true;
}

START_TEST(sticky_property_balanced)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    size_t homogeneous = 0, third_round = 0;
    for (int n = 0; n < 1000; n++) {
        group_t g;
        group_init(&g);
        random_group(&g, &seed);
        run(&g, &kl_assignor_cooperative_sticky);
        check_safe(&g);
        /* Each later rebalance hands out what the one before held back. A
         * group with one subscription settles in the second; with uneven
         * subscriptions a greedy pass can need a third. */
        int rounds = 1;
        do {
            next_generation(&g, 10 + rounds++);
            run(&g, &kl_assignor_cooperative_sticky);
            check_safe(&g);
        } while (!check_balanced(&g, rounds == 4) && rounds < 4);
        if (same_subscriptions(&g)) {
            homogeneous++;
            ck_assert_int_eq(rounds, 2);
        }
        third_round += rounds > 2;
        group_free(&g);
    }
    ck_assert_uint_gt(homogeneous, 100);
    ck_assert_uint_le(third_round, 10);
}
END_TEST

static void add_sticky_tests(TCase *tc)
{
    tcase_add_test(tc, sticky_fresh_assignment);
    tcase_add_test(tc, sticky_member_leaves);
    tcase_add_test(tc, sticky_member_joins);
    tcase_add_test(tc, sticky_generation_conflict);
    tcase_add_test(tc, sticky_same_generation_tie);
    tcase_add_test(tc, sticky_generation_from_user_data);
    tcase_add_test(tc, sticky_unsubscribed_topic_revoked_first);
    tcase_add_test(tc, sticky_property_balanced);
}

/* ---- JoinGroup subscription metadata ---- */

static const char *const join_topics[] = {"t2", "t0", "t2", "t1"};
static const kl_assignor_partition_t join_owned[] = {{"t1", 3}, {"t0", 1}, {"t1", 0}, {"t0", 1}};

static kl_bytes_t build(const kl_assignor_t *assignor, int16_t version, int32_t generation,
                        kl_buf_t *buf)
{
    kl_assignor_join_t join = {.version = version, .topics = join_topics, .topic_count = 4,
                               .owned = join_owned, .owned_count = 4,
                               .generation = generation, .rack = "rack-a"};
    kl_buf_init(buf, 0);
    ck_assert_int_eq(kl_assignor_subscription_build(assignor, &join, buf), KL_ERR_NONE);
    return kl_bytes(buf->data, (int32_t)buf->len);
}

static void expect_owned(const kl_consumer_protocol_subscription_topic_partition_t *owned,
                         int32_t count)
{
    ck_assert_int_eq(count, 2);
    ck_assert(kl_str_eq(owned[0].topic, "t0"));
    ck_assert_int_eq(owned[0].partitions.count, 1);
    ck_assert_int_eq(owned[0].partitions.items[0], 1);
    ck_assert(kl_str_eq(owned[1].topic, "t1"));
    ck_assert_int_eq(owned[1].partitions.count, 2);
    ck_assert_int_eq(owned[1].partitions.items[0], 0);
    ck_assert_int_eq(owned[1].partitions.items[1], 3);
}

/* Each version carries what it has and the leader reads it back. */
START_TEST(subscription_roundtrip)
{
    const kl_assignor_t *assignor = _i < 4 ? &kl_assignor_range : &kl_assignor_cooperative_sticky;
    int16_t version = (int16_t)(_i % 4);
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_buf_t buf;
    kl_bytes_t bytes = build(assignor, version, 7, &buf);
    kl_assignor_member_t m;
    ck_assert_int_eq(kl_assignor_member_parse(&m, kl_str("member-1"), kl_str("static-1"), bytes,
                                              &arena),
                     KL_ERR_NONE);
    ck_assert(kl_str_eq(m.member_id, "member-1") && kl_str_eq(m.group_instance_id, "static-1"));
    ck_assert_int_eq(m.version, version);
    const kl_consumer_protocol_subscription_t *sub = &m.subscription;
    ck_assert_int_eq(sub->topics.count, 3); /* sorted, deduplicated */
    ck_assert(kl_str_eq(sub->topics.items[0], "t0") && kl_str_eq(sub->topics.items[2], "t2"));
    if (version >= 1)
        expect_owned(sub->owned_partitions.items, sub->owned_partitions.count);
    else
        ck_assert_int_eq(sub->owned_partitions.count, 0);
    ck_assert_int_eq(sub->generation_id, version >= 2 ? 7 : -1);
    ck_assert(kl_str_eq(sub->rack_id, version >= 3 ? "rack-a" : NULL));
    if (assignor->user_data == NULL) {
        ck_assert_int_lt(sub->user_data.len, 0);
    } else { /* the sticky user data tells even a v0 leader what we own */
        kl_sticky_claim_t claim;
        ck_assert_int_eq(kl_sticky_member_claim(&m, &arena, &claim), KL_ERR_NONE);
        ck_assert_int_eq(claim.generation, 7);
        expect_owned(claim.owned, claim.owned_count);
    }
    /* Through the codec once more: the same bytes. */
    kl_buf_t again;
    kl_buf_init(&again, 0);
    ck_assert_int_eq(kl_consumer_protocol_subscription_encode(&again, version, sub), KL_ERR_NONE);
    ck_assert_uint_eq(again.len, buf.len);
    ck_assert(memcmp(again.data, buf.data, buf.len) == 0);
    kl_buf_free(&again);
    kl_buf_free(&buf);
    kl_arena_free(&arena);
}
END_TEST

START_TEST(subscription_edges)
{
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_buf_t buf;
    /* No generation yet: no sticky user data. */
    kl_assignor_member_t m;
    kl_bytes_t bytes = build(&kl_assignor_cooperative_sticky, 3, -1, &buf);
    ck_assert_int_eq(kl_assignor_member_parse(&m, kl_str("m"), KL_STR_NULL, bytes, &arena),
                     KL_ERR_NONE);
    ck_assert_int_lt(m.subscription.user_data.len, 0);
    /* A newer version is read as ours; trailing fields are ignored. */
    ck_assert_ptr_nonnull(kl_buf_extend(&buf, 3));
    kl_store_be16(buf.data, 9);
    bytes = kl_bytes(buf.data, (int32_t)buf.len);
    ck_assert_int_eq(kl_assignor_member_parse(&m, kl_str("m"), KL_STR_NULL, bytes, &arena),
                     KL_ERR_NONE);
    ck_assert_int_eq(m.version, KL_CONSUMER_PROTOCOL_MAX_VERSION);
    /* Truncated metadata is refused. */
    bytes.len = 5;
    ck_assert_int_eq(kl_assignor_member_parse(&m, kl_str("m"), KL_STR_NULL, bytes, &arena),
                     KL_ERR_BAD_MSG);
    kl_buf_free(&buf);
    /* Versions the codec does not know are refused when building. */
    kl_assignor_join_t join = {.version = 4, .generation = -1};
    kl_buf_init(&buf, 0);
    ck_assert_int_eq(kl_assignor_subscription_build(&kl_assignor_range, &join, &buf),
                     KL_ERR_INVALID_ARG);
    kl_buf_free(&buf);
    kl_arena_free(&arena);
}
END_TEST

/* Members build their metadata, the leader parses it, assigns, and the
 * assignment survives its own codec. */
START_TEST(join_assign_sync)
{
    static const char *const subs[3][2] = {{"orders", "payments"}, {"orders", NULL},
                                           {"payments", "orders"}};
    static const char *const ids[3] = {"c-2", "c-1", "c-3"};
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_assignor_member_t members[3];
    kl_buf_t bufs[3];
    for (size_t i = 0; i < 3; i++) {
        kl_assignor_join_t join = {.version = (int16_t)i, .topics = subs[i],
                                   .topic_count = subs[i][1] ? 2 : 1, .generation = -1};
        kl_buf_init(&bufs[i], 0);
        ck_assert_int_eq(kl_assignor_subscription_build(&kl_assignor_range, &join, &bufs[i]),
                         KL_ERR_NONE);
        kl_bytes_t bytes = kl_bytes(bufs[i].data, (int32_t)bufs[i].len);
        ck_assert_int_eq(kl_assignor_member_parse(&members[i], kl_str(ids[i]), KL_STR_NULL,
                                                  bytes, &arena),
                         KL_ERR_NONE);
    }
    kl_assignor_topic_t topics[] = {{kl_str("payments"), 2}, {kl_str("orders"), 5}};
    kl_consumer_protocol_assignment_t result[3];
    ck_assert_int_eq(kl_assignor_assign(&kl_assignor_range, members, 3, topics, 2, &arena, result),
                     KL_ERR_NONE);
    /* orders: c-1, c-2, c-3 get 2, 2, 1; payments: c-2, c-3 get 1, 1. */
    const char *want[3] = {"orders:2,3;payments:0", "orders:0,1", "orders:4;payments:1"};
    for (size_t i = 0; i < 3; i++) {
        kl_buf_t buf;
        kl_buf_init(&buf, 0);
        ck_assert_int_eq(kl_consumer_protocol_assignment_encode(&buf, 3, &result[i]), KL_ERR_NONE);
        kl_consumer_protocol_assignment_t decoded;
        kl_bytes_t bytes = kl_bytes(buf.data, (int32_t)buf.len);
        ck_assert_int_eq(kl_consumer_protocol_assignment_decode(bytes, &arena, &decoded, NULL),
                         KL_ERR_NONE);
        char got[256];
        ck_assert_str_eq(assignment_str(&decoded, got, sizeof got), want[i]);
        kl_buf_free(&buf);
        kl_buf_free(&bufs[i]);
    }
    kl_arena_free(&arena);
}
END_TEST

static void add_metadata_tests(TCase *tc)
{
    tcase_add_loop_test(tc, subscription_roundtrip, 0, 8);
    tcase_add_test(tc, subscription_edges);
    tcase_add_test(tc, join_assign_sync);
}

static Suite *assignor_suite(void)
{
    Suite *s = suite_create("assignor");
    TCase *tc = tcase_create("eager");
    add_eager_tests(tc);
    suite_add_tcase(s, tc);
    tc = tcase_create("cooperative-sticky");
    tcase_set_timeout(tc, 60);
    add_sticky_tests(tc);
    suite_add_tcase(s, tc);
    tc = tcase_create("metadata");
    add_metadata_tests(tc);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(assignor_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
