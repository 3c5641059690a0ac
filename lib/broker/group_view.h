/* A read-only view of the group coordinator's groups and committed
 * offsets, for the HTTP console's metrics and JSON API. Taken on the
 * broker loop's thread; the strings point into the coordinator and stay
 * valid until it next runs (so use the view within the same task). */
#ifndef KL_BROKER_GROUP_VIEW_H
#define KL_BROKER_GROUP_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "broker/group.h"

typedef struct group_view_offset {
    const char *topic;
    int32_t partition;
    int64_t offset;
} group_view_offset_t;

typedef struct group_view_member {
    const char *id;
    const char *client_id;
    const char *client_host;
    const char *instance_id; /* NULL: dynamic member */
} group_view_member_t;

typedef struct group_view {
    const char *id;
    const char *state;         /* Kafka's names: Empty, Stable, ... */
    const char *protocol_type; /* "" when none */
    const char *protocol;      /* "" outside a generation */
    int32_t generation;
    size_t member_count;
    group_view_member_t *members; /* in join order */
    group_view_offset_t *offsets; /* by topic, then partition */
    size_t offset_count;
} group_view_t;

/* Every group, sorted by id (NULL with *countp 0 when there are none);
 * NULL with *countp SIZE_MAX when out of memory. */
group_view_t *group_views(const group_coordinator_t *coord, size_t *countp);
void group_views_free(group_view_t *views, size_t count);

#endif
