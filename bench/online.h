/* SPDX-License-Identifier: Apache-2.0 */
/* The online placement replay of ncg-bench (bench/online.c). */
#ifndef NCG_BENCH_ONLINE_H
#define NCG_BENCH_ONLINE_H

/* Replay arrivals and departures of pods on clusters of 1,000 and 20,000 nodes (a few hundred when quick) with
 * libncg's ncg_cluster_place() and a best-fit linear scan, print one table, and return 1 if a check failed. nodes > 0:
 * only at that many nodes. */
int online_bench(const char *data_dir, int quick, int nodes);

#endif
