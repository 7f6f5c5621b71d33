/* SPDX-License-Identifier: Apache-2.0 */
/* The bench's own helpers that decide its figures: the port of Go's sort.Slice that the Karpenter baseline sorts
 * its node claims with (bench/gosort.c), against the orders Go itself leaves (tests/data/gosort/vectors.txt, from
 * scripts/gen-gosort-vectors.go). */
#include <stdlib.h>

#include "gosort.h"
#include "test-common.h"

static bool key_less(const void *x, const void *y) { return *(const long *)x < *(const long *)y; }

/* Read whitespace-separated integers from s up to ';' or the end; returns how many. */
static int read_ints(char **s, long *out, int max)
{
    int n = 0;
    for (;;) {
        char *end;
        long v;
        while (**s == ' ')
            ++*s;
        if (**s == '\0' || **s == '\n' || **s == ';')
            return n;
        v = strtol(*s, &end, 10);
        ck_assert_msg(end != *s && n < max, "bad vector near \"%.20s\"", *s);
        out[n++] = v;
        *s = end;
    }
}

START_TEST(go_sort_slice_leaves_equal_keys_where_go_does)
{
    enum { MAX = 1024 };
    static long keys[MAX], want[MAX];
    static void *v[MAX];
    static char line[1 << 16];
    FILE *f = open_data("gosort/vectors.txt");
    int cases = 0, with_ties = 0;
    while (fgets(line, sizeof(line), f)) {
        char *s = line;
        int n, m;
        if (line[0] == '#')
            continue;
        n = read_ints(&s, keys, MAX);
        ck_assert_int_eq(*s, ';');
        s++;
        m = read_ints(&s, want, MAX);
        ck_assert_int_eq(m, n);
        for (int i = 0; i < n; i++)
            v[i] = &keys[i];
        go_sort_slice(v, n, key_less);
        for (int i = 0; i < n; i++)
            ck_assert_msg((long *)v[i] - keys == want[i], "case %d (%d keys): position %d holds key %ld, Go puts %ld",
                          cases + 1, n, i, (long)((long *)v[i] - keys), want[i]);
        for (int i = 1; i < n; i++)
            if (keys[want[i]] == keys[want[i - 1]] && want[i] < want[i - 1]) {
                with_ties++; /* a case where a stable sort would differ */
                break;
            }
        cases++;
    }
    fclose(f);
    ck_assert_int_eq(cases, 310);
    ck_assert_int_ge(with_ties, 100);
}
END_TEST

NCG_SUITE(bench)
{
    Suite *s = suite_create("bench");
    TCase *t = add_tcase(s, "gosort");
    add_test(t, go_sort_slice_leaves_equal_keys_where_go_does);
    return s;
}
