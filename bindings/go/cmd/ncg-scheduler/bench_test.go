package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"testing"
	"time"

	ncg "github.com/libncg/libncg/bindings/go"
	corev1 "k8s.io/api/core/v1"
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

// churn changes one node between two timed calls, as the binds and deletions of a live cluster do: a pod
// reserved on a random node, or when it does not fit there, an earlier one forgotten.
type churn struct {
	s     *State
	names []string
	rng   *rand.Rand
	pods  []*corev1.Pod
	i     int
}

func (c *churn) step() {
	c.i++
	w := benchShapes[c.rng.Intn(len(benchShapes))]
	p := mkPod(fmt.Sprintf("churn-%d", c.i), w.Cores, w.Count, c.i)
	if _, err := c.s.Reserve(p, c.names[c.rng.Intn(len(c.names))]); err == nil {
		c.pods = append(c.pods, p)
		return
	}
	if len(c.pods) > 0 {
		k := c.rng.Intn(len(c.pods))
		c.s.Forget(c.pods[k].UID)
		c.pods[k] = c.pods[len(c.pods)-1]
		c.pods = c.pods[:len(c.pods)-1]
	}
}

// BenchmarkFilter1000Nodes times b.N filter calls over 1,000 nodes through the extender's HTTP handler
// (decoding the ExtenderArgs of 1,000 node names, filtering, encoding the result), one shape after the other,
// with one node changed between two calls (not timed), and reports the percentiles.
// Run: go test -run '^$' -bench Filter -benchtime 10000x.
func BenchmarkFilter1000Nodes(b *testing.B) {
	s, names := benchCluster(b, 1000)
	ch := &churn{s: s, names: names, rng: rand.New(rand.NewSource(2))}
	x := NewExtender(s, nil, nil)
	x.FilterBest = false // every node where the pod fits, with its reason for the others
	x.SetReady(true)
	h := x.Handler()
	bodies := make([][]byte, len(benchShapes))
	for i, w := range benchShapes {
		bodies[i] = must(json.Marshal(&extenderv1.ExtenderArgs{Pod: mkPod("bench", w.Cores, w.Count, 0), NodeNames: &names}))
	}
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	passed := 0
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/filter", bytes.NewReader(bodies[i%len(bodies)]))
		rec := httptest.NewRecorder()
		start, c0 := time.Now(), threadCPU()
		h.ServeHTTP(rec, req)
		lat, cpu = append(lat, time.Since(start)), append(cpu, threadCPU()-c0)
		ch.step()
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
	report(b, lat, cpu, fmt.Sprintf("filter over %d nodes through the HTTP handler (%d of %d nodes passed the first %d calls)",
		len(names), passed, len(names)*min(b.N, len(bodies)), min(b.N, len(bodies))))
}

// BenchmarkFilterBest1000Nodes times b.N filter calls with --filter best over 1,000 nodes through the HTTP
// handler: each call a new pod, whose devices or cores the filter reserves on the best node; between two calls
// (not timed) the reservation is dropped again half of the time, and one node changes, so that the cluster
// stays about half full. Run: go test -run '^$' -bench FilterBest -benchtime 10000x.
func BenchmarkFilterBest1000Nodes(b *testing.B) {
	s, names := benchCluster(b, 1000)
	ch := &churn{s: s, names: names, rng: rand.New(rand.NewSource(2))}
	x := NewExtender(s, nil, nil)
	x.SetReady(true)
	h := x.Handler()
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := benchShapes[i%len(benchShapes)]
		pod := mkPod(fmt.Sprintf("best-%d", i), w.Cores, w.Count, i)
		body := must(json.Marshal(&extenderv1.ExtenderArgs{Pod: pod, NodeNames: &names}))
		req := httptest.NewRequest(http.MethodPost, "/filter", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		b.StartTimer()
		start, c0 := time.Now(), threadCPU()
		h.ServeHTTP(rec, req)
		lat, cpu = append(lat, time.Since(start)), append(cpu, threadCPU()-c0)
		b.StopTimer()
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
		if i%2 == 0 {
			s.Forget(pod.UID)
		}
		ch.step()
		b.StartTimer()
	}
	b.StopTimer()
	report(b, lat, cpu, fmt.Sprintf("filter --filter best over %d nodes through the HTTP handler", len(names)))
}

// BenchmarkPrioritize1000Nodes times b.N prioritize calls through the extender's HTTP handler, each with the
// nodes of 1,000 where the pod fits (what kube-scheduler sends after filtering), with the same churn, and
// reports the percentiles. Run: go test -run '^$' -bench Prioritize -benchtime 10000x.
func BenchmarkPrioritize1000Nodes(b *testing.B) {
	s, names := benchCluster(b, 1000)
	ch := &churn{s: s, names: names, rng: rand.New(rand.NewSource(2))}
	x := NewExtender(s, nil, nil)
	x.SetReady(true)
	h := x.Handler()
	bodies := make([][]byte, len(benchShapes))
	fits := 0
	for i, w := range benchShapes {
		pod := mkPod("bench", w.Cores, w.Count, 0)
		passed, _, _, err := s.Filter(pod, names)
		if err != nil {
			b.Fatal(err)
		}
		fits += len(passed)
		bodies[i] = must(json.Marshal(&extenderv1.ExtenderArgs{Pod: pod, NodeNames: &passed}))
	}
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/prioritize", bytes.NewReader(bodies[i%len(bodies)]))
		rec := httptest.NewRecorder()
		start, c0 := time.Now(), threadCPU()
		h.ServeHTTP(rec, req)
		lat, cpu = append(lat, time.Since(start)), append(cpu, threadCPU()-c0)
		ch.step()
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
	b.StopTimer()
	report(b, lat, cpu, fmt.Sprintf("prioritize of %d nodes on average through the HTTP handler", fits/len(benchShapes)))
}

// BenchmarkFilterState is State.Filter alone over 1,000 nodes, with the same churn.
func BenchmarkFilterState(b *testing.B) {
	s, names := benchCluster(b, 1000)
	ch := &churn{s: s, names: names, rng: rand.New(rand.NewSource(2))}
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pod := mkPod("bench", benchShapes[i%len(benchShapes)].Cores, benchShapes[i%len(benchShapes)].Count, 0)
		start, c0 := time.Now(), threadCPU()
		if _, _, _, err := s.Filter(pod, names); err != nil {
			b.Fatal(err)
		}
		lat, cpu = append(lat, time.Since(start)), append(cpu, threadCPU()-c0)
		ch.step()
	}
	b.StopTimer()
	report(b, lat, cpu, fmt.Sprintf("State.Filter over %d nodes", len(names)))
}

// report prints and records the percentiles of the wall-clock latencies and of the calls' own CPU time.
func report(b *testing.B, lat, cpu []time.Duration, what string) {
	pct := func(d []time.Duration, p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	for _, d := range [][]time.Duration{lat, cpu} {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	}
	b.ReportMetric(float64(pct(lat, 0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(pct(lat, 0.99).Microseconds()), "p99-µs")
	b.ReportMetric(float64(pct(cpu, 0.99).Microseconds()), "cpu-p99-µs")
	fmt.Printf("%s: %d calls; wall clock p50 %v, p99 %v, max %v; on-CPU p50 %v, p99 %v, max %v (target p99 < 1ms)\n",
		what, len(lat), pct(lat, 0.50), pct(lat, 0.99), lat[len(lat)-1], pct(cpu, 0.50), pct(cpu, 0.99), cpu[len(cpu)-1])
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
	// The cached answers are the library's, node by node, through churn.
	ch := &churn{s: s, names: names, rng: rand.New(rand.NewSource(3))}
	for round := 0; round < 20; round++ {
		for _, w := range benchShapes {
			for _, name := range names {
				got, gnever, gerr := s.scoreLocked(name, w)
				want, werr := s.cluster.ScoreNode(name, w.Request())
				if terms(got) != terms(want) || fmt.Sprint(gerr) != fmt.Sprint(werr) || gnever != (werr != nil && !errors.Is(werr, ncg.ErrFull)) {
					t.Fatalf("%s %+v: cached %+v %v, library %+v %v", name, w, got, gerr, want, werr)
				}
			}
		}
		ch.step()
	}
}
