/* SPDX-License-Identifier: Apache-2.0 */
/* Internal declarations shared by the library's source files: error reporting, sized structs, names, the
 * request shape, windows and NCG geometry. Not installed. Handle layouts are private to their own files. */
#ifndef NCG_PRIVATE_H
#define NCG_PRIVATE_H

#include <stdbool.h>
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

/* Seconds of the monotonic clock (number.c), for time limits and the summary's timings. */
double ncg_now(void);

/* ---- sized structs (abi.c): doc/abi.md ---- */

/* The size of the first version of each sized struct: the smallest `size` the library accepts. */
#define NCG_V1_SIZE(type) sizeof(type)

/* Check that a caller's sized struct (s not NULL) declares at least min bytes. what names it in the message. */
int ncg_sized_check(const void *s, size_t min, const char *what, ncg_error *err);
/* Copy a caller's sized input struct into a full-size local one that holds the defaults (size already checked):
 * the caller's first min(size, full) bytes; dst->size becomes full. */
void ncg_sized_in(void *dst, size_t full, const void *src);
/* Write a full-size result into a caller's sized output struct: its first min(size, full) bytes, keeping the
 * caller's size member. */
void ncg_sized_out(void *dst, const void *src, size_t full);

#define NCG_CHECK_SIZED(ptr, type, err) ncg_sized_check((ptr), NCG_V1_SIZE(type), #type, (err))

/* A caller's request, normalised: checked size and fields, copied into a full-size struct. The models stay the
 * caller's (read them with ncg_model_at()); valid for the duration of the call. */
int ncg_request_in(const ncg_request *user, ncg_request *out, ncg_error *err);

/* Model i of a normalised request: the array's stride is its first element's size. */
static inline const ncg_model *ncg_model_at(const ncg_request *r, size_t i)
{
    return (const ncg_model *)(const void *)((const char *)r->models + i * r->models[0].size);
}

/* ---- names ---- */

/* 1 to max characters of A-Z, a-z, 0-9, '.', '_' and '-' (type, node group and node names). */
bool ncg_valid_name(const char *s, size_t max);

/* ---- types (catalog.c) ---- */

/* Copy of a catalog type that a node or cluster owns: no pointers into the catalog. */
typedef struct ncg_type_copy {
    char name[NCG_NAME_MAX + 1];
    ncg_type t;                  /* t.name points at name after ncg_type_copy_fix(); t.family is NULL */
    int64_t cpu_usable_milli;    /* after reserves */
    int64_t memory_usable_bytes;
    int64_t runtime_reserve_bytes_per_chip;
} ncg_type_copy;

/* Resolve a type of the catalog into a self-contained copy (reserves applied). */
int ncg_catalog_copy_type(const ncg_catalog *catalog, const char *name, ncg_type_copy *out, ncg_error *err);
/* Check a type as ncg_catalog_set_type() does. */
int ncg_type_check(const ncg_type *t, ncg_error *err);

/* Point t.name at the copy's own name (after the copy was moved). */
static inline void ncg_type_copy_fix(ncg_type_copy *tc)
{
    tc->t.name = tc->name;
    tc->t.family = NULL;
}

/* ---- requests (request.c) ---- */

/* Request analysis shared by validation, layout and allocation. */
typedef struct ncg_shape {
    int chips;          /* whole chips (inf), 0 if core-granular or CPU only */
    int cores;          /* cores in total */
    int ppr;
    int ncg_size;       /* cores per NCG; 0 for CPU only */
} ncg_shape;

/* Validate a normalised request's field domains only (no type). */
int ncg_request_check_fields(const ncg_request *request, ncg_error *err);

/* Full check of a normalised request against one resolved type; fills *shape on success. */
int ncg_request_check_type(const ncg_type_copy *type, const ncg_request *request, ncg_shape *shape,
                           ncg_error *err);

/* Model checks of a normalised request against an NCG size: returns 0, NCG_E_MODEL. */
int ncg_models_check(const ncg_request *request, int ncg_size, ncg_error *err);

/* ---- windows (window.c) ---- */

/* Whole-chip windows. A window is a bitmask of chips. */
uint64_t ncg_window_mask(int first, int count);
/* Is `count` chips ever a valid window on this topology/chip count? */
bool ncg_window_size_valid(ncg_topology topology, int chips, int count);
/* Choose a free window of `count` chips in `free_mask`; return first chip or -1. */
int ncg_window_find(ncg_topology topology, int chips, uint64_t free_mask, int count, ncg_policy policy);
/* Is [first, first+count) a valid window position on this topology? */
/* Write a type into a caller's sized struct, member by member (no padding bytes of whoever filled @p src). */
void ncg_type_out(const ncg_type *src, const char *name, const char *family, ncg_type *out);
bool ncg_window_valid_at(ncg_topology topology, int chips, int first, int count);
/* Largest valid window that is free. */
int ncg_window_largest(ncg_topology topology, int chips, uint64_t free_mask);

/* ---- NCG geometry (geometry.c): where cores and NCGs lie on chips ---- */

/* The chips a core range [first, first+count) touches (count >= 1). */
void ncg_span_chips(int first_core, int core_count, int cores_per_chip, int *out_first_chip, int *out_chip_count);
/* The same as a chip mask. */
uint64_t ncg_span_mask(int first_core, int core_count, int cores_per_chip);
/* NCG `process` of a replica whose cores start at first_core: uniform NCGs of ncg_size cores, or the given
 * per-process sizes when sizes is not NULL. device_memory_bytes is per chip. */
void ncg_core_group_at(int first_core, int ncg_size, const int *sizes, int process, int cores_per_chip,
                       int64_t device_memory_bytes, ncg_core_group *out);
/* Cores of an NCG on one chip. */
int ncg_core_group_cores_on_chip(const ncg_core_group *g, int chip, int cores_per_chip);

/* ---- env strings (env.c) ---- */

/* Parse a contiguous increasing id list ("3-6", "3,4,5,6", "3-5,6"). what names the variable in messages. */
int ncg_parse_id_range(const char *what, const char *text, int limit, int *out_first, int *out_count,
                       ncg_error *err);

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
