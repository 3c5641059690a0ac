/* Finding a transaction's coordinators on the I/O thread: FindCoordinator
 * (key type 1 for the transactional id, 0 for the group of the offsets
 * sent to the transaction; the batched form from v4) to any ready broker,
 * the coordinator added to the client's brokers on a connection of its own
 * and connected to. A failed lookup is retried after the back-off; the
 * transaction step runs again once the coordinator is ready. */
#include <string.h>

#include "client/conf_table.h"
#include "consumer/group_metadata.h"
#include "proto/api.h"
#include "proto/codec.h"
#include "proto/msg_group.h"
#include "producer/producer_impl.h"

static void on_find(kl_conn_t *conn, kl_err_t err, bool sent, const uint8_t *frame, size_t len, void *arg)
{
    (void)conn;
    (void)sent;
    kl_producer_t *p = arg;
    bool group = p->txn.find_group;
    const char *key = group ? p->txn.group->group_id : p->txn.id;
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_find_coordinator_response_t resp;
    err = prod_txn_io_decode(p, KL_API_FIND_COORDINATOR, err, frame, len, &arena, &resp);
    int32_t node = -1, port = 0;
    kl_str_t host = KL_STR_NULL;
    if (!err && p->txn.version >= 4) {
        err = KL_ERR_BAD_MSG;
        for (int32_t i = 0; i < resp.coordinators.count; i++)
            if (kl_str_eq(resp.coordinators.items[i].key, key)) {
                const kl_find_coordinator_response_coordinator_t *c = &resp.coordinators.items[i];
                err = (kl_err_t)c->error_code, node = c->node_id, host = c->host, port = c->port;
            }
    } else if (!err) {
        err = (kl_err_t)resp.error_code, node = resp.node_id, host = resp.host, port = resp.port;
    }
    char name[256];
    if (!err && (node < 0 || host.len <= 0 || (size_t)host.len >= sizeof name || port <= 0 || port > 65535))
        err = KL_ERR_COORDINATOR_NOT_AVAILABLE;
    if (err == KL_ERR_DESTROY) {
        kl_arena_free(&arena);
        return;
    }
    if (err) {
        kl_arena_free(&arena);
        if (err == KL_ERR_GROUP_AUTHORIZATION_FAILED && group)
            (void)prod_txn_io_error(p, err, true, "FindCoordinator");
        else if (prod_txn_fatal_code(err) || err == KL_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
            (void)prod_txn_io_error(p, err, false, "FindCoordinator");
        else
            prod_txn_io_retry(p);
        return;
    }
    memcpy(name, host.ptr, (size_t)host.len);
    name[host.len] = '\0';
    kl_arena_free(&arena);
    kl_client_broker_t *b = kl_client_coordinator(p->client, node, name, port);
    if (!b) {
        prod_txn_io_retry(p);
        return;
    }
    kl_log_debug(p->log, KL_DEBUG_EOS, "TXN", "%s coordinator of %s is %s", group ? "group" : "transaction", key,
                 kl_client_broker_name(b));
    if (group)
        p->txn.group_coord = b;
    else
        p->txn.coord = b;
    if (kl_client_broker_is_ready(b))
        prod_txn_io_step(p);
    else
        kl_client_broker_connect(b); /* broker_ready steps again */
}

static void find(kl_producer_t *p, int8_t key_type, const char *key)
{
    kl_client_broker_t *b = kl_client_pick_broker(p->client);
    if (!b)
        return; /* broker_ready steps again */
    kl_find_coordinator_request_t req;
    kl_proto_init(&kl_find_coordinator_request_schema, &req);
    kl_str_t k = kl_str(key);
    req.key = k;
    req.key_type = key_type;
    req.coordinator_keys.items = &k;
    req.coordinator_keys.count = 1;
    p->txn.find_group = key_type == 0;
    prod_txn_io_send(p, b, KL_API_FIND_COORDINATOR, INT16_MAX, &req, on_find);
}

kl_client_broker_t *prod_txn_io_coord(kl_producer_t *p, kl_client_broker_t *b, int8_t key_type, const char *key)
{
    if (b && kl_client_broker_is_ready(b))
        return b;
    if (b)
        kl_client_broker_connect(b);
    else
        find(p, key_type, key);
    return NULL;
}

kl_client_broker_t *prod_txn_io_group_coord(kl_producer_t *p)
{
    return prod_txn_io_coord(p, p->txn.group_coord, 0, p->txn.group->group_id);
}
