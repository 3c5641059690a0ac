/* kafkalite: the whole public API. Applications include this one header and
 * link with `pkg-config --cflags --libs kafkalite`. Each area has its own
 * header under kafkalite/; every function is documented where it is
 * declared. */
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
