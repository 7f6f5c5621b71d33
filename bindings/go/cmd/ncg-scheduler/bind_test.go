package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/flowcontrol"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// limitedAPI is an API server behind a client rate limit, with a delay per call: every call waits for a token
// of the limiter, as client-go's own limiter makes it wait, then takes delay.
type limitedAPI struct {
	API
	limit flowcontrol.RateLimiter
	delay time.Duration
	calls atomic.Int64
}

func (l *limitedAPI) wait(ctx context.Context) error {
	l.calls.Add(1)
	if err := l.limit.Wait(ctx); err != nil {
		return err
	}
	select {
	case <-time.After(l.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *limitedAPI) GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	if err := l.wait(ctx); err != nil {
		return nil, err
	}
	return l.API.GetPod(ctx, namespace, name)
}

func (l *limitedAPI) PatchPod(ctx context.Context, namespace, name string, patch []byte) error {
	if err := l.wait(ctx); err != nil {
		return err
	}
	return l.API.PatchPod(ctx, namespace, name, patch)
}

func (l *limitedAPI) Bind(ctx context.Context, b *corev1.Binding) error {
	if err := l.wait(ctx); err != nil {
		return err
	}
	return l.API.Bind(ctx, b)
}

// watched is a state fed by informers of cs, and an extender over it with API api (nil: cs itself), ready.
func watched(t *testing.T, cs *fakeClientset, wrap func(API) API) (*Extender, *State) {
	t.Helper()
	s := newTestState(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	lister, synced := Watch(ctx, cs, s)
	if err := <-synced; err != nil {
		t.Fatal(err)
	}
	var api API = ClientAPI{Client: cs, Pods: lister}
	if wrap != nil {
		api = wrap(api)
	}
	x := NewExtender(s, api, nil)
	x.SetReady(true)
	return x, s
}

// apiTruth checks the pods of the API server as a device plugin would read them: every bound pod that asks for
// Neuron resources carries its annotations for the node it is bound to, with as many ids as it asks for; no
// pending pod carries any; no device or core is held twice on a node. It returns the pods bound.
func apiTruth(t *testing.T, cs *fakeClientset, coresPerDevice map[string]int) int {
	t.Helper()
	pods := must(cs.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{}))
	cores := map[string]map[int]string{} // node: core: pod
	bound := 0
	for i := range pods.Items {
		p := &pods.Items[i]
		key := p.Namespace + "/" + p.Name
		w := must(PodWant(p))
		ids, has := p.Annotations[AnnotationIDs]
		if p.Spec.NodeName == "" {
			if has || p.Annotations[AnnotationNode] != "" {
				t.Errorf("pending pod %s carries annotations %v", key, p.Annotations)
			}
			continue
		}
		bound++
		if w.Count == 0 {
			continue
		}
		if !has || p.Annotations[AnnotationNode] != p.Spec.NodeName || p.Annotations[AnnotationAllocated] != "false" {
			t.Errorf("pod %s bound to %s with annotations %v", key, p.Spec.NodeName, p.Annotations)
			continue
		}
		list := strings.Split(ids, ",")
		if int64(len(list)) != w.Count {
			t.Errorf("pod %s asks for %d, holds %s", key, w.Count, ids)
		}
		if cores[p.Spec.NodeName] == nil {
			cores[p.Spec.NodeName] = map[int]string{}
		}
		for _, s := range list {
			id := must(strconv.Atoi(s))
			span := []int{id}
			if !w.Cores {
				cpd := coresPerDevice[p.Spec.NodeName]
				span = span[:0]
				for c := id * cpd; c < (id+1)*cpd; c++ {
					span = append(span, c)
				}
			}
			for _, c := range span {
				if other := cores[p.Spec.NodeName][c]; other != "" {
					t.Errorf("core %d of node %s held by %s and %s", c, p.Spec.NodeName, other, key)
				}
				cores[p.Spec.NodeName][c] = key
			}
		}
	}
	return bound
}

// stateMatches checks that a state holds what the API server's pods hold: the same pods with the same ids on
// the same nodes, and no reservation left.
func stateMatches(t *testing.T, s *State, cs *fakeClientset) {
	t.Helper()
	want := map[string]string{}
	pods := must(cs.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{}))
	for i := range pods.Items {
		p := &pods.Items[i]
		if h, ok, _ := PodHeld(p); ok {
			want[p.Namespace+"/"+p.Name] = p.Spec.NodeName + " " + h.IDs
		}
	}
	got := map[string]string{}
	for _, n := range s.Snapshot() {
		for _, p := range n.Pods {
			got[p.Pod] = n.Name + " " + p.IDs
			if p.Reserved {
				t.Errorf("%s: a reservation is left on %s", p.Pod, n.Name)
			}
		}
		if len(n.Conflicts) > 0 {
			t.Errorf("node %s: conflicts %v", n.Name, n.Conflicts)
		}
	}
	wantEqual(t, "the state's holders", got, want)
}

// TestBindBurst: 150 binds at once (on 30 nodes) through an API client limited to 100 requests per second (a burst of 10),
// each call taking 2 ms. Each bind makes one call (the binding, which carries the annotations; the pod comes from
// the informers), so all of them are bound well within their deadline, with the annotations the device plugin
// reads and no device twice.
func TestBindBurst(t *testing.T) {
	var objs []runtime.Object
	cpd := map[string]int{}
	for i := 0; i < 30; i++ {
		name := fmt.Sprintf("n%02d", i)
		objs = append(objs, mkNode(name, "inf2.48xlarge")) // 12 devices of 2 cores
		cpd[name] = 2
	}
	var pods []*corev1.Pod
	for i := 0; i < 150; i++ {
		p := mkPod(fmt.Sprintf("p%03d", i), i%3 == 2, int64(1+i%2), i) // 1 or 2 devices, 1 or 2 cores
		pods = append(pods, p)
		objs = append(objs, p)
	}
	cs := NewFakeClient(objs...)
	var lim *limitedAPI
	x, s := watched(t, cs, func(a API) API {
		lim = &limitedAPI{API: a, limit: flowcontrol.NewTokenBucketRateLimiter(100, 10), delay: 2 * time.Millisecond}
		return lim
	})
	h := x.Handler()
	var wg sync.WaitGroup
	errs := make([]string, len(pods))
	start := time.Now()
	for i, p := range pods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, body := post(t, h, "/bind", &extenderv1.ExtenderBindingArgs{PodName: p.Name, PodNamespace: p.Namespace,
				PodUID: p.UID, Node: fmt.Sprintf("n%02d", i%30)})
			errs[i] = decode[extenderv1.ExtenderBindingResult](t, body).Error
		}()
	}
	wg.Wait()
	took := time.Since(start)
	for i, e := range errs {
		if e != "" {
			t.Errorf("pod %d: %s", i, e)
		}
	}
	if n := lim.calls.Load(); n != int64(len(pods)) {
		t.Errorf("%d API calls for %d binds", n, len(pods))
	}
	if took > 4*time.Second {
		t.Errorf("150 binds took %v", took)
	}
	if n := apiTruth(t, cs, cpd); n != len(pods) {
		t.Errorf("%d pods bound", n)
	}
	stateMatches(t, s, cs)
	waitFor(t, func() bool { return x.binds.held() == 0 }, func() string { return "binds still held" })
}

// TestBindSamePodTwice: concurrent binds of one pod to two nodes, 300 times, by one extender (its binds of a pod
// take turns) and by two extenders over the same API server (two schedulers during a failover): the API
// server binds the pod once, with the annotations of the bind that bound it; both states hold it there; the
// loser's reservation is gone; no device is held twice.
func TestBindSamePodTwice(t *testing.T) {
	var objs []runtime.Object
	cpd := map[string]int{}
	const nodes = 40
	for i := 0; i < nodes; i++ {
		name := fmt.Sprintf("n%d", i)
		objs = append(objs, mkNode(name, "inf2.48xlarge")) // 12 devices of 2 cores
		cpd[name] = 2
	}
	const pairs = 300
	var pods []*corev1.Pod
	for i := 0; i < pairs; i++ {
		p := mkPod(fmt.Sprintf("p%03d", i), i%2 == 1, 1, i)
		pods = append(pods, p)
		objs = append(objs, p)
	}
	cs := NewFakeClient(objs...)
	delay := func(a API) API {
		return &limitedAPI{API: a, limit: flowcontrol.NewFakeAlwaysRateLimiter(), delay: time.Millisecond}
	}
	a, sa := watched(t, cs, delay)
	b, sb := watched(t, cs, delay)
	ha, hb := a.Handler(), b.Handler()
	wins := map[string]int{}
	for i, p := range pods {
		// Two nodes, the second bind through the same extender for the first half of the pods.
		n1, n2 := fmt.Sprintf("n%d", i%nodes), fmt.Sprintf("n%d", (i+1+i/nodes)%nodes)
		if n1 == n2 {
			n2 = fmt.Sprintf("n%d", (i+2)%nodes)
		}
		h2 := hb
		if i < pairs/2 {
			h2 = ha
		}
		var wg sync.WaitGroup
		var e1, e2 string
		for k, c := range []struct {
			h    http.Handler
			node string
			err  *string
		}{{ha, n1, &e1}, {h2, n2, &e2}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if k == 1 {
					time.Sleep(time.Duration(i%3) * 300 * time.Microsecond)
				}
				_, body := post(t, c.h, "/bind", &extenderv1.ExtenderBindingArgs{PodName: p.Name, PodNamespace: p.Namespace,
					PodUID: p.UID, Node: c.node})
				*c.err = decode[extenderv1.ExtenderBindingResult](t, body).Error
			}()
		}
		wg.Wait()
		pod := must(cs.CoreV1().Pods(p.Namespace).Get(context.Background(), p.Name, metav1.GetOptions{}))
		switch {
		case e1 == "" && e2 == "":
			t.Fatalf("pod %s: both binds succeeded, the pod is on %s", p.Name, pod.Spec.NodeName)
		case e1 == "" && pod.Spec.NodeName != n1, e2 == "" && pod.Spec.NodeName != n2:
			t.Fatalf("pod %s on %s: %q, %q", p.Name, pod.Spec.NodeName, e1, e2)
		case e1 != "" && e2 != "":
			t.Fatalf("pod %s: both binds failed: %q, %q", p.Name, e1, e2)
		}
		if e1 == "" {
			wins["first"]++
		} else {
			wins["second"]++
		}
	}
	if n := apiTruth(t, cs, cpd); n != pairs {
		t.Errorf("%d pods bound", n)
	}
	// The informers bring every pod bound to both states.
	for _, s := range []*State{sa, sb} {
		waitFor(t, func() bool {
			held := 0
			for _, n := range s.Snapshot() {
				held += len(n.Pods)
			}
			return held == pairs
		}, func() string { return toJSON(s.Snapshot()) })
		stateMatches(t, s, cs)
	}
	t.Logf("binds won: %v", wins)
}

// lateAPI posts the binding, then reports a timeout: the binding landed, the answer was lost.
type lateAPI struct{ API }

func (l lateAPI) Bind(ctx context.Context, b *corev1.Binding) error {
	if err := l.API.Bind(ctx, b); err != nil {
		return err
	}
	return context.DeadlineExceeded
}

// TestBindLandedAfterTimeout: a binding whose answer is lost is read back from the API server: bound to the
// node with the bind's ids, it is a success, and the state holds the pod there.
func TestBindLandedAfterTimeout(t *testing.T) {
	p := mkPod("late", false, 2, 0)
	cs := NewFakeClient(mkNode("n", "inf2.24xlarge"), p)
	x, s := watched(t, cs, func(a API) API { return lateAPI{a} })
	_, body := post(t, x.Handler(), "/bind", &extenderv1.ExtenderBindingArgs{PodName: p.Name, PodNamespace: p.Namespace,
		PodUID: p.UID, Node: "n"})
	if e := decode[extenderv1.ExtenderBindingResult](t, body).Error; e != "" {
		t.Fatal(e)
	}
	if n := apiTruth(t, cs, map[string]int{"n": 2}); n != 1 {
		t.Fatal(n)
	}
	stateMatches(t, s, cs)
}

// TestFilterBest: with --filter best, filter keeps the node prioritize would rank first (the first by name
// among equals), reserves the pod's devices there, so that the next pod's filter sees them taken before the
// first pod's bind; the bind takes the reservation; a filter of the same pod again moves it; one that no bind
// follows expires.
func TestFilterBest(t *testing.T) {
	var objs []runtime.Object
	for i := 0; i < 3; i++ {
		objs = append(objs, mkNode(fmt.Sprintf("n%d", i), "inf2.24xlarge")) // 6 devices in a ring
	}
	a, b, c := mkPod("a", false, 4, 0), mkPod("b", false, 2, 1), mkPod("c", false, 2, 2)
	objs = append(objs, a, b, c)
	cs := NewFakeClient(objs...)
	x, s := watched(t, cs, nil)
	now := time.Unix(5000, 0)
	s.now = func() time.Time { return now }
	h := x.Handler()
	names := []string{"n2", "n0", "n1"}
	filter := func(p *corev1.Pod) extenderv1.ExtenderFilterResult {
		_, body := post(t, h, "/filter", &extenderv1.ExtenderArgs{Pod: p, NodeNames: &names})
		return decode[extenderv1.ExtenderFilterResult](t, body)
	}
	held := func(node string) []PodSnapshot { return nodeSnap(s, node).Pods }
	// Three empty nodes: the first by name, and a's 4 devices reserved there.
	if r := filter(a); r.Error != "" || !equalJSON(*r.NodeNames, []string{"n0"}) || len(r.FailedNodes) != 0 {
		t.Fatalf("%+v", r)
	}
	if ps := held("n0"); !equalJSON(ps, []PodSnapshot{{Pod: "ml/a", Resource: "aws.amazon.com/neuron", IDs: "0,1,2,3", Reserved: true}}) {
		t.Fatal(toJSON(ps))
	}
	// b, before a's bind: n0's two free devices are the tightest fit.
	if r := filter(b); !equalJSON(*r.NodeNames, []string{"n0"}) {
		t.Fatalf("%+v", r)
	}
	if ps := held("n0"); len(ps) != 2 || ps[1].IDs != "4,5" {
		t.Fatal(toJSON(ps))
	}
	// c: n0 is full now; a node passes, so the others' reasons are left out.
	r := filter(c)
	if !equalJSON(*r.NodeNames, []string{"n1"}) || len(r.FailedNodes) != 0 || len(r.FailedAndUnresolvableNodes) != 0 {
		t.Fatalf("%+v", r)
	}
	// A pod that fits nowhere: every node's reason, nothing reserved.
	big := mkPod("big", false, 8, 3)
	if _, err := cs.CoreV1().Pods("ml").Create(context.Background(), big, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const never = "no instances can satisfy the requested Inf quantity - requested 8 Inf but instances only have 6 Inf available"
	if r := filter(big); len(*r.NodeNames) != 0 || len(r.FailedAndUnresolvableNodes) != 3 || r.FailedAndUnresolvableNodes["n0"] != never {
		t.Fatalf("%+v", r)
	}
	// a's bind takes its reservation: the same devices, bound.
	_, body := post(t, h, "/bind", &extenderv1.ExtenderBindingArgs{PodName: "a", PodNamespace: "ml", PodUID: a.UID, Node: "n0"})
	if e := decode[extenderv1.ExtenderBindingResult](t, body).Error; e != "" {
		t.Fatal(e)
	}
	if got := must(cs.CoreV1().Pods("ml").Get(context.Background(), "a", metav1.GetOptions{})); got.Annotations[AnnotationIDs] != "0,1,2,3" {
		t.Fatal(got.Annotations)
	}
	// c filtered again: its reservation moves (to the tightest node, n1 still, with its devices held once).
	if r := filter(c); !equalJSON(*r.NodeNames, []string{"n1"}) {
		t.Fatalf("%+v", r)
	}
	if ps := held("n1"); len(ps) != 1 || ps[0].Pod != "ml/c" {
		t.Fatal(toJSON(ps))
	}
	// b's and c's binds never come: their reservations expire after the filter's TTL; a's holding stays.
	now = now.Add(x.FilterReservationTTL + time.Second)
	if n := s.ExpireReservations(); n != 2 {
		t.Fatal(n)
	}
	if ps := held("n0"); len(ps) != 1 || ps[0].Pod != "ml/a" || ps[0].Reserved {
		t.Fatal(toJSON(ps))
	}
	if ps := held("n1"); len(ps) != 0 {
		t.Fatal(toJSON(ps))
	}
	stateMatches(t, s, cs)
}
