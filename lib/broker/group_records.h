/* Decoding of the __consumer_offsets records the coordinator replays
 * (group_records.c); encoding is declared in group_internal.h. */
#ifndef KL_BROKER_GROUP_RECORDS_H
#define KL_BROKER_GROUP_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/group_internal.h"

/* Key versions: 0 and 1 are offset commits (same layout), 2 group metadata. */
#define RECORD_KEY_OFFSET 1
#define RECORD_KEY_GROUP 2

typedef struct record_key {
    int16_t type; /* RECORD_KEY_OFFSET or RECORD_KEY_GROUP */
    kl_str_t group;
    kl_str_t topic;
    int32_t partition;
} record_key_t;

typedef struct group_record_offset_value {
    int64_t offset;
    int32_t leader_epoch; /* -1 before v3 */
    kl_str_t metadata;
    int64_t commit_ts;
    int64_t expire_ts; /* -1 but in v1 */
} record_offset_value_t;

typedef struct record_member {
    kl_str_t id, instance_id, client_id, client_host;
    int32_t rebalance_timeout_ms, session_timeout_ms;
    kl_bytes_t subscription, assignment;
} record_member_t;

typedef struct group_record_group_value {
    kl_str_t protocol_type;
    int32_t generation;
    kl_str_t protocol, leader;
    int64_t state_ts;
    record_member_t *members;
    int32_t member_count;
} record_group_value_t;

/* 1: a key we keep, 0: another record type (skip it), -1: malformed. */
int group_record_key_decode(const uint8_t *p, size_t len, record_key_t *key);
/* Values point into p. False for an unknown version or malformed bytes. */
bool group_record_offset_value_decode(const uint8_t *p, size_t len, record_offset_value_t *o);
bool group_record_group_value_decode(const uint8_t *p, size_t len, record_group_value_t *v, kl_arena_t *arena);

#endif
