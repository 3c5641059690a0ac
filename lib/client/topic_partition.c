/* Lists of topic partitions (include/kafkalite/topic_partition.h). */
#include <stdlib.h>
#include <string.h>

#include "kafkalite/topic_partition.h"

KL_EXPORT kl_topic_partition_list_t *kl_topic_partition_list_new(size_t size) {
    kl_topic_partition_list_t *list = calloc(1, sizeof *list);
    if (!list)
        return NULL;
    if (size > 0) {
        list->elems = calloc(size, sizeof *list->elems);
        if (!list->elems) {
            free(list);
            return NULL;
        }
        list->size = size;
    }
    return list;
}

static int grow(kl_topic_partition_list_t *list) {
    if (list->count < list->size)
        return 0;
    size_t size = list->size ? list->size * 2 : 8;
    kl_topic_partition_t *elems = realloc(list->elems, size * sizeof *elems);
    if (!elems)
        return -1;
    list->elems = elems;
    list->size = size;
    return 0;
}

KL_EXPORT kl_topic_partition_t *kl_topic_partition_list_add(kl_topic_partition_list_t *list, const char *topic,
                                                            int32_t partition) {
    if (!list || !topic || grow(list) != 0)
        return NULL;
    char *name = strdup(topic);
    if (!name)
        return NULL;
    kl_topic_partition_t *elem = &list->elems[list->count++];
    *elem = (kl_topic_partition_t){.topic = name,
                                   .partition = partition,
                                   .offset = KL_OFFSET_INVALID,
                                   .metadata = NULL,
                                   .leader_epoch = -1,
                                   .err = KL_ERR_NONE};
    return elem;
}

KL_EXPORT kl_topic_partition_t *kl_topic_partition_list_find(const kl_topic_partition_list_t *list,
                                                             const char *topic, int32_t partition) {
    if (!list || !topic)
        return NULL;
    for (size_t i = 0; i < list->count; i++) {
        kl_topic_partition_t *elem = &list->elems[i];
        if (elem->partition == partition && strcmp(elem->topic, topic) == 0)
            return elem;
    }
    return NULL;
}

KL_EXPORT kl_err_t kl_topic_partition_list_set_offset(kl_topic_partition_list_t *list, const char *topic,
                                                      int32_t partition, int64_t offset) {
    if (!list || !topic)
        return KL_ERR_INVALID_ARG;
    kl_topic_partition_t *elem = kl_topic_partition_list_find(list, topic, partition);
    if (!elem)
        elem = kl_topic_partition_list_add(list, topic, partition);
    if (!elem)
        return KL_ERR_NOMEM;
    elem->offset = offset;
    return KL_ERR_NONE;
}

KL_EXPORT kl_err_t kl_topic_partition_set_metadata(kl_topic_partition_t *elem, const char *metadata) {
    if (!elem)
        return KL_ERR_INVALID_ARG;
    char *copy = NULL;
    if (metadata && !(copy = strdup(metadata)))
        return KL_ERR_NOMEM;
    free(elem->metadata);
    elem->metadata = copy;
    return KL_ERR_NONE;
}

KL_EXPORT int kl_topic_partition_list_del(kl_topic_partition_list_t *list, const char *topic,
                                          int32_t partition) {
    kl_topic_partition_t *elem = kl_topic_partition_list_find(list, topic, partition);
    if (!elem)
        return 0;
    size_t i = (size_t)(elem - list->elems);
    free(elem->topic);
    free(elem->metadata);
    memmove(elem, elem + 1, (list->count - i - 1) * sizeof *elem);
    list->count--;
    return 1;
}

static int compare(const void *a, const void *b) {
    const kl_topic_partition_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    if (c != 0)
        return c;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

KL_EXPORT void kl_topic_partition_list_sort(kl_topic_partition_list_t *list) {
    if (list && list->count > 1)
        qsort(list->elems, list->count, sizeof *list->elems, compare);
}

KL_EXPORT kl_topic_partition_list_t *kl_topic_partition_list_copy(const kl_topic_partition_list_t *list) {
    if (!list)
        return NULL;
    kl_topic_partition_list_t *copy = kl_topic_partition_list_new(list->count);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < list->count; i++) {
        const kl_topic_partition_t *from = &list->elems[i];
        kl_topic_partition_t *to = kl_topic_partition_list_add(copy, from->topic, from->partition);
        if (!to || kl_topic_partition_set_metadata(to, from->metadata) != KL_ERR_NONE) {
            kl_topic_partition_list_destroy(copy);
            return NULL;
        }
        to->offset = from->offset;
        to->leader_epoch = from->leader_epoch;
        to->err = from->err;
    }
    return copy;
}

KL_EXPORT void kl_topic_partition_list_destroy(kl_topic_partition_list_t *list) {
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->elems[i].topic);
        free(list->elems[i].metadata);
    }
    free(list->elems);
    free(list);
}
