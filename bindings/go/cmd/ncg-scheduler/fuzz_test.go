package main

// Go native fuzz targets (go test -fuzz): the extender's request decoding, and the state rebuilt from pods'
// annotations. `go test` runs their seeds; CI fuzzes each for a while (.ci/run).

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
)

// FuzzDecodeArgs: whatever the body, the reused decoder gives what json-iterator gives for
// extenderv1.ExtenderArgs, error or value, twice in a row into the same buffers; and the filter answers it
// without failing.
func FuzzDecodeArgs(f *testing.F) {
	for _, s := range []string{
		`{"Pod":{"metadata":{"name":"p","namespace":"ml","uid":"u"},"spec":{"containers":[{"name":"c","resources":{"limits":{"aws.amazon.com/neuron":"2"}}}]}},"Nodes":null,"NodeNames":["a","b","c"]}`,
		`{"NodeNames":["ip\u002d1","caf\u00e9","a\"b"]}`,
		`{"Pod":{"metadata":{"name":"p"}},"NodeNames":["a"],"NodeNames":null}`,
		`{"Nodes":{"items":[{"metadata":{"name":"n1"}}]},"NodeNames":["n1"]}`,
		`{"Pod":{"spec":{"containers":[{"resources":{"limits":{"aws.amazon.com/neuroncore":"1500m"}}}]}},"NodeNames":["a"]}`,
		`[`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	s := newTestState(f)
	for _, n := range []string{"a", "b", "n1"} {
		s.SetNode(mkNode(n, "inf2.24xlarge"))
	}
	x := NewExtender(s, nil, nil)
	x.SetReady(true)
	x.FilterBest = false // the filter must not change the state between two inputs
	h := x.Handler()
	var a extenderArgs
	f.Fuzz(func(t *testing.T, body []byte) {
		for round := 0; round < 2; round++ {
			got, gerr := decodeArgs(body, &a)
			var want extenderv1.ExtenderArgs
			werr := wire.Unmarshal(body, &want)
			if werr != nil {
				want = extenderv1.ExtenderArgs{}
			}
			if fmt.Sprint(gerr) != fmt.Sprint(werr) || !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: got %+v %v, want %+v %v", body, got, gerr, want, werr)
			}
		}
		code, out := rawPost(t, h, "/filter", body)
		var res extenderv1.ExtenderFilterResult
		if err := json.Unmarshal(out, &res); err != nil || (code != 200 && code != 400) {
			t.Fatalf("%q: HTTP %d %v: %s", body, code, err, out)
		}
	})
}

// FuzzStatePods: a sequence of pod events, each a pod with annotations and a node decoded from the input, some of
// them deletions. After it: no NeuronCore of a node is held by two pods the state adopted, every node's holders
// are pods the state knows, and a state built afresh from the pods that remain, in another order, is the same.
func FuzzStatePods(f *testing.F) {
	f.Add([]byte("n0 d 0,1|n0 c 4,5|n1 d 2|n0 d 1,2|-1|n1 c 3-4|n2 d x|n0 d"))
	f.Add([]byte("n0 d 0|n0 d 0|n1 c 0,1,2,3|-0|n0 c 1"))
	f.Add([]byte("n1 d 5,6,7,8|n1 c 0|n3 d 0|n0 -|n0 d 0,1,2,3,4,5"))
	f.Add([]byte("n0 ||||||||")) // p0 bound without ids, then a version of it pending: it stays bound
	nodes := map[string]string{"n0": "inf2.24xlarge", "n1": "trn1.32xlarge", "n2": "inf1.6xlarge"}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		build := func(pods []*corev1.Pod, deleted []types.UID) *State {
			s := newTestState(t)
			for _, n := range []string{"n0", "n1", "n2"} {
				s.SetNode(mkNode(n, nodes[n]))
			}
			for i, p := range pods {
				s.SetPod(p)
				if i < len(deleted) && deleted[i] != "" {
					s.DeletePod(deleted[i])
				}
			}
			return s
		}
		var events []*corev1.Pod
		var deletes []types.UID
		live := map[types.UID]*corev1.Pod{}
		born := map[types.UID]int{} // a pod's creationTimestamp is immutable: every version keeps its first
		for i, ev := range strings.Split(string(data), "|") {
			f := strings.Fields(ev)
			var del types.UID
			if len(f) == 1 && strings.HasPrefix(f[0], "-") {
				del = types.UID("uid-p" + strings.TrimPrefix(f[0], "-"))
				delete(live, del)
			}
			p := mkPod(fmt.Sprintf("p%d", i%8), false, 1, i)
			p.UID = types.UID(fmt.Sprintf("uid-p%d", i%8))
			if len(f) >= 1 && !strings.HasPrefix(f[0], "-") {
				p.Spec.NodeName = f[0]
			}
			p.Annotations = map[string]string{}
			if len(f) >= 2 && f[1] == "c" {
				p.Annotations[AnnotationResourceType] = string(ResourceNeuronCore)
				p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{ResourceNeuronCore: p.Spec.Containers[0].Resources.Limits[ResourceNeuron]}
			}
			if len(f) >= 3 {
				p.Annotations[AnnotationIDs] = f[2]
				p.Annotations[AnnotationNode] = f[0]
			}
			if len(f) >= 4 {
				p.Status.Phase = corev1.PodPhase(f[3])
			}
			if _, ok := born[p.UID]; !ok {
				born[p.UID] = i
			}
			p.CreationTimestamp = metav1.Unix(int64(born[p.UID]), 0)
			if del != "" {
				delete(born, del) // set, then deleted (build's order): a later pod of that uid is a new one
			}
			events = append(events, p)
			deletes = append(deletes, del)
			// A pod's node never changes once it is bound: the state ignores a later version that shows it
			// pending (an older one, from the informers), and so does the restart's list.
			if old := live[p.UID]; del == "" && (old == nil || old.Spec.NodeName == "" || p.Spec.NodeName != "") {
				live[p.UID] = p
			}
		}
		s := build(events, deletes)
		for _, n := range s.Snapshot() {
			cores := map[int]string{}
			for _, h := range n.Pods {
				if h.Conflict {
					continue // not adopted: its ids are in n.Conflicts
				}
				first, count := 0, 0
				var err error
				if h.Resource == string(ResourceNeuronCore) {
					first, count, err = parseIDsForTest(h.IDs, 1)
				} else {
					first, count, err = parseIDsForTest(h.IDs, n.CoresPerChip)
				}
				if err != nil {
					t.Fatalf("node %s holds %s=%s: %v", n.Name, h.Pod, h.IDs, err)
				}
				for c := first; c < first+count; c++ {
					if other := cores[c]; other != "" {
						t.Fatalf("core %d of node %s held by %s and %s", c, n.Name, other, h.Pod)
					}
					cores[c] = h.Pod
				}
			}
		}
		// The same pods, as a restart finds them: the last version of each, in the order of their names.
		var last []*corev1.Pod
		for _, p := range live {
			last = append(last, p)
		}
		sort.Slice(last, func(i, j int) bool { return last[i].Name > last[j].Name })
		fresh := build(last, nil)
		if a, b := toJSON(s.Snapshot()), toJSON(fresh.Snapshot()); a != b {
			t.Fatalf("after the events:\n%s\nafresh:\n%s", a, b)
		}
	})
}

// parseIDsForTest reads a consecutive id list ("2,3") as cores: first core and count, each id scale cores.
func parseIDsForTest(s string, scale int) (int, int, error) {
	var ids []int
	for _, p := range strings.Split(s, ",") { // ids and ranges, as the library reads them: "0-2,3"
		lo, hi, isRange := strings.Cut(p, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0, 0, err
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return 0, 0, err
			}
			if b < a {
				return 0, 0, fmt.Errorf("range %q runs backwards", p)
			}
		}
		for v := a; v <= b; v++ {
			ids = append(ids, v)
		}
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[0]+i {
			return 0, 0, fmt.Errorf("not consecutive")
		}
	}
	return ids[0] * scale, len(ids) * scale, nil
}
