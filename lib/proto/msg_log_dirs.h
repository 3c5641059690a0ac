/* DescribeLogDirs (35): the log directories of a broker and the size of
 * each partition in them, as C structs plus the field tables
 * (msg_log_dirs.c) the generic codec walks. Versions 0-4, flexible from 2. */
#ifndef KL_PROTO_MSG_LOG_DIRS_H
#define KL_PROTO_MSG_LOG_DIRS_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"
#include "proto/types.h"

typedef struct kl_describe_log_dirs_request_topic {
    kl_str_t topic;
    KL_ARRAY_OF(int32_t) partitions;
} kl_describe_log_dirs_request_topic_t;

typedef struct kl_describe_log_dirs_request {
    KL_ARRAY_OF(kl_describe_log_dirs_request_topic_t) topics; /* nullable: null asks for all */
} kl_describe_log_dirs_request_t;

typedef struct kl_describe_log_dirs_response_partition {
    int32_t partition_index;
    int64_t partition_size;
    int64_t offset_lag;
    bool is_future_key;
} kl_describe_log_dirs_response_partition_t;

typedef struct kl_describe_log_dirs_response_topic {
    kl_str_t name;
    KL_ARRAY_OF(kl_describe_log_dirs_response_partition_t) partitions;
} kl_describe_log_dirs_response_topic_t;

typedef struct kl_describe_log_dirs_response_result {
    int16_t error_code;
    kl_str_t log_dir;
    KL_ARRAY_OF(kl_describe_log_dirs_response_topic_t) topics;
    int64_t total_bytes;  /* v4+, default -1 */
    int64_t usable_bytes; /* v4+, default -1 */
} kl_describe_log_dirs_response_result_t;

typedef struct kl_describe_log_dirs_response {
    int32_t throttle_time_ms;
    int16_t error_code; /* v3+ */
    KL_ARRAY_OF(kl_describe_log_dirs_response_result_t) results;
} kl_describe_log_dirs_response_t;

extern const kl_schema_t kl_describe_log_dirs_request_schema, kl_describe_log_dirs_response_schema;

#endif
