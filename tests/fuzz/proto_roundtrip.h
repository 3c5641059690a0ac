/* The codec's round trip, shared by fuzz_request and fuzz_response. */
#ifndef KL_FUZZ_PROTO_ROUNDTRIP_H
#define KL_FUZZ_PROTO_ROUNDTRIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/codec.h"

/* Arena limit for one input's decode: big enough for any array the input
 * can claim, small enough that libFuzzer's memory limit is never hit. */
#define FUZZ_ARENA_LIMIT (16u << 20)

/* first is a message of schema decoded from fuzzer bytes. Encodes it,
 * decodes that encoding (which must succeed and use every byte), and checks
 * that the second decode equals the first and encodes to the same bytes.
 * The input itself may differ from the encoding (see README). */
void fuzz_proto_roundtrip(const kl_schema_t *schema, int16_t version, bool flexible, const void *first);

/* Same bytes, or abort naming what differs. */
void fuzz_same_bytes(const char *what, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
