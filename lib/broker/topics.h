/* The topic registry: every topic the broker serves, with its id,
 * partitions (one open partition log each) and per-topic configs, persisted
 * in one catalog file in the log directory and reloaded on start. */
#ifndef KL_BROKER_TOPICS_H
#define KL_BROKER_TOPICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/conf.h"
#include "kafkalite/error.h"
#include "broker/producer_state.h"
#include "proto/types.h"
#include "storage/log.h"

/* A per-topic config, as CreateTopics sent it. */
typedef struct broker_config_entry {
    char *name;
    char *value; /* NULL: null (the broker default) */
} broker_config_entry_t;

/* The settings topics fall back to, from server.properties. */
typedef struct broker_topic_defaults {
    kl_log_config_t log;       /* log.segment.bytes, log.retention.*, ... */
    int32_t max_message_bytes; /* message.max.bytes */
    int cleanup_policy;        /* log.cleanup.policy: KL_CLEANUP_* flags */
    int64_t producer_expiration_ms; /* producer.id.expiration.ms */
} broker_topic_defaults_t;

typedef struct broker_topic {
    char *name;
    kl_uuid_t id;
    int32_t partition_count;
    int16_t replication_factor;
    kl_log_t **logs; /* partition_count; NULL: offline (KAFKA_STORAGE_ERROR) */
    producer_state_t *producers; /* partition_count: idempotent producers */
    broker_config_entry_t *configs;
    size_t config_count;
    /* configs the broker honours, resolved against the broker defaults */
    int32_t max_message_bytes;
    int cleanup_policy; /* KL_CLEANUP_* flags */
    /* Produced and fetched since the broker started, for /metrics (loop
     * thread). */
    uint64_t bytes_in, messages_in;
    uint64_t bytes_out, messages_out;
} broker_topic_t;

/* log.dirs: the directories partitions are spread over. */
typedef struct broker_log_dirs {
    char **paths; /* trimmed, no trailing '/' */
    bool *offline; /* a write failed there: it takes no new partitions */
    size_t count;
} broker_log_dirs_t;

/* What the broker repaired at start (counted by topics_load, logged by
 * the broker with a summary line). */
typedef struct broker_recovery_stats {
    uint64_t partitions_repaired; /* partition logs with any repair */
    uint64_t truncations;         /* tails cut (torn or damaged) */
    uint64_t batches_dropped;     /* damaged batches dropped between valid ones */
    uint64_t bytes_dropped;       /* by both */
    uint64_t ranges_lost;         /* flushed offsets found missing */
    uint64_t indexes_rebuilt;     /* segments whose index files were rebuilt */
    uint64_t topics_rebuilt;      /* topics recovered from partition directories */
    uint64_t partitions_missing;  /* catalogued partitions without a directory */
    uint64_t delete_leftovers;    /* "-delete" directories removed */
} broker_recovery_stats_t;

typedef struct broker_topics {
    char *dir; /* the first log dir: the catalog lives there */
    broker_log_dirs_t dirs;
    char error[512]; /* why the last partition failed to open, or "" */
    /* Told of each partition that cannot be opened at load and is left
     * offline (its logs[] entry NULL), with the failing path and why. */
    void (*report_offline)(void *opaque, const char *topic, int32_t partition, const char *why);
    /* Told of each repair made at load, one line each (warning: data was
     * dropped or is missing; else information). May be NULL. */
    void (*report_repair)(void *opaque, bool warning, const char *line);
    void *report_opaque;
    broker_recovery_stats_t recovery;
    broker_topic_defaults_t defaults;
    broker_topic_t **items;
    size_t count, cap;
} broker_topics_t;

/* Valid topic name: 1-249 characters of [a-zA-Z0-9._-], not "." or "..". */
bool topic_name_valid(kl_str_t name);

/* Loads the catalog of the first of dirs and checks it against the
 * partition directories, which are the truth (topic_rebuild.c): topics
 * found on disk that the catalog lacks (or all of them, when there is no
 * catalog) are rebuilt with default configs, and a damaged catalog while
 * partition directories exist refuses the start (KL_ERR_INVALID_CONFIG,
 * errstr names the file and the fix). Then opens every partition log,
 * recovering it, in whichever directory holds it (new ones go where
 * log_dirs_place() says). Every repair goes to report_repair and is
 * counted in recovery. Takes dirs over (freed by topics_close(), even on
 * failure). On failure errstr says which topic or file; a partition found
 * in two directories is KL_ERR_INVALID_CONFIG naming both. */
kl_err_t topics_load(broker_topics_t *topics, broker_log_dirs_t *dirs, const broker_topic_defaults_t *defaults,
                     char *errstr, size_t errstr_size);
/* A partition log that cannot be read at load (KAFKA_STORAGE_ERROR,
 * CORRUPT_MESSAGE: an unreadable segment, a permission, an I/O error)
 * does not stop the load: report_offline (set before topics_load) is told
 * and the partition stays offline, its logs[] entry NULL. */

/* ---- log_dirs.c ---- */

/* Parses log.dirs, a comma-separated list: KL_ERR_INVALID_CONFIG (errstr
 * says why) for an empty entry or one listed twice. */
kl_err_t log_dirs_parse(broker_log_dirs_t *dirs, const char *list, char *errstr, size_t errstr_size);
void log_dirs_free(broker_log_dirs_t *dirs);
/* The directory holding <topic>-<partition>: KL_ERR_NONE and *index,
 * KL_ERR_NOENT when none does, KL_ERR_INVALID_CONFIG when two do (errstr
 * names both paths). */
kl_err_t log_dirs_find(const broker_log_dirs_t *dirs, const char *topic, int32_t partition, size_t *index,
                       char *errstr, size_t errstr_size);
/* The directory a new partition goes to (*index): the online one holding
 * the fewest open partition logs, counting those of opening (a topic
 * being opened, not yet registered; may be NULL); the first on a tie.
 * KL_ERR_KAFKA_STORAGE_ERROR when every log dir is offline: a new
 * partition never goes to an offline one. */
kl_err_t log_dirs_place(const broker_topics_t *topics, const broker_topic_t *opening, size_t *index);
/* Open partition logs in directory index. */
size_t log_dirs_partitions(const broker_topics_t *topics, size_t index);
/* The directory holding log (dirs->count when none does). */
size_t log_dirs_of(const broker_log_dirs_t *dirs, const kl_log_t *log);
/* Closes every log and frees the registry. */
void topics_close(broker_topics_t *topics);
/* Tells report_repair (when set) one line, printf-style. */
void topics_report(const broker_topics_t *topics, bool warning, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A new topic of this name and partition count (no logs yet), with a
 * fresh id; NULL when out of memory. */
broker_topic_t *topic_new(const char *name, size_t name_len, int32_t partitions, int16_t replication_factor);
void topic_free(broker_topic_t *topic);
kl_err_t topics_add(broker_topics_t *topics, broker_topic_t *topic);
bool topic_add_config(broker_topic_t *t, const char *name, size_t name_len, const char *value, size_t value_len,
                      bool null_value);

/* ---- topic_catalog.c: the catalog file ---- */

typedef enum catalog_state { CATALOG_ABSENT, CATALOG_OK, CATALOG_DAMAGED } catalog_state_t;

#define CATALOG_NAME "kafkalite-topics.catalog"

/* Reads the catalog of topics->dir into the registry (no logs opened).
 * CATALOG_DAMAGED (why says how, the topics read so far are dropped) for
 * a file cut short, failing its checksum or holding a line that does not
 * parse. KL_ERR_KAFKA_STORAGE_ERROR when it cannot be read. */
kl_err_t catalog_load(broker_topics_t *topics, catalog_state_t *state, char *why, size_t why_size);
/* Rewrites the catalog from the registry, crash-safe: a temporary file,
 * fsynced, renamed over it, the directory fsynced. */
kl_err_t catalog_write(const broker_topics_t *topics);

/* ---- partition_metadata.c: the topic id in each partition directory ---- */

/* Writes <partition_dir>/partition.metadata (Kafka's format) unless it
 * already holds id. KL_ERR_KAFKA_STORAGE_ERROR. */
kl_err_t partition_metadata_write(const char *partition_dir, const kl_uuid_t *id);
/* The topic id partition.metadata holds; false when it is missing or
 * does not parse. */
bool partition_metadata_read(const char *partition_dir, kl_uuid_t *id);
/* A 16-byte id as Kafka spells it: URL-safe base64, unpadded. */
void uuid_to_base64(const uint8_t b[16], char out[23]);

/* ---- topic_rebuild.c: the catalog checked against the directories ---- */

/* Makes the registry (as the catalog left it) agree with the partition
 * directories of every log dir; see topics_load(). *changed: the catalog
 * must be rewritten once the logs are open. */
kl_err_t topics_reconcile(broker_topics_t *topics, catalog_state_t state, const char *damage, bool *changed,
                          char *errstr, size_t errstr_size);
/* Whether <topic>-<p> exists in any log dir for some p in [from, to):
 * its path in errstr. A create never takes over such a directory. */
bool topics_partition_dirs_exist(const broker_topics_t *topics, const char *topic, int32_t from, int32_t to,
                                 char *errstr, size_t errstr_size);
/* Removes a deleted topic's partition directories: each is first renamed
 * to <topic>-<p>.<id>-delete (as Kafka does), which the next start
 * finishes removing if a crash comes first. */
void topics_remove_partition_dirs(const broker_topics_t *topics, const char *topic, const kl_uuid_t *id, int32_t from,
                                  int32_t to);

broker_topic_t *topics_find(const broker_topics_t *topics, kl_str_t name);
broker_topic_t *topics_find_id(const broker_topics_t *topics, const kl_uuid_t *id);

/* ---- topic_config.c ---- */

/* DescribeConfigs' config types. */
typedef enum {
    TOPIC_CONFIG_BOOLEAN = 1,
    TOPIC_CONFIG_STRING = 2,
    TOPIC_CONFIG_INT = 3,
    TOPIC_CONFIG_LONG = 5,
    TOPIC_CONFIG_DOUBLE = 6,
    TOPIC_CONFIG_LIST = 7
} topic_config_type_t;

/* One of Kafka's topic configs. */
typedef struct topic_config_def {
    const char *name;
    topic_config_type_t type;
    int64_t min, max;         /* INT and LONG */
    const char *broker_name;  /* the server.properties setting it defaults to */
    const char *fallback;     /* Kafka's default when the broker has none */
} topic_config_def_t;

const topic_config_def_t *topic_config_defs(size_t *countp);
/* NULL for a name Kafka does not know. */
const topic_config_def_t *topic_config_def(kl_str_t name);

/* segment.bytes and log.segment.bytes are at least 1 MiB, as in Kafka 4.0
 * (KIP-1030): a client creating a topic with tiny segments made the
 * broker open three files per batch until it ran out of descriptors.
 * Catalogs written before keep their smaller sizes (down to the least
 * storage can use), and so does offsets.topic.segment.bytes, which only
 * the operator sets (Kafka: at least 1). */
#define TOPIC_MIN_SEGMENT_BYTES (INT64_C(1) << 20)
#define TOPIC_STORAGE_MIN_SEGMENT_BYTES 14
/* The minimum segment.bytes a request may set: TOPIC_MIN_SEGMENT_BYTES,
 * unless the environment variable KAFKALITE_TEST_MIN_SEGMENT_BYTES lowers
 * it (for tests that need many segments fast; never in production). */
int64_t topic_min_segment_bytes(void);

/* Checks a topic config: KL_ERR_INVALID_CONFIG for a name Kafka does not
 * know or a value its type, range or allowed values refuse, with why in
 * *whyp. A null value (the broker default) is fine. */
kl_err_t topic_config_check(kl_str_t name, kl_str_t value, const char **whyp);

/* A decimal integer in [min, max] (surrounding blanks allowed). */
bool topic_parse_int(kl_str_t s, int64_t min, int64_t max, int64_t *v);

/* The broker-wide defaults, resolved as Kafka does (log.retention.ms over
 * .minutes over .hours, log.roll.ms over log.roll.hours,
 * log.flush.interval.ms falling back to log.flush.scheduler.interval.ms). */
void topic_defaults_from_conf(const kl_conf_t *conf, broker_topic_defaults_t *defaults);

/* The value a topic without its own setting of def has, as text in buf;
 * true when the broker's configuration sets it (Kafka's
 * STATIC_BROKER_CONFIG source), false for Kafka's default. */
bool topic_config_default(const broker_topic_defaults_t *defaults, const kl_conf_t *conf,
                          const topic_config_def_t *def, char *buf, size_t size);

/* The topic's own configs over defaults: fills the topic's resolved
 * fields and *log_config for its partition logs. */
void topic_config_resolve(const broker_topic_defaults_t *defaults, broker_topic_t *topic,
                          kl_log_config_t *log_config);

/* Creates a topic (name must be valid and new, configs checked), opens its
 * logs and rewrites the catalog. KL_ERR_KAFKA_STORAGE_ERROR when a
 * directory or the catalog cannot be written (nothing is left behind). */
kl_err_t topics_create(broker_topics_t *topics, kl_str_t name, int32_t partitions, int16_t replication_factor,
                       const kl_str_t *config_names, const kl_str_t *config_values, size_t config_count,
                       broker_topic_t **topicp);

/* Removes topic from the catalog, closes its logs and deletes its
 * partition directories. topic is freed. */
kl_err_t topics_delete(broker_topics_t *topics, broker_topic_t *topic);

/* Grows topic to count partitions (CreatePartitions): opens the new logs
 * and rewrites the catalog; on failure the topic is as it was.
 * KL_ERR_INVALID_PARTITIONS when count is not more than it has. */
kl_err_t topics_add_partitions(broker_topics_t *topics, broker_topic_t *topic, int32_t count);

/* Replaces the topic's configs with names[i] = values[i] (NULL values are
 * kept as nulls), rewrites the catalog and applies them to the partition
 * logs. Values must be checked (topic_config_check) first. On failure
 * (KL_ERR_KAFKA_STORAGE_ERROR, KL_ERR_NOMEM) nothing changed. */
kl_err_t topics_set_configs(broker_topics_t *topics, broker_topic_t *topic, const char *const *names,
                            const char *const *values, size_t count);

#endif
