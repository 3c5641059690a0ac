/* kl_error_t (kafkalite/error.h): an error code with its class and a
 * sentence, as the transactional producer's calls return it. */
#ifndef KL_UTIL_ERROR_OBJ_H
#define KL_UTIL_ERROR_OBJ_H

#include "kafkalite/error.h"

typedef enum { KL_ERROR_PLAIN, KL_ERROR_RETRIABLE, KL_ERROR_ABORTABLE, KL_ERROR_FATAL } kl_error_class_t;

/* A new error (never NULL: when out of memory, a shared static one that
 * says so, which kl_error_destroy() leaves alone). */
kl_error_t *kl_error_new(kl_err_t code, kl_error_class_t cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
