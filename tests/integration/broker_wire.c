/* Wire helpers shared by the broker's integration suites: one checked
 * request/response exchange, topic administration, hand-made batches to
 * produce, fetch and ListOffsets requests (see broker_wire.h). */
#include "broker_wire.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto/msg_api_versions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_offset.h"
#include "proto/msg_topic_admin.h"

#define TIMEOUT_MS WIRE_TIMEOUT_MS

void call(wire_client_t *wc, int16_t key, int16_t version, const void *req, void *resp, exchange_t *x)
{
    kl_arena_init(&x->arena, 0);
    kl_err_t err = wire_call(wc, key, version, req, &x->arena, resp, &x->frame, TIMEOUT_MS);
    ck_assert_msg(err == KL_ERR_NONE, "api %d v%d: %s", key, version, kl_err_str(err));
}

void done(exchange_t *x)
{
    free(x->frame);
    kl_arena_free(&x->arena);
}

void connect_to(wire_client_t *wc, const broker_fixture_t *f)
{
    ck_assert_int_eq(wire_connect(wc, f->bootstrap), 0);
}


int16_t create_topic_with(wire_client_t *wc, const char *name, int32_t partitions, int16_t rf,
                          const char *const *configs, bool validate_only, kl_uuid_t *id)
{
    kl_create_topics_request_creatable_topic_config_t cfg[16];
    int32_t n = 0;
    for (; configs && configs[2 * n]; n++) {
        ck_assert_int_lt(n, 16);
        cfg[n] = (kl_create_topics_request_creatable_topic_config_t){kl_str(configs[2 * n]),
                                                                      kl_str(configs[2 * n + 1])};
    }
    kl_create_topics_request_creatable_topic_t t = {.name = kl_str(name), .num_partitions = partitions,
                                                    .replication_factor = rf};
    t.configs.items = n ? cfg : NULL;
    t.configs.count = n;
    kl_create_topics_request_t req;
    kl_proto_init(&kl_create_topics_request_schema, &req);
    req.topics.items = &t;
    req.topics.count = 1;
    req.validate_only = validate_only;
    kl_create_topics_response_t resp;
    exchange_t x;
    call(wc, KL_API_CREATE_TOPICS, 7, &req, &resp, &x);
    ck_assert_int_eq(resp.topics.count, 1);
    int16_t err = resp.topics.items[0].error_code;
    if (!err && !validate_only) {
        ck_assert_int_eq(resp.topics.items[0].num_partitions, partitions);
        if (id)
            *id = resp.topics.items[0].topic_id;
    }
    done(&x);
    return err;
}

int16_t create_topic(wire_client_t *wc, const char *name, int32_t partitions, int16_t rf, const char *config,
                     const char *value, bool validate_only, kl_uuid_t *id)
{
    const char *const configs[] = {config, value, NULL};
    return create_topic_with(wc, name, partitions, rf, config ? configs : NULL, validate_only, id);
}

const kl_metadata_response_topic_t *metadata_topic(wire_client_t *wc, const char *name, bool auto_create,
                                                   kl_metadata_response_t *resp, exchange_t *x)
{
    kl_metadata_request_topic_t t = {.name = kl_str(name)};
    kl_metadata_request_t req;
    kl_proto_init(&kl_metadata_request_schema, &req);
    req.topics.items = &t;
    req.topics.count = 1;
    req.allow_auto_topic_creation = auto_create;
    call(wc, KL_API_METADATA, 9, &req, resp, x);
    ck_assert_int_eq(resp->topics.count, 1);
    return &resp->topics.items[0];
}

int16_t delete_topic(wire_client_t *wc, const char *name)
{
    kl_str_t n = kl_str(name);
    kl_delete_topics_request_t req;
    kl_proto_init(&kl_delete_topics_request_schema, &req);
    req.topic_names.items = &n;
    req.topic_names.count = 1;
    req.timeout_ms = TIMEOUT_MS;
    kl_delete_topics_response_t resp;
    exchange_t x;
    call(wc, KL_API_DELETE_TOPICS, 5, &req, &resp, &x);
    ck_assert_int_eq(resp.responses.count, 1);
    int16_t err = resp.responses.items[0].error_code;
    done(&x);
    return err;
}


/* Encodes n records "v<first+i>" into a batch; caller frees with
 * kl_batch_writer_free. */
void make_batch_with(kl_batch_writer_t *w, const kl_batch_params_t *params, int first, int n, size_t value_size,
                     int64_t ts0, const uint8_t **data, size_t *len)
{
    kl_batch_writer_init(w, 0);
    kl_batch_params_t defaults;
    kl_batch_params_init(&defaults);
    ck_assert_int_eq(kl_batch_writer_open(w, params ? params : &defaults), 0);
    char *value = calloc(1, value_size + 32);
    for (int i = first; i < first + n; i++) {
        int vl = snprintf(value, 32, "v%d", i);
        size_t len_i = value_size > (size_t)vl ? value_size : (size_t)vl;
        ck_assert_int_eq(kl_batch_writer_append(w, ts0 + i, NULL, 0, value, len_i, NULL, 0), 0);
    }
    free(value);
    ck_assert_int_eq(kl_batch_writer_close(w, data, len), 0);
}

void make_batch(kl_batch_writer_t *w, int first, int n, size_t value_size, const uint8_t **data, size_t *len)
{
    make_batch_with(w, NULL, first, n, value_size, WIRE_BASE_TIMESTAMP, data, len);
}

int16_t produce_raw(wire_client_t *wc, const char *topic, int32_t partition, const void *data, size_t len,
                    int16_t version, kl_produce_response_partition_t *out)
{
    kl_produce_request_partition_t part = {.index = partition, .records = kl_bytes(data, (int32_t)len)};
    kl_produce_request_topic_t t = {.name = kl_str(topic), .partition_data = {&part, 1}};
    kl_produce_request_t req;
    kl_proto_init(&kl_produce_request_schema, &req);
    req.acks = -1;
    req.timeout_ms = TIMEOUT_MS;
    req.topic_data.items = &t;
    req.topic_data.count = 1;
    kl_produce_response_t resp;
    exchange_t x;
    call(wc, KL_API_PRODUCE, version, &req, &resp, &x);
    ck_assert_int_eq(resp.responses.count, 1);
    ck_assert_int_eq(resp.responses.items[0].partition_responses.count, 1);
    kl_produce_response_partition_t p = resp.responses.items[0].partition_responses.items[0];
    p.error_message = KL_STR_NULL; /* points into the frame */
    p.record_errors.items = NULL;
    p.record_errors.count = 0;
    if (out)
        *out = p;
    done(&x);
    return p.error_code;
}

int16_t produce(wire_client_t *wc, const char *topic, int32_t partition, int first, int n, size_t value_size,
                int64_t *base)
{
    kl_batch_writer_t w;
    const uint8_t *data;
    size_t len;
    make_batch(&w, first, n, value_size, &data, &len);
    kl_produce_response_partition_t p;
    int16_t err = produce_raw(wc, topic, partition, data, len, 9, &p);
    if (base)
        *base = p.base_offset;
    kl_batch_writer_free(&w);
    return err;
}

void fetch_request(kl_fetch_request_t *req, kl_fetch_request_topic_t *t, kl_fetch_request_partition_t *p,
                   const char *topic, int64_t offset, int32_t min_bytes, int32_t max_wait_ms)
{
    *p = (kl_fetch_request_partition_t){.partition = 0, .current_leader_epoch = -1, .fetch_offset = offset,
                                        .last_fetched_epoch = -1, .log_start_offset = -1,
                                        .partition_max_bytes = 1 << 20};
    *t = (kl_fetch_request_topic_t){.topic = kl_str(topic), .partitions = {p, 1}};
    kl_proto_init(&kl_fetch_request_schema, req);
    req->replica_id = -1;
    req->max_wait_ms = max_wait_ms;
    req->min_bytes = min_bytes;
    req->max_bytes = 4 << 20;
    req->isolation_level = 1;
    req->session_id = 0;
    req->session_epoch = -1;
    req->topics.items = t;
    req->topics.count = 1;
}

/* Counts the records of a fetched partition from offset on. */
int16_t commit_offset(wire_client_t *wc, const char *group, const char *topic, int32_t partition, int64_t offset)
{
    kl_offset_commit_request_partition_t part = {.partition_index = partition, .committed_offset = offset,
                                                 .committed_leader_epoch = -1, .commit_timestamp = -1,
                                                 .committed_metadata = KL_STR_NULL};
    kl_offset_commit_request_topic_t t = {.name = kl_str(topic), .partitions = {&part, 1}};
    kl_offset_commit_request_t req;
    kl_proto_init(&kl_offset_commit_request_schema, &req);
    req.group_id = kl_str(group);
    req.generation_id_or_member_epoch = -1;
    req.member_id = kl_str("");
    req.retention_time_ms = -1;
    req.topics.items = &t;
    req.topics.count = 1;
    kl_offset_commit_response_t resp;
    exchange_t x;
    call(wc, KL_API_OFFSET_COMMIT, 2, &req, &resp, &x);
    ck_assert_int_eq(resp.topics.count, 1);
    ck_assert_int_eq(resp.topics.items[0].partitions.count, 1);
    int16_t err = resp.topics.items[0].partitions.items[0].error_code;
    done(&x);
    return err;
}

int count_records(const kl_fetch_response_partition_t *p, int64_t from)
{
    ck_assert_ptr_nonnull(p->records.ptr); /* never null, even when empty */
    kl_batch_iter_t bi;
    kl_batch_iter_init(&bi, p->records.ptr, (size_t)p->records.len, 0);
    kl_batch_t b;
    int n = 0;
    while (kl_batch_iter_next(&bi, &b) == KL_ERR_NONE)
        for (int64_t o = b.base_offset; o <= kl_batch_last_offset(&b); o++)
            n += o >= from;
    return n;
}


int64_t list_offset(wire_client_t *wc, int16_t version, const char *topic, int64_t ts, int64_t *found_ts)
{
    kl_list_offsets_request_partition_t p = {.partition_index = 0, .current_leader_epoch = -1, .timestamp = ts,
                                             .max_num_offsets = 1};
    kl_list_offsets_request_topic_t t = {.name = kl_str(topic), .partitions = {&p, 1}};
    kl_list_offsets_request_t req;
    kl_proto_init(&kl_list_offsets_request_schema, &req);
    req.replica_id = -1;
    req.isolation_level = 1;
    req.topics.items = &t;
    req.topics.count = 1;
    kl_list_offsets_response_t resp;
    exchange_t x;
    call(wc, KL_API_LIST_OFFSETS, version, &req, &resp, &x);
    const kl_list_offsets_response_partition_t *rp = &resp.topics.items[0].partitions.items[0];
    ck_assert_int_eq(rp->error_code, 0);
    int64_t offset = rp->offset;
    if (version == 0)
        offset = rp->old_style_offsets.count ? rp->old_style_offsets.items[0] : -1;
    if (found_ts)
        *found_ts = rp->timestamp;
    done(&x);
    return offset;
}


bool wire_ping(wire_client_t *wc)
{
    kl_api_versions_request_t req;
    kl_proto_init(&kl_api_versions_request_schema, &req);
    kl_arena_t arena;
    kl_arena_init(&arena, 0);
    kl_api_versions_response_t resp;
    uint8_t *frame = NULL;
    kl_err_t err = wire_call(wc, KL_API_API_VERSIONS, 0, &req, &arena, &resp, &frame, WIRE_TIMEOUT_MS);
    free(frame);
    kl_arena_free(&arena);
    return err == KL_ERR_NONE && resp.error_code == 0;
}
