/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-chip windows on a node's topology. The free chips of a node are a 64-bit mask; every question here is a
 * few mask operations.
 *
 * Valid windows: single = the one chip; chain and ring = any run of consecutive chips (no wrap on rings, since
 * the runtime needs increasing core ids); torus4x4 = 1 chip anywhere, or an aligned block of 4 (a row), 8 (two
 * rows) or 16; switched = any run of consecutive chips (every set of chips is connected through the switch;
 * a window is a range of ids because allocations and the runtime's env are ranges).
 *
 * NCG_POLICY_PACK picks the window lying in the smallest free region that can hold it: on a line the shortest
 * maximal run of free chips (placing the window at the run's low end), on the torus the candidate whose largest
 * fully free aligned enclosing block is smallest. Ties go to the lowest chip. This keeps large windows free. */
#include "model/model.h"

uint64_t ncg_window_mask(int first, int count)
{
    uint64_t m = count >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << count) - 1;
    return m << first;
}

bool ncg_window_size_valid(ncg_topology topology, int chips, int count)
{
    if (count < 1 || count > chips)
        return false;
    switch (topology) {
    case NCG_TOPOLOGY_SINGLE: return count == 1;
    case NCG_TOPOLOGY_CHAIN:
    case NCG_TOPOLOGY_RING:
    case NCG_TOPOLOGY_SWITCHED: return true;
    case NCG_TOPOLOGY_TORUS_4X4: return count == 1 || count == 4 || count == 8 || count == 16;
    }
    return false;
}

bool ncg_window_valid_at(ncg_topology topology, int chips, int first, int count)
{
    if (!ncg_window_size_valid(topology, chips, count) || first < 0 || first + count > chips)
        return false;
    if (topology == NCG_TOPOLOGY_TORUS_4X4 && count > 1)
        return first % count == 0;
    return true;
}

/* Bit s set iff chips s..s+count-1 are all set in free. */
static uint64_t run_starts(uint64_t free, int count)
{
    uint64_t m = free;
    int have = 1;
    while (have * 2 <= count) {
        m &= m >> have;
        have *= 2;
    }
    if (have < count)
        m &= m >> (count - have);
    return m;
}

/* Starts allowed by the topology for windows of count chips. */
static uint64_t allowed_starts(ncg_topology topology, int chips, int count)
{
    uint64_t starts = ncg_window_mask(0, chips - count + 1);
    if (topology == NCG_TOPOLOGY_TORUS_4X4 && count > 1) {
        uint64_t aligned = 0;
        for (int s = 0; s < chips; s += count)
            aligned |= UINT64_C(1) << s;
        starts &= aligned;
    }
    return starts;
}

static int run_length(uint64_t x, int start)
{
    uint64_t rest = ~(x >> start);
    return rest ? ncg_ctz64(rest) : 64 - start;
}

static int pack_line(uint64_t free, int count)
{
    int best = -1, best_len = 65;
    while (free) {
        int s = ncg_ctz64(free), len = run_length(free, s);
        if (len >= count && len < best_len) {
            best = s;
            best_len = len;
        }
        free &= ~ncg_window_mask(s, len);
    }
    return best;
}

static int pack_torus(uint64_t free, uint64_t candidates, int count)
{
    static const int levels[] = {4, 8, 16};
    int best = -1, best_score = 1 << 30;
    while (candidates) {
        int s = ncg_ctz64(candidates), score = count;
        candidates &= candidates - 1;
        for (int i = 0; i < 3; i++) {
            int l = levels[i];
            uint64_t block = ncg_window_mask(s & ~(l - 1), l);
            if (l > count && (free & block) == block)
                score = l;
        }
        if (score < best_score) {
            best = s;
            best_score = score;
        }
    }
    return best;
}

int ncg_window_find(ncg_topology topology, int chips, uint64_t free_mask, int count, ncg_policy policy)
{
    uint64_t candidates;
    if (!ncg_window_size_valid(topology, chips, count))
        return -1;
    candidates = run_starts(free_mask, count) & allowed_starts(topology, chips, count);
    if (!candidates)
        return -1;
    if (policy == NCG_POLICY_FIRST_FIT)
        return ncg_ctz64(candidates);
    if (topology == NCG_TOPOLOGY_TORUS_4X4)
        return pack_torus(free_mask, candidates, count);
    return pack_line(free_mask, count);
}

int ncg_window_largest(ncg_topology topology, int chips, uint64_t free_mask)
{
    int best = 0;
    if (topology == NCG_TOPOLOGY_TORUS_4X4) {
        static const int sizes[] = {16, 8, 4, 1};
        for (int i = 0; i < 4; i++)
            if (run_starts(free_mask, sizes[i]) & allowed_starts(topology, chips, sizes[i]))
                return sizes[i];
        return 0;
    }
    while (free_mask) {
        int s = ncg_ctz64(free_mask), len = run_length(free_mask, s);
        if (len > best)
            best = len;
        free_mask &= ~ncg_window_mask(s, len);
    }
    return best;
}
