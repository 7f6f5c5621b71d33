/* SPDX-License-Identifier: Apache-2.0 */
/* A cluster's heap for its nodes' allocation records (heap.h). */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE, beside the project's _POSIX_C_SOURCE */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "base/heap.h"
#include "base/poison.h"

#define CHUNK_FIRST ((size_t)8 << 10)
#define CHUNK_MAX ((size_t)2 << 20) /* a huge page of x86-64 and arm64 (4 KiB base pages) */
#define HEADER 64                   /* a chunk's link, on its own cache line */

typedef struct heap_chunk {
    struct heap_chunk *next;
} heap_chunk;

void ncg_heap_init(ncg_heap *h, size_t base)
{
    memset(h, 0, sizeof(*h));
    h->base = base < 64 ? 64 : (base + 63) / 64 * 64;
    h->next_chunk = CHUNK_FIRST;
}

/* The class of a block of bytes, or -1 when it comes from aligned_alloc. */
static int class_of(const ncg_heap *h, size_t bytes)
{
    int k = 0;
    size_t size = h->base;
    while (size < bytes) {
        if (++k == NCG_HEAP_CLASSES || size > CHUNK_MAX / 8)
            return -1;
        size *= 2;
    }
    return size <= CHUNK_MAX / 4 ? k : -1;
}

size_t ncg_heap_block_size(const ncg_heap *h, size_t bytes)
{
    int k = class_of(h, bytes);
    return k < 0 ? (bytes + 63) / 64 * 64 : h->base << k;
}

static void push(ncg_heap *h, int k, void *p)
{
    *(void **)p = h->free[k];
    h->free[k] = p;
    POISON(p, h->base << k);
}

/* The unused tail of the newest chunk, to the free lists of the largest classes it holds. */
static void keep_tail(ncg_heap *h)
{
    while (h->left >= h->base) {
        int k = 0;
        while (k + 1 < NCG_HEAP_CLASSES && h->base << (k + 1) <= h->left)
            k++;
        UNPOISON(h->cursor, sizeof(void *));
        push(h, k, h->cursor);
        h->cursor += h->base << k;
        h->left -= h->base << k;
    }
}

/* A new chunk with room for a block of size bytes; false when out of memory (nothing changed). */
static bool grow(ncg_heap *h, size_t size)
{
    size_t bytes = h->next_chunk;
    heap_chunk *c;
    while (bytes < size + HEADER)
        bytes *= 2; /* size is at most CHUNK_MAX / 4 */
    c = aligned_alloc(bytes == CHUNK_MAX ? CHUNK_MAX : 64, bytes);
    if (!c)
        return false;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes == CHUNK_MAX)
        (void)madvise(c, bytes, MADV_HUGEPAGE); /* advice: the chunk works the same without it */
#endif
    keep_tail(h);
    c->next = h->chunks;
    h->chunks = c;
    h->cursor = (char *)c + HEADER;
    h->left = bytes - HEADER;
    h->next_chunk = bytes < CHUNK_MAX ? 2 * bytes : CHUNK_MAX;
    POISON(h->cursor, h->left);
    return true;
}

void *ncg_heap_alloc(ncg_heap *h, size_t bytes)
{
    int k;
    size_t size;
    void *p;
    if (bytes == 0)
        return NULL;
    k = class_of(h, bytes);
    if (k < 0)
        return aligned_alloc(64, (bytes + 63) / 64 * 64);
    size = h->base << k;
    if (h->free[k]) {
        p = h->free[k];
        UNPOISON(p, size);
        h->free[k] = *(void **)p;
        return p;
    }
    if (h->left < size && !grow(h, size))
        return NULL;
    p = h->cursor;
    UNPOISON(p, size);
    h->cursor += size;
    h->left -= size;
    return p;
}

void ncg_heap_free(ncg_heap *h, void *p, size_t bytes)
{
    int k;
    if (!p)
        return;
    k = class_of(h, bytes);
    if (k < 0)
        free(p);
    else
        push(h, k, p);
}

void ncg_heap_release(ncg_heap *h)
{
    for (heap_chunk *c = h->chunks, *next; c; c = next) {
        next = c->next;
        free(c); /* the chunk's memory may be poisoned: free() does not read it */
    }
    ncg_heap_init(h, h->base);
}
