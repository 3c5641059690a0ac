/* LeaveGroup: one member (v0-2, the error at the top) or several (v3+,
 * each by member id, or by group.instance.id alone for an administrator
 * removing a static member). Leaving starts a rebalance for the rest. */
#include "broker/group_internal.h"

typedef struct leave_call {
    const group_ctx_t *ctx;
    const kl_leave_group_request_t *req;
    group_reply_t reply;
} leave_call_t;

static int16_t leave_one(group_t *g, kl_str_t member_id, kl_str_t instance_id)
{
    if (member_id.len <= 0) {
        group_member_t *s = group_member_find_static(g, instance_id);
        if (!s)
            return KL_ERR_UNKNOWN_MEMBER_ID;
        group_remove_member(g, s);
        return KL_ERR_NONE;
    }
    group_pending_t *p = group_pending_find(g, member_id);
    if (p) {
        group_pending_remove(g, p);
        return KL_ERR_NONE;
    }
    int16_t err = group_validate_member(g, member_id, instance_id);
    if (!err)
        group_remove_member(g, group_member_find(g, member_id));
    return err;
}

static int16_t leave_group_error(group_t *g, const kl_leave_group_request_t *req)
{
    if (req->group_id.len <= 0)
        return KL_ERR_INVALID_GROUP_ID;
    if (!g)
        return KL_ERR_UNKNOWN_MEMBER_ID;
    if (g->state == GROUP_DEAD)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    return KL_ERR_NONE;
}

static void leave_run(group_coordinator_t *c, void *arg)
{
    const leave_call_t *call = arg;
    const kl_leave_group_request_t *req = call->req;
    int16_t version = call->ctx->api_version;
    group_queued_t *q = group_reply_new(c, call->reply, &kl_leave_group_response_schema);
    if (!q)
        return;
    kl_leave_group_response_t *r = q->resp;
    group_t *g = req->group_id.len > 0 ? group_find(c, req->group_id) : NULL;
    if ((r->error_code = leave_group_error(g, req))) {
        group_reply_send(c, q);
        return;
    }
    if (version < 3) {
        r->error_code = leave_one(g, req->member_id, KL_STR_NULL);
        if (!r->error_code)
            group_members_left(g);
        group_reply_send(c, q);
        return;
    }
    int32_t n = req->members.count > 0 ? req->members.count : 0;
    r->members.items = group_reply_array(q, (size_t)n, sizeof *r->members.items);
    if (n && !r->members.items) {
        group_reply_discard(q);
        group_reply_oom(c, call->reply);
        return;
    }
    r->members.count = n;
    bool left = false;
    for (int32_t i = 0; i < n; i++) {
        const kl_leave_group_request_member_identity_t *who = &req->members.items[i];
        kl_leave_group_response_member_response_t *mr = &r->members.items[i];
        mr->member_id = group_reply_kstr(q, who->member_id);
        mr->group_instance_id = group_reply_kstr(q, who->group_instance_id);
        mr->error_code = leave_one(g, who->member_id, who->group_instance_id);
        left |= mr->error_code == KL_ERR_NONE;
    }
    if (left)
        group_members_left(g);
    group_reply_send(c, q);
}

group_status_t group_leave(group_coordinator_t *c, const group_ctx_t *ctx, const kl_leave_group_request_t *req,
                           group_reply_t reply)
{
    leave_call_t call = {ctx, req, reply};
    return group_coord_call(c, reply.opaque, leave_run, &call);
}
