/* The "range" assignor: topic by topic, the subscribed members (in the Java
 * client's order) get contiguous ranges of partitions, the first ones one
 * partition more when the count does not divide evenly. */
#include <stdlib.h>

#include "client/conf_table.h"
#include "consumer/assignor_plan.h"

static kl_err_t range_assign(kl_assignor_plan_t *plan)
{
    size_t n = plan->member_count ? plan->member_count : 1;
    size_t *subscribers = malloc(n * sizeof *subscribers);
    if (!subscribers)
        return KL_ERR_NOMEM;
    for (size_t t = 0; t < plan->topic_count; t++) {
        size_t count = 0;
        for (size_t i = 0; i < plan->member_count; i++)
            if (kl_assignor_plan_subscribed(plan, plan->order[i], t))
                subscribers[count++] = plan->order[i];
        if (count == 0)
            continue;
        size_t partitions = (size_t)plan->topics[t]->partition_count;
        size_t each = partitions / count, extra = partitions % count;
        size_t next = plan->topic_base[t];
        for (size_t i = 0; i < count; i++) {
            size_t take = each + (i < extra ? 1 : 0);
            for (size_t k = 0; k < take; k++)
                plan->owner[next++] = subscribers[i];
        }
    }
    free(subscribers);
    return KL_ERR_NONE;
}

const kl_assignor_t kl_assignor_range = {
    .name = "range",
    .protocol_type = "consumer",
    .flag = KL_ASSIGNOR_RANGE,
    .cooperative = false,
    .assign = range_assign,
    .user_data = NULL,
};
