package ncg

/*
#include <stdlib.h>
#include <ncg.h>
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Policy is how a node chooses among the free windows that fit (ncg_policy).
type Policy int

// Policies.
const (
	PolicyPack     Policy = C.NCG_POLICY_PACK
	PolicyFirstFit Policy = C.NCG_POLICY_FIRST_FIT
)

// CacheState is how the models of an NCG fit the device memory it can reach (ncg_cache_state).
type CacheState int

// Cache states.
const (
	CacheFits  CacheState = C.NCG_CACHE_FITS
	CacheSwaps CacheState = C.NCG_CACHE_SWAPS
	CacheNoFit CacheState = C.NCG_CACHE_NO_FIT
)

// String is ncg_cache_state_name ("fits", "context-switched", "does not fit"), or "" for other values.
func (s CacheState) String() string {
	return goStrOrEmpty(C.ncg_cache_state_name(C.ncg_cache_state(s)))
}

// Alloc is one allocation (one replica) on a node (ncg_alloc).
type Alloc struct {
	ID             uint64
	WholeChips     bool
	FirstChip      int // -1 for CPU only
	ChipCount      int
	FirstCore      int // -1 for CPU only
	CoreCount      int
	PPR            int
	NCGSize        int // 0 if the NCGs differ in size
	CPUMilli       int64
	MemoryBytes    int64
	HugepagesBytes int64
}

func newCAlloc() C.ncg_alloc { return C.ncg_alloc{size: C.uint32_t(C.sizeof_ncg_alloc)} }

func allocFromC(a *C.ncg_alloc) Alloc {
	return Alloc{uint64(a.id), a.whole_chips != 0, int(a.first_chip), int(a.chip_count), int(a.first_core),
		int(a.core_count), int(a.ppr), int(a.ncg_size), int64(a.cpu_milli), int64(a.memory_bytes),
		int64(a.hugepages_bytes)}
}

// Env holds the environment strings of one process of a placed replica (ncg_env).
type Env struct {
	VisibleCores   string // NEURON_RT_VISIBLE_CORES
	CoreGroupSizes string // NEURONCORE_GROUP_SIZES
	VisibleDevices string // AWS_NEURON_VISIBLE_DEVICES
	// LogicalNCConfig is NEURON_LOGICAL_NC_CONFIG, the node's Logical NeuronCore setting ("2"); "" on types
	// without the setting (2.3).
	LogicalNCConfig string
	// UltraServerMode, UltraServerServerID and UltraServerNodeID are NEURON_RT_ULTRASERVER_MODE ("1" for a
	// replica of 4 servers, "2" for 2, "4" for 1), NEURON_RT_ULTRASERVER_SERVER_ID (the UltraServer's id) and
	// NEURON_RT_ULTRASERVER_NODE_ID (the server's place in the replica, "0" to "3") of a server of a replica
	// Cluster.PlaceUltraServer placed, as ClusterView.Env gives them; "" otherwise (2.3).
	UltraServerMode     string
	UltraServerServerID string
	UltraServerNodeID   string
}

func envFromC(ce *C.ncg_env) Env {
	return Env{C.GoString(&ce.visible_cores[0]), C.GoString(&ce.core_group_sizes[0]),
		C.GoString(&ce.visible_devices[0]), C.GoString(&ce.logical_nc_config[0]),
		C.GoString(&ce.ultraserver_mode[0]), C.GoString(&ce.ultraserver_server_id[0]),
		C.GoString(&ce.ultraserver_node_id[0])}
}

// NodeStatus is a node's current use (ncg_node_status).
type NodeStatus struct {
	Chips, CoresPerChip  int
	FreeChipMask         uint64
	FreeChips, FreeCores int
	LargestWindow        int
	CPUUsableMilli       int64
	MemoryUsableBytes    int64
	CPUFreeMilli         int64
	MemoryFreeBytes      int64
	HugepagesFreeBytes   int64
	Allocations          int
	Policy               Policy
	LNC                  int // the node's Logical NeuronCore setting; 0 on types without it (2.3)
}

// ChipCache is the device memory of one chip (ncg_chip_cache).
type ChipCache struct {
	Chip          int
	CapacityBytes int64
	ReserveBytes  int64
	UsedBytes     int64
	FreeBytes     int64 // negative when overcommitted
	CoreGroups    int
}

// CoreGroupRef identifies one NCG on a node (ncg_core_group_ref).
type CoreGroupRef struct {
	AllocID uint64
	Process int
}

// CoreGroupCache is the device memory of one NCG (ncg_core_group_cache).
type CoreGroupCache struct {
	CoreGroup      CoreGroup
	ReachableBytes int64
	ShareBytes     int64
	NeedBytes      int64
	SharedWith     int
	State          CacheState
}

// nodeRef gives a NodeView its C node under its owner's read lock.
type nodeRef interface {
	readNode(f func(n *C.ncg_node) error) error
}

// NodeView reads a node: a Node of its own, or a node of a cluster (Cluster.Node, which locks the cluster).
// Every method only reads, and may run in parallel with the others.
type NodeView struct{ ref nodeRef }

// Node is one machine of one instance type (ncg_node). Safe for concurrent use.
//
// The C handle lives in an inner object that the Node and its views share; its finalizer frees it once none
// of them is reachable (a self-reference would keep a finalizer from ever running).
type Node struct {
	NodeView
	h *nodeHandle
}

type nodeHandle struct {
	mu sync.RWMutex
	c  *C.ncg_node
}

func wrapNode(c *C.ncg_node) *Node {
	h := &nodeHandle{c: c}
	runtime.SetFinalizer(h, (*nodeHandle).close)
	return &Node{NodeView{h}, h}
}

func (n *nodeHandle) readNode(f func(n *C.ncg_node) error) error {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.c == nil {
		return errClosed("node")
	}
	err := f(n.c)
	runtime.KeepAlive(n)
	return err
}

func (n *nodeHandle) write(f func(c *C.ncg_node) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.c == nil {
		return errClosed("node")
	}
	err := f(n.c)
	runtime.KeepAlive(n)
	return err
}

// NewNode creates an empty node of a type of the catalog (ncg_node_new).
func NewNode(cat *Catalog, typ string) (*Node, error) {
	var node *Node
	err := cat.read(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		t, err := a.str("type name", typ)
		if err != nil {
			return err
		}
		var e C.ncg_error
		p := C.ncg_node_new(c, t, 0, &e)
		if p == nil {
			return cerr(e.code, &e)
		}
		node = wrapNode(p)
		return nil
	})
	return node, err
}

// Close frees the node (ncg_node_free). Idempotent.
func (n *Node) Close() error { n.h.close(); return nil }

func (n *nodeHandle) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.c != nil {
		C.ncg_node_free(n.c)
		n.c = nil
	}
	runtime.SetFinalizer(n, nil)
}

// Clone makes a deep copy of the node (ncg_node_clone); a node of a cluster can be cloned too.
func (v NodeView) Clone() (*Node, error) {
	var node *Node
	err := v.ref.readNode(func(c *C.ncg_node) error {
		var e C.ncg_error
		p := C.ncg_node_clone(c, &e)
		if p == nil {
			return cerr(e.code, &e)
		}
		node = wrapNode(p)
		return nil
	})
	return node, err
}

// SetLNC sets the node's Logical NeuronCore setting, 1 or 2, as the instance runs it (ncg_node_set_lnc): its
// cores per chip become PhysicalCoresPerChip / lnc, and ids, windows, env and the cache follow. Only on an empty
// node of a type with the setting (Type.LNC > 0): ErrRange for another lnc or a type without the setting,
// ErrInvalid for a node with allocations. A new node runs its type's setting.
func (n *Node) SetLNC(lnc int) error {
	return n.h.write(func(c *C.ncg_node) error {
		var e C.ncg_error
		if rc := C.ncg_node_set_lnc(c, C.int(lnc), &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// SetPolicy sets the window policy for later allocations (ncg_node_set_policy).
func (n *Node) SetPolicy(p Policy) error {
	return n.h.write(func(c *C.ncg_node) error {
		var e C.ncg_error
		if rc := C.ncg_node_set_policy(c, C.ncg_policy(p), &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// Allocate places one replica (ncg_node_allocate).
func (n *Node) Allocate(r Request) (Alloc, error) {
	var out Alloc
	err := n.h.write(func(c *C.ncg_node) error {
		var a arena
		defer a.free()
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		ca := newCAlloc()
		var e C.ncg_error
		if rc := C.ncg_node_allocate(c, cr, &ca, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = allocFromC(&ca)
		return nil
	})
	return out, err
}

// adoptArgs converts ncg_node_adopt's inputs: r nil is no request, devices "" is NULL, cores nil is none.
func adoptArgs(a *arena, r *Request, devices string, cores []string) (*C.ncg_request, *C.char, **C.char, error) {
	var cr *C.ncg_request
	if r != nil {
		var err error
		if cr, err = r.toC(a); err != nil {
			return nil, nil, nil, err
		}
	}
	dev, err := a.optStr("visible devices", devices)
	if err != nil {
		return nil, nil, nil, err
	}
	cc, err := a.strs("visible cores", cores)
	if err != nil {
		return nil, nil, nil, err
	}
	return cr, dev, cc, nil
}

// Adopt records an allocation that exists already, from a running pod's env strings (ncg_node_adopt).
// r may be nil (no CPU, memory, hugepages or models); devices "" means no AWS_NEURON_VISIBLE_DEVICES; cores
// holds each process's NEURON_RT_VISIBLE_CORES.
func (n *Node) Adopt(r *Request, devices string, cores []string) (Alloc, error) {
	var out Alloc
	err := n.h.write(func(c *C.ncg_node) error {
		var a arena
		defer a.free()
		cr, dev, cc, err := adoptArgs(&a, r, devices, cores)
		if err != nil {
			return err
		}
		ca := newCAlloc()
		var e C.ncg_error
		if rc := C.ncg_node_adopt(c, cr, dev, cc, C.size_t(len(cores)), &ca, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = allocFromC(&ca)
		return nil
	})
	return out, err
}

// Release releases an allocation (ncg_node_release).
func (n *Node) Release(id uint64) error {
	return n.h.write(func(c *C.ncg_node) error {
		var e C.ncg_error
		if rc := C.ncg_node_release(c, C.uint64_t(id), &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// TypeName is the node's instance type (ncg_node_get_type_name); "" when closed.
func (v NodeView) TypeName() string {
	s := ""
	_ = v.ref.readNode(func(c *C.ncg_node) error { s = goStrOrEmpty(C.ncg_node_get_type_name(c)); return nil })
	return s
}

// Check tells whether one replica would fit now; nil if it does, else Allocate's error (ncg_node_check).
func (v NodeView) Check(r Request) error {
	return v.ref.readNode(func(c *C.ncg_node) error {
		var a arena
		defer a.free()
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		var e C.ncg_error
		if rc := C.ncg_node_check(c, cr, &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// Alloc reads an allocation (ncg_node_get_alloc).
func (v NodeView) Alloc(id uint64) (Alloc, error) {
	var out Alloc
	err := v.ref.readNode(func(c *C.ncg_node) error {
		ca := newCAlloc()
		var e C.ncg_error
		if rc := C.ncg_node_get_alloc(c, C.uint64_t(id), &ca, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = allocFromC(&ca)
		return nil
	})
	return out, err
}

// AllocIDs lists the allocation ids in ascending order (ncg_node_get_alloc_ids).
func (v NodeView) AllocIDs() ([]uint64, error) {
	var out []uint64
	err := v.ref.readNode(func(c *C.ncg_node) error {
		var e C.ncg_error
		n := C.ncg_node_get_alloc_ids(c, nil, 0, &e)
		for {
			if n < 0 {
				return cerr(n, &e)
			}
			buf := make([]uint64, int(n)+1)
			m := C.ncg_node_get_alloc_ids(c, (*C.uint64_t)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &e)
			if m >= 0 && m <= C.int(len(buf)) {
				out = buf[:m:m]
				return nil
			}
			n = m
		}
	})
	return out, err
}

// CoreGroups lists the NCGs of an allocation, host-global (ncg_node_get_core_groups).
func (v NodeView) CoreGroups(id uint64) ([]CoreGroup, error) {
	var out []CoreGroup
	err := v.ref.readNode(func(c *C.ncg_node) error {
		var err error
		out, err = fetchCoreGroups(func(buf *C.ncg_core_group, size C.size_t, e *C.ncg_error) C.int {
			return C.ncg_node_get_core_groups(c, C.uint64_t(id), buf, size, e)
		})
		return err
	})
	return out, err
}

// Env gives the env strings of one process of an allocation (ncg_node_get_env). For a node of a cluster
// (Cluster.Node) it is ClusterView.Env (ncg_cluster_get_env), which adds the NEURON_RT_ULTRASERVER_* values of a
// server of a replica Cluster.PlaceUltraServer placed.
func (v NodeView) Env(id uint64, process int) (Env, error) {
	if r, ok := v.ref.(clusterNodeRef); ok {
		return ClusterView{r.owner}.Env(r.name, id, process)
	}
	var out Env
	err := v.ref.readNode(func(c *C.ncg_node) error {
		ce := C.ncg_env{size: C.uint32_t(C.sizeof_ncg_env)}
		var e C.ncg_error
		if rc := C.ncg_node_get_env(c, C.uint64_t(id), C.int(process), &ce, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = envFromC(&ce)
		return nil
	})
	return out, err
}

// Status gives the node's current use (ncg_node_get_status).
func (v NodeView) Status() (NodeStatus, error) {
	var out NodeStatus
	err := v.ref.readNode(func(c *C.ncg_node) error {
		s := C.ncg_node_status{size: C.uint32_t(C.sizeof_ncg_node_status)}
		var e C.ncg_error
		if rc := C.ncg_node_get_status(c, &s, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = NodeStatus{int(s.chips), int(s.cores_per_chip), uint64(s.free_chip_mask), int(s.free_chips),
			int(s.free_cores), int(s.largest_window), int64(s.cpu_usable_milli), int64(s.memory_usable_bytes),
			int64(s.cpu_free_milli), int64(s.memory_free_bytes), int64(s.hugepages_free_bytes), int(s.allocations),
			Policy(s.policy), int(s.lnc)}
		return nil
	})
	return out, err
}

// ChipCache gives the device memory of one chip (ncg_node_get_chip_cache).
func (v NodeView) ChipCache(chip int) (ChipCache, error) {
	var out ChipCache
	err := v.ref.readNode(func(c *C.ncg_node) error {
		s := C.ncg_chip_cache{size: C.uint32_t(C.sizeof_ncg_chip_cache)}
		var e C.ncg_error
		if rc := C.ncg_node_get_chip_cache(c, C.int(chip), &s, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = ChipCache{int(s.chip), int64(s.capacity_bytes), int64(s.reserve_bytes), int64(s.used_bytes),
			int64(s.free_bytes), int(s.core_groups)}
		return nil
	})
	return out, err
}

// CoreGroupCache gives the device memory of one NCG and the other NCGs it shares chips with
// (ncg_node_get_core_group_cache).
func (v NodeView) CoreGroupCache(id uint64, process int) (CoreGroupCache, []CoreGroupRef, error) {
	var out CoreGroupCache
	var shares []CoreGroupRef
	err := v.ref.readNode(func(c *C.ncg_node) error {
		s := C.ncg_core_group_cache{size: C.uint32_t(C.sizeof_ncg_core_group_cache)}
		var e C.ncg_error
		n := C.ncg_node_get_core_group_cache(c, C.uint64_t(id), C.int(process), &s, nil, 0, &e)
		for {
			if n < 0 {
				return cerr(n, &e)
			}
			buf := make([]C.ncg_core_group_ref, int(n)+1)
			m := C.ncg_node_get_core_group_cache(c, C.uint64_t(id), C.int(process), &s, &buf[0], C.size_t(len(buf)), &e)
			if m >= 0 && m <= C.int(len(buf)) {
				shares = make([]CoreGroupRef, m)
				for i := range shares {
					shares[i] = CoreGroupRef{uint64(buf[i].alloc_id), int(buf[i].process)}
				}
				break
			}
			n = m
		}
		out = CoreGroupCache{coreGroupFromC(&s.core_group), int64(s.reachable_bytes), int64(s.share_bytes),
			int64(s.need_bytes), int(s.shared_with), CacheState(s.state)}
		return nil
	})
	return out, shares, err
}
