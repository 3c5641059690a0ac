/* A read-only view of the coordinator's groups (see group_view.h). */
#include "broker/group_view.h"

#include <stdlib.h>
#include <string.h>

#include "broker/group_internal.h"

static int by_id(const void *a, const void *b)
{
    return strcmp(((const group_view_t *)a)->id, ((const group_view_t *)b)->id);
}

static int by_partition(const void *a, const void *b)
{
    const group_view_offset_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

static bool view_offsets(const group_t *g, group_view_t *v)
{
    size_t n;
    void **offsets = group_map_values(&g->offsets, &n);
    if (n > 0 && !offsets)
        return false;
    v->offsets = n ? calloc(n, sizeof *v->offsets) : NULL;
    if (n > 0 && !v->offsets) {
        free(offsets);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const group_offset_t *o = offsets[i];
        v->offsets[i] = (group_view_offset_t){o->topic, o->partition, o->offset};
    }
    free(offsets);
    v->offset_count = n;
    if (n > 1) /* qsort() wants a non-null array even when empty */
        qsort(v->offsets, n, sizeof *v->offsets, by_partition);
    return true;
}

static bool view_members(const group_t *g, group_view_t *v)
{
    v->members = g->member_count ? calloc(g->member_count, sizeof *v->members) : NULL;
    if (g->member_count && !v->members)
        return false;
    size_t i = 0;
    for (const group_member_t *m = g->members; m && i < g->member_count; m = m->next)
        v->members[i++] = (group_view_member_t){m->id, m->client_id ? m->client_id : "",
                                                m->client_host ? m->client_host : "", m->instance_id};
    v->member_count = i;
    return true;
}

group_view_t *group_views(const group_coordinator_t *coord, size_t *countp)
{
    *countp = 0;
    if (!coord)
        return NULL;
    size_t n;
    void **groups = group_map_values(&coord->groups, &n);
    if (n == 0)
        return NULL;
    group_view_t *views = groups ? calloc(n, sizeof *views) : NULL;
    bool ok = views != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        const group_t *g = groups[i];
        views[i] = (group_view_t){.id = g->id,
                                  .state = group_state_name(g->state),
                                  .protocol_type = g->protocol_type ? g->protocol_type : "",
                                  .protocol = g->protocol_name ? g->protocol_name : "",
                                  .generation = g->generation,
                                  .member_count = g->member_count};
        ok = view_members(g, &views[i]) && view_offsets(g, &views[i]);
    }
    free(groups);
    if (!ok) {
        group_views_free(views, n);
        *countp = SIZE_MAX;
        return NULL;
    }
    qsort(views, n, sizeof *views, by_id);
    *countp = n;
    return views;
}

void group_views_free(group_view_t *views, size_t count)
{
    for (size_t i = 0; views && i < count; i++) {
        free(views[i].offsets);
        free(views[i].members);
    }
    free(views);
}
