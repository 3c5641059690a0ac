/* Kafka's sasl.jaas.config text, one login module:
 *   <class> required|requisite|sufficient|optional key=value key="value";
 * read into its class and options (values quoted with "..." may hold
 * spaces, \" and \\). */
#ifndef KL_BROKER_JAAS_H
#define KL_BROKER_JAAS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct broker_jaas_opt {
    char *key, *value;
} broker_jaas_opt_t;

typedef struct broker_jaas {
    char *module; /* NULL: none parsed */
    broker_jaas_opt_t *opts;
    size_t count;
} broker_jaas_t;

/* Parses text into *out (zeroed first); false with why filled and nothing
 * kept when it is not one login module. */
bool broker_jaas_parse(const char *text, broker_jaas_t *out, char *why, size_t why_size);
/* The value of key, or NULL. */
const char *broker_jaas_get(const broker_jaas_t *jaas, const char *key);
void broker_jaas_free(broker_jaas_t *jaas);

#endif
