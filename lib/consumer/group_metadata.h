/* kl_consumer_group_metadata_t: what a transactional producer needs of a
 * consumer to commit its offsets in a transaction (TxnOffsetCommit v3+,
 * KIP-447). Read by lib/producer/txn_offsets.c. */
#ifndef KL_CONSUMER_GROUP_METADATA_H
#define KL_CONSUMER_GROUP_METADATA_H

#include <stdint.h>

#include "kafkalite/consumer.h"

struct kl_consumer_group_metadata {
    char *group_id;
    int32_t generation_id; /* -1: not a member */
    char *member_id;       /* "" when not a member */
    char *instance_id;     /* NULL: none */
};

/* A deep copy, or NULL when out of memory. */
kl_consumer_group_metadata_t *kl_consumer_group_metadata_copy(const kl_consumer_group_metadata_t *md);

#endif
