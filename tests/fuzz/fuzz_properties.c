/* Fuzz target: the .properties parser of `kafkalite broker`
 * (tools/properties.c) on any text. Invariant: the properties it reads,
 * written back one per line with every special character escaped, read
 * back as the same keys and values, each on its own line. */
#include <string.h>

#include "../../tools/properties.h"
#include "fuzz.h"
#include "util/buf.h"

typedef struct props {
    char **keys, **values;
    int *lines;
    size_t n, cap;
} props_t;

static int collect(void *opaque, const char *key, const char *value, int line)
{
    props_t *p = opaque;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->keys = realloc(p->keys, p->cap * sizeof *p->keys);
        p->values = realloc(p->values, p->cap * sizeof *p->values);
        p->lines = realloc(p->lines, p->cap * sizeof *p->lines);
        FUZZ_ASSERT(p->keys && p->values && p->lines, "out of memory");
    }
    p->keys[p->n] = strdup(key);
    p->values[p->n] = strdup(value);
    FUZZ_ASSERT(p->keys[p->n] && p->values[p->n], "out of memory");
    p->lines[p->n++] = line;
    return 0;
}

static void props_free(props_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->keys[i]);
        free(p->values[i]);
    }
    free(p->keys);
    free(p->values);
    free(p->lines);
}

/* Writes s with every character the parser treats specially escaped. */
static void put_escaped(kl_buf_t *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\n': kl_buf_put(b, "\\n", 2); break;
        case '\r': kl_buf_put(b, "\\r", 2); break;
        case '\t': kl_buf_put(b, "\\t", 2); break;
        case '\f': kl_buf_put(b, "\\f", 2); break;
        case '\\': case '=': case ':': case ' ': case '#': case '!':
            kl_buf_put(b, "\\", 1);
            /* fall through */
        default: kl_buf_put(b, s, 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    props_t first = {0}, second = {0};
    int bad_line = -1;
    int rc = properties_parse((const char *)data, size, collect, &first, &bad_line);
    FUZZ_ASSERT(rc == 0 || (rc == -1 && bad_line > 0), "parse gave %d, bad line %d", rc, bad_line);
    if (rc == 0) {
        kl_buf_t text;
        kl_buf_init(&text, 0);
        for (size_t i = 0; i < first.n; i++) {
            put_escaped(&text, first.keys[i]);
            kl_buf_put(&text, "=", 1);
            put_escaped(&text, first.values[i]);
            kl_buf_put(&text, "\n", 1);
        }
        FUZZ_ASSERT(kl_buf_error(&text) == KL_ERR_NONE, "out of memory");
        rc = properties_parse((const char *)text.data, text.len, collect, &second, &bad_line);
        FUZZ_ASSERT(rc == 0, "the written-back properties do not parse: %d at line %d", rc, bad_line);
        FUZZ_ASSERT(second.n == first.n, "%zu properties, %zu when written back", first.n, second.n);
        for (size_t i = 0; i < first.n; i++) {
            FUZZ_ASSERT(strcmp(first.keys[i], second.keys[i]) == 0, "key %zu differs written back", i);
            FUZZ_ASSERT(strcmp(first.values[i], second.values[i]) == 0, "value %zu differs written back", i);
            FUZZ_ASSERT(second.lines[i] == (int)i + 1, "property %zu on line %d", i, second.lines[i]);
        }
        kl_buf_free(&text);
    }
    props_free(&first);
    props_free(&second);
    return 0;
}
