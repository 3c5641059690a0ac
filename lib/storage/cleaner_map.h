/* The log cleaner's offset map: record key -> the newest offset holding
 * that key in the dirty part of a log. Keys are copied in full (no hash
 * stands in for a key), so a collision can never make the cleaner drop
 * the only live value of a key. Internal to lib/storage. */
#ifndef KL_STORAGE_CLEANER_MAP_H
#define KL_STORAGE_CLEANER_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/common.h"
#include "kafkalite/error.h"

typedef struct kl_offset_map kl_offset_map_t;

/* NULL when out of memory. */
kl_offset_map_t *kl_offset_map_new(void);
void kl_offset_map_free(kl_offset_map_t *map);

/* Records that key was seen at offset: the map keeps the larger offset.
 * KL_ERR_NOMEM (the map is unchanged). */
KL_WARN_UNUSED kl_err_t kl_offset_map_put(kl_offset_map_t *map, const void *key, size_t key_len, int64_t offset);
/* The newest offset of key; false when the key was never put. */
bool kl_offset_map_get(const kl_offset_map_t *map, const void *key, size_t key_len, int64_t *offset);

/* Keys held, and the memory they take (table and key bytes). */
size_t kl_offset_map_count(const kl_offset_map_t *map);
size_t kl_offset_map_bytes(const kl_offset_map_t *map);

#endif
