/* The metadata cache of a client: which brokers exist and which broker
 * leads each partition of the topics the owner asked for. Refreshes are
 * coalesced (one request in flight), rate-limited to one per
 * retry.backoff.ms, repeated every topic.metadata.refresh.interval.ms, and
 * retried on another broker when one fails. Runs on the I/O thread. */
#include "client/client_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conf_table.h"
#include "proto/header.h"
#include "proto/msg_metadata.h"
#include "util/arena.h"

/* The newest Metadata version this client has been tested against. */
#define METADATA_MAX_VERSION 12

static void on_timer(kl_loop_t *loop, kl_timer_t *t);

void kl_md_init(kl_client_t *c)
{
    memset(&c->md, 0, sizeof c->md);
    kl_timer_init(&c->md.timer, on_timer, c);
}

void kl_md_free(kl_client_t *c)
{
    kl_timer_stop(c->loop, &c->md.timer);
    for (size_t i = 0; i < c->md.ntopics; i++) {
        free(c->md.topics[i].name);
        free(c->md.topics[i].leaders);
    }
    free(c->md.topics);
    c->md.topics = NULL;
    c->md.ntopics = c->md.cap = 0;
}

/* ---- the topic cache ------------------------------------------------------- */

static kl_md_topic_t *topic_find(const kl_client_t *c, const char *name, size_t len)
{
    for (size_t i = 0; i < c->md.ntopics; i++) {
        kl_md_topic_t *t = &c->md.topics[i];
        if (strlen(t->name) == len && memcmp(t->name, name, len) == 0)
            return t;
    }
    return NULL;
}

static kl_md_topic_t *topic_add(kl_client_t *c, const char *name, size_t len)
{
    if (c->md.ntopics == c->md.cap) {
        size_t cap = c->md.cap ? c->md.cap * 2 : 8;
        kl_md_topic_t *p = realloc(c->md.topics, cap * sizeof *p);
        if (!p)
            return NULL;
        c->md.topics = p;
        c->md.cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, name, len);
    copy[len] = '\0';
    kl_md_topic_t *t = &c->md.topics[c->md.ntopics++];
    memset(t, 0, sizeof *t);
    t->name = copy;
    t->err = KL_ERR_LEADER_NOT_AVAILABLE; /* not described yet */
    return t;
}

const kl_md_topic_t *kl_client_topic(const kl_client_t *c, const char *topic)
{
    return topic_find(c, topic, strlen(topic));
}

void kl_client_want_topic(kl_client_t *c, const char *topic)
{
    kl_md_topic_t *t = topic_find(c, topic, strlen(topic));
    if (t && t->wanted)
        return;
    if (!t && !(t = topic_add(c, topic, strlen(topic)))) {
        kl_log(&c->log, KL_LOG_ERR, "METADATA", "out of memory adding topic %s", topic);
        return;
    }
    t->wanted = true;
    kl_client_refresh_metadata(c, "new topic");
}

void kl_client_allow_auto_create(kl_client_t *c, bool allow) { c->md.allow_auto_create = allow; }

void kl_client_want_all_topics(kl_client_t *c, bool all)
{
    bool was = c->md.all_topics;
    c->md.all_topics = all;
    if (all && !was)
        kl_client_refresh_metadata(c, "every topic wanted");
}

const kl_md_topic_t *kl_client_topics(const kl_client_t *c, size_t *countp)
{
    *countp = c->md.ntopics;
    return c->md.topics;
}

/* ---- applying a response ------------------------------------------------------ */

static void apply_brokers(kl_client_t *c, const kl_metadata_response_t *resp)
{
    for (int32_t i = 0; i < resp->brokers.count; i++) {
        const kl_metadata_response_broker_t *mb = &resp->brokers.items[i];
        char host[256];
        if (mb->node_id < 0 || mb->host.len <= 0 || (size_t)mb->host.len >= sizeof host)
            continue;
        memcpy(host, mb->host.ptr, (size_t)mb->host.len);
        host[mb->host.len] = '\0';
        bool known = kl_client_broker(c, mb->node_id) != NULL;
        kl_client_broker_t *b = kl_client_broker_learn(c, mb->node_id, host, (int)mb->port);
        if (b && !known)
            kl_log_debug(&c->log, KL_DEBUG_BROKER | KL_DEBUG_METADATA, "METADATA", "new broker %s", b->name);
    }
}

static void apply_topic(kl_client_t *c, kl_md_topic_t *t, const kl_metadata_response_topic_t *mt)
{
    int32_t before = t->partition_count;
    t->described = true;
    t->err = (kl_err_t)mt->error_code;
    int32_t n = t->err ? 0 : mt->partitions.count;
    int32_t *leaders = n > 0 ? malloc((size_t)n * sizeof *leaders) : NULL;
    if (n > 0 && !leaders) {
        t->err = KL_ERR_NOMEM;
        n = 0;
    }
    for (int32_t i = 0; i < n; i++)
        leaders[i] = -1;
    for (int32_t i = 0; i < n; i++) {
        const kl_metadata_response_partition_t *mp = &mt->partitions.items[i];
        /* Kafka lists partitions 0..n-1; anything else is ignored. */
        if (mp->partition_index >= 0 && mp->partition_index < n)
            leaders[mp->partition_index] = mp->leader_id >= 0 ? mp->leader_id : -1;
    }
    free(t->leaders);
    t->leaders = leaders;
    t->partition_count = n;
    if (before != n)
        kl_log_debug(&c->log, KL_DEBUG_TOPIC | KL_DEBUG_METADATA, "METADATA", "topic %s: %d partitions (%s)",
                     t->name, n, kl_err_name(t->err));
}

/* An answer about every topic: those it no longer lists were deleted. */
static void forget_missing(kl_client_t *c, const kl_metadata_response_t *resp)
{
    for (size_t i = 0; i < c->md.ntopics; i++) {
        kl_md_topic_t *t = &c->md.topics[i];
        bool listed = false;
        for (int32_t j = 0; j < resp->topics.count && !listed; j++)
            listed = kl_str_eq(resp->topics.items[j].name, t->name);
        if (listed || !t->described)
            continue;
        free(t->leaders);
        t->leaders = NULL;
        t->partition_count = 0;
        t->err = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
}

static void apply_topics(kl_client_t *c, const kl_metadata_response_t *resp)
{
    if (c->md.all_in_flight)
        forget_missing(c, resp);
    for (int32_t i = 0; i < resp->topics.count; i++) {
        const kl_metadata_response_topic_t *mt = &resp->topics.items[i];
        if (mt->name.len <= 0)
            continue; /* named by id only: we never ask that way */
        kl_md_topic_t *t = topic_find(c, mt->name.ptr, (size_t)mt->name.len);
        if (!t && !(t = topic_add(c, mt->name.ptr, (size_t)mt->name.len)))
            continue;
        apply_topic(c, t, mt);
    }
}

/* ---- requests ------------------------------------------------------------------ */

static void schedule(kl_client_t *c, int64_t delay_ms)
{
    kl_timer_t *t = &c->md.timer;
    if (!kl_timer_active(t) || t->due_ms > kl_clock_ms() + delay_ms)
        kl_timer_start(c->loop, t, delay_ms);
}

/* Learned brokers before bootstrap entries, rotating so one slow broker
 * does not serve every request. */
kl_client_broker_t *kl_client_pick_broker(kl_client_t *c)
{
    for (int pass = 0; pass < 2; pass++) {
        bool bootstrap = pass == 1;
        unsigned n = 0;
        for (kl_client_broker_t *b = c->brokers; b; b = b->next)
            n += b->bootstrap == bootstrap && !b->coordinator && kl_client_broker_is_ready(b);
        if (!n)
            continue;
        unsigned pick = c->md.rr++ % n;
        for (kl_client_broker_t *b = c->brokers; b; b = b->next)
            if (b->bootstrap == bootstrap && !b->coordinator && kl_client_broker_is_ready(b) && pick-- == 0)
                return b;
    }
    for (kl_client_broker_t *x = c->brokers; x; x = x->next)
        kl_client_broker_connect(x);
    return NULL;
}

static void on_response(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    kl_client_t *c = arg;
    c->md.in_flight = false;
    if (c->stopping)
        return;
    kl_arena_t arena;
    kl_arena_init(&arena, (size_t)kl_conf_get_int(c->conf, "receive.message.max.bytes"));
    kl_metadata_response_t resp;
    if (!err) {
        kl_rd_t rd;
        int32_t corr;
        kl_rd_init(&rd, frame, len);
        err = kl_proto_read_response(&rd, kl_api_find(KL_API_METADATA), c->md.version, &corr, &arena, &resp);
    }
    if (err) {
        kl_log_debug(&c->log, KL_DEBUG_METADATA, "METADATA", "Metadata request failed: %s", kl_err_str(err));
        kl_arena_free(&arena);
        schedule(c, c->retry_backoff_ms);
        return;
    }
    apply_brokers(c, &resp);
    apply_topics(c, &resp);
    kl_arena_free(&arena);
    if (c->events.metadata)
        c->events.metadata(c, c->opaque);
    if (c->md.again) {
        c->md.again = false;
        kl_client_refresh_metadata(c, "asked again while in flight");
    } else if (c->refresh_interval_ms > 0) {
        schedule(c, c->refresh_interval_ms);
    }
}

static void send_request(kl_client_t *c)
{
    kl_client_broker_t *b = kl_client_pick_broker(c);
    if (!b) {
        /* Every broker is waking up; the first ready one gets the request. */
        c->md.want_broker = true;
        return;
    }
    c->md.want_broker = false;
    int16_t version = kl_client_broker_api_version(b, KL_API_METADATA);
    if (version > METADATA_MAX_VERSION)
        version = METADATA_MAX_VERSION;
    size_t n = 0;
    for (size_t i = 0; i < c->md.ntopics; i++)
        n += c->md.topics[i].wanted;
    if (version < 1) {
        /* v0 reads an empty list as "every topic" */
        kl_log(&c->log, KL_LOG_ERR, "METADATA", "%s does not speak Metadata v1 or later", b->name);
        schedule(c, c->retry_backoff_ms * 10);
        return;
    }
    kl_metadata_request_topic_t *topics = calloc(n ? n : 1, sizeof *topics);
    if (!topics) {
        schedule(c, c->retry_backoff_ms);
        return;
    }
    n = 0;
    for (size_t i = 0; i < c->md.ntopics; i++)
        if (c->md.topics[i].wanted)
            topics[n++].name = kl_str(c->md.topics[i].name);
    kl_metadata_request_t req;
    kl_proto_init(&kl_metadata_request_schema, &req);
    req.topics.items = topics;
    req.topics.count = c->md.all_topics ? -1 : (int32_t)n; /* null: every topic */
    c->md.all_in_flight = c->md.all_topics;
    req.allow_auto_topic_creation = c->md.allow_auto_create;
    c->md.in_flight = true;
    c->md.version = version;
    c->md.last_request_ms = kl_clock_ms();
    kl_err_t err = kl_client_broker_request(b, KL_API_METADATA, version, &req, 64 + n * 64, 0, c->socket_timeout_ms,
                                     on_response, c);
    free(topics);
    if (err) {
        c->md.in_flight = false;
        kl_log(&c->log, KL_LOG_ERR, "METADATA", "cannot encode a Metadata request: %s", kl_err_str(err));
        schedule(c, c->retry_backoff_ms);
    }
}

void kl_client_refresh_metadata(kl_client_t *c, const char *reason)
{
    if (c->stopping)
        return;
    kl_log_debug(&c->log, KL_DEBUG_METADATA, "METADATA", "refresh requested: %s", reason);
    if (c->md.in_flight) {
        c->md.again = true;
        return;
    }
    int64_t wait = c->md.last_request_ms + c->retry_backoff_ms - kl_clock_ms();
    if (c->md.last_request_ms && wait > 0)
        schedule(c, wait);
    else
        send_request(c);
}

static void on_timer(kl_loop_t *loop, kl_timer_t *t)
{
    (void)loop;
    kl_client_t *c = t->opaque;
    if (c->md.in_flight)
        c->md.again = true;
    else
        send_request(c);
}

void kl_md_security_failed(kl_client_t *c, kl_err_t err)
{
    bool any = false;
    for (size_t i = 0; i < c->md.ntopics; i++) {
        kl_md_topic_t *t = &c->md.topics[i];
        if (!t->described) {
            t->err = err;
            t->described = true;
            any = true;
        }
    }
    if (any && c->events.metadata)
        c->events.metadata(c, c->opaque);
}

void kl_md_broker_ready(kl_client_t *c)
{
    if (c->md.want_broker && !c->md.in_flight)
        send_request(c);
}

/* Only a new Metadata answer tells where a dead leader's partitions went:
 * without one, the client would keep reconnecting to it until the periodic
 * refresh (topic.metadata.refresh.interval.ms). */
void kl_md_broker_down(kl_client_t *c, int32_t node_id)
{
    if (node_id < 0)
        return;
    for (size_t i = 0; i < c->md.ntopics; i++) {
        const kl_md_topic_t *t = &c->md.topics[i];
        for (int32_t p = 0; p < t->partition_count; p++) {
            if (t->leaders[p] == node_id) {
                kl_client_refresh_metadata(c, "a partition leader is down");
                return;
            }
        }
    }
}
