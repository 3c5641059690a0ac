/* End-of-partition tracking for the consuming subcommands; see
 * partition_ends.h. */
#include <stdlib.h>
#include <string.h>

#include "partition_ends.h"

bool partition_ends_note(partition_ends_t *ends, const kl_message_t *msg)
{
    kl_err_t err = kl_message_error(msg);
    int32_t partition = kl_message_partition(msg);
    if (partition < 0 || (err != KL_ERR_NONE && err != KL_ERR_PARTITION_EOF))
        return true;
    if ((size_t)partition >= ends->size) {
        size_t size = (size_t)partition + 16;
        bool *grown = realloc(ends->at_end, size * sizeof *grown);
        if (!grown)
            return false;
        memset(grown + ends->size, 0, (size - ends->size) * sizeof *grown);
        ends->at_end = grown;
        ends->size = size;
    }
    ends->at_end[partition] = err == KL_ERR_PARTITION_EOF;
    return true;
}

bool partition_ends_all(const partition_ends_t *ends, kl_consumer_t *consumer)
{
    kl_topic_partition_list_t *assigned = NULL;
    if (kl_assignment(consumer, &assigned) != KL_ERR_NONE || !assigned)
        return false;
    bool done = assigned->count > 0;
    for (size_t i = 0; done && i < assigned->count; i++) {
        int32_t p = assigned->elems[i].partition;
        done = p >= 0 && (size_t)p < ends->size && ends->at_end[p];
    }
    kl_topic_partition_list_destroy(assigned);
    return done;
}

void partition_ends_free(partition_ends_t *ends)
{
    free(ends->at_end);
    ends->at_end = NULL;
    ends->size = 0;
}
