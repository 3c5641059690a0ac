/* The harness of the group coordinator's tests: a fake clock driven by
 * hand, the coordinator's environment (deadline hook, appends kept in
 * memory or written to real partition logs in a temp dir, failures and
 * held completions on demand), replies captured as decoded copies (each
 * reply is encoded at its version and decoded again, so it must be valid
 * on the wire), and simulated clients for the membership APIs. */
#ifndef KL_TESTS_GROUP_FIXTURE_H
#define KL_TESTS_GROUP_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "broker/group.h"
#include "proto/api.h"
#include "util/arena.h"
#include "util/buf.h"

#define FX_MAX_HELD 64
#define FX_PARTITIONS 4

/* The last reply to one request. */
typedef struct fx_reply {
    const kl_api_t *api;
    int16_t version;
    int count;      /* replies received (must end up 1) */
    bool oom;       /* a NULL response came */
    kl_buf_t raw;   /* the encoded reply, which resp points into */
    kl_arena_t arena;
    void *resp;     /* decoded: kl_<api>_response_t */
} fx_reply_t;

typedef struct fx_held {
    int32_t partition;
    void *batch;
    size_t len;
    group_append_done_fn *done;
    void *arg;
} fx_held_t;

typedef struct fixture {
    group_coordinator_t *coord;
    group_config_t config;
    int64_t now, wall;
    int64_t deadline;        /* as last reported by set_deadline */
    char dir[64];            /* with logs: the temp dir */
    kl_log_t *logs[FX_PARTITIONS];
    kl_err_t fail_next;      /* the next append fails with this */
    bool hold;               /* keep completions until fx_release() */
    fx_held_t held[FX_MAX_HELD];
    int held_count;
    int appends;             /* appends asked for */
    const char *only_topic;  /* set: the only topic that exists */
    kl_buf_t stored;         /* without logs: every stored batch, back to back */
} fixture_t;

/* with_logs: appends go to <tmp>/__consumer_offsets-N (FX_PARTITIONS). */
void fx_init(fixture_t *f, bool with_logs);
/* Frees the coordinator and the logs but keeps the directory (reopen). */
void fx_stop(fixture_t *f);
/* A new coordinator with f->config, loaded from the logs if there are. */
void fx_restart(fixture_t *f);
void fx_free(fixture_t *f);
/* Moves both clocks on by ms, running every deadline on the way in order. */
void fx_advance(fixture_t *f, int64_t ms);
/* Completes the held appends, oldest first, with err. */
void fx_release(fixture_t *f, kl_err_t err);

group_reply_t fx_reply(fx_reply_t *r, int16_t api_key, int16_t version);
void fx_reply_free(fx_reply_t *r);
group_ctx_t fx_ctx(int16_t version, const char *client_id);

/* A simulated group member. */
typedef struct fx_client {
    const char *client_id;
    const char *instance_id; /* NULL: dynamic */
    const char *protocol_type;
    const char *protocols[3]; /* NULL-terminated */
    const char *metadata[3];
    int32_t metadata_len[3]; /* 0: strlen(metadata) */
    int32_t session_ms, rebalance_ms;
    char member_id[160];
    int32_t generation;
    fx_reply_t join, sync;
} fx_client_t;

void fx_client_init(fx_client_t *c, const char *client_id, const char *protocol);
void fx_client_free(fx_client_t *c);
/* JoinGroup with the client's current member id. */
group_status_t fx_join(fixture_t *f, fx_client_t *c, const char *group, int16_t version);
/* The same with another reply (which must end up in fx_reply(&c->join)). */
group_status_t fx_join_with(fixture_t *f, fx_client_t *c, const char *group, int16_t version, group_reply_t reply);
/* After a JoinGroup answer: takes the member id (also with MEMBER_ID_REQUIRED)
 * and the generation; returns the answer's error. */
int16_t fx_joined(fx_client_t *c);
/* SyncGroup; the leader passes n (member id, assignment) pairs. */
group_status_t fx_sync(fixture_t *f, fx_client_t *c, const char *group, int16_t version, int n,
                       const char *const *member_ids, const char *const *assignments);
/* A v4+ JoinGroup after the MEMBER_ID_REQUIRED round trip when the
 * client has no id yet; returns the status of the second join. */
group_status_t fx_join_member(fixture_t *f, fx_client_t *c, const char *group, int16_t version);
/* Forms a Stable group of n clients (the first leads) at the next
 * generation: everyone (re)joins, the initial delay passes (twice when
 * others joined during the first), the leader assigns "<client_id>-part"
 * to each. */
void fx_form_group(fixture_t *f, fx_client_t **cs, int n, const char *group);
int16_t fx_heartbeat(fixture_t *f, fx_client_t *c, const char *group);
/* LeaveGroup v0-2 for the client; returns the top-level error. */
int16_t fx_leave(fixture_t *f, fx_client_t *c, const char *group, int16_t version);

/* OffsetCommit of one partition; returns the partition's error (or -1000
 * when the answer is still pending). */
int16_t fx_commit(fixture_t *f, const char *group, int32_t generation, const char *member_id, const char *topic,
                  int32_t partition, int64_t offset, const char *metadata, int16_t version);
/* OffsetFetch v7 of one partition: offset (-1 none) and metadata. */
int64_t fx_fetch(fixture_t *f, const char *group, const char *topic, int32_t partition, char *metadata,
                 size_t metadata_size);
/* DescribeGroups of one group: its state name ("Dead" unknown). */
const char *fx_state(fixture_t *f, const char *group, fx_reply_t *reply);

#endif
