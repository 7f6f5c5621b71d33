package main

import (
	"sort"

	ncg "github.com/libncg/libncg/bindings/go"
	"k8s.io/apimachinery/pkg/types"
)

// NodeSnapshot is one node as the state sees it: what /state prints, what the tests compare.
type NodeSnapshot struct {
	Name          string        `json:"name"`
	InstanceType  string        `json:"instanceType"`
	Reason        string        `json:"reason,omitempty"` // why it cannot hold Neuron pods
	Devices       int           `json:"devices,omitempty"`
	CoresPerChip  int           `json:"coresPerDevice,omitempty"`
	LNC           int           `json:"lnc,omitempty"`         // its Logical NeuronCore setting (Trainium2/3 only)
	FreeDevices   []int         `json:"freeDevices,omitempty"` // devices with no core in use
	FreeCores     int           `json:"freeCores"`
	LargestWindow int           `json:"largestFreeWindow"` // devices of the largest valid window that is free
	Pods          []PodSnapshot `json:"pods,omitempty"`
	Conflicts     []string      `json:"conflicts,omitempty"` // holders that could not be adopted
	// Unknown are the pods that hold devices or cores the state cannot see (no AWS_NEURON_IDS, or unreadable);
	// Blocked says why the node hands out nothing while they run. FreeCores leaves out what they ask for.
	Unknown []PodSnapshot `json:"unknown,omitempty"`
	Blocked string        `json:"blocked,omitempty"`
}

// PodSnapshot is what one pod holds on its node.
type PodSnapshot struct {
	Pod      string `json:"pod"` // namespace/name
	Resource string `json:"resource"`
	IDs      string `json:"ids,omitempty"`
	Count    int64  `json:"count,omitempty"`    // what an unknown pod asks for
	Error    string `json:"error,omitempty"`    // why an unknown pod's ids cannot be read
	Reserved bool   `json:"reserved,omitempty"` // by a filter or a bind, not yet seen bound
	Conflict bool   `json:"conflict,omitempty"` // not adopted: its ids overlap an older pod's or do not fit (Conflicts says why)
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
				ns.LNC = st.LNC
				for i := 0; i < st.Chips; i++ {
					if st.FreeChipMask&(1<<uint(i)) != 0 {
						ns.FreeDevices = append(ns.FreeDevices, i)
					}
				}
			}
		}
		for _, p := range sortedHolders(s.holders[n.name]) {
			ps := PodSnapshot{Pod: p.key, Resource: string(ResourceNeuron), IDs: p.held.IDs, Reserved: p.reserved,
				Conflict: n.conflicted[p.uid]}
			if p.held.Cores {
				ps.Resource = string(ResourceNeuronCore)
			}
			ns.Pods = append(ns.Pods, ps)
		}
		if n.blocked != nil {
			ns.Blocked = n.blocked.reason
			ns.FreeDevices, ns.LargestWindow = nil, 0
			ns.FreeCores = max(0, ns.FreeCores-int(unknownCores(s.unknown[n.name], ns.CoresPerChip)))
		}
		for _, p := range sortedHolders(s.unknown[n.name]) {
			ns.Unknown = append(ns.Unknown, PodSnapshot{Pod: p.key, Resource: string(p.want.Resource()),
				Count: p.want.Count, Error: p.malformed})
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
	types                                               map[string]*typeTotals
	reserved, withoutIDs, malformed, blocked, conflicts int
}

// unknownCores is what the pods of an unknown set ask for, in cores (a device is coresPerChip cores).
func unknownCores(pods map[types.UID]*podInfo, coresPerChip int) int64 {
	var n int64
	for _, p := range pods {
		if p.want.Cores {
			n += p.want.Count
		} else {
			n += p.want.Count * int64(coresPerChip)
		}
	}
	return n
}

// Totals sums the nodes' figures per instance type (a blocked node counts no free device and no window, and
// none of the cores its unknown pods ask for as free), and counts reservations, pods holding what the state
// cannot see (without AWS_NEURON_IDS, or with malformed ones), blocked nodes and conflicts.
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
		tt.cores += st.Chips * st.CoresPerChip
		tt.allocations += st.Allocations
		if n.blocked != nil {
			t.blocked++
			tt.freeCores += max(0, st.FreeCores-int(unknownCores(s.unknown[n.name], st.CoresPerChip)))
			continue
		}
		tt.freeDevices += st.FreeChips
		tt.freeCores += st.FreeCores
		tt.windows += st.LargestWindow
	}
	for _, p := range s.pods {
		switch {
		case p.reserved:
			t.reserved++
		case p.malformed != "":
			t.malformed++
		case p.unknown:
			t.withoutIDs++
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
