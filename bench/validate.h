/* SPDX-License-Identifier: Apache-2.0 */
/* An independent validator of plans: it re-derives every rule from data the public API exposes (topology windows,
 * capacities, ppr/NCG sizes, prices), without calling the library's own checks. Used by the tests and the bench. */
#ifndef NCG_BENCH_VALIDATE_H
#define NCG_BENCH_VALIDATE_H

#include <stddef.h>

#include <ncg.h>

typedef struct validate_api {
    ncg_request request;
    int replicas;
    int max_per_node;
} validate_api;

/* 0 when the plan is valid; else -1 with the first violation in msg. */
int validate_plan(const ncg_plan *plan, const validate_api *apis, int api_count, char *msg, size_t size);

/* One node of type t: no core used twice, whole-chip windows valid for the topology, resources within capacity. */
int validate_node(const ncg_node *node, const ncg_type *t, const char *name, char *msg, size_t size);

/* The cluster alone: no core used twice, whole-chip windows valid for the topology, CPU/memory/hugepages within
 * what is usable; adds up the price of its nodes. */
int validate_cluster(const ncg_cluster *cluster, double *price, char *msg, size_t size);

#endif
