/* SPDX-License-Identifier: Apache-2.0 */
/* The benchmark's workloads: bench/workloads.c. */
#ifndef NCG_BENCH_WORKLOADS_H
#define NCG_BENCH_WORKLOADS_H

#include <stdint.h>

#include <ncg.h>

#include "validate.h"

typedef struct workload {
    char name[64];
    ncg_catalog *catalog;
    const char *const *types;   /* node groups: one per type, max_nodes large */
    int type_count;
    validate_api *apis;
    char (*names)[32];
    int api_count, replicas;
} workload;

extern const char *const inf1_types[4], *const inf2_types[4], *const trn1_types[3];
extern const int mix_infs[6], large_infs[6];

uint64_t splitmix(uint64_t *x);
/* (a) Cortex-like mixes of napis APIs over the types (one node group each), replicas split evenly. */
void mix(workload *w, const char *label, const char *family, const char *const *types, int ntypes, const int *infs,
         int napis, int replicas, uint64_t seed);
void synthetic(workload *w, const char *family, const char *const *types, int napis, int replicas, uint64_t seed);
/* (b) the Alibaba trace file: one API per app_name; -1 when it cannot be read. */
int alibaba(workload *w, const char *path);
void workload_free(workload *w);

#endif
