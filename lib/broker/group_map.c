/* A small string-keyed hash map with chained buckets for the group
 * coordinator: groups by id and each group's committed offsets by topic
 * and partition. Keys are copied; values belong to the caller. */
#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

/* FNV-1a: keys are short (ids, topic names). */
static uint32_t map_hash(const void *key, size_t len)
{
    const uint8_t *p = key;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

void group_map_init(group_map_t *map) { memset(map, 0, sizeof *map); }

void group_map_free(group_map_t *map)
{
    for (size_t i = 0; i < map->bucket_count; i++) {
        group_map_entry_t *e = map->buckets[i];
        while (e) {
            group_map_entry_t *next = e->next;
            free(e);
            e = next;
        }
    }
    free(map->buckets);
    group_map_init(map);
}

static group_map_entry_t **map_slot(const group_map_t *map, const void *key, size_t len, uint32_t h)
{
    group_map_entry_t **slot = &map->buckets[h & (map->bucket_count - 1)];
    while (*slot && !((*slot)->hash == h && (*slot)->key_len == len && memcmp((*slot)->key, key, len) == 0))
        slot = &(*slot)->next;
    return slot;
}

void *group_map_get(const group_map_t *map, const void *key, size_t key_len)
{
    if (!map->bucket_count)
        return NULL;
    group_map_entry_t *e = *map_slot(map, key, key_len, map_hash(key, key_len));
    return e ? e->value : NULL;
}

/* Doubles the bucket array once the load passes 1; false on OOM. */
static bool map_grow(group_map_t *map)
{
    size_t count = map->bucket_count ? map->bucket_count * 2 : 16;
    group_map_entry_t **buckets = calloc(count, sizeof *buckets);
    if (!buckets)
        return false;
    for (size_t i = 0; i < map->bucket_count; i++) {
        group_map_entry_t *e = map->buckets[i];
        while (e) {
            group_map_entry_t *next = e->next;
            e->next = buckets[e->hash & (count - 1)];
            buckets[e->hash & (count - 1)] = e;
            e = next;
        }
    }
    free(map->buckets);
    map->buckets = buckets;
    map->bucket_count = count;
    return true;
}

bool group_map_put(group_map_t *map, const void *key, size_t key_len, void *value)
{
    if (map->count >= map->bucket_count && !map_grow(map) && !map->bucket_count)
        return false;
    uint32_t h = map_hash(key, key_len);
    group_map_entry_t **slot = map_slot(map, key, key_len, h);
    if (*slot) {
        (*slot)->value = value;
        return true;
    }
    group_map_entry_t *e = malloc(sizeof *e + key_len);
    if (!e)
        return false;
    e->next = NULL;
    e->hash = h;
    e->key_len = key_len;
    e->value = value;
    memcpy(e->key, key, key_len);
    *slot = e;
    map->count++;
    return true;
}

void *group_map_remove(group_map_t *map, const void *key, size_t key_len)
{
    if (!map->bucket_count)
        return NULL;
    group_map_entry_t **slot = map_slot(map, key, key_len, map_hash(key, key_len));
    group_map_entry_t *e = *slot;
    if (!e)
        return NULL;
    void *value = e->value;
    *slot = e->next;
    free(e);
    map->count--;
    return value;
}

void **group_map_values(const group_map_t *map, size_t *countp)
{
    *countp = 0;
    if (!map->count)
        return NULL;
    void **values = malloc(map->count * sizeof *values);
    if (!values)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < map->bucket_count; i++)
        for (group_map_entry_t *e = map->buckets[i]; e; e = e->next)
            values[n++] = e->value;
    *countp = n;
    return values;
}
