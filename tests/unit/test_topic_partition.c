/* Unit tests for the public topic-partition lists: add, find, set_offset,
 * metadata, delete keeping order, sort, deep copy. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "kafkalite/topic_partition.h"

START_TEST(test_add_find_defaults) {
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(0);
    ck_assert_ptr_nonnull(list);
    for (int i = 0; i < 20; i++) /* grows past the first allocation */
        ck_assert_ptr_nonnull(kl_topic_partition_list_add(list, i % 2 ? "b" : "a", i));
    ck_assert_uint_eq(list->count, 20);
    kl_topic_partition_t *e = kl_topic_partition_list_find(list, "b", 7);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->topic, "b");
    ck_assert_int_eq(e->offset, KL_OFFSET_INVALID);
    ck_assert_int_eq(e->leader_epoch, -1);
    ck_assert_ptr_null(e->metadata);
    ck_assert_int_eq(e->err, KL_ERR_NONE);
    ck_assert_ptr_null(kl_topic_partition_list_find(list, "a", 7));
    ck_assert_ptr_null(kl_topic_partition_list_add(list, NULL, 0));
    kl_topic_partition_list_destroy(list);
    kl_topic_partition_list_destroy(NULL);
}
END_TEST

START_TEST(test_set_offset_adds_or_updates) {
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    ck_assert_int_eq(kl_topic_partition_list_set_offset(list, "t", 3, 42), KL_ERR_NONE);
    ck_assert_int_eq(kl_topic_partition_list_set_offset(list, "t", 3, 43), KL_ERR_NONE);
    ck_assert_uint_eq(list->count, 1);
    ck_assert_int_eq(list->elems[0].offset, 43);
    ck_assert_int_eq(kl_topic_partition_list_set_offset(list, NULL, 3, 1), KL_ERR_INVALID_ARG);
    kl_topic_partition_list_destroy(list);
}
END_TEST

START_TEST(test_del_keeps_order) {
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(4);
    for (int i = 0; i < 4; i++)
        kl_topic_partition_list_add(list, "t", i);
    ck_assert_int_eq(kl_topic_partition_list_del(list, "t", 1), 1);
    ck_assert_int_eq(kl_topic_partition_list_del(list, "t", 1), 0);
    ck_assert_uint_eq(list->count, 3);
    ck_assert_int_eq(list->elems[0].partition, 0);
    ck_assert_int_eq(list->elems[1].partition, 2);
    ck_assert_int_eq(list->elems[2].partition, 3);
    kl_topic_partition_list_destroy(list);
}
END_TEST

START_TEST(test_sort_and_copy) {
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(0);
    kl_topic_partition_list_add(list, "zeta", 0);
    kl_topic_partition_list_add(list, "alpha", 5);
    kl_topic_partition_t *e = kl_topic_partition_list_add(list, "alpha", 1);
    e->offset = 99;
    e->leader_epoch = 4;
    e->err = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    ck_assert_int_eq(kl_topic_partition_set_metadata(e, "meta"), KL_ERR_NONE);
    kl_topic_partition_list_sort(list);
    ck_assert_str_eq(list->elems[0].topic, "alpha");
    ck_assert_int_eq(list->elems[0].partition, 1);
    ck_assert_int_eq(list->elems[1].partition, 5);
    ck_assert_str_eq(list->elems[2].topic, "zeta");

    kl_topic_partition_list_t *copy = kl_topic_partition_list_copy(list);
    ck_assert_ptr_nonnull(copy);
    ck_assert_uint_eq(copy->count, 3);
    ck_assert_ptr_ne(copy->elems[0].topic, list->elems[0].topic);
    ck_assert_str_eq(copy->elems[0].metadata, "meta");
    ck_assert_ptr_ne(copy->elems[0].metadata, list->elems[0].metadata);
    ck_assert_int_eq(copy->elems[0].offset, 99);
    ck_assert_int_eq(copy->elems[0].leader_epoch, 4);
    ck_assert_int_eq(copy->elems[0].err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kl_topic_partition_list_destroy(list);
    ck_assert_str_eq(copy->elems[0].metadata, "meta");
    ck_assert_int_eq(kl_topic_partition_set_metadata(&copy->elems[0], NULL), KL_ERR_NONE);
    ck_assert_ptr_null(copy->elems[0].metadata);
    kl_topic_partition_list_destroy(copy);
}
END_TEST

static Suite *tp_suite(void) {
    Suite *s = suite_create("topic_partition");
    TCase *tc = tcase_create("list");
    tcase_add_test(tc, test_add_find_defaults);
    tcase_add_test(tc, test_set_offset_adds_or_updates);
    tcase_add_test(tc, test_del_keeps_order);
    tcase_add_test(tc, test_sort_and_copy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(tp_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
