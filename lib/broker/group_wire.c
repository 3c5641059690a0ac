/* The group coordinator's place in the broker (see group_wire.h): its
 * settings from the broker configuration, the __consumer_offsets topic,
 * the environment it runs in (clocks, one loop timer, appends to the
 * offsets partitions) and loading at open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/conn.h"
#include "broker/group_wire.h"
#include "util/conf.h"

/* Kafka's offsets.topic.segment.bytes: smaller segments than data topics,
 * so that compaction (once the storage does it) has closed ones to clean. */

struct broker_groups {
    kl_broker_t *broker;
    group_coordinator_t *coord;
    kl_timer_t timer; /* at the coordinator's earliest deadline */
};

group_coordinator_t *groups_coordinator(const kl_broker_t *b) { return b->groups ? b->groups->coord : NULL; }

/* The coordinators' topics: __consumer_offsets and __transaction_state
 * (spelled here so that this layer needs no transaction header). */
bool groups_topic_internal(const char *name)
{
    return name && (strcmp(name, GROUP_OFFSETS_TOPIC) == 0 || strcmp(name, "__transaction_state") == 0);
}

/* ------------------------------------------------------------ environment */

static int64_t env_now(void *opaque)
{
    (void)opaque;
    return kl_clock_ms();
}

static int64_t env_wall(void *opaque)
{
    (void)opaque;
    return kl_wallclock_ms();
}

static void arm_timer(broker_groups_t *g, int64_t due_ms)
{
    kl_loop_t *loop = g->broker->loop;
    if (!loop) /* not started (or stopped): groups_start() arms it */
        return;
    if (due_ms == INT64_MAX) {
        kl_timer_stop(loop, &g->timer);
        return;
    }
    int64_t delay = due_ms - kl_clock_ms();
    kl_timer_start(loop, &g->timer, delay > 0 ? delay : 0);
}

static void env_set_deadline(void *opaque, int64_t due_ms) { arm_timer(opaque, due_ms); }

static void on_timer(kl_loop_t *loop, kl_timer_t *timer)
{
    broker_groups_t *g = timer->opaque;
    (void)loop;
    group_coordinator_tick(g->coord);
    /* The coordinator reports a deadline only when it moves; a timer that
     * fired a little early must still come back for the same one. */
    arm_timer(g, group_coordinator_next_deadline(g->coord));
}

static broker_topic_t *offsets_topic(const kl_broker_t *b)
{
    return topics_find(&b->topics, kl_str(GROUP_OFFSETS_TOPIC));
}

/* Appends to the partition's log; a transactional batch (offsets
 * committed in a transaction) also opens the producer's transaction on
 * the partition, so that the last stable offset holds until its marker. */
static kl_err_t append_batch(kl_broker_t *b, broker_topic_t *t, int32_t partition, void *batch, size_t len)
{
    kl_batch_t hdr;
    const char *why = NULL;
    kl_err_t err = kl_batch_validate(batch, len, 0, &hdr, &why);
    if (err)
        return err;
    kl_log_append_info_t info;
    err = kl_log_append_checked(t->logs[partition], batch, len, &hdr, kl_wallclock_ms(), &info);
    if (err || !kl_batch_is_transactional(&hdr))
        return err;
    producer_state_t *ps = &t->producers[partition];
    if (producer_state_update(ps, hdr.producer_id, hdr.producer_epoch, hdr.base_sequence, info.base_offset,
                              info.last_offset, hdr.max_timestamp) != KL_ERR_NONE)
        broker_log(b, BROKER_LOG_ERR, "%s-%d: out of memory recording producer %lld", t->name, (int)partition,
                   (long long)hdr.producer_id);
    else
        partition_txn_appended(ps, hdr.producer_id, info.base_offset);
    return KL_ERR_NONE;
}

/* The log appends synchronously: a commit is acknowledged once it is in
 * the segment file, and fsynced first when the topic's flush.messages is
 * reached, as for any produce. */
static void env_append(void *opaque, int32_t partition, void *batch, size_t len, group_append_done_fn *done,
                       void *done_arg)
{
    broker_groups_t *g = opaque;
    kl_broker_t *b = g->broker;
    broker_topic_t *t = offsets_topic(b);
    kl_err_t err = KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (t && partition >= 0 && partition < t->partition_count)
        err = t->logs[partition] ? append_batch(b, t, partition, batch, len) : KL_ERR_KAFKA_STORAGE_ERROR;
    if (!err && !housekeeping_appended(b, t, partition))
        err = KL_ERR_KAFKA_STORAGE_ERROR; /* offline already */
    else if (err == KL_ERR_KAFKA_STORAGE_ERROR && t && t->logs[partition])
        broker_storage_failed(b, t, partition, "appending");
    else if (err)
        broker_log(b, BROKER_LOG_ERR, "appending to %s-%d failed: %s", GROUP_OFFSETS_TOPIC, (int)partition,
                   kl_err_str(err));
    else
        fetch_wake(b, t, partition, len);
    done(done_arg, err);
}

static bool env_partition_exists(void *opaque, kl_str_t topic, int32_t partition)
{
    broker_groups_t *g = opaque;
    const broker_topic_t *t = topics_find(&g->broker->topics, topic);
    return t && partition >= 0 && partition < t->partition_count;
}

/* ------------------------------------------------------------ opening */

/* The partition being loaded, for the log lines. */
typedef struct broker_load {
    kl_broker_t *broker;
    int32_t partition;
} broker_load_t;

static void read_config(const kl_conf_t *conf, group_config_t *c)
{
    group_config_init(c);
    c->offsets_partitions = (int32_t)kl_conf_get_int(conf, "offsets.topic.num.partitions");
    c->offsets_retention_ms = kl_conf_get_int(conf, "offsets.retention.minutes") * 60 * 1000;
    c->retention_check_ms = kl_conf_get_int(conf, "offsets.retention.check.interval.ms");
    c->initial_rebalance_delay_ms = (int32_t)kl_conf_get_int(conf, "group.initial.rebalance.delay.ms");
    c->min_session_timeout_ms = (int32_t)kl_conf_get_int(conf, "group.min.session.timeout.ms");
    c->max_session_timeout_ms = (int32_t)kl_conf_get_int(conf, "group.max.session.timeout.ms");
    c->max_size = (int32_t)kl_conf_get_int(conf, "group.max.size");
    c->offset_metadata_max_bytes = (int32_t)kl_conf_get_int(conf, "offset.metadata.max.bytes");
}

/* Creates __consumer_offsets (offsets.topic.num.partitions partitions,
 * compacted), durably: topics_create() returns once the partitions and
 * the catalog are on disk. */
static kl_err_t create_offsets_topic(kl_broker_t *b, broker_topic_t **tp, char *errstr, size_t errstr_size)
{
    const kl_str_t names[] = {kl_str("cleanup.policy"), kl_str("segment.bytes")};
    const kl_str_t values[] = {kl_str("compact"), kl_str(kl_conf_get_str(b->conf, "offsets.topic.segment.bytes"))};
    int32_t partitions = (int32_t)kl_conf_get_int(b->conf, "offsets.topic.num.partitions");
    int16_t rf = (int16_t)kl_conf_get_int(b->conf, "offsets.topic.replication.factor");
    kl_err_t err = topics_create(&b->topics, kl_str(GROUP_OFFSETS_TOPIC), partitions, rf, names, values,
                                 sizeof names / sizeof names[0], tp);
    if (err)
        snprintf(errstr, errstr_size, "cannot create %s in %s: %s", GROUP_OFFSETS_TOPIC, b->log_dir,
                 kl_err_str(err));
    else
        broker_log(b, BROKER_LOG_INFO, "created %s with %d partitions", GROUP_OFFSETS_TOPIC, (int)partitions);
    return err;
}

kl_err_t groups_ensure_topic(kl_broker_t *b)
{
    if (offsets_topic(b))
        return KL_ERR_NONE;
    if (!b->groups || !b->groups->coord)
        return KL_ERR_COORDINATOR_NOT_AVAILABLE;
    char errstr[256];
    broker_topic_t *t;
    kl_err_t err = create_offsets_topic(b, &t, errstr, sizeof errstr);
    if (err)
        broker_log(b, BROKER_LOG_ERR, "%s", errstr);
    return err;
}

static void log_skipped(void *opaque, int64_t offset, const char *why)
{
    const broker_load_t *l = opaque;
    broker_log(l->broker, BROKER_LOG_WARN, "%s-%d: skipped the damaged batch at offset %lld: %s",
               GROUP_OFFSETS_TOPIC, (int)l->partition, (long long)offset, why);
}

/* Replays every offsets partition. Damaged batches are skipped (and
 * logged) and loading goes on after them. A partition whose replay cannot
 * reach its end goes offline: its groups would miss what comes after the
 * damage, and commits acknowledged on top of that would be lost again at
 * every restart. Clients then find no coordinator for its groups
 * (COORDINATOR_NOT_AVAILABLE) until the segment is repaired. */
static kl_err_t load_offsets(kl_broker_t *b, broker_topic_t *t, char *errstr, size_t errstr_size)
{
    for (int32_t p = 0; p < t->partition_count; p++) {
        if (!t->logs[p]) /* offline: its groups start empty */
            continue;
        broker_load_t ctx = {b, p};
        group_load_t load = {.skip = log_skipped, .opaque = &ctx};
        kl_err_t err = group_coordinator_load_log(b->groups->coord, t->logs[p], &load);
        if (err == KL_ERR_NOMEM) {
            snprintf(errstr, errstr_size, "out of memory loading %s-%d", GROUP_OFFSETS_TOPIC, (int)p);
            return err;
        }
        if (load.skipped)
            broker_log(b, BROKER_LOG_WARN, "%s-%d: loaded without %zu damaged batch(es)", GROUP_OFFSETS_TOPIC,
                       (int)p, load.skipped);
        if (err) {
            char why[256];
            snprintf(why, sizeof why,
                     "the group coordinator cannot load it past offset %lld (%s): its groups take no "
                     "commits until the damaged segment is repaired or removed",
                     (long long)load.stopped_at, load.why ? load.why : kl_err_str(err));
            broker_partition_offline(b, t, p, why);
        }
    }
    group_coordinator_loaded(b->groups->coord);
    return KL_ERR_NONE;
}

kl_err_t groups_open(kl_broker_t *b, char *errstr, size_t errstr_size)
{
    broker_groups_t *g = calloc(1, sizeof *g);
    if (!g)
        return KL_ERR_NOMEM;
    g->broker = b;
    kl_timer_init(&g->timer, on_timer, g);
    b->groups = g;
    /* An existing __consumer_offsets keeps its partition count, as in
     * Kafka: groups are placed by the topic's count, whatever
     * offsets.topic.num.partitions says now. A missing one is created on
     * the first request that needs it (groups_ensure_topic), with the
     * configured count the coordinator places groups by meanwhile. */
    broker_topic_t *t = offsets_topic(b);
    group_config_t config;
    read_config(b->conf, &config);
    if (t)
        config.offsets_partitions = t->partition_count;
    group_env_t env = {.opaque = g, .now_ms = env_now, .wall_ms = env_wall, .set_deadline = env_set_deadline,
                       .append = env_append, .partition_exists = env_partition_exists};
    kl_err_t err = group_coordinator_new(&config, &env, &g->coord);
    if (err) {
        snprintf(errstr, errstr_size, "cannot create the group coordinator: %s", kl_err_str(err));
        return err;
    }
    if (!t) { /* nothing to load */
        group_coordinator_loaded(g->coord);
        return KL_ERR_NONE;
    }
    return load_offsets(b, t, errstr, errstr_size);
}

void groups_start(kl_broker_t *b)
{
    if (b->groups && b->groups->coord)
        arm_timer(b->groups, group_coordinator_next_deadline(b->groups->coord));
}

void groups_close(kl_broker_t *b)
{
    if (!b->groups)
        return;
    group_coordinator_free(b->groups->coord);
    free(b->groups);
    b->groups = NULL;
}
