/* SPDX-License-Identifier: Apache-2.0 */
/* NeuronCore Group geometry: which chips a range of cores touches, and where NCG i of a replica lies. Every other
 * file asks here rather than redoing the arithmetic. Cores are numbered chip by chip: core c is on chip
 * c / cores_per_chip. */
#include "model/model.h"

void ncg_span_chips(int first_core, int core_count, int cores_per_chip, int *out_first_chip, int *out_chip_count)
{
    int a = first_core / cores_per_chip, b = (first_core + core_count - 1) / cores_per_chip;
    *out_first_chip = a;
    *out_chip_count = b - a + 1;
}

uint64_t ncg_span_mask(int first_core, int core_count, int cores_per_chip)
{
    int first, count;
    ncg_span_chips(first_core, core_count, cores_per_chip, &first, &count);
    return ncg_window_mask(first, count);
}

void ncg_core_group_at(int first_core, int ncg_size, const int *sizes, int process, int cores_per_chip,
                       int64_t device_memory_bytes, ncg_core_group *out)
{
    int first = first_core, size = ncg_size;
    if (sizes) {
        for (int i = 0; i < process; i++)
            first += sizes[i];
        size = sizes[process];
    } else {
        first += process * size;
    }
    out->process = process;
    out->first_core = first;
    out->core_count = size;
    ncg_span_chips(first, size, cores_per_chip, &out->first_chip, &out->chip_count);
    out->cache_bytes = device_memory_bytes > INT64_MAX / out->chip_count ? INT64_MAX /* saturated */
                                                                          : out->chip_count * device_memory_bytes;
}

int ncg_core_group_cores_on_chip(const ncg_core_group *g, int chip, int cores_per_chip)
{
    int a = g->first_core > chip * cores_per_chip ? g->first_core : chip * cores_per_chip;
    int end = g->first_core + g->core_count, chip_end = (chip + 1) * cores_per_chip;
    int b = end < chip_end ? end : chip_end;
    return b > a ? b - a : 0;
}
