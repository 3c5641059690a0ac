/* The consumer protocol's embedded structures: the subscription a member
 * puts in JoinGroup's protocol metadata and the assignment the leader hands
 * out through SyncGroup. Not APIs: each is a leading int16 version followed
 * by the fields, never flexible (versions 0-3). */
#ifndef KL_PROTO_MSG_CONSUMER_PROTOCOL_H
#define KL_PROTO_MSG_CONSUMER_PROTOCOL_H

#include <stdint.h>

#include "kafkalite/error.h"
#include "proto/schema.h"
#include "proto/types.h"
#include "util/arena.h"
#include "util/buf.h"

/* Newest version these tables describe. */
#define KL_CONSUMER_PROTOCOL_MAX_VERSION 3

typedef struct kl_consumer_protocol_subscription_topic_partition {
    kl_str_t topic;
    KL_ARRAY_OF(int32_t) partitions;
} kl_consumer_protocol_subscription_topic_partition_t;

typedef struct kl_consumer_protocol_subscription {
    KL_ARRAY_OF(kl_str_t) topics;
    kl_bytes_t user_data; /* nullable, null by default */
    KL_ARRAY_OF(kl_consumer_protocol_subscription_topic_partition_t) owned_partitions; /* v1+ */
    int32_t generation_id; /* v2+ */
    kl_str_t rack_id;      /* v3+, nullable */
} kl_consumer_protocol_subscription_t;

typedef struct kl_consumer_protocol_assignment_topic_partition {
    kl_str_t topic;
    KL_ARRAY_OF(int32_t) partitions;
} kl_consumer_protocol_assignment_topic_partition_t;

typedef struct kl_consumer_protocol_assignment {
    KL_ARRAY_OF(kl_consumer_protocol_assignment_topic_partition_t) assigned_partitions;
    kl_bytes_t user_data; /* nullable, null by default */
} kl_consumer_protocol_assignment_t;

/* The fields only, without the leading version (use with flexible false). */
extern const kl_schema_t kl_consumer_protocol_subscription_schema;
extern const kl_schema_t kl_consumer_protocol_assignment_schema;

/* Decode the leading int16 version and the fields. As Kafka's clients do, a
 * version newer than ours is read as our newest (later versions may only
 * append fields) and bytes after the known fields are ignored; a negative
 * version or a truncated body is KL_ERR_BAD_MSG. *versionp (may be NULL)
 * gets the version on the wire. Strings point into data. */
kl_err_t kl_consumer_protocol_subscription_decode(kl_bytes_t data, kl_arena_t *arena,
                                                  kl_consumer_protocol_subscription_t *sub,
                                                  int16_t *versionp) KL_WARN_UNUSED;
kl_err_t kl_consumer_protocol_assignment_decode(kl_bytes_t data, kl_arena_t *arena,
                                                kl_consumer_protocol_assignment_t *assignment,
                                                int16_t *versionp) KL_WARN_UNUSED;

/* Append the int16 version and the fields at that version (0..3, else
 * KL_ERR_INVALID_ARG). */
kl_err_t kl_consumer_protocol_subscription_encode(kl_buf_t *buf, int16_t version,
                                                  const kl_consumer_protocol_subscription_t *sub)
    KL_WARN_UNUSED;
kl_err_t kl_consumer_protocol_assignment_encode(kl_buf_t *buf, int16_t version,
                                                const kl_consumer_protocol_assignment_t *assignment)
    KL_WARN_UNUSED;

#endif
