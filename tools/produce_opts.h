/* `kafkalite produce`'s command line: the kcat-style short options and
 * kafka-console-producer's long ones (the producer properties they stand
 * for, the line reader's --property and --reader-config settings), read
 * into produce_opts_t and the client configuration. */
#ifndef KL_TOOLS_PRODUCE_OPTS_H
#define KL_TOOLS_PRODUCE_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include <kafkalite.h>

#include "line_reader.h"

#define PRODUCE_PROG "kafkalite produce"
#define READER_SETTINGS_MAX 32 /* --property and --reader-config settings at most */

typedef struct produce_opts {
    const char *topic;
    int32_t partition;
    line_reader_t reader; /* -K, --property, --reader-config */
    bool counts;
    bool sync;
    int64_t max_block_ms; /* how long a full queue may hold a line; -1: no limit */
    char *reader_strings[READER_SETTINGS_MAX]; /* --reader-config's values, owned */
    size_t reader_string_count;
} produce_opts_t;

/* The defaults: any partition, no key, no limit on blocking. */
void produce_opts_init(produce_opts_t *o);
void produce_opts_free(produce_opts_t *o);

/* Reads argv into o, conf (producer properties) and headers (-H). CLI_OK,
 * CLI_USAGE or CLI_FAILED (reason printed); *help for -h/--help. */
int produce_parse_args(int argc, char **argv, produce_opts_t *o, kl_conf_t *conf, kl_headers_t *headers,
                       bool *help);

#endif
