/* Our producer and consumer as the security tests drive them: a client
 * configuration for host:port with a security.protocol, a producer that
 * sends and waits for every report, a consumer reading a partition back,
 * and what the client said (log lines, reports) for the assertions. */
#ifndef KL_TEST_SEC_CLIENT_H
#define KL_TEST_SEC_CLIENT_H

#include <kafkalite.h>
#include <stddef.h>

typedef struct sec_seen {
    char log[8192]; /* every log line of the last client */
    int delivered, failed;
    kl_err_t last_err; /* of the last failed report */
} sec_seen_t;

extern sec_seen_t sec_seen;

/* bootstrap.servers host:port, security.protocol, then name/value pairs
 * ending with NULL; clears sec_seen. */
kl_conf_t *sec_conf(const char *host, int port, const char *protocol, ...);
/* Produces count values of size bytes to partition 0 of topic and waits
 * (30 s at most) until each is reported; consumes conf. */
void sec_produce(kl_conf_t *conf, const char *topic, int count, size_t size);
/* Reads partition 0 of topic from the beginning until want values of size
 * bytes came (30 s at most); the number read. Consumes conf. */
int sec_consume(kl_conf_t *conf, const char *topic, int want, size_t size);
/* With p (made from a sec_conf), produces a 1-byte value to partition 0
 * of topic every interval_ms for ms, polling between, then waits (30 s at
 * most) for every report; the number sent. */
int sec_produce_steadily(kl_producer_t *p, const char *topic, long long ms, int interval_ms);
/* Produces 3 messages with conf (message.timeout.ms of 2 minutes), which
 * must all fail with KL_ERR_AUTHENTICATION long before that, the log
 * holding want. Consumes conf. */
void sec_assert_auth_refused(kl_conf_t *conf, const char *want);
/* An unsecured JWT (alg none, empty signature) for sub, issued at iat and
 * expiring at exp (seconds since the epoch); malloc'd. */
char *sec_unsecured_jwt(const char *sub, long long iat, long long exp);
/* Monotonic milliseconds. */
long long sec_now_ms(void);

#endif
