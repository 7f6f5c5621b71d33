package ncg

/*
#include <stdlib.h>
#include <ncg.h>

// The scores by value: their addresses are then C's, and Go's copies need not escape to the heap.
static int ncg_go_score_compare(ncg_node_score a, ncg_node_score b) { return ncg_node_score_compare(&a, &b); }
*/
import "C"

import (
	"runtime"
	"sync"
)

// NodeGroupSpec is a node group: nodes of one type that an API may use (ncg_nodegroup_spec).
type NodeGroupSpec struct {
	Name       string
	Type       string
	MinNodes   int
	MaxNodes   int
	HasPrice   bool // USDPerHour overrides the catalog price
	USDPerHour float64
	Priority   int // higher is placed first, strictly
	// LNC is the Logical NeuronCore setting of its nodes: 1 or 2 (types with the setting only), 0 for the type's;
	// NodeGroup gives the setting in use (2.3).
	LNC int
}

// Placement says where Place put a replica (ncg_placement).
type Placement struct {
	Node      string
	NodeIndex int
	NodeGroup int
	AllocID   uint64
}

// NodeScore is how Place scores one node for one replica (ncg_node_score), from ScoreNode. The fields are the
// terms of the score; they count in the order priority, free cores, free after, leftover, node group, seq, and
// Compare orders two scores as Place does.
type NodeScore struct {
	NodeIndex int    // the node's index in the cluster
	NodeGroup int    // 5th: its node group's index (earlier wins exact ties)
	Priority  int    // 1st: its node group's priority, higher is better, strictly
	Leftover  int    // 4th: chips of the largest free window, or NeuronCores of the longest free run, left after
	FreeAfter int64  // 3rd: free capacity left after the replica, 2^20 per resource: smaller is better
	Seq       uint64 // 6th: order the node was added in (earlier wins exact ties)
	FreeCores int    // 2nd: for a CPU-only request the node's free NeuronCores (smaller is better), else 0
}

func (s NodeScore) toC() C.ncg_node_score {
	return C.ncg_node_score{size: C.uint32_t(C.sizeof_ncg_node_score), node_index: C.int(s.NodeIndex),
		nodegroup: C.int(s.NodeGroup), priority: C.int(s.Priority), leftover: C.int(s.Leftover),
		free_after: C.int64_t(s.FreeAfter), seq: C.uint64_t(s.Seq), free_cores: C.int(s.FreeCores)}
}

// Compare orders two scores as Place does (ncg_node_score_compare): negative when s is the better node,
// positive when o is, 0 when they are equal in every term. sort.Slice(scores, func(i, j int) bool { return
// scores[i].Compare(scores[j]) < 0 }) lists the nodes best first.
func (s NodeScore) Compare(o NodeScore) int {
	return int(C.ncg_go_score_compare(s.toC(), o.toC()))
}

// NodeScoreRank ranks scores as Compare orders them, in one call (ncg_node_score_rank): ranks[i] is the number of
// distinct scores better than scores[i], so 0 is the best, and scores equal in every term share a rank (dense
// ranking). Zero NodeIndex, NodeGroup and Seq to make nodes in the same state tie.
func NodeScoreRank(scores []NodeScore) ([]int, error) {
	if len(scores) == 0 {
		return []int{}, nil
	}
	cs := make([]C.ncg_node_score, len(scores))
	for i, s := range scores {
		cs[i] = s.toC()
	}
	cr := make([]C.int, len(scores))
	var e C.ncg_error
	if rc := C.ncg_node_score_rank(&cs[0], C.size_t(len(cs)), &cr[0], &e); rc < 0 {
		return nil, cerr(rc, &e)
	}
	ranks := make([]int, len(cr))
	for i, r := range cr {
		ranks[i] = int(r)
	}
	return ranks, nil
}

// Move is one move of a defragmentation suggestion (ncg_move).
type Move struct {
	From    string
	AllocID uint64
	To      string
}

// ClusterNode is a node of a cluster: its name, its node group's index and a view to read it.
type ClusterNode struct {
	Name      string
	NodeGroup int
	NodeView
}

// clusterRef gives a ClusterView its C cluster under its owner's read lock.
type clusterRef interface {
	readCluster(f func(c *C.ncg_cluster) error) error
}

// ClusterView reads a cluster: a Cluster of its own, or the cluster of a Plan (Plan.Cluster, which locks the
// plan). Every method only reads, and may run in parallel with the others.
type ClusterView struct{ ref clusterRef }

// Cluster holds node groups and named nodes, indexed for placement (ncg_cluster). Safe for concurrent use.
// The C handle lives in an inner object shared with the views (see Node).
type Cluster struct {
	ClusterView
	h *clusterHandle
}

type clusterHandle struct {
	mu sync.RWMutex
	c  *C.ncg_cluster
}

func wrapCluster(c *C.ncg_cluster) *Cluster {
	h := &clusterHandle{c: c}
	runtime.SetFinalizer(h, (*clusterHandle).close)
	return &Cluster{ClusterView{h}, h}
}

func (cl *clusterHandle) readCluster(f func(c *C.ncg_cluster) error) error {
	cl.mu.RLock()
	defer cl.mu.RUnlock()
	if cl.c == nil {
		return errClosed("cluster")
	}
	err := f(cl.c)
	runtime.KeepAlive(cl)
	return err
}

func (cl *clusterHandle) write(f func(c *C.ncg_cluster) error) error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.c == nil {
		return errClosed("cluster")
	}
	err := f(cl.c)
	runtime.KeepAlive(cl)
	return err
}

// NewCluster creates an empty cluster (ncg_cluster_new).
func NewCluster() (*Cluster, error) {
	var e C.ncg_error
	c := C.ncg_cluster_new(0, &e)
	if c == nil {
		return nil, cerr(e.code, &e)
	}
	return wrapCluster(c), nil
}

// RestoreCluster rebuilds a cluster from Dump's text (ncg_cluster_restore).
func RestoreCluster(text string) (*Cluster, error) {
	var a arena
	defer a.free()
	s, err := a.str("state text", text)
	if err != nil {
		return nil, err
	}
	var e C.ncg_error
	c := C.ncg_cluster_restore(s, 0, &e)
	if c == nil {
		return nil, cerr(e.code, &e)
	}
	return wrapCluster(c), nil
}

// Close frees the cluster and its nodes (ncg_cluster_free). Idempotent.
func (cl *Cluster) Close() error { cl.h.close(); return nil }

func (cl *clusterHandle) close() {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.c != nil {
		C.ncg_cluster_free(cl.c)
		cl.c = nil
	}
	runtime.SetFinalizer(cl, nil)
}

// Clone makes a deep copy (ncg_cluster_clone).
func (v ClusterView) Clone() (*Cluster, error) {
	var out *Cluster
	err := v.ref.readCluster(func(c *C.ncg_cluster) error {
		var e C.ncg_error
		p := C.ncg_cluster_clone(c, &e)
		if p == nil {
			return cerr(e.code, &e)
		}
		out = wrapCluster(p)
		return nil
	})
	return out, err
}

// AddNodeGroup adds a node group and returns its index (ncg_cluster_add_nodegroup).
func (cl *Cluster) AddNodeGroup(cat *Catalog, spec NodeGroupSpec) (int, error) {
	idx := 0
	err := cl.h.write(func(c *C.ncg_cluster) error {
		return cat.read(func(cc *C.ncg_catalog) error {
			var a arena
			defer a.free()
			s := (*C.ncg_nodegroup_spec)(a.calloc(1, C.sizeof_ncg_nodegroup_spec))
			s.size = C.uint32_t(C.sizeof_ncg_nodegroup_spec)
			var err error
			if s.name, err = a.str("node group name", spec.Name); err != nil {
				return err
			}
			if s._type, err = a.str("type name", spec.Type); err != nil {
				return err
			}
			s.min_nodes, s.max_nodes = C.int(spec.MinNodes), C.int(spec.MaxNodes)
			s.has_price, s.usd_per_hour = cbool(spec.HasPrice), C.double(spec.USDPerHour)
			s.priority = C.int(spec.Priority)
			s.lnc = C.int(spec.LNC)
			var e C.ncg_error
			rc := C.ncg_cluster_add_nodegroup(c, cc, s, &e)
			if rc < 0 {
				return cerr(rc, &e)
			}
			idx = int(rc)
			return nil
		})
	})
	return idx, err
}

// NodeGroupCount is ncg_cluster_nodegroup_count (0 when closed).
func (v ClusterView) NodeGroupCount() int {
	n := 0
	_ = v.ref.readCluster(func(c *C.ncg_cluster) error { n = int(C.ncg_cluster_nodegroup_count(c)); return nil })
	return n
}

// NodeGroup reads a node group and its type; the price is the effective one (ncg_cluster_get_nodegroup).
func (v ClusterView) NodeGroup(index int) (NodeGroupSpec, Type, error) {
	var spec NodeGroupSpec
	var typ Type
	err := v.ref.readCluster(func(c *C.ncg_cluster) error {
		s := C.ncg_nodegroup_spec{size: C.uint32_t(C.sizeof_ncg_nodegroup_spec)}
		t := newCType()
		var e C.ncg_error
		if rc := C.ncg_cluster_get_nodegroup(c, C.int(index), &s, &t, &e); rc < 0 {
			return cerr(rc, &e)
		}
		spec = NodeGroupSpec{goStrOrEmpty(s.name), goStrOrEmpty(s._type), int(s.min_nodes), int(s.max_nodes),
			s.has_price != 0, float64(s.usd_per_hour), int(s.priority), int(s.lnc)}
		typ = typeFromC(&t)
		return nil
	})
	return spec, typ, err
}

// SetPolicy sets the window policy of a node group, or of every node group for "" (ncg_cluster_set_policy).
func (cl *Cluster) SetPolicy(nodegroup string, p Policy) error {
	return cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		g, err := a.optStr("node group name", nodegroup)
		if err != nil {
			return err
		}
		var e C.ncg_error
		if rc := C.ncg_cluster_set_policy(c, g, C.ncg_policy(p), &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// Policy gets the window policy of a node group, or of every node group for "" (ncg_cluster_get_policy).
func (v ClusterView) Policy(nodegroup string) (Policy, error) {
	var p Policy
	err := v.ref.readCluster(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		g, err := a.optStr("node group name", nodegroup)
		if err != nil {
			return err
		}
		var e C.ncg_error
		rc := C.ncg_cluster_get_policy(c, g, &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		p = Policy(rc)
		return nil
	})
	return p, err
}

// AddNode adds an empty node to a node group; name "" names it "<nodegroup>-<n>" (ncg_cluster_add_node).
func (cl *Cluster) AddNode(name, nodegroup string) (int, error) {
	idx := 0
	err := cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.optStr("node name", name)
		if err != nil {
			return err
		}
		g, err := a.str("node group name", nodegroup)
		if err != nil {
			return err
		}
		var e C.ncg_error
		rc := C.ncg_cluster_add_node(c, n, g, &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		idx = int(rc)
		return nil
	})
	return idx, err
}

// RemoveNode removes a node and its allocations (ncg_cluster_remove_node).
func (cl *Cluster) RemoveNode(name string) error {
	return cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", name)
		if err != nil {
			return err
		}
		var e C.ncg_error
		if rc := C.ncg_cluster_remove_node(c, n, &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// NodeCount is ncg_cluster_node_count (0 when closed).
func (v ClusterView) NodeCount() int {
	n := 0
	_ = v.ref.readCluster(func(c *C.ncg_cluster) error { n = int(C.ncg_cluster_node_count(c)); return nil })
	return n
}

// Node gives the node at index (ncg_cluster_get_node). Its view finds the node by name at each call, under
// the cluster's read lock, so it stays safe when nodes are added or removed (a removed node is ErrNotFound).
func (v ClusterView) Node(index int) (ClusterNode, error) {
	var out ClusterNode
	err := v.ref.readCluster(func(c *C.ncg_cluster) error {
		var name *C.char
		var group C.int
		var e C.ncg_error
		if rc := C.ncg_cluster_get_node(c, C.int(index), nil, &name, &group, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = ClusterNode{Name: C.GoString(name), NodeGroup: int(group)}
		return nil
	})
	if err == nil {
		out.NodeView = NodeView{clusterNodeRef{v.ref, out.Name}}
	}
	return out, err
}

// Nodes lists every node of the cluster.
func (v ClusterView) Nodes() []ClusterNode {
	var list []ClusterNode
	for i, n := 0, v.NodeCount(); i < n; i++ {
		if cn, err := v.Node(i); err == nil {
			list = append(list, cn)
		}
	}
	return list
}

type clusterNodeRef struct {
	owner clusterRef
	name  string
}

func (r clusterNodeRef) readNode(f func(n *C.ncg_node) error) error {
	return r.owner.readCluster(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		s, err := a.str("node name", r.name)
		if err != nil {
			return err
		}
		var e C.ncg_error
		idx := C.ncg_cluster_find_node(c, s, &e)
		if idx < 0 {
			return cerr(idx, &e)
		}
		var node *C.ncg_node
		if rc := C.ncg_cluster_get_node(c, idx, &node, nil, nil, &e); rc < 0 {
			return cerr(rc, &e)
		}
		return f(node)
	})
}

// FindNode returns the index of a node (ncg_cluster_find_node).
func (v ClusterView) FindNode(name string) (int, error) {
	idx := 0
	err := v.ref.readCluster(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		s, err := a.str("node name", name)
		if err != nil {
			return err
		}
		var e C.ncg_error
		rc := C.ncg_cluster_find_node(c, s, &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		idx = int(rc)
		return nil
	})
	return idx, err
}

// Place places one replica on an existing node of the allowed node groups (all when nodegroups is empty)
// (ncg_cluster_place).
func (cl *Cluster) Place(r Request, nodegroups ...string) (Placement, error) {
	var out Placement
	err := cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		groups, err := a.strs("node group name", nodegroups)
		if err != nil {
			return err
		}
		p := C.ncg_placement{size: C.uint32_t(C.sizeof_ncg_placement)}
		var e C.ncg_error
		if rc := C.ncg_cluster_place(c, cr, groups, C.size_t(len(nodegroups)), &p, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = Placement{C.GoString(p.node), int(p.node_index), int(p.nodegroup), uint64(p.alloc_id)}
		return nil
	})
	return out, err
}

// ScoreNode scores placing one replica on the named node without placing it (ncg_cluster_score_node), for
// schedulers that choose among candidate nodes themselves. ErrFull (with the node's reason) when it does not fit
// now; ErrPPR, ErrNoFit, ErrTopology or ErrModel when the node's type can never take it; ErrNotFound for an
// unknown node.
func (v ClusterView) ScoreNode(node string, r Request) (NodeScore, error) {
	var out NodeScore
	err := v.ref.readCluster(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", node)
		if err != nil {
			return err
		}
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		s := C.ncg_node_score{size: C.uint32_t(C.sizeof_ncg_node_score)}
		var e C.ncg_error
		if rc := C.ncg_cluster_score_node(c, n, cr, &s, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = NodeScore{int(s.node_index), int(s.nodegroup), int(s.priority), int(s.leftover), int64(s.free_after),
			uint64(s.seq), int(s.free_cores)}
		return nil
	})
	return out, err
}

// PlaceOn places one replica on the named node (a scheduler's bind), its node group's policy choosing the chips
// or cores as Place would (ncg_cluster_place_on). The errors of ScoreNode.
func (cl *Cluster) PlaceOn(node string, r Request) (Placement, error) {
	var out Placement
	err := cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", node)
		if err != nil {
			return err
		}
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		p := C.ncg_placement{size: C.uint32_t(C.sizeof_ncg_placement)}
		var e C.ncg_error
		if rc := C.ncg_cluster_place_on(c, n, cr, &p, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = Placement{C.GoString(p.node), int(p.node_index), int(p.nodegroup), uint64(p.alloc_id)}
		return nil
	})
	return out, err
}

// Release releases an allocation of a node (ncg_cluster_release).
func (cl *Cluster) Release(node string, id uint64) error {
	return cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", node)
		if err != nil {
			return err
		}
		var e C.ncg_error
		if rc := C.ncg_cluster_release(c, n, C.uint64_t(id), &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// UltraServerMaxNodes is the most servers (nodes) of one UltraServer, and of one replica PlaceUltraServer places
// (NCG_ULTRASERVER_MAX_NODES, 2.3).
const UltraServerMaxNodes = C.NCG_ULTRASERVER_MAX_NODES

// SetNodeUltraServer makes a node a server of an UltraServer at a position 0..3, or (ultraserver "", position
// ignored) of none (ncg_cluster_set_node_ultraserver, 2.3). The id is 1..63 characters of [A-Za-z0-9._-]; on
// Kubernetes the id and position are the node's labels neuron.amazonaws.com/ultraserver-server-id-4 and
// ultraserver-node-id-4. ErrRange for the position, ErrExists when another node has that place, ErrInvalid for a
// bad id or a node holding a replica of several servers, ErrNotFound for an unknown node.
func (cl *Cluster) SetNodeUltraServer(node, ultraserver string, position int) error {
	return cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", node)
		if err != nil {
			return err
		}
		u, err := a.optStr("UltraServer id", ultraserver)
		if err != nil {
			return err
		}
		var e C.ncg_error
		if rc := C.ncg_cluster_set_node_ultraserver(c, n, u, C.int(position), &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// NodeUltraServer gives the UltraServer of the node at index and the node's position there, or "" and -1 when it
// is a server of none (ncg_cluster_get_node_ultraserver, 2.3).
func (v ClusterView) NodeUltraServer(index int) (ultraserver string, position int, err error) {
	position = -1
	err = v.ref.readCluster(func(c *C.ncg_cluster) error {
		var id *C.char
		var pos C.int
		var e C.ncg_error
		if rc := C.ncg_cluster_get_node_ultraserver(c, C.int(index), &id, &pos, &e); rc < 0 {
			return cerr(rc, &e)
		}
		ultraserver, position = goStrOrEmpty(id), int(pos)
		return nil
	})
	return ultraserver, position, err
}

// PlaceUltraServer places one replica on servers whole servers of one UltraServer of the allowed node groups
// (all when nodegroups is empty): 4 (all of it), 2 (positions 0-1 or 2-3) or 1 (ncg_cluster_place_ultraserver,
// 2.3). Each server gets one allocation of r, which must take all of a server's chips (Inf = the type's chips),
// all or none; the placements come by position, and ClusterView.Env gives each server's NEURON_RT_ULTRASERVER_*
// values. Among the UltraServers that can take it: the highest node-group priority, then the one left with the
// fewest free servers, then the one whose first node was added first, then the lowest positions. ErrRange for
// servers not 1, 2 or 4, ErrInvalid for a request that is not whole servers, ErrNotFound for an unknown node
// group, ErrFull when no UltraServer has them free; nothing changes then.
func (cl *Cluster) PlaceUltraServer(r Request, servers int, nodegroups ...string) ([]Placement, error) {
	var out []Placement
	err := cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		groups, err := a.strs("node group name", nodegroups)
		if err != nil {
			return err
		}
		var ps [UltraServerMaxNodes]C.ncg_placement
		for i := range ps {
			ps[i].size = C.uint32_t(C.sizeof_ncg_placement)
		}
		var e C.ncg_error
		rc := C.ncg_cluster_place_ultraserver(c, cr, C.int(servers), groups, C.size_t(len(nodegroups)), &ps[0],
			C.size_t(len(ps)), &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		out = make([]Placement, int(rc))
		for i := range out {
			p := &ps[i]
			out[i] = Placement{C.GoString(p.node), int(p.node_index), int(p.nodegroup), uint64(p.alloc_id)}
		}
		return nil
	})
	return out, err
}

// Env gives the env strings of one process of an allocation of the named node (ncg_cluster_get_env, 2.3):
// NodeView.Env's, plus the NEURON_RT_ULTRASERVER_* values when the allocation is a server of a replica
// PlaceUltraServer placed. The view of a cluster's node (Cluster.Node) reads its env through it.
func (v ClusterView) Env(node string, id uint64, process int) (Env, error) {
	var out Env
	err := v.ref.readCluster(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", node)
		if err != nil {
			return err
		}
		ce := C.ncg_env{size: C.uint32_t(C.sizeof_ncg_env)}
		var e C.ncg_error
		if rc := C.ncg_cluster_get_env(c, n, C.uint64_t(id), C.int(process), &ce, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = envFromC(&ce)
		return nil
	})
	return out, err
}

// Adopt is Node.Adopt on a node of the cluster (ncg_cluster_adopt).
func (cl *Cluster) Adopt(node string, r *Request, devices string, cores []string) (Alloc, error) {
	var out Alloc
	err := cl.h.write(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		n, err := a.str("node name", node)
		if err != nil {
			return err
		}
		cr, dev, cc, err := adoptArgs(&a, r, devices, cores)
		if err != nil {
			return err
		}
		ca := newCAlloc()
		var e C.ncg_error
		if rc := C.ncg_cluster_adopt(c, n, cr, dev, cc, C.size_t(len(cores)), &ca, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = allocFromC(&ca)
		return nil
	})
	return out, err
}

// Dump writes the whole state as text, format "ncg-cluster 2" (ncg_cluster_dump).
func (v ClusterView) Dump() (string, error) {
	var s string
	err := v.ref.readCluster(func(c *C.ncg_cluster) error {
		var err error
		s, err = fetchString(func(buf *C.char, size C.size_t, e *C.ncg_error) C.int {
			return C.ncg_cluster_dump(c, buf, size, e)
		})
		return err
	})
	return s, err
}

// Defrag suggests the fewest moves that free a window of chips whole chips on a node of nodegroup ("" for
// any); node is the node whose window is freed (ncg_cluster_defrag).
func (v ClusterView) Defrag(chips int, nodegroup string) (moves []Move, node string, err error) {
	err = v.ref.readCluster(func(c *C.ncg_cluster) error {
		var a arena
		defer a.free()
		g, err := a.optStr("node group name", nodegroup)
		if err != nil {
			return err
		}
		var e C.ncg_error
		var freed *C.char
		n := C.ncg_cluster_defrag(c, C.int(chips), g, nil, 0, &freed, &e)
		for {
			if n < 0 {
				return cerr(n, &e)
			}
			buf := make([]C.ncg_move, int(n)+1)
			m := C.ncg_cluster_defrag(c, C.int(chips), g, &buf[0], C.size_t(len(buf)), &freed, &e)
			if m >= 0 && m <= C.int(len(buf)) {
				moves = make([]Move, m)
				for i := range moves {
					moves[i] = Move{C.GoString(buf[i].from), uint64(buf[i].alloc_id), C.GoString(buf[i].to)}
				}
				node = goStrOrEmpty(freed)
				return nil
			}
			n = m
		}
	})
	return
}
