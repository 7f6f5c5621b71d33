/* SPDX-License-Identifier: Apache-2.0 */
/* The hardware model and requests, shared by the node, cluster and planner: names, resolved catalog types,
 * the request shape, whole-chip windows, NCG geometry and env ids. Pure functions of a type and a request. Not
 * installed. */
#ifndef NCG_MODEL_H
#define NCG_MODEL_H

#include "base/base.h"

/* ---- names (catalog.c) ---- */

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
/* Write a type into a caller's sized struct, member by member (no padding bytes of whoever filled @p src). */
void ncg_type_out(const ncg_type *src, const char *name, const char *family, ncg_type *out);

/* The most logical cores one NeuronCore is made of (the Logical NeuronCore settings are 1..NCG_LNC_MAX). */
#define NCG_LNC_MAX 2
/* Take a resolved type at another Logical NeuronCore setting: cores_per_chip = physical / lnc. NCG_E_RANGE when
 * the type has no setting or lnc is out of range; tc is unchanged then. */
int ncg_type_copy_set_lnc(ncg_type_copy *tc, int lnc, ncg_error *err);
/* The Logical NeuronCore setting a type runs: its lnc, or 1 for types whose cores are physical. */
static inline int ncg_type_lnc(const ncg_type *t)
{
    return t->lnc > 0 ? t->lnc : 1;
}

/* Point t.name at the copy's own name (after the copy was moved). */
static inline void ncg_type_copy_fix(ncg_type_copy *tc)
{
    tc->t.name = tc->name;
    tc->t.family = NULL;
}

/* ---- requests (request.c) ---- */

/* A caller's request, normalised: checked size and fields, copied into a full-size struct. The models stay the
 * caller's (read them with ncg_model_at()); valid for the duration of the call. */
int ncg_request_in(const ncg_request *user, ncg_request *out, ncg_error *err);

/* Model i of a normalised request: the array's stride is its first element's size. */
static inline const ncg_model *ncg_model_at(const ncg_request *r, size_t i)
{
    return (const ncg_model *)(const void *)((const char *)r->models + i * r->models[0].size);
}

/* Request analysis shared by validation, layout and allocation. */
typedef struct ncg_shape {
    int chips;          /* whole chips (inf), 0 if core-granular or CPU only */
    int cores;          /* cores in total */
    int ppr;
    int ncg_size;       /* cores per NCG; 0 for CPU only */
} ncg_shape;

/* Validate a normalised request's field domains only (no type). */
int ncg_request_check_fields(const ncg_request *request, ncg_error *err);

/* The catalog functions take a type with a Logical NeuronCore setting at the setting the request names. */
void ncg_type_copy_for_request(ncg_type_copy *tc, const ncg_request *request);

/* Full check of a normalised request against one resolved type; fills *shape on success. A request naming another
 * Logical NeuronCore setting than the type's is NCG_E_LNC. */
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

#endif
