/* How `kafkalite consume -f FORMAT` prints a message: kcat's placeholders
 * (%t topic, %p partition, %o offset, %k key, %s value, %K / %S their
 * lengths, %T timestamp in ms, %h headers as name=value,...) and the
 * escapes \n \t \r \\. The format is checked once, then applied to each
 * message. */
#ifndef KL_TOOLS_MSG_FORMAT_H
#define KL_TOOLS_MSG_FORMAT_H

#include <stdio.h>

#include <kafkalite.h>

/* The format used without -f: the value and a newline. */
#define MSG_FORMAT_DEFAULT "%s\\n"

/* NULL when format is valid; otherwise a static message saying why (an
 * unknown placeholder or escape, or one cut short at the end). */
const char *msg_format_check(const char *format);

/* Writes msg to out as a checked format says. */
void msg_format_print(FILE *out, const char *format, const kl_message_t *msg);

/* Writes msg to out as one JSON line (`consume --format json`, fields in
 * kafkalite-consume(1)): topic, partition, offset, timestamp (null when
 * not available), timestamp_type ("CreateTime", "LogAppendTime" or null),
 * key and value (strings, null, or "key_base64"/"value_base64" for bytes
 * that are not UTF-8), headers (an array of {name, value}). In
 * tools/msg_json.c. */
void msg_json_print(FILE *out, const kl_message_t *msg);

#endif
