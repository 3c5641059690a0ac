/* kafkalite: lists of topic partitions, with an offset and an error each.
 *
 * The consumer takes and returns these lists: assignments, positions,
 * committed offsets, offsets for times, pause and resume. A list owns its
 * topic names and metadata strings. Include <kafkalite.h> rather than this
 * file. */
#ifndef KAFKALITE_TOPIC_PARTITION_H
#define KAFKALITE_TOPIC_PARTITION_H

#include "kafkalite/common.h"
#include "kafkalite/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Logical offsets, accepted where an offset is: the partition's first
 * offset, its end (the next offset to be written), the offset committed by
 * the group, and "none" (nothing known yet). */
#define KL_OFFSET_BEGINNING (-2)
#define KL_OFFSET_END (-1)
#define KL_OFFSET_STORED (-1000)
#define KL_OFFSET_INVALID (-1001)

/** One partition of a topic, with the offset (or timestamp, for
 * kl_offsets_for_times()) and metadata a call reads or fills, and the
 * partition's own error. */
typedef struct kl_topic_partition {
    char *topic;        /* owned by the list */
    int32_t partition;
    int64_t offset;     /* KL_OFFSET_INVALID until set */
    char *metadata;     /* commit metadata, owned by the list; NULL for none */
    int32_t leader_epoch; /* -1 when unknown */
    kl_err_t err;       /* KL_ERR_NONE unless a call failed for this partition */
} kl_topic_partition_t;

typedef struct kl_topic_partition_list {
    size_t count;
    size_t size; /* allocated elements */
    kl_topic_partition_t *elems;
} kl_topic_partition_list_t;

/** A new empty list with room for size elements (grown as needed), or NULL
 * when out of memory. */
KL_EXPORT kl_topic_partition_list_t *kl_topic_partition_list_new(size_t size);

/** Appends topic/partition with offset KL_OFFSET_INVALID, no metadata,
 * leader epoch -1 and no error; returns the new element (valid until the
 * list next grows), or NULL when out of memory or topic is NULL. Duplicates
 * are kept. */
KL_EXPORT kl_topic_partition_t *kl_topic_partition_list_add(kl_topic_partition_list_t *list, const char *topic,
                                                            int32_t partition);

/** The first element for topic/partition, or NULL. */
KL_EXPORT kl_topic_partition_t *kl_topic_partition_list_find(const kl_topic_partition_list_t *list,
                                                             const char *topic, int32_t partition);

/** Sets the offset of topic/partition, adding it when missing. KL_ERR_NOMEM
 * or KL_ERR_INVALID_ARG (NULL list or topic). */
KL_EXPORT kl_err_t kl_topic_partition_list_set_offset(kl_topic_partition_list_t *list, const char *topic,
                                                      int32_t partition, int64_t offset);

/** Replaces an element's metadata with a copy of metadata (NULL clears
 * it). KL_ERR_NOMEM. */
KL_EXPORT kl_err_t kl_topic_partition_set_metadata(kl_topic_partition_t *elem, const char *metadata);

/** Removes the first element for topic/partition, keeping the order of
 * the others; returns whether one was removed. */
KL_EXPORT int kl_topic_partition_list_del(kl_topic_partition_list_t *list, const char *topic,
                                          int32_t partition);

/** Sorts by topic name, then partition. */
KL_EXPORT void kl_topic_partition_list_sort(kl_topic_partition_list_t *list);

/** A deep copy, or NULL when out of memory (or list is NULL). */
KL_EXPORT kl_topic_partition_list_t *kl_topic_partition_list_copy(const kl_topic_partition_list_t *list);

/** Frees the list, its names and metadata. NULL is allowed. */
KL_EXPORT void kl_topic_partition_list_destroy(kl_topic_partition_list_t *list);

#ifdef __cplusplus
}
#endif

#endif
