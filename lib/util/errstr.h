/* The errstr/errstr_size pair of the constructors and configuration
 * calls (kl_producer_new(), kl_conf_set(), kl_broker_new(), ...): the one
 * way every handle fills it. */
#ifndef KL_UTIL_ERRSTR_H
#define KL_UTIL_ERRSTR_H

#include <stddef.h>

/* Formats the message into errstr, cut to errstr_size bytes with its
 * terminator; nothing when errstr is NULL or errstr_size is 0 (the caller
 * did not ask for a message). */
void kl_errstr_set(char *errstr, size_t errstr_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
