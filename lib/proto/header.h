/* Request and response headers and framing. A frame on the wire is an
 * int32 size followed by the header and the body. Request header v1 (api
 * key, version, correlation id, nullable client id) becomes v2 with a
 * tagged-field section from the API's first flexible version; response
 * header v0 (correlation id) becomes v1 likewise, except that ApiVersions
 * responses always use v0 so that a client can read them before it knows
 * which versions the server speaks. */
#ifndef KL_PROTO_HEADER_H
#define KL_PROTO_HEADER_H

#include "proto/api.h"
#include "proto/codec.h"

typedef struct kl_request_header {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    kl_str_t client_id; /* nullable */
} kl_request_header_t;

/* Appends a whole request frame (size, header, body at hdr->api_version). */
kl_err_t kl_proto_write_request(kl_buf_t *buf, const kl_request_header_t *hdr,
                                const void *body) KL_WARN_UNUSED;

/* Reads a request header from a frame's content (without the size).
 * *apip receives the API (NULL when unknown). Returns KL_ERR_UNKNOWN_API
 * for a key the codec does not know and KL_ERR_UNSUPPORTED_API_VERSION for
 * a version outside its range: in both cases hdr's key, version and
 * correlation id are filled so that the server can answer. The reader is
 * left at the start of the body. */
kl_err_t kl_proto_read_request_header(kl_rd_t *rd, kl_request_header_t *hdr,
                                      const kl_api_t **apip) KL_WARN_UNUSED;

/* Decodes the body of a request whose header was read by
 * kl_proto_read_request_header(). body must be a struct of api->request.
 * Bytes after the fields of the version are not an error (Kafka ignores
 * them too): they are left in rd. */
kl_err_t kl_proto_read_request_body(kl_rd_t *rd, const kl_api_t *api, int16_t version,
                                    kl_arena_t *arena, void *body) KL_WARN_UNUSED;

/* Appends a whole response frame (size, header, body at version). */
kl_err_t kl_proto_write_response(kl_buf_t *buf, const kl_api_t *api, int16_t version,
                                 int32_t correlation_id, const void *body) KL_WARN_UNUSED;
/* The same, leaving holes for RECORDS fields without bytes (see
 * kl_proto_encode_holes(); their offsets are in buf). */
kl_err_t kl_proto_write_response_holes(kl_buf_t *buf, const kl_api_t *api, int16_t version,
                                       int32_t correlation_id, const void *body,
                                       kl_proto_holes_t *holes) KL_WARN_UNUSED;

/* Reads the correlation id of a response frame's content (without the
 * size): the first four bytes whatever the header version, so a client can
 * find the request a response belongs to before decoding it. */
kl_err_t kl_proto_peek_correlation_id(const void *frame, size_t len, int32_t *corrp) KL_WARN_UNUSED;

/* Decodes a response frame's content (without the size): header and body
 * at version. */
kl_err_t kl_proto_read_response(kl_rd_t *rd, const kl_api_t *api, int16_t version,
                                int32_t *correlation_idp, kl_arena_t *arena,
                                void *body) KL_WARN_UNUSED;

/* Header versions, for callers that frame by hand. */
int kl_proto_request_header_version(const kl_api_t *api, int16_t version);
int kl_proto_response_header_version(const kl_api_t *api, int16_t version);

/* The error code of a response frame's content that did not decode, for
 * the group APIs whose body starts with it (after the throttle time):
 * FindCoordinator before v4, JoinGroup, SyncGroup, Heartbeat, LeaveGroup.
 * Some brokers, such as librdkafka's mock cluster, leave the rest of an
 * error answer null. KL_ERR_NONE when there is none to read: a malformed
 * answer that claims success stays malformed. */
kl_err_t kl_proto_response_error_only(const kl_api_t *api, int16_t version, const uint8_t *frame, size_t len);

#endif
