/* The consumer against the embedded broker, with manual assignment: what
 * our producer wrote comes back exactly (keys, values, headers, timestamps,
 * every codec, in order per partition); seek, pause and resume; watermarks
 * and offsets for times; auto.offset.reset; end-of-partition events; and a
 * corrupt batch reported, not crashed on, with check.crcs. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kafkalite.h>

#include "broker_fixture.h"
#include "record/compress.h"

#define WAIT_MS 30000

static const char *const broker_props[] = {"num.partitions", "3", NULL};
static broker_fixture_t fx;

static void setup(void) { fixture_start(&fx, broker_props); }
static void teardown(void) { fixture_stop(&fx); }

static kl_conf_t *client_conf(const char *const *props)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_ptr_nonnull(conf);
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", fx.bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    for (const char *const *p = props; p && p[0]; p += 2)
        ck_assert_msg(kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr) == KL_ERR_NONE, "%s=%s: %s", p[0], p[1],
                      errstr);
    return conf;
}

static void quiet_log(void *opaque, int level, const char *facility, const char *message)
{
    (void)opaque;
    (void)level;
    (void)facility;
    (void)message;
}

static kl_consumer_t *consumer_new(const char *const *props)
{
    char errstr[256];
    kl_conf_t *conf = client_conf(props);
    kl_consumer_t *c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "kl_consumer_new: %s", errstr);
    return c;
}

/* Produces count messages to topic/partition: key "k<i>", value "<tag>-<i>",
 * header "n" = i (and a null-valued header "z"), timestamp ts0 + i. */
static void produce(const char *topic, int32_t partition, int count, const char *codec, const char *tag,
                    int64_t ts0)
{
    char errstr[256];
    const char *props[] = {"compression.type", codec, "linger.ms", "20", NULL};
    kl_conf_t *conf = client_conf(props);
    kl_producer_t *p = kl_producer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(p != NULL, "kl_producer_new: %s", errstr);
    for (int i = 0; i < count; i++) {
        char key[32], value[64], n[16];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(value, sizeof value, "%s-%d", tag, i);
        snprintf(n, sizeof n, "%d", i);
        kl_headers_t *h = kl_headers_new();
        ck_assert_int_eq(kl_headers_add(h, "n", n, strlen(n)), KL_ERR_NONE);
        ck_assert_int_eq(kl_headers_add(h, "z", NULL, 0), KL_ERR_NONE);
        ck_assert_int_eq(kl_produce_headers(p, topic, partition, key, strlen(key), value, strlen(value), h, ts0 + i,
                                            NULL),
                         KL_ERR_NONE);
        kl_headers_destroy(h);
    }
    ck_assert_int_eq(kl_producer_flush(p, WAIT_MS), KL_ERR_NONE);
    ck_assert_uint_eq(kl_producer_failed(p), 0);
    kl_producer_destroy(p);
}

static void assign_one(kl_consumer_t *c, const char *topic, int32_t partition, int64_t offset)
{
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    kl_topic_partition_list_set_offset(list, topic, partition, offset);
    ck_assert_int_eq(kl_assign(c, list), KL_ERR_NONE);
    kl_topic_partition_list_destroy(list);
}

/* The next message (records and events alike), failing after WAIT_MS. */
static kl_message_t *next_message(kl_consumer_t *c)
{
    long long deadline = fixture_now_ms() + WAIT_MS;
    while (fixture_now_ms() < deadline) {
        kl_message_t *m = kl_consumer_poll(c, 200);
        if (m)
            return m;
    }
    ck_abort_msg("no message within %d ms", WAIT_MS);
    return NULL;
}

/* The next record, skipping end-of-partition events; other errors fail. */
static kl_message_t *next_record(kl_consumer_t *c)
{
    for (;;) {
        kl_message_t *m = next_message(c);
        if (kl_message_error(m) == KL_ERR_PARTITION_EOF) {
            kl_message_destroy(m);
            continue;
        }
        ck_assert_msg(kl_message_error(m) == KL_ERR_NONE, "error message: %s",
                      kl_err_name(kl_message_error(m)));
        return m;
    }
}

static void check_record(const kl_message_t *m, const char *tag, int i, int64_t ts0)
{
    char key[32], value[64], n[16];
    snprintf(key, sizeof key, "k%d", i);
    snprintf(value, sizeof value, "%s-%d", tag, i);
    snprintf(n, sizeof n, "%d", i);
    size_t len;
    const void *p = kl_message_key(m, &len);
    ck_assert_msg(p && len == strlen(key) && !memcmp(p, key, len), "key of offset %lld",
                  (long long)kl_message_offset(m));
    p = kl_message_value(m, &len);
    ck_assert_msg(p && len == strlen(value) && !memcmp(p, value, len), "value of offset %lld: %.*s",
                  (long long)kl_message_offset(m), (int)len, p ? (const char *)p : "");
    kl_timestamp_type_t type;
    ck_assert_int_eq(kl_message_timestamp(m, &type), ts0 + i);
    ck_assert_int_eq(type, KL_TIMESTAMP_CREATE_TIME);
    const kl_headers_t *h = kl_message_headers(m);
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(kl_headers_count(h), 2);
    const char *name;
    ck_assert_int_eq(kl_headers_get(h, 0, &name, &p, &len), KL_ERR_NONE);
    ck_assert_str_eq(name, "n");
    ck_assert_msg(len == strlen(n) && !memcmp(p, n, len), "header of offset %lld", (long long)kl_message_offset(m));
    ck_assert_int_eq(kl_headers_get(h, 1, &name, &p, &len), KL_ERR_NONE);
    ck_assert_str_eq(name, "z");
    ck_assert_ptr_null(p);
    ck_assert_int_eq(kl_headers_get(h, 2, &name, &p, &len), KL_ERR_NOENT);
    ck_assert_int_eq(kl_headers_get_last(h, "n", &p, &len), KL_ERR_NONE);
}

/* ---- tests --------------------------------------------------------------------- */

START_TEST(test_roundtrip_all_codecs)
{
    static const char *const codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
    static const kl_codec_t ids[] = {KL_CODEC_NONE, KL_CODEC_GZIP, KL_CODEC_SNAPPY, KL_CODEC_LZ4, KL_CODEC_ZSTD};
    const int per = 300;
    for (size_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
        if (!kl_codec_available(ids[k]))
            continue;
        char topic[32];
        snprintf(topic, sizeof topic, "rt-%s", codecs[k]);
        for (int32_t p = 0; p < 3; p++)
            produce(topic, p, per, codecs[k], codecs[k], 1700000000000LL + p * 100000);
        kl_consumer_t *c = consumer_new(NULL);
        kl_topic_partition_list_t *list = kl_topic_partition_list_new(3);
        for (int32_t p = 0; p < 3; p++)
            kl_topic_partition_list_set_offset(list, topic, p, KL_OFFSET_BEGINNING);
        ck_assert_int_eq(kl_assign(c, list), KL_ERR_NONE);
        kl_topic_partition_list_destroy(list);
        int next[3] = {0, 0, 0};
        kl_message_t *held = NULL; /* one message outlives many others */
        for (int got = 0; got < 3 * per; got++) {
            kl_message_t *m = next_record(c);
            ck_assert_str_eq(kl_message_topic(m), topic);
            int32_t p = kl_message_partition(m);
            ck_assert(p >= 0 && p < 3);
            ck_assert_int_eq(kl_message_offset(m), next[p]);
            check_record(m, codecs[k], next[p], 1700000000000LL + p * 100000);
            next[p]++;
            if (!held)
                held = m;
            else
                kl_message_destroy(m);
        }
        check_record(held, codecs[k], 0, 1700000000000LL + kl_message_partition(held) * 100000);
        /* nothing more than was produced */
        kl_message_t *extra = kl_consumer_poll(c, 300);
        ck_assert_ptr_null(extra);
        kl_topic_partition_list_t *pos = kl_topic_partition_list_new(1);
        kl_topic_partition_list_add(pos, topic, 1);
        ck_assert_int_eq(kl_position(c, pos), KL_ERR_NONE);
        ck_assert_int_eq(pos->elems[0].offset, per);
        kl_topic_partition_list_destroy(pos);
        kl_consumer_destroy(c);
        kl_message_destroy(held); /* after the consumer: still valid */
    }
}
END_TEST

START_TEST(test_seek_pause_resume_eof)
{
    produce("sp", 0, 100, "lz4", "sp", 1000);
    const char *props[] = {"enable.partition.eof", "true", NULL};
    kl_consumer_t *c = consumer_new(props);
    assign_one(c, "sp", 0, 0);
    for (int i = 0; i < 10; i++) {
        kl_message_t *m = next_record(c);
        ck_assert_int_eq(kl_message_offset(m), i);
        kl_message_destroy(m);
    }
    ck_assert_int_eq(kl_seek(c, "sp", 0, 50, 0), KL_ERR_NONE);
    ck_assert_int_eq(kl_seek(c, "sp", 1, 50, 0), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    for (int i = 50; i < 100; i++) {
        kl_message_t *m = next_record(c);
        ck_assert_int_eq(kl_message_offset(m), i);
        check_record(m, "sp", i, 1000);
        kl_message_destroy(m);
    }
    kl_message_t *eof = next_message(c);
    ck_assert_int_eq(kl_message_error(eof), KL_ERR_PARTITION_EOF);
    ck_assert_int_eq(kl_message_offset(eof), 100);
    ck_assert_int_eq(kl_message_partition(eof), 0);
    kl_message_destroy(eof);
    /* paused: new messages are not fetched */
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    kl_topic_partition_list_add(list, "sp", 0);
    ck_assert_int_eq(kl_pause(c, list), KL_ERR_NONE);
    produce("sp", 0, 10, "none", "late", 5000);
    kl_message_t *m = kl_consumer_poll(c, 1500);
    ck_assert_msg(m == NULL, "a paused partition delivered offset %lld", m ? (long long)kl_message_offset(m) : -1LL);
    ck_assert_int_eq(kl_resume(c, list), KL_ERR_NONE);
    kl_topic_partition_list_destroy(list);
    for (int i = 0; i < 10; i++) {
        m = next_record(c);
        ck_assert_int_eq(kl_message_offset(m), 100 + i);
        check_record(m, "late", i, 5000);
        kl_message_destroy(m);
    }
    /* seek back to the beginning */
    ck_assert_int_eq(kl_seek(c, "sp", 0, KL_OFFSET_BEGINNING, 0), KL_ERR_NONE);
    m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 0);
    kl_message_destroy(m);
    kl_consumer_destroy(c);
}
END_TEST

/* kl_seek() to a logical offset with a timeout returns once the fetcher
 * resolved it: a message produced right after a seek to the end is the
 * next one polled. Unresolvable (no broker), it times out. */
START_TEST(test_seek_waits)
{
    produce("sw", 0, 5, "none", "old", 1000);
    kl_consumer_t *c = consumer_new(NULL);
    assign_one(c, "sw", 0, 0);
    kl_message_t *m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 0);
    kl_message_destroy(m);
    ck_assert_int_eq(kl_seek(c, "sw", 0, KL_OFFSET_END, WAIT_MS), KL_ERR_NONE);
    produce("sw", 0, 1, "none", "new", 2000);
    m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 5);
    check_record(m, "new", 0, 2000);
    kl_message_destroy(m);
    kl_consumer_destroy(c);

    char bootstrap[64];
    snprintf(bootstrap, sizeof bootstrap, "%s", fx.bootstrap);
    fixture_stop(&fx); /* nobody answers the lookup now */
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_int_eq(kl_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr), KL_ERR_NONE);
    kl_conf_set_log_cb(conf, quiet_log);
    c = kl_consumer_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    ck_assert_msg(c != NULL, "kl_consumer_new: %s", errstr);
    assign_one(c, "sw", 0, 0);
    long long t0 = fixture_now_ms();
    ck_assert_int_eq(kl_seek(c, "sw", 0, KL_OFFSET_BEGINNING, 300), KL_ERR_TIMED_OUT);
    ck_assert_int_ge(fixture_now_ms() - t0, 290);
    ck_assert_int_eq(kl_seek(c, "sw", 0, KL_OFFSET_BEGINNING, 0), KL_ERR_NONE); /* 0: does not wait */
    kl_consumer_destroy(c);
    fixture_start(&fx, broker_props); /* for the teardown */
}
END_TEST

START_TEST(test_watermarks_and_times)
{
    produce("wm", 2, 10, "none", "wm", 100000); /* timestamps 100000 .. 100009 */
    kl_consumer_t *c = consumer_new(NULL);
    int64_t lo = -5, hi = -5;
    ck_assert_int_eq(kl_query_watermark_offsets(c, "wm", 2, &lo, &hi, WAIT_MS), KL_ERR_NONE);
    ck_assert_int_eq(lo, 0);
    ck_assert_int_eq(hi, 10);
    ck_assert_int_eq(kl_get_watermark_offsets(c, "wm", 2, &lo, &hi), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(3);
    kl_topic_partition_list_set_offset(list, "wm", 2, 100005);
    kl_topic_partition_list_set_offset(list, "wm", 1, 100005); /* empty partition */
    ck_assert_int_eq(kl_offsets_for_times(c, list, WAIT_MS), KL_ERR_NONE);
    ck_assert_int_eq(list->elems[0].err, KL_ERR_NONE);
    ck_assert_int_eq(list->elems[0].offset, 5);
    ck_assert_int_eq(list->elems[1].offset, KL_OFFSET_END);
    kl_topic_partition_list_set_offset(list, "wm", 2, 200000);
    kl_topic_partition_list_set_offset(list, "wm", 1, 0);
    ck_assert_int_eq(kl_offsets_for_times(c, list, WAIT_MS), KL_ERR_NONE);
    ck_assert_int_eq(list->elems[0].offset, KL_OFFSET_END);
    kl_topic_partition_list_destroy(list);
    /* after fetching, the cached watermarks and the lag view */
    assign_one(c, "wm", 2, 4);
    kl_message_t *m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 4);
    kl_message_destroy(m);
    ck_assert_int_eq(kl_get_watermark_offsets(c, "wm", 2, &lo, &hi), KL_ERR_NONE);
    ck_assert_int_eq(hi, 10);
    kl_partition_lag_t *lags;
    size_t n;
    ck_assert_int_eq(kl_consumer_lag(c, &lags, &n), KL_ERR_NONE);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(lags[0].topic, "wm");
    ck_assert_int_eq(lags[0].position, 5);
    ck_assert_int_eq(lags[0].high_watermark, 10);
    ck_assert_int_eq(lags[0].lag, 5);
    kl_consumer_lag_destroy(lags, n);
    kl_consumer_destroy(c);
}
END_TEST

START_TEST(test_offset_reset)
{
    produce("rs", 0, 20, "none", "rs", 1);
    /* earliest: no committed offset (no group), and out of range */
    const char *earliest[] = {"auto.offset.reset", "earliest", NULL};
    kl_consumer_t *c = consumer_new(earliest);
    assign_one(c, "rs", 0, KL_OFFSET_STORED);
    kl_message_t *m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 0);
    kl_message_destroy(m);
    assign_one(c, "rs", 0, 1000);
    m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 0);
    kl_message_destroy(m);
    kl_consumer_destroy(c);
    /* latest: only what is produced afterwards */
    const char *latest[] = {"auto.offset.reset", "latest", "enable.partition.eof", "true", NULL};
    c = consumer_new(latest);
    assign_one(c, "rs", 0, KL_OFFSET_INVALID);
    m = next_message(c);
    ck_assert_int_eq(kl_message_error(m), KL_ERR_PARTITION_EOF);
    ck_assert_int_eq(kl_message_offset(m), 20);
    kl_message_destroy(m);
    produce("rs", 0, 3, "none", "after", 50);
    m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 20);
    check_record(m, "after", 0, 50);
    kl_message_destroy(m);
    kl_consumer_destroy(c);
    /* error: reported through poll, for a missing committed offset and an
     * offset out of range alike */
    const char *error[] = {"auto.offset.reset", "error", NULL};
    c = consumer_new(error);
    assign_one(c, "rs", 0, KL_OFFSET_STORED);
    m = next_message(c);
    ck_assert_int_eq(kl_message_error(m), KL_ERR_NO_OFFSET);
    ck_assert_str_eq(kl_message_topic(m), "rs");
    kl_message_destroy(m);
    assign_one(c, "rs", 0, 500);
    m = next_message(c);
    ck_assert_int_eq(kl_message_error(m), KL_ERR_NO_OFFSET);
    ck_assert_int_eq(kl_message_offset(m), 500);
    kl_message_destroy(m);
    /* a seek gets it going again */
    ck_assert_int_eq(kl_seek(c, "rs", 0, 19, 0), KL_ERR_NONE);
    m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 19);
    kl_message_destroy(m);
    kl_consumer_destroy(c);
}
END_TEST

/* Flips one byte inside the first batch's records in the partition's
 * segment file, behind the broker's back. */
static void corrupt_first_batch(const char *topic, int32_t partition)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s-%d/00000000000000000000.log", fx.dir, topic, partition);
    int fd = open(path, O_RDWR);
    ck_assert_msg(fd >= 0, "open %s", path);
    unsigned char byte;
    off_t at = 61 + 10; /* past the batch header, inside the first record */
    ck_assert_int_eq(pread(fd, &byte, 1, at), 1);
    byte ^= 0x5a;
    ck_assert_int_eq(pwrite(fd, &byte, 1, at), 1);
    close(fd);
}

START_TEST(test_check_crcs)
{
    produce("crc", 0, 5, "none", "crc", 1); /* one batch */
    produce("crc", 0, 5, "none", "two", 1); /* a second one */
    corrupt_first_batch("crc", 0);
    const char *props[] = {"check.crcs", "true", NULL};
    kl_consumer_t *c = consumer_new(props);
    assign_one(c, "crc", 0, 0);
    kl_message_t *m = next_message(c);
    ck_assert_int_eq(kl_message_error(m), KL_ERR_CRC_MISMATCH);
    ck_assert_int_eq(kl_message_offset(m), 0);
    size_t len;
    ck_assert_ptr_nonnull(kl_message_value(m, &len)); /* a readable reason */
    kl_message_destroy(m);
    /* the corrupt batch is skipped, the next one is delivered */
    m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 5);
    check_record(m, "two", 0, 1);
    kl_message_destroy(m);
    kl_consumer_destroy(c);
    /* without check.crcs nothing is verified: the bytes come as they are */
    c = consumer_new(NULL);
    assign_one(c, "crc", 0, 0);
    m = next_record(c);
    ck_assert_int_eq(kl_message_offset(m), 0);
    kl_message_destroy(m);
    kl_consumer_destroy(c);
}
END_TEST

START_TEST(test_api_misuse)
{
    char errstr[256];
    kl_conf_t *conf = kl_conf_new();
    ck_assert_ptr_null(kl_consumer_new(conf, errstr, sizeof errstr)); /* no bootstrap.servers */
    kl_conf_destroy(conf);
    kl_consumer_t *c = consumer_new(NULL);
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(2);
    kl_topic_partition_list_add(list, "x", 0);
    kl_topic_partition_list_add(list, "x", 0);
    ck_assert_int_eq(kl_assign(c, list), KL_ERR_INVALID_ARG); /* a duplicate */
    ck_assert_int_eq(kl_pause(c, list), KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_int_eq(list->elems[0].err, KL_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    kl_topic_partition_list_destroy(list);
    ck_assert_ptr_null(kl_consumer_poll(c, 0));
    ck_assert_int_eq(kl_consumer_close(c), KL_ERR_NONE);
    ck_assert_int_eq(kl_consumer_close(c), KL_ERR_STATE);
    ck_assert_ptr_null(kl_consumer_poll(c, 100));
    kl_consumer_destroy(c);
    kl_message_destroy(NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("consumer");
    TCase *tc = tcase_create("manual");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_roundtrip_all_codecs);
    tcase_add_test(tc, test_seek_pause_resume_eof);
    tcase_add_test(tc, test_seek_waits);
    tcase_add_test(tc, test_watermarks_and_times);
    tcase_add_test(tc, test_offset_reset);
    tcase_add_test(tc, test_check_crcs);
    tcase_add_test(tc, test_api_misuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
