// SPDX-License-Identifier: Apache-2.0
// Writes tests/data/gosort/vectors.txt: slices of integer keys and the order in which Go's sort.Slice leaves
// them (by "key less than key", so equal keys keep whatever order pdqsort gives them). tests/test-bench.c checks
// the bench's C port (bench/gosort.c) against it. Run: go run scripts/gen-gosort-vectors.go > tests/data/gosort/vectors.txt
package main

import (
	"fmt"
	"math/rand"
	"runtime"
	"sort"
	"strings"
)

func emit(keys []int) {
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = fmt.Sprint(k)
	}
	os := make([]string, len(idx))
	for i, j := range idx {
		os[i] = fmt.Sprint(j)
	}
	fmt.Printf("%s ; %s\n", strings.Join(ks, " "), strings.Join(os, " "))
}

func main() {
	r := rand.New(rand.NewSource(8))
	fmt.Printf("# keys ; positions of the keys in the order Go's sort.Slice leaves them (%s)\n", runtime.Version())
	for _, n := range []int{0, 1, 2, 5, 8, 12, 13, 20, 49, 50, 51, 64, 100, 257, 1000} {
		for _, k := range []int{1, 2, 3, 10, 1 << 30} {
			keys := make([]int, n)
			for i := range keys {
				keys[i] = r.Intn(k)
			}
			emit(keys)
			desc := append([]int(nil), keys...)
			sort.Sort(sort.Reverse(sort.IntSlice(desc)))
			emit(desc)
		}
	}
	// Karpenter's pattern: claims sorted by pods, the one that took a pod grows by one, sorted again.
	for _, m := range []int{11, 30, 60, 130} {
		keys := make([]int, m)
		for i := range keys {
			keys[i] = r.Intn(4)
		}
		sort.Ints(keys)
		for step := 0; step < 40; step++ {
			keys[r.Intn(len(keys))]++
			if r.Intn(8) == 0 {
				keys = append(keys, 1)
			}
			emit(keys)
			sorted := append([]int(nil), keys...)
			sort.Ints(sorted)
			keys = sorted
		}
	}
}
