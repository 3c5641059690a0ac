/* The log cleaner meeting a batch it cannot read in a closed segment of a
 * compacted log: a decompression bomb (gzip records that inflate past the
 * cleaner's 64 MiB limit). The clean fails once and says where and why
 * (the records inflate past the limit, not a CRC failure); then the
 * cleaner stops before that segment, so the bomb is not inflated again at
 * every back-off, while the segments before it are still cleaned; once
 * the segment changes, it is tried again. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "record/batch.h"
#include "record/batch_layout.h"
#include "storage/cleaner.h"
#include "../test_skip.h"
#include "storage_fixture.h"
#include "util/buf.h"

/* A batch of RECORDS_PER_BATCH records whose gzip section inflates to 65
 * MiB of zeros: one member of 1 MiB, 65 times over. */
static uint8_t *bomb_batch(size_t *len)
{
    size_t plain_len;
    uint8_t *plain = make_batch(999, 10, T0, 0, &plain_len);
    uint8_t *zeros = calloc(1, 1 << 20);
    kl_buf_t member, out;
    kl_buf_init(&member, 0);
    kl_buf_init(&out, 0);
    ck_assert_int_eq(kl_compress(KL_CODEC_GZIP, -1, zeros, 1 << 20, &member), KL_ERR_NONE);
    kl_buf_put(&out, plain, KL_BATCH_HEADER_SIZE);
    for (int i = 0; i < 65; i++)
        kl_buf_put(&out, member.data, member.len);
    ck_assert_int_eq(kl_buf_error(&out), KL_ERR_NONE);
    uint8_t *b = kl_buf_steal(&out, len);
    kl_store_be16(b + KL_BATCH_POS_ATTRIBUTES, KL_CODEC_GZIP);
    kl_store_be32(b + KL_BATCH_POS_LENGTH, (uint32_t)(*len - KL_BATCH_LOG_OVERHEAD));
    kl_store_be32(b + KL_BATCH_POS_CRC, kl_batch_compute_crc(b, *len));
    kl_buf_free(&member);
    free(zeros);
    free(plain);
    return b;
}

START_TEST(test_bomb_not_retried_until_segment_changes)
{
    fixture_t f;
    fixture_setup(&f);
    f.config.segment_bytes = 1024;
    f.config.compact = true;
    f.config.retention_ms = -1;
    fixture_open(&f);
    append_batches(&f, 2, 100); /* segment 0: cleanable */
    int64_t bomb_base = kl_log_end_offset(f.log);
    size_t len;
    uint8_t *bomb = bomb_batch(&len);
    ck_assert_int_eq(kl_log_append_at(f.log, bomb, len, f.now, NULL), KL_ERR_NONE); /* alone in its segment */
    free(bomb);
    append_batches(&f, 4, 100);
    ck_assert_uint_ge(kl_log_segment_count(f.log), 3);

    ck_assert(kl_log_clean_due(f.log, f.now));
    ck_assert_int_eq(kl_log_clean_prepare(f.log, f.now, 0), KL_ERR_CORRUPT_MESSAGE);
    kl_log_clean_failure_t damage;
    ck_assert(kl_log_clean_failure(f.log, &damage));
    ck_assert_int_eq(damage.segment_base, bomb_base);
    ck_assert_uint_eq(damage.position, 0);
    ck_assert_int_eq(damage.err, KL_ERR_TOO_LARGE);
    ck_assert_ptr_nonnull(strstr(damage.why, "inflate"));

    /* Only segment 0 is cleanable now: cleaned without reading the bomb,
     * and then nothing is due. */
    ck_assert_int_eq(kl_log_clean_prepare(f.log, f.now, 0), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_clean_install(f.log, NULL), KL_ERR_NONE);
    ck_assert(!kl_log_clean_due(f.log, f.now));
    ck_assert_int_eq(kl_log_clean_prepare(f.log, f.now, 0), KL_ERR_NOENT);
    ck_assert(kl_log_clean_failure(f.log, &damage));

    /* The segment changes (repaired, say): the cleaner tries it again. */
    char path[512];
    segment_file_path(&f, bomb_base, ".log", path, sizeof path);
    struct timespec times[2] = {{1000, 0}, {1000, 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
    ck_assert(!kl_log_clean_failure(f.log, &damage));
    ck_assert(kl_log_clean_due(f.log, f.now));
    fixture_free(&f);
}
END_TEST

int main(void)
{
    if (!kl_codec_available(KL_CODEC_GZIP))
        kl_test_skip_all("no gzip in this build");
    Suite *s = suite_create("storage_cleaner_damage");
    TCase *tc = tcase_create("bomb");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bomb_not_retried_until_segment_changes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
