/* Message descriptions for the generic codec.
 *
 * Each Kafka request, response (and embedded structure such as the consumer
 * protocol's subscription) is described once, as a table of kl_field_t
 * mapping the wire fields, version by version, onto the members of a C
 * struct. codec.c walks the table to encode or decode any version, so
 * encode and decode can never disagree.
 *
 * Conventions for message files (lib/proto/msg_<family>.{h,c}):
 * - C structs are named kl_<api>_request_t / kl_<api>_response_t, nested
 *   ones kl_<api>_<request|response>_<thing>_t; members are the snake_case
 *   of Kafka's field names (ThrottleTimeMs -> throttle_time_ms).
 * - Schemas are named kl_<api>_request_schema / kl_<api>_response_schema
 *   (nested: kl_<api>_<request|response>_<thing>_schema, static).
 * - Versions follow Kafka's JSON: "3+" is (3, KL_VMAX), "0-4" is (0, 4).
 * - Member types: bool, int8_t, int16_t, uint16_t, int32_t, uint32_t,
 *   int64_t, double, kl_uuid_t, kl_str_t (string), kl_bytes_t (bytes and
 *   records), a nested struct (KL_FT_STRUCT), or KL_ARRAY_OF(T) where T is
 *   one of those or a struct. */
#ifndef KL_PROTO_SCHEMA_H
#define KL_PROTO_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "proto/types.h"

typedef enum kl_ftype {
    KL_FT_BOOL = 1,
    KL_FT_INT8,
    KL_FT_INT16,
    KL_FT_UINT16,
    KL_FT_INT32,
    KL_FT_UINT32,
    KL_FT_INT64,
    KL_FT_FLOAT64,
    KL_FT_UUID,
    KL_FT_STRING,
    KL_FT_BYTES,
    KL_FT_RECORDS,
    KL_FT_STRUCT, /* nested struct held inline in the parent */
    KL_FT_ARRAY,  /* KL_ARRAY_OF(elem); elem is KL_FT_STRUCT with sub for structs */
} kl_ftype_t;

#define KL_VMAX 0x7fff  /* "N+": up to the newest version */
#define KL_VNONE (-1)   /* never (not nullable, not tagged, not flexible) */

typedef struct kl_schema kl_schema_t;

typedef struct kl_field {
    const char *name;
    const kl_schema_t *sub; /* KL_FT_STRUCT, or KL_FT_ARRAY of KL_FT_STRUCT */
    int64_t dflt;           /* default for numbers and bool; for string, bytes,
                               records and arrays: non-zero means null */
    uint16_t offset;        /* offsetof the member in the C struct */
    uint8_t type;           /* kl_ftype_t */
    uint8_t elem;           /* element kl_ftype_t of KL_FT_ARRAY */
    int16_t ver_min, ver_max;   /* versions the field exists in */
    int16_t null_min, null_max; /* versions it may be null in, or KL_VNONE */
    int16_t tag;                /* tag number, or KL_VNONE */
    int16_t tag_min, tag_max;   /* versions it is sent as a tagged field in */
} kl_field_t;

struct kl_schema {
    const char *name;
    const kl_field_t *fields;
    uint16_t nfields;
    uint16_t size; /* sizeof the C struct */
};

/* The universal field initialiser; the short forms below cover the usual
 * cases. S is the C struct type, m the member. */
#define KL_FLD(S, m, T, E, SUB, V0, V1, N0, N1, TAG, T0, T1, D)                  \
    {.name = #m, .sub = (SUB), .dflt = (D), .offset = offsetof(S, m), .type = (T), \
     .elem = (E), .ver_min = (V0), .ver_max = (V1), .null_min = (N0), .null_max = (N1), \
     .tag = (TAG), .tag_min = (T0), .tag_max = (T1)}

/* plain field in versions v0..v1 */
#define KL_F(S, m, T, v0, v1) KL_FLD(S, m, T, 0, NULL, v0, v1, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, 0)
/* with a default value (used in versions where the field is absent) */
#define KL_FD(S, m, T, v0, v1, d) KL_FLD(S, m, T, 0, NULL, v0, v1, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, d)
/* nullable from version n0 on; KL_FNN also defaults to null */
#define KL_FN(S, m, T, v0, v1, n0) KL_FLD(S, m, T, 0, NULL, v0, v1, n0, KL_VMAX, KL_VNONE, KL_VNONE, KL_VNONE, 0)
#define KL_FNN(S, m, T, v0, v1, n0) KL_FLD(S, m, T, 0, NULL, v0, v1, n0, KL_VMAX, KL_VNONE, KL_VNONE, KL_VNONE, 1)
/* tagged field (tag number tag) in versions t0+ */
#define KL_FT(S, m, T, v0, v1, tag, t0) KL_FLD(S, m, T, 0, NULL, v0, v1, KL_VNONE, KL_VNONE, tag, t0, KL_VMAX, 0)
#define KL_FTD(S, m, T, v0, v1, tag, t0, d) KL_FLD(S, m, T, 0, NULL, v0, v1, KL_VNONE, KL_VNONE, tag, t0, KL_VMAX, d)
/* tagged, nullable from n0, default null */
#define KL_FTNN(S, m, T, v0, v1, tag, t0, n0) KL_FLD(S, m, T, 0, NULL, v0, v1, n0, KL_VMAX, tag, t0, KL_VMAX, 1)
/* array of a primitive type E */
#define KL_A(S, m, E, v0, v1) KL_FLD(S, m, KL_FT_ARRAY, E, NULL, v0, v1, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, 0)
#define KL_AN(S, m, E, v0, v1, n0) KL_FLD(S, m, KL_FT_ARRAY, E, NULL, v0, v1, n0, KL_VMAX, KL_VNONE, KL_VNONE, KL_VNONE, 0)
/* array of structs described by schema sub */
#define KL_AS(S, m, sub, v0, v1) KL_FLD(S, m, KL_FT_ARRAY, KL_FT_STRUCT, &(sub), v0, v1, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, 0)
#define KL_ASN(S, m, sub, v0, v1, n0) KL_FLD(S, m, KL_FT_ARRAY, KL_FT_STRUCT, &(sub), v0, v1, n0, KL_VMAX, KL_VNONE, KL_VNONE, KL_VNONE, 0)
#define KL_AST(S, m, sub, v0, v1, tag, t0) KL_FLD(S, m, KL_FT_ARRAY, KL_FT_STRUCT, &(sub), v0, v1, KL_VNONE, KL_VNONE, tag, t0, KL_VMAX, 0)
/* nested struct, plain or tagged */
#define KL_S(S, m, sub, v0, v1) KL_FLD(S, m, KL_FT_STRUCT, 0, &(sub), v0, v1, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, KL_VNONE, 0)
#define KL_ST(S, m, sub, v0, v1, tag, t0) KL_FLD(S, m, KL_FT_STRUCT, 0, &(sub), v0, v1, KL_VNONE, KL_VNONE, tag, t0, KL_VMAX, 0)

#define KL_NFIELDS(fields) ((uint16_t)(sizeof(fields) / sizeof((fields)[0])))
/* Defines schema var for struct S from the field table fields. */
#define KL_SCHEMA(var, S, fields) const kl_schema_t var = {#S, fields, KL_NFIELDS(fields), (uint16_t)sizeof(S)}

#endif
