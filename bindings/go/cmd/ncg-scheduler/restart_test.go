package main

import (
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// rebuilt is the state a scheduler starting now would build: every node and pod of the fake, fed in list
// order without informers.
func rebuilt(t testing.TB, cs *fakeClientset) []NodeSnapshot {
	t.Helper()
	s := newTestState(t)
	ctx := context.Background()
	for _, n := range must(cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})).Items {
		s.SetNode(&n)
	}
	for _, p := range must(cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})).Items {
		s.SetPod(&p)
	}
	return s.Snapshot()
}

// schedule runs one pod through filter, prioritize and bind as kube-scheduler would (the highest priority,
// the first by name on a tie), and says where it went ("" when unschedulable).
func schedule(t testing.TB, h http.Handler, pod *corev1.Pod, names []string) string {
	t.Helper()
	cand := append([]string(nil), names...)
	args := extenderv1.ExtenderArgs{Pod: pod, NodeNames: &cand}
	code, body := post(t, h, "/filter", &args)
	fr := decode[extenderv1.ExtenderFilterResult](t, body)
	if code != http.StatusOK || fr.Error != "" {
		t.Fatalf("filter: HTTP %d: %s", code, body)
	}
	if len(*fr.NodeNames) == 0 {
		return ""
	}
	args.NodeNames = fr.NodeNames
	_, body = post(t, h, "/prioritize", &args)
	best := bestHost(decode[extenderv1.HostPriorityList](t, body))
	_, body = post(t, h, "/bind", &extenderv1.ExtenderBindingArgs{PodName: pod.Name, PodNamespace: pod.Namespace,
		PodUID: pod.UID, Node: best})
	if res := decode[extenderv1.ExtenderBindingResult](t, body); res.Error != "" {
		t.Fatal(res.Error)
	}
	return best
}

// TestRestartRebuildsSameState runs a randomized mix of pods scheduled, deleted and finished against the fake
// clientset. After every step the scheduler's state must be the one a fresh start would build from the
// cluster as it is (never stale, no conflict); halfway, a second scheduler starts on the same cluster, must
// build the same state and answer filter the same, and carries on in place of the first.
func TestRestartRebuildsSameState(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	kinds := []string{"inf1.6xlarge", "inf1.24xlarge", "inf2.24xlarge", "inf2.48xlarge", "trn1.32xlarge", "inf1.xlarge",
		"trn1.2xlarge", "inf2.xlarge"}
	var objs []runtime.Object
	var names []string
	for i := 0; i < 12; i++ {
		name := fmt.Sprintf("node-%02d", i)
		objs = append(objs, mkNode(name, kinds[i%len(kinds)]))
		names = append(names, name)
	}
	cs := NewFakeClient(objs...)
	start := func() (*Extender, *State, context.CancelFunc) {
		s := newTestState(t)
		ctx, cancel := context.WithCancel(context.Background())
		lister, synced := Watch(ctx, cs, s)
		if err := <-synced; err != nil {
			t.Fatal(err)
		}
		x := NewExtender(s, ClientAPI{Client: cs, Pods: lister}, nil)
		x.SetReady(true)
		return x, s, cancel
	}
	cs.ClearActions()
	x, s, stop := start()
	waitWatching(t, cs)
	shapes := []Want{{Count: 1}, {Count: 2}, {Count: 3}, {Count: 4}, {Count: 8}, {Count: 16}, {Cores: true, Count: 1},
		{Cores: true, Count: 2}, {Cores: true, Count: 3}, {Cores: true, Count: 6}}
	ctx := context.Background()
	var live []string
	placed, unschedulable := 0, 0
	settle := func(step int) {
		t.Helper()
		waitFor(t, func() bool { return equalJSON(s.Snapshot(), rebuilt(t, cs)) }, func() string {
			return fmt.Sprintf("step %d: state\n%s\nrebuilt\n%s", step, toJSON(s.Snapshot()), toJSON(rebuilt(t, cs)))
		})
		for _, n := range s.Snapshot() {
			if len(n.Conflicts) > 0 {
				t.Fatalf("step %d: %s: %v", step, n.Name, n.Conflicts)
			}
		}
	}
	for step := 0; step < 240; step++ {
		if step == 120 {
			cs.ClearActions()
			x2, s2, stop2 := start()
			waitWatching(t, cs)
			if !equalJSON(s2.Snapshot(), s.Snapshot()) {
				t.Fatalf("restart: before\n%s\nafter\n%s", toJSON(s.Snapshot()), toJSON(s2.Snapshot()))
			}
			for i, w := range shapes {
				probe := mkPod(fmt.Sprintf("probe-%d", i), w.Cores, w.Count, 0)
				p1, f1, u1, _ := s.Filter(probe, names)
				p2, f2, u2, _ := s2.Filter(probe, names)
				wantEqual(t, "filter after restart", []any{p2, f2, u2}, []any{p1, f1, u1})
			}
			stop()
			x, s, stop = x2, s2, stop2
		}
		switch r := rng.Intn(10); {
		case r < 6 || len(live) == 0:
			w := shapes[rng.Intn(len(shapes))]
			pod := mkPod(fmt.Sprintf("pod-%03d", step), w.Cores, w.Count, step)
			must(cs.CoreV1().Pods("ml").Create(ctx, pod, metav1.CreateOptions{}))
			if node := schedule(t, x.Handler(), pod, names); node != "" {
				live = append(live, pod.Name)
				placed++
			} else {
				unschedulable++
				if err := cs.CoreV1().Pods("ml").Delete(ctx, pod.Name, metav1.DeleteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
		case r < 8:
			i := rng.Intn(len(live))
			if err := cs.CoreV1().Pods("ml").Delete(ctx, live[i], metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			live = append(live[:i], live[i+1:]...)
		default:
			i := rng.Intn(len(live))
			pod := must(cs.CoreV1().Pods("ml").Get(ctx, live[i], metav1.GetOptions{}))
			pod.Status.Phase = corev1.PodSucceeded
			must(cs.CoreV1().Pods("ml").UpdateStatus(ctx, pod, metav1.UpdateOptions{}))
			live = append(live[:i], live[i+1:]...)
		}
		settle(step)
	}
	stop()
	if placed < 100 || unschedulable < 10 {
		t.Fatalf("the run placed %d pods and found %d unschedulable: not a full cluster", placed, unschedulable)
	}
	t.Logf("placed %d pods, %d unschedulable, %d live at the end", placed, unschedulable, len(live))
}
