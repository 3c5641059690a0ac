/* The HTTP console's JSON API under /api/v1/ (see console.h), built on the
 * broker loop: cluster, topics (one or all) with their partitions' offsets
 * and sizes, consumer groups (one or all) with committed offsets and lag.
 * Bad parameters are answered 400 with the reason, unknown paths and names
 * 404. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "broker/console.h"
#include "broker/console_internal.h"
#include "broker/console_job.h"
#include "broker/group_view.h"
#include "broker/group_wire.h"
#include "broker/server.h"
#include "proto/msg_config.h"

enum { RESOURCE_TOPIC = 2 };

static void json_key(kl_buf_t *out, bool *first, const char *key)
{
    if (!*first)
        kl_buf_put(out, ",", 1);
    *first = false;
    console_json_str(out, key);
    kl_buf_put(out, ":", 1);
}

static void log_dirs_json(kl_buf_t *out, const kl_broker_t *b)
{
    const broker_log_dirs_t *dirs = &b->topics.dirs;
    kl_buf_put(out, "[", 1);
    for (size_t i = 0; i < dirs->count; i++) {
        struct statvfs vfs;
        bool have = statvfs(dirs->paths[i], &vfs) == 0;
        console_printf(out, "%s{\"path\":", i ? "," : "");
        console_json_str(out, dirs->paths[i]);
        console_printf(out, ",\"online\":%s,\"partitions\":%zu", dirs->offline[i] ? "false" : "true",
                       log_dirs_partitions(&b->topics, i));
        if (have)
            console_printf(out, ",\"total_bytes\":%llu,\"free_bytes\":%llu",
                           (unsigned long long)vfs.f_blocks * vfs.f_frsize,
                           (unsigned long long)vfs.f_bavail * vfs.f_frsize);
        kl_buf_put(out, "}", 1);
    }
    kl_buf_put(out, "]", 1);
}

static void cluster_json(kl_broker_t *b, console_page_t *page)
{
    kl_buf_t *out = &page->body;
    bool first = true;
    kl_buf_put(out, "{", 1);
    json_key(out, &first, "cluster_id");
    console_json_str(out, b->cluster_id);
    json_key(out, &first, "broker_id");
    console_printf(out, "%d", (int)b->node_id);
    json_key(out, &first, "version");
    console_json_str(out, kl_version_str());
    json_key(out, &first, "uptime_seconds");
    console_printf(out, "%.3f", (double)(kl_wallclock_ms() - b->console->start_wall_ms) / 1000.0);
    json_key(out, &first, "listeners");
    console_json_str(out, b->listeners_text ? b->listeners_text : "");
    json_key(out, &first, "console");
    console_json_str(out, b->console->address);
    json_key(out, &first, "log_dirs");
    log_dirs_json(out, b);
    kl_buf_put(out, "}\n", 2);
}

static void partition_json(kl_buf_t *out, const kl_broker_t *b, const broker_topic_t *t, int32_t p)
{
    const kl_log_t *log = t->logs[p];
    int id = (int)b->node_id;
    console_printf(out, "%s{\"partition\":%d,\"leader\":%d,\"replicas\":[%d],\"isr\":[", p ? "," : "", (int)p,
                   log ? id : -1, id);
    if (log)
        console_printf(out, "%d", id);
    console_printf(out, "],\"online\":%s", log ? "true" : "false");
    if (log)
        console_printf(out, ",\"log_start_offset\":%lld,\"log_end_offset\":%lld,\"high_watermark\":%lld,"
                            "\"size_bytes\":%llu",
                       (long long)kl_log_start_offset(log), (long long)kl_log_end_offset(log),
                       (long long)kl_log_high_watermark(log), (unsigned long long)kl_log_size(log));
    kl_buf_put(out, "}", 1);
}

static void topic_json(kl_buf_t *out, const kl_broker_t *b, const broker_topic_t *t)
{
    kl_buf_put(out, "{\"name\":", 8);
    console_json_str(out, t->name);
    console_printf(out, ",\"internal\":%s,\"partition_count\":%d,\"partitions\":[",
                   groups_topic_internal(t->name) ? "true" : "false", (int)t->partition_count);
    for (int32_t p = 0; p < t->partition_count; p++)
        partition_json(out, b, t, p);
    kl_buf_put(out, "]}", 2);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(broker_topic_t *const *)a)->name, (*(broker_topic_t *const *)b)->name);
}

static void topics_json(kl_broker_t *b, bool internal, console_page_t *page)
{
    kl_buf_t *out = &page->body;
    broker_topic_t **sorted = malloc((b->topics.count + 1) * sizeof *sorted);
    if (!sorted) {
        out->err = KL_ERR_NOMEM;
        return;
    }
    memcpy(sorted, b->topics.items, b->topics.count * sizeof *sorted);
    qsort(sorted, b->topics.count, sizeof *sorted, by_name);
    kl_buf_put(out, "{\"topics\":[", 11);
    bool first = true;
    for (size_t i = 0; i < b->topics.count; i++) {
        if (!internal && groups_topic_internal(sorted[i]->name))
            continue;
        if (!first)
            kl_buf_put(out, ",", 1);
        first = false;
        topic_json(out, b, sorted[i]);
    }
    kl_buf_put(out, "]}\n", 3);
    free(sorted);
}

int64_t console_high_watermark(const kl_broker_t *b, const char *topic, int32_t partition)
{
    const broker_topic_t *t = topics_find(&b->topics, kl_str(topic));
    if (!t || partition < 0 || partition >= t->partition_count || !t->logs[partition])
        return -1;
    return kl_log_high_watermark(t->logs[partition]);
}

static void group_json(kl_buf_t *out, const kl_broker_t *b, const group_view_t *g)
{
    kl_buf_put(out, "{\"group\":", 9);
    console_json_str(out, g->id);
    kl_buf_put(out, ",\"state\":", 9);
    console_json_str(out, g->state);
    kl_buf_put(out, ",\"protocol_type\":", 17);
    console_json_str(out, g->protocol_type);
    kl_buf_put(out, ",\"protocol\":", 12);
    console_json_str(out, g->protocol);
    console_printf(out, ",\"generation\":%d,\"members\":[", (int)g->generation);
    for (size_t k = 0; k < g->member_count; k++) {
        const group_view_member_t *m = &g->members[k];
        kl_buf_put(out, k ? ",{\"member_id\":" : "{\"member_id\":", k ? 14 : 13);
        console_json_str(out, m->id);
        kl_buf_put(out, ",\"client_id\":", 13);
        console_json_str(out, m->client_id);
        kl_buf_put(out, ",\"host\":", 8);
        console_json_str(out, m->client_host);
        if (m->instance_id) {
            kl_buf_put(out, ",\"group_instance_id\":", 21);
            console_json_str(out, m->instance_id);
        }
        kl_buf_put(out, "}", 1);
    }
    kl_buf_put(out, "],\"offsets\":[", 13);
    long long total = 0;
    for (size_t k = 0; k < g->offset_count; k++) {
        const group_view_offset_t *o = &g->offsets[k];
        int64_t hw = console_high_watermark(b, o->topic, o->partition);
        kl_buf_put(out, k ? ",{\"topic\":" : "{\"topic\":", k ? 10 : 9);
        console_json_str(out, o->topic);
        console_printf(out, ",\"partition\":%d,\"committed_offset\":%lld", (int)o->partition, (long long)o->offset);
        if (hw >= 0 && o->offset >= 0) {
            console_printf(out, ",\"log_end_offset\":%lld,\"lag\":%lld", (long long)hw, (long long)(hw - o->offset));
            total += hw - o->offset;
        }
        kl_buf_put(out, "}", 1);
    }
    console_printf(out, "],\"total_lag\":%lld}", total);
}

static void groups_json(kl_broker_t *b, const char *only, console_page_t *page)
{
    kl_buf_t *out = &page->body;
    size_t n;
    group_view_t *groups = group_views(groups_coordinator(b), &n);
    if (n == SIZE_MAX) {
        out->err = KL_ERR_NOMEM;
        return;
    }
    if (only) {
        size_t i = 0;
        while (i < n && strcmp(groups[i].id, only) != 0)
            i++;
        if (i == n)
            console_error(page, 404, "no such consumer group: %s", only);
        else {
            group_json(out, b, &groups[i]);
            kl_buf_put(out, "\n", 1);
        }
    } else {
        kl_buf_put(out, "{\"groups\":[", 11);
        for (size_t i = 0; i < n; i++) {
            if (i)
                kl_buf_put(out, ",", 1);
            group_json(out, b, &groups[i]);
        }
        kl_buf_put(out, "]}\n", 3);
    }
    group_views_free(groups, n);
}

/* Parameters: each name must be among allowed ("" when none are). */
static bool check_args(console_page_t *page, const console_arg_t *args, size_t n, const char *allowed)
{
    for (size_t i = 0; i < n; i++)
        if (!allowed[0] || strcmp(args[i].name, allowed) != 0) {
            console_error(page, 400, "unknown parameter: %s", args[i].name);
            return false;
        }
    return true;
}

static bool parse_bool(console_page_t *page, const console_arg_t *args, size_t n, const char *name, bool *v)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(args[i].name, name) != 0)
            continue;
        if (strcmp(args[i].value, "true") && strcmp(args[i].value, "false")) {
            console_error(page, 400, "%s must be true or false, not \"%s\"", name, args[i].value);
            return false;
        }
        *v = !strcmp(args[i].value, "true");
    }
    return true;
}

/* ---------------------------------------------------------------- configs */

static const char *config_source(int8_t source)
{
    static const char *const names[] = {"UNKNOWN", "DYNAMIC_TOPIC_CONFIG", "DYNAMIC_BROKER_CONFIG",
                                        "DYNAMIC_DEFAULT_BROKER_CONFIG", "STATIC_BROKER_CONFIG", "DEFAULT_CONFIG",
                                        "DYNAMIC_BROKER_LOGGER_CONFIG", "CLIENT_METRICS_CONFIG",
                                        "GROUP_CONFIG"};
    return source >= 0 && (size_t)source < sizeof names / sizeof names[0] ? names[source] : "UNKNOWN";
}

static void configs_answer(console_job_t *job, console_page_t *page, const void *resp)
{
    (void)job;
    const kl_describe_configs_response_t *r = resp;
    if (!r || r->results.count != 1)
        return console_error(page, 500, "no answer from DescribeConfigs");
    const kl_describe_configs_response_describe_configs_result_t *res = &r->results.items[0];
    if (res->error_code)
        return console_kafka_error(page, res->error_code, res->error_message);
    kl_buf_t *out = &page->body;
    kl_buf_put(out, "{\"topic\":", 9);
    console_json_mem(out, res->resource_name.ptr, (size_t)res->resource_name.len);
    kl_buf_put(out, ",\"configs\":[", 12);
    for (int32_t i = 0; i < res->configs.count; i++) {
        const kl_describe_configs_response_describe_configs_resource_result_t *c = &res->configs.items[i];
        kl_buf_put(out, i ? ",{\"name\":" : "{\"name\":", i ? 9 : 8);
        console_json_mem(out, c->name.ptr, (size_t)c->name.len);
        kl_buf_put(out, ",\"value\":", 9);
        if (c->value.len < 0 || c->is_sensitive)
            kl_buf_put(out, "null", 4);
        else
            console_json_mem(out, c->value.ptr, (size_t)c->value.len);
        console_printf(out, ",\"source\":\"%s\",\"read_only\":%s,\"sensitive\":%s}", config_source(c->config_source),
                       c->read_only ? "true" : "false", c->is_sensitive ? "true" : "false");
    }
    kl_buf_put(out, "]}\n", 3);
}

/* A topic's configs as DescribeConfigs gives them to a client. */
static bool topic_configs(kl_broker_t *b, const char *topic, console_page_t *page, console_done_fn *done,
                          void *done_arg)
{
    console_job_t *job = console_job_new(b, page, done, done_arg);
    kl_describe_configs_request_t *body = job ? console_job_body(job, KL_API_DESCRIBE_CONFIGS) : NULL;
    kl_describe_configs_request_describe_configs_resource_t *res =
        body ? kl_arena_calloc(&job->arena, 1, sizeof *res) : NULL;
    if (!res) {
        if (job)
            console_job_free(job);
        console_error(page, 503, "out of memory");
        return false;
    }
    *res = (kl_describe_configs_request_describe_configs_resource_t){.resource_type = RESOURCE_TOPIC,
                                                                      .resource_name = console_job_str(job, topic)};
    res->configuration_keys.count = -1;
    body->resources.items = res;
    body->resources.count = 1;
    return console_job_run(job, KL_API_DESCRIBE_CONFIGS, 4, configs_answer);
}

/* ---------------------------------------------------------------- routing */

/* topics/<name>[/<rest>]: GET one topic, its configs or a partition's
 * messages. */
static bool topic_api(kl_broker_t *b, const char *path, const console_arg_t *args, size_t n, console_page_t *page,
                      console_done_fn *done, void *done_arg)
{
    static const char *const none[] = {NULL};
    const char *slash = strchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : strlen(path);
    char name[256];
    if (len >= sizeof name || !topic_name_valid((kl_str_t){path, (int32_t)len})) {
        console_error(page, 400, "not a valid topic name: \"%.*s\"", (int)(len < 300 ? len : 300), path);
        return false;
    }
    memcpy(name, path, len);
    name[len] = '\0';
    const broker_topic_t *t = topics_find(&b->topics, kl_str(name));
    const char *rest = slash ? slash + 1 : NULL;
    if (!t) {
        console_error(page, 404, "no such topic: %s", name);
        return false;
    }
    if (!rest) {
        if (console_args_known(page, args, n, none)) {
            topic_json(&page->body, b, t);
            kl_buf_put(&page->body, "\n", 1);
        }
        return false;
    }
    if (!strcmp(rest, "configs"))
        return console_args_known(page, args, n, none) && topic_configs(b, name, page, done, done_arg);
    char *end;
    if (!strncmp(rest, "partitions/", 11) && rest[11] >= '0' && rest[11] <= '9') {
        long p = strtol(rest + 11, &end, 10);
        if (!strcmp(end, "/messages")) {
            if (p >= t->partition_count)
                console_error(page, 404, "topic %s has no partition %ld", name, p);
            else
                console_messages(b, t, (int32_t)p, args, n, page);
            return false;
        }
    }
    console_error(page, 404, "no such API: /api/v1/topics/%s", path);
    return false;
}

bool console_api(kl_broker_t *b, const char *path, const console_arg_t *args, size_t arg_count,
                 console_page_t *page, console_done_fn *done, void *done_arg)
{
    page->type = "application/json";
    if (!strcmp(path, "cluster")) {
        if (check_args(page, args, arg_count, ""))
            cluster_json(b, page);
    } else if (!strcmp(path, "topics")) {
        bool internal = false;
        if (check_args(page, args, arg_count, "internal") && parse_bool(page, args, arg_count, "internal", &internal))
            topics_json(b, internal, page);
    } else if (!strncmp(path, "topics/", 7))
        return topic_api(b, path + 7, args, arg_count, page, done, done_arg);
    else if (!strcmp(path, "groups")) {
        if (check_args(page, args, arg_count, ""))
            groups_json(b, NULL, page);
    } else if (!strncmp(path, "groups/", 7) && path[7]) { /* a group id may hold '/' */
        if (check_args(page, args, arg_count, ""))
            groups_json(b, path + 7, page);
    } else
        console_error(page, 404, "no such API: /api/v1/%s", path);
    return false;
}

void console_readyz(kl_broker_t *b, console_page_t *page)
{
    kl_buf_t *out = &page->body;
    size_t offline = 0;
    for (size_t i = 0; i < b->topics.dirs.count; i++)
        offline += b->topics.dirs.offline[i];
    bool coordinator = groups_coordinator(b) != NULL;
    bool listening = b->listener_count > 0 && b->listeners_text;
    console_printf(out, "log dirs: loaded, %zu of %zu offline\n", offline, b->topics.dirs.count);
    console_printf(out, "listeners: %s\n", listening ? b->listeners_text : "none bound");
    console_printf(out, "group coordinator: %s\n", coordinator ? "loaded" : "not loaded");
    page->status = listening && coordinator && offline < b->topics.dirs.count ? 200 : 503;
    console_printf(out, "%s\n", page->status == 200 ? "ready" : "not ready");
}
