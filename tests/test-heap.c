/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: a cluster's heap for allocation records (src/base/heap.c): block sizes by class, reuse of given-back
 * blocks, blocks that never overlap while chunks grow to 2 MiB, the 2 MiB chunks' alignment, blocks from malloc
 * past the classes, and a release that leaves an empty heap. (Under AddressSanitizer the free blocks are poisoned:
 * the asan CI jobs run this suite and every cluster suite through it.) */
#include <stdlib.h>

#include "test-common.h"

#include "base/heap.h"

#define KIB ((size_t)1 << 10)

START_TEST(block_sizes_double_from_the_base)
{
    ncg_heap h;
    ncg_heap_init(&h, 384);
    ck_assert_uint_eq(h.base, 384);
    ck_assert_uint_eq(ncg_heap_block_size(&h, 1), 384);
    ck_assert_uint_eq(ncg_heap_block_size(&h, 384), 384);
    ck_assert_uint_eq(ncg_heap_block_size(&h, 385), 768);
    ck_assert_uint_eq(ncg_heap_block_size(&h, 100 * KIB), 192 * KIB);
    ck_assert_uint_eq(ncg_heap_block_size(&h, 384 * KIB), 384 * KIB); /* the largest class: under 2 MiB / 4 */
    ck_assert_uint_eq(ncg_heap_block_size(&h, 384 * KIB + 1), 384 * KIB + 64); /* from malloc, whole lines */
    ncg_heap_init(&h, 100);
    ck_assert_uint_eq(h.base, 128); /* a multiple of 64 */
    ncg_heap_init(&h, 0);
    ck_assert_uint_eq(h.base, 64);
    ck_assert_ptr_null(ncg_heap_alloc(&h, 0));
    ck_assert_ptr_null(h.chunks); /* nothing allocated */
    ncg_heap_release(&h);
}
END_TEST

START_TEST(a_block_given_back_is_the_next_of_its_class)
{
    ncg_heap h;
    void *a, *b, *c, *d;
    ncg_heap_init(&h, 384);
    a = ncg_heap_alloc(&h, 384);
    b = ncg_heap_alloc(&h, 768);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq((uintptr_t)a % 64, 0);
    ck_assert_uint_eq((uintptr_t)b % 64, 0);
    ncg_heap_free(&h, a, 384);
    ncg_heap_free(&h, b, 700); /* any size of the same class */
    c = ncg_heap_alloc(&h, 400); /* class 1: b */
    d = ncg_heap_alloc(&h, 10);  /* class 0: a */
    ck_assert_ptr_eq(c, b);
    ck_assert_ptr_eq(d, a);
    ncg_heap_free(&h, NULL, 384); /* nothing */
    ncg_heap_free(&h, c, 768);
    ncg_heap_free(&h, d, 384);
    ncg_heap_release(&h);
    ck_assert_ptr_null(h.chunks);
    ck_assert_ptr_null(h.free[0]);
    ck_assert_uint_eq(h.base, 384); /* empty again, same classes */
}
END_TEST

typedef struct held {
    unsigned char *p;
    size_t bytes;
    unsigned char mark;
} held;

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const held *)a)->p, y = (uintptr_t)((const held *)b)->p;
    return (x > y) - (x < y);
}

/* No two blocks held share a byte of their whole class: sorted by address, each ends where the next starts or
 * before. */
static void check_apart(const ncg_heap *h, const held *hold, int slots, held *scratch)
{
    int n = 0;
    for (int i = 0; i < slots; i++)
        if (hold[i].p)
            scratch[n++] = hold[i];
    qsort(scratch, (size_t)n, sizeof(*scratch), by_address);
    for (int i = 0; i + 1 < n; i++)
        ck_assert_uint_le((uintptr_t)(scratch[i].p + ncg_heap_block_size(h, scratch[i].bytes)),
                          (uintptr_t)scratch[i + 1].p);
}

/* Random blocks of every class and some past them, given back in random order and taken again: no two blocks held
 * overlap, and each keeps the marks written at its ends, while the heap grows to 2 MiB chunks. */
START_TEST(blocks_never_overlap_as_chunks_grow)
{
    enum { SLOTS = 3000, OPS = 40000 };
    held *hold = calloc(SLOTS, sizeof(*hold)), *scratch = calloc(SLOTS, sizeof(*scratch));
    uint64_t seed = 7;
    ncg_heap h;
    bool huge = false;
    ck_assert_ptr_nonnull(hold);
    ck_assert_ptr_nonnull(scratch);
    ncg_heap_init(&h, 384);
    for (int op = 0; op < OPS; op++) {
        held *s = &hold[test_rand(&seed) % SLOTS];
        if (s->p) {
            ck_assert_uint_eq(s->p[0], s->mark);
            ck_assert_uint_eq(s->p[s->bytes - 1], s->mark);
            ncg_heap_free(&h, s->p, s->bytes);
            s->p = NULL;
        } else {
            uint64_t r = test_rand(&seed);
            int k = (int)(r % 7); /* classes 0-6 mostly, sometimes a block past the classes */
            s->bytes = r % 100 == 0 ? 400 * KIB + r % 1000 : (size_t)(384 << k) - (size_t)(r % 300);
            s->p = ncg_heap_alloc(&h, s->bytes);
            ck_assert_ptr_nonnull(s->p);
            ck_assert_uint_eq((uintptr_t)s->p % 64, 0);
            s->mark = (unsigned char)(1 + op % 251);
            s->p[0] = s->p[s->bytes - 1] = s->mark;
        }
        if (h.next_chunk == 2 * KIB * KIB && h.chunks && (uintptr_t)h.chunks % (2 * KIB * KIB) == 0)
            huge = true; /* a 2 MiB chunk, on a 2 MiB boundary (for a huge page) */
        if (op % 2000 == 1999)
            check_apart(&h, hold, SLOTS, scratch);
    }
    ck_assert(huge);
    for (int i = 0; i < SLOTS; i++)
        if (hold[i].p) {
            ck_assert_uint_eq(hold[i].p[0], hold[i].mark);
            ncg_heap_free(&h, hold[i].p, hold[i].bytes);
        }
    ncg_heap_release(&h);
    free(hold);
    free(scratch);
}
END_TEST

/* The unused end of a chunk is not lost: a block that does not fit there starts a new chunk, and the end goes to
 * the free lists of the smaller classes it holds. */
START_TEST(a_chunks_end_serves_smaller_blocks)
{
    ncg_heap h;
    void *first, *big, *small;
    ncg_heap_init(&h, 384);
    first = ncg_heap_alloc(&h, 384); /* an 8 KiB chunk: 8128 bytes after its header */
    ck_assert_ptr_nonnull(first);
    ck_assert_uint_eq(h.left, 8 * KIB - 64 - 384);
    big = ncg_heap_alloc(&h, 12 * KIB); /* 12 KiB: a 16 KiB chunk... */
    ck_assert_ptr_nonnull(big);
    ck_assert_ptr_nonnull(h.free[4]); /* ...and the 7,744 bytes left go to classes 4 (6,144), 2 (1,536) */
    ck_assert_ptr_nonnull(h.free[2]);
    ck_assert_ptr_null(h.free[3]);
    small = ncg_heap_alloc(&h, 1536);
    ck_assert_ptr_eq(small, (char *)first + 384 + 6144);
    ncg_heap_free(&h, first, 384);
    ncg_heap_free(&h, big, 12 * KIB);
    ncg_heap_free(&h, small, 1536);
    ncg_heap_release(&h);
}
END_TEST

NCG_SUITE(heap)
{
    Suite *s = suite_create("heap");
    TCase *t = add_tcase(s, "heap");
    add_test(t, block_sizes_double_from_the_base);
    add_test(t, a_block_given_back_is_the_next_of_its_class);
    add_test(t, blocks_never_overlap_as_chunks_grow);
    add_test(t, a_chunks_end_serves_smaller_blocks);
    return s;
}
