/* SPDX-License-Identifier: Apache-2.0 */
/* Go's sort.Slice (src/sort/zsortfunc.go, Go 1.19 and later: pattern-defeating quicksort), written again in C
 * with the same comparisons and swaps in the same order, so that it leaves equal elements exactly where Go does.
 * Only the order of operations is Go's; see gosort.h for why the bench needs it. */
#include <stdint.h>

#include "gosort.h"

typedef struct sorter {
    void **v;
    bool (*less)(const void *x, const void *y);
} sorter;

enum { UNKNOWN_HINT, INCREASING_HINT, DECREASING_HINT };

static bool less(const sorter *s, int i, int j) { return s->less(s->v[i], s->v[j]); }

static void swap(const sorter *s, int i, int j)
{
    void *t = s->v[i];
    s->v[i] = s->v[j];
    s->v[j] = t;
}

/* bits.Len: the number of bits needed to represent x (0 for 0). */
static int bit_length(unsigned long x)
{
    int n = 0;
    for (; x; x >>= 1)
        n++;
    return n;
}

static void insertion_sort(const sorter *s, int a, int b)
{
    for (int i = a + 1; i < b; i++)
        for (int j = i; j > a && less(s, j, j - 1); j--)
            swap(s, j, j - 1);
}

static void sift_down(const sorter *s, int lo, int hi, int first)
{
    int root = lo;
    for (;;) {
        int child = 2 * root + 1;
        if (child >= hi)
            return;
        if (child + 1 < hi && less(s, first + child, first + child + 1))
            child++;
        if (!less(s, first + root, first + child))
            return;
        swap(s, first + root, first + child);
        root = child;
    }
}

static void heap_sort(const sorter *s, int a, int b)
{
    int first = a, lo = 0, hi = b - a;
    for (int i = (hi - 1) / 2; i >= 0; i--)
        sift_down(s, i, hi, first);
    for (int i = hi - 1; i >= 0; i--) {
        swap(s, first, first + i);
        sift_down(s, lo, i, first);
    }
}

static void order2(const sorter *s, int *a, int *b, int *swaps)
{
    if (less(s, *b, *a)) {
        int t = *a;
        ++*swaps;
        *a = *b;
        *b = t;
    }
}

static int median(const sorter *s, int a, int b, int c, int *swaps)
{
    order2(s, &a, &b, swaps);
    order2(s, &b, &c, swaps);
    order2(s, &a, &b, swaps);
    return b;
}

static int median_adjacent(const sorter *s, int a, int *swaps) { return median(s, a - 1, a, a + 1, swaps); }

static int choose_pivot(const sorter *s, int a, int b, int *hint)
{
    const int shortest_ninther = 50, max_swaps = 4 * 3;
    int l = b - a, swaps = 0, i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
        if (l >= shortest_ninther) {
            i = median_adjacent(s, i, &swaps);
            j = median_adjacent(s, j, &swaps);
            k = median_adjacent(s, k, &swaps);
        }
        j = median(s, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? INCREASING_HINT : swaps == max_swaps ? DECREASING_HINT : UNKNOWN_HINT;
    return j;
}

static void reverse_range(const sorter *s, int a, int b)
{
    for (int i = a, j = b - 1; i < j; i++, j--)
        swap(s, i, j);
}

static bool partial_insertion_sort(const sorter *s, int a, int b)
{
    const int max_steps = 5, shortest_shifting = 50;
    int i = a + 1;
    for (int step = 0; step < max_steps; step++) {
        while (i < b && !less(s, i, i - 1))
            i++;
        if (i == b)
            return true;
        if (b - a < shortest_shifting)
            return false;
        swap(s, i, i - 1);
        if (i - a >= 2) /* Go's loop runs down to 1, not to a + 1 */
            for (int j = i - 1; j >= 1 && less(s, j, j - 1); j--)
                swap(s, j, j - 1);
        if (b - i >= 2)
            for (int j = i + 1; j < b && less(s, j, j - 1); j++)
                swap(s, j, j - 1);
    }
    return false;
}

static void break_patterns(const sorter *s, int a, int b)
{
    int length = b - a;
    if (length >= 8) {
        uint64_t random = (uint64_t)length;
        unsigned long modulus = 1UL << bit_length((unsigned long)length);
        for (int idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
            int other;
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            other = (int)((unsigned long)random & (modulus - 1));
            if (other >= length)
                other -= length;
            swap(s, idx, a + other);
        }
    }
}

/* Go's partition loop over a+1..b-1 around the pivot at a: from the left past the elements that go left (less than
 * the pivot; for partition_equal, not greater), from the right past the others, swapping the pair where both stop,
 * until the scans cross at *pi > *pj. Returns whether it swapped nothing. */
static bool scan(const sorter *s, int a, int b, bool equal, int *pi, int *pj)
{
    int i = a + 1, j = b - 1;
    bool none = true;
    for (;;) {
        while (i <= j && (equal ? !less(s, a, i) : less(s, i, a)))
            i++;
        while (i <= j && (equal ? less(s, a, j) : !less(s, j, a)))
            j--;
        if (i > j)
            break;
        swap(s, i, j);
        i++;
        j--;
        none = false;
    }
    *pi = i;
    *pj = j;
    return none;
}

static int partition_equal(const sorter *s, int a, int b, int pivot)
{
    int i, j;
    swap(s, a, pivot);
    scan(s, a, b, true, &i, &j);
    return i;
}

static int partition(const sorter *s, int a, int b, int pivot, bool *already)
{
    int i, j;
    swap(s, a, pivot);
    *already = scan(s, a, b, false, &i, &j);
    swap(s, j, a);
    return j;
}

static void pdqsort(const sorter *s, int a, int b, int limit)
{
    const int max_insertion = 12;
    bool balanced = true, partitioned = true;
    for (;;) {
        int length = b - a, pivot, hint, mid;
        if (length <= max_insertion) {
            insertion_sort(s, a, b);
            return;
        }
        if (limit == 0) {
            heap_sort(s, a, b);
            return;
        }
        if (!balanced) {
            break_patterns(s, a, b);
            limit--;
        }
        pivot = choose_pivot(s, a, b, &hint);
        if (hint == DECREASING_HINT) {
            reverse_range(s, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = INCREASING_HINT;
        }
        if (balanced && partitioned && hint == INCREASING_HINT && partial_insertion_sort(s, a, b))
            return;
        if (a > 0 && !less(s, a - 1, pivot)) {
            a = partition_equal(s, a, b, pivot);
            continue;
        }
        mid = partition(s, a, b, pivot, &partitioned);
        if (mid - a < b - mid) {
            balanced = mid - a >= length / 8;
            pdqsort(s, a, mid, limit);
            a = mid + 1;
        } else {
            balanced = b - mid >= length / 8;
            pdqsort(s, mid + 1, b, limit);
            b = mid;
        }
    }
}

void go_sort_slice(void **v, int n, bool (*less_fn)(const void *x, const void *y))
{
    sorter s = {v, less_fn};
    pdqsort(&s, 0, n, bit_length((unsigned long)n));
}
