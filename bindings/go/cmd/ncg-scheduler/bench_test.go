package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// benchCluster is a state of n nodes of every Neuron type but trn2, about half full: random pods of the shapes
// below placed by the library on random nodes.
func benchCluster(t testing.TB, n int) (*State, []string) {
	kinds := []string{"inf1.xlarge", "inf1.6xlarge", "inf1.24xlarge", "inf2.xlarge", "inf2.24xlarge", "inf2.48xlarge",
		"trn1.2xlarge", "trn1.32xlarge"}
	s := newTestState(t)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("ip-10-%d-%d-%d", i/65536, (i/256)%256, i%256)
		s.SetNode(mkNode(names[i], kinds[i%len(kinds)]))
	}
	rng := rand.New(rand.NewSource(1))
	for i, placed := 0, 0; placed < 3*n; i++ {
		w := benchShapes[rng.Intn(len(benchShapes))]
		if _, err := s.Reserve(mkPod(fmt.Sprintf("fill-%d", i), w.Cores, w.Count, i), names[rng.Intn(n)]); err == nil {
			placed++
		}
	}
	return s, names
}

var benchShapes = []Want{{Count: 1}, {Count: 2}, {Count: 4}, {Count: 8}, {Cores: true, Count: 1}, {Cores: true, Count: 2},
	{Cores: true, Count: 3}}

// benchFilter times b.N filter calls over every node, through the extender's HTTP handler (decoding the
// ExtenderArgs of 1,000 node names, filtering, encoding the result), one shape after the other, and reports
// the percentiles. Run: go test -run '^$' -bench Filter -benchtime 10000x.
func BenchmarkFilter1000Nodes(b *testing.B) {
	s, names := benchCluster(b, 1000)
	x := NewExtender(s, nil, nil)
	h := x.Handler()
	bodies := make([][]byte, len(benchShapes))
	for i, w := range benchShapes {
		bodies[i] = must(json.Marshal(&extenderv1.ExtenderArgs{Pod: mkPod("bench", w.Cores, w.Count, 0), NodeNames: &names}))
	}
	lat := make([]time.Duration, 0, b.N)
	passed := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/filter", bytes.NewReader(bodies[i%len(bodies)]))
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		lat = append(lat, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
		if i < len(bodies) {
			var res extenderv1.ExtenderFilterResult
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || res.Error != "" {
				b.Fatal(err, res.Error)
			}
			passed += len(*res.NodeNames)
		}
	}
	b.StopTimer()
	report(b, lat, fmt.Sprintf("filter over %d nodes through HTTP handler (%d of %d nodes passed the first %d calls)",
		len(names), passed, len(names)*min(b.N, len(bodies)), min(b.N, len(bodies))))
}

// BenchmarkFilterState is the library's part alone: State.Filter over 1,000 nodes.
func BenchmarkFilterState(b *testing.B) {
	s, names := benchCluster(b, 1000)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pod := mkPod("bench", benchShapes[i%len(benchShapes)].Cores, benchShapes[i%len(benchShapes)].Count, 0)
		start := time.Now()
		if _, _, _, err := s.Filter(pod, names); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	report(b, lat, fmt.Sprintf("State.Filter over %d nodes", len(names)))
}

func report(b *testing.B, lat []time.Duration, what string) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	b.ReportMetric(float64(pct(0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(pct(0.99).Microseconds()), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
	fmt.Printf("%s: %d calls, p50 %v, p99 %v, max %v (target p99 < 1ms)\n", what, len(lat), pct(0.50), pct(0.99),
		lat[len(lat)-1])
}

// TestBenchCluster checks the benchmark's cluster and that filter over it gives every node an answer.
func TestBenchCluster(t *testing.T) {
	s, names := benchCluster(t, 100)
	for _, w := range benchShapes {
		passed, failed, unresolvable, err := s.Filter(mkPod("q", w.Cores, w.Count, 0), names)
		if err != nil || len(passed)+len(failed)+len(unresolvable) != len(names) {
			t.Fatal(len(passed), len(failed), len(unresolvable), err)
		}
	}
	if tt := s.Totals(); tt.reserved != 300 {
		t.Fatal(tt.reserved)
	}
}
