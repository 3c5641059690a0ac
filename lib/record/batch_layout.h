/* Byte positions of the record batch v2 header fields, shared by the
 * writer (batch_writer.c) and the reader and checks (batch.c). */
#ifndef KL_RECORD_BATCH_LAYOUT_H
#define KL_RECORD_BATCH_LAYOUT_H

#define KL_BATCH_POS_BASE_OFFSET 0
#define KL_BATCH_POS_LENGTH 8
#define KL_BATCH_POS_LEADER_EPOCH 12
#define KL_BATCH_POS_MAGIC 16
#define KL_BATCH_POS_CRC 17
#define KL_BATCH_POS_ATTRIBUTES 21 /* the CRC covers from here to the end */
#define KL_BATCH_POS_LAST_OFFSET_DELTA 23
#define KL_BATCH_POS_BASE_TIMESTAMP 27
#define KL_BATCH_POS_MAX_TIMESTAMP 35
#define KL_BATCH_POS_PRODUCER_ID 43
#define KL_BATCH_POS_PRODUCER_EPOCH 51
#define KL_BATCH_POS_BASE_SEQUENCE 53
#define KL_BATCH_POS_RECORD_COUNT 57

/* Smallest batchLength: the header after the batchLength field. */
#define KL_BATCH_MIN_LENGTH (KL_BATCH_HEADER_SIZE - KL_BATCH_LOG_OVERHEAD)
/* Smallest encoded record: length, attributes, timestamp delta, offset
 * delta, key length, value length, header count, one byte each. */
#define KL_RECORD_MIN_SIZE 7
/* Largest batch: batchLength is an int32. */
#define KL_BATCH_MAX_SIZE ((size_t)KL_BATCH_LOG_OVERHEAD + INT32_MAX)

#define KL_BATCH_KNOWN_ATTRS                                                                       \
    (KL_BATCH_ATTR_LOG_APPEND_TIME | KL_BATCH_ATTR_TRANSACTIONAL | KL_BATCH_ATTR_CONTROL)

#endif
