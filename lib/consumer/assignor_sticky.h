/* What the cooperative-sticky assignor learns from each member: the
 * partitions it owns and the generation they are from, read from the
 * subscription (v1 owned partitions, v2 generation) or, for older members,
 * from the sticky user data librdkafka and the Java client put there. */
#ifndef KL_CONSUMER_ASSIGNOR_STICKY_H
#define KL_CONSUMER_ASSIGNOR_STICKY_H

#include "consumer/assignor.h"

typedef struct kl_sticky_claim {
    int32_t generation; /* -1 when the member does not say */
    const kl_consumer_protocol_subscription_topic_partition_t *owned;
    int32_t owned_count;
} kl_sticky_claim_t;

/* The member's claim. Unreadable user data is ignored (the member then
 * claims only what its subscription says); arrays may live in arena. */
kl_err_t kl_sticky_member_claim(const kl_assignor_member_t *member, kl_arena_t *arena,
                                kl_sticky_claim_t *claim) KL_WARN_UNUSED;

/* The user data a cooperative-sticky member sends: librdkafka's sticky
 * format (owned partitions, then the generation), or none before the member
 * has had an assignment. */
kl_err_t kl_sticky_user_data(const kl_assignor_join_t *join, kl_arena_t *arena, kl_bytes_t *out)
    KL_WARN_UNUSED;

#endif
