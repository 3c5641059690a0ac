/* Fuzz target: any byte string as the content of a request frame (the
 * broker's input). The header is read, and when it names an API and
 * version we know, the body is decoded; what decodes must encode, decode
 * again to the same header and message, and encode to the same bytes. */
#include <string.h>

#include "fuzz.h"
#include "proto/header.h"
#include "proto_roundtrip.h"

/* The frame kl_proto_write_request() made must read back as hdr. */
static void check_header_again(const kl_buf_t *frame, const kl_request_header_t *hdr)
{
    FUZZ_ASSERT(frame->len >= 4, "request frame without a size");
    kl_rd_t rd;
    kl_rd_init(&rd, frame->data + 4, frame->len - 4);
    kl_request_header_t again;
    const kl_api_t *api;
    kl_err_t err = kl_proto_read_request_header(&rd, &again, &api);
    FUZZ_ASSERT(err == KL_ERR_NONE, "own request header does not decode: %s", kl_err_name(err));
    FUZZ_ASSERT(again.api_key == hdr->api_key && again.api_version == hdr->api_version &&
                    again.correlation_id == hdr->correlation_id,
                "request header differs after a round trip");
    FUZZ_ASSERT(again.client_id.len == hdr->client_id.len &&
                    (again.client_id.len <= 0 ||
                     memcmp(again.client_id.ptr, hdr->client_id.ptr, (size_t)again.client_id.len) == 0),
                "client id differs after a round trip");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kl_rd_t rd;
    kl_rd_init(&rd, data, size);
    kl_request_header_t hdr;
    const kl_api_t *api;
    if (kl_proto_read_request_header(&rd, &hdr, &api) != KL_ERR_NONE)
        return 0;
    kl_arena_t arena;
    kl_arena_init(&arena, FUZZ_ARENA_LIMIT);
    void *body = kl_arena_alloc(&arena, api->request->size);
    if (body && kl_proto_read_request_body(&rd, api, hdr.api_version, &arena, body) == KL_ERR_NONE) {
        kl_buf_t frame;
        kl_buf_init(&frame, 0);
        kl_err_t err = kl_proto_write_request(&frame, &hdr, body);
        FUZZ_ASSERT(err == KL_ERR_NONE, "%s v%d: decoded request does not encode: %s", api->name,
                    hdr.api_version, kl_err_name(err));
        check_header_again(&frame, &hdr);
        fuzz_proto_roundtrip(api->request, hdr.api_version, kl_api_is_flexible(api, hdr.api_version), body);
        kl_buf_free(&frame);
    }
    kl_arena_free(&arena);
    return 0;
}
