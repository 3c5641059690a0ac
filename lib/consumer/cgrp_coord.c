/* The group's coordinator: found, cached and looked up again by the
 * client's one coordinator lookup (client/coordinator.h, key type group).
 * When it is ready, the waiting offset requests go and the membership
 * state machine takes its next step; a lookup that fails for good (not
 * authorized, a request the broker refuses) makes the group fatal. */
#include "client/conf_table.h"
#include "consumer/cgrp_impl.h"

static void on_coord(kl_coord_t *co, kl_err_t err, const char *errstr, void *opaque)
{
    (void)co;
    kl_cgrp_t *cg = opaque;
    if (err) {
        cgrp_fatal(cg, err, err == KL_ERR_GROUP_AUTHORIZATION_FAILED ? "not authorized to use the group" : errstr);
        return;
    }
    cgrp_ops_run(cg);
    cgrp_serve(cg);
}

kl_err_t cgrp_coord_init(kl_cgrp_t *cg)
{
    return kl_coord_init(&cg->coord, cg->client, KL_COORD_GROUP, cg->group_id, on_coord, cg);
}

void cgrp_coord_stop(kl_cgrp_t *cg) { kl_coord_free(&cg->coord); }

kl_client_broker_t *cgrp_coord_get(kl_cgrp_t *cg) { return kl_coord_get(&cg->coord); }

void cgrp_coord_dead(kl_cgrp_t *cg, kl_err_t err, const char *what)
{
    if (err != KL_ERR_DESTROY && cg->coord.broker)
        kl_log_debug(cg->log, KL_DEBUG_CGRP, "CGRP", "group %s: %s: %s: looking the coordinator up again",
                     cg->group_id, what, kl_err_name(err));
    kl_coord_dead(&cg->coord, err);
}

void cgrp_coord_broker_ready(kl_cgrp_t *cg, kl_client_broker_t *broker)
{
    kl_coord_broker_ready(&cg->coord, broker);
}

void cgrp_coord_broker_down(kl_cgrp_t *cg, kl_client_broker_t *broker)
{
    kl_coord_broker_down(&cg->coord, broker);
}
