/* SPDX-License-Identifier: Apache-2.0 */
/* A cluster's heap for its nodes' allocation records: blocks in size classes that double (class k holds base << k
 * bytes), carved from chunks the heap owns and kept on a free list per class when given back, so the records that
 * grow and shrink all day reuse the same memory. Chunks grow from 8 KiB to 2 MiB; the 2 MiB ones are aligned to 2
 * MiB and, on Linux, advised for transparent huge pages, so that a large cluster's records take a few TLB entries
 * and a placement that grows a record does not take a page fault (doc/placement.md). Blocks larger than a quarter
 * of a chunk come from aligned_alloc. Not thread-safe (nor is the cluster that owns it); not installed. */
#ifndef NCG_HEAP_H
#define NCG_HEAP_H

#include <stddef.h>

#define NCG_HEAP_CLASSES 16

typedef struct ncg_heap {
    size_t base;                /* bytes of a class-0 block, a multiple of 64 */
    struct heap_chunk *chunks;  /* newest first */
    char *cursor;               /* unused part of the newest chunk */
    size_t left;
    size_t next_chunk;          /* bytes of the next chunk */
    void *free[NCG_HEAP_CLASSES];
} ncg_heap;

/* An empty heap whose smallest block is base bytes (rounded up to a multiple of 64). Allocates nothing. */
void ncg_heap_init(ncg_heap *h, size_t base);
/* A block of at least bytes, 64-byte aligned, or NULL when out of memory (bytes 0 gives NULL). */
void *ncg_heap_alloc(ncg_heap *h, size_t bytes);
/* The bytes the block ncg_heap_alloc(h, bytes) gives holds: its class's size, or bytes rounded up to whole cache
 * lines past the classes (from aligned_alloc). */
size_t ncg_heap_block_size(const ncg_heap *h, size_t bytes);
/* Give back p (NULL: nothing), which ncg_heap_alloc(h, bytes) returned, with the same bytes. */
void ncg_heap_free(ncg_heap *h, void *p, size_t bytes);
/* Free every chunk (the blocks from aligned_alloc must have been given back). The heap is empty again. */
void ncg_heap_release(ncg_heap *h);

#endif
