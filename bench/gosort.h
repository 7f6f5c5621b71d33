/* SPDX-License-Identifier: Apache-2.0 */
/* Go's sort.Slice, step for step, for the Karpenter baseline: Karpenter re-sorts its in-flight node claims by
 * their number of pods with sort.Slice before every pod, and sort.Slice (pattern-defeating quicksort since Go
 * 1.19) is not stable, so which of several claims with as many pods gets the next pod is decided by the exact
 * swaps it makes. A stable sort, or another unstable one, sends pods elsewhere and changes the price. */
#ifndef NCG_BENCH_GOSORT_H
#define NCG_BENCH_GOSORT_H

#include <stdbool.h>

/* Sort v[0..n-1] as Go's sort.Slice(v, less) does, leaving equal elements where it leaves them. */
void go_sort_slice(void **v, int n, bool (*less)(const void *x, const void *y));

#endif
