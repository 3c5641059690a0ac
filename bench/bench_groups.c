/* Group coordinator benchmarks on the embedded broker, over loopback with
 * the blocking wire client: the time from the last member's JoinGroup to
 * every member holding its SyncGroup answer (a rebalance of n members),
 * and OffsetCommit throughput from one member, each commit acknowledged
 * after its append to __consumer_offsets, one at a time and pipelined.
 * Built by `make bench`; run ./bench/bench_groups [-n members[,members...]]
 * [-c commits] [-r rounds]. Its log directory is removed at the end. */
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kafkalite.h>

#include "proto/api.h"
#include "proto/header.h"
#include "proto/msg_group.h"
#include "proto/msg_offset.h"
#include "proto/msg_topic_admin.h"
#include "../tests/interop/wire_client.h"

#define TIMEOUT_MS 30000
#define GROUP "bench"
#define TOPIC "bench"
#define PIPELINE 64

typedef struct member {
    wire_client_t wc;
    char id[128];
    int32_t generation;
    bool leader;
} member_t;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_groups: %s\n", what);
    exit(1);
}

/* Reads the next response (decoded into resp, valid until *frame is freed). */
static void receive(wire_client_t *wc, int16_t key, int16_t version, void *resp, kl_arena_t *arena,
                    uint8_t **frame)
{
    size_t len;
    int32_t corr;
    kl_rd_t rd;
    if (wire_recv_frame(wc, frame, &len, TIMEOUT_MS) != 0)
        die("no answer");
    kl_rd_init(&rd, *frame, len);
    if (kl_proto_read_response(&rd, kl_api_find(key), version, &corr, arena, resp) != KL_ERR_NONE)
        die("undecodable answer");
}

/* ------------------------------------------------------------ the broker */

typedef struct bench_broker {
    char dir[64];
    kl_broker_t *broker;
    const char *bootstrap;
} bench_broker_t;

static void broker_up(bench_broker_t *b)
{
    char errstr[512];
    snprintf(b->dir, sizeof b->dir, "/tmp/kl-bench-groups-XXXXXX");
    if (!mkdtemp(b->dir))
        die("mkdtemp");
    kl_conf_t *conf = kl_broker_conf_new();
    static const char *const props[] = {"listeners", "PLAINTEXT://127.0.0.1:0", "group.initial.rebalance.delay.ms",
                                        "100", NULL};
    for (const char *const *p = props; *p; p += 2)
        if (kl_conf_set(conf, p[0], p[1], errstr, sizeof errstr))
            die(errstr);
    if (kl_conf_set(conf, "log.dirs", b->dir, errstr, sizeof errstr))
        die(errstr);
    b->broker = kl_broker_new(conf, errstr, sizeof errstr);
    kl_conf_destroy(conf);
    if (!b->broker || kl_broker_start(b->broker))
        die(b->broker ? "kl_broker_start" : errstr);
    b->bootstrap = kl_broker_bootstrap_servers(b->broker);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void broker_down(bench_broker_t *b)
{
    kl_broker_destroy(b->broker);
    nftw(b->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void create_topic(wire_client_t *wc)
{
    kl_create_topics_request_creatable_topic_t t = {.name = kl_str(TOPIC), .num_partitions = 1,
                                                    .replication_factor = 1};
    kl_create_topics_request_t req;
    kl_proto_init(&kl_create_topics_request_schema, &req);
    req.topics.items = &t;
    req.topics.count = 1;
    kl_create_topics_response_t resp;
    kl_arena_t arena;
    uint8_t *frame;
    kl_arena_init(&arena, 0);
    if (wire_call(wc, KL_API_CREATE_TOPICS, 5, &req, &arena, &resp, &frame, TIMEOUT_MS) ||
        resp.topics.items[0].error_code)
        die("CreateTopics");
    free(frame);
    kl_arena_free(&arena);
}

/* ------------------------------------------------------------ rebalances */

static void join_send(member_t *m, const char *group, int round)
{
    char meta[16];
    int len = snprintf(meta, sizeof meta, "r%d", round);
    kl_join_group_request_protocol_t proto = {kl_str("range"), kl_bytes((const uint8_t *)meta, len)};
    kl_join_group_request_t req;
    kl_proto_init(&kl_join_group_request_schema, &req);
    req.group_id = kl_str(group);
    req.session_timeout_ms = 30000;
    req.rebalance_timeout_ms = 30000;
    req.member_id = kl_str(m->id);
    req.protocol_type = kl_str("consumer");
    req.protocols.items = &proto;
    req.protocols.count = 1;
    if (wire_send_request(&m->wc, KL_API_JOIN_GROUP, 3, &req, TIMEOUT_MS) < 0)
        die("JoinGroup send");
}

static void join_recv(member_t *m)
{
    kl_join_group_response_t resp;
    kl_arena_t arena;
    uint8_t *frame;
    kl_arena_init(&arena, 0);
    receive(&m->wc, KL_API_JOIN_GROUP, 3, &resp, &arena, &frame);
    if (resp.error_code)
        die("JoinGroup failed");
    snprintf(m->id, sizeof m->id, "%.*s", (int)resp.member_id.len, resp.member_id.ptr);
    m->generation = resp.generation_id;
    m->leader = resp.leader.len == resp.member_id.len &&
                !memcmp(resp.leader.ptr, resp.member_id.ptr, (size_t)resp.member_id.len);
    free(frame);
    kl_arena_free(&arena);
}

/* The leader gives every member a small assignment; the others send none. */
static void sync_send(member_t *m, const char *group, const member_t *ms, int n)
{
    kl_sync_group_request_assignment_t *a = calloc((size_t)n, sizeof *a);
    for (int i = 0; m->leader && i < n; i++)
        a[i] = (kl_sync_group_request_assignment_t){kl_str(ms[i].id), kl_bytes((const uint8_t *)"assigned", 8)};
    kl_sync_group_request_t req;
    kl_proto_init(&kl_sync_group_request_schema, &req);
    req.group_id = kl_str(group);
    req.generation_id = m->generation;
    req.member_id = kl_str(m->id);
    req.assignments.items = a;
    req.assignments.count = m->leader ? n : 0;
    if (wire_send_request(&m->wc, KL_API_SYNC_GROUP, 3, &req, TIMEOUT_MS) < 0)
        die("SyncGroup send");
    free(a);
}

static void sync_recv(member_t *m)
{
    kl_sync_group_response_t resp;
    kl_arena_t arena;
    uint8_t *frame;
    kl_arena_init(&arena, 0);
    receive(&m->wc, KL_API_SYNC_GROUP, 3, &resp, &arena, &frame);
    if (resp.error_code || resp.assignment.len != 8)
        die("SyncGroup failed");
    free(frame);
    kl_arena_free(&arena);
}

/* Every member joins (in order) for round; returns the milliseconds from
 * sending the last JoinGroup to the last SyncGroup answer. */
static double rebalance(member_t *ms, int n, const char *group, int round)
{
    for (int i = 0; i < n - 1; i++)
        join_send(&ms[i], group, round);
    double t0 = now_ms();
    join_send(&ms[n - 1], group, round);
    for (int i = 0; i < n; i++)
        join_recv(&ms[i]);
    int leader = 0;
    for (int i = 0; i < n; i++) {
        if (ms[i].leader)
            leader = i;
        else
            sync_send(&ms[i], group, ms, n); /* parked until the leader's */
    }
    sync_send(&ms[leader], group, ms, n);
    for (int i = 0; i < n; i++)
        sync_recv(&ms[i]);
    return now_ms() - t0;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* n members connect and form group (after the initial delay). */
static member_t *form_group(const char *bootstrap, const char *group, int n)
{
    member_t *ms = calloc((size_t)n, sizeof *ms);
    for (int i = 0; i < n; i++)
        if (wire_connect(&ms[i].wc, bootstrap))
            die("connect");
    rebalance(ms, n, group, 0);
    return ms;
}

/* The group of ms rebalances rounds times with every member rejoining. */
static void bench_rebalance(member_t *ms, int n, const char *group, int rounds)
{
    double *t = calloc((size_t)rounds, sizeof *t);
    for (int r = 0; r < rounds; r++)
        t[r] = rebalance(ms, n, group, r + 1);
    qsort(t, (size_t)rounds, sizeof *t, compare_double);
    printf("rebalance of %4d members: last JoinGroup to all SyncGroup answers: median %.2f ms, min %.2f, max %.2f"
           " (%d rounds)\n", n, t[rounds / 2], t[0], t[rounds - 1], rounds);
    free(t);
}

static void members_free(member_t *ms, int n)
{
    for (int i = 0; i < n; i++)
        wire_close(&ms[i].wc);
    free(ms);
}

/* ------------------------------------------------------------ commits */

static void commit_send(member_t *m, const char *group, int64_t offset)
{
    kl_offset_commit_request_partition_t part = {.partition_index = 0, .committed_offset = offset,
                                                 .committed_leader_epoch = -1, .commit_timestamp = -1,
                                                 .committed_metadata = kl_str("")};
    kl_offset_commit_request_topic_t topic = {.name = kl_str(TOPIC), .partitions = {&part, 1}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str(group);
    req.generation_id_or_member_epoch = m->generation;
    req.member_id = kl_str(m->id);
    req.topics.items = &topic;
    req.topics.count = 1;
    if (wire_send_request(&m->wc, KL_API_OFFSET_COMMIT, 8, &req, TIMEOUT_MS) < 0)
        die("OffsetCommit send");
}

static void commit_recv(member_t *m)
{
    kl_offset_commit_response_t resp;
    kl_arena_t arena;
    uint8_t *frame;
    kl_arena_init(&arena, 0);
    receive(&m->wc, KL_API_OFFSET_COMMIT, 8, &resp, &arena, &frame);
    if (resp.topics.count != 1 || resp.topics.items[0].partitions.items[0].error_code)
        die("OffsetCommit failed");
    free(frame);
    kl_arena_free(&arena);
}

/* commits OffsetCommits from member m, window at a time in flight. */
static void bench_commits(member_t *m, const char *group, int commits, int window)
{
    double t0 = now_ms();
    for (int done = 0; done < commits; done += window) {
        int batch = commits - done < window ? commits - done : window;
        for (int i = 0; i < batch; i++)
            commit_send(m, group, done + i);
        for (int i = 0; i < batch; i++)
            commit_recv(m);
    }
    double ms = now_ms() - t0;
    printf("OffsetCommit from one member, %2d in flight: %.0f commits/s (%.1f us each, %d commits)\n", window,
           commits / (ms / 1e3), ms * 1e3 / commits, commits);
}

int main(int argc, char **argv)
{
    const char *sizes = "3,10,100";
    int commits = 20000, rounds = 20, opt;
    while ((opt = getopt(argc, argv, "n:c:r:")) != -1) {
        if (opt == 'n')
            sizes = optarg;
        else if (opt == 'c')
            commits = atoi(optarg);
        else if (opt == 'r')
            rounds = atoi(optarg);
        else
            die("usage: bench_groups [-n members[,members...]] [-c commits] [-r rounds]");
    }
    if (commits <= 0 || rounds <= 0)
        die("-c and -r take positive numbers");
    bench_broker_t b;
    broker_up(&b);
    wire_client_t admin;
    if (wire_connect(&admin, b.bootstrap))
        die("connect");
    create_topic(&admin);
    wire_close(&admin);
    char *list = strdup(sizes), *save;
    for (char *size = strtok_r(list, ",", &save); size; size = strtok_r(NULL, ",", &save)) {
        int n = atoi(size);
        if (n < 1)
            die("-n takes positive numbers");
        char group[32];
        snprintf(group, sizeof group, "%s-%d", GROUP, n);
        member_t *ms = form_group(b.bootstrap, group, n);
        bench_rebalance(ms, n, group, rounds);
        members_free(ms, n);
    }
    free(list);
    member_t *one = form_group(b.bootstrap, "committer", 1);
    bench_commits(one, "committer", commits, 1);
    bench_commits(one, "committer", commits, PIPELINE);
    members_free(one, 1);
    broker_down(&b);
    return 0;
}
