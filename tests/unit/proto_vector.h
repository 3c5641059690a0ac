/* Shared by the message-table tests: checks one hand-built byte vector
 * against a schema (decode, every byte used, re-encode to the same bytes,
 * every strict prefix refused). */
#ifndef KL_TEST_PROTO_VECTOR_H
#define KL_TEST_PROTO_VECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/codec.h"

/* Decodes vec (of schema at version) into msg with arrays in arena, and
 * fails the running Check test on any mismatch. Each prefix is copied to a
 * buffer of exactly its size so a sanitizer build catches any over-read. */
void check_proto_vector(const kl_schema_t *schema, int16_t version, bool flexible,
                        const uint8_t *vec, size_t len, kl_arena_t *arena, void *msg);

#endif
