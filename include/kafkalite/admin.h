/* kafkalite: the admin client.
 *
 * A kl_admin_t administers a Kafka cluster (or the embedded broker): topics,
 * partitions, configurations, records, offsets and consumer groups. Every
 * call is synchronous: it hands the work to the handle's I/O thread, waits
 * up to timeout_ms for the brokers' answers and returns one result per item
 * asked about, with the broker's own error code and message. A call returns
 * KL_ERR_NONE when it got its answers (look at each item's err), or an error
 * for the call as a whole: KL_ERR_INVALID_ARG, KL_ERR_NOMEM, KL_ERR_TIMED_OUT
 * (no answer in time: the brokers may still apply the change), or the
 * broker's error when one error covers every item. Results are freed by the
 * caller with the matching *_destroy() function. Requests go where Kafka's
 * own admin client sends them: topic and configuration changes to any
 * broker, ListOffsets and DeleteRecords to each partition's leader, group
 * requests to the group's coordinator. A handle may be used from several
 * threads; calls on one handle run one at a time. With a log callback
 * (kl_conf_set_log_cb()), the handle's log lines reach it on the calling
 * thread, inside these calls and kl_admin_destroy(). Include <kafkalite.h>
 * rather than this file. */
#ifndef KAFKALITE_ADMIN_H
#define KAFKALITE_ADMIN_H

#include "kafkalite/common.h"
#include "kafkalite/conf.h"
#include "kafkalite/error.h"
#include "kafkalite/topic_partition.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kl_admin kl_admin_t;

/** A new admin client configured by conf (a kl_conf_new() configuration,
 * copied: the caller keeps conf). NULL with errstr filled when conf is not
 * usable (no bootstrap.servers, unusable security settings). */
KL_EXPORT kl_admin_t *kl_admin_new(const kl_conf_t *conf, char *errstr, size_t errstr_size);

/** Closes the connections and frees the handle. No call may be running on
 * it. NULL is allowed. */
KL_EXPORT void kl_admin_destroy(kl_admin_t *admin);

/* ---------------------------------------------------------------- results */

/** The outcome for one named item (a topic, a group, a config resource). */
typedef struct kl_admin_result {
    char *name;
    kl_err_t err;
    char *errstr; /* the broker's message, or NULL */
} kl_admin_result_t;

typedef struct kl_admin_results {
    size_t count;
    kl_admin_result_t *items; /* in the order asked */
} kl_admin_results_t;

/** Frees results. NULL is allowed. */
KL_EXPORT void kl_admin_results_destroy(kl_admin_results_t *results);

/* ----------------------------------------------------------------- topics */

/** A topic to create. partitions and replication_factor may be -1 for the
 * broker's defaults. configs: name, value, name, value, ..., NULL (or
 * NULL for none). */
typedef struct kl_admin_new_topic {
    const char *name;
    int32_t partitions;
    int16_t replication_factor;
    const char *const *configs;
} kl_admin_new_topic_t;

/** Creates count topics (or only checks that they could be created, when
 * validate_only is non-zero); *resultsp gets one result per topic. */
KL_EXPORT kl_err_t kl_admin_create_topics(kl_admin_t *admin, const kl_admin_new_topic_t *topics, size_t count,
                                          int validate_only, int timeout_ms, kl_admin_results_t **resultsp);

/** Deletes count topics; one result per topic. */
KL_EXPORT kl_err_t kl_admin_delete_topics(kl_admin_t *admin, const char *const *topics, size_t count,
                                          int timeout_ms, kl_admin_results_t **resultsp);

/** Grows topic to total_partitions partitions (or checks that it could,
 * with validate_only); one result. */
KL_EXPORT kl_err_t kl_admin_create_partitions(kl_admin_t *admin, const char *topic, int32_t total_partitions,
                                              int validate_only, int timeout_ms, kl_admin_results_t **resultsp);

/** A partition as Metadata describes it. */
typedef struct kl_admin_partition {
    int32_t id;
    int32_t leader;        /* node id, -1 without a leader */
    kl_err_t err;
    size_t replica_count;
    int32_t *replicas;
    size_t isr_count;
    int32_t *isr;
} kl_admin_partition_t;

typedef struct kl_admin_topic {
    char *name;
    kl_err_t err;          /* e.g. KL_ERR_UNKNOWN_TOPIC_OR_PARTITION */
    int internal;          /* non-zero for __consumer_offsets and the like */
    char topic_id[40];     /* canonical UUID text, "" when the broker has none */
    size_t partition_count;
    kl_admin_partition_t *partitions; /* by id */
} kl_admin_topic_t;

typedef struct kl_admin_topics {
    char *cluster_id;      /* NULL when the broker does not say */
    int32_t controller_id; /* -1 when unknown */
    size_t count;
    kl_admin_topic_t *items; /* in the order asked, or sorted by name */
} kl_admin_topics_t;

/** Describes count topics, or every topic of the cluster (sorted by name)
 * when count is 0, from a Metadata request. Never creates topics. */
KL_EXPORT kl_err_t kl_admin_describe_topics(kl_admin_t *admin, const char *const *topics, size_t count,
                                            int timeout_ms, kl_admin_topics_t **topicsp);

/** Frees topics. NULL is allowed. */
KL_EXPORT void kl_admin_topics_destroy(kl_admin_topics_t *topics);

/* ---------------------------------------------------------------- configs */

/** Kafka's config resource types. */
typedef enum kl_admin_resource_type {
    KL_ADMIN_RESOURCE_TOPIC = 2,
    KL_ADMIN_RESOURCE_BROKER = 4,
    KL_ADMIN_RESOURCE_GROUP = 32 /* a consumer group's configs (Kafka 4.0 and later) */
} kl_admin_resource_type_t;

/** Where a config value comes from (Kafka's ConfigSource). */
typedef enum kl_admin_config_source {
    KL_ADMIN_SOURCE_UNKNOWN = 0,
    KL_ADMIN_SOURCE_DYNAMIC_TOPIC = 1,
    KL_ADMIN_SOURCE_DYNAMIC_BROKER = 2,
    KL_ADMIN_SOURCE_DYNAMIC_DEFAULT_BROKER = 3,
    KL_ADMIN_SOURCE_STATIC_BROKER = 4,
    KL_ADMIN_SOURCE_DEFAULT = 5,
    KL_ADMIN_SOURCE_DYNAMIC_BROKER_LOGGER = 6,
    KL_ADMIN_SOURCE_DYNAMIC_CLIENT_METRICS = 7,
    KL_ADMIN_SOURCE_DYNAMIC_GROUP = 8
} kl_admin_config_source_t;

/** One config as the broker describes it. */
typedef struct kl_admin_config_entry {
    char *name;
    char *value;           /* NULL when unset or sensitive */
    kl_admin_config_source_t source;
    int is_default;
    int read_only;
    int sensitive;
} kl_admin_config_entry_t;

typedef struct kl_admin_config_resource {
    kl_admin_resource_type_t type;
    char *name;
    kl_err_t err;
    char *errstr;
    size_t entry_count;
    kl_admin_config_entry_t *entries;
} kl_admin_config_resource_t;

typedef struct kl_admin_configs {
    size_t count;
    kl_admin_config_resource_t *items; /* in the order asked */
} kl_admin_configs_t;

/** A resource to describe: a topic or a group by name, a broker by node
 * id. */
typedef struct kl_admin_resource {
    kl_admin_resource_type_t type;
    const char *name;
} kl_admin_resource_t;

/** Describes every config of count resources. */
KL_EXPORT kl_err_t kl_admin_describe_configs(kl_admin_t *admin, const kl_admin_resource_t *resources,
                                             size_t count, int timeout_ms, kl_admin_configs_t **configsp);

/** Frees configs. NULL is allowed. */
KL_EXPORT void kl_admin_configs_destroy(kl_admin_configs_t *configs);

/** IncrementalAlterConfigs operations. */
typedef enum kl_admin_config_op_type {
    KL_ADMIN_CONFIG_SET = 0,
    KL_ADMIN_CONFIG_DELETE = 1,
    KL_ADMIN_CONFIG_APPEND = 2,
    KL_ADMIN_CONFIG_SUBTRACT = 3
} kl_admin_config_op_type_t;

typedef struct kl_admin_config_op {
    kl_admin_config_op_type_t op;
    const char *name;
    const char *value; /* NULL for KL_ADMIN_CONFIG_DELETE */
} kl_admin_config_op_t;

/** The changes to one resource. */
typedef struct kl_admin_alter_resource {
    kl_admin_resource_type_t type;
    const char *name;
    const kl_admin_config_op_t *ops;
    size_t op_count;
} kl_admin_alter_resource_t;

/** Applies the operations of count resources (or validates them); one
 * result per resource. */
KL_EXPORT kl_err_t kl_admin_incremental_alter_configs(kl_admin_t *admin, const kl_admin_alter_resource_t *resources,
                                                      size_t count, int validate_only, int timeout_ms,
                                                      kl_admin_results_t **resultsp);

/* ------------------------------------------------------- records, offsets */

/** For each element of partitions (offset: KL_OFFSET_BEGINNING,
 * KL_OFFSET_END, or a timestamp in milliseconds to find the first offset
 * at or after it), asks the partition's leader; *offsetsp gets a copy of
 * partitions with each offset found (KL_OFFSET_END, i.e. -1, when no
 * record is that recent) and each partition's error. */
KL_EXPORT kl_err_t kl_admin_list_offsets(kl_admin_t *admin, const kl_topic_partition_list_t *partitions,
                                         int timeout_ms, kl_topic_partition_list_t **offsetsp);

/** Deletes the records before each element's offset (KL_OFFSET_END: every
 * record) through the partition's leader; *resultp gets a copy of before
 * with each partition's new first offset (low watermark) and error. */
KL_EXPORT kl_err_t kl_admin_delete_records(kl_admin_t *admin, const kl_topic_partition_list_t *before,
                                           int timeout_ms, kl_topic_partition_list_t **resultp);

/* ----------------------------------------------------------------- groups */

typedef struct kl_admin_member {
    char *member_id;
    char *group_instance_id; /* NULL for dynamic members */
    char *client_id;
    char *host;
    kl_topic_partition_list_t *assignment; /* decoded consumer assignment;
                                              empty for other protocols */
} kl_admin_member_t;

typedef struct kl_admin_group {
    char *group_id;
    kl_err_t err;
    char *state;          /* "Stable", "Empty", ...; "" when not told */
    char *protocol_type;  /* "consumer" for consumer groups */
    char *protocol;       /* the assignor, from DescribeGroups */
    int32_t coordinator;  /* node id, -1 when unknown */
    size_t member_count;
    kl_admin_member_t *members;
} kl_admin_group_t;

typedef struct kl_admin_groups {
    size_t count;
    kl_admin_group_t *items;
} kl_admin_groups_t;

/** Lists the groups of every broker, sorted by id, with their states (no
 * members). */
KL_EXPORT kl_err_t kl_admin_list_groups(kl_admin_t *admin, int timeout_ms, kl_admin_groups_t **groupsp);

/** Describes count groups through their coordinators: state, protocol,
 * members with their assignments. */
KL_EXPORT kl_err_t kl_admin_describe_groups(kl_admin_t *admin, const char *const *groups, size_t count,
                                            int timeout_ms, kl_admin_groups_t **groupsp);

/** Frees groups. NULL is allowed. */
KL_EXPORT void kl_admin_groups_destroy(kl_admin_groups_t *groups);

/** Deletes count groups (each must have no members); one result each. */
KL_EXPORT kl_err_t kl_admin_delete_groups(kl_admin_t *admin, const char *const *groups, size_t count,
                                          int timeout_ms, kl_admin_results_t **resultsp);

/** The committed offsets of group: of the given partitions, or of every
 * partition with one when partitions is NULL. *offsetsp gets the offsets
 * (KL_OFFSET_INVALID where none is committed), metadata and errors. */
KL_EXPORT kl_err_t kl_admin_list_group_offsets(kl_admin_t *admin, const char *group,
                                               const kl_topic_partition_list_t *partitions, int timeout_ms,
                                               kl_topic_partition_list_t **offsetsp);

/** Commits offsets for group as a simple (generation -1) consumer, as
 * Kafka's resetting tools do; the coordinator refuses it while the group
 * has members (KL_ERR_UNKNOWN_MEMBER_ID on each partition). *resultp gets
 * a copy of offsets with each partition's error. */
KL_EXPORT kl_err_t kl_admin_alter_group_offsets(kl_admin_t *admin, const char *group,
                                                const kl_topic_partition_list_t *offsets, int timeout_ms,
                                                kl_topic_partition_list_t **resultp);

/** Deletes group's committed offsets of partitions (Kafka's OffsetDelete,
 * as kafka-consumer-groups.sh --delete-offsets). The coordinator refuses a
 * partition of a topic the group's active members are subscribed to
 * (KL_ERR_GROUP_SUBSCRIBED_TO_TOPIC on it); a group that does not exist is
 * KL_ERR_GROUP_ID_NOT_FOUND. *resultp gets a copy of partitions with each
 * one's error. */
KL_EXPORT kl_err_t kl_admin_delete_group_offsets(kl_admin_t *admin, const char *group,
                                                 const kl_topic_partition_list_t *partitions, int timeout_ms,
                                                 kl_topic_partition_list_t **resultp);

/* ------------------------------------------------------------ SCRAM users */

/** SCRAM mechanisms, numbered as AlterUserScramCredentials numbers them. */
typedef enum { KL_SCRAM_SHA_256 = 1, KL_SCRAM_SHA_512 = 2 } kl_scram_mechanism_t;

/** One credential to set or delete. */
typedef struct kl_admin_scram_alteration {
    const char *user;
    kl_scram_mechanism_t mechanism;
    const char *password; /* NULL: delete the user's credential for mechanism */
    int32_t iterations;   /* 0: 4096 (Kafka's minimum) */
} kl_admin_scram_alteration_t;

/** Sets or deletes count SCRAM credentials (KIP-554, as `kafka-configs
 * --alter --add-config 'SCRAM-SHA-256=[password=...]' --entity-type users`
 * does). A password is salted here with a random salt and never leaves
 * the client; the broker keeps the salt and the derived keys. One result
 * per alteration, in order, named by its user. */
KL_EXPORT kl_err_t kl_admin_alter_user_scram_credentials(kl_admin_t *admin,
                                                         const kl_admin_scram_alteration_t *alterations, size_t count,
                                                         int timeout_ms, kl_admin_results_t **resultsp);

typedef struct kl_admin_scram_credential {
    kl_scram_mechanism_t mechanism;
    int32_t iterations;
} kl_admin_scram_credential_t;

typedef struct kl_admin_scram_user {
    char *name;
    kl_err_t err; /* KL_ERR_RESOURCE_NOT_FOUND: no credential */
    char *errstr;
    size_t credential_count;
    kl_admin_scram_credential_t *credentials;
} kl_admin_scram_user_t;

typedef struct kl_admin_scram_users {
    size_t count;
    kl_admin_scram_user_t *items;
} kl_admin_scram_users_t;

/** Describes the SCRAM credentials of count users (count 0: every user
 * that has one): their mechanisms and iteration counts. */
KL_EXPORT kl_err_t kl_admin_describe_user_scram_credentials(kl_admin_t *admin, const char *const *users,
                                                            size_t count, int timeout_ms,
                                                            kl_admin_scram_users_t **usersp);
/** Frees users. NULL is allowed. */
KL_EXPORT void kl_admin_scram_users_destroy(kl_admin_scram_users_t *users);

/* ---------------------------------------------------------- client quotas */

/** One part of a quota entity (KIP-546): its type ("user", "client-id" or
 * "ip") and its name, NULL for the default entity of that type. */
typedef struct kl_admin_quota_entity {
    const char *type;
    const char *name;
} kl_admin_quota_entity_t;

/** How a filter component matches entities of its type. */
typedef enum kl_admin_quota_match {
    KL_ADMIN_QUOTA_MATCH_EXACT = 0,   /* the entity named name */
    KL_ADMIN_QUOTA_MATCH_DEFAULT = 1, /* the default entity */
    KL_ADMIN_QUOTA_MATCH_ANY = 2      /* any named entity (not the default) */
} kl_admin_quota_match_t;

typedef struct kl_admin_quota_filter {
    const char *type;
    kl_admin_quota_match_t match;
    const char *name; /* for KL_ADMIN_QUOTA_MATCH_EXACT; NULL otherwise */
} kl_admin_quota_filter_t;

typedef struct kl_admin_quota_value {
    char *key; /* "producer_byte_rate", "consumer_byte_rate", ... */
    double value;
} kl_admin_quota_value_t;

/** An entity with quotas and its values. */
typedef struct kl_admin_quota_entry {
    size_t entity_count;
    kl_admin_quota_entity_t *entity; /* strings owned by the result */
    size_t value_count;
    kl_admin_quota_value_t *values;
} kl_admin_quota_entry_t;

typedef struct kl_admin_client_quotas {
    size_t count;
    kl_admin_quota_entry_t *items; /* in the broker's order */
} kl_admin_client_quotas_t;

/** The quotas of the entities that match every one of count filter
 * components (count 0: every entity), as kafka-configs --describe
 * --entity-type clients|users does (DescribeClientQuotas). With strict, an
 * entity must have no other component than those filtered on. A broker
 * that refuses the filter makes the call fail with its error and message
 * (KL_ERR_INVALID_REQUEST, KL_ERR_UNSUPPORTED_VERSION). */
KL_EXPORT kl_err_t kl_admin_describe_client_quotas(kl_admin_t *admin, const kl_admin_quota_filter_t *filter,
                                                   size_t count, int strict, int timeout_ms,
                                                   kl_admin_client_quotas_t **quotasp);

/** Frees quotas. NULL is allowed. */
KL_EXPORT void kl_admin_client_quotas_destroy(kl_admin_client_quotas_t *quotas);

/** One quota change: set key to value, or remove it. */
typedef struct kl_admin_quota_op {
    const char *key;
    double value; /* ignored when remove */
    int remove;
} kl_admin_quota_op_t;

/** The changes to one entity. */
typedef struct kl_admin_quota_alteration {
    const kl_admin_quota_entity_t *entity;
    size_t entity_count;
    const kl_admin_quota_op_t *ops;
    size_t op_count;
} kl_admin_quota_alteration_t;

/** Applies (or with validate_only, checks) count alterations
 * (AlterClientQuotas, as kafka-configs --alter --entity-type clients|users
 * does); one result per alteration, in order, named as "client-id=c1" or
 * "user=alice,client-id=<default>". A broker that serves no client quotas
 * (kafkalite's own) makes the call fail with
 * KL_ERR_UNSUPPORTED_API_VERSION. */
KL_EXPORT kl_err_t kl_admin_alter_client_quotas(kl_admin_t *admin, const kl_admin_quota_alteration_t *alterations,
                                                size_t count, int validate_only, int timeout_ms,
                                                kl_admin_results_t **resultsp);

#ifdef __cplusplus
}
#endif

#endif
