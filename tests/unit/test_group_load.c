/* The group coordinator replaying __consumer_offsets batches that were
 * damaged: three commits of one group are three batches; the middle one
 * is left out when it fails its CRC or holds a record that does not
 * decode (the commit after it is loaded, the skip reported), and when its
 * length is broken the replay stops there with KL_ERR_CORRUPT_MESSAGE,
 * keeping what came before, for the broker to take the partition offline. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "group_fixture.h"
#include "record/batch_layout.h"

typedef enum { DAMAGE_CRC, DAMAGE_RECORD, DAMAGE_LENGTH } damage_t;

static void count_skip(void *opaque, int64_t base_offset, const char *why)
{
    (void)base_offset;
    ck_assert_ptr_nonnull(why);
    (*(int *)opaque)++;
}

/* Commits 1, 2, 3, damages the second batch as told and replays the three
 * into a new coordinator; returns the load's error. */
static kl_err_t load_damaged(fixture_t *f, damage_t how, group_load_t *load)
{
    fx_init(f, false);
    for (int64_t o = 1; o <= 3; o++)
        ck_assert_int_eq(fx_commit(f, "g", -1, "", "t", 0, o, "", 2), 0);
    size_t len = f->stored.len;
    uint8_t *data = malloc(len);
    memcpy(data, f->stored.data, len);
    kl_batch_iter_t it;
    kl_batch_t first, second;
    kl_batch_iter_init(&it, data, len, 0);
    ck_assert_int_eq(kl_batch_iter_next(&it, &first), 0);
    ck_assert_int_eq(kl_batch_iter_next(&it, &second), 0);
    uint8_t *b = data + first.size;
    if (how == DAMAGE_CRC) {
        b[KL_BATCH_HEADER_SIZE + 4] ^= 0x5a;
    } else if (how == DAMAGE_RECORD) {
        b[KL_BATCH_HEADER_SIZE] += 2; /* the record's length varint */
        kl_store_be32(b + KL_BATCH_POS_CRC, kl_batch_compute_crc(b, second.size));
    } else {
        kl_store_be32(b + KL_BATCH_POS_LENGTH, 5);
    }
    fx_stop(f);
    fx_restart(f);
    kl_err_t err = group_coordinator_load(f->coord, data, len, load);
    free(data);
    return err;
}

static void check_skipped(damage_t how)
{
    fixture_t f;
    int skips = 0;
    group_load_t load = {.skip = count_skip, .opaque = &skips};
    ck_assert_int_eq(load_damaged(&f, how, &load), KL_ERR_NONE);
    ck_assert_uint_eq(load.skipped, 1);
    ck_assert_int_eq(skips, 1);
    ck_assert_int_eq(load.stopped_at, -1);
    ck_assert_int_eq(fx_fetch(&f, "g", "t", 0, NULL, 0), 3);
    fx_free(&f);
}

START_TEST(test_crc_damage_skipped) { check_skipped(DAMAGE_CRC); }
END_TEST

START_TEST(test_bad_record_skipped) { check_skipped(DAMAGE_RECORD); }
END_TEST

START_TEST(test_broken_length_stops)
{
    fixture_t f;
    group_load_t load = {0};
    ck_assert_int_eq(load_damaged(&f, DAMAGE_LENGTH, &load), KL_ERR_CORRUPT_MESSAGE);
    ck_assert_uint_eq(load.skipped, 0);
    ck_assert_int_ge(load.stopped_at, 0);
    ck_assert_ptr_nonnull(load.why);
    ck_assert_int_eq(fx_fetch(&f, "g", "t", 0, NULL, 0), 1); /* what came before is kept */
    fx_free(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("group_load");
    TCase *tc = tcase_create("damage");
    tcase_add_test(tc, test_crc_damage_skipped);
    tcase_add_test(tc, test_bad_record_skipped);
    tcase_add_test(tc, test_broken_length_stops);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
