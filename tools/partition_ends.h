/* Which assigned partitions a consumer has read to their end, for
 * `kafkalite consume -e` and `kafkalite perf consume` (single topic): a
 * partition is at its end after a PARTITION_EOF event and until its next
 * message. */
#ifndef KL_TOOLS_PARTITION_ENDS_H
#define KL_TOOLS_PARTITION_ENDS_H

#include <stdbool.h>
#include <stddef.h>

#include <kafkalite.h>

typedef struct partition_ends {
    bool *at_end; /* by partition */
    size_t size;
} partition_ends_t;

/* Notes what msg says: an end-of-partition event, or a message. false
 * when out of memory. */
bool partition_ends_note(partition_ends_t *ends, const kl_message_t *msg);

/* True when something is assigned and every assigned partition is at its
 * end (while the group is still handing partitions out: false). */
bool partition_ends_all(const partition_ends_t *ends, kl_consumer_t *consumer);

void partition_ends_free(partition_ends_t *ends);

#endif
