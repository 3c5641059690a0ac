/* See txn_append.h. */
#include "txn_append.h"

#include <check.h>
#include <stdlib.h>

int64_t txn_append(kl_log_t *log, producer_state_t *ps, int64_t pid, int16_t epoch, int32_t seq, int n,
                   bool transactional)
{
    kl_batch_params_t params;
    kl_batch_params_init(&params);
    params.producer_id = pid;
    params.producer_epoch = epoch;
    params.base_sequence = seq;
    params.attributes = transactional ? KL_BATCH_ATTR_TRANSACTIONAL : 0;
    kl_batch_writer_t w;
    kl_batch_writer_init(&w, 0);
    ck_assert_int_eq(kl_batch_writer_open(&w, &params), KL_ERR_NONE);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(kl_batch_writer_append(&w, TXN_APPEND_NOW, "k", 1, "v", 1, NULL, 0), KL_ERR_NONE);
    const uint8_t *data;
    size_t len;
    ck_assert_int_eq(kl_batch_writer_close(&w, &data, &len), KL_ERR_NONE);
    uint8_t *batch = kl_batch_writer_take(&w, &len);
    kl_batch_writer_free(&w);
    kl_batch_t b;
    const char *why;
    ck_assert_int_eq(kl_batch_validate(batch, len, KL_BATCH_FROM_CLIENT, &b, &why), KL_ERR_NONE);
    producer_batch_t dup;
    ck_assert_int_eq(producer_state_check(ps, &b, &dup, &why), KL_ERR_NONE);
    ck_assert_int_eq(partition_txn_check(ps, &b, &why), KL_ERR_NONE);
    kl_log_append_info_t info;
    ck_assert_int_eq(kl_log_append_checked(log, batch, len, &b, TXN_APPEND_NOW, &info), KL_ERR_NONE);
    ck_assert_int_eq(producer_state_update(ps, pid, epoch, seq, info.base_offset, info.last_offset, TXN_APPEND_NOW),
                     KL_ERR_NONE);
    if (transactional)
        partition_txn_appended(ps, pid, info.base_offset);
    free(batch);
    return info.base_offset;
}

