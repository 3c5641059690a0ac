/* The sticky assignors' user data and each member's ownership claim. Two
 * formats exist: the Java CooperativeStickyAssignor sends only its int32
 * generation; librdkafka (and Java's eager StickyAssignor) send the previous
 * assignment as [topic [partition]] followed, in version 1, by the int32
 * generation. Either is only needed for members older than subscription
 * version 2, which carries the generation itself. */
#include "consumer/assignor_sticky.h"

#include <stddef.h>
#include <string.h>

#include "consumer/assignor_plan.h"
#include "proto/codec.h"
#include "util/reader.h"

typedef struct sticky_user_data {
    KL_ARRAY_OF(kl_consumer_protocol_subscription_topic_partition_t) previous_assignment;
    int32_t generation; /* version 1 */
} sticky_user_data_t;

typedef kl_consumer_protocol_subscription_topic_partition_t sticky_topic_t;

static const kl_field_t sticky_topic_fields[] = {
    KL_F(sticky_topic_t, topic, KL_FT_STRING, 0, KL_VMAX),
    KL_A(sticky_topic_t, partitions, KL_FT_INT32, 0, KL_VMAX),
};
static KL_SCHEMA(sticky_topic_schema, sticky_topic_t, sticky_topic_fields);

static const kl_field_t sticky_user_data_fields[] = {
    KL_AS(sticky_user_data_t, previous_assignment, sticky_topic_schema, 0, KL_VMAX),
    KL_FD(sticky_user_data_t, generation, KL_FT_INT32, 1, KL_VMAX, -1),
};
static KL_SCHEMA(sticky_user_data_schema, sticky_user_data_t, sticky_user_data_fields);

/* Decodes data as exactly one sticky user data of that version. */
static bool user_data_decode(kl_bytes_t data, int16_t version, kl_arena_t *arena,
                             sticky_user_data_t *out)
{
    kl_rd_t rd;
    kl_rd_init(&rd, data.ptr, (size_t)data.len);
    kl_err_t err = kl_proto_decode(&rd, &sticky_user_data_schema, version, false, arena, out);
    return !err && kl_rd_remaining(&rd) == 0;
}

static void claim_from_user_data(kl_bytes_t data, kl_arena_t *arena, int32_t *generation,
                                 kl_sticky_claim_t *from_data)
{
    *generation = -1;
    from_data->owned = NULL;
    from_data->owned_count = 0;
    if (data.len <= 0)
        return;
    if (data.len == 4) { /* Java's CooperativeStickyAssignor */
        *generation = (int32_t)kl_load_be32(data.ptr);
        return;
    }
    sticky_user_data_t ud;
    if (!user_data_decode(data, 1, arena, &ud) && !user_data_decode(data, 0, arena, &ud))
        return;
    *generation = ud.generation;
    from_data->owned = ud.previous_assignment.items;
    from_data->owned_count = ud.previous_assignment.count;
}

kl_err_t kl_sticky_member_claim(const kl_assignor_member_t *member, kl_arena_t *arena,
                                kl_sticky_claim_t *claim)
{
    const kl_consumer_protocol_subscription_t *sub = &member->subscription;
    claim->generation = member->version >= 2 ? sub->generation_id : -1;
    claim->owned = member->version >= 1 ? sub->owned_partitions.items : NULL;
    claim->owned_count = member->version >= 1 ? sub->owned_partitions.count : 0;
    if (claim->owned_count < 0)
        claim->owned_count = 0;
    if (claim->generation >= 0 && member->version >= 1)
        return KL_ERR_NONE;
    int32_t generation;
    kl_sticky_claim_t from_data;
    claim_from_user_data(sub->user_data, arena, &generation, &from_data);
    if (claim->generation < 0)
        claim->generation = generation;
    if (member->version < 1) {
        claim->owned = from_data.owned;
        claim->owned_count = from_data.owned_count < 0 ? 0 : from_data.owned_count;
    }
    return KL_ERR_NONE;
}

kl_err_t kl_sticky_user_data(const kl_assignor_join_t *join, kl_arena_t *arena, kl_bytes_t *out)
{
    *out = KL_BYTES_NULL;
    if (join->generation < 0)
        return KL_ERR_NONE;
    kl_assignor_owned_t owned;
    kl_err_t err = kl_assignor_owned_group(join->owned, join->owned_count, arena, &owned);
    if (err)
        return err;
    sticky_user_data_t ud = {.previous_assignment = {owned.items, owned.count},
                             .generation = join->generation};
    kl_buf_t buf;
    kl_buf_init(&buf, 0);
    err = kl_proto_encode(&buf, &sticky_user_data_schema, 1, false, &ud);
    if (!err)
        err = kl_buf_error(&buf);
    uint8_t *copy = err ? NULL : kl_arena_alloc(arena, buf.len);
    if (!err && !copy)
        err = KL_ERR_NOMEM;
    if (!err) {
        memcpy(copy, buf.data, buf.len);
        *out = kl_bytes(copy, (int32_t)buf.len);
    }
    kl_buf_free(&buf);
    return err;
}
