/* Transaction markers (see control.h): written by the coordinator, read
 * back by the partition state's rebuild at open and by consumers. */
#include "record/control.h"

#include <stdlib.h>

#include "record/batch.h"
#include "record/varint.h"
#include "util/buf.h"

kl_err_t kl_control_batch_encode(int64_t producer_id, int16_t producer_epoch, int16_t type,
                                 int32_t coordinator_epoch, int64_t timestamp, uint8_t **data, size_t *len)
{
    uint8_t key[4], value[6];
    kl_store_be16(key, 0);
    kl_store_be16(key + 2, (uint16_t)type);
    kl_store_be16(value, 0);
    kl_store_be32(value + 2, (uint32_t)coordinator_epoch);
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.producer_id = producer_id;
    params.producer_epoch = producer_epoch;
    params.attributes = KL_BATCH_ATTR_TRANSACTIONAL | KL_BATCH_ATTR_CONTROL;
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    const uint8_t *out;
    kl_err_t err = kl_batch_writer_open(&w, &params);
    if (!err)
        err = kl_batch_writer_append(&w, timestamp, key, sizeof key, value, sizeof value, NULL, 0);
    if (!err)
        err = kl_batch_writer_close(&w, &out, len);
    *data = err ? NULL : kl_batch_writer_take(&w, len);
    kl_batch_writer_free(&w);
    if (!err && !*data)
        err = KL_ERR_NOMEM;
    return err;
}

bool kl_control_key_type(const uint8_t *key, size_t key_len, int16_t *type)
{
    if (!key || key_len < 4 || (int16_t)kl_load_be16(key) < 0)
        return false;
    *type = (int16_t)kl_load_be16(key + 2);
    return true;
}

/* The first record's key (*key, *key_len) and what follows it (*rest). */
static bool first_key(const uint8_t *records, size_t len, const uint8_t **key, int32_t *key_len,
                      const uint8_t **rest)
{
    const uint8_t *p = records, *end = records + len;
    int32_t length, offset_delta;
    int64_t timestamp_delta;
    if (!kl_varint_get(&p, end, &length) || p == end)
        return false;
    p++; /* attributes */
    if (!kl_varlong_get(&p, end, &timestamp_delta) || !kl_varint_get(&p, end, &offset_delta) ||
        !kl_varint_get(&p, end, key_len) || *key_len < 0 || (size_t)(end - p) < (size_t)*key_len)
        return false;
    *key = p;
    *rest = p + *key_len;
    return true;
}

bool kl_control_records_type(const uint8_t *records, size_t len, int16_t *type)
{
    const uint8_t *key, *rest;
    int32_t key_len;
    return first_key(records, len, &key, &key_len, &rest) && kl_control_key_type(key, (size_t)key_len, type);
}

bool kl_control_records_read(const uint8_t *records, size_t len, int16_t *type, int32_t *coordinator_epoch)
{
    const uint8_t *key, *p, *end = records + len;
    int32_t key_len, value_len;
    if (!first_key(records, len, &key, &key_len, &p) || !kl_control_key_type(key, (size_t)key_len, type))
        return false;
    *coordinator_epoch = -1;
    if (kl_varint_get(&p, end, &value_len) && value_len >= 6 && end - p >= 6 && (int16_t)kl_load_be16(p) >= 0)
        *coordinator_epoch = (int32_t)kl_load_be32(p + 2);
    return true;
}
