/* The working state every assignor fills in: members in the order the Java
 * client sorts them, topics sorted by name, every partition numbered once
 * (topic by topic), which member subscribes to which topic, and the owner
 * chosen for each partition. kl_assignor_assign() builds it, calls the
 * assignor, and turns owner[] into per-member assignments. */
#ifndef KL_CONSUMER_ASSIGNOR_PLAN_H
#define KL_CONSUMER_ASSIGNOR_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consumer/assignor.h"

#define KL_ASSIGNOR_NONE SIZE_MAX /* no member / no topic */

struct kl_assignor_plan {
    const kl_assignor_member_t *members;
    size_t member_count;
    size_t *order; /* member indices: static members by group.instance.id, then
                      dynamic members by member id */
    size_t *rank;  /* rank[member] = its position in order */

    const kl_assignor_topic_t **topics; /* sorted by name */
    size_t topic_count;
    size_t *topic_base;       /* number of topics' first partition */
    size_t *subscriber_count; /* per topic */
    size_t partition_count;   /* over all topics */
    bool *subscribed;         /* [member * topic_count + topic] */

    size_t *owner; /* per partition number: member index or KL_ASSIGNOR_NONE */
};

static inline bool kl_assignor_plan_subscribed(const kl_assignor_plan_t *plan, size_t member,
                                               size_t topic)
{
    return plan->subscribed[member * plan->topic_count + topic];
}

/* Byte-wise order of two strings (null before empty), as Java's compareTo
 * for ASCII names. */
int kl_assignor_str_cmp(kl_str_t a, kl_str_t b);

/* Index of the topic named name in plan->topics, or KL_ASSIGNOR_NONE. */
size_t kl_assignor_plan_topic(const kl_assignor_plan_t *plan, kl_str_t name);

/* The partition number of (topic index, partition), or KL_ASSIGNOR_NONE
 * when the partition does not exist. */
size_t kl_assignor_plan_partition(const kl_assignor_plan_t *plan, size_t topic, int32_t partition);

/* The topic index of a partition number. */
size_t kl_assignor_plan_topic_of(const kl_assignor_plan_t *plan, size_t number);

kl_err_t kl_assignor_plan_init(kl_assignor_plan_t *plan, const kl_assignor_member_t *members,
                               size_t member_count, const kl_assignor_topic_t *topics,
                               size_t topic_count) KL_WARN_UNUSED;
void kl_assignor_plan_free(kl_assignor_plan_t *plan);

/* Writes owner[] as one assignment per member (parallel to members). */
kl_err_t kl_assignor_plan_result(const kl_assignor_plan_t *plan, kl_arena_t *arena,
                                 kl_consumer_protocol_assignment_t *assignments) KL_WARN_UNUSED;

/* Owned partitions grouped by topic (topics sorted, partitions ascending,
 * duplicates dropped) as the subscription and sticky user data carry them;
 * arrays and topic names in arena. A NULL topic is KL_ERR_INVALID_ARG. */
typedef KL_ARRAY_OF(kl_consumer_protocol_subscription_topic_partition_t) kl_assignor_owned_t;
kl_err_t kl_assignor_owned_group(const kl_assignor_partition_t *owned, size_t count,
                                 kl_arena_t *arena, kl_assignor_owned_t *out) KL_WARN_UNUSED;

#endif
