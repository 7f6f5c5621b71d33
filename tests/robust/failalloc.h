/* SPDX-License-Identifier: Apache-2.0 */
/* An allocator shim for the out-of-memory test: the executable is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc, so that every malloc, calloc, realloc and
 * aligned_alloc of the library (and of the test) goes through failalloc.c, which counts them while armed and fails
 * exactly the k-th one. */
#ifndef NCG_FAILALLOC_H
#define NCG_FAILALLOC_H

#include <stddef.h>

/* Start counting allocations; the k-th one from now returns NULL (k = 0: count only, never fail). */
void failalloc_arm(long k);
/* Stop counting. Returns the number of allocations seen since failalloc_arm(), the failed one included. */
long failalloc_disarm(void);
/* Whether the armed failure happened (since the last failalloc_arm()). */
int failalloc_fired(void);

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void *__wrap_aligned_alloc(size_t alignment, size_t size);

#endif
