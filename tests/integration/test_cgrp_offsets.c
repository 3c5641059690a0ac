/* The group member's offset requests against the embedded broker: a
 * simple consumer's commit (generation -1) fetched back with its metadata
 * and leader epoch, surviving a broker restart on the same directory;
 * partitions never committed; and a member's commit with a stale
 * generation answered ILLEGAL_GENERATION, after which the member gives its
 * assignment up as lost and rejoins. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "broker_fixture.h"
#include "broker_wire.h"
#include "cgrp_harness.h"
#include "consumer/cgrp_impl.h"

static const char *const broker_props[] = {
    "group.initial.rebalance.delay.ms", "50",
    "group.min.session.timeout.ms", "500",
    "offsets.topic.num.partitions", "3",
    NULL,
};

static void make_topic(broker_fixture_t *f, const char *name, int partitions)
{
    wire_client_t wc;
    connect_to(&wc, f);
    ck_assert_int_eq(create_topic(&wc, name, partitions, 1, NULL, NULL, false, NULL), 0);
    wire_close(&wc);
}

static kl_topic_partition_list_t *three_offsets(void)
{
    kl_topic_partition_list_t *l = kl_topic_partition_list_new(0);
    kl_topic_partition_t *tp = kl_topic_partition_list_add(l, "orders", 0);
    tp->offset = 42;
    tp->leader_epoch = 3;
    ck_assert_int_eq(kl_topic_partition_set_metadata(tp, "worker-7"), KL_ERR_NONE);
    tp = kl_topic_partition_list_add(l, "orders", 2);
    tp->offset = 7;
    tp = kl_topic_partition_list_add(l, "audit", 0);
    tp->offset = 100000;
    tp->leader_epoch = 0;
    return l;
}

static void check_fetched(member_t *m)
{
    kl_topic_partition_list_t *want = kl_topic_partition_list_new(0);
    kl_topic_partition_list_add(want, "orders", 0);
    kl_topic_partition_list_add(want, "orders", 1); /* never committed */
    kl_topic_partition_list_add(want, "orders", 2);
    kl_topic_partition_list_add(want, "audit", 0);
    offsets_result_t r = member_fetch(m, want);
    ck_assert_int_eq(r.err, KL_ERR_NONE);
    ck_assert_uint_eq(r.parts->count, 4);
    const kl_topic_partition_t *p0 = kl_topic_partition_list_find(r.parts, "orders", 0);
    const kl_topic_partition_t *p1 = kl_topic_partition_list_find(r.parts, "orders", 1);
    const kl_topic_partition_t *p2 = kl_topic_partition_list_find(r.parts, "orders", 2);
    const kl_topic_partition_t *a0 = kl_topic_partition_list_find(r.parts, "audit", 0);
    ck_assert_int_eq(p0->err, KL_ERR_NONE);
    ck_assert_int_eq(p0->offset, 42);
    ck_assert_int_eq(p0->leader_epoch, 3);
    ck_assert_str_eq(p0->metadata, "worker-7");
    ck_assert_int_eq(p1->err, KL_ERR_NONE);
    ck_assert_int_eq(p1->offset, KL_OFFSET_INVALID);
    ck_assert_int_eq(p2->offset, 7);
    ck_assert_int_eq(p2->leader_epoch, -1);
    ck_assert_int_eq(a0->offset, 100000);
    ck_assert_int_eq(a0->leader_epoch, 0);
    kl_topic_partition_list_destroy(r.parts);
    kl_topic_partition_list_destroy(want);
}

START_TEST(simple_commit_fetch_restart)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, "orders", 3);
    make_topic(&f, "audit", 1);
    member_t *m = member_new(f.bootstrap, "simple", NULL);
    kl_topic_partition_list_t *offsets = three_offsets();
    offsets_result_t r = member_commit(m, offsets);
    ck_assert_int_eq(r.err, KL_ERR_NONE);
    ck_assert_uint_eq(r.parts->count, 3);
    for (size_t i = 0; i < r.parts->count; i++)
        ck_assert_int_eq(r.parts->elems[i].err, KL_ERR_NONE);
    kl_topic_partition_list_destroy(r.parts);
    check_fetched(m);
    member_close(m);

    fixture_restart(&f);
    m = member_new(f.bootstrap, "simple", NULL);
    check_fetched(m);
    /* a commit does not move another group's offsets */
    member_t *other = member_new(f.bootstrap, "another", NULL);
    kl_topic_partition_list_t *one = kl_topic_partition_list_new(0);
    kl_topic_partition_list_add(one, "orders", 0);
    r = member_fetch(other, one);
    ck_assert_int_eq(r.parts->elems[0].offset, KL_OFFSET_INVALID);
    kl_topic_partition_list_destroy(r.parts);
    kl_topic_partition_list_destroy(one);
    member_close(other);
    member_close(m);
    kl_topic_partition_list_destroy(offsets);
    fixture_stop(&f);
}
END_TEST

static bool assigned_once(member_t *m, void *arg)
{
    (void)arg;
    return m->assigns >= 1 && m->owned->count == 2;
}

static void age_generation(member_t *m, void *arg)
{
    (void)arg;
    m->cg->generation--; /* as if a rebalance had passed us by */
}

static bool lost_then_back(member_t *m, void *arg)
{
    (void)arg;
    return m->lost_revokes == 1 && m->assigns >= 2 && m->owned->count == 2;
}

START_TEST(stale_generation_commit)
{
    broker_fixture_t f;
    fixture_start(&f, broker_props);
    make_topic(&f, "stale", 2);
    static const char *const props[] = {"session.timeout.ms", "6000", "heartbeat.interval.ms", "500", NULL};
    member_t *m = member_new(f.bootstrap, "stale-group", props);
    static const char *const topics[] = {"stale", NULL};
    member_subscribe(m, topics);
    ck_assert(member_wait(m, assigned_once, NULL, HARNESS_WAIT_MS));
    int32_t generation = member_generation(m);
    ck_assert_int_ge(generation, 1);

    kl_topic_partition_list_t *l = kl_topic_partition_list_new(0);
    kl_topic_partition_list_set_offset(l, "stale", 0, 5);
    offsets_result_t r = member_commit(m, l);
    ck_assert_int_eq(r.err, KL_ERR_NONE);
    ck_assert_int_eq(r.parts->elems[0].err, KL_ERR_NONE);
    kl_topic_partition_list_destroy(r.parts);

    member_call(m, age_generation, NULL);
    kl_topic_partition_list_set_offset(l, "stale", 0, 9);
    r = member_commit(m, l);
    ck_assert_int_eq(r.err, KL_ERR_NONE);
    ck_assert_int_eq(r.parts->elems[0].err, KL_ERR_ILLEGAL_GENERATION);
    kl_topic_partition_list_destroy(r.parts);
    /* the member gives its partitions up as lost and joins again */
    ck_assert(member_wait(m, lost_then_back, NULL, HARNESS_WAIT_MS));
    ck_assert_int_gt(member_generation(m), generation);

    /* the refused commit did not move the offset */
    r = member_fetch(m, l);
    ck_assert_int_eq(r.parts->elems[0].offset, 5);
    kl_topic_partition_list_destroy(r.parts);
    kl_topic_partition_list_destroy(l);
    member_close(m);
    fixture_stop(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cgrp_offsets");
    TCase *tc = tcase_create("offsets");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, simple_commit_fetch_restart);
    tcase_add_test(tc, stale_generation_commit);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
