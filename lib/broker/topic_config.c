/* Topic-level configs: Kafka's table of names with their types, ranges and
 * the server.properties settings they default to; checking a value; the
 * broker-wide defaults read once from the configuration (log.retention.*
 * resolved as Kafka resolves them); and the settings a topic's partition
 * logs get from its own configs over those defaults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/conf_table.h"
#include "broker/topics.h"
#include "util/conf.h"

#define MS_PER_MINUTE INT64_C(60000)
#define MS_PER_HOUR INT64_C(3600000)

/* Kafka's topic configs. min/max bound INT and LONG values; fallback is
 * Kafka's default, used when the broker has no synonym of its own. */
static const topic_config_def_t defs[] = {
    {"cleanup.policy", TOPIC_CONFIG_LIST, 0, 0, "log.cleanup.policy", "delete"},
    {"compression.gzip.level", TOPIC_CONFIG_INT, -1, 9, NULL, "-1"},
    {"compression.lz4.level", TOPIC_CONFIG_INT, 1, 17, NULL, "9"},
    {"compression.type", TOPIC_CONFIG_STRING, 0, 0, "compression.type", "producer"},
    {"compression.zstd.level", TOPIC_CONFIG_INT, -131072, 22, NULL, "3"},
    {"delete.retention.ms", TOPIC_CONFIG_LONG, 0, INT64_MAX, "log.cleaner.delete.retention.ms", "86400000"},
    {"file.delete.delay.ms", TOPIC_CONFIG_LONG, 0, INT64_MAX, NULL, "60000"},
    {"flush.messages", TOPIC_CONFIG_LONG, 1, INT64_MAX, "log.flush.interval.messages", NULL},
    {"flush.ms", TOPIC_CONFIG_LONG, 0, INT64_MAX, "log.flush.interval.ms", NULL},
    {"follower.replication.throttled.replicas", TOPIC_CONFIG_LIST, 0, 0, NULL, ""},
    {"index.interval.bytes", TOPIC_CONFIG_INT, 0, INT32_MAX, "log.index.interval.bytes", NULL},
    {"leader.replication.throttled.replicas", TOPIC_CONFIG_LIST, 0, 0, NULL, ""},
    {"local.retention.bytes", TOPIC_CONFIG_LONG, -2, INT64_MAX, NULL, "-2"},
    {"local.retention.ms", TOPIC_CONFIG_LONG, -2, INT64_MAX, NULL, "-2"},
    {"max.compaction.lag.ms", TOPIC_CONFIG_LONG, 1, INT64_MAX, NULL, "9223372036854775807"},
    {"max.message.bytes", TOPIC_CONFIG_INT, 0, INT32_MAX, "message.max.bytes", NULL},
    {"message.downconversion.enable", TOPIC_CONFIG_BOOLEAN, 0, 0, NULL, "true"},
    {"message.format.version", TOPIC_CONFIG_STRING, 0, 0, NULL, "3.0-IV1"},
    {"message.timestamp.after.max.ms", TOPIC_CONFIG_LONG, 0, INT64_MAX, NULL, "9223372036854775807"},
    {"message.timestamp.before.max.ms", TOPIC_CONFIG_LONG, 0, INT64_MAX, NULL, "9223372036854775807"},
    {"message.timestamp.difference.max.ms", TOPIC_CONFIG_LONG, 0, INT64_MAX, NULL, "9223372036854775807"},
    {"message.timestamp.type", TOPIC_CONFIG_STRING, 0, 0, "log.message.timestamp.type", "CreateTime"},
    {"min.cleanable.dirty.ratio", TOPIC_CONFIG_DOUBLE, 0, 0, "log.cleaner.min.cleanable.ratio", "0.5"},
    {"min.compaction.lag.ms", TOPIC_CONFIG_LONG, 0, INT64_MAX, "log.cleaner.min.compaction.lag.ms", "0"},
    {"min.insync.replicas", TOPIC_CONFIG_INT, 1, INT32_MAX, "min.insync.replicas", NULL},
    {"preallocate", TOPIC_CONFIG_BOOLEAN, 0, 0, NULL, "false"},
    {"remote.storage.enable", TOPIC_CONFIG_BOOLEAN, 0, 0, NULL, "false"},
    {"retention.bytes", TOPIC_CONFIG_LONG, INT64_MIN, INT64_MAX, "log.retention.bytes", NULL},
    {"retention.ms", TOPIC_CONFIG_LONG, -1, INT64_MAX, "log.retention.ms", NULL},
    /* min: what storage can use; requests are held to topic_min_segment_bytes() */
    {"segment.bytes", TOPIC_CONFIG_INT, TOPIC_STORAGE_MIN_SEGMENT_BYTES, INT32_MAX, "log.segment.bytes", NULL},
    {"segment.index.bytes", TOPIC_CONFIG_INT, 4, INT32_MAX, "log.index.size.max.bytes", NULL},
    {"segment.jitter.ms", TOPIC_CONFIG_LONG, 0, INT64_MAX, NULL, "0"},
    {"segment.ms", TOPIC_CONFIG_LONG, 1, INT64_MAX, "log.roll.ms", NULL},
    {"unclean.leader.election.enable", TOPIC_CONFIG_BOOLEAN, 0, 0, NULL, "false"},
};

const topic_config_def_t *topic_config_defs(size_t *countp)
{
    *countp = sizeof defs / sizeof defs[0];
    return defs;
}

const topic_config_def_t *topic_config_def(kl_str_t name)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (kl_str_eq(name, defs[i].name))
            return &defs[i];
    return NULL;
}

bool topic_parse_int(kl_str_t s, int64_t min, int64_t max, int64_t *v)
{
    while (s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t'))
        s.ptr++, s.len--;
    while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    if (s.len <= 0 || s.len > 20)
        return false;
    char buf[24];
    memcpy(buf, s.ptr, (size_t)s.len);
    buf[s.len] = '\0';
    char *end;
    errno = 0;
    long long n = strtoll(buf, &end, 10);
    if (errno || *end || n < min || n > max)
        return false;
    *v = n;
    return true;
}

/* Each comma-separated member of value is one of allowed (NULL-ended). */
static bool list_members_in(kl_str_t value, const char *const *allowed)
{
    const char *p = value.ptr, *end = value.ptr + value.len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        while (p < stop && *p == ' ')
            p++;
        const char *last = stop;
        while (last > p && last[-1] == ' ')
            last--;
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strlen(*a) == (size_t)(last - p) && !strncmp(*a, p, (size_t)(last - p));
        if (!ok)
            return false;
        p = comma ? comma + 1 : end;
    }
    return true;
}

static bool is_one_of(kl_str_t value, const char *const *allowed)
{
    for (const char *const *a = allowed; *a; a++)
        if (kl_str_eq(value, *a))
            return true;
    return false;
}

static const char *const policies[] = {"compact", "delete", NULL};
static const char *const timestamp_types[] = {"CreateTime", "LogAppendTime", NULL};
static const char *const codecs[] = {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer", NULL};
static const char *const booleans[] = {"true", "false", NULL};

/* The check of one value against its definition; NULL when it is fine. */
static const char *value_problem(const topic_config_def_t *d, kl_str_t value)
{
    int64_t v;
    char *end;
    switch (d->type) {
    case TOPIC_CONFIG_INT:
    case TOPIC_CONFIG_LONG:
        return topic_parse_int(value, d->min, d->max, &v) ? NULL : "Invalid value: not an integer in range";
    case TOPIC_CONFIG_BOOLEAN:
        return is_one_of(value, booleans) ? NULL : "Invalid value: expected true or false";
    case TOPIC_CONFIG_DOUBLE: {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*s", (int)value.len, value.ptr);
        strtod(buf, &end);
        return value.len > 0 && (size_t)value.len < sizeof buf && !*end ? NULL : "Invalid value: not a number";
    }
    default:
        break;
    }
    if (!strcmp(d->name, "cleanup.policy") && !list_members_in(value, policies))
        return "Invalid value: cleanup.policy takes compact, delete or both";
    if (!strcmp(d->name, "message.timestamp.type") && !is_one_of(value, timestamp_types))
        return "Invalid value: message.timestamp.type takes CreateTime or LogAppendTime";
    if (!strcmp(d->name, "compression.type") && !is_one_of(value, codecs))
        return "Invalid value: compression.type takes uncompressed, zstd, lz4, snappy, gzip or producer";
    return NULL;
}

int64_t topic_min_segment_bytes(void)
{
    const char *env = getenv("KAFKALITE_TEST_MIN_SEGMENT_BYTES");
    int64_t v;
    if (env && *env && topic_parse_int(kl_str(env), TOPIC_STORAGE_MIN_SEGMENT_BYTES, TOPIC_MIN_SEGMENT_BYTES, &v))
        return v;
    return TOPIC_MIN_SEGMENT_BYTES;
}

kl_err_t topic_config_check(kl_str_t name, kl_str_t value, const char **whyp)
{
    const topic_config_def_t *d = topic_config_def(name);
    *whyp = NULL;
    if (!d) {
        *whyp = "Unknown topic config name";
        return KL_ERR_INVALID_CONFIG;
    }
    if (value.len < 0)
        return KL_ERR_NONE; /* null: the broker default */
    *whyp = value_problem(d, value);
    int64_t n;
    if (!*whyp && !strcmp(d->name, "segment.bytes") && topic_parse_int(value, d->min, d->max, &n) &&
        n < topic_min_segment_bytes())
        *whyp = "Invalid value: segment.bytes must be at least 1048576 (1 MiB, Kafka 4.0's minimum: tiny "
                "segments would exhaust the broker's file descriptors)";
    return *whyp ? KL_ERR_INVALID_CONFIG : KL_ERR_NONE;
}

/* ------------------------------------------------------------ defaults */

/* log.retention.ms, else log.retention.minutes, else log.retention.hours;
 * negative means forever (-1), as in Kafka. */
static int64_t retention_ms_from(const kl_conf_t *conf)
{
    int64_t ms;
    if (kl_conf_is_set(conf, "log.retention.ms"))
        ms = kl_conf_get_int(conf, "log.retention.ms");
    else if (kl_conf_is_set(conf, "log.retention.minutes"))
        ms = kl_conf_get_int(conf, "log.retention.minutes") * MS_PER_MINUTE;
    else
        ms = kl_conf_get_int(conf, "log.retention.hours") * MS_PER_HOUR;
    return ms < 0 ? -1 : ms;
}

void topic_defaults_from_conf(const kl_conf_t *conf, broker_topic_defaults_t *d)
{
    kl_log_config_t *lc = &d->log;
    kl_log_config_init(lc);
    lc->segment_bytes = (uint64_t)kl_conf_get_int(conf, "log.segment.bytes");
    lc->index_interval_bytes = (uint64_t)kl_conf_get_int(conf, "log.index.interval.bytes");
    lc->segment_ms = kl_conf_is_set(conf, "log.roll.ms") ? kl_conf_get_int(conf, "log.roll.ms")
                                                         : kl_conf_get_int(conf, "log.roll.hours") * MS_PER_HOUR;
    lc->retention_ms = retention_ms_from(conf);
    int64_t bytes = kl_conf_get_int(conf, "log.retention.bytes");
    lc->retention_bytes = bytes < 0 ? -1 : bytes;
    lc->flush_interval_messages = kl_conf_get_int(conf, "log.flush.interval.messages");
    lc->flush_interval_ms = kl_conf_is_set(conf, "log.flush.interval.ms")
                                ? kl_conf_get_int(conf, "log.flush.interval.ms")
                                : kl_conf_get_int(conf, "log.flush.scheduler.interval.ms");
    lc->timestamp_type = kl_conf_get_int(conf, "log.message.timestamp.type") ? KL_LOG_APPEND_TIME
                                                                               : KL_LOG_CREATE_TIME;
    d->max_message_bytes = (int32_t)kl_conf_get_int(conf, "message.max.bytes");
    d->cleanup_policy = (int)kl_conf_get_int(conf, "log.cleanup.policy");
    lc->compact = d->cleanup_policy & KL_CLEANUP_COMPACT;
    lc->delete_retention_ms = kl_conf_get_int(conf, "log.cleaner.delete.retention.ms");
    lc->min_compaction_lag_ms = kl_conf_get_int(conf, "log.cleaner.min.compaction.lag.ms");
    lc->min_cleanable_dirty_ratio = kl_conf_get_double(conf, "log.cleaner.min.cleanable.ratio");
    d->producer_expiration_ms = kl_conf_get_int(conf, "producer.id.expiration.ms");
}

/* ------------------------------------------------------------ resolution */

static int cleanup_policy_of(const char *value, int fallback)
{
    static const char *const only_compact[] = {"compact", NULL};
    static const char *const only_delete[] = {"delete", NULL};
    kl_str_t v = kl_str(value);
    if (!list_members_in(v, policies))
        return fallback;
    int policy = 0;
    policy |= list_members_in(v, only_compact) ? 0 : KL_CLEANUP_DELETE;
    policy |= list_members_in(v, only_delete) ? 0 : KL_CLEANUP_COMPACT;
    return policy ? policy : fallback;
}

/* A ratio in [0, 1]; anything else leaves *ratio. */
static void parse_ratio(const char *value, double *ratio)
{
    char *end;
    errno = 0;
    double r = strtod(value, &end);
    if (!errno && end != value && *end == '\0' && r >= 0 && r <= 1)
        *ratio = r;
}

/* Applies one config the broker honours; values that do not parse (a
 * catalog written by hand) leave the default. */
static void apply_one(broker_topic_t *topic, kl_log_config_t *lc, const char *name, const char *value)
{
    kl_str_t v = kl_str(value);
    int64_t n;
    if (!strcmp(name, "max.message.bytes") && topic_parse_int(v, 0, INT32_MAX, &n))
        topic->max_message_bytes = (int32_t)n;
    else if (!strcmp(name, "segment.bytes") && topic_parse_int(v, TOPIC_STORAGE_MIN_SEGMENT_BYTES, INT32_MAX, &n))
        lc->segment_bytes = (uint64_t)n;
    else if (!strcmp(name, "index.interval.bytes") && topic_parse_int(v, 0, INT32_MAX, &n))
        lc->index_interval_bytes = (uint64_t)n;
    else if (!strcmp(name, "segment.ms") && topic_parse_int(v, 1, INT64_MAX, &n))
        lc->segment_ms = n;
    else if (!strcmp(name, "retention.ms") && topic_parse_int(v, -1, INT64_MAX, &n))
        lc->retention_ms = n;
    else if (!strcmp(name, "retention.bytes") && topic_parse_int(v, INT64_MIN, INT64_MAX, &n))
        lc->retention_bytes = n < 0 ? -1 : n;
    else if (!strcmp(name, "flush.messages") && topic_parse_int(v, 1, INT64_MAX, &n))
        lc->flush_interval_messages = n;
    else if (!strcmp(name, "flush.ms") && topic_parse_int(v, 0, INT64_MAX, &n))
        lc->flush_interval_ms = n;
    else if (!strcmp(name, "message.timestamp.type") && is_one_of(v, timestamp_types))
        lc->timestamp_type = !strcmp(value, "LogAppendTime") ? KL_LOG_APPEND_TIME : KL_LOG_CREATE_TIME;
    else if (!strcmp(name, "cleanup.policy"))
        topic->cleanup_policy = cleanup_policy_of(value, topic->cleanup_policy);
    else if (!strcmp(name, "delete.retention.ms") && topic_parse_int(v, 0, INT64_MAX, &n))
        lc->delete_retention_ms = n;
    else if (!strcmp(name, "min.compaction.lag.ms") && topic_parse_int(v, 0, INT64_MAX, &n))
        lc->min_compaction_lag_ms = n;
    else if (!strcmp(name, "min.cleanable.dirty.ratio"))
        parse_ratio(value, &lc->min_cleanable_dirty_ratio);
}

void topic_config_resolve(const broker_topic_defaults_t *defaults, broker_topic_t *topic, kl_log_config_t *lc)
{
    *lc = defaults->log;
    topic->max_message_bytes = defaults->max_message_bytes;
    topic->cleanup_policy = defaults->cleanup_policy;
    for (size_t i = 0; i < topic->config_count; i++)
        if (topic->configs[i].value)
            apply_one(topic, lc, topic->configs[i].name, topic->configs[i].value);
    /* A compact-only topic keeps its data until the cleaner compacts it:
     * time and size retention do not apply (the log start offset still
     * moves segments out). */
    if (!(topic->cleanup_policy & KL_CLEANUP_DELETE))
        lc->retention_ms = lc->retention_bytes = -1;
    lc->compact = topic->cleanup_policy & KL_CLEANUP_COMPACT;
}

/* ------------------------------------------------------------ describe */

/* A config the broker resolves itself: its number among the defaults and
 * the server.properties names that set it. */
static bool resolved_default(const broker_topic_defaults_t *d, const char *name, int64_t *v,
                             const char *const **set_by)
{
    static const char *const retention[] = {"log.retention.ms", "log.retention.minutes", "log.retention.hours", NULL};
    static const char *const roll[] = {"log.roll.ms", "log.roll.hours", NULL};
    static const char *const flush_ms[] = {"log.flush.interval.ms", "log.flush.scheduler.interval.ms", NULL};
    static const char *const bytes[] = {"log.retention.bytes", NULL};
    static const char *const segment[] = {"log.segment.bytes", NULL};
    static const char *const interval[] = {"log.index.interval.bytes", NULL};
    static const char *const messages[] = {"log.flush.interval.messages", NULL};
    static const char *const max[] = {"message.max.bytes", NULL};
    const kl_log_config_t *lc = &d->log;
    const struct {
        const char *name;
        int64_t value;
        const char *const *set_by;
    } table[] = {
        {"retention.ms", lc->retention_ms, retention},
        {"retention.bytes", lc->retention_bytes, bytes},
        {"segment.bytes", (int64_t)lc->segment_bytes, segment},
        {"segment.ms", lc->segment_ms, roll},
        {"index.interval.bytes", (int64_t)lc->index_interval_bytes, interval},
        {"flush.messages", lc->flush_interval_messages, messages},
        {"flush.ms", lc->flush_interval_ms, flush_ms},
        {"max.message.bytes", d->max_message_bytes, max},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].name, name)) {
            *v = table[i].value;
            *set_by = table[i].set_by;
            return true;
        }
    return false;
}

bool topic_config_default(const broker_topic_defaults_t *d, const kl_conf_t *conf, const topic_config_def_t *def,
                          char *buf, size_t size)
{
    int64_t v;
    const char *const *set_by;
    if (resolved_default(d, def->name, &v, &set_by)) {
        snprintf(buf, size, "%lld", (long long)v);
        bool set = false;
        for (; *set_by; set_by++)
            set |= kl_conf_is_set(conf, *set_by);
        return set;
    }
    if (!strcmp(def->name, "message.timestamp.type")) {
        snprintf(buf, size, "%s", d->log.timestamp_type == KL_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime");
        return kl_conf_is_set(conf, def->broker_name);
    }
    if (def->broker_name) {
        snprintf(buf, size, "%s", kl_conf_get_str(conf, def->broker_name));
        return kl_conf_is_set(conf, def->broker_name);
    }
    snprintf(buf, size, "%s", def->fallback ? def->fallback : "");
    return false;
}
