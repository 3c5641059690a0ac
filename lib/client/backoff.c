/* The client retry back-off (see backoff.h). */
#include "client/backoff.h"

#include "util/conf.h"

void kl_backoff_init(kl_backoff_t *b, const kl_conf_t *conf)
{
    b->base_ms = kl_conf_get_int(conf, "retry.backoff.ms");
    b->max_ms = kl_conf_get_int(conf, "retry.backoff.max.ms");
    if (b->max_ms < b->base_ms)
        b->max_ms = b->base_ms;
}

int64_t kl_backoff_ms(const kl_backoff_t *b, int failures)
{
    int64_t ms = b->base_ms;
    for (int i = 1; i < failures && ms < b->max_ms; i++)
        ms *= 2;
    return ms < b->max_ms ? ms : b->max_ms;
}

int64_t kl_backoff_jittered_ms(const kl_backoff_t *b, int failures, uint32_t random)
{
    int64_t ms = kl_backoff_ms(b, failures);
    return ms + (int64_t)(random % (uint32_t)(ms / 5 + 1));
}
