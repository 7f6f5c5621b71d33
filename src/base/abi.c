/* SPDX-License-Identifier: Apache-2.0 */
/* Sized public structs (doc/abi.md): a struct starts with `uint32_t size`, set by the caller to the sizeof it was
 * compiled with. Members are only appended, so the library reads and writes the first min(size, its own sizeof)
 * bytes and treats members past the caller's size as their defaults. */
#include <string.h>

#include "base/base.h"

static uint32_t size_of(const void *s)
{
    uint32_t size;
    memcpy(&size, s, sizeof(size));
    return size;
}

int ncg_sized_check(const void *s, size_t min, const char *what, ncg_error *err)
{
    uint32_t size = size_of(s);
    if (size < min)
        return ncg_fail(err, NCG_E_INVALID, "%s.size %u is smaller than the %zu bytes of its first version: "
                        "initialise it with NCG_INIT(%s) or its _init() function", what, size, min, what);
    return 0;
}

void ncg_sized_in(void *dst, size_t full, const void *src)
{
    uint32_t size = size_of(src), own = (uint32_t)full;
    size_t n = size < full ? size : full;
    memcpy((char *)dst + sizeof(uint32_t), (const char *)src + sizeof(uint32_t), n - sizeof(uint32_t));
    memcpy(dst, &own, sizeof(own));
}

void ncg_sized_out(void *dst, const void *src, size_t full)
{
    uint32_t size = size_of(dst);
    size_t n = size < full ? size : full;
    memcpy((char *)dst + sizeof(uint32_t), (const char *)src + sizeof(uint32_t), n - sizeof(uint32_t));
}
