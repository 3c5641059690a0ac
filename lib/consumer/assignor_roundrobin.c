/* The "roundrobin" assignor: every subscribed partition, topics by name and
 * partitions ascending, dealt in turn to the members (in the Java client's
 * order), passing over a member not subscribed to that partition's topic. */
#include "client/conf_table.h"
#include "consumer/assignor_plan.h"

static kl_err_t roundrobin_assign(kl_assignor_plan_t *plan)
{
    size_t turn = 0; /* position in plan->order of the member dealt to next */
    for (size_t t = 0; t < plan->topic_count; t++) {
        if (plan->subscriber_count[t] == 0)
            continue;
        size_t first = plan->topic_base[t];
        size_t end = first + (size_t)plan->topics[t]->partition_count;
        for (size_t p = first; p < end; p++) {
            /* Terminates: at least one member subscribes to t. */
            while (!kl_assignor_plan_subscribed(plan, plan->order[turn], t))
                turn = (turn + 1) % plan->member_count;
            plan->owner[p] = plan->order[turn];
            turn = (turn + 1) % plan->member_count;
        }
    }
    return KL_ERR_NONE;
}

const kl_assignor_t kl_assignor_roundrobin = {
    .name = "roundrobin",
    .protocol_type = "consumer",
    .flag = KL_ASSIGNOR_ROUNDROBIN,
    .cooperative = false,
    .assign = roundrobin_assign,
    .user_data = NULL,
};
