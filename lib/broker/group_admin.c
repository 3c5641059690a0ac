/* The administrative group APIs: ListGroups (with the v4 states filter and
 * the v5 types filter; every group here is "classic"), DescribeGroups
 * (members with their metadata and assignments once Stable) and
 * DeleteGroups (Empty groups only; their offsets and metadata are
 * tombstoned and the answer waits for the appends). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "broker/group_internal.h"

static int group_order(const void *a, const void *b)
{
    return strcmp((*(group_t *const *)a)->id, (*(group_t *const *)b)->id);
}

/* The groups, sorted by id (stable answers; NULL when there are none). */
static group_t **groups_sorted(group_coordinator_t *c, size_t *n)
{
    group_t **all = (group_t **)group_map_values(&c->groups, n);
    if (*n > 1)
        qsort(all, *n, sizeof *all, group_order);
    return all;
}

static bool filter_matches(kl_str_t *items, int32_t count, const char *value)
{
    if (count <= 0)
        return true;
    for (int32_t i = 0; i < count; i++)
        if (items[i].len >= 0 && (size_t)items[i].len == strlen(value) &&
            strncasecmp(items[i].ptr, value, (size_t)items[i].len) == 0)
            return true;
    return false;
}

typedef struct admin_call {
    const group_ctx_t *ctx;
    const void *req;
    group_reply_t reply;
} admin_call_t;

static void list_run(group_coordinator_t *c, void *arg)
{
    const admin_call_t *a = arg;
    const kl_list_groups_request_t *req = a->req;
    group_queued_t *q = group_reply_new(c, a->reply, &kl_list_groups_response_schema);
    if (!q)
        return;
    kl_list_groups_response_t *r = q->resp;
    size_t n;
    group_t **all = groups_sorted(c, &n);
    r->groups.items = group_reply_array(q, n, sizeof *r->groups.items);
    for (size_t i = 0; r->groups.items && i < n; i++) {
        const group_t *g = all[i];
        const char *state = group_state_name(g->state);
        if (g->state == GROUP_DEAD || !filter_matches(req->states_filter.items, req->states_filter.count, state) ||
            !filter_matches(req->types_filter.items, req->types_filter.count, "classic"))
            continue;
        kl_list_groups_response_listed_group_t *lg = &r->groups.items[r->groups.count++];
        lg->group_id = group_reply_str(q, g->id);
        lg->protocol_type = group_reply_str(q, g->protocol_type ? g->protocol_type : "");
        lg->group_state = group_reply_str(q, state);
        lg->group_type = group_reply_str(q, "classic");
    }
    if (n && !r->groups.items)
        r->error_code = KL_ERR_UNKNOWN_SERVER_ERROR;
    free(all);
    group_reply_send(c, q);
}

group_status_t group_list(group_coordinator_t *c, const group_ctx_t *ctx, const kl_list_groups_request_t *req,
                          group_reply_t reply)
{
    admin_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, list_run, &call);
}

/* ---- DescribeGroups ---- */

static void describe_one(group_queued_t *q, group_t *g, kl_describe_groups_response_described_group_t *d)
{
    d->error_code = KL_ERR_NONE;
    d->authorized_operations = INT32_MIN;
    d->protocol_data = kl_str("");
    if (!g || g->state == GROUP_DEAD) {
        d->group_state = kl_str("Dead");
        d->protocol_type = kl_str("");
        return;
    }
    d->group_state = group_reply_str(q, group_state_name(g->state));
    d->protocol_type = group_reply_str(q, g->protocol_type ? g->protocol_type : "");
    /* Metadata and assignments are only shown once the group is Stable. */
    bool stable = g->state == GROUP_STABLE;
    if (stable && g->protocol_name)
        d->protocol_data = group_reply_str(q, g->protocol_name);
    d->members.items = group_reply_array(q, g->member_count, sizeof *d->members.items);
    for (const group_member_t *m = g->members; m && d->members.items; m = m->next) {
        kl_describe_groups_response_described_group_member_t *dm = &d->members.items[d->members.count++];
        const group_protocol_t *p = stable ? group_member_protocol(m, g->protocol_name) : NULL;
        dm->member_id = group_reply_str(q, m->id);
        dm->group_instance_id = group_reply_str(q, m->instance_id);
        dm->client_id = group_reply_str(q, m->client_id);
        dm->client_host = group_reply_str(q, m->client_host);
        dm->member_metadata = p ? group_reply_bytes(q, p->metadata, p->metadata_len) : group_reply_bytes(q, NULL, 0);
        dm->member_assignment = stable ? group_reply_bytes(q, m->assignment, m->assignment ? m->assignment_len : 0)
                                       : group_reply_bytes(q, NULL, 0);
    }
}

static void describe_run(group_coordinator_t *c, void *arg)
{
    const admin_call_t *a = arg;
    const kl_describe_groups_request_t *req = a->req;
    group_queued_t *q = group_reply_new(c, a->reply, &kl_describe_groups_response_schema);
    if (!q)
        return;
    kl_describe_groups_response_t *r = q->resp;
    int32_t n = req->groups.count > 0 ? req->groups.count : 0;
    r->groups.items = group_reply_array(q, (size_t)n, sizeof *r->groups.items);
    if (n && !r->groups.items) {
        group_reply_discard(q);
        group_reply_oom(c, a->reply);
        return;
    }
    r->groups.count = n;
    for (int32_t i = 0; i < n; i++) {
        r->groups.items[i].group_id = group_reply_kstr(q, req->groups.items[i]);
        describe_one(q, group_find(c, req->groups.items[i]), &r->groups.items[i]);
    }
    group_reply_send(c, q);
}

group_status_t group_describe(group_coordinator_t *c, const group_ctx_t *ctx,
                              const kl_describe_groups_request_t *req, group_reply_t reply)
{
    admin_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, describe_run, &call);
}

/* ---- DeleteGroups ---- */

/* The answer, sent when the last group's tombstones are appended. */
typedef struct delete_shared {
    group_coordinator_t *coord;
    group_queued_t *reply;
    int refs;
} delete_shared_t;

typedef struct delete_one {
    delete_shared_t *shared;
    int16_t *slot;
} delete_one_t;

static void shared_release(delete_shared_t *s)
{
    if (--s->refs > 0)
        return;
    group_reply_unwait(s->coord, s->reply);
    group_reply_send(s->coord, s->reply);
    free(s);
}

static void delete_one_free(void *p)
{
    delete_one_t *d = p;
    shared_release(d->shared);
    free(d);
}

static void group_deleted(group_op_t *op, kl_err_t err)
{
    delete_one_t *d = op->data;
    group_t *g = group_find(op->coord, kl_str(op->group_id));
    *d->slot = group_append_error(err);
    if (g && err)
        group_transition(g, GROUP_EMPTY); /* still there, as the log says */
    else if (g)
        group_destroy(g);
}

/* Tombstones for the group's offsets and metadata; the group is Dead (new
 * joins are turned away) until they are stored. */
static void delete_group(group_coordinator_t *c, group_t *g, delete_shared_t *s, int16_t *slot)
{
    delete_one_t *d = malloc(sizeof *d);
    group_op_t *op = d ? group_op_new(c, group_deleted, g->id, g->generation) : NULL;
    if (!op) {
        free(d);
        *slot = KL_ERR_UNKNOWN_SERVER_ERROR;
        return;
    }
    d->shared = s;
    d->slot = slot;
    s->refs++;
    op->data = d;
    op->free_data = delete_one_free;
    group_transition(g, GROUP_DEAD);
    record_batch_t b;
    group_batch_begin(c, &b);
    size_t n;
    group_offset_t **all = (group_offset_t **)group_map_values(&g->offsets, &n);
    for (size_t i = 0; i < n; i++) {
        group_record_offset_key(&b.key, g->id, all[i]->topic, all[i]->partition);
        group_batch_add(&b, true);
    }
    free(all);
    group_record_group_key(&b.key, g->id);
    group_batch_add(&b, true);
    group_batch_submit(&b, g->partition, op);
}

static void delete_run(group_coordinator_t *c, void *arg)
{
    const admin_call_t *a = arg;
    const kl_delete_groups_request_t *req = a->req;
    group_queued_t *q = group_reply_new(c, a->reply, &kl_delete_groups_response_schema);
    delete_shared_t *s = q ? calloc(1, sizeof *s) : NULL;
    kl_delete_groups_response_t *r = q ? q->resp : NULL;
    int32_t n = req->groups_names.count > 0 ? req->groups_names.count : 0;
    if (q && (!s || (n && !(r->results.items = group_reply_array(q, (size_t)n, sizeof *r->results.items))))) {
        free(s);
        group_reply_discard(q);
        group_reply_oom(c, a->reply);
        return;
    }
    if (!q)
        return;
    *s = (delete_shared_t){c, q, 1};
    group_reply_wait(c, q);
    r->results.count = n;
    for (int32_t i = 0; i < n; i++) {
        kl_delete_groups_response_deletable_group_result_t *res = &r->results.items[i];
        group_t *g = group_find(c, req->groups_names.items[i]);
        res->group_id = group_reply_kstr(q, req->groups_names.items[i]);
        if (!g || g->state == GROUP_DEAD)
            res->error_code = KL_ERR_GROUP_ID_NOT_FOUND;
        else if (g->state != GROUP_EMPTY)
            res->error_code = KL_ERR_NON_EMPTY_GROUP;
        else
            delete_group(c, g, s, &res->error_code);
    }
    shared_release(s);
}

group_status_t group_delete(group_coordinator_t *c, const group_ctx_t *ctx, const kl_delete_groups_request_t *req,
                            group_reply_t reply)
{
    admin_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, delete_run, &call);
}
