/* The assignors' shared working state (see assignor_plan.h): validating
 * and ordering the input, the subscription matrix, and turning the chosen
 * owners into per-member assignments. */
#include "consumer/assignor_plan.h"

#include <stdlib.h>
#include <string.h>

int kl_assignor_str_cmp(kl_str_t a, kl_str_t b)
{
    if (a.len < 0 || b.len < 0)
        return (a.len >= 0) - (b.len >= 0);
    size_t n = (size_t)(a.len < b.len ? a.len : b.len);
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c)
        return c;
    return (a.len > b.len) - (a.len < b.len);
}

/* The Java client's member order: members with a group.instance.id first,
 * by that id; then the others by member id. */
static int member_cmp(const void *pa, const void *pb)
{
    const kl_assignor_member_t *a = *(const kl_assignor_member_t *const *)pa;
    const kl_assignor_member_t *b = *(const kl_assignor_member_t *const *)pb;
    bool sa = a->group_instance_id.len >= 0, sb = b->group_instance_id.len >= 0;
    if (sa != sb)
        return sa ? -1 : 1;
    int c = sa ? kl_assignor_str_cmp(a->group_instance_id, b->group_instance_id) : 0;
    return c ? c : kl_assignor_str_cmp(a->member_id, b->member_id);
}

static int topic_cmp(const void *pa, const void *pb)
{
    const kl_assignor_topic_t *a = *(const kl_assignor_topic_t *const *)pa;
    const kl_assignor_topic_t *b = *(const kl_assignor_topic_t *const *)pb;
    return kl_assignor_str_cmp(a->name, b->name);
}

size_t kl_assignor_plan_topic(const kl_assignor_plan_t *plan, kl_str_t name)
{
    size_t lo = 0, hi = plan->topic_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = kl_assignor_str_cmp(plan->topics[mid]->name, name);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return KL_ASSIGNOR_NONE;
}

size_t kl_assignor_plan_partition(const kl_assignor_plan_t *plan, size_t topic, int32_t partition)
{
    if (topic >= plan->topic_count || partition < 0 ||
        partition >= plan->topics[topic]->partition_count)
        return KL_ASSIGNOR_NONE;
    return plan->topic_base[topic] + (size_t)partition;
}

size_t kl_assignor_plan_topic_of(const kl_assignor_plan_t *plan, size_t number)
{
    /* The last topic whose base is <= number (empty topics share a base). */
    size_t lo = 0, hi = plan->topic_count;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (plan->topic_base[mid] <= number)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int member_id_cmp(const void *pa, const void *pb)
{
    const kl_assignor_member_t *a = *(const kl_assignor_member_t *const *)pa;
    const kl_assignor_member_t *b = *(const kl_assignor_member_t *const *)pb;
    return kl_assignor_str_cmp(a->member_id, b->member_id);
}

/* Sorts members into plan->order; duplicate or null member ids are invalid. */
static kl_err_t plan_order_members(kl_assignor_plan_t *plan)
{
    size_t n = plan->member_count;
    const kl_assignor_member_t **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        sorted[i] = &plan->members[i];
    kl_err_t err = KL_ERR_NONE;
    qsort(sorted, n, sizeof *sorted, member_id_cmp);
    for (size_t i = 0; i < n; i++)
        if (sorted[i]->member_id.len < 0 ||
            (i > 0 && member_id_cmp(&sorted[i - 1], &sorted[i]) == 0))
            err = KL_ERR_INVALID_ARG;
    qsort(sorted, n, sizeof *sorted, member_cmp);
    for (size_t i = 0; i < n; i++) {
        plan->order[i] = (size_t)(sorted[i] - plan->members);
        plan->rank[plan->order[i]] = i;
    }
    free(sorted);
    return err;
}

/* Sorts topics and numbers their partitions; duplicate or null names and
 * negative partition counts are invalid. */
static kl_err_t plan_order_topics(kl_assignor_plan_t *plan, const kl_assignor_topic_t *topics)
{
    for (size_t i = 0; i < plan->topic_count; i++) {
        plan->topics[i] = &topics[i];
        if (topics[i].name.len < 0 || topics[i].partition_count < 0)
            return KL_ERR_INVALID_ARG;
    }
    qsort(plan->topics, plan->topic_count, sizeof *plan->topics, topic_cmp);
    size_t total = 0;
    for (size_t i = 0; i < plan->topic_count; i++) {
        if (i > 0 && topic_cmp(&plan->topics[i - 1], &plan->topics[i]) == 0)
            return KL_ERR_INVALID_ARG;
        plan->topic_base[i] = total;
        total += (size_t)plan->topics[i]->partition_count;
    }
    plan->partition_count = total;
    return KL_ERR_NONE;
}

static void plan_mark_subscriptions(kl_assignor_plan_t *plan)
{
    for (size_t m = 0; m < plan->member_count; m++) {
        const kl_consumer_protocol_subscription_t *sub = &plan->members[m].subscription;
        for (int32_t i = 0; i < sub->topics.count; i++) {
            size_t t = kl_assignor_plan_topic(plan, sub->topics.items[i]);
            if (t == KL_ASSIGNOR_NONE || plan->subscribed[m * plan->topic_count + t])
                continue;
            plan->subscribed[m * plan->topic_count + t] = true;
            plan->subscriber_count[t]++;
        }
    }
}

kl_err_t kl_assignor_plan_init(kl_assignor_plan_t *plan, const kl_assignor_member_t *members,
                               size_t member_count, const kl_assignor_topic_t *topics,
                               size_t topic_count)
{
    memset(plan, 0, sizeof *plan);
    plan->members = members;
    plan->member_count = member_count;
    plan->topic_count = topic_count;
    size_t m1 = member_count ? member_count : 1, t1 = topic_count ? topic_count : 1;
    if (member_count && topic_count > SIZE_MAX / member_count)
        return KL_ERR_NOMEM;
    plan->order = calloc(m1, sizeof *plan->order);
    plan->rank = calloc(m1, sizeof *plan->rank);
    plan->topics = calloc(t1, sizeof *plan->topics);
    plan->topic_base = calloc(t1, sizeof *plan->topic_base);
    plan->subscriber_count = calloc(t1, sizeof *plan->subscriber_count);
    plan->subscribed = calloc(m1 * t1, sizeof *plan->subscribed);
    if (!plan->order || !plan->rank || !plan->topics || !plan->topic_base ||
        !plan->subscriber_count || !plan->subscribed)
        return KL_ERR_NOMEM;
    kl_err_t err = plan_order_members(plan);
    if (!err)
        err = plan_order_topics(plan, topics);
    if (err)
        return err;
    plan_mark_subscriptions(plan);
    plan->owner = malloc((plan->partition_count ? plan->partition_count : 1) * sizeof *plan->owner);
    if (!plan->owner)
        return KL_ERR_NOMEM;
    for (size_t p = 0; p < plan->partition_count; p++)
        plan->owner[p] = KL_ASSIGNOR_NONE;
    return KL_ERR_NONE;
}

void kl_assignor_plan_free(kl_assignor_plan_t *plan)
{
    free(plan->order);
    free(plan->rank);
    free(plan->topics);
    free(plan->topic_base);
    free(plan->subscriber_count);
    free(plan->subscribed);
    free(plan->owner);
    memset(plan, 0, sizeof *plan);
}

/* One member's partitions (numbers ascending, so grouped by sorted topic)
 * as the assignment's topic list. */
static kl_err_t plan_member_result(const kl_assignor_plan_t *plan, const size_t *numbers,
                                   size_t count, kl_arena_t *arena,
                                   kl_consumer_protocol_assignment_t *out)
{
    typedef kl_consumer_protocol_assignment_topic_partition_t entry_t;
    size_t topics = 0;
    for (size_t i = 0; i < count; i++)
        if (i == 0 || kl_assignor_plan_topic_of(plan, numbers[i]) !=
                          kl_assignor_plan_topic_of(plan, numbers[i - 1]))
            topics++;
    entry_t *entries = kl_arena_calloc(arena, topics ? topics : 1, sizeof *entries);
    int32_t *partitions = kl_arena_calloc(arena, count ? count : 1, sizeof *partitions);
    if (!entries || !partitions)
        return KL_ERR_NOMEM;
    entry_t *e = entries - 1;
    for (size_t i = 0; i < count; i++) {
        size_t t = kl_assignor_plan_topic_of(plan, numbers[i]);
        if (i == 0 || t != kl_assignor_plan_topic_of(plan, numbers[i - 1])) {
            e++;
            e->topic = plan->topics[t]->name;
            e->partitions.items = &partitions[i];
        }
        partitions[i] = (int32_t)(numbers[i] - plan->topic_base[t]);
        e->partitions.count++;
    }
    out->assigned_partitions.items = entries;
    out->assigned_partitions.count = (int32_t)topics;
    out->user_data = KL_BYTES_NULL;
    return KL_ERR_NONE;
}

kl_err_t kl_assignor_plan_result(const kl_assignor_plan_t *plan, kl_arena_t *arena,
                                 kl_consumer_protocol_assignment_t *assignments)
{
    size_t n = plan->member_count, total = plan->partition_count;
    size_t *start = calloc(n + 1, sizeof *start);
    size_t *numbers = malloc((total ? total : 1) * sizeof *numbers);
    kl_err_t err = start && numbers ? KL_ERR_NONE : KL_ERR_NOMEM;
    /* Counting sort of partition numbers by owner keeps them ascending. */
    for (size_t p = 0; !err && p < total; p++)
        if (plan->owner[p] != KL_ASSIGNOR_NONE)
            start[plan->owner[p] + 1]++;
    for (size_t m = 0; !err && m < n; m++)
        start[m + 1] += start[m];
    for (size_t p = 0; !err && p < total; p++)
        if (plan->owner[p] != KL_ASSIGNOR_NONE)
            numbers[start[plan->owner[p]]++] = p;
    /* start[m] is now the end of member m's run, which begins at start[m-1]. */
    for (size_t m = 0; !err && m < n; m++) {
        size_t begin = m ? start[m - 1] : 0;
        err = plan_member_result(plan, numbers + begin, start[m] - begin, arena, &assignments[m]);
    }
    free(start);
    free(numbers);
    return err;
}
