/* Durability to the disk, not the page cache (issue 21): the broker runs
 * in this process with fsync/fdatasync recorded (sync_shadow.h); after
 * each acknowledged produce the crash image a power cut would leave is
 * rebuilt and recovered, and must hold what the broker's documented flush
 * policy promises:
 * - flush.messages=N (or log.flush.interval.messages=N): the produce that
 *   brings the unflushed messages to N is acknowledged only after the
 *   fdatasync, so the image holds at least the acknowledged count rounded
 *   down to a multiple of N, and there is one flush per N messages;
 * - the default (no flush interval): nothing is synced on the produce
 *   path; a rolled segment is synced in the background right after the
 *   roll, and a clean stop syncs everything.
 * Whatever the image holds must read back as the first records produced,
 * in order, and a broker must start on it and serve them. Offset commits
 * (appended to __consumer_offsets) follow the same rule. */
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker_fixture.h"
#include "broker_wire.h"
#include "storage/log.h"
#include "sync_shadow.h"

#define TOPIC "durable"
#define FIRST_LOG TOPIC "-0/00000000000000000000.log"
#define VALUE_SIZE 1000
#define BIG_VALUE_SIZE 50000

typedef struct durable_run {
    broker_fixture_t f;
    wire_client_t wc;
    bool connected;
    int images;
} durable_run_t;

/* Fewer partitions of __consumer_offsets make each image quicker. */
static const char *const few_offsets_partitions[] = {"offsets.topic.num.partitions", "1", NULL};

/* A broker on a fresh directory whose syncs are recorded from the start. */
static void run_start(durable_run_t *r, const char *const *props, const char *const *topic_configs)
{
    memset(r, 0, sizeof *r);
    snprintf(r->f.dir, sizeof r->f.dir, "/tmp/kl-broker-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(r->f.dir));
    r->f.props = props ? props : few_offsets_partitions;
    shadow_start(r->f.dir);
    fixture_restart(&r->f); /* no broker yet: starts one */
    connect_to(&r->wc, &r->f);
    r->connected = true;
    ck_assert_int_eq(create_topic_with(&r->wc, TOPIC, 1, 1, topic_configs, false, NULL), 0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path) { nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static void run_stop(durable_run_t *r)
{
    if (r->connected)
        wire_close(&r->wc);
    ck_assert_int_eq(shadow_unmodelled(), 0);
    fixture_stop(&r->f);
    shadow_stop();
}

/* The crash image as of now, in a new directory named in out. */
static void build_image(durable_run_t *r, char *out, size_t size)
{
    snprintf(out, size, "%s.image%d", r->f.dir, r->images++);
    shadow_build_image(out);
}

/* Recovers the partition from image and reads it back: every record
 * must be "v<offset>" from offset 0 on. Returns the count. */
static int read_image(const char *image)
{
    kl_log_t *log;
    ck_assert_int_eq(kl_log_open(image, TOPIC, 0, NULL, &log), KL_ERR_NONE);
    ck_assert_int_eq(kl_log_start_offset(log), 0);
    int64_t end = kl_log_end_offset(log), off = 0;
    while (off < end) {
        kl_log_range_t range;
        ck_assert_int_eq(kl_log_read(log, off, 1 << 20, &range), KL_ERR_NONE);
        uint8_t *buf = malloc(range.length);
        ck_assert_ptr_nonnull(buf);
        ck_assert_int_eq(pread(range.fd, buf, range.length, (off_t)range.position), (ssize_t)range.length);
        kl_batch_iter_t bi;
        kl_batch_iter_init(&bi, buf, range.length, 0);
        kl_batch_t b;
        while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE) {
            kl_record_iter_t ri;
            kl_record_t rec;
            kl_record_iter_init(&ri, 0);
            ck_assert_int_eq(kl_record_iter_start(&ri, &b), KL_ERR_NONE);
            while (kl_record_iter_next(&ri, &rec) == KL_ERR_NONE) {
                char want[32];
                int wl = snprintf(want, sizeof want, "v%lld", (long long)off);
                ck_assert_int_eq(rec.offset, off);
                ck_assert_msg(rec.value_len >= (size_t)wl && !memcmp(rec.value, want, (size_t)wl + 1),
                              "offset %lld does not hold %s", (long long)off, want);
                off++;
            }
            kl_record_iter_free(&ri);
        }
        ck_assert_int_eq(bi.err, KL_ERR_NONE);
        ck_assert_uint_eq(bi.incomplete, 0);
        free(buf);
        kl_log_range_release(&range);
    }
    kl_log_abandon(log);
    return (int)off;
}

/* The records a crash now would keep (the image is removed after). */
static int crash_now(durable_run_t *r)
{
    char image[128];
    build_image(r, image, sizeof image);
    int n = read_image(image);
    remove_tree(image);
    return n;
}

/* A broker started on image serves its n records. */
static void check_broker_on(const char *image, int n)
{
    broker_fixture_t g;
    memset(&g, 0, sizeof g);
    snprintf(g.dir, sizeof g.dir, "%s", image);
    fixture_restart(&g);
    wire_client_t wc;
    connect_to(&wc, &g);
    ck_assert_int_eq(list_offset(&wc, 1, TOPIC, -1, NULL), n);
    wire_close(&wc);
    fixture_stop(&g); /* removes the image */
}

static void produce_one(durable_run_t *r, int i, size_t value_size)
{
    int64_t base = -1;
    ck_assert_int_eq(produce(&r->wc, TOPIC, 0, i, 1, value_size, &base), 0);
    ck_assert_int_eq(base, i);
}

/* One-record batches; after each acknowledgement a crash must keep every
 * message up to the last multiple of every, and the first segment must
 * have been fdatasynced once per `every` messages. */
static void check_flush_every(const char *const *props, const char *const *configs, int every, int count)
{
    durable_run_t r;
    run_start(&r, props, configs);
    for (int i = 0; i < count; i++) {
        produce_one(&r, i, VALUE_SIZE);
        int acked = i + 1, promised = acked / every * every;
        int found = crash_now(&r);
        ck_assert_msg(found >= promised && found <= acked,
                      "flush every %d: after %d acknowledged, a crash keeps %d (promised %d)", every, acked, found,
                      promised);
        ck_assert_int_eq(shadow_syncs(FIRST_LOG, SHADOW_FDATASYNC), acked / every);
    }
    char image[128];
    build_image(&r, image, sizeof image);
    int found = read_image(image);
    check_broker_on(image, found);
    run_stop(&r);
}

START_TEST(test_topic_flush_messages_1)
{
    static const char *const configs[] = {"flush.messages", "1", NULL};
    check_flush_every(NULL, configs, 1, 25);
}
END_TEST

START_TEST(test_broker_flush_interval_messages_1)
{
    static const char *const props[] = {"log.flush.interval.messages", "1", "offsets.topic.num.partitions", "1",
                                        NULL};
    check_flush_every(props, NULL, 1, 25);
}
END_TEST

START_TEST(test_topic_flush_messages_5)
{
    static const char *const configs[] = {"flush.messages", "5", NULL};
    check_flush_every(NULL, configs, 5, 22);
}
END_TEST

/* The base offset of the newest segment in the live partition directory. */
static long long active_base(durable_run_t *r)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/%s-0", r->f.dir, TOPIC);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    long long best = -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t l = strlen(e->d_name);
        if (l == 24 && !strcmp(e->d_name + 20, ".log") && atoll(e->d_name) > best)
            best = atoll(e->d_name);
    }
    closedir(d);
    return best;
}

START_TEST(test_default_policy)
{
    static const char *const configs[] = {"segment.bytes", "1048576", NULL};
    durable_run_t r;
    run_start(&r, NULL, configs);
    /* acknowledged from the page cache: nothing synced on the produce path */
    int acked = 0;
    for (; acked < 20; acked++)
        produce_one(&r, acked, VALUE_SIZE);
    ck_assert_int_eq(active_base(&r), 0);
    ck_assert_int_eq(shadow_syncs(".log", SHADOW_FDATASYNC), 0);
    ck_assert_int_eq(shadow_syncs(".log", SHADOW_FSYNC), 0);
    int found = crash_now(&r);
    ck_assert_int_le(found, acked); /* a prefix, read back whole */
    /* a roll: the rolled segment is synced in the background soon after
     * (syncs of the partition directory so far: partition.metadata's) */
    int dir_syncs = shadow_syncs(TOPIC "-0", SHADOW_FSYNC);
    while (active_base(&r) <= 0)
        produce_one(&r, acked++, BIG_VALUE_SIZE);
    long long rolled = active_base(&r);
    long long deadline = fixture_now_ms() + 20000;
    while (shadow_syncs(TOPIC "-0", SHADOW_FSYNC) == dir_syncs && fixture_now_ms() < deadline)
        sched_yield(); /* the directory is synced last */
    ck_assert_int_eq(shadow_syncs(FIRST_LOG, SHADOW_FDATASYNC), 1);
    found = crash_now(&r);
    ck_assert_msg(found >= rolled && found <= acked, "rolled at %lld, %d acknowledged, a crash keeps %d", rolled,
                  acked, found);
    /* a clean stop syncs everything */
    for (int i = 0; i < 20; i++)
        produce_one(&r, acked++, BIG_VALUE_SIZE);
    wire_close(&r.wc);
    r.connected = false;
    kl_broker_destroy(r.f.broker);
    r.f.broker = NULL;
    char image[128];
    build_image(&r, image, sizeof image);
    ck_assert_int_eq(read_image(image), acked);
    check_broker_on(image, acked);
    run_stop(&r);
}
END_TEST

/* Offset commits are appended to __consumer_offsets like a produce: with
 * log.flush.interval.messages=1 each one is on disk once acknowledged. */
START_TEST(test_offset_commits_synced)
{
    static const char *const props[] = {"log.flush.interval.messages", "1", "offsets.topic.num.partitions", "1",
                                        NULL};
    durable_run_t r;
    run_start(&r, props, NULL);
    produce_one(&r, 0, VALUE_SIZE);
    for (int i = 1; i <= 5; i++) {
        ck_assert_int_eq(commit_offset(&r.wc, "durable-group", TOPIC, 0, i), 0);
        char image[128];
        build_image(&r, image, sizeof image);
        kl_log_t *log;
        ck_assert_int_eq(kl_log_open(image, "__consumer_offsets", 0, NULL, &log), KL_ERR_NONE);
        ck_assert_msg(kl_log_end_offset(log) >= i, "after %d acknowledged commits a crash keeps %lld records", i,
                      (long long)kl_log_end_offset(log));
        kl_log_abandon(log);
        remove_tree(image);
    }
    run_stop(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("broker_durability");
    TCase *tc = tcase_create("durability");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_topic_flush_messages_1);
    tcase_add_test(tc, test_broker_flush_interval_messages_1);
    tcase_add_test(tc, test_topic_flush_messages_5);
    tcase_add_test(tc, test_default_policy);
    tcase_add_test(tc, test_offset_commits_synced);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
