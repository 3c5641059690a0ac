/* kafkalite: OAUTHBEARER tokens supplied by the application, as librdkafka
 * has them (rd_kafka_conf_set_oauthbearer_token_refresh_cb() and
 * rd_kafka_oauthbearer_set_token()). Without a refresh callback, a client
 * with sasl.mechanisms=OAUTHBEARER sends an unsecured JWT built from
 * sasl.oauthbearer.config. */
#ifndef KAFKALITE_OAUTHBEARER_H
#define KAFKALITE_OAUTHBEARER_H

#include <stddef.h>
#include <stdint.h>

#include "kafkalite/common.h"
#include "kafkalite/conf.h"
#include "kafkalite/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Asks the application for a token: handle is the producer, consumer or
 * admin client created from the configuration, oauthbearer_config the
 * value of sasl.oauthbearer.config, opaque kl_conf_set_opaque()'s
 * pointer. It answers, then or later and from any thread, with
 * kl_oauthbearer_set_token() or kl_oauthbearer_set_token_failure(). */
typedef void kl_oauthbearer_token_refresh_cb(void *handle, const char *oauthbearer_config, void *opaque);

/** Makes handles created from conf (with sasl.mechanisms=OAUTHBEARER) get
 * their tokens from cb: called on the application's thread inside its
 * polls and blocking calls (as the log callback is), first at the first of
 * them, then again once 80% of the token's lifetime has passed (10 s after
 * a failure). Connections wait for the first token before they
 * authenticate. NULL restores the unsecured JWT. */
KL_EXPORT void kl_conf_set_oauthbearer_token_refresh_cb(kl_conf_t *conf, kl_oauthbearer_token_refresh_cb *cb);

/** Gives handle its token: token_value (the bearer token, no spaces),
 * md_lifetime_ms (when it expires, milliseconds since the epoch, in the
 * future), md_principal_name (who it names, for logs), and extension_size
 * strings as key, value, key, value (RFC 7628 extensions; NULL when 0).
 * New authentications use it at once. KL_ERR_INVALID_ARG with errstr
 * filled when an argument is wrong or handle has no refresh callback. */
KL_EXPORT kl_err_t kl_oauthbearer_set_token(void *handle, const char *token_value, int64_t md_lifetime_ms,
                                            const char *md_principal_name, const char **extensions,
                                            size_t extension_size, char *errstr, size_t errstr_size);

/** Says the token could not be had: errstr is logged, authentications
 * waiting for a first token fail with KL_ERR_AUTHENTICATION and that
 * reason, and the callback is asked again 10 s later. */
KL_EXPORT kl_err_t kl_oauthbearer_set_token_failure(void *handle, const char *errstr);

#ifdef __cplusplus
}
#endif

#endif
