/* Compaction on the embedded broker: committed offsets of one group,
 * committed over and over with small __consumer_offsets segments, stay
 * bounded on disk once the cleaner thread has run, and the latest one is
 * what OffsetFetch answers after a restart; a compacted topic refuses
 * records without a key and is compacted by the cleaner thread, and a
 * topic switched to compact by IncrementalAlterConfigs is too. Driven by
 * the blocking wire client. */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker_wire.h"
#include "proto/api.h"
#include "proto/msg_config.h"
#include "proto/msg_offset.h"

#define DEADLINE_MS 60000

static const char *const props[] = {
    "offsets.topic.num.partitions", "1",
    "offsets.topic.segment.bytes", "4096",
    "log.cleaner.backoff.ms", "50",
    "log.cleaner.threads", "2",
    NULL,
};

/* Bytes of the .log files of partition directory dir/name, and how many
 * (a snapshot: the cleaner may swap files meanwhile). */
static long long log_bytes(const char *dir, const char *name, int *files)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    long long total = 0;
    *files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, ".log") != 0)
            continue;
        char file[1024];
        struct stat st;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (stat(file, &st) != 0) /* deleted by the cleaner meanwhile */
            continue;
        total += st.st_size;
        (*files)++;
    }
    closedir(d);
    return total;
}

/* OffsetCommit v2 of the simple group "g": partition 0 of "t" at offset. */
static void commit(wire_client_t *wc, int64_t offset)
{
    kl_offset_commit_request_partition_t part = {.partition_index = 0, .committed_offset = offset,
                                                 .committed_leader_epoch = -1, .commit_timestamp = -1,
                                                 .committed_metadata = kl_str("meta")};
    kl_offset_commit_request_topic_t t = {.name = kl_str("t"), .partitions = {&part, 1}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str("g");
    req.generation_id_or_member_epoch = -1;
    req.member_id = kl_str("");
    req.retention_time_ms = -1;
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_commit_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_COMMIT, 2, &req, &resp, &x);
    ck_assert_int_eq(resp.topics.items[0].partitions.items[0].error_code, 0);
    done(&x);
}

static int64_t fetch_committed(wire_client_t *wc)
{
    int32_t idx[] = {0};
    kl_offset_fetch_request_topic_t t = {.name = kl_str("t"), .partition_indexes = {idx, 1}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str("g");
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_fetch_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_FETCH, 5, &req, &resp, &x);
    ck_assert_int_eq(resp.error_code, 0);
    const kl_offset_fetch_response_partition_t *p = &resp.topics.items[0].partitions.items[0];
    ck_assert_int_eq(p->error_code, 0);
    int64_t offset = p->committed_offset;
    done(&x);
    return offset;
}

START_TEST(test_committed_offsets_stay_bounded)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "t", 1, 1, NULL, NULL, false, NULL), 0);
    const int commits = 3000;
    for (int i = 0; i < commits; i++)
        commit(&wc, i);
    int files;
    /* Each commit is a batch of ~150 bytes: ~450 KB uncompacted. */
    long long bytes = log_bytes(f.dir, "__consumer_offsets-0", &files);
    long long deadline = fixture_now_ms() + DEADLINE_MS;
    while ((bytes > 3 * 4096 || files > 3) && fixture_now_ms() < deadline) {
        wire_client_t probe; /* a round trip: lets the broker's timers run */
        connect_to(&probe, &f);
        wire_close(&probe);
        bytes = log_bytes(f.dir, "__consumer_offsets-0", &files);
    }
    ck_assert_int_le(bytes, 3 * 4096);
    ck_assert_int_le(files, 3);
    ck_assert_int_eq(fetch_committed(&wc), commits - 1);
    wire_close(&wc);
    fixture_restart(&f);
    connect_to(&wc, &f);
    ck_assert_int_eq(fetch_committed(&wc), commits - 1);
    commit(&wc, commits); /* and commits go on after the restart */
    ck_assert_int_eq(fetch_committed(&wc), commits);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* One batch of n records keyed "k<key0 + i % keys>". */
static int16_t produce_keyed(wire_client_t *wc, const char *topic, int first, int n, int keys, bool keyless)
{
    kl_batch_writer_t w;
    kl_batch_params_t p;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_init(&p);
    ck_assert_int_eq(kl_batch_writer_open(&w, &p), 0);
    for (int i = first; i < first + n; i++) {
        char key[16], value[64];
        int kl = snprintf(key, sizeof key, "k%d", i % keys);
        int vl = snprintf(value, sizeof value, "value-%d-padding-padding-padding", i);
        bool none = keyless && i == first + n - 1;
        ck_assert_int_eq(kl_batch_writer_append(&w, WIRE_BASE_TIMESTAMP + i, none ? NULL : key, none ? 0 : (size_t)kl,
                                                value, (size_t)vl, NULL, 0),
                         0);
    }
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), 0);
    int16_t err = produce_raw(wc, topic, 0, data, len, 9, NULL);
    kl_batch_writer_free(&w);
    return err;
}

#define KEYED_RECORDS 1000 /* 200 batches of 5 */
#define KEYS 10

/* Records fetched from offset 0 to the high watermark (a fetch answers
 * from one segment at a time): how many, and in alive[] which offsets. */
static int records_from_start(wire_client_t *wc, const char *topic, bool alive[KEYED_RECORDS])
{
    int n = 0;
    memset(alive, 0, KEYED_RECORDS * sizeof alive[0]);
    kl_record_iter_t ri;
    kl_record_iter_init(&ri, 0);
    for (int64_t offset = 0, end = 1; offset < end;) {
        kl_fetch_request_t req;
        kl_fetch_request_topic_t t;
        kl_fetch_request_partition_t p;
        fetch_request(&req, &t, &p, topic, offset, 1, 0);
        p.partition_max_bytes = 8 << 20;
        kl_fetch_response_t resp;
        exchange_t x;
        call(wc, KL_API_FETCH, 12, &req, &resp, &x);
        const kl_fetch_response_partition_t *rp = &resp.responses.items[0].partitions.items[0];
        ck_assert_int_eq(rp->error_code, 0);
        end = rp->high_watermark;
        kl_batch_iter_t bi;
        kl_batch_t b;
        kl_batch_iter_init(&bi, rp->records.ptr, (size_t)rp->records.len, 0);
        int64_t before = offset;
        while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE) {
            ck_assert_int_eq(kl_record_iter_start(&ri, &b), KL_ERR_NONE);
            kl_record_t r;
            while (kl_record_iter_next(&ri, &r) == KL_ERR_NONE) {
                ck_assert(r.offset >= 0 && r.offset < KEYED_RECORDS && !alive[r.offset]);
                alive[r.offset] = true;
                n++;
            }
            offset = kl_batch_last_offset(&b) + 1;
        }
        done(&x);
        ck_assert_int_gt(offset, before);
    }
    kl_record_iter_free(&ri);
    return n;
}

/* The base offset of the newest segment of dir/name (the active one, which
 * the cleaner leaves as it is). */
static int64_t active_segment_base(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int64_t base = -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        long long o;
        char rest[8];
        if (strlen(e->d_name) == 24 && sscanf(e->d_name, "%20lld%7s", &o, rest) == 2 && strcmp(rest, ".log") == 0 &&
            o > base)
            base = o;
    }
    closedir(d);
    return base;
}

/* Produces 200 batches of 5 records over 10 keys (record i has key
 * "k<i % 10>") to topic, then waits for the cleaner to leave exactly the
 * survivors: in the segments before the active one (based at A), each
 * key's latest record, that is offsets A-10..A-1; the active segment, A
 * up, as it is. */
static void produce_and_wait_compacted(broker_fixture_t *f, wire_client_t *wc, const char *topic)
{
    for (int b = 0; b < KEYED_RECORDS / 5; b++)
        ck_assert_int_eq(produce_keyed(wc, topic, b * 5, 5, KEYS, false), 0);
    char dir[64];
    snprintf(dir, sizeof dir, "%s-0", topic);
    int64_t active = active_segment_base(f->dir, dir);
    ck_assert_msg(active >= 2 * KEYS && active < KEYED_RECORDS, "active segment at %lld: too few segments",
                  (long long)active);
    int expected = KEYS + (int)(KEYED_RECORDS - active);
    static bool alive[KEYED_RECORDS];
    int n = records_from_start(wc, topic, alive);
    long long deadline = fixture_now_ms() + DEADLINE_MS;
    while (n != expected && fixture_now_ms() < deadline) {
        wire_client_t probe;
        connect_to(&probe, f);
        wire_close(&probe);
        n = records_from_start(wc, topic, alive);
    }
    ck_assert_msg(n == expected, "%d records left, expected %d (10 keys + %lld in the active segment)", n, expected,
                  (long long)(KEYED_RECORDS - active));
    ck_assert_int_eq(active_segment_base(f->dir, dir), active);
    for (int64_t o = 0; o < KEYED_RECORDS; o++)
        ck_assert_msg(alive[o] == (o >= active - KEYS), "offset %lld %s", (long long)o,
                      alive[o] ? "survived, superseded" : "removed, the latest of its key");
}

START_TEST(test_compacted_topic)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    const char *const configs[] = {"cleanup.policy", "compact", "segment.bytes", "4096", NULL};
    ck_assert_int_eq(create_topic_with(&wc, "c", 1, 1, configs, false, NULL), 0);
    ck_assert_int_eq(produce_keyed(&wc, "c", 0, 3, 3, true), KL_ERR_INVALID_RECORD);
    ck_assert_int_eq(create_topic(&wc, "d", 1, 1, "segment.bytes", "4096", false, NULL), 0);
    ck_assert_int_eq(produce_keyed(&wc, "d", 0, 3, 3, true), 0); /* not compacted: fine */
    produce_and_wait_compacted(&f, &wc, "c");
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

START_TEST(test_altered_to_compact)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "a", 1, 1, "segment.bytes", "4096", false, NULL), 0);
    kl_incremental_alter_configs_request_alterable_config_t cfg = {
        .name = kl_str("cleanup.policy"), .config_operation = 0, .value = kl_str("compact")};
    kl_incremental_alter_configs_request_alter_configs_resource_t res = {
        .resource_type = 2, .resource_name = kl_str("a"), .configs = {&cfg, 1}};
    kl_incremental_alter_configs_request_t req;
    kl_proto_init(&kl_incremental_alter_configs_request_schema, &req);
    req.resources.items = &res;
    req.resources.count = 1;
    kl_incremental_alter_configs_response_t resp;
    exchange_t x;
    call(&wc, KL_API_INCREMENTAL_ALTER_CONFIGS, 1, &req, &resp, &x);
    ck_assert_int_eq(resp.responses.items[0].error_code, 0);
    done(&x);
    ck_assert_int_eq(produce_keyed(&wc, "a", 0, 3, 3, true), KL_ERR_INVALID_RECORD);
    produce_and_wait_compacted(&f, &wc, "a");
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

static Suite *compaction_suite(void)
{
    Suite *s = suite_create("broker_compaction");
    TCase *tc = tcase_create("compaction");
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_committed_offsets_stay_bounded);
    tcase_add_test(tc, test_compacted_topic);
    tcase_add_test(tc, test_altered_to_compact);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* Topics here roll after a few batches: lower Kafka's 1 MiB
     * segment.bytes minimum for this process's brokers (a test-only knob). */
    setenv("KAFKALITE_TEST_MIN_SEGMENT_BYTES", "14", 1);
    SRunner *sr = srunner_create(compaction_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
