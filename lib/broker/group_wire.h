/* The group coordinator wired into the broker: __consumer_offsets replayed
 * when the broker opens (created on first need), the coordinator's deadline on one
 * loop timer, its appends on the offsets partitions, and the request
 * handlers of the group APIs (group_handlers.c), whose parked requests
 * hold back their connection like a parked fetch. */
#ifndef KL_BROKER_GROUP_WIRE_H
#define KL_BROKER_GROUP_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "broker/dispatch.h"
#include "broker/group.h"

/* Reads the group settings and loads the committed offsets and groups
 * __consumer_offsets holds, if it exists: a fresh broker starts without
 * it (as Kafka, which creates it on the first FindCoordinator for a
 * group). From kl_broker_new(), after the topics are loaded; errstr says
 * what failed. */
kl_err_t groups_open(kl_broker_t *broker, char *errstr, size_t errstr_size);
/* Creates __consumer_offsets (offsets.topic.num.partitions partitions,
 * compacted, on disk when this returns) if it does not exist yet: from
 * the requests that need a group's partition (FindCoordinator for a
 * group, the coordinator's writing APIs, AddOffsetsToTxn). Failures are
 * logged; the requests then answer COORDINATOR_NOT_AVAILABLE. */
kl_err_t groups_ensure_topic(kl_broker_t *broker);
/* The loop exists: the coordinator's deadlines go to its timer. From
 * kl_broker_start(), before the network thread starts. */
void groups_start(kl_broker_t *broker);
/* Frees the coordinator (after the broker stopped). */
void groups_close(kl_broker_t *broker);

/* The coordinator (NULL before groups_open). */
group_coordinator_t *groups_coordinator(const kl_broker_t *broker);

/* Whether a topic is internal (__consumer_offsets, __transaction_state):
 * listed as internal in
 * Metadata, closed to Produce and DeleteTopics. */
bool groups_topic_internal(const char *name);

/* group_handlers.c: FindCoordinator answers directly; the others go to
 * the coordinator. */
broker_req_status_t handle_find_coordinator(broker_request_t *req);
broker_req_status_t handle_group_request(broker_request_t *req);

#endif
