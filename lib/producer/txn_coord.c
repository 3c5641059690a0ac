/* A transaction's coordinators on the I/O thread, found by the client's one
 * coordinator lookup (client/coordinator.h): the transactional id's
 * (KL_COORD_TRANSACTION) and the group's of the offsets sent to the
 * transaction (KL_COORD_GROUP, set up again when the group changes). When
 * a coordinator is ready the transaction step runs again; a lookup that
 * fails for good ends the operation (abortable or fatal, like any
 * coordinator error). */
#include <string.h>

#include "client/conf_table.h"
#include "consumer/group_metadata.h"
#include "producer/producer_impl.h"

static void on_coord(kl_coord_t *co, kl_err_t err, const char *errstr, void *opaque)
{
    kl_producer_t *p = opaque;
    if (atomic_load(&p->closing))
        return;
    if (err) {
        kl_log_debug(p->log, KL_DEBUG_EOS, "TXN", "FindCoordinator for %s: %s", co->key, errstr);
        (void)prod_txn_io_error(p, err, co == &p->txn.group_coord, "FindCoordinator");
        return;
    }
    prod_txn_io_step(p);
}

kl_client_broker_t *prod_txn_io_coord(kl_producer_t *p)
{
    if (!p->txn.coord.client &&
        kl_coord_init(&p->txn.coord, p->client, KL_COORD_TRANSACTION, p->txn.id, on_coord, p) != KL_ERR_NONE) {
        kl_coord_free(&p->txn.coord);
        p->txn.coord.client = NULL;
        prod_txn_io_retry(p);
        return NULL;
    }
    return kl_coord_get(&p->txn.coord);
}

kl_client_broker_t *prod_txn_io_group_coord(kl_producer_t *p)
{
    kl_coord_t *co = &p->txn.group_coord;
    const char *group = p->txn.group->group_id;
    if (co->client && strcmp(co->key, group) != 0) {
        kl_coord_free(co); /* another group than the last offsets' */
        co->client = NULL;
    }
    if (!co->client && kl_coord_init(co, p->client, KL_COORD_GROUP, group, on_coord, p) != KL_ERR_NONE) {
        kl_coord_free(co);
        co->client = NULL;
        prod_txn_io_retry(p);
        return NULL;
    }
    return kl_coord_get(co);
}

void prod_txn_io_coord_dead(kl_producer_t *p, bool group, kl_err_t err)
{
    kl_coord_t *co = group ? &p->txn.group_coord : &p->txn.coord;
    if (co->client)
        kl_coord_dead(co, err);
}

void prod_txn_io_broker_ready(kl_producer_t *p, kl_client_broker_t *broker)
{
    if (p->txn.coord.client)
        kl_coord_broker_ready(&p->txn.coord, broker);
    if (p->txn.group_coord.client)
        kl_coord_broker_ready(&p->txn.group_coord, broker);
}

void prod_txn_io_broker_down(kl_producer_t *p, kl_client_broker_t *broker)
{
    if (p->txn.coord.client)
        kl_coord_broker_down(&p->txn.coord, broker);
    if (p->txn.group_coord.client)
        kl_coord_broker_down(&p->txn.group_coord, broker);
}

void prod_txn_io_shutdown(kl_producer_t *p)
{
    kl_timer_stop(kl_client_loop(p->client), &p->txn.timer);
    kl_coord_free(&p->txn.coord);
    kl_coord_free(&p->txn.group_coord);
}
