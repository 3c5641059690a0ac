/* Java .properties files, read the way java.util.Properties.load() reads
 * them (Kafka loads server.properties with it): comments, separators,
 * line continuations and escapes. Used by `kafkalite broker` and the
 * clients' --producer.config, --consumer.config and --command-config. */
#ifndef KL_TOOLS_PROPERTIES_H
#define KL_TOOLS_PROPERTIES_H

#include <stddef.h>

/* Called once per property in file order with the unescaped key and
 * value (NUL-terminated, valid during the call) and the number of the line
 * the property starts on. A nonzero return stops the parse and is
 * returned by properties_parse(). */
typedef int properties_fn(void *opaque, const char *key, const char *value, int line);

/* Parses len bytes of text. Rules: lines end with \n, \r or \r\n; a line
 * whose first non-blank character is # or ! is a comment; a line ending
 * with an odd number of backslashes continues on the next one (whose
 * leading blanks are dropped); the key runs to the first unescaped '=',
 * ':' or blank, then blanks, one optional '=' or ':' and blanks again are
 * skipped and the rest is the value; \t \n \r \f and \uXXXX (written out
 * as UTF-8) are escapes, and a backslash before any other character keeps
 * that character. Bytes are passed through as they are.
 * Returns 0, fn's nonzero return, or -1 with *bad_line set for a
 * malformed \uXXXX escape or out of memory (*bad_line 0). */
int properties_parse(const char *text, size_t len, properties_fn *fn, void *opaque, int *bad_line);

/* The largest properties file properties_load() reads. */
#define PROPERTIES_MAX_BYTES (16u << 20)

/* Reads the file at path and parses it as properties_parse() does. A file
 * that cannot be read, or a malformed escape, is reported on stderr as
 * "prog: path...". Returns 0, fn's nonzero return, or -1. */
int properties_load(const char *prog, const char *path, properties_fn *fn, void *opaque);

#endif
