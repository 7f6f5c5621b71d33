/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation failure injection (failalloc.h). Single-threaded, like the test that uses it. */
#include "failalloc.h"

static int counting;
static long fail_at, seen;
static int fired;

void failalloc_arm(long k)
{
    fail_at = k;
    seen = 0;
    fired = 0;
    counting = 1;
}

long failalloc_disarm(void)
{
    counting = 0;
    return seen;
}

int failalloc_fired(void)
{
    return fired;
}

/* Count one allocation; true when it is the one to fail. */
static int fail_now(void)
{
    if (!counting)
        return 0;
    if (++seen == fail_at) {
        fired = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t size)
{
    return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    return fail_now() ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
    return fail_now() ? NULL : __real_realloc(ptr, size);
}

void *__wrap_aligned_alloc(size_t alignment, size_t size)
{
    return fail_now() ? NULL : __real_aligned_alloc(alignment, size);
}
