/* SPDX-License-Identifier: Apache-2.0 */
/* Memory the library keeps for reuse (a cluster's spare node records, its heap's free blocks) is poisoned under
 * AddressSanitizer while not in use, so that a use after removal is still reported although the memory is kept.
 * Without AddressSanitizer the macros do nothing. Not installed. */
#ifndef NCG_POISON_H
#define NCG_POISON_H

#if defined(__SANITIZE_ADDRESS__)
#define NCG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NCG_ASAN 1
#endif
#endif
#ifdef NCG_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
