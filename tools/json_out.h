/* `--format json`: one JSON object per line (JSON Lines), written as the
 * rows are printed. Strings are escaped as RFC 8259 says (quote,
 * backslash and control characters); bytes that are not valid UTF-8 are
 * written as U+FFFD by json_str(), while json_bytes() keeps them exactly
 * by writing the field "<name>_base64" (base64) in place of "<name>". A
 * writer holds the nesting of one object: json_begin(), fields, objects
 * and arrays inside, json_end() (which ends the line). */
#ifndef KL_TOOLS_JSON_OUT_H
#define KL_TOOLS_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

typedef struct json_out {
    FILE *out;
    int depth;
    bool first[JSON_MAX_DEPTH]; /* no member written yet at each level */
} json_out_t;

/* Starts an object on out. */
void json_begin(json_out_t *j, FILE *out);
/* Ends the object and the line. */
void json_end(json_out_t *j);

/* Each writer takes the member's name, or NULL for an array element. */
void json_str(json_out_t *j, const char *name, const char *s); /* NULL: null */
void json_int(json_out_t *j, const char *name, int64_t v);
void json_bool(json_out_t *j, const char *name, bool v);
void json_null(json_out_t *j, const char *name);
/* v with three decimals (null when not finite). */
void json_real(json_out_t *j, const char *name, double v);
/* data (NULL: null) as a UTF-8 string under name, or base64 under
 * "<name>_base64" when it is not valid UTF-8. */
void json_bytes(json_out_t *j, const char *name, const void *data, size_t len);

/* Opens an object ('{') or array ('['); json_close() ends it. */
void json_open(json_out_t *j, const char *name, char bracket);
void json_close(json_out_t *j, char bracket);

/* Whether len bytes are well-formed UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF). */
bool json_utf8_valid(const unsigned char *s, size_t len);

#endif
