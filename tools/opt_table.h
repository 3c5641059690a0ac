/* The one command-line parser of the kafkalite subcommands: each command
 * lists its options in tables (a long name as Kafka's scripts spell it, a
 * short kcat-style letter, or both) and reads them one by one with
 * opt_next(). Long options take their value as "--name=value" or as the
 * next argument; short ones as "-xVALUE" or the next argument, and
 * value-less short ones bundle ("-ec"). "--" ends the options. An unknown
 * option is named in the error with the nearest known one ("did you
 * mean"). */
#ifndef KL_TOOLS_OPT_TABLE_H
#define KL_TOOLS_OPT_TABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Whether an option takes a value. OPT_OPTIONAL: only as "--name=value"
 * or a next argument not starting with '-' (Kafka's --compression-codec). */
enum { OPT_FLAG, OPT_VALUE, OPT_OPTIONAL };

typedef struct opt_spec {
    const char *name; /* long name without "--", or NULL; a table ends with an all-zero entry */
    char letter;      /* short letter, or 0 */
    int arg;          /* OPT_FLAG, OPT_VALUE or OPT_OPTIONAL */
    int id;           /* what opt_next() returns for it (> 0) */
} opt_spec_t;

/* What opt_next() returns besides an option's id. */
enum { OPT_END = 0, OPT_OPERAND = -1, OPT_ERROR = -2 };

typedef struct opt_parser {
    const char *prog;                /* "kafkalite topics", for messages */
    int argc;
    char **argv;
    int next;                        /* the next argument to read */
    const char *bundle;              /* the rest of a group of short options */
    const opt_spec_t *const *tables; /* NULL-terminated */
    bool operands_only;              /* after "--" */
    const char *value;               /* the option's value (NULL without one) */
    char text[64];                   /* the option as written ("--topic", "-t"), for messages */
} opt_parser_t;

/* Starts reading argv[1..argc-1] against tables (a NULL-terminated array
 * of tables). */
void opt_init(opt_parser_t *p, const char *prog, int argc, char **argv, const opt_spec_t *const *tables);

/* The next option's id (its value in p->value, its spelling in p->text),
 * OPT_OPERAND with the argument in p->value, OPT_END, or OPT_ERROR with
 * the reason printed (unknown option, missing value, value given to a
 * flag). */
int opt_next(opt_parser_t *p);

/* Parses p->value as a whole decimal number in [min, max]; prints why not
 * (naming the option) and returns false. */
bool opt_int(const opt_parser_t *p, int64_t min, int64_t max, int64_t *out);

/* The long name nearest to unknown (edit distance, at most a third of its
 * length and 3) among tables, or NULL. */
const char *opt_suggest(const opt_spec_t *const *tables, const char *unknown);

/* True when argv holds --help or -h (before any "--"). */
bool opt_wants_help(int argc, char **argv);

#endif
