/* The topic registry: every topic the broker serves, with its id,
 * partitions (one open partition log each) and per-topic configs, persisted
 * in one catalog file in the log directory and reloaded on start. */
#ifndef KL_BROKER_TOPICS_H
#define KL_BROKER_TOPICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "proto/types.h"
#include "storage/log.h"

/* A per-topic config, as CreateTopics sent it. */
typedef struct broker_config_entry {
    char *name;
    char *value; /* NULL: null (the broker default) */
} broker_config_entry_t;

typedef struct broker_topic {
    char *name;
    kl_uuid_t id;
    int32_t partition_count;
    int16_t replication_factor;
    kl_log_t **logs; /* partition_count */
    broker_config_entry_t *configs;
    size_t config_count;
    /* configs the broker honours, resolved against the broker defaults */
    int32_t max_message_bytes;
    bool log_append_time;
} broker_topic_t;

typedef struct broker_topics {
    char *dir;
    kl_log_config_t log_config;  /* broker defaults for new partitions */
    int32_t max_message_bytes;   /* broker default (message.max.bytes) */
    broker_topic_t **items;
    size_t count, cap;
} broker_topics_t;

/* Valid topic name: 1-249 characters of [a-zA-Z0-9._-], not "." or "..". */
bool topic_name_valid(kl_str_t name);

/* Loads the catalog of dir (none yet: no topics) and opens every partition
 * log, recovering it. On failure errstr says which topic or file. */
kl_err_t topics_load(broker_topics_t *topics, const char *dir, const kl_log_config_t *log_config,
                     int32_t max_message_bytes, char *errstr, size_t errstr_size);
/* Closes every log and frees the registry. */
void topics_close(broker_topics_t *topics);

broker_topic_t *topics_find(const broker_topics_t *topics, kl_str_t name);
broker_topic_t *topics_find_id(const broker_topics_t *topics, const kl_uuid_t *id);

/* Checks a topic config: KL_ERR_INVALID_CONFIG for a name Kafka does not
 * know or a bad value of one the broker honours, with why in *whyp. */
kl_err_t topic_config_check(kl_str_t name, kl_str_t value, const char **whyp);

/* Creates a topic (name must be valid and new, configs checked), opens its
 * logs and rewrites the catalog. KL_ERR_KAFKA_STORAGE_ERROR when a
 * directory or the catalog cannot be written (nothing is left behind). */
kl_err_t topics_create(broker_topics_t *topics, kl_str_t name, int32_t partitions, int16_t replication_factor,
                       const kl_str_t *config_names, const kl_str_t *config_values, size_t config_count,
                       broker_topic_t **topicp);

/* Removes topic from the catalog, closes its logs and deletes its
 * partition directories. topic is freed. */
kl_err_t topics_delete(broker_topics_t *topics, broker_topic_t *topic);

#endif
