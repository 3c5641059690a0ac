/* kafkalite: error codes.
 *
 * kl_err_t holds Kafka's own protocol error codes with Kafka's numbers
 * (-1 UNKNOWN_SERVER_ERROR, 0 NONE, 1..n) and the library's local errors,
 * which are all -100 or below so they never meet a wire code. One X-macro
 * list gives the enum, the names, the descriptions and the retriable flag. */
#ifndef KAFKALITE_ERROR_H
#define KAFKALITE_ERROR_H

#include "kafkalite/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(NAME, number, retriable, description) */
#define KL_ERR_LOCAL_LIST(X)                                                    \
    X(BAD_MSG, -100, 0, "Malformed or truncated data")                          \
    X(NOMEM, -101, 0, "Out of memory")                                          \
    X(INVALID_ARG, -102, 0, "Invalid argument")                                 \
    X(UNKNOWN_PROPERTY, -103, 0, "Unknown configuration property")             \
    X(INVALID_VALUE, -104, 0, "Invalid configuration value")                    \
    X(UNSUPPORTED_FEATURE, -105, 0, "Feature not compiled into this build")     \
    X(TOO_LARGE, -106, 0, "Size exceeds the configured limit")                  \
    X(QUEUE_FULL, -107, 1, "Local queue is full")                               \
    X(MSG_TIMED_OUT, -108, 0, "Message timed out before delivery")              \
    X(TIMED_OUT, -109, 1, "Operation timed out")                                \
    X(TRANSPORT, -110, 1, "Broker transport failure")                           \
    X(DESTROY, -111, 0, "Handle is being destroyed")                            \
    X(FATAL, -112, 0, "Fatal error: the handle can no longer be used")          \
    X(STATE, -113, 0, "Operation not valid in the current state")               \
    X(NOENT, -114, 0, "No such entry")                                          \
    X(IO, -115, 0, "Local I/O error")                                           \
    X(BAD_COMPRESSION, -116, 0, "Compressed data is corrupt")                   \
    X(CRC_MISMATCH, -117, 0, "Checksum mismatch")                               \
    X(PURGED, -118, 0, "Purged from the queue")                                 \
    X(NOT_IMPLEMENTED, -119, 0, "Not implemented")                              \
    X(UNSUPPORTED_API_VERSION, -120, 0, "No API version in common with the peer") \
    X(UNKNOWN_API, -121, 0, "Unknown API key")                                  \
    X(ASSIGN_PARTITIONS, -122, 0, "Rebalance: partitions assigned")             \
    X(REVOKE_PARTITIONS, -123, 0, "Rebalance: partitions revoked")              \
    X(PARTITION_EOF, -124, 0, "Reached the end of the partition")              \
    X(MAX_POLL_EXCEEDED, -125, 0, "max.poll.interval.ms exceeded: left the group") \
    X(NO_OFFSET, -126, 0, "No offset to start from (auto.offset.reset=error)") \
    X(ASSIGNMENT_LOST, -127, 0, "Group membership lost: assignment revoked") \
    X(SSL, -128, 0, "TLS failure: the broker's certificate or the TLS settings") \
    X(AUTHENTICATION, -129, 0, "Authentication with the broker failed")

/* X(NAME, Kafka code, retriable, description) */
#define KL_ERR_KAFKA_LIST(X)                                                    \
    X(UNKNOWN_SERVER_ERROR, -1, 0, "Unexpected server error")                   \
    X(NONE, 0, 0, "Success")                                                    \
    X(OFFSET_OUT_OF_RANGE, 1, 0, "Offset out of range")                         \
    X(CORRUPT_MESSAGE, 2, 1, "Message failed its CRC check or is otherwise corrupt") \
    X(UNKNOWN_TOPIC_OR_PARTITION, 3, 1, "Unknown topic or partition")           \
    X(INVALID_FETCH_SIZE, 4, 0, "Invalid fetch size")                           \
    X(LEADER_NOT_AVAILABLE, 5, 1, "Leader not available")                       \
    X(NOT_LEADER_OR_FOLLOWER, 6, 1, "Not leader or follower for partition")     \
    X(REQUEST_TIMED_OUT, 7, 1, "Request timed out")                             \
    X(BROKER_NOT_AVAILABLE, 8, 0, "Broker not available")                       \
    X(REPLICA_NOT_AVAILABLE, 9, 1, "Replica not available")                     \
    X(MESSAGE_TOO_LARGE, 10, 0, "Message larger than the maximum allowed")      \
    X(STALE_CONTROLLER_EPOCH, 11, 0, "Stale controller epoch")                  \
    X(OFFSET_METADATA_TOO_LARGE, 12, 0, "Offset metadata too large")            \
    X(NETWORK_EXCEPTION, 13, 1, "Server disconnected before a response was received") \
    X(COORDINATOR_LOAD_IN_PROGRESS, 14, 1, "Coordinator is loading")            \
    X(COORDINATOR_NOT_AVAILABLE, 15, 1, "Coordinator not available")            \
    X(NOT_COORDINATOR, 16, 1, "Not coordinator")                                \
    X(INVALID_TOPIC_EXCEPTION, 17, 0, "Invalid topic")                          \
    X(RECORD_LIST_TOO_LARGE, 18, 0, "Record batch larger than the segment size") \
    X(NOT_ENOUGH_REPLICAS, 19, 1, "Not enough in-sync replicas")                \
    X(NOT_ENOUGH_REPLICAS_AFTER_APPEND, 20, 1, "Written to fewer in-sync replicas than required") \
    X(INVALID_REQUIRED_ACKS, 21, 0, "Invalid required acks")                    \
    X(ILLEGAL_GENERATION, 22, 0, "Illegal generation")                          \
    X(INCONSISTENT_GROUP_PROTOCOL, 23, 0, "Inconsistent group protocol")        \
    X(INVALID_GROUP_ID, 24, 0, "Invalid group id")                              \
    X(UNKNOWN_MEMBER_ID, 25, 0, "Unknown member id")                            \
    X(INVALID_SESSION_TIMEOUT, 26, 0, "Invalid session timeout")                \
    X(REBALANCE_IN_PROGRESS, 27, 0, "Group rebalance in progress")              \
    X(INVALID_COMMIT_OFFSET_SIZE, 28, 0, "Invalid commit offset size")          \
    X(TOPIC_AUTHORIZATION_FAILED, 29, 0, "Topic authorization failed")          \
    X(GROUP_AUTHORIZATION_FAILED, 30, 0, "Group authorization failed")          \
    X(CLUSTER_AUTHORIZATION_FAILED, 31, 0, "Cluster authorization failed")      \
    X(INVALID_TIMESTAMP, 32, 0, "Invalid timestamp")                            \
    X(UNSUPPORTED_SASL_MECHANISM, 33, 0, "Unsupported SASL mechanism")          \
    X(ILLEGAL_SASL_STATE, 34, 0, "Illegal SASL state")                          \
    X(UNSUPPORTED_VERSION, 35, 0, "Unsupported API version")                    \
    X(TOPIC_ALREADY_EXISTS, 36, 0, "Topic already exists")                      \
    X(INVALID_PARTITIONS, 37, 0, "Invalid number of partitions")                \
    X(INVALID_REPLICATION_FACTOR, 38, 0, "Invalid replication factor")          \
    X(INVALID_REPLICA_ASSIGNMENT, 39, 0, "Invalid replica assignment")          \
    X(INVALID_CONFIG, 40, 0, "Invalid configuration")                           \
    X(NOT_CONTROLLER, 41, 1, "Not controller")                                  \
    X(INVALID_REQUEST, 42, 0, "Invalid request")                                \
    X(UNSUPPORTED_FOR_MESSAGE_FORMAT, 43, 0, "Unsupported for message format")  \
    X(POLICY_VIOLATION, 44, 0, "Policy violation")                              \
    X(OUT_OF_ORDER_SEQUENCE_NUMBER, 45, 0, "Out of order sequence number")      \
    X(DUPLICATE_SEQUENCE_NUMBER, 46, 0, "Duplicate sequence number")            \
    X(INVALID_PRODUCER_EPOCH, 47, 0, "Invalid producer epoch")                  \
    X(INVALID_TXN_STATE, 48, 0, "Invalid transaction state")                    \
    X(INVALID_PRODUCER_ID_MAPPING, 49, 0, "Invalid producer id mapping")        \
    X(INVALID_TRANSACTION_TIMEOUT, 50, 0, "Invalid transaction timeout")        \
    X(CONCURRENT_TRANSACTIONS, 51, 1, "Concurrent transactions")                \
    X(TRANSACTION_COORDINATOR_FENCED, 52, 0, "Transaction coordinator fenced")  \
    X(TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 53, 0, "Transactional id authorization failed") \
    X(SECURITY_DISABLED, 54, 0, "Security features are disabled")               \
    X(OPERATION_NOT_ATTEMPTED, 55, 0, "Operation not attempted")                \
    X(KAFKA_STORAGE_ERROR, 56, 1, "Disk error when accessing the log")          \
    X(LOG_DIR_NOT_FOUND, 57, 0, "Log directory not found")                      \
    X(SASL_AUTHENTICATION_FAILED, 58, 0, "SASL authentication failed")          \
    X(UNKNOWN_PRODUCER_ID, 59, 0, "Unknown producer id")                        \
    X(REASSIGNMENT_IN_PROGRESS, 60, 0, "Partition reassignment in progress")    \
    X(DELEGATION_TOKEN_AUTH_DISABLED, 61, 0, "Delegation token authentication disabled") \
    X(DELEGATION_TOKEN_NOT_FOUND, 62, 0, "Delegation token not found")          \
    X(DELEGATION_TOKEN_OWNER_MISMATCH, 63, 0, "Delegation token owner mismatch") \
    X(DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, 64, 0, "Delegation token request not allowed") \
    X(DELEGATION_TOKEN_AUTHORIZATION_FAILED, 65, 0, "Delegation token authorization failed") \
    X(DELEGATION_TOKEN_EXPIRED, 66, 0, "Delegation token expired")              \
    X(INVALID_PRINCIPAL_TYPE, 67, 0, "Invalid principal type")                  \
    X(NON_EMPTY_GROUP, 68, 0, "Group is not empty")                             \
    X(GROUP_ID_NOT_FOUND, 69, 0, "Group id not found")                          \
    X(FETCH_SESSION_ID_NOT_FOUND, 70, 1, "Fetch session id not found")          \
    X(INVALID_FETCH_SESSION_EPOCH, 71, 1, "Invalid fetch session epoch")        \
    X(LISTENER_NOT_FOUND, 72, 1, "Listener not found")                          \
    X(TOPIC_DELETION_DISABLED, 73, 0, "Topic deletion is disabled")             \
    X(FENCED_LEADER_EPOCH, 74, 1, "Fenced leader epoch")                        \
    X(UNKNOWN_LEADER_EPOCH, 75, 1, "Unknown leader epoch")                      \
    X(UNSUPPORTED_COMPRESSION_TYPE, 76, 0, "Unsupported compression type")      \
    X(STALE_BROKER_EPOCH, 77, 0, "Stale broker epoch")                          \
    X(OFFSET_NOT_AVAILABLE, 78, 1, "Offset not available")                      \
    X(MEMBER_ID_REQUIRED, 79, 0, "Member id required")                          \
    X(PREFERRED_LEADER_NOT_AVAILABLE, 80, 1, "Preferred leader not available")  \
    X(GROUP_MAX_SIZE_REACHED, 81, 0, "Group maximum size reached")              \
    X(FENCED_INSTANCE_ID, 82, 0, "Static member fenced by another with the same instance id") \
    X(ELIGIBLE_LEADERS_NOT_AVAILABLE, 83, 1, "Eligible leaders not available")  \
    X(ELECTION_NOT_NEEDED, 84, 0, "Election not needed")                        \
    X(NO_REASSIGNMENT_IN_PROGRESS, 85, 0, "No reassignment in progress")        \
    X(GROUP_SUBSCRIBED_TO_TOPIC, 86, 0, "Group is subscribed to the topic")     \
    X(INVALID_RECORD, 87, 0, "Invalid record")                                  \
    X(UNSTABLE_OFFSET_COMMIT, 88, 1, "Unstable offset commit")                  \
    X(THROTTLING_QUOTA_EXCEEDED, 89, 1, "Throttling quota exceeded")            \
    X(PRODUCER_FENCED, 90, 0, "Producer fenced")                                \
    X(RESOURCE_NOT_FOUND, 91, 0, "Resource not found")                          \
    X(DUPLICATE_RESOURCE, 92, 0, "Duplicate resource")                          \
    X(UNACCEPTABLE_CREDENTIAL, 93, 0, "Unacceptable credential")                \
    X(INCONSISTENT_VOTER_SET, 94, 0, "Inconsistent voter set")                  \
    X(INVALID_UPDATE_VERSION, 95, 0, "Invalid update version")                  \
    X(FEATURE_UPDATE_FAILED, 96, 0, "Feature update failed")                    \
    X(PRINCIPAL_DESERIALIZATION_FAILURE, 97, 0, "Principal deserialization failure") \
    X(SNAPSHOT_NOT_FOUND, 98, 0, "Snapshot not found")                          \
    X(POSITION_OUT_OF_RANGE, 99, 0, "Position out of range")                    \
    X(UNKNOWN_TOPIC_ID, 100, 1, "Unknown topic id")                             \
    X(DUPLICATE_BROKER_REGISTRATION, 101, 0, "Duplicate broker registration")   \
    X(BROKER_ID_NOT_REGISTERED, 102, 0, "Broker id not registered")             \
    X(INCONSISTENT_TOPIC_ID, 103, 1, "Inconsistent topic id")                   \
    X(INCONSISTENT_CLUSTER_ID, 104, 0, "Inconsistent cluster id")               \
    X(TRANSACTIONAL_ID_NOT_FOUND, 105, 0, "Transactional id not found")         \
    X(FETCH_SESSION_TOPIC_ID_ERROR, 106, 1, "Fetch session topic id error")     \
    X(INELIGIBLE_REPLICA, 107, 0, "Ineligible replica")                         \
    X(NEW_LEADER_ELECTED, 108, 0, "New leader elected")                         \
    X(OFFSET_MOVED_TO_TIERED_STORAGE, 109, 0, "Offset moved to tiered storage") \
    X(FENCED_MEMBER_EPOCH, 110, 0, "Fenced member epoch")                       \
    X(UNRELEASED_INSTANCE_ID, 111, 0, "Unreleased instance id")                 \
    X(UNSUPPORTED_ASSIGNOR, 112, 0, "Unsupported assignor")                     \
    X(STALE_MEMBER_EPOCH, 113, 0, "Stale member epoch")                         \
    X(MISMATCHED_ENDPOINT_TYPE, 114, 0, "Mismatched endpoint type")             \
    X(UNSUPPORTED_ENDPOINT_TYPE, 115, 0, "Unsupported endpoint type")           \
    X(UNKNOWN_CONTROLLER_ID, 116, 0, "Unknown controller id")                   \
    X(UNKNOWN_SUBSCRIPTION_ID, 117, 0, "Unknown subscription id")               \
    X(TELEMETRY_TOO_LARGE, 118, 0, "Telemetry too large")                       \
    X(INVALID_REGISTRATION, 119, 0, "Invalid registration")                     \
    X(TRANSACTION_ABORTABLE, 120, 0, "Transaction abortable")                   \
    X(INVALID_RECORD_STATE, 121, 0, "Invalid record state")                     \
    X(SHARE_SESSION_NOT_FOUND, 122, 1, "Share session not found")               \
    X(INVALID_SHARE_SESSION_EPOCH, 123, 1, "Invalid share session epoch")       \
    X(FENCED_STATE_EPOCH, 124, 0, "Fenced state epoch")                         \
    X(INVALID_VOTER_KEY, 125, 0, "Invalid voter key")                           \
    X(DUPLICATE_VOTER, 126, 0, "Duplicate voter")                               \
    X(VOTER_NOT_FOUND, 127, 0, "Voter not found")

#define KL_ERR_ENUM_ENTRY(name, num, retriable, desc) KL_ERR_##name = num,

/** Every error the library reports: Kafka's codes (>= -1) and local ones
 * (<= -100). KL_ERR_NONE (0) is success. */
typedef enum kl_err {
    KL_ERR_LOCAL_LIST(KL_ERR_ENUM_ENTRY)
    KL_ERR_KAFKA_LIST(KL_ERR_ENUM_ENTRY)
} kl_err_t;

/** A one-line human description of err ("Unknown error -42" for codes the
 * library does not know). Never NULL. */
KL_EXPORT const char *kl_err_str(kl_err_t err);

/** The symbolic name of err without the KL_ERR_ prefix ("NOT_COORDINATOR"),
 * or "UNKNOWN" for codes the library does not know. Never NULL. */
KL_EXPORT const char *kl_err_name(kl_err_t err);

/** Non-zero when Kafka (or the library, for local errors) defines err as
 * retriable: the same request may succeed if sent again. */
KL_EXPORT int kl_err_is_retriable(kl_err_t err);

/** Non-zero for the library's local errors, zero for Kafka's wire codes. */
KL_EXPORT int kl_err_is_local(kl_err_t err);

/** An error with its class, as the transactional producer's calls
 * (kl_init_transactions() ...) return it: NULL means success. The class
 * says what the application must do:
 *  - retriable (kl_error_is_retriable()): nothing was lost; call the same
 *    function again (a timeout: the operation goes on in the background,
 *    and the next call waits for it);
 *  - abortable (kl_error_txn_requires_abort()): the transaction cannot
 *    commit; call kl_abort_transaction(), then begin a new one;
 *  - fatal (kl_error_is_fatal()): the producer cannot go on (fenced by a
 *    newer instance with the same transactional.id, or not authorized);
 *    destroy it (a new one may take over);
 *  - none of the three: a programming error (a call in the wrong state,
 *    an invalid argument); the producer's state did not change.
 * Free it with kl_error_destroy(). */
typedef struct kl_error kl_error_t;

/** The error's code; KL_ERR_NONE for NULL. */
KL_EXPORT kl_err_t kl_error_code(const kl_error_t *error);

/** A sentence saying what failed (never NULL; "Success" for NULL); valid
 * until kl_error_destroy(). */
KL_EXPORT const char *kl_error_string(const kl_error_t *error);

/** Non-zero when the same call may succeed if made again. */
KL_EXPORT int kl_error_is_retriable(const kl_error_t *error);

/** Non-zero when the transaction must be aborted (kl_abort_transaction()). */
KL_EXPORT int kl_error_txn_requires_abort(const kl_error_t *error);

/** Non-zero when the producer can no longer be used: destroy it. */
KL_EXPORT int kl_error_is_fatal(const kl_error_t *error);

/** Frees error. NULL is allowed. */
KL_EXPORT void kl_error_destroy(kl_error_t *error);

#ifdef __cplusplus
}
#endif

#endif
