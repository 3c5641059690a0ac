/* The topic registry (see topics.h): its topics, opening and closing
 * their partition logs, and create, delete, growth and config changes,
 * each written to the catalog (topic_catalog.c) before it counts. A
 * create never takes over an existing partition directory. */
#include "broker/topics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "net/loop.h"

#define TOPIC_NAME_MAX 249

bool topic_name_valid(kl_str_t name)
{
    if (name.len <= 0 || name.len > TOPIC_NAME_MAX)
        return false;
    if ((name.len == 1 && name.ptr[0] == '.') || (name.len == 2 && name.ptr[0] == '.' && name.ptr[1] == '.'))
        return false;
    for (int32_t i = 0; i < name.len; i++) {
        char c = name.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------- topics */

void topic_free(broker_topic_t *topic)
{
    if (!topic)
        return;
    for (int32_t p = 0; topic->logs && p < topic->partition_count; p++)
        kl_log_close(topic->logs[p]);
    for (int32_t p = 0; topic->producers && p < topic->partition_count; p++)
        producer_state_free(&topic->producers[p]);
    free(topic->producers);
    for (size_t i = 0; i < topic->config_count; i++) {
        free(topic->configs[i].name);
        free(topic->configs[i].value);
    }
    free(topic->configs);
    free(topic->logs);
    free(topic->name);
    free(topic);
}

void topics_report(const broker_topics_t *topics, bool warning, const char *fmt, ...)
{
    if (!topics->report_repair)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    topics->report_repair(topics->report_opaque, warning, line);
}

/* Reports and counts what the open of a partition log repaired. */
static void report_log_repairs(broker_topics_t *topics, const kl_log_t *log)
{
    size_t n;
    const kl_log_repair_t *r = kl_log_repairs(log, &n);
    broker_recovery_stats_t *st = &topics->recovery;
    st->partitions_repaired += n > 0;
    for (size_t i = 0; i < n; i++) {
        char line[1024];
        kl_log_repair_describe(log, &r[i], line, sizeof line);
        topics_report(topics, r[i].kind != KL_LOG_REPAIR_INDEXES, "%s", line);
        st->truncations += r[i].kind == KL_LOG_REPAIR_TRUNCATED;
        st->batches_dropped += r[i].kind == KL_LOG_REPAIR_SKIPPED;
        st->ranges_lost += r[i].kind == KL_LOG_REPAIR_LOST;
        st->indexes_rebuilt += r[i].kind == KL_LOG_REPAIR_INDEXES;
        st->bytes_dropped += r[i].bytes;
    }
}

/* Opens partitions [from, to) of topic, which has room for them; fresh:
 * they are new (no directory of theirs exists: topics_create() checked),
 * and one that cannot be opened fails the whole. */
static kl_err_t open_partitions(broker_topics_t *topics, broker_topic_t *t, int32_t from, int32_t to,
                                bool fresh)
{
    kl_log_config_t log_config;
    topic_config_resolve(&topics->defaults, t, &log_config);
    int64_t now = kl_wallclock_ms();
    for (int32_t p = from; p < to; p++) {
        size_t dir = 0;
        kl_err_t err = log_dirs_find(&topics->dirs, t->name, p, &dir, topics->error, sizeof topics->error);
        if (err == KL_ERR_NOENT && (err = log_dirs_place(topics, t, &dir)) == KL_ERR_KAFKA_STORAGE_ERROR)
            snprintf(topics->error, sizeof topics->error, "every log dir is offline: no new partition can be placed");
        if (err)
            return err;
        char why[512];
        err = kl_log_open_why(topics->dirs.paths[dir], t->name, p, &log_config, &t->logs[p], why, sizeof why);
        if (!err && !fresh)
            report_log_repairs(topics, t->logs[p]);
        if (!err && partition_metadata_write(kl_log_dir(t->logs[p]), &t->id) != KL_ERR_NONE) {
            /* a new partition fails whole; one that served before still
             * serves, it just does not keep its topic id */
            topics_report(topics, true, "cannot write %s/partition.metadata", kl_log_dir(t->logs[p]));
            if (fresh)
                return KL_ERR_KAFKA_STORAGE_ERROR; /* the caller closes and removes what it opened */
        }
        if (!fresh && (err == KL_ERR_KAFKA_STORAGE_ERROR || err == KL_ERR_CORRUPT_MESSAGE)) {
            if (topics->report_offline)
                topics->report_offline(topics->report_opaque, t->name, p, why);
            t->logs[p] = NULL;
            producer_state_init(&t->producers[p]);
            continue;
        }
        if (err && why[0])
            snprintf(topics->error, sizeof topics->error, "%s", why);
        size_t txn_repairs = 0;
        if (!err)
            err = producer_state_load(&t->producers[p], t->logs[p], now, topics->defaults.producer_expiration_ms,
                                      &txn_repairs);
        if (!err && txn_repairs > 0)
            topics_report(topics, false, "%s-%d: %zu aborted-transaction index file(s) rebuilt from the markers in the log",
                          t->name, (int)p, txn_repairs);
        if (err)
            return err;
    }
    return KL_ERR_NONE;
}

static kl_err_t topic_open_logs(broker_topics_t *topics, broker_topic_t *topic, bool fresh)
{
    topic->logs = calloc((size_t)topic->partition_count, sizeof *topic->logs);
    topic->producers = calloc((size_t)topic->partition_count, sizeof *topic->producers);
    if (!topic->logs || !topic->producers)
        return KL_ERR_NOMEM;
    return open_partitions(topics, topic, 0, topic->partition_count, fresh);
}

kl_err_t topics_add(broker_topics_t *topics, broker_topic_t *topic)
{
    if (topics->count == topics->cap) {
        size_t cap = topics->cap ? topics->cap * 2 : 16;
        broker_topic_t **grown = realloc(topics->items, cap * sizeof *grown);
        if (!grown)
            return KL_ERR_NOMEM;
        topics->items = grown;
        topics->cap = cap;
    }
    topics->items[topics->count++] = topic;
    return KL_ERR_NONE;
}

/* The registry is a plain array: a single node serves few enough topics
 * that a scan costs less than the request that asks. */
broker_topic_t *topics_find(const broker_topics_t *topics, kl_str_t name)
{
    if (name.len < 0)
        return NULL;
    for (size_t i = 0; i < topics->count; i++) {
        const char *n = topics->items[i]->name;
        if (strlen(n) == (size_t)name.len && memcmp(n, name.ptr, (size_t)name.len) == 0)
            return topics->items[i];
    }
    return NULL;
}

broker_topic_t *topics_find_id(const broker_topics_t *topics, const kl_uuid_t *id)
{
    for (size_t i = 0; i < topics->count; i++)
        if (memcmp(topics->items[i]->id.b, id->b, sizeof id->b) == 0)
            return topics->items[i];
    return NULL;
}

kl_err_t topics_load(broker_topics_t *topics, broker_log_dirs_t *dirs, const broker_topic_defaults_t *defaults,
                     char *errstr, size_t errstr_size)
{
    broker_topics_t reporting = *topics; /* report_*, set by the caller */
    memset(topics, 0, sizeof *topics);
    topics->report_offline = reporting.report_offline;
    topics->report_repair = reporting.report_repair;
    topics->report_opaque = reporting.report_opaque;
    topics->dirs = *dirs;
    memset(dirs, 0, sizeof *dirs);
    topics->defaults = *defaults;
    if (topics->dirs.count == 0)
        return KL_ERR_INVALID_ARG;
    const char *dir = topics->dirs.paths[0];
    topics->dir = strdup(dir);
    if (!topics->dir)
        return KL_ERR_NOMEM;
    catalog_state_t state;
    char damage[128];
    bool changed = false;
    kl_err_t err = catalog_load(topics, &state, damage, sizeof damage);
    if (err) {
        snprintf(errstr, errstr_size, "cannot read %s/%s: %s", dir, CATALOG_NAME, kl_err_str(err));
        return err;
    }
    err = topics_reconcile(topics, state, damage, &changed, errstr, errstr_size);
    for (size_t i = 0; !err && i < topics->count; i++) {
        err = topic_open_logs(topics, topics->items[i], false);
        if (err && topics->error[0])
            snprintf(errstr, errstr_size, "%s", topics->error);
        else if (err)
            snprintf(errstr, errstr_size, "cannot open the logs of topic %s: %s", topics->items[i]->name,
                     kl_err_str(err));
    }
    if (!err && changed && (err = catalog_write(topics)) != KL_ERR_NONE)
        snprintf(errstr, errstr_size, "cannot write the rebuilt %s/%s: %s", dir, CATALOG_NAME, kl_err_str(err));
    return err;
}

void topics_close(broker_topics_t *topics)
{
    for (size_t i = 0; i < topics->count; i++)
        topic_free(topics->items[i]);
    free(topics->items);
    free(topics->dir);
    log_dirs_free(&topics->dirs);
    memset(topics, 0, sizeof *topics);
}

/* ------------------------------------------------------ create / delete */

static void random_id(kl_uuid_t *id)
{
    /* A version 4 UUID: its version bits keep it apart from Kafka's zero
     * ("no id") and reserved metadata-topic id (1). */
    if (getrandom(id->b, sizeof id->b, 0) != (ssize_t)sizeof id->b)
        for (size_t i = 0; i < sizeof id->b; i++)
            id->b[i] = (uint8_t)rand();
    id->b[6] = (uint8_t)((id->b[6] & 0x0f) | 0x40);
    id->b[8] = (uint8_t)((id->b[8] & 0x3f) | 0x80);
}

broker_topic_t *topic_new(const char *name, size_t name_len, int32_t partitions, int16_t replication_factor)
{
    broker_topic_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->name = strndup(name, name_len);
    t->partition_count = partitions;
    t->replication_factor = replication_factor;
    random_id(&t->id);
    if (!t->name) {
        free(t);
        return NULL;
    }
    return t;
}

bool topic_add_config(broker_topic_t *t, const char *name, size_t name_len, const char *value, size_t value_len,
                      bool null_value)
{
    broker_config_entry_t *grown = realloc(t->configs, (t->config_count + 1) * sizeof *grown);
    if (!grown)
        return false;
    t->configs = grown;
    broker_config_entry_t *c = &t->configs[t->config_count];
    c->name = strndup(name, name_len);
    c->value = null_value ? NULL : strndup(value, value_len);
    if (!c->name || (!null_value && !c->value)) {
        free(c->name);
        free(c->value);
        return false;
    }
    t->config_count++;
    return true;
}

/* A directory of the new partitions [from, to) of topic that is already
 * there holds data that is not theirs (a topic the catalog lost, put back
 * by hand, or one whose removal failed): it is neither taken over nor
 * deleted, the change fails and says where. */
static bool partition_dirs_in_the_way(broker_topics_t *topics, const char *topic, int32_t from, int32_t to)
{
    char where[400];
    if (!topics_partition_dirs_exist(topics, topic, from, to, where, sizeof where))
        return false;
    snprintf(topics->error, sizeof topics->error, "%.400s already exists: remove it or restart the broker to recover "
             "it", where);
    topics_report(topics, true, "cannot create partitions of %s: %s", topic, topics->error);
    return true;
}

kl_err_t topics_create(broker_topics_t *topics, kl_str_t name, int32_t partitions, int16_t replication_factor,
                       const kl_str_t *config_names, const kl_str_t *config_values, size_t config_count,
                       broker_topic_t **topicp)
{
    *topicp = NULL;
    topics->error[0] = '\0';
    if (!topic_name_valid(name))
        return KL_ERR_INVALID_TOPIC_EXCEPTION;
    if (topics_find(topics, name))
        return KL_ERR_TOPIC_ALREADY_EXISTS;
    if (partitions < 1)
        return KL_ERR_INVALID_PARTITIONS;
    broker_topic_t *t = topic_new(name.ptr, (size_t)name.len, partitions, replication_factor);
    bool ok = t != NULL;
    for (size_t i = 0; ok && i < config_count; i++)
        ok = topic_add_config(t, config_names[i].ptr, (size_t)config_names[i].len, config_values[i].ptr,
                              config_values[i].len > 0 ? (size_t)config_values[i].len : 0, config_values[i].len < 0);
    if (!ok) {
        topic_free(t);
        return KL_ERR_NOMEM;
    }
    if (partition_dirs_in_the_way(topics, t->name, 0, partitions)) {
        topic_free(t);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    kl_err_t err = topic_open_logs(topics, t, true);
    if (!err)
        err = topics_add(topics, t);
    if (!err) {
        err = catalog_write(topics);
        if (err)
            topics->count--;
    }
    if (err) {
        /* none of them existed before: what is there is this attempt's */
        kl_uuid_t id = t->id;
        char *tname = strdup(t->name);
        topic_free(t);
        if (tname)
            topics_remove_partition_dirs(topics, tname, &id, 0, partitions);
        free(tname);
        return err == KL_ERR_NOMEM ? err : KL_ERR_KAFKA_STORAGE_ERROR;
    }
    *topicp = t;
    return KL_ERR_NONE;
}

kl_err_t topics_delete(broker_topics_t *topics, broker_topic_t *topic)
{
    size_t i = 0;
    while (i < topics->count && topics->items[i] != topic)
        i++;
    if (i == topics->count)
        return KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    memmove(&topics->items[i], &topics->items[i + 1], (topics->count - i - 1) * sizeof topics->items[0]);
    topics->count--;
    kl_err_t err = catalog_write(topics);
    if (err) {
        /* put it back where it was: the catalog still lists it */
        memmove(&topics->items[i + 1], &topics->items[i], (topics->count - i) * sizeof topics->items[0]);
        topics->items[i] = topic;
        topics->count++;
        return err;
    }
    int32_t n = topic->partition_count;
    kl_uuid_t id = topic->id;
    char *name = strdup(topic->name);
    topic_free(topic);
    if (name)
        topics_remove_partition_dirs(topics, name, &id, 0, n);
    free(name);
    return KL_ERR_NONE;
}

/* ------------------------------------------------------ partitions, configs */

/* Closes and removes partitions [from, to) of a failed growth. */
static void drop_partitions(const broker_topics_t *topics, broker_topic_t *t, int32_t from, int32_t to)
{
    for (int32_t p = from; p < to; p++) {
        kl_log_close(t->logs[p]);
        t->logs[p] = NULL;
        producer_state_free(&t->producers[p]);
    }
    topics_remove_partition_dirs(topics, t->name, &t->id, from, to);
}

kl_err_t topics_add_partitions(broker_topics_t *topics, broker_topic_t *topic, int32_t count)
{
    int32_t old = topic->partition_count;
    topics->error[0] = '\0';
    if (count <= old)
        return KL_ERR_INVALID_PARTITIONS;
    kl_log_t **logs = realloc(topic->logs, (size_t)count * sizeof *logs);
    if (logs)
        topic->logs = logs;
    producer_state_t *producers = logs ? realloc(topic->producers, (size_t)count * sizeof *producers) : NULL;
    if (!producers)
        return KL_ERR_NOMEM;
    topic->producers = producers;
    for (int32_t p = old; p < count; p++) {
        topic->logs[p] = NULL;
        producer_state_init(&topic->producers[p]);
    }
    if (partition_dirs_in_the_way(topics, topic->name, old, count))
        return KL_ERR_KAFKA_STORAGE_ERROR;
    kl_err_t err = open_partitions(topics, topic, old, count, true);
    if (!err) {
        topic->partition_count = count;
        err = catalog_write(topics);
        if (err)
            topic->partition_count = old;
    }
    if (err) {
        drop_partitions(topics, topic, old, count);
        return err == KL_ERR_NOMEM ? err : KL_ERR_KAFKA_STORAGE_ERROR;
    }
    return KL_ERR_NONE;
}

static void free_configs(broker_config_entry_t *configs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(configs[i].name);
        free(configs[i].value);
    }
    free(configs);
}

/* Applies the topic's configs to its partition logs. */
static void topic_reconfigure(const broker_topics_t *topics, broker_topic_t *topic)
{
    kl_log_config_t log_config;
    topic_config_resolve(&topics->defaults, topic, &log_config);
    for (int32_t p = 0; p < topic->partition_count; p++) {
        if (!topic->logs[p]) /* offline */
            continue;
        kl_err_t err = kl_log_set_config(topic->logs[p], &log_config);
        (void)err; /* checked values always make a valid config */
    }
}

kl_err_t topics_set_configs(broker_topics_t *topics, broker_topic_t *topic, const char *const *names,
                            const char *const *values, size_t count)
{
    broker_topic_t scratch = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++)
        ok = topic_add_config(&scratch, names[i], strlen(names[i]), values[i], values[i] ? strlen(values[i]) : 0,
                        values[i] == NULL);
    if (!ok) {
        free_configs(scratch.configs, scratch.config_count);
        return KL_ERR_NOMEM;
    }
    broker_config_entry_t *old = topic->configs;
    size_t old_count = topic->config_count;
    topic->configs = scratch.configs;
    topic->config_count = scratch.config_count;
    kl_err_t err = catalog_write(topics);
    if (err) {
        topic->configs = old;
        topic->config_count = old_count;
        old = scratch.configs;
        old_count = scratch.config_count;
    }
    free_configs(old, old_count);
    if (!err)
        topic_reconfigure(topics, topic);
    return err;
}
