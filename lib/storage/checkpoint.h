/* Offset checkpoint files in Kafka's text format: a version line "0", a
 * count line, then one "topic partition offset" line per partition. Kafka
 * keeps one per log dir for all its partitions; here each partition
 * directory holds its own (recovery-point-offset-checkpoint,
 * log-start-offset-checkpoint) with its one line, so partitions never
 * share a file or a lock. */
#ifndef KL_STORAGE_CHECKPOINT_H
#define KL_STORAGE_CHECKPOINT_H

#include <stdint.h>

#include "kafkalite/common.h"
#include "kafkalite/error.h"

#define KL_CHECKPOINT_RECOVERY_POINT "recovery-point-offset-checkpoint"
#define KL_CHECKPOINT_LOG_START "log-start-offset-checkpoint"

/* Replaces dir/name atomically and durably: a temporary file written and
 * fsynced, renamed over it, the directory fsynced.
 * KL_ERR_KAFKA_STORAGE_ERROR, KL_ERR_NOMEM. */
KL_WARN_UNUSED kl_err_t kl_checkpoint_write(const char *dir, const char *name, const char *topic,
                                            int32_t partition, int64_t offset);

/* KL_ERR_NOENT when the file is missing, KL_ERR_BAD_MSG when it does not
 * parse, names another partition or a negative offset,
 * KL_ERR_KAFKA_STORAGE_ERROR when it cannot be read. */
KL_WARN_UNUSED kl_err_t kl_checkpoint_read(const char *dir, const char *name, const char *topic,
                                           int32_t partition, int64_t *offset);

/* Removes dir/name (missing is fine) and fsyncs the directory. */
KL_WARN_UNUSED kl_err_t kl_checkpoint_remove(const char *dir, const char *name);

#endif
