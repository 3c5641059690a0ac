/* Control batches: the transaction markers a coordinator writes to each
 * partition of a transaction, in Kafka's format. One record whose key is
 * int16 version 0 and int16 type (0 abort, 1 commit) and whose value is
 * int16 version 0 and int32 coordinator epoch, in an uncompressed batch
 * with the TRANSACTIONAL and CONTROL attributes and the producer's id and
 * epoch, base sequence -1. Consumers never show these records. */
#ifndef KL_RECORD_CONTROL_H
#define KL_RECORD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/common.h"
#include "kafkalite/error.h"

#define KL_CONTROL_ABORT 0
#define KL_CONTROL_COMMIT 1

/* Encodes a marker batch (base offset 0, to be patched by the log's
 * append) into a malloc'd buffer (*data, *len). KL_ERR_NOMEM. */
KL_WARN_UNUSED kl_err_t kl_control_batch_encode(int64_t producer_id, int16_t producer_epoch, int16_t type,
                                                int32_t coordinator_epoch, int64_t timestamp, uint8_t **data,
                                                size_t *len);

/* The type a control record's key holds: false when the key is not a
 * version 0 control key of 4 bytes or more (Kafka reads newer versions'
 * type the same way, so a higher version is read too). */
bool kl_control_key_type(const uint8_t *key, size_t key_len, int16_t *type);

/* The type of the first record of the records section of an uncompressed
 * control batch (the bytes after the batch header, len of them, as many
 * as are at hand): false when they do not read as a record with a
 * control key. */
bool kl_control_records_type(const uint8_t *records, size_t len, int16_t *type);
/* The same, and the coordinator epoch of its value (version 0 or newer,
 * read alike); *coordinator_epoch -1 when the value does not read. */
bool kl_control_records_read(const uint8_t *records, size_t len, int16_t *type, int32_t *coordinator_epoch);

#endif
