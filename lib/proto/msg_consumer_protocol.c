/* Field tables of the consumer protocol's subscription and assignment (the
 * bytes inside JoinGroup metadata and SyncGroup assignments), and the
 * helpers that add the leading version. */
#include "proto/msg_consumer_protocol.h"

#include <stdbool.h>
#include <stddef.h>

#include "proto/codec.h"
#include "util/reader.h"

/* ConsumerProtocolSubscription: validVersions 0-3, flexibleVersions none. */

static const kl_field_t subscription_topic_partition_fields[] = {
    KL_F(kl_consumer_protocol_subscription_topic_partition_t, topic, KL_FT_STRING, 1, KL_VMAX),
    KL_A(kl_consumer_protocol_subscription_topic_partition_t, partitions, KL_FT_INT32, 1, KL_VMAX),
};
static KL_SCHEMA(kl_consumer_protocol_subscription_topic_partition_schema,
                 kl_consumer_protocol_subscription_topic_partition_t,
                 subscription_topic_partition_fields);

static const kl_field_t subscription_fields[] = {
    KL_A(kl_consumer_protocol_subscription_t, topics, KL_FT_STRING, 0, KL_VMAX),
    KL_FNN(kl_consumer_protocol_subscription_t, user_data, KL_FT_BYTES, 0, KL_VMAX, 0),
    KL_AS(kl_consumer_protocol_subscription_t, owned_partitions,
          kl_consumer_protocol_subscription_topic_partition_schema, 1, KL_VMAX),
    KL_FD(kl_consumer_protocol_subscription_t, generation_id, KL_FT_INT32, 2, KL_VMAX, -1),
    KL_FNN(kl_consumer_protocol_subscription_t, rack_id, KL_FT_STRING, 3, KL_VMAX, 3),
};
KL_SCHEMA(kl_consumer_protocol_subscription_schema, kl_consumer_protocol_subscription_t,
          subscription_fields);

/* ConsumerProtocolAssignment: validVersions 0-3, flexibleVersions none
 * (versions 1-3 add nothing to the assignment itself). */

static const kl_field_t assignment_topic_partition_fields[] = {
    KL_F(kl_consumer_protocol_assignment_topic_partition_t, topic, KL_FT_STRING, 0, KL_VMAX),
    KL_A(kl_consumer_protocol_assignment_topic_partition_t, partitions, KL_FT_INT32, 0, KL_VMAX),
};
static KL_SCHEMA(kl_consumer_protocol_assignment_topic_partition_schema,
                 kl_consumer_protocol_assignment_topic_partition_t,
                 assignment_topic_partition_fields);

static const kl_field_t assignment_fields[] = {
    KL_AS(kl_consumer_protocol_assignment_t, assigned_partitions,
          kl_consumer_protocol_assignment_topic_partition_schema, 0, KL_VMAX),
    KL_FNN(kl_consumer_protocol_assignment_t, user_data, KL_FT_BYTES, 0, KL_VMAX, 0),
};
KL_SCHEMA(kl_consumer_protocol_assignment_schema, kl_consumer_protocol_assignment_t,
          assignment_fields);

static kl_err_t decode_versioned(kl_bytes_t data, const kl_schema_t *schema, kl_arena_t *arena,
                                 void *msg, int16_t *versionp)
{
    kl_rd_t rd;
    kl_rd_init(&rd, data.ptr, data.len > 0 ? (size_t)data.len : 0);
    int16_t version = kl_rd_i16(&rd);
    if (kl_rd_error(&rd))
        return kl_rd_error(&rd);
    if (version < 0)
        return kl_rd_fail(&rd, KL_ERR_BAD_MSG, "consumer protocol version");
    if (versionp)
        *versionp = version;
    if (version > KL_CONSUMER_PROTOCOL_MAX_VERSION)
        version = KL_CONSUMER_PROTOCOL_MAX_VERSION;
    return kl_proto_decode(&rd, schema, version, false, arena, msg);
}

static kl_err_t encode_versioned(kl_buf_t *buf, const kl_schema_t *schema, int16_t version,
                                 const void *msg)
{
    if (version < 0 || version > KL_CONSUMER_PROTOCOL_MAX_VERSION)
        return KL_ERR_INVALID_ARG;
    kl_buf_put_i16(buf, version);
    return kl_proto_encode(buf, schema, version, false, msg);
}

kl_err_t kl_consumer_protocol_subscription_decode(kl_bytes_t data, kl_arena_t *arena,
                                                  kl_consumer_protocol_subscription_t *sub,
                                                  int16_t *versionp)
{
    return decode_versioned(data, &kl_consumer_protocol_subscription_schema, arena, sub, versionp);
}

kl_err_t kl_consumer_protocol_assignment_decode(kl_bytes_t data, kl_arena_t *arena,
                                                kl_consumer_protocol_assignment_t *assignment,
                                                int16_t *versionp)
{
    return decode_versioned(data, &kl_consumer_protocol_assignment_schema, arena, assignment,
                            versionp);
}

kl_err_t kl_consumer_protocol_subscription_encode(kl_buf_t *buf, int16_t version,
                                                  const kl_consumer_protocol_subscription_t *sub)
{
    return encode_versioned(buf, &kl_consumer_protocol_subscription_schema, version, sub);
}

kl_err_t kl_consumer_protocol_assignment_encode(kl_buf_t *buf, int16_t version,
                                                const kl_consumer_protocol_assignment_t *assignment)
{
    return encode_versioned(buf, &kl_consumer_protocol_assignment_schema, version, assignment);
}
