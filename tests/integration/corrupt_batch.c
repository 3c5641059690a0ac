/* See corrupt_batch.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test_skip.h"
#include "corrupt_batch.h"
#include "record/batch_layout.h"
#include "storage/log.h"
#include "util/buf.h"

kl_codec_t corrupt_batch_codec(void)
{
    static const kl_codec_t checked[] = {KL_CODEC_GZIP, KL_CODEC_LZ4, KL_CODEC_ZSTD};
    for (size_t i = 0; i < sizeof checked / sizeof checked[0]; i++)
        if (kl_codec_available(checked[i]))
            return checked[i];
    return KL_CODEC_NONE;
}

kl_codec_t corrupt_batch_require_codec(void)
{
    kl_codec_t codec = corrupt_batch_codec();
    if (codec == KL_CODEC_NONE)
        kl_test_skip_all("no gzip, lz4 or zstd in this build");
    return codec;
}

/* n records, uncompressed, in a closed writer. */
static kl_err_t plain_batch(kl_batch_writer_t *w, int n, const uint8_t **data, size_t *len)
{
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    kl_err_t err = kl_batch_writer_open(w, &params);
    char value[16];
    for (int i = 0; !err && i < n; i++) {
        size_t vl = (size_t)snprintf(value, sizeof value, "c%d", i);
        err = kl_batch_writer_append(w, INT64_C(1700000000000) + i, NULL, 0, value, vl, NULL, 0);
    }
    return err ? err : kl_batch_writer_close(w, data, len);
}

/* The header of plain with codec set, then records compressed. */
static uint8_t *compressed_batch(const uint8_t *plain, const uint8_t *records, size_t records_len,
                                 kl_codec_t codec, size_t *len)
{
    kl_buf_t out;
    kl_buf_init(&out, 0);
    kl_buf_put(&out, plain, KL_BATCH_HEADER_SIZE);
    if (kl_compress(codec, -1, records, records_len, &out) || kl_buf_error(&out)) {
        kl_buf_free(&out);
        return NULL;
    }
    uint8_t *b = kl_buf_steal(&out, len);
    uint16_t attrs = kl_load_be16(b + KL_BATCH_POS_ATTRIBUTES);
    kl_store_be16(b + KL_BATCH_POS_ATTRIBUTES, (uint16_t)((attrs & ~KL_BATCH_ATTR_CODEC_MASK) | codec));
    kl_store_be32(b + KL_BATCH_POS_LENGTH, (uint32_t)(*len - KL_BATCH_LOG_OVERHEAD));
    return b;
}

uint8_t *corrupt_batch(kl_codec_t codec, corrupt_kind_t kind, int n, size_t *len)
{
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    const uint8_t *plain;
    size_t plain_len;
    uint8_t *b = NULL;
    if (plain_batch(&w, n, &plain, &plain_len) == KL_ERR_NONE) {
        uint8_t records[4096];
        size_t records_len = plain_len - KL_BATCH_HEADER_SIZE;
        if (records_len <= sizeof records) {
            memcpy(records, plain + KL_BATCH_HEADER_SIZE, records_len);
            if (kind == CORRUPT_RECORDS)
                records[0] += 2; /* the first record's length varint */
            b = compressed_batch(plain, records, records_len, codec, len);
        }
    }
    kl_batch_writer_free(&w);
    if (b && kind == CORRUPT_STREAM) {
        size_t mid = KL_BATCH_HEADER_SIZE + (*len - KL_BATCH_HEADER_SIZE) / 2;
        for (size_t i = 0; i < 6 && mid + i < *len; i++)
            b[mid + i] ^= 0x5a;
    }
    if (b)
        kl_store_be32(b + KL_BATCH_POS_CRC, kl_batch_compute_crc(b, *len));
    return b;
}

kl_err_t corrupt_batch_plant(const char *dir, const char *topic, int32_t p, void *batch, size_t len)
{
    kl_log_t *log;
    kl_err_t err = kl_log_open(dir, topic, p, NULL, &log);
    if (err)
        return err;
    err = kl_log_append(log, batch, len, NULL);
    kl_log_close(log);
    return err;
}
