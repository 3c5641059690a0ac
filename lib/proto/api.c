/* The table of APIs the codec speaks, in key order: see api.h. Version
 * ranges are every version Kafka's message definitions list, so the codec
 * reads whatever librdkafka, kafka-python and the Java client send. */
#include "proto/api.h"

#include "proto/msg_acl.h"
#include "proto/msg_api_versions.h"
#include "proto/msg_client_quotas.h"
#include "proto/msg_config.h"
#include "proto/msg_describe_producers.h"
#include "proto/msg_fetch.h"
#include "proto/msg_group.h"
#include "proto/msg_log_dirs.h"
#include "proto/msg_metadata.h"
#include "proto/msg_offset_for_leader_epoch.h"
#include "proto/msg_offset.h"
#include "proto/msg_produce.h"
#include "proto/msg_sasl.h"
#include "proto/msg_scram.h"
#include "proto/msg_topic_admin.h"
#include "proto/msg_txn.h"
#include "proto/msg_txn_admin.h"

#define API(key, lo, hi, flex, name, stem)                                      \
    {key, lo, hi, flex, name, &kl_##stem##_request_schema, &kl_##stem##_response_schema}

static const kl_api_t apis[] = {
    API(KL_API_PRODUCE, 0, 11, 9, "Produce", produce),
    API(KL_API_FETCH, 0, 17, 12, "Fetch", fetch),
    API(KL_API_LIST_OFFSETS, 0, 10, 6, "ListOffsets", list_offsets),
    API(KL_API_METADATA, 0, 12, 9, "Metadata", metadata),
    API(KL_API_OFFSET_COMMIT, 0, 9, 8, "OffsetCommit", offset_commit),
    API(KL_API_OFFSET_FETCH, 0, 9, 6, "OffsetFetch", offset_fetch),
    API(KL_API_FIND_COORDINATOR, 0, 6, 3, "FindCoordinator", find_coordinator),
    API(KL_API_JOIN_GROUP, 0, 9, 6, "JoinGroup", join_group),
    API(KL_API_HEARTBEAT, 0, 4, 4, "Heartbeat", heartbeat),
    API(KL_API_LEAVE_GROUP, 0, 5, 4, "LeaveGroup", leave_group),
    API(KL_API_SYNC_GROUP, 0, 5, 4, "SyncGroup", sync_group),
    API(KL_API_DESCRIBE_GROUPS, 0, 5, 5, "DescribeGroups", describe_groups),
    API(KL_API_LIST_GROUPS, 0, 5, 3, "ListGroups", list_groups),
    API(KL_API_SASL_HANDSHAKE, 0, 1, KL_VNONE, "SaslHandshake", sasl_handshake),
    API(KL_API_API_VERSIONS, 0, 4, 3, "ApiVersions", api_versions),
    API(KL_API_CREATE_TOPICS, 0, 7, 5, "CreateTopics", create_topics),
    API(KL_API_DELETE_TOPICS, 0, 6, 4, "DeleteTopics", delete_topics),
    API(KL_API_DELETE_RECORDS, 0, 2, 2, "DeleteRecords", delete_records),
    API(KL_API_INIT_PRODUCER_ID, 0, 5, 2, "InitProducerId", init_producer_id),
    API(KL_API_OFFSET_FOR_LEADER_EPOCH, 0, 4, 4, "OffsetForLeaderEpoch", offset_for_leader_epoch),
    API(KL_API_ADD_PARTITIONS_TO_TXN, 0, 5, 3, "AddPartitionsToTxn", add_partitions_to_txn),
    API(KL_API_ADD_OFFSETS_TO_TXN, 0, 4, 3, "AddOffsetsToTxn", add_offsets_to_txn),
    API(KL_API_END_TXN, 0, 5, 3, "EndTxn", end_txn),
    API(KL_API_TXN_OFFSET_COMMIT, 0, 4, 3, "TxnOffsetCommit", txn_offset_commit),
    API(KL_API_DESCRIBE_ACLS, 0, 3, 2, "DescribeAcls", describe_acls),
    API(KL_API_CREATE_ACLS, 0, 3, 2, "CreateAcls", create_acls),
    API(KL_API_DELETE_ACLS, 0, 3, 2, "DeleteAcls", delete_acls),
    API(KL_API_DESCRIBE_CONFIGS, 0, 4, 4, "DescribeConfigs", describe_configs),
    API(KL_API_ALTER_CONFIGS, 0, 2, 2, "AlterConfigs", alter_configs),
    API(KL_API_DESCRIBE_LOG_DIRS, 0, 4, 2, "DescribeLogDirs", describe_log_dirs),
    API(KL_API_SASL_AUTHENTICATE, 0, 2, 2, "SaslAuthenticate", sasl_authenticate),
    API(KL_API_CREATE_PARTITIONS, 0, 3, 2, "CreatePartitions", create_partitions),
    API(KL_API_DELETE_GROUPS, 0, 2, 2, "DeleteGroups", delete_groups),
    API(KL_API_INCREMENTAL_ALTER_CONFIGS, 0, 1, 1, "IncrementalAlterConfigs", incremental_alter_configs),
    API(KL_API_OFFSET_DELETE, 0, 0, KL_VNONE, "OffsetDelete", offset_delete),
    API(KL_API_DESCRIBE_CLIENT_QUOTAS, 0, 1, 1, "DescribeClientQuotas", describe_client_quotas),
    API(KL_API_ALTER_CLIENT_QUOTAS, 0, 1, 1, "AlterClientQuotas", alter_client_quotas),
    API(KL_API_DESCRIBE_USER_SCRAM_CREDENTIALS, 0, 0, 0, "DescribeUserScramCredentials",
        describe_user_scram_credentials),
    API(KL_API_ALTER_USER_SCRAM_CREDENTIALS, 0, 0, 0, "AlterUserScramCredentials", alter_user_scram_credentials),
    API(KL_API_DESCRIBE_CLUSTER, 0, 1, 0, "DescribeCluster", describe_cluster),
    API(KL_API_DESCRIBE_PRODUCERS, 0, 0, 0, "DescribeProducers", describe_producers),
    API(KL_API_DESCRIBE_TRANSACTIONS, 0, 0, 0, "DescribeTransactions", describe_transactions),
    API(KL_API_LIST_TRANSACTIONS, 0, 1, 0, "ListTransactions", list_transactions),
};

const kl_api_t *kl_api_find(int16_t key)
{
    /* Keys are small and the table is short: a linear scan of 33 entries
     * costs less than the request it serves. */
    for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++)
        if (apis[i].key == key)
            return &apis[i];
    return NULL;
}

const kl_api_t *kl_api_all(size_t *countp)
{
    *countp = sizeof apis / sizeof apis[0];
    return apis;
}
