/* Request and response headers and framing: see header.h. */
#include "proto/header.h"

int kl_proto_request_header_version(const kl_api_t *api, int16_t version)
{
    return kl_api_is_flexible(api, version) ? 2 : 1;
}

int kl_proto_response_header_version(const kl_api_t *api, int16_t version)
{
    if (api->key == KL_API_API_VERSIONS)
        return 0;
    return kl_api_is_flexible(api, version) ? 1 : 0;
}

static void write_client_id(kl_buf_t *buf, kl_str_t id)
{
    /* The client id stays a classic nullable string even in header v2. */
    kl_buf_put_i16(buf, (int16_t)(id.len < 0 ? -1 : id.len));
    if (id.len > 0)
        kl_buf_put(buf, id.ptr, (size_t)id.len);
}

kl_err_t kl_proto_write_request(kl_buf_t *buf, const kl_request_header_t *hdr, const void *body)
{
    const kl_api_t *api = kl_api_find(hdr->api_key);
    if (!api)
        return KL_ERR_UNKNOWN_API;
    if (hdr->api_version < api->min_version || hdr->api_version > api->max_version)
        return KL_ERR_UNSUPPORTED_API_VERSION;
    if (hdr->client_id.len > INT16_MAX)
        return KL_ERR_INVALID_ARG;
    size_t start = kl_buf_skip(buf, 4);
    kl_buf_put_i16(buf, hdr->api_key);
    kl_buf_put_i16(buf, hdr->api_version);
    kl_buf_put_i32(buf, hdr->correlation_id);
    write_client_id(buf, hdr->client_id);
    bool flexible = kl_api_is_flexible(api, hdr->api_version);
    if (flexible)
        kl_buf_put_uvarint(buf, 0); /* no tagged header fields */
    kl_err_t err = kl_proto_encode(buf, api->request, hdr->api_version, flexible, body);
    if (err) {
        buf->len = start; /* leave no half frame behind */
        return err;
    }
    kl_buf_patch_i32(buf, start, (int32_t)(buf->len - start - 4));
    return kl_buf_error(buf);
}

static kl_err_t skip_tagged_fields(kl_rd_t *rd)
{
    uint32_t n = kl_rd_uvarint(rd);
    for (uint32_t i = 0; i < n && !kl_rd_error(rd); i++) {
        (void)kl_rd_uvarint(rd);
        kl_rd_skip(rd, kl_rd_uvarint(rd));
    }
    return kl_rd_error(rd);
}

kl_err_t kl_proto_read_request_header(kl_rd_t *rd, kl_request_header_t *hdr, const kl_api_t **apip)
{
    hdr->api_key = kl_rd_i16(rd);
    hdr->api_version = kl_rd_i16(rd);
    hdr->correlation_id = kl_rd_i32(rd);
    hdr->client_id = KL_STR_NULL;
    *apip = NULL;
    if (kl_rd_error(rd))
        return kl_rd_error(rd);
    const kl_api_t *api = kl_api_find(hdr->api_key);
    if (!api)
        return KL_ERR_UNKNOWN_API;
    *apip = api;
    int16_t len = kl_rd_i16(rd);
    if (len < -1)
        return kl_rd_fail(rd, KL_ERR_BAD_MSG, "client id length");
    if (len >= 0) {
        hdr->client_id.ptr = (const char *)kl_rd_bytes(rd, (size_t)len);
        hdr->client_id.len = len;
    }
    /* The header layout depends only on whether the version is flexible, so
     * it can be read even for a version newer than we know (ApiVersions
     * must answer those). */
    if (kl_api_is_flexible(api, hdr->api_version))
        skip_tagged_fields(rd);
    if (kl_rd_error(rd))
        return kl_rd_error(rd);
    if (hdr->api_version < api->min_version || hdr->api_version > api->max_version)
        return KL_ERR_UNSUPPORTED_API_VERSION;
    return KL_ERR_NONE;
}

kl_err_t kl_proto_read_request_body(kl_rd_t *rd, const kl_api_t *api, int16_t version,
                                    kl_arena_t *arena, void *body)
{
    /* Bytes after the version's fields are left unread, as Apache Kafka
     * does: librdkafka (2.x) sends Metadata v9+ for every topic with a
     * 4-byte zero where the 1-byte null count belongs, and Kafka serves
     * it. The caller sees them with kl_rd_remaining(). */
    return kl_proto_decode(rd, api->request, version, kl_api_is_flexible(api, version), arena, body);
}

kl_err_t kl_proto_write_response(kl_buf_t *buf, const kl_api_t *api, int16_t version,
                                 int32_t correlation_id, const void *body)
{
    return kl_proto_write_response_holes(buf, api, version, correlation_id, body, NULL);
}

kl_err_t kl_proto_write_response_holes(kl_buf_t *buf, const kl_api_t *api, int16_t version,
                                       int32_t correlation_id, const void *body, kl_proto_holes_t *holes)
{
    size_t start = kl_buf_skip(buf, 4);
    kl_buf_put_i32(buf, correlation_id);
    if (kl_proto_response_header_version(api, version) == 1)
        kl_buf_put_uvarint(buf, 0);
    kl_err_t err =
        kl_proto_encode_holes(buf, api->response, version, kl_api_is_flexible(api, version), body, holes);
    if (err) {
        buf->len = start;
        return err;
    }
    kl_buf_patch_i32(buf, start, (int32_t)(buf->len - start - 4));
    return kl_buf_error(buf);
}

kl_err_t kl_proto_peek_correlation_id(const void *frame, size_t len, int32_t *corrp)
{
    kl_rd_t rd;
    kl_rd_init(&rd, frame, len);
    *corrp = kl_rd_i32(&rd);
    return kl_rd_error(&rd);
}

kl_err_t kl_proto_read_response(kl_rd_t *rd, const kl_api_t *api, int16_t version,
                                int32_t *correlation_idp, kl_arena_t *arena, void *body)
{
    *correlation_idp = kl_rd_i32(rd);
    if (kl_proto_response_header_version(api, version) == 1)
        skip_tagged_fields(rd);
    if (kl_rd_error(rd))
        return kl_rd_error(rd);
    /* Trailing bytes are tolerated: a newer server may append fields we do
     * not know in a version we asked for only if it is buggy, and the
     * fields we need are already decoded. */
    return kl_proto_decode(rd, api->response, version, kl_api_is_flexible(api, version), arena, body);
}

kl_err_t kl_proto_response_error_only(const kl_api_t *api, int16_t version, const uint8_t *frame, size_t len)
{
    int throttle_from;
    switch (api->key) {
    case KL_API_FIND_COORDINATOR:
        if (version >= 4)
            return KL_ERR_NONE; /* the codes are per key, in an array */
        throttle_from = 1;
        break;
    case KL_API_SYNC_GROUP:
    case KL_API_HEARTBEAT:
    case KL_API_LEAVE_GROUP: throttle_from = 1; break;
    case KL_API_JOIN_GROUP: throttle_from = 2; break;
    default: return KL_ERR_NONE;
    }
    size_t pos = 4; /* correlation id */
    if (kl_proto_response_header_version(api, version) >= 1) {
        if (len <= pos || frame[pos] != 0)
            return KL_ERR_NONE; /* tagged fields we do not expect */
        pos++;
    }
    if (version >= throttle_from)
        pos += 4;
    if (len < pos + 2)
        return KL_ERR_NONE;
    return (kl_err_t)(int16_t)kl_load_be16(frame + pos);
}
