/* wire_demo: a tour of kafkalite's wire layer, no network needed. For each
 * compression codec in this build it writes a record batch of 1000 messages,
 * frames it in a Produce request v9 exactly as it would go on the wire,
 * decodes that frame back and checks every record. Exits non-zero on any
 * mismatch. (A stand-in until the broker exists.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/header.h"
#include "proto/msg_produce.h"
#include "record/batch.h"

#define NMSGS 1000
#define PRODUCE_VERSION 9 /* the first flexible Produce version */

/* Message i: a key, a value and a timestamp a test can recompute. */
static void make_msg(int i, char *key, int *key_len, char *value, int *value_len, int64_t *ts)
{
    *key_len = sprintf(key, "user-%d", i % 37);
    *value_len = sprintf(value, "{\"event\":\"click\",\"seq\":%d,\"page\":\"/item/%d\"}", i, i % 91);
    *ts = 1700000000000 + i;
}

/* Step 1: encode NMSGS records into one batch compressed with codec.
 * Returns the batch (the caller frees it) and its size. */
static uint8_t *build_batch(kl_codec_t codec, size_t *len)
{
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    kl_batch_params_t params;
    kl_batch_params_init(&params); /* base offset 0, not idempotent */
    params.codec = codec;
    kl_err_t err = kl_batch_writer_open(&w, &params);
    for (int i = 0; i < NMSGS && !err; i++) {
        char key[32], value[96];
        int key_len, value_len;
        int64_t ts;
        make_msg(i, key, &key_len, value, &value_len, &ts);
        kl_record_header_t h = {"source", 6, "demo", 4}; /* one header per record */
        err = kl_batch_writer_append(&w, ts, key, (size_t)key_len, value, (size_t)value_len, &h, 1);
    }
    const uint8_t *data;
    uint8_t *batch = NULL;
    if (!err && kl_batch_writer_close(&w, &data, len) == KL_ERR_NONE)
        batch = kl_batch_writer_take(&w, len); /* keep the bytes, drop the writer */
    kl_batch_writer_free(&w);
    return batch;
}

/* Step 2: wrap the batch in a Produce request frame (size + header + body). */
static kl_err_t frame_produce(kl_buf_t *frame, const uint8_t *batch, size_t len)
{
    kl_produce_request_partition_t part = {.index = 0, .records = kl_bytes(batch, (int32_t)len)};
    kl_produce_request_topic_t topic = {.name = kl_str("demo"), .partition_data = {&part, 1}};
    kl_produce_request_t req;
    kl_proto_init(&kl_produce_request_schema, &req); /* defaults for every field */
    req.acks = -1;
    req.timeout_ms = 30000;
    req.topic_data.items = &topic;
    req.topic_data.count = 1;
    kl_request_header_t hdr = {KL_API_PRODUCE, PRODUCE_VERSION, 1, kl_str("wire_demo")};
    return kl_proto_write_request(frame, &hdr, &req);
}

/* Step 3: decode the frame as a broker would, then every record in it.
 * Returns how many records matched what step 1 wrote (NMSGS when all). */
static int verify_frame(const kl_buf_t *frame, kl_codec_t codec)
{
    kl_rd_t rd;
    kl_rd_init(&rd, frame->data + 4, frame->len - 4); /* past the size prefix */
    kl_request_header_t hdr;
    const kl_api_t *api;
    kl_arena_t arena; /* decoded arrays live here; strings/bytes point into the frame */
    kl_arena_init(&arena, 0);
    kl_produce_request_t req;
    int ok = 0;
    if (kl_proto_read_request_header(&rd, &hdr, &api) || hdr.api_key != KL_API_PRODUCE ||
        kl_proto_read_request_body(&rd, api, hdr.api_version, &arena, &req) ||
        req.topic_data.count != 1 || req.topic_data.items[0].partition_data.count != 1 ||
        req.topic_data.items[0].partition_data.items[0].records.len < 0)
        goto out;
    const kl_bytes_t *records = &req.topic_data.items[0].partition_data.items[0].records;

    kl_batch_iter_t bi; /* walks batches; checks sizes and CRC-32C */
    kl_batch_iter_init(&bi, records->ptr, (size_t)records->len, 0);
    kl_record_iter_t ri; /* decompresses a batch once, then walks its records */
    kl_record_iter_init(&ri, 0);
    kl_batch_t b;
    while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE) {
        if (kl_batch_codec(&b) != codec || kl_record_iter_start(&ri, &b) != KL_ERR_NONE)
            break;
        kl_record_t r;
        while (kl_record_iter_next(&ri, &r) == KL_ERR_NONE) {
            char key[32], value[96];
            int key_len, value_len;
            int64_t ts;
            make_msg(ok, key, &key_len, value, &value_len, &ts);
            if (r.offset != ok || r.timestamp != ts || r.key_len != (size_t)key_len ||
                memcmp(r.key, key, r.key_len) != 0 || r.value_len != (size_t)value_len ||
                memcmp(r.value, value, r.value_len) != 0 || r.header_count != 1)
                break;
            kl_header_iter_t hi; /* headers stay encoded until asked for */
            kl_record_header_t h;
            kl_header_iter_init(&hi, &r);
            if (!kl_header_iter_next(&hi, &h) || h.key_len != 6 || memcmp(h.key, "source", 6) != 0 ||
                h.value_len != 4 || memcmp(h.value, "demo", 4) != 0)
                break;
            ok++;
        }
    }
    kl_record_iter_free(&ri);
out:
    kl_arena_free(&arena);
    return ok;
}

int main(void)
{
    static const kl_codec_t codecs[] = {KL_CODEC_NONE, KL_CODEC_GZIP, KL_CODEC_SNAPPY, KL_CODEC_LZ4,
                                        KL_CODEC_ZSTD};
    size_t plain_size = 0; /* the uncompressed batch, for the ratio column */
    int failures = 0;

    printf("%-7s %11s %7s %9s\n", "codec", "batch bytes", "ratio", "verified");
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        kl_codec_t codec = codecs[c];
        if (!kl_codec_available(codec)) {
            printf("%-7s (not in this build)\n", kl_codec_name(codec));
            continue;
        }
        size_t len = 0;
        uint8_t *batch = build_batch(codec, &len);
        kl_buf_t frame;
        kl_buf_init(&frame, 0);
        int verified = 0;
        if (batch && frame_produce(&frame, batch, len) == KL_ERR_NONE)
            verified = verify_frame(&frame, codec);
        if (codec == KL_CODEC_NONE)
            plain_size = len;
        printf("%-7s %11zu %6.2fx %4d/%d\n", kl_codec_name(codec), len,
               len && plain_size ? (double)plain_size / (double)len : 0.0, verified, NMSGS);
        failures += verified != NMSGS;
        kl_buf_free(&frame);
        free(batch);
    }
    if (failures)
        fprintf(stderr, "wire_demo: %d codec(s) did not round-trip\n", failures);
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
