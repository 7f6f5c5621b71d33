/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the robustness tests (test-atomic.c, test-nomem.c): a non-trivial fixture of every handle kind, text
 * snapshots of handles through the public API (so that "changes nothing" can be compared), and an arena of
 * output parameters pre-filled with a byte pattern. */
#ifndef NCG_ROBUST_H
#define NCG_ROBUST_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include <ncg.h>

#include "../first-version.h"

#define GIB (INT64_C(1) << 30)
#define MIB (INT64_C(1) << 20)

/* The byte every output is filled with before a call. */
#define PATTERN 0xA5

/* ---- growable strings ---- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the string over (never NULL); the buffer is reset. */
char *sb_take(sbuf *b);

/* ---- snapshots: everything the public API tells about a handle, as text (malloc'd; "NULL" for NULL) ---- */

char *snap_catalog(const ncg_catalog *catalog);
char *snap_node(const ncg_node *node);
char *snap_cluster(const ncg_cluster *cluster);
char *snap_plan(const ncg_plan *plan);

/* ---- output arena: every kind of output parameter, filled with PATTERN, sized members set ---- */

#define ARENA_N 8

typedef struct outs {
    int64_t i64[2];
    int i[4];
    char buf[8192];
    int64_t vals[ARENA_N];
    int sizes[ARENA_N];
    uint64_t ids[ARENA_N];
    ncg_core_group groups[ARENA_N];
    ncg_core_group_ref refs[ARENA_N];
    ncg_move moves[ARENA_N];
    const char *name;
    const ncg_node *node;
    /* an input array of scores (ncg_node_score_rank), sized, and one whose sizes are 0 */
    ncg_node_score score[2], score_zero[2];
    /* sized outputs: with size set, with size 0, and with size one below sizeof */
#define SIZED_OUTPUTS(X)                                                                                          \
    X(ncg_type, type)                                                                                             \
    X(ncg_type, type2)                                                                                            \
    X(ncg_reserve, reserve)                                                                                       \
    X(ncg_alloc, alloc)                                                                                           \
    X(ncg_placement, place)                                                                                       \
    X(ncg_env, env)                                                                                               \
    X(ncg_node_status, status)                                                                                    \
    X(ncg_chip_cache, chip)                                                                                       \
    X(ncg_core_group_cache, cgc)                                                                                  \
    X(ncg_nodegroup_spec, ng)                                                                                     \
    X(ncg_plan_summary, sum)                                                                                      \
    X(ncg_plan_replica, rep)
#define DECLARE_OUT(type, name) type name, name##_zero, name##_short;
    SIZED_OUTPUTS(DECLARE_OUT)
#undef DECLARE_OUT
} outs;

/* Fill the arena with PATTERN and set the size members. */
void outs_fill(outs *o);

/* ---- the fixture ---- */

enum {
    FX_CAT = 1 << 0,     /* catalog with the built-ins and three test types */
    FX_NODE = 1 << 1,    /* node, cpunode, hpnode with allocations */
    FX_CLUSTER = 1 << 2, /* cluster with three node groups, five nodes, allocations */
    FX_PLAN = 1 << 3,    /* unsolved plan of the cluster, two APIs */
    FX_SOLVED = 1 << 4,  /* solved plan of the cluster, three APIs (one that can never be placed) */
    FX_ALL = 0x1f,
};

typedef struct fx {
    ncg_catalog *cat;
    ncg_node *node;      /* inf1.6xlarge: see fx_build() */
    ncg_node *cpunode;   /* cpu.test: no chips */
    ncg_node *hpnode;    /* hp.test: 1 chip, hugepages, half used */
    ncg_node *trnnode;   /* trn1.32xlarge: chip 0 adopted */
    ncg_cluster *cl;
    ncg_plan *plan;
    ncg_plan *solved;
    uint64_t id_whole;   /* node: 2 chips (0-1), 2 processes, a model */
    uint64_t id_cores;   /* node: 2 NeuronCores (8-9) */
    uint64_t id_cpu;     /* node: CPU only */
    uint64_t id_adopted; /* node: chip 3, processes of 1 and 3 cores, a model */
    uint64_t cl_id_a;    /* cluster: the placed allocation on node "a" */
    uint64_t cl_id_b;    /* cluster: the adopted allocation on node "b" */
    char long_name[NCG_NODE_NAME_MAX + 2];   /* 254 characters: one too many for a node name */
    char max_name[NCG_NODE_NAME_MAX + 1];    /* 253 characters */
    char type_name_long[NCG_NAME_MAX + 2];   /* 64 characters */
    char api_name_long[258];                 /* 256 characters: one too many for an API name */
    char *dump;                              /* ncg_cluster_dump of cl */
    char *text;                              /* scratch text owned by the fixture (freed by fx_free) */
} fx;

/* Build the parts named by flags (and what they need). Aborts the test on failure. */
void fx_build(fx *f, unsigned flags);
void fx_free(fx *f);
/* Snapshot of every handle of the fixture. */
char *fx_snap(const fx *f);

/* The request every fixture builder starts from: ncg_request_init() defaults. */
ncg_request req_default(void);

/* Plan APIs of the fixture. */
void fx_add_plan_apis(ncg_plan *plan, int solved_variant);

#endif
