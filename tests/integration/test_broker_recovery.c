/* Recovery at start on the embedded broker (issue 13): a missing topic
 * catalog is rebuilt from the partition directories and a damaged one
 * refuses the start while they exist, instead of losing their data; a
 * create never deletes or takes over a partition directory; a damaged
 * batch costs that batch only, and every repair is counted in the
 * broker's recovery statistics; catalogs of version 1 are still read;
 * a deletion cut short is finished. Driven by the blocking wire client. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/conf_table.h"
#include "broker/server.h"
#include "broker_wire.h"
#include "proto/api.h"
#include "proto/msg_fetch.h"

#define CATALOG "kafkalite-topics.catalog"
#define SEGMENT "00000000000000000000.log"

static const char *const props[] = {"offsets.topic.num.partitions", "2", "auto.create.topics.enable", "true", NULL};

static void stop_broker(broker_fixture_t *f)
{
    kl_broker_destroy(f->broker);
    f->broker = NULL;
}

static void path_in(const broker_fixture_t *f, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", f->dir, name);
}

static off_t size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* The offset after the last record of a fetched partition (from when
 * it holds none). */
static int64_t next_offset(const kl_fetch_response_partition_t *p, int64_t from)
{
    kl_batch_iter_t bi;
    kl_batch_iter_init(&bi, p->records.ptr, (size_t)p->records.len, 0);
    kl_batch_t b;
    while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE)
        from = kl_batch_last_offset(&b) + 1;
    return from;
}

/* Records served from partition of topic, fetching from offset 0 until
 * the high watermark (one segment per answer, gaps stepped over); the
 * error code when a fetch fails (negated: it cannot pass for a count). */
static int records_in(wire_client_t *wc, const char *topic, int32_t partition)
{
    int n = 0;
    for (int64_t offset = 0, hw = 1; offset < hw;) {
        kl_fetch_request_t req;
        kl_fetch_request_topic_t t;
        kl_fetch_request_partition_t p;
        fetch_request(&req, &t, &p, topic, offset, 1, 0);
        p.partition = partition;
        kl_fetch_response_t resp;
        exchange_t x;
        call(wc, KL_API_FETCH, 12, &req, &resp, &x);
        const kl_fetch_response_partition_t *rp = &resp.responses.items[0].partitions.items[0];
        int16_t err = rp->error_code;
        hw = rp->high_watermark;
        n += err ? 0 : count_records(rp, offset);
        int64_t next = err ? offset : next_offset(rp, offset);
        done(&x);
        if (err)
            return -err;
        ck_assert_int_gt(next, offset < hw ? offset : next - 1); /* each answer moves on */
        offset = next;
    }
    return n;
}

/* Metadata for topic, auto-creating it as clients do: its partition
 * count, or the negated error code. */
static int metadata_partitions(wire_client_t *wc, const char *topic)
{
    kl_metadata_response_t resp;
    exchange_t x;
    const kl_metadata_response_topic_t *t = metadata_topic(wc, topic, true, &resp, &x);
    int n = t->error_code ? -t->error_code : t->partitions.count;
    done(&x);
    return n;
}

/* Topic "keep" (3 partitions, retention.ms=-1) with 6 records in each;
 * its id in *id (may be NULL). */
static void fill(broker_fixture_t *f, kl_uuid_t *id)
{
    wire_client_t wc;
    connect_to(&wc, f);
    ck_assert_int_eq(create_topic(&wc, "keep", 3, 1, "retention.ms", "-1", false, id), 0);
    for (int32_t p = 0; p < 3; p++)
        for (int i = 0; i < 2; i++)
            ck_assert_int_eq(produce(&wc, "keep", p, 3 * i, 3, 100, NULL), 0);
    /* a commit: __consumer_offsets, created for it, has a log to rebuild */
    ck_assert_int_eq(commit_offset(&wc, "g", "keep", 0, 3), 0);
    wire_close(&wc);
}

/* Every record of "keep" is served, with its 3 partitions. */
static void check_kept(broker_fixture_t *f)
{
    wire_client_t wc;
    connect_to(&wc, f);
    ck_assert_int_eq(metadata_partitions(&wc, "keep"), 3);
    for (int32_t p = 0; p < 3; p++)
        ck_assert_int_eq(records_in(&wc, "keep", p), 6);
    wire_close(&wc);
}

/* kl_broker_new() on f's directory must refuse: its reason in errstr. */
static void start_refused(const broker_fixture_t *f, char *errstr, size_t size)
{
    kl_conf_t *conf = kl_broker_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "listeners", "PLAINTEXT://127.0.0.1:0", errstr, size), 0);
    ck_assert_int_eq(kl_conf_set(conf, "log.dirs", f->dir, errstr, size), 0);
    for (const char *const *p = props; *p; p += 2)
        ck_assert_int_eq(kl_conf_set(conf, p[0], p[1], errstr, size), 0);
    kl_broker_t *b = kl_broker_new(conf, errstr, size);
    kl_conf_destroy(conf);
    ck_assert_msg(b == NULL, "the broker started");
    kl_broker_destroy(b);
}

/* Issue 13, fault 1: the catalog deleted while the broker was down. */
START_TEST(test_missing_catalog_rebuilt)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    kl_uuid_t id;
    fill(&f, &id);
    stop_broker(&f);
    char catalog[256];
    path_in(&f, CATALOG, catalog, sizeof catalog);
    ck_assert_int_eq(unlink(catalog), 0);

    fixture_restart(&f);
    const broker_recovery_stats_t *st = &f.broker->topics.recovery;
    ck_assert_uint_eq(st->topics_rebuilt, 2); /* keep and __consumer_offsets */
    broker_topic_t *offsets = topics_find(&f.broker->topics, kl_str("__consumer_offsets"));
    ck_assert_ptr_nonnull(offsets);
    ck_assert_int_eq(offsets->partition_count, 2);
    ck_assert(offsets->cleanup_policy & KL_CLEANUP_COMPACT);
    check_kept(&f);
    broker_topic_t *keep = topics_find(&f.broker->topics, kl_str("keep"));
    ck_assert_mem_eq(keep->id.b, id.b, sizeof id.b); /* from partition.metadata */
    ck_assert_int_gt(size_of(catalog), 0); /* written again */

    /* Rebuilt once: the next start finds everything in the catalog. */
    fixture_restart(&f);
    ck_assert_uint_eq(f.broker->topics.recovery.topics_rebuilt, 0);
    check_kept(&f);
    fixture_stop(&f);
}
END_TEST

/* The catalog cut to 150 bytes, or with one byte changed: the broker
 * cannot know the configs it held (retention.ms=-1 here) and refuses to
 * start, naming the file and the fix, and touches nothing. */
START_TEST(test_damaged_catalog_refused)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    fill(&f, NULL);
    stop_broker(&f);
    char catalog[256], segment[256], errstr[1024];
    path_in(&f, CATALOG, catalog, sizeof catalog);
    path_in(&f, "keep-0/" SEGMENT, segment, sizeof segment);
    off_t catalog_size = size_of(catalog), segment_size = size_of(segment);
    ck_assert_int_gt(catalog_size, 150);
    ck_assert_int_gt(segment_size, 0);

    int fd = open(catalog, O_RDWR);
    ck_assert_int_ge(fd, 0);
    char byte;
    ck_assert_int_eq(pread(fd, &byte, 1, catalog_size / 2), 1);
    byte ^= 0x01;
    ck_assert_int_eq(pwrite(fd, &byte, 1, catalog_size / 2), 1);
    start_refused(&f, errstr, sizeof errstr);
    ck_assert_msg(strstr(errstr, catalog) && strstr(errstr, "checksum"), "%s", errstr);
    byte ^= 0x01;
    ck_assert_int_eq(pwrite(fd, &byte, 1, catalog_size / 2), 1);
    close(fd);

    ck_assert_int_eq(truncate(catalog, 150), 0);
    start_refused(&f, errstr, sizeof errstr);
    ck_assert_msg(strstr(errstr, catalog) && strstr(errstr, "move it away"), "%s", errstr);
    ck_assert_int_eq(size_of(catalog), 150);
    ck_assert_int_eq(size_of(segment), segment_size);

    /* The fix it names: with the catalog moved away, the topics come
     * back from their directories with every record. */
    char aside[300];
    snprintf(aside, sizeof aside, "%s.bad", catalog);
    ck_assert_int_eq(rename(catalog, aside), 0);
    fixture_restart(&f);
    ck_assert_uint_eq(f.broker->topics.recovery.topics_rebuilt, 2);
    check_kept(&f);
    fixture_stop(&f);
}
END_TEST

/* A directory of the name a create would use is never deleted or taken
 * over: the create fails and says where it is. */
START_TEST(test_create_never_takes_a_directory)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    char dir[256], file[300];
    path_in(&f, "late-0", dir, sizeof dir);
    snprintf(file, sizeof file, "%s/%s", dir, SEGMENT);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    FILE *fp = fopen(file, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("someone's data", fp);
    fclose(fp);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "late", 1, 1, NULL, NULL, false, NULL), KL_ERR_KAFKA_STORAGE_ERROR);
    ck_assert_int_eq(metadata_partitions(&wc, "late"), -KL_ERR_KAFKA_STORAGE_ERROR);
    ck_assert_int_eq(size_of(file), (off_t)strlen("someone's data"));
    ck_assert_ptr_null(topics_find(&f.broker->topics, kl_str("late")));
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* Issue 13, faults 2 and 6: six bytes flipped inside a batch that is not
 * the last one, after a crash (no recovery checkpoint): that batch alone
 * is dropped, the ones after it are served, and the repair is counted;
 * so is a cut tail. */
START_TEST(test_damaged_batch_counted)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "d", 1, 1, NULL, NULL, false, NULL), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(produce(&wc, "d", 0, 3 * i, 3, 100, NULL), 0);
    wire_close(&wc);
    stop_broker(&f);
    char segment[256], checkpoint[256];
    path_in(&f, "d-0/" SEGMENT, segment, sizeof segment);
    path_in(&f, "d-0/recovery-point-offset-checkpoint", checkpoint, sizeof checkpoint);
    off_t size = size_of(segment);
    off_t batch = size / 4; /* the four batches are alike */
    ck_assert_int_eq(size % 4, 0);
    int fd = open(segment, O_RDWR);
    ck_assert_int_ge(fd, 0);
    uint8_t bytes[6];
    ck_assert_int_eq(pread(fd, bytes, sizeof bytes, batch + batch / 2), (ssize_t)sizeof bytes);
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] ^= 0xa5;
    ck_assert_int_eq(pwrite(fd, bytes, sizeof bytes, batch + batch / 2), (ssize_t)sizeof bytes);
    close(fd);
    ck_assert_int_eq(unlink(checkpoint), 0);

    fixture_restart(&f);
    const broker_recovery_stats_t *st = &f.broker->topics.recovery;
    ck_assert_uint_eq(st->partitions_repaired, 1);
    ck_assert_uint_eq(st->batches_dropped, 1);
    ck_assert_uint_eq(st->bytes_dropped, (uint64_t)batch);
    ck_assert_uint_eq(st->truncations, 0);
    connect_to(&wc, &f);
    ck_assert_int_eq(records_in(&wc, "d", 0), 9);
    ck_assert_int_eq(list_offset(&wc, 1, "d", -1, NULL), 12);
    wire_close(&wc);

    /* 100 bytes cut off the end after a crash: the last batch goes. */
    stop_broker(&f);
    char last[256];
    path_in(&f, "d-0/00000000000000000006.log", last, sizeof last);
    ck_assert_int_eq(size_of(last), 2 * batch);
    ck_assert_int_eq(truncate(last, 2 * batch - 100), 0);
    unlink(checkpoint);
    fixture_restart(&f);
    st = &f.broker->topics.recovery;
    ck_assert_uint_eq(st->partitions_repaired, 1);
    ck_assert_uint_eq(st->truncations, 1);
    ck_assert_uint_eq(st->batches_dropped, 0);
    ck_assert_uint_eq(st->bytes_dropped, (uint64_t)batch - 100);
    connect_to(&wc, &f);
    ck_assert_int_eq(records_in(&wc, "d", 0), 6);
    wire_close(&wc);
    fixture_stop(&f);
}
END_TEST

/* A catalog of version 1 (no end line) is still read, configs and all;
 * the next change writes version 2. */
START_TEST(test_version1_catalog_read)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    fill(&f, NULL);
    stop_broker(&f);
    char catalog[256];
    path_in(&f, CATALOG, catalog, sizeof catalog);
    FILE *fp = fopen(catalog, "r");
    ck_assert_ptr_nonnull(fp);
    char text[4096];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[len] = '\0';
    char *header = strstr(text, "catalog 2\n"), *end = strstr(text, "\nend ");
    ck_assert_ptr_nonnull(header);
    ck_assert_ptr_nonnull(end);
    header[strlen("catalog ")] = '1';
    end[1] = '\0';
    fp = fopen(catalog, "w");
    fputs(text, fp);
    fclose(fp);

    fixture_restart(&f);
    ck_assert_uint_eq(f.broker->topics.recovery.topics_rebuilt, 0);
    broker_topic_t *keep = topics_find(&f.broker->topics, kl_str("keep"));
    ck_assert_ptr_nonnull(keep);
    ck_assert_int_eq(kl_log_config(keep->logs[0])->retention_ms, -1);
    check_kept(&f);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(create_topic(&wc, "more", 1, 1, NULL, NULL, false, NULL), 0);
    wire_close(&wc);
    fp = fopen(catalog, "r");
    len = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[len] = '\0';
    ck_assert_ptr_nonnull(strstr(text, "catalog 2\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nend "));
    fixture_stop(&f);
}
END_TEST

/* A deleted topic stays deleted across a restart, and a deletion a stop
 * cut short (its directories renamed to -delete, as Kafka does) is
 * finished at the next start instead of being taken for a topic. */
START_TEST(test_deleted_topic_stays_deleted)
{
    broker_fixture_t f;
    fixture_start(&f, props);
    fill(&f, NULL);
    wire_client_t wc;
    connect_to(&wc, &f);
    ck_assert_int_eq(delete_topic(&wc, "keep"), 0);
    wire_close(&wc);
    stop_broker(&f);
    char leftover[256], file[300];
    path_in(&f, "gone-0.0123456789abcdef0123456789abcdef-delete", leftover, sizeof leftover);
    ck_assert_int_eq(mkdir(leftover, 0755), 0);
    snprintf(file, sizeof file, "%s/%s", leftover, SEGMENT);
    FILE *fp = fopen(file, "w");
    ck_assert_ptr_nonnull(fp);
    fclose(fp);

    fixture_restart(&f);
    ck_assert_uint_eq(f.broker->topics.recovery.topics_rebuilt, 0);
    ck_assert_uint_eq(f.broker->topics.recovery.delete_leftovers, 1);
    ck_assert_int_ne(access(leftover, F_OK), 0);
    ck_assert_ptr_null(topics_find(&f.broker->topics, kl_str("keep")));
    ck_assert_ptr_null(topics_find(&f.broker->topics, kl_str("gone")));
    fixture_stop(&f);
}
END_TEST

static Suite *recovery_suite(void)
{
    Suite *s = suite_create("broker_recovery");
    TCase *tc = tcase_create("recovery");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_missing_catalog_rebuilt);
    tcase_add_test(tc, test_damaged_catalog_refused);
    tcase_add_test(tc, test_create_never_takes_a_directory);
    tcase_add_test(tc, test_damaged_batch_counted);
    tcase_add_test(tc, test_version1_catalog_read);
    tcase_add_test(tc, test_deleted_topic_stays_deleted);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(recovery_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
