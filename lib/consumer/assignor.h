/* Partition assignors: what the elected group leader runs to share the
 * subscribed partitions among the members ("range", "roundrobin",
 * "cooperative-sticky"), and the consumer-protocol metadata each member
 * sends in JoinGroup so the leader knows its subscription and ownership. */
#ifndef KL_CONSUMER_ASSIGNOR_H
#define KL_CONSUMER_ASSIGNOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "proto/msg_consumer_protocol.h"
#include "proto/types.h"
#include "util/arena.h"
#include "util/buf.h"

/* The consumer protocol version members write by default. */
#define KL_ASSIGNOR_SUBSCRIPTION_VERSION KL_CONSUMER_PROTOCOL_MAX_VERSION

/* One group member as the leader sees it (from JoinGroup's member list). */
typedef struct kl_assignor_member {
    kl_str_t member_id;
    kl_str_t group_instance_id; /* null for a dynamic member */
    int16_t version;            /* the consumer protocol version it wrote */
    /* topics, user_data, owned_partitions (v1+), generation_id (v2+, -1 when
     * unknown), rack_id (v3+) */
    kl_consumer_protocol_subscription_t subscription;
} kl_assignor_member_t;

/* A topic the leader found in metadata. */
typedef struct kl_assignor_topic {
    kl_str_t name;
    int32_t partition_count;
} kl_assignor_topic_t;

/* One partition this member owns, as the consumer keeps them. */
typedef struct kl_assignor_partition {
    const char *topic;
    int32_t partition;
} kl_assignor_partition_t;

/* What this member tells the group when it joins. */
typedef struct kl_assignor_join {
    int16_t version; /* consumer protocol version to write, 0..3 */
    const char *const *topics;
    size_t topic_count;
    const kl_assignor_partition_t *owned; /* written from v1 */
    size_t owned_count;
    int32_t generation; /* of the owned partitions, -1 if none; field from v2 */
    const char *rack;   /* client.rack, NULL if none; field from v3 */
} kl_assignor_join_t;

typedef struct kl_assignor_plan kl_assignor_plan_t;

typedef struct kl_assignor {
    const char *name;          /* the protocol name in JoinGroup */
    const char *protocol_type; /* always "consumer" */
    int flag;                  /* KL_ASSIGNOR_* of partition.assignment.strategy */
    bool cooperative;          /* revokes only what moves (incremental) */
    /* Sets plan->owner for every partition to share (see assignor_plan.h). */
    kl_err_t (*assign)(kl_assignor_plan_t *plan);
    /* The user data this member sends, or NULL when it sends none. */
    kl_err_t (*user_data)(const kl_assignor_join_t *join, kl_arena_t *arena, kl_bytes_t *out);
} kl_assignor_t;

extern const kl_assignor_t kl_assignor_range;
extern const kl_assignor_t kl_assignor_roundrobin;
extern const kl_assignor_t kl_assignor_cooperative_sticky;

/* The assignor of that protocol name / KL_ASSIGNOR_* flag, or NULL. */
const kl_assignor_t *kl_assignor_find(kl_str_t name);
const kl_assignor_t *kl_assignor_by_flag(int flag);

/* Parses partition.assignment.strategy ("range,roundrobin") into at most max
 * assignors in order of preference, the JoinGroup protocols. Unknown names,
 * duplicates, an empty list and a mix of cooperative and eager assignors
 * (which cannot share a group generation) are KL_ERR_INVALID_VALUE, with a
 * message in errstr. */
kl_err_t kl_assignor_list_parse(const char *strategy, const kl_assignor_t **out, size_t max,
                                size_t *countp, char *errstr, size_t errstr_size) KL_WARN_UNUSED;

/* Shares the topics' partitions among the members: assignments[i] (an array
 * of member_count the caller provides) gets members[i]'s partitions, topics
 * sorted by name and partitions ascending, all in arena. Subscribed topics
 * missing from topics are skipped. The result depends only on the input, not
 * on the order of members or topics. Duplicate member ids or topic names, a
 * null id or name and a negative partition count are KL_ERR_INVALID_ARG. */
kl_err_t kl_assignor_assign(const kl_assignor_t *assignor, const kl_assignor_member_t *members,
                            size_t member_count, const kl_assignor_topic_t *topics,
                            size_t topic_count, kl_arena_t *arena,
                            kl_consumer_protocol_assignment_t *assignments) KL_WARN_UNUSED;

/* Appends this member's JoinGroup protocol metadata for assignor: the int16
 * version and the subscription (topics sorted and deduplicated, owned
 * partitions grouped by topic, the assignor's user data). */
kl_err_t kl_assignor_subscription_build(const kl_assignor_t *assignor,
                                        const kl_assignor_join_t *join, kl_buf_t *buf)
    KL_WARN_UNUSED;

/* Fills member from one JoinGroup response member: its ids and its decoded
 * metadata (strings point into metadata and the ids; arrays in arena). */
kl_err_t kl_assignor_member_parse(kl_assignor_member_t *member, kl_str_t member_id,
                                  kl_str_t group_instance_id, kl_bytes_t metadata,
                                  kl_arena_t *arena) KL_WARN_UNUSED;

#endif
