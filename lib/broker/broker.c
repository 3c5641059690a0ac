/* The embedded broker's public API (include/kafkalite/broker.h): reads the
 * configuration once, prepares and locks the log directory, runs the
 * network thread's loop, and tears everything down in order. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/conf_table.h"
#include "broker/conn.h"
#include "broker/console.h"
#include "broker/group_wire.h"
#include "broker/sasl_gssapi.h"
#include "broker/server.h"
#include "broker/txn_coordinator.h"
#include "util/conf.h"
#include "util/errstr.h"

#define LOCK_NAME ".lock"

/* Raises the soft limit on open files to the hard one: partitions keep
 * their active segments open and every connection is a descriptor, so the
 * soft limit (often 1024) is what would run out first. */
static void raise_fd_limit(const kl_broker_t *b)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        broker_log(b, BROKER_LOG_WARN, "cannot read the open-file limit: %s", strerror(errno));
        return;
    }
    if (rl.rlim_cur == rl.rlim_max) {
        broker_log(b, BROKER_LOG_INFO, "open-file limit: %llu", (unsigned long long)rl.rlim_cur);
        return;
    }
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        broker_log(b, BROKER_LOG_WARN, "cannot raise the open-file limit from %llu to %llu: %s",
                   (unsigned long long)old, (unsigned long long)rl.rlim_max, strerror(errno));
    else
        broker_log(b, BROKER_LOG_INFO, "raised the open-file limit from %llu to %llu (the hard limit)",
                   (unsigned long long)old, (unsigned long long)rl.rlim_max);
}

/* Reads the settings the broker uses from its copy of the configuration. */
static kl_err_t read_settings(kl_broker_t *b, char *errstr, size_t errstr_size)
{
    const kl_conf_t *conf = b->conf;
    b->node_id = (int32_t)kl_conf_get_int(conf, "node.id");
    const char *rack = kl_conf_get_str(conf, "broker.rack");
    b->rack = rack[0] ? strdup(rack) : NULL;
    const char *dirs = kl_conf_get_str(conf, "log.dirs");
    kl_err_t err = log_dirs_parse(&b->log_dirs, dirs, errstr, errstr_size);
    if (err)
        return err;
    b->log_dir = strdup(b->log_dirs.paths[0]);
    b->num_partitions = (int32_t)kl_conf_get_int(conf, "num.partitions");
    b->default_replication_factor = (int16_t)kl_conf_get_int(conf, "default.replication.factor");
    b->auto_create_topics = kl_conf_get_bool(conf, "auto.create.topics.enable");
    b->delete_topic_enable = kl_conf_get_bool(conf, "delete.topic.enable");
    b->message_max_bytes = (int32_t)kl_conf_get_int(conf, "message.max.bytes");
    b->request_max_bytes = (int32_t)kl_conf_get_int(conf, "socket.request.max.bytes");
    b->socket_send_buffer = (int)kl_conf_get_int(conf, "socket.send.buffer.bytes");
    b->socket_receive_buffer = (int)kl_conf_get_int(conf, "socket.receive.buffer.bytes");
    b->queued_max_request_bytes = kl_conf_get_int(conf, "queued.max.request.bytes");
    b->request_read_timeout_ms = kl_conf_get_int(conf, "socket.request.read.timeout.ms");
    if (!b->log_dir || (rack[0] && !b->rack))
        return KL_ERR_NOMEM;
    return KL_ERR_NONE;
}

/* Creates a log directory if needed and takes its lock, so that two
 * brokers never write the same logs. */
static kl_err_t lock_one_dir(const char *dir, int *fd, char *errstr, size_t errstr_size)
{
    *fd = -1;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        kl_errstr_set(errstr, errstr_size, "cannot create log.dirs %s: %s", dir, strerror(errno));
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, LOCK_NAME);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0) {
        kl_errstr_set(errstr, errstr_size, "cannot open %s: %s", path, strerror(errno));
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        kl_errstr_set(errstr, errstr_size, "log.dirs %s is in use by another broker", dir);
        return KL_ERR_KAFKA_STORAGE_ERROR;
    }
    return KL_ERR_NONE;
}

/* Every log dir, created and locked. */
static kl_err_t lock_log_dirs(kl_broker_t *b, char *errstr, size_t errstr_size)
{
    b->lock_fds = malloc(b->log_dirs.count * sizeof *b->lock_fds);
    if (!b->lock_fds)
        return KL_ERR_NOMEM;
    kl_err_t err = KL_ERR_NONE;
    for (b->lock_count = 0; !err && b->lock_count < b->log_dirs.count; b->lock_count++)
        err = lock_one_dir(b->log_dirs.paths[b->lock_count], &b->lock_fds[b->lock_count], errstr, errstr_size);
    return err;
}

static kl_err_t load_topics(kl_broker_t *b, char *errstr, size_t errstr_size)
{
    broker_topic_defaults_t defaults;
    topic_defaults_from_conf(b->conf, &defaults);
    char why[512] = "";
    b->topics.report_offline = broker_report_offline;
    b->topics.report_repair = broker_report_repair;
    b->topics.report_opaque = b;
    kl_err_t err = topics_load(&b->topics, &b->log_dirs, &defaults, why, sizeof why);
    if (err)
        kl_errstr_set(errstr, errstr_size, "%s", why[0] ? why : kl_err_str(err));
    return err;
}

static void log_conf_warnings(const kl_broker_t *b)
{
    size_t n;
    const char *const *warnings = kl_conf_warnings(b->conf, &n);
    for (size_t i = 0; warnings && i < n; i++)
        broker_log(b, BROKER_LOG_WARN, "%s", warnings[i]);
}

kl_broker_t *kl_broker_new(const kl_conf_t *conf, char *errstr, size_t errstr_size)
{
    kl_errstr_set(errstr, errstr_size, "%s", "");
    if (!conf || kl_conf_schema(conf) != &kl_broker_conf_schema) {
        kl_errstr_set(errstr, errstr_size, "kl_broker_new needs a configuration from kl_broker_conf_new()");
        return NULL;
    }
    kl_broker_t *b = calloc(1, sizeof *b);
    if (!b || !(b->conf = kl_conf_dup(conf))) {
        free(b);
        kl_errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    /* Embedded (tests, mostly): a first group join need not wait for more
     * members unless the application says so; the daemon sets Kafka's 3000. */
    if (!kl_conf_is_set(b->conf, "group.initial.rebalance.delay.ms") &&
        kl_conf_set(b->conf, "group.initial.rebalance.delay.ms", "0", NULL, 0) != KL_ERR_NONE) {
        kl_conf_destroy(b->conf);
        free(b);
        kl_errstr_set(errstr, errstr_size, "out of memory");
        return NULL;
    }
    broker_log_init(b);
    broker_log_limits_init(&b->log_limits);
    atomic_init(&b->fault_lost_produce_responses, 0);
    atomic_init(&b->queued_request_bytes, 0);
    housekeeping_init(b);
    conn_limits_init(b);
    kl_err_t err = read_settings(b, errstr, errstr_size);
    if (!err)
        raise_fd_limit(b);
    if (!err)
        err = listeners_parse(b, errstr, errstr_size);
    if (!err)
        err = console_parse(b, errstr, errstr_size);
    if (!err)
        err = lock_log_dirs(b, errstr, errstr_size);
    if (!err)
        err = meta_properties_load(b, errstr, errstr_size);
    if (!err)
        err = scram_store_load(&b->scram, b->log_dir, errstr, errstr_size);
    if (!err)
        err = producer_ids_load(&b->producer_ids, b->log_dir, errstr, errstr_size);
    if (!err)
        err = load_topics(b, errstr, errstr_size);
    if (!err)
        err = groups_open(b, errstr, errstr_size);
    if (!err)
        err = txns_open(b, errstr, errstr_size);
    if (err) {
        if (err == KL_ERR_NOMEM)
            kl_errstr_set(errstr, errstr_size, "out of memory");
        kl_broker_destroy(b);
        return NULL;
    }
    log_conf_warnings(b);
    if (topic_min_segment_bytes() < TOPIC_MIN_SEGMENT_BYTES)
        broker_log(b, BROKER_LOG_INFO, "KAFKALITE_TEST_MIN_SEGMENT_BYTES lowers the segment.bytes minimum to %lld "
                   "bytes: for tests only", (long long)topic_min_segment_bytes());
    broker_log_recovery_summary(b);
    broker_log(b, BROKER_LOG_INFO, "log.dirs %s: cluster %s, %zu topics", kl_conf_get_str(b->conf, "log.dirs"),
               b->cluster_id,
               b->topics.count);
    return b;
}

static void *broker_loop_thread(void *arg)
{
    kl_broker_t *b = arg;
    kl_loop_run(b->loop);
    return NULL;
}

kl_err_t kl_broker_start(kl_broker_t *b)
{
    if (!b || b->state != BROKER_NEW)
        return KL_ERR_STATE;
    b->loop = kl_loop_new();
    if (!b->loop)
        return KL_ERR_NOMEM;
    kl_err_t err = listeners_bind(b);
    if (!err && (err = console_start(b)) != KL_ERR_NONE)
        listeners_close(b);
    if (err) {
        kl_loop_destroy(b->loop);
        b->loop = NULL;
        return err;
    }
    if (net_threads_start(b) != 0) {
        console_stop(b);
        listeners_close(b);
        kl_loop_destroy(b->loop);
        b->loop = NULL;
        return KL_ERR_NOMEM;
    }
    listeners_watch(b);
    conn_limits_start(b);
    groups_start(b);
    txns_start(b);
    if (housekeeping_start(b) != 0 || pthread_create(&b->thread, NULL, broker_loop_thread, b) != 0) {
        console_stop(b);
        housekeeping_stop(b);
        conn_limits_stop(b);
        listeners_close(b);
        net_threads_stop(b);
        net_threads_free(b);
        kl_loop_destroy(b->loop);
        b->loop = NULL;
        return KL_ERR_NOMEM;
    }
    b->state = BROKER_RUNNING;
    broker_log(b, BROKER_LOG_INFO, "started; bootstrap.servers=%s", b->bootstrap);
    return KL_ERR_NONE;
}

const char *kl_broker_bootstrap_servers(const kl_broker_t *b)
{
    return b && b->state != BROKER_NEW ? b->bootstrap : NULL;
}

const char *kl_broker_listeners(const kl_broker_t *b)
{
    return b && b->state != BROKER_NEW ? b->listeners_text : NULL;
}

kl_err_t kl_broker_stop(kl_broker_t *b)
{
    if (!b || b->state == BROKER_NEW)
        return KL_ERR_STATE;
    if (b->state == BROKER_STOPPED)
        return KL_ERR_NONE;
    console_stop(b); /* its answers are built on the loop: stopped first */
    kl_loop_stop(b->loop);
    pthread_join(b->thread, NULL);
    net_threads_stop(b);
    /* The threads are gone: what they owned is ours to tear down. The
     * tasks still queued between them only let go of their connections. */
    housekeeping_stop(b);
    conn_limits_stop(b);
    conn_close_all(b);
    listeners_close(b);
    net_threads_free(b);
    kl_loop_destroy(b->loop);
    b->loop = NULL;
    b->state = BROKER_STOPPED;
    broker_log(b, BROKER_LOG_INFO, "stopped");
    return KL_ERR_NONE;
}

void kl_broker_destroy(kl_broker_t *b)
{
    if (!b)
        return;
    if (b->state == BROKER_RUNNING)
        kl_broker_stop(b);
    housekeeping_destroy(b); /* no flusher may touch a log being closed */
    groups_close(b);
    txns_close(b);
    topics_close(&b->topics);
    producer_ids_free(&b->producer_ids);
    listeners_free(b);
    scram_store_free(&b->scram);
    broker_gssapi_free(b);
    console_free(b);
    for (size_t i = 0; i < b->lock_count; i++)
        if (b->lock_fds[i] >= 0)
            close(b->lock_fds[i]); /* releases the flock */
    free(b->lock_fds);
    log_dirs_free(&b->log_dirs);
    kl_conf_destroy(b->conf);
    broker_log_limits_destroy(&b->log_limits);
    broker_log_free(b);
    free(b->bootstrap);
    free(b->log_dir);
    free(b->rack);
    free(b);
}
