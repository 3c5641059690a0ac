/* DescribeLogDirs: each of log.dirs (as an absolute path, with its
 * volume's total and usable bytes) and the partitions it holds with the
 * bytes of their segments, for the topics asked (null: all). A single
 * replica has no lag and no future logs; a directory that took a write
 * failure is reported with KAFKA_STORAGE_ERROR, as Kafka reports an
 * offline one. kafka-log-dirs and Admin.describeLogDirs ask for this. */
#include <limits.h>
#include <stdlib.h>
#include <sys/statvfs.h>

#include "broker/dispatch.h"
#include "broker/server.h"
#include "proto/msg_log_dirs.h"

typedef kl_describe_log_dirs_response_result_t dir_result_t;
typedef kl_describe_log_dirs_response_topic_t topic_result_t;

/* The requested topic entry for t, NULL when t is not asked for. */
static const kl_describe_log_dirs_request_topic_t *asked_topic(const kl_describe_log_dirs_request_t *body,
                                                               const broker_topic_t *t)
{
    for (int32_t i = 0; i < body->topics.count; i++)
        if (kl_str_eq(body->topics.items[i].topic, t->name))
            return &body->topics.items[i];
    return NULL;
}

static bool asked_partition(const kl_describe_log_dirs_request_topic_t *asked, int32_t p)
{
    for (int32_t i = 0; i < asked->partitions.count; i++)
        if (asked->partitions.items[i] == p)
            return true;
    return false;
}

/* Fills r->topics with the partitions of the asked topics that live in
 * directory d. false: out of memory. */
static bool describe_dir(broker_request_t *req, const kl_describe_log_dirs_request_t *body, size_t d,
                         dir_result_t *r)
{
    const broker_topics_t *topics = &req->broker->topics;
    r->topics.items = broker_alloc(req, topics->count, sizeof *r->topics.items);
    if (!r->topics.items)
        return false;
    r->topics.count = 0;
    for (size_t i = 0; i < topics->count; i++) {
        const broker_topic_t *t = topics->items[i];
        const kl_describe_log_dirs_request_topic_t *asked = body->topics.count >= 0 ? asked_topic(body, t) : NULL;
        if (body->topics.count >= 0 && !asked)
            continue;
        topic_result_t *tr = &r->topics.items[r->topics.count];
        tr->name = kl_str(t->name);
        tr->partitions.items = broker_alloc(req, (size_t)t->partition_count, sizeof *tr->partitions.items);
        if (!tr->partitions.items)
            return false;
        tr->partitions.count = 0;
        for (int32_t p = 0; p < t->partition_count; p++) {
            const kl_log_t *log = t->logs[p];
            if (!log || log_dirs_of(&topics->dirs, log) != d || (asked && !asked_partition(asked, p)))
                continue;
            tr->partitions.items[tr->partitions.count++] =
                (kl_describe_log_dirs_response_partition_t){.partition_index = p,
                                                           .partition_size = (int64_t)kl_log_size(log)};
        }
        if (tr->partitions.count > 0)
            r->topics.count++;
    }
    return true;
}

broker_req_status_t handle_describe_log_dirs(broker_request_t *req)
{
    const kl_describe_log_dirs_request_t *body = req->body;
    const broker_log_dirs_t *dirs = &req->broker->topics.dirs;
    kl_describe_log_dirs_response_t resp;
    kl_proto_init(&kl_describe_log_dirs_response_schema, &resp);
    resp.results.items = broker_alloc(req, dirs->count, sizeof *resp.results.items);
    if (!resp.results.items)
        return BROKER_REQ_CLOSE;
    resp.results.count = (int32_t)dirs->count;
    for (size_t d = 0; d < dirs->count; d++) {
        dir_result_t *r = &resp.results.items[d];
        char path[PATH_MAX];
        r->log_dir = kl_str(broker_strdup(req, kl_str(realpath(dirs->paths[d], path) ? path : dirs->paths[d])));
        r->total_bytes = r->usable_bytes = -1;
        struct statvfs vfs;
        if (statvfs(dirs->paths[d], &vfs) == 0) {
            r->total_bytes = (int64_t)((uint64_t)vfs.f_blocks * vfs.f_frsize);
            r->usable_bytes = (int64_t)((uint64_t)vfs.f_bavail * vfs.f_frsize);
        }
        if (dirs->offline[d]) {
            r->error_code = KL_ERR_KAFKA_STORAGE_ERROR;
            continue;
        }
        if (!describe_dir(req, body, d, r))
            return BROKER_REQ_CLOSE;
    }
    return broker_respond(req, &resp);
}
