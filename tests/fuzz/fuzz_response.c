/* Fuzz target: the response decoders a client runs on what a broker
 * sends. The input is an API key and version (int16 each) and then a
 * response frame's content; key -1 and -2 select the consumer protocol's
 * subscription and assignment (JoinGroup and SyncGroup payloads) instead,
 * with the rest as their bytes. What decodes must encode, decode again to
 * the same message and encode to the same bytes. */
#include "fuzz.h"
#include "proto/header.h"
#include "proto/msg_consumer_protocol.h"
#include "proto_roundtrip.h"

#define KEY_SUBSCRIPTION (-1)
#define KEY_ASSIGNMENT (-2)

static void response_roundtrip(const kl_api_t *api, int16_t version, const uint8_t *data, size_t size)
{
    kl_arena_t arena;
    kl_arena_init(&arena, FUZZ_ARENA_LIMIT);
    void *body = kl_arena_alloc(&arena, api->response->size);
    kl_rd_t rd;
    kl_rd_init(&rd, data, size);
    int32_t corr;
    if (body && kl_proto_read_response(&rd, api, version, &corr, &arena, body) == KL_ERR_NONE) {
        kl_buf_t frame;
        kl_buf_init(&frame, 0);
        kl_err_t err = kl_proto_write_response(&frame, api, version, corr, body);
        FUZZ_ASSERT(err == KL_ERR_NONE, "%s v%d: decoded response does not encode: %s", api->name, version,
                    kl_err_name(err));
        FUZZ_ASSERT(frame.len >= 4, "response frame without a size");
        void *again = kl_arena_alloc(&arena, api->response->size);
        int32_t corr_again;
        kl_rd_init(&rd, frame.data + 4, frame.len - 4);
        if (again) { /* NULL: the input used up the arena */
            err = kl_proto_read_response(&rd, api, version, &corr_again, &arena, again);
            FUZZ_ASSERT(err == KL_ERR_NONE, "%s v%d: own response does not decode: %s", api->name, version,
                        kl_err_name(err));
            FUZZ_ASSERT(kl_rd_remaining(&rd) == 0 && corr_again == corr, "%s v%d: frame differs", api->name,
                        version);
            FUZZ_ASSERT(kl_proto_equal(api->response, version, body, again),
                        "%s v%d: decoded again, the response differs", api->name, version);
        }
        fuzz_proto_roundtrip(api->response, version, kl_api_is_flexible(api, version), body);
        kl_buf_free(&frame);
    }
    kl_arena_free(&arena);
}

/* The consumer protocol: a leading version, read as our newest when newer. */
static void consumer_protocol_roundtrip(int16_t key, const uint8_t *data, size_t size)
{
    kl_arena_t arena;
    kl_arena_init(&arena, FUZZ_ARENA_LIMIT);
    kl_bytes_t bytes = {data, (int32_t)size};
    int16_t version;
    if (key == KEY_SUBSCRIPTION) {
        kl_consumer_protocol_subscription_t sub;
        if (kl_consumer_protocol_subscription_decode(bytes, &arena, &sub, &version) == KL_ERR_NONE) {
            if (version > KL_CONSUMER_PROTOCOL_MAX_VERSION)
                version = KL_CONSUMER_PROTOCOL_MAX_VERSION;
            fuzz_proto_roundtrip(&kl_consumer_protocol_subscription_schema, version, false, &sub);
        }
    } else {
        kl_consumer_protocol_assignment_t asg;
        if (kl_consumer_protocol_assignment_decode(bytes, &arena, &asg, &version) == KL_ERR_NONE) {
            if (version > KL_CONSUMER_PROTOCOL_MAX_VERSION)
                version = KL_CONSUMER_PROTOCOL_MAX_VERSION;
            fuzz_proto_roundtrip(&kl_consumer_protocol_assignment_schema, version, false, &asg);
        }
    }
    kl_arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > INT32_MAX)
        return 0;
    int16_t key = (int16_t)(data[0] << 8 | data[1]);
    int16_t version = (int16_t)(data[2] << 8 | data[3]);
    if (key == KEY_SUBSCRIPTION || key == KEY_ASSIGNMENT) {
        consumer_protocol_roundtrip(key, data + 4, size - 4);
        return 0;
    }
    const kl_api_t *api = kl_api_find(key);
    if (api && version >= api->min_version && version <= api->max_version)
        response_roundtrip(api, version, data + 4, size - 4);
    return 0;
}
