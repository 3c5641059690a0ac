/* The options and set-up shared by the kafkalite client subcommands: -X
 * properties, numeric arguments, the producer and the consumer. See client_opts.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client_opts.h"

kl_conf_t *cli_conf_new(const char *prog)
{
    kl_conf_t *conf = kl_conf_new();
    if (!conf || cli_conf_set(conf, prog, "bootstrap.servers", CLI_DEFAULT_BOOTSTRAP) != CLI_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        kl_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

int cli_conf_set(kl_conf_t *conf, const char *prog, const char *name, const char *value)
{
    char errstr[512];
    if (kl_conf_set(conf, name, value, errstr, sizeof errstr) == KL_ERR_NONE)
        return CLI_OK;
    fprintf(stderr, "%s: %s\n", prog, errstr);
    return CLI_FAILED;
}

int cli_conf_set_arg(kl_conf_t *conf, const char *prog, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        fprintf(stderr, "%s: -X wants property=value, not \"%s\"\n", prog, arg);
        return CLI_USAGE;
    }
    char *name = strndup(arg, (size_t)(eq - arg));
    if (!name) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return CLI_FAILED;
    }
    int rc = cli_conf_set(conf, prog, name, eq + 1);
    free(name);
    return rc;
}

bool cli_parse_int(const char *prog, char opt, const char *text, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno == ERANGE || v < min || v > max) {
        fprintf(stderr, "%s: -%c wants a whole number between %" PRId64 " and %" PRId64 ", not \"%s\"\n", prog,
                opt, min, max, text);
        return false;
    }
    *out = v;
    return true;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help"))
            return true;
    return false;
}

kl_producer_t *cli_producer_new(const kl_conf_t *conf, const char *prog)
{
    char errstr[512];
    kl_producer_t *producer = kl_producer_new(conf, errstr, sizeof errstr);
    if (!producer)
        fprintf(stderr, "%s: %s\n", prog, errstr);
    return producer;
}

int64_t cli_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

kl_consumer_t *cli_consumer_new(const kl_conf_t *conf, const char *prog)
{
    char errstr[512];
    kl_consumer_t *consumer = kl_consumer_new(conf, errstr, sizeof errstr);
    if (!consumer)
        fprintf(stderr, "%s: %s\n", prog, errstr);
    return consumer;
}

/* How long the first partition of a topic may take to be found (the
 * topic's metadata comes with it), and each next one once it is known. */
#define FIRST_PARTITION_TIMEOUT_MS 30000
#define NEXT_PARTITION_TIMEOUT_MS 2000

/* The partitions of topic, found by asking each one's watermarks in turn
 * until one is refused: the public API has no metadata call yet (the admin
 * client's kl_admin_describe_topics() will replace this). Adds them to
 * list at offset; the number found, 0 (message printed) when none. */
static int32_t add_every_partition(kl_consumer_t *consumer, const char *prog, const char *topic, int64_t offset,
                                   kl_topic_partition_list_t *list)
{
    int32_t p = 0;
    kl_err_t err;
    while ((err = kl_query_watermark_offsets(consumer, topic, p, NULL, NULL,
                                             p ? NEXT_PARTITION_TIMEOUT_MS : FIRST_PARTITION_TIMEOUT_MS)) ==
           KL_ERR_NONE) {
        if (kl_topic_partition_list_set_offset(list, topic, p, offset) != KL_ERR_NONE) {
            fprintf(stderr, "%s: out of memory\n", prog);
            return 0;
        }
        p++;
    }
    if (!p)
        fprintf(stderr, "%s: topic %s: %s\n", prog, topic, kl_err_str(err));
    return p;
}

int cli_consumer_start(kl_consumer_t *consumer, const char *prog, const char *topic, bool group,
                       int32_t partition, int64_t offset)
{
    kl_err_t err;
    if (group) {
        err = kl_subscribe(consumer, &topic, 1);
        if (err)
            fprintf(stderr, "%s: subscribing to %s: %s\n", prog, topic, kl_err_str(err));
        return err ? CLI_FAILED : CLI_OK;
    }
    kl_topic_partition_list_t *list = kl_topic_partition_list_new(1);
    if (!list) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return CLI_FAILED;
    }
    int rc = CLI_OK;
    if (partition != KL_PARTITION_UA)
        err = kl_topic_partition_list_set_offset(list, topic, partition, offset);
    else
        err = add_every_partition(consumer, prog, topic, offset, list) ? KL_ERR_NONE : KL_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (!err && (err = kl_assign(consumer, list)) != KL_ERR_NONE)
        fprintf(stderr, "%s: assigning %s: %s\n", prog, topic, kl_err_str(err));
    if (err)
        rc = CLI_FAILED;
    kl_topic_partition_list_destroy(list);
    return rc;
}
