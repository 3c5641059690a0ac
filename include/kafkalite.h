/* kafkalite: the whole public API. Applications include this one header and
 * link with `pkg-config --cflags --libs kafkalite`. Each area has its own
 * header under kafkalite/; every function is documented where it is
 * declared.
 *
 * Memory the library returns belongs to the caller, and one rule says how
 * it goes back:
 * - an object or array of objects is released by the destroy function of
 *   its type, kl_<type>_destroy() (kl_message_destroy(),
 *   kl_topic_partition_list_destroy(), kl_error_destroy(),
 *   kl_conf_dump_destroy(), kl_consumer_lag_destroy(), the admin results'
 *   kl_*_result_destroy(), ...), NULL accepted;
 * - a plain string (kl_producer_stats(), kl_consumer_memberid()) by
 *   kl_mem_free().
 * Never free() what the library returned. The 0.1 names
 * kl_conf_dump_free() and kl_consumer_lag_free() remain as deprecated
 * aliases of their _destroy() functions; free() on a returned string
 * still works in 0.x but is deprecated. */
#ifndef KAFKALITE_H
#define KAFKALITE_H

#include "kafkalite/common.h"
#include "kafkalite/error.h"
#include "kafkalite/conf.h"
#include "kafkalite/broker.h"
#include "kafkalite/message.h"
#include "kafkalite/topic_partition.h"
#include "kafkalite/producer.h"
#include "kafkalite/consumer.h"
#include "kafkalite/admin.h"
#include "kafkalite/oauthbearer.h"

#endif
