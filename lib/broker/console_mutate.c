/* The changes the HTTP console makes (POST /api/v1/..., see console.h):
 * create and delete a topic, add partitions, alter a topic's configs,
 * reset an inactive group's offsets and delete a group. Each is the Kafka
 * request a client would send, run through the broker's own handler
 * (console_job.h), so it is checked, applied and logged the same way.
 * Answers are JSON: what was done, or {"error": why} with the status
 * console_kafka_error() gives the Kafka error. */
#include <stdio.h>
#include <string.h>

#include "broker/console_job.h"
#include "broker/group_view.h"
#include "broker/group_wire.h"
#include "broker/server.h"
#include "proto/msg_config.h"
#include "proto/msg_group.h"
#include "proto/msg_offset.h"
#include "proto/msg_topic_admin.h"

enum { RESOURCE_TOPIC = 2 };
enum { OP_SET = 0, OP_DELETE = 1 };

/* What became of a change: refused before its request ran (the job is
 * still ours to free), answered (the job freed itself), or pending. */
typedef enum { REFUSED, DONE, PENDING } outcome_t;

/* ---------------------------------------------------------------- topics */

static void created(console_job_t *job, console_page_t *page, const void *resp)
{
    (void)job;
    const kl_create_topics_response_t *r = resp;
    if (!r || r->topics.count != 1)
        return console_error(page, 500, "no answer from CreateTopics");
    const kl_create_topics_response_creatable_topic_result_t *t = &r->topics.items[0];
    if (t->error_code)
        return console_kafka_error(page, t->error_code, t->error_message);
    page->status = 201;
    kl_buf_put(&page->body, "{\"created\":", 11);
    console_json_mem(&page->body, t->name.ptr, (size_t)t->name.len);
    console_printf(&page->body, ",\"partitions\":%d,\"replication_factor\":%d}\n", (int)t->num_partitions,
                   (int)t->replication_factor);
}

static outcome_t create_topic(console_job_t *job, const console_arg_t *args, size_t n)
{
    static const char *const allowed[] = {"name", "partitions", "replication_factor", "config.", NULL};
    console_page_t *page = job->page;
    int64_t partitions = -1, rf = -1;
    const char *name = console_arg(args, n, "name");
    if (!console_args_known(page, args, n, allowed) ||
        !console_arg_int(page, args, n, "partitions", 1, 100000, &partitions) ||
        !console_arg_int(page, args, n, "replication_factor", 1, 32767, &rf))
        return REFUSED;
    if (!name || !name[0]) {
        console_error(page, 400, "name is required: the topic to create");
        return REFUSED;
    }
    kl_create_topics_request_t *body = console_job_body(job, KL_API_CREATE_TOPICS);
    kl_create_topics_request_creatable_topic_t *t = kl_arena_calloc(&job->arena, 1, sizeof *t);
    kl_create_topics_request_creatable_topic_config_t *configs = kl_arena_calloc(&job->arena, n + 1, sizeof *configs);
    if (!body || !t || !configs) {
        console_error(page, 503, "out of memory");
        return REFUSED;
    }
    *t = (kl_create_topics_request_creatable_topic_t){.name = console_job_str(job, name),
                                                      .num_partitions = (int32_t)partitions,
                                                      .replication_factor = (int16_t)rf};
    t->configs.items = configs;
    for (size_t i = 0; i < n; i++)
        if (!strncmp(args[i].name, "config.", 7))
            configs[t->configs.count++] = (kl_create_topics_request_creatable_topic_config_t){
                console_job_str(job, args[i].name + 7), console_job_str(job, args[i].value)};
    body->topics.items = t;
    body->topics.count = 1;
    body->timeout_ms = 30000;
    return console_job_run(job, KL_API_CREATE_TOPICS, 7, created) ? PENDING : DONE;
}

static void deleted(console_job_t *job, console_page_t *page, const void *resp)
{
    (void)job;
    const kl_delete_topics_response_t *r = resp;
    if (!r || r->responses.count != 1)
        return console_error(page, 500, "no answer from DeleteTopics");
    const kl_delete_topics_response_deletable_topic_result_t *t = &r->responses.items[0];
    if (t->error_code)
        return console_kafka_error(page, t->error_code, t->error_message);
    kl_buf_put(&page->body, "{\"deleted\":", 11);
    console_json_mem(&page->body, t->name.ptr, t->name.len > 0 ? (size_t)t->name.len : 0);
    kl_buf_put(&page->body, "}\n", 2);
}

static outcome_t delete_topic(console_job_t *job, const char *topic)
{
    kl_delete_topics_request_t *body = console_job_body(job, KL_API_DELETE_TOPICS);
    kl_str_t *names = kl_arena_calloc(&job->arena, 1, sizeof *names);
    if (!body || !names) {
        console_error(job->page, 503, "out of memory");
        return REFUSED;
    }
    names[0] = console_job_str(job, topic);
    body->topic_names.items = names;
    body->topic_names.count = 1;
    body->timeout_ms = 30000;
    return console_job_run(job, KL_API_DELETE_TOPICS, 5, deleted) ? PENDING : DONE;
}

static void grown(console_job_t *job, console_page_t *page, const void *resp)
{
    (void)job;
    const kl_create_partitions_response_t *r = resp;
    if (!r || r->results.count != 1)
        return console_error(page, 500, "no answer from CreatePartitions");
    const kl_create_partitions_response_create_partitions_topic_result_t *t = &r->results.items[0];
    if (t->error_code)
        return console_kafka_error(page, t->error_code, t->error_message);
    kl_buf_put(&page->body, "{\"topic\":", 9);
    console_json_mem(&page->body, t->name.ptr, (size_t)t->name.len);
    kl_buf_put(&page->body, ",\"grown\":true}\n", 15);
}

static outcome_t add_partitions(console_job_t *job, const char *topic, const console_arg_t *args, size_t n)
{
    static const char *const allowed[] = {"count", NULL};
    int64_t count = -1;
    if (!console_args_known(job->page, args, n, allowed) ||
        !console_arg_int(job->page, args, n, "count", 1, 100000, &count))
        return REFUSED;
    if (count < 0) {
        console_error(job->page, 400, "count is required: the topic's new partition count");
        return REFUSED;
    }
    kl_create_partitions_request_t *body = console_job_body(job, KL_API_CREATE_PARTITIONS);
    kl_create_partitions_request_create_partitions_topic_t *t = kl_arena_calloc(&job->arena, 1, sizeof *t);
    if (!body || !t) {
        console_error(job->page, 503, "out of memory");
        return REFUSED;
    }
    t->name = console_job_str(job, topic);
    t->count = (int32_t)count;
    t->assignments.count = -1;
    body->topics.items = t;
    body->topics.count = 1;
    body->timeout_ms = 30000;
    return console_job_run(job, KL_API_CREATE_PARTITIONS, 3, grown) ? PENDING : DONE;
}

static void altered(console_job_t *job, console_page_t *page, const void *resp)
{
    (void)job;
    const kl_incremental_alter_configs_response_t *r = resp;
    if (!r || r->responses.count != 1)
        return console_error(page, 500, "no answer from IncrementalAlterConfigs");
    const kl_incremental_alter_configs_response_alter_configs_resource_response_t *t = &r->responses.items[0];
    if (t->error_code)
        return console_kafka_error(page, t->error_code, t->error_message);
    kl_buf_put(&page->body, "{\"topic\":", 9);
    console_json_mem(&page->body, t->resource_name.ptr, (size_t)t->resource_name.len);
    kl_buf_put(&page->body, ",\"altered\":true}\n", 17);
}

/* set.<name>=value sets, delete=<name> goes back to the default. */
static outcome_t alter_configs(console_job_t *job, const char *topic, const console_arg_t *args, size_t n)
{
    static const char *const allowed[] = {"set.", "delete", NULL};
    if (!console_args_known(job->page, args, n, allowed))
        return REFUSED;
    if (n == 0) {
        console_error(job->page, 400, "nothing to change: give set.<config>=<value> or delete=<config>");
        return REFUSED;
    }
    kl_incremental_alter_configs_request_t *body = console_job_body(job, KL_API_INCREMENTAL_ALTER_CONFIGS);
    kl_incremental_alter_configs_request_alter_configs_resource_t *res = kl_arena_calloc(&job->arena, 1, sizeof *res);
    kl_incremental_alter_configs_request_alterable_config_t *c = kl_arena_calloc(&job->arena, n, sizeof *c);
    if (!body || !res || !c) {
        console_error(job->page, 503, "out of memory");
        return REFUSED;
    }
    for (size_t i = 0; i < n; i++) {
        bool set = !strncmp(args[i].name, "set.", 4);
        c[i] = (kl_incremental_alter_configs_request_alterable_config_t){
            .name = console_job_str(job, set ? args[i].name + 4 : args[i].value),
            .config_operation = set ? OP_SET : OP_DELETE,
            .value = set ? console_job_str(job, args[i].value) : KL_STR_NULL};
    }
    *res = (kl_incremental_alter_configs_request_alter_configs_resource_t){.resource_type = RESOURCE_TOPIC,
                                                                            .resource_name = console_job_str(job, topic)};
    res->configs.items = c;
    res->configs.count = (int32_t)n;
    body->resources.items = res;
    body->resources.count = 1;
    return console_job_run(job, KL_API_INCREMENTAL_ALTER_CONFIGS, 1, altered) ? PENDING : DONE;
}

/* ---------------------------------------------------------------- groups */

static void group_deleted(console_job_t *job, console_page_t *page, const void *resp)
{
    (void)job;
    const kl_delete_groups_response_t *r = resp;
    if (!r || r->results.count != 1)
        return console_error(page, 500, "no answer from DeleteGroups");
    const kl_delete_groups_response_deletable_group_result_t *g = &r->results.items[0];
    if (g->error_code)
        return console_kafka_error(page, g->error_code, KL_STR_NULL);
    kl_buf_put(&page->body, "{\"deleted\":", 11);
    console_json_mem(&page->body, g->group_id.ptr, (size_t)g->group_id.len);
    kl_buf_put(&page->body, "}\n", 2);
}

static outcome_t delete_group(console_job_t *job, const char *group)
{
    kl_delete_groups_request_t *body = console_job_body(job, KL_API_DELETE_GROUPS);
    kl_str_t *names = kl_arena_calloc(&job->arena, 1, sizeof *names);
    if (!body || !names) {
        console_error(job->page, 503, "out of memory");
        return REFUSED;
    }
    names[0] = console_job_str(job, group);
    body->groups_names.items = names;
    body->groups_names.count = 1;
    return console_job_run(job, KL_API_DELETE_GROUPS, 2, group_deleted) ? PENDING : DONE;
}

static void offsets_committed(console_job_t *job, console_page_t *page, const void *resp)
{
    const kl_offset_commit_response_t *r = resp;
    const kl_offset_commit_request_t *req = job->req.body;
    if (!r || r->topics.count != 1)
        return console_error(page, 500, "no answer from OffsetCommit");
    const kl_offset_commit_response_topic_t *t = &r->topics.items[0];
    for (int32_t i = 0; i < t->partitions.count; i++)
        if (t->partitions.items[i].error_code)
            return console_kafka_error(page, t->partitions.items[i].error_code, KL_STR_NULL);
    kl_buf_put(&page->body, "{\"group\":", 9);
    console_json_mem(&page->body, req->group_id.ptr, (size_t)req->group_id.len);
    kl_buf_put(&page->body, ",\"topic\":", 9);
    console_json_mem(&page->body, t->name.ptr, (size_t)t->name.len);
    kl_buf_put(&page->body, ",\"offsets\":[", 12);
    const kl_offset_commit_request_topic_t *rt = &req->topics.items[0];
    for (int32_t i = 0; i < rt->partitions.count; i++)
        console_printf(&page->body, "%s{\"partition\":%d,\"offset\":%lld}", i ? "," : "",
                       (int)rt->partitions.items[i].partition_index,
                       (long long)rt->partitions.items[i].committed_offset);
    kl_buf_put(&page->body, "]}\n", 3);
}

/* The group's state when it has members (Kafka resets only inactive
 * groups), else NULL. */
static const char *group_active(kl_broker_t *b, const char *group, char *state, size_t size)
{
    size_t n;
    group_view_t *views = group_views(groups_coordinator(b), &n);
    const char *active = NULL;
    for (size_t i = 0; views && i < n; i++)
        if (!strcmp(views[i].id, group) && views[i].member_count > 0) {
            snprintf(state, size, "%s with %zu members", views[i].state, views[i].member_count);
            active = state;
        }
    group_views_free(views, n == SIZE_MAX ? 0 : n);
    return active;
}

/* Where partition p of t goes for to=earliest|latest|offset|timestamp;
 * false with a 400 answer. */
static bool reset_target(console_page_t *page, broker_topic_t *t, int32_t p, const char *to, int64_t offset,
                         int64_t timestamp, int64_t *target)
{
    kl_log_t *log = t->logs[p];
    if (!log) {
        console_error(page, 503, "partition %s-%d is offline", t->name, (int)p);
        return false;
    }
    int64_t start = kl_log_start_offset(log), hw = kl_log_high_watermark(log);
    if (!strcmp(to, "earliest"))
        *target = start;
    else if (!strcmp(to, "latest"))
        *target = hw;
    else if (!strcmp(to, "offset")) {
        if (offset < start || offset > hw) {
            console_error(page, 400, "offset %lld is outside %s-%d's offsets %lld to %lld", (long long)offset,
                          t->name, (int)p, (long long)start, (long long)hw);
            return false;
        }
        *target = offset;
    } else {
        int64_t found;
        kl_err_t err = kl_log_find_offset_by_timestamp(log, timestamp, target, &found);
        if (err == KL_ERR_NOENT || (!err && *target > hw))
            *target = hw;
        else if (err) {
            console_error(page, 500, "cannot search %s-%d by time: %s", t->name, (int)p, kl_err_str(err));
            return false;
        }
    }
    return true;
}

static outcome_t reset_offsets(console_job_t *job, const char *group, const console_arg_t *args, size_t n)
{
    static const char *const allowed[] = {"topic", "partition", "to", "offset", "timestamp", NULL};
    console_page_t *page = job->page;
    kl_broker_t *b = job->broker;
    int64_t partition = -1, offset = -1, timestamp = -1;
    const char *topic = console_arg(args, n, "topic"), *to = console_arg(args, n, "to");
    if (!console_args_known(page, args, n, allowed) ||
        !console_arg_int(page, args, n, "partition", 0, INT32_MAX, &partition) ||
        !console_arg_int(page, args, n, "offset", 0, INT64_MAX, &offset) ||
        !console_arg_int(page, args, n, "timestamp", 0, INT64_MAX, &timestamp))
        return REFUSED;
    if (!to || (strcmp(to, "earliest") && strcmp(to, "latest") && strcmp(to, "offset") && strcmp(to, "timestamp"))) {
        console_error(page, 400, "to must be earliest, latest, offset or timestamp");
        return REFUSED;
    }
    if ((!strcmp(to, "offset") && offset < 0) || (!strcmp(to, "timestamp") && timestamp < 0)) {
        console_error(page, 400, "to=%s needs %s", to, to);
        return REFUSED;
    }
    broker_topic_t *t = topic ? topics_find(&b->topics, kl_str(topic)) : NULL;
    if (!t) {
        console_error(page, topic ? 404 : 400, topic ? "no such topic: %s" : "topic is required", topic);
        return REFUSED;
    }
    if (partition >= t->partition_count) {
        console_error(page, 404, "topic %s has no partition %lld", t->name, (long long)partition);
        return REFUSED;
    }
    char state[96];
    if (group_active(b, group, state, sizeof state)) {
        console_error(page, 409, "group %s is %s: offsets can be reset only while it is inactive (Empty)", group,
                      state);
        return REFUSED;
    }
    kl_offset_commit_request_t *body = console_job_body(job, KL_API_OFFSET_COMMIT);
    kl_offset_commit_request_topic_t *ct = kl_arena_calloc(&job->arena, 1, sizeof *ct);
    size_t count = partition >= 0 ? 1 : (size_t)t->partition_count;
    kl_offset_commit_request_partition_t *parts = kl_arena_calloc(&job->arena, count, sizeof *parts);
    if (!body || !ct || !parts) {
        console_error(page, 503, "out of memory");
        return REFUSED;
    }
    for (size_t i = 0; i < count; i++) {
        int32_t p = partition >= 0 ? (int32_t)partition : (int32_t)i;
        int64_t target;
        if (!reset_target(page, t, p, to, offset, timestamp, &target))
            return REFUSED;
        parts[i] = (kl_offset_commit_request_partition_t){.partition_index = p, .committed_offset = target,
                                                          .committed_leader_epoch = -1, .commit_timestamp = -1,
                                                          .committed_metadata = kl_str("")};
    }
    ct->name = console_job_str(job, t->name);
    ct->partitions.items = parts;
    ct->partitions.count = (int32_t)count;
    body->group_id = console_job_str(job, group);
    body->generation_id_or_member_epoch = -1;
    body->member_id = kl_str("");
    body->group_instance_id = KL_STR_NULL;
    body->retention_time_ms = -1;
    body->topics.items = ct;
    body->topics.count = 1;
    return console_job_run(job, KL_API_OFFSET_COMMIT, 8, offsets_committed) ? PENDING : DONE;
}

/* ---------------------------------------------------------------- routing */

/* "<kind>/<name>/<action>" split: the name (NUL-terminated in buf) and the
 * action ("" when none), after the last '/' (a group id may hold one).
 * False when path does not start with kind/. */
static bool split(const char *path, const char *kind, char *buf, size_t size, const char **action)
{
    size_t k = strlen(kind);
    if (strncmp(path, kind, k) || path[k] != '/' || !path[k + 1])
        return false;
    const char *name = path + k + 1, *slash = strrchr(name, '/');
    size_t len = slash ? (size_t)(slash - name) : strlen(name);
    if (len >= size)
        len = size - 1;
    memcpy(buf, name, len);
    buf[len] = '\0';
    *action = slash ? slash + 1 : "";
    return true;
}

static outcome_t route(console_job_t *job, const char *path, const console_arg_t *args, size_t n)
{
    char name[256];
    const char *action;
    static const char *const none[] = {NULL};
    if (!strcmp(path, "topics"))
        return create_topic(job, args, n);
    if (split(path, "topics", name, sizeof name, &action)) {
        if (!strcmp(action, "partitions"))
            return add_partitions(job, name, args, n);
        if (!strcmp(action, "configs"))
            return alter_configs(job, name, args, n);
        if (!strcmp(action, "delete") && console_args_known(job->page, args, n, none))
            return delete_topic(job, name);
    } else if (split(path, "groups", name, sizeof name, &action)) {
        if (!strcmp(action, "reset-offsets"))
            return reset_offsets(job, name, args, n);
        if (!strcmp(action, "delete") && console_args_known(job->page, args, n, none))
            return delete_group(job, name);
    }
    if (job->page->status < 400)
        console_error(job->page, 404, "no such change: POST /api/v1/%s", path);
    return REFUSED;
}

bool console_mutate(kl_broker_t *b, const char *path, const console_arg_t *args, size_t n, console_page_t *page,
                    console_done_fn *done, void *done_arg)
{
    page->type = "application/json";
    console_job_t *job = console_job_new(b, page, done, done_arg);
    if (!job) {
        console_error(page, 503, "out of memory");
        return false;
    }
    outcome_t o = route(job, path, args, n);
    if (o == REFUSED)
        console_job_free(job);
    return o == PENDING;
}
