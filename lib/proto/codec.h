/* The generic codec: encodes and decodes any message described by a
 * kl_schema_t, at any version, in the classic or flexible encoding.
 *
 * Decoding is zero copy for strings and bytes (they point into the input,
 * which must outlive the message) and puts arrays in the caller's arena.
 * Every read is bounds-checked; a truncated or malformed input returns
 * KL_ERR_BAD_MSG (rd->what says what broke) and never reads or allocates
 * past what the input and the arena's limit allow. */
#ifndef KL_PROTO_CODEC_H
#define KL_PROTO_CODEC_H

#include <stdbool.h>
#include <stdint.h>

#include "kafkalite/error.h"
#include "proto/schema.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/reader.h"

/* Sets every field of msg (a struct described by schema) to its default:
 * numbers to their default, strings/bytes/arrays to empty or, where the
 * default is null, to null. Nested structs recursively. */
void kl_proto_init(const kl_schema_t *schema, void *msg);

/* Appends msg encoded at version to buf. flexible selects compact lengths
 * and tagged-field sections (kl_api_is_flexible()). Fields absent at that
 * version are skipped. Returns KL_ERR_INVALID_ARG when a field that cannot
 * be null at that version is null, or the buffer's sticky error. */
kl_err_t kl_proto_encode(kl_buf_t *buf, const kl_schema_t *schema, int16_t version,
                         bool flexible, const void *msg) KL_WARN_UNUSED;

/* Offsets in the buffer of the holes an encoding left, in encoding order:
 * a RECORDS field whose ptr is NULL and len > 0 is encoded as its length
 * followed by len bytes left unwritten, for the caller to fill in place
 * (a fetch answer preads segment files straight into its output). */
typedef struct kl_proto_holes {
    size_t *offsets; /* the caller's array of cap entries */
    size_t count, cap;
} kl_proto_holes_t;

/* kl_proto_encode() that may leave holes, recorded in holes: more holes
 * than holes->cap, or one inside a tagged field, is KL_ERR_INVALID_ARG. */
kl_err_t kl_proto_encode_holes(kl_buf_t *buf, const kl_schema_t *schema, int16_t version, bool flexible,
                               const void *msg, kl_proto_holes_t *holes) KL_WARN_UNUSED;

/* Decodes one msg at version from rd into msg (which need not be
 * initialised: absent fields get their defaults). Unknown tagged fields are
 * skipped. Returns KL_ERR_BAD_MSG on malformed input, KL_ERR_NOMEM when the
 * arena refuses. */
kl_err_t kl_proto_decode(kl_rd_t *rd, const kl_schema_t *schema, int16_t version,
                         bool flexible, kl_arena_t *arena, void *msg) KL_WARN_UNUSED;

/* True when a and b (structs of schema) hold the same values in every field
 * present at version (deep, for tests and assertions). */
bool kl_proto_equal(const kl_schema_t *schema, int16_t version, const void *a, const void *b);

#endif
