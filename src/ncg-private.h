/* SPDX-License-Identifier: Apache-2.0 */
/* Internal declarations shared by the library's source files. Not installed. */
#ifndef NCG_PRIVATE_H
#define NCG_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ncg.h"

#define NCG_EXPORT __attribute__((visibility("default")))
#define NCG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Fill *err (if not NULL) with code and a formatted message; return code. */
int ncg_fail(ncg_error *err, int code, const char *fmt, ...) NCG_PRINTF(3, 4);

/* Quote a user string for a message: at most 64 characters, non-printable bytes as \xNN, in double quotes. */
typedef struct ncg_quoted { char s[64 * 4 + 8]; } ncg_quoted;
const char *ncg_quote(ncg_quoted *buf, const char *text);

/* 1 to NCG_NAME_MAX characters of A-Z, a-z, 0-9, '.', '_' and '-' (type, group and node names). */
bool ncg_valid_name(const char *s);

/* Copy of a catalog type that a node or cluster owns: no pointers into the catalog. */
typedef struct ncg_type_copy {
    char name[NCG_NAME_MAX + 1];
    ncg_type t;                  /* t.name points at name; t.family is NULL */
    int64_t cpu_usable_milli;    /* after reserves */
    int64_t memory_usable_bytes;
    int64_t runtime_reserve_bytes_per_chip;
} ncg_type_copy;

/* Resolve a type of the catalog into a self-contained copy (reserves applied). */
int ncg_catalog_copy_type(const ncg_catalog *catalog, const char *name, ncg_type_copy *out, ncg_error *err);

/* Request analysis shared by validation, layout and allocation. */
typedef struct ncg_shape {
    int chips;          /* whole chips (inf), 0 if core-granular or CPU only */
    int cores;          /* cores in total */
    int ppr;
    int ncg_size;       /* cores per NCG; 0 for CPU only */
} ncg_shape;

/* Validate the request's field domains only (no type). */
int ncg_request_check_fields(const ncg_request *request, ncg_error *err);

/* Full check of a request against one resolved type; fills *shape on success. */
int ncg_request_check_type(const ncg_type_copy *type, const ncg_request *request, ncg_shape *shape,
                           ncg_error *err);

/* Whole-chip windows. A window is a bitmask of chips. */
uint64_t ncg_window_mask(int first, int count);
/* Is `count` chips ever a valid window on this topology/chip count? */
bool ncg_window_size_valid(ncg_topology topology, int chips, int count);
/* Choose a free window of `count` chips in `free_mask`; return first chip or -1. */
int ncg_window_find(ncg_topology topology, int chips, uint64_t free_mask, int count, ncg_policy policy);
/* Is [first, first+count) a valid window position on this topology? */
bool ncg_window_valid_at(ncg_topology topology, int chips, int first, int count);
/* Largest valid window that is free. */
int ncg_window_largest(ncg_topology topology, int chips, uint64_t free_mask);

/* Parse a contiguous increasing id list ("3-6", "3,4,5,6", "3-5,6"). what names the variable in messages. */
int ncg_parse_id_range(const char *what, const char *text, int limit, int *out_first, int *out_count,
                       ncg_error *err);

/* Model checks against an NCG size: returns 0, NCG_E_MODEL. */
int ncg_models_check(const ncg_model *models, size_t count, int ncg_size, ncg_error *err);

static inline int ncg_popcount64(uint64_t x) { return __builtin_popcountll(x); }
static inline int ncg_ctz64(uint64_t x) { return __builtin_ctzll(x); }

#endif
