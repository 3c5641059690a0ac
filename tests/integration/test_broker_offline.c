/* Offline partitions on the embedded broker: a partition whose segment
 * cannot be read at start (a directory where the segment file should be,
 * which even root cannot open for writing; and chmod 000, run as user
 * nobody when root) answers KAFKA_STORAGE_ERROR to produce, fetch and
 * ListOffsets while the other partitions are served; a log dir whose writes fail at run time
 * (RLIMIT_FSIZE makes the kernel refuse them, also for root) goes offline
 * with its partitions, the other dir goes on, and after a restart with
 * writes allowed again everything acknowledged before is there; with no
 * log dir online, no new topic is created. Driven by the blocking wire
 * client. */
#include <check.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker_wire.h"
#include "proto/api.h"
#include "proto/msg_fetch.h"
#include "test_skip.h"

#define SEGMENT "00000000000000000000.log"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int16_t produce_to(wire_client_t *wc, const char *topic, int32_t partition, int first, size_t value_size,
                          int64_t *base)
{
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    make_batch(&w, first, 3, value_size, &data, &len);
    kl_produce_response_partition_t r;
    int16_t err = produce_raw(wc, topic, partition, data, len, 9, &r);
    kl_batch_writer_free(&w);
    if (base)
        *base = r.base_offset;
    return err;
}

/* Fetch of one partition from offset: its error, and the records in
 * *records (may be NULL). */
static int16_t fetch_from(wire_client_t *wc, const char *topic, int32_t partition, int64_t offset, int *records)
{
    kl_fetch_request_t req;
    kl_fetch_request_topic_t t;
    kl_fetch_request_partition_t p;
    fetch_request(&req, &t, &p, topic, offset, 1, 0);
    p.partition = partition;
    p.partition_max_bytes = 64 << 20;
    req.max_bytes = 64 << 20;
    kl_fetch_response_t resp;
    exchange_t x;
    call(wc, KL_API_FETCH, 12, &req, &resp, &x);
    const kl_fetch_response_partition_t *rp = &resp.responses.items[0].partitions.items[0];
    int16_t err = rp->error_code;
    if (records)
        *records = err ? 0 : count_records(rp, offset);
    done(&x);
    return err;
}

static int16_t list_latest(wire_client_t *wc, const char *topic, int32_t partition, int64_t *offset)
{
    kl_list_offsets_request_partition_t p = {.partition_index = partition, .current_leader_epoch = -1,
                                             .timestamp = -1, .max_num_offsets = 1};
    kl_list_offsets_request_topic_t t = {.name = kl_str(topic), .partitions = {&p, 1}};
    kl_list_offsets_request_t req;
    kl_proto_init(&kl_list_offsets_request_schema, &req);
    req.replica_id = -1;
    req.topics.items = &t;
    req.topics.count = 1;
    kl_list_offsets_response_t resp;
    exchange_t x;
    call(wc, KL_API_LIST_OFFSETS, 5, &req, &resp, &x);
    const kl_list_offsets_response_partition_t *rp = &resp.topics.items[0].partitions.items[0];
    int16_t err = rp->error_code;
    *offset = rp->offset;
    done(&x);
    return err;
}

/* Makes the segment of dir/topic-0 unreadable: mode 0 replaces it with a
 * directory, mode 1 takes its permissions away. */
static void spoil_segment(const char *dir, const char *topic, int mode)
{
    char path[512], moved[600];
    snprintf(path, sizeof path, "%s/%s-0/%s", dir, topic, SEGMENT);
    if (mode == 0) {
        snprintf(moved, sizeof moved, "%s.moved", path);
        ck_assert_int_eq(rename(path, moved), 0);
        ck_assert_int_eq(mkdir(path, 0755), 0);
    } else {
        ck_assert_int_eq(chmod(path, 0), 0);
    }
}

static void unspoil_segment(const char *dir, const char *topic, int mode)
{
    char path[512], moved[600];
    snprintf(path, sizeof path, "%s/%s-0/%s", dir, topic, SEGMENT);
    if (mode == 0) {
        snprintf(moved, sizeof moved, "%s.moved", path);
        ck_assert_int_eq(rmdir(path), 0);
        ck_assert_int_eq(rename(moved, path), 0);
    } else {
        ck_assert_int_eq(chmod(path, 0644), 0);
    }
}

START_TEST(test_unreadable_segment_at_start)
{
    int mode = _i;
    /* root reads and writes whatever the mode says: run as nobody */
    if (mode == 1 && !kl_test_as_nobody("offline as nobody"))
        return;
    static const char *const props[] = {"offsets.topic.num.partitions", "1", NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "o", 2, 1, NULL, NULL, false, NULL), 0);
    for (int32_t p = 0; p < 2; p++)
        ck_assert_int_eq(produce_to(&wc, "o", p, 0, 100, NULL), 0);
    wire_close(&wc);
    kl_broker_destroy(f.broker); /* stopped, to spoil a file under it */
    f.broker = NULL;
    spoil_segment(f.dir, "o", mode);
    fixture_restart(&f);
    connect_to(&wc, &f);
    int64_t offset;
    ck_assert_int_eq(produce_to(&wc, "o", 0, 3, 100, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    ck_assert_int_eq(fetch_from(&wc, "o", 0, 0, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    ck_assert_int_eq(list_latest(&wc, "o", 0, &offset), KL_ERR_KAFKA_STORAGE_ERROR);
    /* the other partition is served */
    int64_t base;
    int records;
    ck_assert_int_eq(produce_to(&wc, "o", 1, 3, 100, &base), 0);
    ck_assert_int_eq(base, 3);
    ck_assert_int_eq(fetch_from(&wc, "o", 1, 0, &records), 0);
    ck_assert_int_eq(records, 6);
    ck_assert_int_eq(list_latest(&wc, "o", 1, &offset), 0);
    ck_assert_int_eq(offset, 6);
    wire_close(&wc);
    /* repaired, the partition comes back with its data */
    kl_broker_destroy(f.broker);
    f.broker = NULL;
    unspoil_segment(f.dir, "o", mode);
    fixture_restart(&f);
    connect_to(&wc, &f);
    ck_assert_int_eq(fetch_from(&wc, "o", 0, 0, &records), 0);
    ck_assert_int_eq(records, 3);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* Fills partition 0 of topic past 200 KB, then makes a write fail there
 * (no file may grow past 200 KB meanwhile: RLIMIT_FSIZE makes the
 * kernel refuse it, also for root), which takes its log dir offline.
 * Returns the batches written. */
static int fail_a_write(wire_client_t *wc, const char *topic)
{
    int big = 0;
    for (; big < 300; big++)
        ck_assert_int_eq(produce_to(wc, topic, 0, 3 * big, 1000, NULL), 0);
    struct rlimit saved, limit = {200 * 1024, RLIM_INFINITY};
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    limit.rlim_max = saved.rlim_max;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);
    int16_t err = produce_to(wc, topic, 0, 3 * big, 1000, NULL);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    ck_assert_int_eq(err, KL_ERR_KAFKA_STORAGE_ERROR);
    return big;
}

START_TEST(test_dir_unwritable_at_run_time)
{
    char list[256];
    broker_fixture_t f;
    static char props_list[256];
    static const char *props[] = {"log.dirs", props_list, "offsets.topic.num.partitions", "1", NULL};
    /* two log dirs inside a scratch one the fixture removes */
    char scratch[] = "/tmp/kl-offline-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    snprintf(list, sizeof list, "%s/a,%s/b", scratch, scratch);
    snprintf(props_list, sizeof props_list, "%s", list);
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    /* __consumer_offsets-0 goes to a (made as a group would make it), then
     * w-0 to b and w-1 to a */
    kl_metadata_response_t md;
    exchange_t x;
    ck_assert_int_eq(metadata_topic(&wc, "__consumer_offsets", false, &md, &x)->error_code, 0);
    done(&x);
    ck_assert_int_eq(create_topic(&wc, "w", 2, 1, NULL, NULL, false, NULL), 0);
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/b/w-0", scratch);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(produce_to(&wc, "w", 1, 0, 100, NULL), 0);
    /* w-0's segment (300 KB) cannot take another byte, the small ones can */
    int big = fail_a_write(&wc, "w");
    /* dir b is offline now, writable or not; a goes on */
    ck_assert_int_eq(produce_to(&wc, "w", 0, 3 * big, 100, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    ck_assert_int_eq(fetch_from(&wc, "w", 0, 0, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    int64_t base;
    ck_assert_int_eq(produce_to(&wc, "w", 1, 3, 100, &base), 0);
    ck_assert_int_eq(base, 3);
    /* a new topic avoids the offline dir */
    ck_assert_int_eq(create_topic(&wc, "n", 1, 1, NULL, NULL, false, NULL), 0);
    snprintf(path, sizeof path, "%s/a/n-0", scratch);
    ck_assert_int_eq(stat(path, &st), 0);
    wire_close(&wc);
    /* After a restart every acknowledged batch is there, nothing more. */
    fixture_restart(&f);
    connect_to(&wc, &f);
    int records;
    ck_assert_int_eq(fetch_from(&wc, "w", 0, 0, &records), 0);
    ck_assert_int_eq(records, 3 * big);
    int64_t end;
    ck_assert_int_eq(list_latest(&wc, "w", 0, &end), 0);
    ck_assert_int_eq(end, 3 * big);
    ck_assert_int_eq(produce_to(&wc, "w", 0, 3 * big, 100, &base), 0);
    ck_assert_int_eq(base, 3 * big);
    wire_close(&wc);
    fixture_stop(&f);
    nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

/* Issue 13, fault 7: with its only log dir offline (a write failed there:
 * the disk was full), the broker creates no topic on it: CreateTopics and
 * auto-creation answer KAFKA_STORAGE_ERROR and no directory appears. */
START_TEST(test_offline_dir_takes_no_new_topic)
{
    static const char *const props[] = {"offsets.topic.num.partitions", "1", "auto.create.topics.enable", "true",
                                        NULL};
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "w", 1, 1, NULL, NULL, false, NULL), 0);
    fail_a_write(&wc, "w");

    ck_assert_int_eq(create_topic(&wc, "n", 1, 1, NULL, NULL, false, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    kl_metadata_response_t md;
    exchange_t x;
    ck_assert_int_eq(metadata_topic(&wc, "n", true, &md, &x)->error_code, KL_ERR_KAFKA_STORAGE_ERROR);
    done(&x);
    ck_assert_int_eq(produce_to(&wc, "n", 0, 0, 100, NULL), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/n-0", f.dir);
    ck_assert_int_ne(stat(path, &st), 0);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

static Suite *offline_suite(void)
{
    Suite *s = suite_create("broker_offline");
    TCase *tc = tcase_create("offline");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_unreadable_segment_at_start, 0, 1);
    tcase_add_test(tc, test_dir_unwritable_at_run_time);
    tcase_add_test(tc, test_offline_dir_takes_no_new_topic);
    suite_add_tcase(s, tc);
    TCase *nobody = tcase_create("offline as nobody");
    tcase_set_timeout(nobody, 60);
    tcase_add_loop_test(nobody, test_unreadable_segment_at_start, 1, 2);
    suite_add_tcase(s, nobody);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(offline_suite());
    srunner_run_all(sr, CK_NORMAL);
    int rc = kl_test_result(sr);
    srunner_free(sr);
    return rc;
}
