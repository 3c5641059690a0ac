/* Choosing a partition for a message without one: the application's
 * callback when it set one, otherwise as librdkafka does:
 * keyed messages are hashed (CRC-32 for consistent, the Java client's
 * murmur2 for murmur2, FNV-1a for fnv1a); keyless ones stick to one random
 * partition for sticky.partitioning.linger.ms so batches fill up, except
 * with the random partitioner, which spreads every message. */
#include "client/conf_table.h"
#include "net/loop.h"
#include "producer/producer_impl.h"
#include "util/crc32.h"
#include "util/conf.h"
#include "util/murmur2.h"

uint32_t prod_random(uint64_t *state)
{
    /* xorshift64*: fast, and only needs to spread, not to be secret */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

/* now is wall-clock time (the reading kl_produce() stamps messages with: a
 * clock read costs a good part of a message's time), so a clock set back
 * ends the sticky period rather than stretching it. */
static int32_t sticky(kl_producer_t *p, prod_topic_t *t, int32_t n, int64_t now)
{
    if (t->sticky < 0 || t->sticky >= n || now - t->sticky_since_ms >= p->s.sticky_ms || now < t->sticky_since_ms) {
        t->sticky = (int32_t)(prod_random(&p->rand_state) % (uint32_t)n);
        t->sticky_since_ms = now;
    }
    return t->sticky;
}

int32_t prod_partition_for(kl_producer_t *p, prod_topic_t *t, const void *key, size_t key_len, int64_t now_ms)
{
    uint32_t n = (uint32_t)t->partition_count;
    if (p->partitioner_cb) {
        int32_t chosen = p->partitioner_cb(t->name, key, key_len, t->partition_count, p->opaque);
        return chosen >= 0 && chosen < t->partition_count ? chosen : -1;
    }
    int which = p->s.partitioner;
    if (which == KL_PARTITIONER_RANDOM)
        return (int32_t)(prod_random(&p->rand_state) % n);
    if (!key || (key_len == 0 && which == KL_PARTITIONER_CONSISTENT_RANDOM))
        return sticky(p, t, (int32_t)n, now_ms);
    switch (which) {
    case KL_PARTITIONER_MURMUR2:
    case KL_PARTITIONER_MURMUR2_RANDOM:
        return (int32_t)((kl_murmur2(key, key_len) & 0x7fffffff) % n);
    case KL_PARTITIONER_FNV1A:
    case KL_PARTITIONER_FNV1A_RANDOM:
        return (int32_t)(kl_fnv1a(key, key_len) % n);
    default: /* consistent, consistent_random */
        return (int32_t)(kl_crc32(0, key, key_len) % n);
    }
}

void kl_conf_set_partitioner_cb(kl_conf_t *conf, kl_partitioner_cb *cb)
{
    kl_conf_hooks(conf)->fn[KL_CONF_HOOK_PARTITIONER] = (kl_conf_fn_t)cb;
}
