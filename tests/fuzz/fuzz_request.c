/* libFuzzer target: any byte string as the content of a request frame.
 * The header is read, and when it names an API and version we know, the
 * body is decoded; nothing may crash, leak or read out of bounds.
 * Build and run with `make fuzz` (needs clang). */
#include <stdlib.h>

#include "proto/header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kl_rd_t rd;
    kl_rd_init(&rd, data, size);
    kl_request_header_t hdr;
    const kl_api_t *api;
    if (kl_proto_read_request_header(&rd, &hdr, &api) != KL_ERR_NONE)
        return 0;
    kl_arena_t arena;
    kl_arena_init(&arena, 16u << 20);
    void *body = kl_arena_alloc(&arena, api->request->size);
    if (body && kl_proto_read_request_body(&rd, api, hdr.api_version, &arena, body) == KL_ERR_NONE) {
        /* what decodes must encode again */
        kl_buf_t buf;
        kl_buf_init(&buf, 0);
        if (kl_proto_write_request(&buf, &hdr, body) != KL_ERR_NONE)
            abort();
        kl_buf_free(&buf);
    }
    kl_arena_free(&arena);
    return 0;
}
