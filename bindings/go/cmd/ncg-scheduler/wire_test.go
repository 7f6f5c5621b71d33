package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	ncg "github.com/libncg/libncg/bindings/go"
	corev1 "k8s.io/api/core/v1"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// TestAppendJSONString: the hand-made string encoder writes what encoding/json writes, for every byte, the
// characters it escapes, invalid and truncated UTF-8, and random strings.
func TestAppendJSONString(t *testing.T) {
	cases := []string{"", "ip-10-0-0-1", `a"b\c`, "<&>", "\u2028\u2029", "\ufffd", "é日本🙂", "\xff", "\xe2\x80",
		"a\xc0\xafb", "\x7f", "\b\f\n\r\t\x00\x1f", "no 4 contiguous free devices; largest free window 3"}
	for c := 0; c < 256; c++ {
		cases = append(cases, string([]byte{byte(c)}), "x"+string([]byte{byte(c)})+"y")
	}
	for r := rune(0); r < 0x3000; r++ {
		cases = append(cases, string(r))
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		b := make([]byte, rng.Intn(40))
		for k := range b {
			if rng.Intn(3) == 0 {
				b[k] = byte(rng.Intn(256))
			} else {
				b[k] = byte(0x20 + rng.Intn(0x5f))
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := string(appendJSONString([]byte("x"), s)), "x"+string(must(json.Marshal(s))); got != want {
			t.Fatalf("%q: got %s, encoding/json %s", s, got, want)
		}
	}
}

// referenceFilter is the filter answer as the extender wrote it before its fast path, from the library's
// own answers (ScoreNode for every node, no cache): the answer to compare with.
func referenceFilter(s *State, args *extenderv1.ExtenderArgs) *extenderv1.ExtenderFilterResult {
	if args.Pod == nil {
		return &extenderv1.ExtenderFilterResult{Error: "filter: the arguments carry no pod"}
	}
	names := candidateNames(args)
	w, err := PodWant(args.Pod)
	passed, failed, unresolvable := names, extenderv1.FailedNodesMap{}, extenderv1.FailedNodesMap{}
	if err != nil {
		passed = []string{}
		for _, name := range names {
			unresolvable[name] = fmt.Sprintf("pod %s/%s: %v", args.Pod.Namespace, args.Pod.Name, err)
		}
	} else if w.Count > 0 {
		passed = make([]string, 0, len(names))
		s.mu.RLock()
		for _, name := range names {
			n := s.nodes[name]
			switch {
			case n == nil:
				failed[name] = fmt.Sprintf("node %s is not known to ncg-scheduler yet", name)
			case n.reason != "":
				unresolvable[name] = n.reason
			default:
				_, err := s.cluster.ScoreNode(name, w.Request())
				switch {
				case n.blocked != nil && (err == nil || errors.Is(err, ncg.ErrFull)):
					failed[name] = n.blocked.reason
				case err == nil:
					passed = append(passed, name)
				case errors.Is(err, ncg.ErrFull):
					failed[name] = err.Error()
				default:
					unresolvable[name] = err.Error()
				}
			}
		}
		s.mu.RUnlock()
	}
	res := &extenderv1.ExtenderFilterResult{FailedNodes: failed, FailedAndUnresolvableNodes: unresolvable}
	if args.Nodes != nil {
		keep := map[string]bool{}
		for _, n := range passed {
			keep[n] = true
		}
		list := &corev1.NodeList{}
		for _, n := range args.Nodes.Items {
			if keep[n.Name] {
				list.Items = append(list.Items, n)
			}
		}
		res.Nodes = list
	} else {
		res.NodeNames = &passed
	}
	return res
}

// checkFilter posts body to /filter and checks the answer against referenceFilter: the same bytes as
// encoding/json's Encoder writes for the reference answer, and decoded by encoding/json into the real
// extenderv1 types, the same value as the reference's bytes decoded.
func checkFilter(t *testing.T, x *Extender, body []byte) *extenderv1.ExtenderFilterResult {
	t.Helper()
	var args extenderv1.ExtenderArgs
	if err := json.Unmarshal(body, &args); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	want := referenceFilter(x.State, &args)
	var wantBody bytes.Buffer
	if err := json.NewEncoder(&wantBody).Encode(want); err != nil {
		t.Fatal(err)
	}
	code, got := rawPost(t, x.Handler(), "/filter", body)
	if code != 200 || !bytes.Equal(got, wantBody.Bytes()) {
		t.Fatalf("filter of %.300s: HTTP %d\n got %.2000s\nwant %.2000s", body, code, got, wantBody.Bytes())
	}
	var res, wantRes extenderv1.ExtenderFilterResult
	if err := json.Unmarshal(got, &res); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(wantBody.Bytes(), &wantRes); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res, wantRes) {
		t.Fatalf("filter of %.300s: decoded %+v, want %+v", body, res, wantRes)
	}
	return &res
}

// TestFilterAnswerExact: the filter answers of the fast path (reused buffers, the answer encoded by hand) are
// byte for byte those of encoding/json for the answer computed from the library, over the benchmark's cluster
// through churn, every shape, nodes of no Neuron type, unknown nodes with names to escape, repeated names,
// subsets of the nodes in any order, nodes added, removed and changed between calls, Node objects instead of
// names, and the error answers.
func TestFilterAnswerExact(t *testing.T) {
	s, names := benchCluster(t, 200)
	s.SetNode(mkNode("m5-0", "m5.large"))
	s.SetNode(mkNode("bare-0", ""))
	x := NewExtender(s, nil, nil)
	x.FilterBest = false // every node where the pod fits, with its reason for the others
	x.SetReady(true)
	odd := []string{`q"uote`, `back\slash`, "<b>&amp;", "ünï", "bad\xffutf8", "line\u2028sep", "tab\tnl\n", "",
		"ip-10-0-0-1x", "ip-10-0-0", "ip-10-0-0-1"}
	all := append(append(slices.Clone(names), "m5-0", "bare-0", "m5-0"), odd...)
	all = append(all, names[:20]...) // repeated names
	rng := rand.New(rand.NewSource(4))
	ch := &churn{s: s, names: names, rng: rand.New(rand.NewSource(5))}
	pods := []*corev1.Pod{mkPod("none", false, 0, 0)}
	for _, w := range benchShapes {
		pods = append(pods, mkPod("p", w.Cores, w.Count, 0))
	}
	both := mkPod("both", false, 1, 0)
	both.Spec.Containers = append(both.Spec.Containers, mkPod("x", true, 2, 0).Spec.Containers[0])
	pods = append(pods, both, mkPod("big", false, 64, 0))
	for k := 0; k < 12; k++ {
		all = append(all, fmt.Sprintf("late-%d", k)) // not known until round k
	}
	for round := 0; round < 12; round++ {
		list := slices.Clone(all)
		if round%3 > 0 {
			rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
			list = list[:rng.Intn(len(list)+1)]
		}
		for _, pod := range pods {
			checkFilter(t, x, must(json.Marshal(&extenderv1.ExtenderArgs{Pod: pod, NodeNames: &list})))
			ch.step()
		}
		// Nodes come and go between two calls of the same names (the nodes the last call found are not kept).
		s.SetNode(mkNode(fmt.Sprintf("late-%d", round), "inf2.xlarge"))
		checkFilter(t, x, must(json.Marshal(&extenderv1.ExtenderArgs{Pod: pods[1], NodeNames: &list})))
		s.DeleteNode(names[round])
		s.SetNode(mkNode(names[(round+1)%len(names)], "m5.large"))
		checkFilter(t, x, must(json.Marshal(&extenderv1.ExtenderArgs{Pod: pods[2], NodeNames: &list})))
		nodes := &corev1.NodeList{}
		for _, n := range list[:min(len(list), 30)] {
			nodes.Items = append(nodes.Items, *mkNode(n, ""))
		}
		checkFilter(t, x, must(json.Marshal(&extenderv1.ExtenderArgs{Pod: pods[1+round%len(benchShapes)], Nodes: nodes})))
	}
	empty := []string{}
	for _, args := range []extenderv1.ExtenderArgs{{}, {NodeNames: &names}, {Pod: pods[0]}, {Pod: pods[1]},
		{Pod: pods[0], NodeNames: &empty}, {Pod: pods[1], NodeNames: &empty}, {Pod: pods[1], Nodes: &corev1.NodeList{}}} {
		checkFilter(t, x, must(json.Marshal(&args)))
	}
	// The answers of the examples in the doc: a reason per node, the failing ones sorted by name.
	res := checkFilter(t, x, must(json.Marshal(&extenderv1.ExtenderArgs{Pod: pods[4], NodeNames: &[]string{"zz", "m5-0", names[50], "aa"}})))
	if len(*res.NodeNames)+len(res.FailedNodes)+len(res.FailedAndUnresolvableNodes) != 4 ||
		res.FailedNodes["aa"] != "node aa is not known to ncg-scheduler yet" ||
		res.FailedNodes["zz"] != "node zz is not known to ncg-scheduler yet" ||
		res.FailedAndUnresolvableNodes["m5-0"] != "instance type m5.large of node m5-0 has no Neuron devices" {
		t.Fatalf("%+v", res)
	}
}

// TestDecodeArgs: the reused decoder gives what wire gives for extenderv1.ExtenderArgs, error or value, for
// bodies as kube-scheduler writes them and any others, one after the other into the same buffers.
func TestDecodeArgs(t *testing.T) {
	bodies := []string{
		`{"Pod":{"metadata":{"name":"p","namespace":"ml"}},"Nodes":null,"NodeNames":["a","b","c"]}`,
		`{"Pod":null,"NodeNames":["a"]}`,
		`{"NodeNames":[]}`,
		`{"NodeNames":null}`,
		`{}`,
		` { "NodeNames" : [ "a" , "b" ] , "Pod" : { "metadata" : { "name" : "p" } } } `,
		"{\"NodeNames\":[\t\"a\"\n,\r\"b\"]}",
		`{"NodeNames":["ip\u002d1","caf\u00e9","é","a\"b","a\\b"]}`,
		`{"nodenames":["a"],"POD":{"metadata":{"name":"p"}}}`,
		`{"NodeNames":["a"],"NodeNames":["b","c"]}`,
		`{"NodeNames":["a"],"NodeNames":null}`,
		`{"Pod":{"metadata":{"name":"p"}},"Pod":{"metadata":{"namespace":"n"}}}`,
		`{"Nodes":{"items":[{"metadata":{"name":"n1"}}]},"NodeNames":["n1"]}`,
		`{"NodeNames":["a",null,"b"]}`,
		`{"Other":1,"NodeNames":["a"]}`,
		`{"NodeNames":["a",1]}`,
		`{"NodeNames":["a",]}`,
		`{"NodeNames":["a" "b"]}`,
		`{"NodeNames":["a"}`,
		`{"NodeNames":{"a":1}}`,
		`{"NodeNames":"a"}`,
		`{"NodeNames":["a\x01"]}`,
		`{"NodeNames":["unterminated]}`,
		`{"NodeNames":["a"]} x`,
		`{"Pod": 3}`,
		`{"Pod":{"metadata":3},"NodeNames":["a"]}`,
		`{"Pod":{"metadata":{"name":"a}\"b]"}},"NodeNames":["x"]}`,
		`{"Pod":{"metadata":{"name":"p"}},"NodeNames":["a"],}`,
		`{"Pod":{"metadata":{"name":"p"}} , "NodeNames":nullx}`,
		`{"NodeNames":["a"],"Pod":nul}`,
		`{"Node\u004eames":["a"]}`,
		`{"NodeNames":["a"]}}`,
		`{"NodeNames":["a"]`,
		`{"NodeNames":["a"],"Pod":`,
		`{"Pod":{"metadata":{"name":"p"}},"Pod":null}`,
		`{"Nodes":null,"Nodes":{"items":[]}}`,
		`{"NodeNames":["a"],"NodeNames":["b"]}`,
		`{"Pod":{"metadata":{"name":"p"}},"NodeNames":["é"]}`,
		`{"NodeNames":["a"],"Pod":{"metadata":{"name":"p"}}}`,
		`{"NodeNames":[ ]}`,
		`{ }`,
		`{"Pod":1e400}`,
		`{"Pod":{"metadata":{"name":"p"}}, "NodeNames":["a"]}` + "\n",
		`[`,
		``,
		`null`,
	}
	// Bodies of kube-scheduler with a byte changed, dropped or repeated.
	rng := rand.New(rand.NewSource(8))
	seeds := []string{bodies[0], `{"Pod":{"metadata":{"name":"p"}},"Nodes":null,"NodeNames":["ip-10-0-0-1","ip-10-0-0-2"]}`,
		string(must(json.Marshal(&extenderv1.ExtenderArgs{Pod: mkPod("p", true, 2, 0), NodeNames: &[]string{"a", "b"}})))}
	for i := 0; i < 3000; i++ {
		b := []byte(seeds[rng.Intn(len(seeds))])
		k := rng.Intn(len(b))
		switch rng.Intn(3) {
		case 0:
			b[k] = "{}[]\",:\\ nul0aé\x01"[rng.Intn(17)]
		case 1:
			b = append(b[:k], b[k+1:]...)
		default:
			b = append(b[:k+1], b[k:]...)
		}
		bodies = append(bodies, string(b))
	}
	var a extenderArgs
	for round := 0; round < 2; round++ {
		for i, body := range bodies {
			got, gerr := decodeArgs([]byte(body), &a)
			if i == 0 && (!a.set || len(a.names) != 3 || got.NodeNames != &a.names) {
				t.Fatalf("%s: not read into the buffers: %+v", body, a)
			}
			var want extenderv1.ExtenderArgs
			werr := wire.Unmarshal([]byte(body), &want)
			if werr != nil {
				want = extenderv1.ExtenderArgs{}
			}
			if fmt.Sprint(gerr) != fmt.Sprint(werr) || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: got %+v %v, want %+v %v", body, got, gerr, want, werr)
			}
			if got.NodeNames != nil && want.NodeNames != nil && (*got.NodeNames == nil) != (*want.NodeNames == nil) {
				t.Fatalf("%s: nil and empty lists differ", body)
			}
		}
	}
}

// TestNameSorter: reasons come out in the order of encoding/json's map keys, each name once, by rank and by
// name.
func TestNameSorter(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	var ns nameSorter
	for round := 0; round < 300; round++ {
		pool := []string{"", "a", "ab", "a\x00", "a\x00b", "ip-10-0-0-1", "ip-10-0-0-10", "ip-10-0-0-2", "ip-10-0-1-1",
			"ip-10-0-0-1\xff", "ip-10-0-0-1234567890a", "ip-10-0-0-1234567890b", "é", "\xff"}
		for i := 0; i < rng.Intn(50); i++ {
			pool = append(pool, fmt.Sprintf("ip-10-0-%d-%d", rng.Intn(3), rng.Intn(300)))
		}
		slices.Sort(pool)
		pool = slices.Compact(pool)
		ranked := round%2 == 0
		var list []nodeReason
		for i := 0; i < rng.Intn(80); i++ {
			k := rng.Intn(len(pool))
			r := nodeReason{name: pool[k], answer: &scored{reason: "r " + pool[k]}, rank: k}
			if !ranked && rng.Intn(4) == 0 {
				r.rank = -1
			}
			list = append(list, r)
		}
		want := slices.Clone(list)
		slices.SortFunc(want, func(a, b nodeReason) int { return strings.Compare(a.name, b.name) })
		want = slices.CompactFunc(want, func(a, b nodeReason) bool { return a.name == b.name })
		got := ns.sort(slices.Clone(list), len(pool))
		if len(got) != len(want) {
			t.Fatalf("%d: got %d reasons, want %d", round, len(got), len(want))
		}
		for i := range got {
			if got[i].name != want[i].name || got[i].answer.reason != want[i].answer.reason {
				t.Fatalf("%d: %d: got %q, want %q", round, i, got[i].name, want[i].name)
			}
		}
	}
}

// TestStateRanks: the nodes' ranks follow their names through adds, type changes and deletions.
func TestStateRanks(t *testing.T) {
	s := newTestState(t)
	rng := rand.New(rand.NewSource(7))
	kinds := []string{"inf1.xlarge", "trn1.2xlarge", "m5.large", ""}
	for i := 0; i < 400; i++ {
		name := fmt.Sprintf("n-%d", rng.Intn(60))
		if rng.Intn(3) == 0 {
			s.DeleteNode(name)
		} else {
			s.SetNode(mkNode(name, kinds[rng.Intn(len(kinds))]))
		}
		if len(s.byName) != len(s.nodes) {
			t.Fatalf("%d: %d ranked, %d nodes", i, len(s.byName), len(s.nodes))
		}
		for k, n := range s.byName {
			if n.rank != k || s.nodes[n.name] != n || (k > 0 && s.byName[k-1].name >= n.name) {
				t.Fatalf("%d: rank %d: %s (rank %d)", i, k, n.name, n.rank)
			}
		}
	}
	if !utf8.ValidString(s.byName[0].nameJSON) || s.byName[0].nameJSON != string(must(json.Marshal(s.byName[0].name))) {
		t.Fatal(s.byName[0].nameJSON)
	}
}

// TestFilterConcurrent: filter calls at once share nothing but the state: the same answers as one at a time,
// and while nodes and pods change, answers that account for every node.
func TestFilterConcurrent(t *testing.T) {
	s, names := benchCluster(t, 100)
	x := NewExtender(s, nil, nil)
	x.FilterBest = false // every node where the pod fits, with its reason for the others
	x.SetReady(true)
	h := x.Handler()
	list := append(slices.Clone(names), "unknown", names[3])
	bodies := make([][]byte, len(benchShapes))
	want := make([][]byte, len(benchShapes))
	for i, w := range benchShapes {
		bodies[i] = must(json.Marshal(&extenderv1.ExtenderArgs{Pod: mkPod("p", w.Cores, w.Count, 0), NodeNames: &list}))
		_, want[i] = rawPost(t, h, "/filter", bodies[i])
	}
	run := func(check func(k int, got []byte) error, during func()) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 40; i++ {
					k := (g + i) % len(bodies)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/filter", bytes.NewReader(bodies[k])))
					if err := check(k, rec.Body.Bytes()); err != nil {
						errs <- err
						return
					}
				}
			}(g)
		}
		during()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	run(func(k int, got []byte) error {
		if !bytes.Equal(got, want[k]) {
			return fmt.Errorf("shape %d: got %.300s, want %.300s", k, got, want[k])
		}
		return nil
	}, func() {})
	ch := &churn{s: s, names: names, rng: rand.New(rand.NewSource(9))}
	run(func(k int, got []byte) error {
		var res extenderv1.ExtenderFilterResult
		if err := json.Unmarshal(got, &res); err != nil || res.Error != "" || res.NodeNames == nil {
			return fmt.Errorf("shape %d: %v %.300s", k, err, got)
		}
		seen := map[string]bool{}
		for _, n := range *res.NodeNames {
			seen[n] = true
		}
		for n := range res.FailedNodes {
			seen[n] = true
		}
		for n := range res.FailedAndUnresolvableNodes {
			seen[n] = true
		}
		if len(seen) != len(names)+1 {
			return fmt.Errorf("shape %d: %d nodes answered, want %d", k, len(seen), len(names)+1)
		}
		return nil
	}, func() {
		for i := 0; i < 200; i++ {
			ch.step()
			if i%20 == 0 {
				s.SetNode(mkNode(names[i%len(names)], []string{"inf2.xlarge", "m5.large"}[i%2]))
			}
		}
	})
}

// TestReadBodyLength: a request whose Content-Length claims more than it carries (up to past maxBody) is read
// for what it carries; the buffer kept for the next call does not grow to the claim.
func TestReadBodyLength(t *testing.T) {
	s, names := benchCluster(t, 10)
	x := NewExtender(s, nil, nil)
	x.SetReady(true)
	x.FilterBest = false
	h := x.Handler()
	body := must(json.Marshal(&extenderv1.ExtenderArgs{Pod: mkPod("p", false, 1, 0), NodeNames: &names}))
	_, want := rawPost(t, h, "/filter", body)
	// A Content-Length is a claim: nothing is allocated for it before the bytes come; past the limit it is refused.
	for _, claim := range []int64{int64(len(body)), 1 << 20, DefaultMaxBody, DefaultMaxBody + 1, 1 << 40} {
		req := httptest.NewRequest(http.MethodPost, "/filter", bytes.NewReader(body))
		req.ContentLength = claim
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if claim > DefaultMaxBody {
			if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.String() != "reading the body: the body is larger than --max-body-bytes\n" {
				t.Fatalf("claim %d: HTTP %d %.200s", claim, rec.Code, rec.Body.Bytes())
			}
			continue
		}
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), want) {
			t.Fatalf("claim %d: HTTP %d %.200s", claim, rec.Code, rec.Body.Bytes())
		}
		b, done, err := readBody(httptest.NewRecorder(), req, x.Limits)
		done()
		if err != nil || b.Len() != 0 || b.Cap() > maxPooledBuffer {
			t.Fatalf("claim %d: %v, %d bytes, capacity %d", claim, err, b.Len(), b.Cap())
		}
		putBody(b)
	}
	if n := x.Limits.inFlight.Load(); n != 0 {
		t.Fatalf("%d bytes still counted in flight", n)
	}
	// A body past the limit, whatever its claim; a body the bytes in flight cannot take.
	x.Limits.MaxBody = 100
	if code, b := rawPost(t, h, "/filter", body); code != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "--max-body-bytes") {
		t.Fatal(code, string(b))
	}
	x.Limits.MaxBody, x.Limits.MaxInFlight = DefaultMaxBody, 1000
	x.Limits.inFlight.Add(1000)
	if code, b := rawPost(t, h, "/filter", body); code != http.StatusServiceUnavailable || !strings.Contains(string(b), "--max-inflight-bytes") {
		t.Fatal(code, string(b))
	}
	x.Limits.inFlight.Add(-1000)
	if n := x.Limits.inFlight.Load(); n != 0 {
		t.Fatalf("%d bytes still counted in flight", n)
	}
}

// TestReadFastPath: bodies as kube-scheduler writes them (and with white space anywhere) are read by
// json-iterator's tokenizer into the buffers; keys spelled otherwise or repeated, names with escapes or bytes
// outside printable ASCII, and anything after the object are left to the general decoder.
func TestReadFastPath(t *testing.T) {
	var a extenderArgs
	fast := []string{
		`{"Pod":{"metadata":{"name":"p","namespace":"ml"}},"Nodes":null,"NodeNames":["a","b","c"]}`,
		string(must(json.Marshal(&extenderv1.ExtenderArgs{Pod: mkPod("p", true, 2, 0), NodeNames: &[]string{"a", "b"}}))),
		` { "NodeNames" : [ "a" , "b" ] , "Pod" : { "metadata" : { "name" : "p" } } } ` + "\n",
		`{"NodeNames":null}`, `{"NodeNames":[]}`, `{}`, `{"Pod":null}`,
	}
	for _, b := range fast {
		if !a.read([]byte(b)) {
			t.Errorf("%s: not read on the fast path", b)
		}
	}
	if !a.read([]byte(fast[0])) || !a.set || !reflect.DeepEqual(a.names, []string{"a", "b", "c"}) || a.Pod.Name != "p" ||
		a.Pod.Namespace != "ml" || a.Nodes != nil {
		t.Fatalf("fast path read %+v", a)
	}
	slow := []string{
		`{"pod":{}}`, `{"NodeNames":["a"],"NodeNames":["b"]}`, `{"NodeNames":["a\"b"]}`, `{"NodeNames":["a\\b"]}`,
		`{"NodeNames":["ip\u002d1"]}`, `{"NodeNames":["é"]}`, `{"NodeNames":["a\x01"]}`, `{"NodeNames":["a"]} x`,
		`{"NodeNames":["a",1]}`, `{"Other":1}`, `[]`, `null`, ``,
	}
	for _, b := range slow {
		if a.read([]byte(b)) {
			t.Errorf("%s: read on the fast path", b)
		}
	}
}
