/* The cleaner's key -> newest offset map: open addressing with linear
 * probing over a power-of-two table, key bytes kept in one growing pool
 * (entries hold positions in it, so growing the pool moves no entry).
 * See cleaner_map.h. */
#include "storage/cleaner_map.h"

#include <stdlib.h>
#include <string.h>

#include "util/murmur2.h"

#define MAP_INITIAL_SLOTS 1024

typedef struct map_slot {
    int64_t offset; /* -1: empty slot */
    size_t key_pos; /* in the pool */
    uint32_t key_len;
    uint32_t hash;
} map_slot_t;

struct kl_offset_map {
    map_slot_t *slots;
    size_t slot_count; /* a power of two */
    size_t used;
    uint8_t *pool;
    size_t pool_len, pool_cap;
};

static map_slot_t *slots_new(size_t n)
{
    map_slot_t *s = malloc(n * sizeof *s);
    for (size_t i = 0; s && i < n; i++)
        s[i].offset = -1;
    return s;
}

kl_offset_map_t *kl_offset_map_new(void)
{
    kl_offset_map_t *map = calloc(1, sizeof *map);
    if (!map)
        return NULL;
    map->slots = slots_new(MAP_INITIAL_SLOTS);
    if (!map->slots) {
        free(map);
        return NULL;
    }
    map->slot_count = MAP_INITIAL_SLOTS;
    return map;
}

void kl_offset_map_free(kl_offset_map_t *map)
{
    if (!map)
        return;
    free(map->slots);
    free(map->pool);
    free(map);
}

/* The slot holding key, or the empty slot where it would go. */
static map_slot_t *map_find(const kl_offset_map_t *map, const void *key, size_t key_len, uint32_t hash)
{
    size_t mask = map->slot_count - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        map_slot_t *s = &map->slots[i];
        if (s->offset < 0 ||
            (s->hash == hash && s->key_len == key_len && memcmp(map->pool + s->key_pos, key, key_len) == 0))
            return s;
    }
}

/* Doubles the table once it is half full, so probes stay short. */
static bool map_grow(kl_offset_map_t *map)
{
    size_t n = map->slot_count * 2;
    map_slot_t *slots = slots_new(n), *old = map->slots;
    if (!slots)
        return false;
    for (size_t i = 0; i < map->slot_count; i++) {
        if (old[i].offset < 0)
            continue;
        size_t j = old[i].hash & (n - 1);
        while (slots[j].offset >= 0)
            j = (j + 1) & (n - 1);
        slots[j] = old[i];
    }
    free(old);
    map->slots = slots;
    map->slot_count = n;
    return true;
}

static bool pool_add(kl_offset_map_t *map, const void *key, size_t key_len, size_t *pos)
{
    if (map->pool_cap - map->pool_len < key_len) {
        size_t cap = map->pool_cap ? map->pool_cap : 4096;
        while (cap - map->pool_len < key_len)
            cap *= 2;
        uint8_t *grown = realloc(map->pool, cap);
        if (!grown)
            return false;
        map->pool = grown;
        map->pool_cap = cap;
    }
    *pos = map->pool_len;
    if (key_len)
        memcpy(map->pool + map->pool_len, key, key_len);
    map->pool_len += key_len;
    return true;
}

kl_err_t kl_offset_map_put(kl_offset_map_t *map, const void *key, size_t key_len, int64_t offset)
{
    if (key_len > UINT32_MAX || offset < 0)
        return KL_ERR_INVALID_ARG;
    if ((map->used + 1) * 2 > map->slot_count && !map_grow(map))
        return KL_ERR_NOMEM;
    uint32_t hash = kl_murmur2(key, key_len);
    map_slot_t *s = map_find(map, key, key_len, hash);
    if (s->offset >= 0) {
        if (offset > s->offset)
            s->offset = offset;
        return KL_ERR_NONE;
    }
    size_t pos;
    if (!pool_add(map, key, key_len, &pos))
        return KL_ERR_NOMEM;
    *s = (map_slot_t){offset, pos, (uint32_t)key_len, hash};
    map->used++;
    return KL_ERR_NONE;
}

bool kl_offset_map_get(const kl_offset_map_t *map, const void *key, size_t key_len, int64_t *offset)
{
    if (key_len > UINT32_MAX)
        return false;
    const map_slot_t *s = map_find(map, key, key_len, kl_murmur2(key, key_len));
    if (s->offset < 0)
        return false;
    *offset = s->offset;
    return true;
}

size_t kl_offset_map_count(const kl_offset_map_t *map) { return map->used; }

size_t kl_offset_map_bytes(const kl_offset_map_t *map)
{
    return map->slot_count * sizeof *map->slots + map->pool_cap;
}
