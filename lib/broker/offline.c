/* Partitions the broker cannot serve from storage: those whose log could
 * not be read at start (reported with the failing path), and, after a
 * write fails at run time, every partition of that log dir, which then
 * takes no new partition either (Kafka takes a failed log dir offline as
 * a whole); and a partition whose data the broker cannot use, alone (an
 * offsets partition the group coordinator cannot load). An offline
 * partition's log is NULL: produce, fetch,
 * ListOffsets and DeleteRecords answer KAFKA_STORAGE_ERROR, Metadata
 * shows it without a leader; the others keep working. Nothing more is
 * written to a failed dir: its logs are abandoned, not closed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "broker/server.h"

void broker_report_offline(void *opaque, const char *topic, int32_t partition, const char *why)
{
    kl_broker_t *b = opaque;
    broker_log(b, BROKER_LOG_ERR, "partition %s-%d is offline: %s", topic, (int)partition,
               why && why[0] ? why : "cannot be read");
}

/* Abandons the log of t-p (on the loop, with no worker on it). */
static void take_offline(kl_broker_t *b, broker_topic_t *t, int32_t p)
{
    kl_log_t *log = t->logs[p];
    housekeeping_forget_logs(b, &log, 1);
    t->logs[p] = NULL;
    kl_log_abandon(log);
}

void broker_partition_offline(kl_broker_t *b, broker_topic_t *t, int32_t partition, const char *why)
{
    if (!t->logs[partition])
        return;
    broker_report_offline(b, t->name, partition, why);
    take_offline(b, t, partition);
}

/* Out of descriptors: the process's limit or the system's, not the
 * disk's fault. */
static bool out_of_fds(int err)
{
    return err == EMFILE || err == ENFILE;
}

bool broker_storage_failed(kl_broker_t *b, broker_topic_t *t, int32_t partition, const char *what)
{
    broker_log_dirs_t *dirs = &b->topics.dirs;
    kl_log_t *failed = t->logs[partition];
    if (!failed)
        return false;
    char cause[400];
    int err = kl_log_last_error(failed, cause, sizeof cause);
    if (out_of_fds(err)) {
        broker_log_limited(b, &b->log_limits.storage, BROKER_LOG_ERR,
                           "%s on %s-%d failed: %s: %s; the request gets a retriable error and the log dir "
                           "stays online (close connections or raise the open-file limit)",
                           what, t->name, (int)partition, cause, strerror(err));
        return false;
    }
    char reason[480];
    if (err)
        snprintf(reason, sizeof reason, "%s: %s", cause, strerror(err));
    else
        snprintf(reason, sizeof reason, "%s", cause);
    size_t dir = log_dirs_of(dirs, failed);
    if (dir == dirs->count) {
        broker_log(b, BROKER_LOG_ERR, "%s on %s-%d failed (%s): the partition is offline", what, t->name,
                   (int)partition, reason);
        take_offline(b, t, partition);
        return true;
    }
    dirs->offline[dir] = true;
    broker_log(b, BROKER_LOG_ERR, "%s on %s-%d failed (%s): log dir %s is offline with its partitions", what,
               t->name, (int)partition, reason, dirs->paths[dir]);
    for (size_t i = 0; i < b->topics.count; i++) {
        broker_topic_t *other = b->topics.items[i];
        for (int32_t p = 0; p < other->partition_count; p++)
            if (other->logs[p] && log_dirs_of(dirs, other->logs[p]) == dir)
                take_offline(b, other, p);
    }
    return true;
}
