/* Arena allocator: see arena.h. Chunks grow geometrically; a large request
 * gets a chunk of its own. */
#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct kl_arena_chunk {
    kl_arena_chunk_t *next;
    size_t size;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

void kl_arena_init(kl_arena_t *arena, size_t limit)
{
    arena->head = NULL;
    arena->total = 0;
    arena->limit = limit;
}

void *kl_arena_alloc(kl_arena_t *arena, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + align - 1) & ~(align - 1);
    if (arena->limit && size > arena->limit - arena->total)
        return NULL;
    kl_arena_chunk_t *c = arena->head;
    if (!c || c->size - c->used < size) {
        size_t csize = c ? c->size * 2 : 1024;
        if (csize > 1 << 20)
            csize = 1 << 20;
        if (csize < size)
            csize = size;
        c = malloc(sizeof *c + csize);
        if (!c)
            return NULL;
        c->size = csize;
        c->used = 0;
        c->next = arena->head;
        arena->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    arena->total += size;
    memset(p, 0, size);
    return p;
}

void *kl_arena_calloc(kl_arena_t *arena, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return kl_arena_alloc(arena, count * size);
}

char *kl_arena_strndup(kl_arena_t *arena, const char *s, size_t n)
{
    char *p = kl_arena_alloc(arena, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void kl_arena_free(kl_arena_t *arena)
{
    kl_arena_chunk_t *c = arena->head;
    while (c) {
        kl_arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    arena->head = NULL;
    arena->total = 0;
}
