/* What the broker repaired at start, told once: each repair of a partition
 * log or of the topic catalog as one log line when it is made (topics.c,
 * topic_rebuild.c report them here), then one summary line of the counts
 * kept in broker->topics.recovery, the broker's recovery statistics. */
#include <inttypes.h>

#include "broker/server.h"

void broker_report_repair(void *opaque, bool warning, const char *line)
{
    broker_log(opaque, warning ? BROKER_LOG_WARN : BROKER_LOG_INFO, "%s", line);
}

void broker_log_recovery_summary(const kl_broker_t *b)
{
    const broker_recovery_stats_t *st = &b->topics.recovery;
    bool dropped = st->truncations || st->batches_dropped || st->ranges_lost || st->topics_rebuilt ||
                   st->partitions_missing;
    if (!dropped && !st->indexes_rebuilt && !st->delete_leftovers)
        return;
    broker_log(b, dropped ? BROKER_LOG_WARN : BROKER_LOG_INFO,
               "recovery at start: %" PRIu64 " partitions repaired (%" PRIu64 " tails cut, %" PRIu64
               " damaged batches dropped, %" PRIu64 " bytes dropped, %" PRIu64 " lost offset ranges, %" PRIu64
               " index rebuilds), %" PRIu64 " topics rebuilt from partition directories, %" PRIu64
               " partitions without a directory, %" PRIu64 " deletion leftovers removed",
               st->partitions_repaired, st->truncations, st->batches_dropped, st->bytes_dropped, st->ranges_lost,
               st->indexes_rebuilt, st->topics_rebuilt, st->partitions_missing, st->delete_leftovers);
}
