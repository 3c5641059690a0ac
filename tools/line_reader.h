/* How `kafkalite produce` turns a line into a message, with the settings
 * of Kafka's console producer line reader (--property name=value or
 * --reader-config FILE): parse.key, key.separator (a tab), parse.headers,
 * headers.delimiter (a tab), headers.separator (","),
 * headers.key.separator (":"), null.marker and ignore.error. A line is
 * "[HEADERS<headers.delimiter>][KEY<key.separator>]VALUE"; HEADERS is
 * "name:value" pairs joined by headers.separator. A key, value or header
 * value equal to null.marker is null. Without ignore.error a line missing
 * a delimiter or separator the settings ask for is refused; with it, the
 * line is taken as it is (no headers, or no key: the whole rest is the
 * value; a pair without ':' is a header with a null value). */
#ifndef KL_TOOLS_LINE_READER_H
#define KL_TOOLS_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>

#include <kafkalite.h>

typedef struct line_reader {
    bool parse_key, parse_headers, ignore_error;
    const char *key_separator, *headers_delimiter, *headers_separator, *header_key_separator;
    const char *null_marker; /* NULL: none */
} line_reader_t;

/* One line split into its parts; key and value point into the line (NULL
 * for null). */
typedef struct line_message {
    const char *key, *value;
    size_t key_len, value_len;
} line_message_t;

/* Kafka's defaults: the whole line is the value. */
void line_reader_init(line_reader_t *r);

/* Applies one setting (value is kept as a pointer: it must outlive r).
 * NULL, or a static message saying why not (unknown name, a boolean that
 * is not true|false, an empty separator). */
const char *line_reader_set(line_reader_t *r, const char *name, const char *value);

/* Applies "name=value" as --property gives it. */
const char *line_reader_set_arg(line_reader_t *r, const char *assignment);

/* Splits len bytes of line into m (pointing into line), appending parsed
 * headers to headers (which may be NULL without parse.headers). NULL, or
 * a static message saying why the line is refused. */
const char *line_reader_split(const line_reader_t *r, const char *line, size_t len, line_message_t *m,
                              kl_headers_t *headers);

#endif
