/* SPDX-License-Identifier: Apache-2.0 */
/* The foundation every source file of the library shares: error reporting, quoting, the clock, sized structs
 * (doc/abi.md), numbers in text and bit counts. Not installed. */
#ifndef NCG_BASE_H
#define NCG_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ncg.h"

#define NCG_EXPORT __attribute__((visibility("default")))
#define NCG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ---- errors (error.c) ---- */

/* Fill *err (if not NULL) with code and a formatted message; return code. */
int ncg_fail(ncg_error *err, int code, const char *fmt, ...) NCG_PRINTF(3, 4);
/* Fill *err with code and "prefix: <message of inner>"; return code. inner may be err itself. */
int ncg_fail_prefix(ncg_error *err, int code, const ncg_error *inner, const char *fmt, ...) NCG_PRINTF(4, 5);

/* Quote a user string for a message: at most 64 characters, non-printable bytes as \xNN, in double quotes. */
typedef struct ncg_quoted { char s[64 * 4 + 8]; } ncg_quoted;
const char *ncg_quote(ncg_quoted *buf, const char *text);

/* Seconds of the monotonic clock (clock.c), for time limits and the summary's timings. */
double ncg_now(void);

/* ---- sized structs (abi.c): doc/abi.md ---- */

/* The size of the first version of each sized struct: the smallest `size` the library accepts. A struct that
 * grew has its first version's end here: the offset of its first appended member. */
#define NCG_V1_SIZE(type) NCG_V1_SIZE_##type
#define NCG_V1_SIZE_ncg_type offsetof(ncg_type, lnc)
#define NCG_V1_SIZE_ncg_request offsetof(ncg_request, lnc)
#define NCG_V1_SIZE_ncg_env offsetof(ncg_env, logical_nc_config)
#define NCG_V1_SIZE_ncg_node_status offsetof(ncg_node_status, lnc)
#define NCG_V1_SIZE_ncg_nodegroup_spec offsetof(ncg_nodegroup_spec, lnc)
#define NCG_V1_SIZE_ncg_reserve sizeof(ncg_reserve)
#define NCG_V1_SIZE_ncg_model sizeof(ncg_model)
#define NCG_V1_SIZE_ncg_alloc sizeof(ncg_alloc)
#define NCG_V1_SIZE_ncg_chip_cache sizeof(ncg_chip_cache)
#define NCG_V1_SIZE_ncg_core_group_cache sizeof(ncg_core_group_cache)
#define NCG_V1_SIZE_ncg_placement sizeof(ncg_placement)
#define NCG_V1_SIZE_ncg_node_score sizeof(ncg_node_score)
#define NCG_V1_SIZE_ncg_api_spec sizeof(ncg_api_spec)
#define NCG_V1_SIZE_ncg_plan_options sizeof(ncg_plan_options)
#define NCG_V1_SIZE_ncg_plan_replica sizeof(ncg_plan_replica)

/* Check that a caller's sized struct (s not NULL) declares at least min bytes. what names it in the message. */
int ncg_sized_check(const void *s, size_t min, const char *what, ncg_error *err);
/* Copy a caller's sized input struct into a full-size local one that holds the defaults (size already checked):
 * the caller's first min(size, full) bytes; dst->size becomes full. */
void ncg_sized_in(void *dst, size_t full, const void *src);
/* Write a full-size result into a caller's sized output struct: its first min(size, full) bytes, keeping the
 * caller's size member. */
void ncg_sized_out(void *dst, const void *src, size_t full);

#define NCG_CHECK_SIZED(ptr, type, err) ncg_sized_check((ptr), NCG_V1_SIZE(type), #type, (err))

/* ---- numbers in text, the same under every locale (number.c) ---- */

/* Shortest decimal that reads back to v (finite), with '.' as the decimal point. Returns the length; buf must
 * hold at least NCG_DOUBLE_MAX bytes. */
#define NCG_DOUBLE_MAX 40
int ncg_format_double(double v, char *buf);
/* Parse [0-9]+(.[0-9]+)?(e[+-]?[0-9]+)? as written by ncg_format_double(); false if malformed or not finite. */
bool ncg_parse_double(const char *s, double *out);

/* Bits set in x. Without -mpopcnt (the default for x86-64) __builtin_popcountll calls libgcc's table walk, which
 * was 1.6% of an online placement replay's instructions; the bit-parallel sum is a dozen inline operations. */
static inline int ncg_popcount64(uint64_t x)
{
#if defined(__POPCNT__) || !(defined(__x86_64__) || defined(__i386__))
    return __builtin_popcountll(x);
#else
    x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
    x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (int)((x * UINT64_C(0x0101010101010101)) >> 56);
#endif
}
static inline int ncg_ctz64(uint64_t x) { return __builtin_ctzll(x); }

#endif
