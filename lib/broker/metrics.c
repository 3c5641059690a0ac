/* The broker's request counters (see metrics.h). */
#include "broker/metrics.h"

#include <string.h>

#include "proto/types.h"
#include "util/clock.h"

static const double bounds[METRICS_LATENCY_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                       0.025,  0.05,  0.1,    0.5,   2.5};

const double *metrics_latency_bounds(void)
{
    return bounds;
}

int64_t metrics_now_us(void) { return kl_clock_us(); }

static broker_api_stats_t *stats_of(broker_metrics_t *m, int16_t api_key)
{
    return api_key >= 0 && api_key < METRICS_API_KEYS ? &m->api[api_key] : NULL;
}

void metrics_request(broker_metrics_t *m, int16_t api_key, bool closed)
{
    broker_api_stats_t *s = stats_of(m, api_key);
    if (!s)
        return;
    s->requests++;
    if (closed)
        s->errors++;
}

static void code_seen(broker_api_stats_t *s, int16_t code)
{
    for (int i = 0; i < s->code_count; i++)
        if (s->codes[i].code == code) {
            s->codes[i].count++;
            return;
        }
    if (s->code_count == METRICS_ERROR_CODES) {
        s->codes_other++;
        return;
    }
    s->codes[s->code_count++] = (broker_error_count_t){code, 1};
}

/* Walks msg by its schema for the error_code fields present at version. */
static void count_codes(broker_api_stats_t *s, const kl_schema_t *schema, int16_t version, const void *msg)
{
    for (uint16_t i = 0; i < schema->nfields; i++) {
        const kl_field_t *f = &schema->fields[i];
        if (version < f->ver_min || version > f->ver_max)
            continue;
        const char *member = (const char *)msg + f->offset;
        if (f->type == KL_FT_INT16 && !strcmp(f->name, "error_code")) {
            int16_t code;
            memcpy(&code, member, sizeof code);
            if (code)
                code_seen(s, code);
        } else if (f->type == KL_FT_STRUCT) {
            count_codes(s, f->sub, version, member);
        } else if (f->type == KL_FT_ARRAY && f->elem == KL_FT_STRUCT) {
            const kl_array_t *a = (const kl_array_t *)(const void *)member;
            for (int32_t k = 0; k < a->count; k++)
                count_codes(s, f->sub, version, (const char *)a->items + (size_t)k * f->sub->size);
        }
    }
}

void metrics_answered(broker_metrics_t *m, int16_t api_key, int64_t latency_us, const kl_schema_t *schema,
                      int16_t version, const void *resp)
{
    broker_api_stats_t *s = stats_of(m, api_key);
    if (!s)
        return;
    count_codes(s, schema, version, resp);
    double secs = (double)latency_us / 1e6;
    s->answered++;
    s->latency_sum_s += secs;
    for (int i = 0; i < METRICS_LATENCY_BUCKETS; i++)
        if (secs <= bounds[i])
            s->latency_le[i]++;
}

void metrics_flushed(broker_metrics_t *m, int64_t latency_us)
{
    double secs = (double)latency_us / 1e6;
    int k = 0;
    while (k < METRICS_LATENCY_BUCKETS && secs > bounds[k])
        k++;
    __atomic_fetch_add(&m->flush_in[k], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->flush_sum_us, latency_us > 0 ? (uint64_t)latency_us : 0, __ATOMIC_RELAXED);
}

broker_flush_stats_t metrics_flush_snapshot(const broker_metrics_t *m)
{
    broker_flush_stats_t s = {0};
    for (int k = 0; k <= METRICS_LATENCY_BUCKETS; k++) {
        s.count += __atomic_load_n(&m->flush_in[k], __ATOMIC_RELAXED);
        if (k < METRICS_LATENCY_BUCKETS)
            s.le[k] = s.count;
    }
    s.sum_s = (double)__atomic_load_n(&m->flush_sum_us, __ATOMIC_RELAXED) / 1e6;
    return s;
}
