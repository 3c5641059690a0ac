/* Record batch throughput: encoding and decoding batches of 1,000 records
 * (10-byte keys, 100-byte JSON-like values) for every codec this build
 * has, and CRC-32C speed with the SSE4.2 instruction and the table.
 * Built by `make bench`; run ./bench/bench_record [seconds per test]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/batch.h"
#include "record/compress.h"
#include "util/crc32c.h"

#define RECORDS_PER_BATCH 1000
#define VALUE_SIZE 100

static double seconds_per_test = 1.0;
static volatile size_t sink; /* keeps the decode loop's reads alive */
static char keys[RECORDS_PER_BATCH][16];
static char values[RECORDS_PER_BATCH][VALUE_SIZE + 1];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Values that compress the way small JSON events do: a fixed shape with
 * varying numbers. */
static void make_payloads(void)
{
    srand(42);
    for (int i = 0; i < RECORDS_PER_BATCH; i++) {
        snprintf(keys[i], sizeof keys[i], "key-%06d", i);
        int n = snprintf(values[i], sizeof values[i], "{\"id\":%d,\"user\":\"user-%05d\",\"amount\":%d.%02d,\"ts\":%d",
                         i, rand() % 100000, rand() % 10000, rand() % 100, rand());
        while (n < VALUE_SIZE - 1)
            values[i][n++] = (char)('a' + rand() % 26);
        values[i][VALUE_SIZE - 1] = '}';
        values[i][VALUE_SIZE] = '\0';
    }
}

static int encode_batch(kl_batch_writer_t *w, kl_codec_t codec, const uint8_t **data, size_t *len)
{
    kl_batch_params_t p;
    kl_batch_params_init(&p);
    p.codec = codec;
    if (kl_batch_writer_open(w, &p))
        return -1;
    for (int i = 0; i < RECORDS_PER_BATCH; i++)
        if (kl_batch_writer_append(w, 1700000000000LL + i, keys[i], 10, values[i], VALUE_SIZE, NULL, 0))
            return -1;
    return kl_batch_writer_close(w, data, len) ? -1 : 0;
}

static void bench_codec(kl_codec_t codec)
{
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len, raw_len = 0;
    kl_batch_writer_init(&w, 0);
    long batches = 0;
    double start = now(), elapsed;
    do {
        if (encode_batch(&w, codec, &data, &len)) {
            printf("%-7s encode failed\n", kl_codec_name(codec));
            kl_batch_writer_free(&w);
            return;
        }
        batches++;
    } while ((elapsed = now() - start) < seconds_per_test);
    /* The uncompressed size of the same records, for MB/s. */
    kl_batch_writer_t plain;
    kl_batch_writer_init(&plain, 0);
    const uint8_t *plain_data;
    if (encode_batch(&plain, KL_CODEC_NONE, &plain_data, &raw_len) == 0)
        kl_batch_writer_free(&plain);
    double recs = (double)batches * RECORDS_PER_BATCH;
    printf("%-7s encode %8.2f M records/s %8.1f MB/s  (batch %zu -> %zu bytes)\n", kl_codec_name(codec),
           recs / elapsed / 1e6, (double)batches * (double)raw_len / elapsed / 1e6, raw_len, len);

    kl_batch_iter_t bi;
    kl_record_iter_t ri;
    kl_batch_t b;
    kl_record_t r;
    size_t touched = 0;
    kl_record_iter_init(&ri, 0);
    batches = 0;
    start = now();
    do {
        kl_batch_iter_init(&bi, data, len, 0);
        while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE && kl_record_iter_start(&ri, &b) == KL_ERR_NONE)
            while (kl_record_iter_next(&ri, &r) == KL_ERR_NONE)
                touched += r.value_len + (r.value ? r.value[0] : 0);
        batches++;
    } while ((elapsed = now() - start) < seconds_per_test);
    recs = (double)batches * RECORDS_PER_BATCH;
    sink = touched;
    printf("%-7s decode %8.2f M records/s %8.1f MB/s  (CRC-32C checked)\n", kl_codec_name(codec),
           recs / elapsed / 1e6, (double)batches * (double)raw_len / elapsed / 1e6);
    kl_record_iter_free(&ri);
    kl_batch_writer_free(&w);
}

static void bench_crc(const char *name, uint32_t (*fn)(uint32_t, const void *, size_t), size_t size)
{
    uint8_t *buf = malloc(size);
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    uint32_t crc = 0;
    double bytes = 0, start = now(), elapsed;
    do {
        for (int k = 0; k < 16; k++)
            crc = fn(crc, buf, size);
        bytes += 16.0 * (double)size;
    } while ((elapsed = now() - start) < seconds_per_test);
    printf("crc32c %-8s %7zu-byte blocks %7.2f GB/s  (%08x)\n", name, size, bytes / elapsed / 1e9, crc);
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        seconds_per_test = atof(argv[1]) > 0 ? atof(argv[1]) : 1.0;
    make_payloads();
    printf("record batches of %d records, 10-byte keys, %d-byte values\n", RECORDS_PER_BATCH, VALUE_SIZE);
    for (int c = KL_CODEC_NONE; c <= KL_CODEC_ZSTD; c++) {
        if (kl_codec_available((kl_codec_t)c))
            bench_codec((kl_codec_t)c);
        else
            printf("%-7s not in this build: skipped\n", kl_codec_name((kl_codec_t)c));
    }
    if (kl_crc32c_hw_available()) {
        bench_crc("sse4.2", kl_crc32c_hw, 1 << 20);
        bench_crc("sse4.2", kl_crc32c_hw, 1024);
    } else {
        printf("crc32c sse4.2: not on this CPU\n");
    }
    bench_crc("table", kl_crc32c_sw, 1 << 20);
    bench_crc("table", kl_crc32c_sw, 1024);
    return 0;
}
