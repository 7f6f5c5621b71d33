package main

import (
	"sort"

	ncg "github.com/libncg/libncg/bindings/go"
)

// NodeSnapshot is one node as the state sees it: what /state prints, what the tests compare.
type NodeSnapshot struct {
	Name          string        `json:"name"`
	InstanceType  string        `json:"instanceType"`
	Reason        string        `json:"reason,omitempty"` // why it cannot hold Neuron pods
	Devices       int           `json:"devices,omitempty"`
	CoresPerChip  int           `json:"coresPerDevice,omitempty"`
	FreeDevices   []int         `json:"freeDevices,omitempty"` // devices with no core in use
	FreeCores     int           `json:"freeCores"`
	LargestWindow int           `json:"largestFreeWindow"` // devices of the largest valid window that is free
	Pods          []PodSnapshot `json:"pods,omitempty"`
	Conflicts     []string      `json:"conflicts,omitempty"` // holders that could not be adopted
}

// PodSnapshot is what one pod holds on its node.
type PodSnapshot struct {
	Pod      string `json:"pod"` // namespace/name
	Resource string `json:"resource"`
	IDs      string `json:"ids"`
	Reserved bool   `json:"reserved,omitempty"` // by a bind, not yet seen bound
}

// Snapshot lists every node, by name, with what the library says is free and which pods hold what.
func (s *State) Snapshot() []NodeSnapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]NodeSnapshot, 0, len(s.nodes))
	for _, n := range s.nodes {
		ns := NodeSnapshot{Name: n.name, InstanceType: n.typ, Reason: n.reason,
			Conflicts: append([]string(nil), n.conflicts...)}
		if n.reason == "" {
			if st, ok := s.statusLocked(n.name); ok {
				ns.Devices, ns.CoresPerChip, ns.FreeCores, ns.LargestWindow = st.Chips, st.CoresPerChip, st.FreeCores,
					st.LargestWindow
				for i := 0; i < st.Chips; i++ {
					if st.FreeChipMask&(1<<uint(i)) != 0 {
						ns.FreeDevices = append(ns.FreeDevices, i)
					}
				}
			}
		}
		for _, p := range sortedHolders(s.holders[n.name]) {
			ps := PodSnapshot{Pod: p.key, Resource: string(ResourceNeuron), IDs: p.held.IDs, Reserved: p.reserved}
			if p.held.Cores {
				ps.Resource = string(ResourceNeuronCore)
			}
			ns.Pods = append(ns.Pods, ps)
		}
		out = append(out, ns)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Totals per instance type, for the metrics.
type typeTotals struct {
	nodes, devices, freeDevices, cores, freeCores, windows, allocations int
}

// stateTotals are the figures the metrics export.
type stateTotals struct {
	types                                       map[string]*typeTotals
	reserved, unaccounted, malformed, conflicts int
}

// Totals sums the nodes' figures per instance type, and counts reservations, pods holding devices the
// scheduler cannot see, pods with malformed annotations and conflicts.
func (s *State) Totals() stateTotals {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := stateTotals{types: map[string]*typeTotals{}}
	for _, n := range s.nodes {
		t.conflicts += len(n.conflicts)
		if n.reason != "" {
			continue
		}
		st, ok := s.statusLocked(n.name)
		if !ok {
			continue
		}
		tt := t.types[n.typ]
		if tt == nil {
			tt = &typeTotals{}
			t.types[n.typ] = tt
		}
		tt.nodes++
		tt.devices += st.Chips
		tt.freeDevices += st.FreeChips
		tt.cores += st.Chips * st.CoresPerChip
		tt.freeCores += st.FreeCores
		tt.windows += st.LargestWindow
		tt.allocations += st.Allocations
	}
	for _, p := range s.pods {
		switch {
		case p.reserved:
			t.reserved++
		case p.unaccounted:
			t.unaccounted++
		case p.malformed != "":
			t.malformed++
		}
	}
	return t
}

// statusLocked is the library's status of a node of the cluster.
func (s *State) statusLocked(name string) (st ncg.NodeStatus, ok bool) {
	idx, err := s.cluster.FindNode(name)
	if err != nil {
		return st, false
	}
	cn, err := s.cluster.Node(idx)
	if err != nil {
		return st, false
	}
	ns, err := cn.Status()
	if err != nil {
		return st, false
	}
	return ns, true
}
