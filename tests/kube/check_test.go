package kube

// The invariants checked after every scenario, from the API server's pods (the truth a device plugin reads)
// and from each extender's /state.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The annotations of the Neuron device plugin's protocol.
const (
	annIDs       = "AWS_NEURON_IDS"
	annType      = "NEURON_RESOURCE_TYPE"
	annAllocated = "NEURON_ALLOCATED"
	annAllocTime = "NEURON_ALLOC_TIME"
	annNode      = "aws.amazon.com/predicate-node"
)

// want is what a pod asks for: count devices (under aws.amazon.com/neuron or neurondevice) or count cores.
type want struct {
	cores bool
	count int64
}

// podWant sums the containers' limits (else requests) of the Neuron resources; the largest init container's
// when more. A pod asking under two names is reported with both counts (bad).
func podWant(p *corev1.Pod) (w want, bad bool) {
	sum := func(name corev1.ResourceName) int64 {
		var total, initMax int64
		get := func(c corev1.Container) int64 {
			if q, ok := c.Resources.Limits[name]; ok {
				return q.Value()
			}
			if q, ok := c.Resources.Requests[name]; ok {
				return q.Value()
			}
			return 0
		}
		for _, c := range p.Spec.Containers {
			total += get(c)
		}
		for _, c := range p.Spec.InitContainers {
			initMax = max(initMax, get(c))
		}
		return max(total, initMax)
	}
	dev, devNew, cores := sum("aws.amazon.com/neuron"), sum("aws.amazon.com/neurondevice"), sum("aws.amazon.com/neuroncore")
	n := 0
	for _, v := range []int64{dev, devNew, cores} {
		if v > 0 {
			n++
		}
	}
	switch {
	case n > 1:
		return want{}, true
	case cores > 0:
		return want{cores: true, count: cores}, false
	default:
		return want{count: dev + devNew}, false
	}
}

// Verdict is what one check found.
type Verdict struct {
	Pods, Bound, Pending int
	SharedCores          int      // cores held by two pods of one node
	Stale                int      // annotations on a pending pod, or naming another node than the pod's
	Wrong                int      // a bound pod whose annotations are missing, malformed, or not what it asks for
	Unaccounted          int      // pods holding Neuron resources that an extender's state does not show as they are
	Conflicts            int      // conflicts an extender's state reports
	Problems             []string // each finding, for the log
}

func (v *Verdict) add(kind *int, format string, a ...any) {
	*kind++
	if len(v.Problems) < 40 {
		v.Problems = append(v.Problems, fmt.Sprintf(format, a...))
	}
}

// Clean says that nothing was found.
func (v Verdict) Clean() bool {
	return v.SharedCores == 0 && v.Stale == 0 && v.Wrong == 0 && v.Unaccounted == 0 && v.Conflicts == 0
}

// parseIDs reads "2,3,4": consecutive ids, or an error.
func parseIDs(s string) (first, count int, err error) {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		id, err := strconv.Atoi(p)
		if err != nil || id < 0 {
			return 0, 0, fmt.Errorf("%q is not a list of ids", s)
		}
		if i == 0 {
			first = id
		} else if id != first+i {
			return 0, 0, fmt.Errorf("%q is not consecutive", s)
		}
	}
	return first, len(parts), nil
}

// holding is what the API server shows a pod holding: its node and its ids (ids "" when unknown).
type holding struct {
	node, ids string
	cores     bool
	count     int64
}

// Check checks the invariants over every pod of the cluster, and that every extender of pairs that runs
// shows the same holdings (waiting up to 20 s for their informers).
func (c *Cluster) Check(t *testing.T, pairs []*Pair) Verdict {
	t.Helper()
	ctx := context.Background()
	pods, err := c.Admin.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	must(t, err)
	nodes, err := c.Admin.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	must(t, err)
	nodeType := map[string]NodeType{}
	for _, n := range nodes.Items {
		nt := nodeTypes[n.Labels["node.kubernetes.io/instance-type"]]
		nt.Cores = nt.CoresPerChip(n.Labels) // the cores of its setting
		nodeType[n.Name] = nt
	}
	var v Verdict
	held := map[string]map[int]string{} // node: core: pod
	truth := map[string]holding{}       // pod: what it holds
	for i := range pods.Items {
		p := &pods.Items[i]
		key := p.Namespace + "/" + p.Name
		v.Pods++
		w, bad := podWant(p)
		ids, hasIDs := p.Annotations[annIDs]
		_, hasNode := p.Annotations[annNode]
		finished := p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
		if p.Spec.NodeName == "" {
			v.Pending++
			if hasIDs || hasNode {
				v.add(&v.Stale, "pending pod %s carries %s=%q %s=%q", key, annIDs, ids, annNode, p.Annotations[annNode])
			}
			continue
		}
		v.Bound++
		if bad || w.count == 0 || finished {
			continue
		}
		if !hasIDs {
			// Placed without an extender (the suite makes some on purpose): an extender must show it as unknown.
			truth[key] = holding{node: p.Spec.NodeName, cores: w.cores, count: w.count}
			continue
		}
		if got := p.Annotations[annNode]; got != p.Spec.NodeName {
			v.add(&v.Stale, "pod %s bound to %s carries %s=%q", key, p.Spec.NodeName, annNode, got)
			truth[key] = holding{node: p.Spec.NodeName, cores: w.cores, count: w.count}
			continue
		}
		first, count, err := parseIDs(ids)
		isCores := p.Annotations[annType] == "aws.amazon.com/neuroncore"
		nt := nodeType[p.Spec.NodeName]
		limit := nt.Chips
		if isCores {
			limit *= nt.Cores
		}
		switch {
		case err != nil:
			v.add(&v.Wrong, "pod %s: %s: %v", key, annIDs, err)
			continue
		case int64(count) != w.count || isCores != w.cores:
			v.add(&v.Wrong, "pod %s asks for %d (cores %v), holds %s=%s (cores %v)", key, w.count, w.cores, annIDs, ids, isCores)
		case first+count > limit:
			v.add(&v.Wrong, "pod %s: %s=%s past the %d of node %s (%s)", key, annIDs, ids, limit, p.Spec.NodeName, nt.Name)
		}
		if _, ok := p.Annotations[annAllocTime]; !ok {
			v.add(&v.Wrong, "pod %s carries no %s", key, annAllocTime)
		}
		truth[key] = holding{node: p.Spec.NodeName, ids: ids, cores: isCores, count: w.count}
		lo, hi := first, first+count
		if !isCores {
			lo, hi = first*nt.Cores, (first+count)*nt.Cores
		}
		if held[p.Spec.NodeName] == nil {
			held[p.Spec.NodeName] = map[int]string{}
		}
		for core := lo; core < hi; core++ {
			if other := held[p.Spec.NodeName][core]; other != "" {
				v.add(&v.SharedCores, "core %d of node %s is held by %s and %s", core, p.Spec.NodeName, other, key)
			}
			held[p.Spec.NodeName][core] = key
		}
	}
	for _, p := range pairs {
		if p == nil || p.Extender == nil || !p.Extender.Running() {
			continue
		}
		var last []string
		deadline := time.Now().Add(20 * time.Second)
		for {
			st, err := p.State()
			if err == nil {
				last = compareState(st, truth, nodeType)
				if len(last) == 0 {
					break
				}
			} else {
				last = []string{err.Error()}
			}
			if time.Now().After(deadline) {
				for _, m := range last {
					v.add(&v.Unaccounted, "ncg-scheduler-%d: %s", p.Index, m)
				}
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if st, err := p.State(); err == nil {
			for _, n := range st {
				for _, cf := range n.Conflicts {
					v.add(&v.Conflicts, "ncg-scheduler-%d: node %s: %s", p.Index, n.Name, cf)
				}
			}
		}
	}
	return v
}

// NodeState is a node of an extender's /state.
type NodeState struct {
	Name           string `json:"name"`
	InstanceType   string `json:"instanceType"`
	Devices        int    `json:"devices"`
	CoresPerDevice int    `json:"coresPerDevice"`
	FreeCores      int    `json:"freeCores"`
	Pods           []struct {
		Pod, Resource, IDs string
		Reserved           bool
	} `json:"pods"`
	Unknown []struct {
		Pod, Resource string
		Count         int64
	} `json:"unknown"`
	Blocked   string   `json:"blocked"`
	Conflicts []string `json:"conflicts"`
}

// State reads the extender's /state.
func (p *Pair) State() ([]NodeState, error) {
	resp, err := http.Get(p.ExtenderURL + "/state")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var st []NodeState
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("/state: %v", err)
	}
	return st, nil
}

// compareState lists how an extender's state differs from the API server's holdings: a pod missing, held with
// other ids or on another node, a reservation left, a node whose devices or cores per device are not the
// type's.
func compareState(st []NodeState, truth map[string]holding, nodeType map[string]NodeType) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range st {
		if nt := nodeType[n.Name]; nt.Chips > 0 && (n.Devices != nt.Chips || n.CoresPerDevice != nt.Cores) {
			out = append(out, fmt.Sprintf("node %s: %d devices of %d cores, the type has %d of %d", n.Name, n.Devices,
				n.CoresPerDevice, nt.Chips, nt.Cores))
		}
		for _, p := range n.Pods {
			seen[p.Pod] = true
			h, ok := truth[p.Pod]
			switch {
			case p.Reserved:
				out = append(out, fmt.Sprintf("pod %s: a reservation on %s (%s) is left", p.Pod, n.Name, p.IDs))
			case !ok:
				out = append(out, fmt.Sprintf("pod %s: held on %s (%s), the API server shows it holding nothing", p.Pod, n.Name, p.IDs))
			case h.node != n.Name || h.ids != p.IDs:
				out = append(out, fmt.Sprintf("pod %s: held on %s (%s), the API server shows %s (%s)", p.Pod, n.Name, p.IDs, h.node, h.ids))
			}
		}
		for _, p := range n.Unknown {
			seen[p.Pod] = true
			if h, ok := truth[p.Pod]; !ok || h.node != n.Name || h.ids != "" {
				out = append(out, fmt.Sprintf("pod %s: unknown on %s, the API server shows %+v", p.Pod, n.Name, h))
			}
		}
	}
	var missing []string
	for k, h := range truth {
		if !seen[k] {
			missing = append(missing, fmt.Sprintf("pod %s holds %s on %s, not in the state", k, h.ids, h.node))
		}
	}
	sort.Strings(missing)
	return append(out, missing...)
}
