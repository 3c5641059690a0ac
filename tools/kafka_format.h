/* How `kafkalite consume --property print.key=true ...` prints a message:
 * the layout of Kafka's console consumer (its default message formatter).
 * The fields asked for come in the order timestamp ("CreateTime:MS",
 * "LogAppendTime:MS" or "NO_TIMESTAMP"), "Partition:N", "Offset:N",
 * headers ("name:value" joined by ",", or "NO_HEADERS"), key, value (a null
 * key or value is "null"), separated by key.separator (a tab) and ended by
 * line.separator (a newline). */
#ifndef KL_TOOLS_KAFKA_FORMAT_H
#define KL_TOOLS_KAFKA_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include <kafkalite.h>

typedef struct kafka_format {
    bool timestamp, partition, offset, headers, key, value;
    const char *key_separator, *line_separator, *headers_separator, *header_key_separator;
    bool used; /* some --property was given */
} kafka_format_t;

/* Kafka's defaults: only the value, a tab between fields, a newline after. */
void kafka_format_init(kafka_format_t *f);

/* Applies "name=value" as given to --property (print.timestamp,
 * print.partition, print.offset, print.headers, print.key, print.value:
 * true|false; key.separator, line.separator, headers.separator,
 * headers.key.separator). NULL, or a static message saying why not. */
const char *kafka_format_set(kafka_format_t *f, const char *assignment);

void kafka_format_print(FILE *out, const kafka_format_t *f, const kl_message_t *msg);

#endif
