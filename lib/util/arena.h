/* Arena allocator: many small allocations freed together. A decoded request
 * or response keeps its arrays in one arena, so freeing the message is one
 * call and a malformed input can never leak half a tree. */
#ifndef KL_UTIL_ARENA_H
#define KL_UTIL_ARENA_H

#include <stddef.h>

typedef struct kl_arena_chunk kl_arena_chunk_t;

typedef struct kl_arena {
    kl_arena_chunk_t *head;
    size_t total;  /* bytes handed out so far */
    size_t limit;  /* refuse allocations past this total (0: no limit) */
} kl_arena_t;

void kl_arena_init(kl_arena_t *arena, size_t limit);
/* Zeroed memory aligned for any type, or NULL when out of memory or past
 * the limit. */
void *kl_arena_alloc(kl_arena_t *arena, size_t size);
/* kl_arena_alloc(count * size) with an overflow check. */
void *kl_arena_calloc(kl_arena_t *arena, size_t count, size_t size);
/* A NUL-terminated copy of n bytes. */
char *kl_arena_strndup(kl_arena_t *arena, const char *s, size_t n);
void kl_arena_free(kl_arena_t *arena);

#endif
