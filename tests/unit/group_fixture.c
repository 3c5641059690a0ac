/* The group coordinator tests' harness: see group_fixture.h. */
#include "group_fixture.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"
#include "record/batch.h"

/* ---- environment ---- */

static int64_t fx_now(void *opaque) { return ((fixture_t *)opaque)->now; }
static int64_t fx_wall(void *opaque) { return ((fixture_t *)opaque)->wall; }
static void fx_set_deadline(void *opaque, int64_t due) { ((fixture_t *)opaque)->deadline = due; }

static kl_err_t fx_store(fixture_t *f, int32_t partition, void *batch, size_t len)
{
    ck_assert_int_eq(kl_batch_validate(batch, len, 0, NULL, NULL), KL_ERR_NONE);
    if (f->dir[0])
        return kl_log_append(f->logs[partition], batch, len, NULL);
    kl_buf_put(&f->stored, batch, len);
    return KL_ERR_NONE;
}

static void fx_append(void *opaque, int32_t partition, void *batch, size_t len, group_append_done_fn *done, void *arg)
{
    fixture_t *f = opaque;
    f->appends++;
    ck_assert_int_ge(partition, 0);
    ck_assert_int_lt(partition, FX_PARTITIONS);
    kl_err_t err = f->fail_next;
    f->fail_next = KL_ERR_NONE;
    if (f->hold) {
        ck_assert_int_lt(f->held_count, FX_MAX_HELD);
        /* stored at release, when the outcome is decided */
        f->held[f->held_count++] = (fx_held_t){partition, batch, len, done, arg};
        return;
    }
    if (!err)
        err = fx_store(f, partition, batch, len);
    done(arg, err);
}

void fx_release(fixture_t *f, kl_err_t err)
{
    int n = f->held_count;
    f->held_count = 0;
    for (int i = 0; i < n; i++) {
        fx_held_t *h = &f->held[i];
        h->done(h->arg, err ? err : fx_store(f, h->partition, h->batch, h->len));
    }
}

static bool fx_exists(void *opaque, kl_str_t topic, int32_t partition)
{
    fixture_t *f = opaque;
    return partition >= 0 && partition < 16 && (!f->only_topic || kl_str_eq(topic, f->only_topic));
}

static void fx_start(fixture_t *f)
{
    group_env_t env = {.opaque = f,
                       .now_ms = fx_now,
                       .wall_ms = fx_wall,
                       .set_deadline = fx_set_deadline,
                       .append = fx_append,
                       .partition_exists = fx_exists};
    ck_assert_int_eq(group_coordinator_new(&f->config, &env, &f->coord), KL_ERR_NONE);
}

static void fx_open_logs(fixture_t *f)
{
    for (int p = 0; p < FX_PARTITIONS; p++)
        ck_assert_int_eq(kl_log_open(f->dir, GROUP_OFFSETS_TOPIC, p, NULL, &f->logs[p]), KL_ERR_NONE);
}

void fx_init(fixture_t *f, bool with_logs)
{
    memset(f, 0, sizeof *f);
    f->now = 1000;
    f->wall = INT64_C(1700000000000);
    f->deadline = INT64_MAX;
    group_config_init(&f->config);
    f->config.offsets_partitions = FX_PARTITIONS;
    kl_buf_init(&f->stored, 0);
    if (with_logs) {
        strcpy(f->dir, "/tmp/kl-group-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(f->dir));
        fx_open_logs(f);
    }
    fx_start(f);
    group_coordinator_loaded(f->coord);
}

void fx_stop(fixture_t *f)
{
    group_coordinator_free(f->coord);
    f->coord = NULL;
    for (int p = 0; p < FX_PARTITIONS; p++) {
        kl_log_close(f->logs[p]);
        f->logs[p] = NULL;
    }
}

void fx_restart(fixture_t *f)
{
    fx_stop(f);
    if (f->dir[0])
        fx_open_logs(f);
    f->deadline = INT64_MAX;
    fx_start(f);
    for (int p = 0; f->dir[0] && p < FX_PARTITIONS; p++)
        ck_assert_int_eq(group_coordinator_load_log(f->coord, f->logs[p], NULL), KL_ERR_NONE);
    group_coordinator_loaded(f->coord);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void fx_free(fixture_t *f)
{
    fx_stop(f);
    kl_buf_free(&f->stored);
    if (f->dir[0])
        nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

void fx_advance(fixture_t *f, int64_t ms)
{
    int64_t target = f->now + ms;
    for (;;) {
        int64_t next = group_coordinator_next_deadline(f->coord);
        ck_assert_int_eq(next, f->deadline); /* the hook kept the broker informed */
        if (next > target)
            break;
        if (next > f->now) {
            f->wall += next - f->now;
            f->now = next;
        }
        group_coordinator_tick(f->coord);
    }
    f->wall += target - f->now;
    f->now = target;
}

/* ---- replies ---- */

static void fx_reply_cb(void *opaque, const void *resp)
{
    fx_reply_t *r = opaque;
    r->count++;
    if (!resp) {
        r->oom = true;
        return;
    }
    kl_buf_reset(&r->raw);
    kl_arena_free(&r->arena);
    kl_arena_init(&r->arena, 0);
    int flexible = kl_api_is_flexible(r->api, r->version);
    ck_assert_int_eq(kl_proto_encode(&r->raw, r->api->response, r->version, flexible, resp), KL_ERR_NONE);
    kl_rd_t rd;
    kl_rd_init(&rd, r->raw.data, r->raw.len);
    r->resp = kl_arena_alloc(&r->arena, r->api->response->size);
    ck_assert_ptr_nonnull(r->resp);
    ck_assert_int_eq(kl_proto_decode(&rd, r->api->response, r->version, flexible, &r->arena, r->resp), KL_ERR_NONE);
    ck_assert_int_eq(kl_rd_remaining(&rd), 0);
}

group_reply_t fx_reply(fx_reply_t *r, int16_t api_key, int16_t version)
{
    fx_reply_free(r);
    r->api = kl_api_find(api_key);
    ck_assert_ptr_nonnull(r->api);
    r->version = version;
    kl_buf_init(&r->raw, 0);
    kl_arena_init(&r->arena, 0);
    return (group_reply_t){fx_reply_cb, r};
}

void fx_reply_free(fx_reply_t *r)
{
    if (r->api) {
        kl_buf_free(&r->raw);
        kl_arena_free(&r->arena);
    }
    memset(r, 0, sizeof *r);
}

group_ctx_t fx_ctx(int16_t version, const char *client_id)
{
    return (group_ctx_t){version, kl_str(client_id ? client_id : "test"), "/127.0.0.1"};
}

/* ---- clients ---- */

void fx_client_init(fx_client_t *c, const char *client_id, const char *protocol)
{
    memset(c, 0, sizeof *c);
    c->client_id = client_id;
    c->protocol_type = "consumer";
    c->protocols[0] = protocol;
    c->metadata[0] = client_id;
    c->session_ms = 10000;
    c->rebalance_ms = 30000;
    c->generation = -1;
}

void fx_client_free(fx_client_t *c)
{
    fx_reply_free(&c->join);
    fx_reply_free(&c->sync);
}

group_status_t fx_join(fixture_t *f, fx_client_t *c, const char *group, int16_t version)
{
    return fx_join_with(f, c, group, version, fx_reply(&c->join, KL_API_JOIN_GROUP, version));
}

group_status_t fx_join_with(fixture_t *f, fx_client_t *c, const char *group, int16_t version, group_reply_t reply)
{
    kl_join_group_request_protocol_t protocols[3];
    int n = 0;
    for (; n < 3 && c->protocols[n]; n++)
        protocols[n] = (kl_join_group_request_protocol_t){
            kl_str(c->protocols[n]),
            kl_bytes(c->metadata[n], c->metadata_len[n] ? c->metadata_len[n]
                                     : c->metadata[n] ? (int32_t)strlen(c->metadata[n]) : 0)};
    kl_join_group_request_t req;
    kl_proto_init(&kl_join_group_request_schema, &req);
    req.group_id = kl_str(group);
    req.session_timeout_ms = c->session_ms;
    req.rebalance_timeout_ms = c->rebalance_ms;
    req.member_id = kl_str(c->member_id);
    req.group_instance_id = kl_str(c->instance_id);
    req.protocol_type = kl_str(c->protocol_type);
    req.protocols.items = protocols;
    req.protocols.count = n;
    group_ctx_t ctx = fx_ctx(version, c->client_id);
    return group_join(f->coord, &ctx, &req, reply);
}

int16_t fx_joined(fx_client_t *c)
{
    ck_assert_int_eq(c->join.count, 1);
    const kl_join_group_response_t *r = c->join.resp;
    if (r->error_code == KL_ERR_NONE || r->error_code == KL_ERR_MEMBER_ID_REQUIRED) {
        ck_assert_int_lt(r->member_id.len, (int)sizeof c->member_id);
        memcpy(c->member_id, r->member_id.ptr, (size_t)r->member_id.len);
        c->member_id[r->member_id.len] = '\0';
    }
    if (r->error_code == KL_ERR_NONE)
        c->generation = r->generation_id;
    return r->error_code;
}

group_status_t fx_sync(fixture_t *f, fx_client_t *c, const char *group, int16_t version, int n,
                       const char *const *member_ids, const char *const *assignments)
{
    kl_sync_group_request_assignment_t items[8];
    ck_assert_int_le(n, 8);
    for (int i = 0; i < n; i++)
        items[i] = (kl_sync_group_request_assignment_t){
            kl_str(member_ids[i]), kl_bytes(assignments[i], (int32_t)strlen(assignments[i]))};
    kl_sync_group_request_t req;
    kl_proto_init(&kl_sync_group_request_schema, &req);
    req.group_id = kl_str(group);
    req.generation_id = c->generation;
    req.member_id = kl_str(c->member_id);
    req.group_instance_id = kl_str(c->instance_id);
    req.assignments.items = items;
    req.assignments.count = n;
    group_ctx_t ctx = fx_ctx(version, c->client_id);
    return group_sync(f->coord, &ctx, &req, fx_reply(&c->sync, KL_API_SYNC_GROUP, version));
}

int16_t fx_heartbeat(fixture_t *f, fx_client_t *c, const char *group)
{
    kl_heartbeat_request_t req = {kl_str(group), c->generation, kl_str(c->member_id), kl_str(c->instance_id)};
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(4, c->client_id);
    ck_assert_int_eq(group_heartbeat(f->coord, &ctx, &req, fx_reply(&r, KL_API_HEARTBEAT, 4)), GROUP_REPLIED);
    int16_t err = ((kl_heartbeat_response_t *)r.resp)->error_code;
    fx_reply_free(&r);
    return err;
}

int16_t fx_leave(fixture_t *f, fx_client_t *c, const char *group, int16_t version)
{
    kl_leave_group_request_t req;
    kl_proto_init(&kl_leave_group_request_schema, &req);
    req.group_id = kl_str(group);
    req.member_id = kl_str(c->member_id);
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(version, c->client_id);
    ck_assert_int_eq(group_leave(f->coord, &ctx, &req, fx_reply(&r, KL_API_LEAVE_GROUP, version)), GROUP_REPLIED);
    int16_t err = ((kl_leave_group_response_t *)r.resp)->error_code;
    fx_reply_free(&r);
    return err;
}

int16_t fx_commit(fixture_t *f, const char *group, int32_t generation, const char *member_id, const char *topic,
                  int32_t partition, int64_t offset, const char *metadata, int16_t version)
{
    kl_offset_commit_request_partition_t p = {partition, offset, 7, -1, kl_str(metadata)};
    kl_offset_commit_request_topic_t t = {kl_str(topic), {&p, 1}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str(group);
    req.generation_id_or_member_epoch = generation;
    req.member_id = kl_str(member_id ? member_id : "");
    req.topics.items = &t;
    req.topics.count = 1;
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(version, "committer");
    group_status_t st = group_offset_commit(f->coord, &ctx, &req, fx_reply(&r, KL_API_OFFSET_COMMIT, version));
    ck_assert_int_eq(st, GROUP_REPLIED);
    const kl_offset_commit_response_t *resp = r.resp;
    ck_assert_int_eq(resp->topics.count, 1);
    ck_assert_int_eq(resp->topics.items[0].partitions.count, 1);
    ck_assert_int_eq(resp->topics.items[0].partitions.items[0].partition_index, partition);
    int16_t err = resp->topics.items[0].partitions.items[0].error_code;
    fx_reply_free(&r);
    return err;
}

int64_t fx_fetch(fixture_t *f, const char *group, const char *topic, int32_t partition, char *metadata,
                 size_t metadata_size)
{
    kl_offset_fetch_request_topic_t t = {kl_str(topic), {&partition, 1}};
    kl_offset_fetch_request_t req;
    kl_proto_init(&kl_offset_fetch_request_schema, &req);
    req.group_id = kl_str(group);
    req.topics.items = &t;
    req.topics.count = 1;
    fx_reply_t r = {0};
    group_ctx_t ctx = fx_ctx(7, "fetcher");
    ck_assert_int_eq(group_offset_fetch(f->coord, &ctx, &req, fx_reply(&r, KL_API_OFFSET_FETCH, 7)), GROUP_REPLIED);
    const kl_offset_fetch_response_t *resp = r.resp;
    ck_assert_int_eq(resp->error_code, 0);
    ck_assert_int_eq(resp->topics.count, 1);
    ck_assert_int_eq(resp->topics.items[0].partitions.count, 1);
    const kl_offset_fetch_response_partition_t *p = &resp->topics.items[0].partitions.items[0];
    ck_assert_int_eq(p->error_code, 0);
    if (metadata)
        snprintf(metadata, metadata_size, "%.*s", p->metadata.len, p->metadata.ptr ? p->metadata.ptr : "");
    int64_t offset = p->committed_offset;
    fx_reply_free(&r);
    return offset;
}

const char *fx_state(fixture_t *f, const char *group, fx_reply_t *reply)
{
    kl_str_t id = kl_str(group);
    kl_describe_groups_request_t req = {{&id, 1}, false};
    group_ctx_t ctx = fx_ctx(5, "admin");
    ck_assert_int_eq(group_describe(f->coord, &ctx, &req, fx_reply(reply, KL_API_DESCRIBE_GROUPS, 5)), GROUP_REPLIED);
    const kl_describe_groups_response_t *r = reply->resp;
    ck_assert_int_eq(r->groups.count, 1);
    static char state[32];
    snprintf(state, sizeof state, "%.*s", r->groups.items[0].group_state.len, r->groups.items[0].group_state.ptr);
    return state;
}

group_status_t fx_join_member(fixture_t *f, fx_client_t *c, const char *group, int16_t version)
{
    if (!c->member_id[0] && !c->instance_id && version >= 4) {
        ck_assert_int_eq(fx_join(f, c, group, version), GROUP_REPLIED);
        ck_assert_int_eq(fx_joined(c), KL_ERR_MEMBER_ID_REQUIRED);
    }
    return fx_join(f, c, group, version);
}

void fx_form_group(fixture_t *f, fx_client_t **cs, int n, const char *group)
{
    for (int i = 0; i < n; i++)
        fx_join_member(f, cs[i], group, 5);
    fx_advance(f, f->config.initial_rebalance_delay_ms * (n > 1 ? 2 : 1));
    const char *ids[8], *parts[8];
    char buf[8][64];
    ck_assert_int_le(n, 8);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(fx_joined(cs[i]), KL_ERR_NONE);
        ids[i] = cs[i]->member_id;
        snprintf(buf[i], sizeof buf[i], "%s-part", cs[i]->client_id);
        parts[i] = buf[i];
    }
    ck_assert(kl_str_eq(((kl_join_group_response_t *)cs[0]->join.resp)->leader, cs[0]->member_id));
    for (int i = 1; i < n; i++)
        ck_assert_int_eq(fx_sync(f, cs[i], group, 5, 0, NULL, NULL), GROUP_PENDING);
    ck_assert_int_eq(fx_sync(f, cs[0], group, 5, n, ids, parts), GROUP_REPLIED);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(cs[i]->sync.count, 1);
        ck_assert_int_eq(((kl_sync_group_response_t *)cs[i]->sync.resp)->error_code, 0);
    }
}
