/* Producer ids for idempotent producers: InitProducerId hands them out from
 * a block of PRODUCER_ID_BLOCK ids whose upper end is checkpointed in the
 * log directory before the first of them is used, as Kafka allocates
 * blocks through its controller; a restart starts above the last block, so
 * no id is ever handed out twice. Transactions are not served. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/dispatch.h"
#include "broker/server.h"
#include "broker/txn_coordinator.h"
#include "proto/msg_produce.h"
#include "storage/checkpoint.h"

#define PRODUCER_ID_BLOCK 1000
#define PRODUCER_ID_FILE "producer-id-block-checkpoint"
#define PRODUCER_ID_KEY "__producer_id_block" /* the checkpoint's topic field */

kl_err_t producer_ids_load(producer_ids_t *ids, const char *dir, char *errstr, size_t errstr_size)
{
    *ids = (producer_ids_t){0};
    ids->dir = strdup(dir);
    if (!ids->dir)
        return KL_ERR_NOMEM;
    int64_t ceiling = 0;
    kl_err_t err = kl_checkpoint_read(dir, PRODUCER_ID_FILE, PRODUCER_ID_KEY, 0, &ceiling);
    if (err == KL_ERR_NOENT) {
        ceiling = 0;
    } else if (err) {
        /* an unreadable block would let ids repeat: refuse to start */
        snprintf(errstr, errstr_size, "cannot read %s/%s: %s", dir, PRODUCER_ID_FILE, kl_err_str(err));
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    ids->next = ids->ceiling = ceiling;
    return KL_ERR_NONE;
}

void producer_ids_free(producer_ids_t *ids)
{
    free(ids->dir);
    ids->dir = NULL;
}

kl_err_t producer_ids_next(producer_ids_t *ids, int64_t *id)
{
    if (ids->next == ids->ceiling) {
        if (ids->ceiling > INT64_MAX - PRODUCER_ID_BLOCK)
            return KL_ERR_KAFKA_STORAGE_ERROR;
        int64_t ceiling = ids->ceiling + PRODUCER_ID_BLOCK;
        kl_err_t err = kl_checkpoint_write(ids->dir, PRODUCER_ID_FILE, PRODUCER_ID_KEY, 0, ceiling);
        if (err)
            return KL_ERR_KAFKA_STORAGE_ERROR;
        ids->ceiling = ceiling;
    }
    *id = ids->next++;
    return KL_ERR_NONE;
}

broker_req_status_t handle_init_producer_id(broker_request_t *req)
{
    const kl_init_producer_id_request_t *body = req->body;
    kl_init_producer_id_response_t resp;
    kl_proto_init(&kl_init_producer_id_response_schema, &resp);
    resp.producer_id = -1;
    resp.producer_epoch = -1;
    if (body->transactional_id.len >= 0) {
        /* KIP-360 names the current id and epoch from v3 on */
        resp.error_code = txns_init_producer_id(req->broker, body->transactional_id, body->transaction_timeout_ms,
                                                body->producer_id, body->producer_epoch, &resp.producer_id,
                                                &resp.producer_epoch);
        if (resp.error_code == KL_ERR_PRODUCER_FENCED && req->hdr.api_version < 4)
            resp.error_code = KL_ERR_INVALID_PRODUCER_EPOCH; /* PRODUCER_FENCED came with v4 */
        if (resp.error_code) {
            resp.producer_id = -1;
            resp.producer_epoch = -1;
        }
        return broker_respond(req, &resp);
    }
    /* An idempotent producer always gets a new id with epoch 0, also when
     * it names its old id and epoch (v3+), as Kafka answers one without a
     * transactional id. */
    int64_t id;
    kl_err_t err = producer_ids_next(&req->broker->producer_ids, &id);
    if (err) {
        broker_log(req->broker, BROKER_LOG_ERR, "InitProducerId: cannot checkpoint a producer id block in %s",
                   req->broker->log_dir);
        resp.error_code = KL_ERR_COORDINATOR_NOT_AVAILABLE;
        return broker_respond(req, &resp);
    }
    resp.producer_id = id;
    resp.producer_epoch = 0;
    return broker_respond(req, &resp);
}
