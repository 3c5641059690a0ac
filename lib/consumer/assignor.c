/* The assignor registry, the partition.assignment.strategy list, running an
 * assignor over a plan, and the consumer-protocol subscription a member
 * sends (built) and the leader reads (parsed). */
#include "consumer/assignor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer/assignor_plan.h"

static const kl_assignor_t *const assignors[] = {
    &kl_assignor_range,
    &kl_assignor_roundrobin,
    &kl_assignor_cooperative_sticky,
};
#define ASSIGNOR_COUNT (sizeof assignors / sizeof assignors[0])

const kl_assignor_t *kl_assignor_find(kl_str_t name)
{
    for (size_t i = 0; i < ASSIGNOR_COUNT; i++)
        if (kl_assignor_str_cmp(name, kl_str(assignors[i]->name)) == 0)
            return assignors[i];
    return NULL;
}

const kl_assignor_t *kl_assignor_by_flag(int flag)
{
    for (size_t i = 0; i < ASSIGNOR_COUNT; i++)
        if (assignors[i]->flag == flag)
            return assignors[i];
    return NULL;
}

/* One comma-separated name (spaces around it ignored) into *a. */
static kl_err_t list_name(const char *s, size_t len, const kl_assignor_t **a, char *errstr,
                          size_t errstr_size)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    *a = kl_assignor_find((kl_str_t){s, (int32_t)len});
    if (!*a) {
        snprintf(errstr, errstr_size, "unknown partition.assignment.strategy \"%.*s\"",
                 (int)len, s);
        return KL_ERR_INVALID_VALUE;
    }
    return KL_ERR_NONE;
}

kl_err_t kl_assignor_list_parse(const char *strategy, const kl_assignor_t **out, size_t max,
                                size_t *countp, char *errstr, size_t errstr_size)
{
    size_t count = 0;
    for (const char *s = strategy; s && *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        const kl_assignor_t *a;
        kl_err_t err = list_name(s, len, &a, errstr, errstr_size);
        if (err)
            return err;
        for (size_t i = 0; i < count; i++)
            if (out[i] == a) {
                snprintf(errstr, errstr_size, "assignor \"%s\" listed twice", a->name);
                return KL_ERR_INVALID_VALUE;
            }
        if (count > 0 && out[0]->cooperative != a->cooperative) {
            snprintf(errstr, errstr_size, "cannot mix cooperative and eager assignors (%s, %s)",
                     out[0]->name, a->name);
            return KL_ERR_INVALID_VALUE;
        }
        if (count == max) {
            snprintf(errstr, errstr_size, "more than %zu assignors", max);
            return KL_ERR_INVALID_VALUE;
        }
        out[count++] = a;
        s = comma ? comma + 1 : s + len;
    }
    if (count == 0) {
        snprintf(errstr, errstr_size, "no partition.assignment.strategy given");
        return KL_ERR_INVALID_VALUE;
    }
    *countp = count;
    return KL_ERR_NONE;
}

kl_err_t kl_assignor_assign(const kl_assignor_t *assignor, const kl_assignor_member_t *members,
                            size_t member_count, const kl_assignor_topic_t *topics,
                            size_t topic_count, kl_arena_t *arena,
                            kl_consumer_protocol_assignment_t *assignments)
{
    kl_assignor_plan_t plan;
    kl_err_t err = kl_assignor_plan_init(&plan, members, member_count, topics, topic_count);
    if (!err)
        err = assignor->assign(&plan);
    if (!err)
        err = kl_assignor_plan_result(&plan, arena, assignments);
    kl_assignor_plan_free(&plan);
    return err;
}

static int partition_cmp(const void *pa, const void *pb)
{
    const kl_assignor_partition_t *a = pa, *b = pb;
    int c = strcmp(a->topic, b->topic);
    return c ? c : (a->partition > b->partition) - (a->partition < b->partition);
}

kl_err_t kl_assignor_owned_group(const kl_assignor_partition_t *owned, size_t count,
                                 kl_arena_t *arena, kl_assignor_owned_t *out)
{
    typedef kl_consumer_protocol_subscription_topic_partition_t entry_t;
    out->items = NULL;
    out->count = 0;
    if (count > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    for (size_t i = 0; i < count; i++)
        if (!owned[i].topic)
            return KL_ERR_INVALID_ARG;
    kl_assignor_partition_t *sorted = kl_arena_calloc(arena, count ? count : 1, sizeof *sorted);
    int32_t *partitions = kl_arena_calloc(arena, count ? count : 1, sizeof *partitions);
    entry_t *entries = kl_arena_calloc(arena, count ? count : 1, sizeof *entries);
    if (!sorted || !partitions || !entries)
        return KL_ERR_NOMEM;
    if (count)
        memcpy(sorted, owned, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, partition_cmp);
    entry_t *e = NULL;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        if (i > 0 && partition_cmp(&sorted[i - 1], &sorted[i]) == 0)
            continue;
        if (!e || strcmp(sorted[i - 1].topic, sorted[i].topic) != 0) {
            e = &entries[out->count++];
            e->topic = kl_str(sorted[i].topic);
            e->partitions.items = &partitions[used];
        }
        partitions[used++] = sorted[i].partition;
        e->partitions.count++;
    }
    out->items = entries;
    return KL_ERR_NONE;
}

static int cstr_cmp(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* join's topics, sorted and without duplicates, as the subscription's array. */
static kl_err_t subscription_topics(const kl_assignor_join_t *join, kl_arena_t *arena,
                                    kl_consumer_protocol_subscription_t *sub)
{
    size_t n = join->topic_count;
    if (n > INT32_MAX)
        return KL_ERR_INVALID_ARG;
    const char **names = kl_arena_calloc(arena, n ? n : 1, sizeof *names);
    kl_str_t *topics = kl_arena_calloc(arena, n ? n : 1, sizeof *topics);
    if (!names || !topics)
        return KL_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(names[i] = join->topics[i]))
            return KL_ERR_INVALID_ARG;
    qsort(names, n, sizeof *names, cstr_cmp);
    int32_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(names[i - 1], names[i]) != 0)
            topics[count++] = kl_str(names[i]);
    sub->topics.items = topics;
    sub->topics.count = count;
    return KL_ERR_NONE;
}

kl_err_t kl_assignor_subscription_build(const kl_assignor_t *assignor,
                                        const kl_assignor_join_t *join, kl_buf_t *buf)
{
    if (join->version < 0 || join->version > KL_CONSUMER_PROTOCOL_MAX_VERSION)
        return KL_ERR_INVALID_ARG;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_consumer_protocol_subscription_t sub = {.user_data = KL_BYTES_NULL,
                                               .generation_id = join->generation,
                                               .rack_id = kl_str(join->rack)};
    kl_assignor_owned_t owned;
    kl_err_t err = subscription_topics(join, &arena, &sub);
    if (!err)
        err = kl_assignor_owned_group(join->owned, join->owned_count, &arena, &owned);
    if (!err && assignor->user_data)
        err = assignor->user_data(join, &arena, &sub.user_data);
    if (!err) {
        sub.owned_partitions.items = owned.items;
        sub.owned_partitions.count = owned.count;
        err = kl_consumer_protocol_subscription_encode(buf, join->version, &sub);
    }
    if (!err)
        err = kl_buf_error(buf);
    kl_arena_free(&arena);
    return err;
}

kl_err_t kl_assignor_member_parse(kl_assignor_member_t *member, kl_str_t member_id,
                                  kl_str_t group_instance_id, kl_bytes_t metadata,
                                  kl_arena_t *arena)
{
    memset(member, 0, sizeof *member);
    member->member_id = member_id;
    member->group_instance_id = group_instance_id;
    kl_err_t err = kl_consumer_protocol_subscription_decode(metadata, arena,
                                                            &member->subscription,
                                                            &member->version);
    if (err)
        return err;
    /* A version newer than ours was read as ours: say so, so that callers
     * only look at fields that were actually read. */
    if (member->version > KL_CONSUMER_PROTOCOL_MAX_VERSION)
        member->version = KL_CONSUMER_PROTOCOL_MAX_VERSION;
    return KL_ERR_NONE;
}
