package ncg

/*
#include <stdlib.h>
#include <ncg.h>
*/
import "C"

import (
	"runtime"
	"sync"
)

// APISpec is an API to plan (ncg_api_spec).
type APISpec struct {
	Name       string
	Request    Request
	Replicas   int
	NodeGroups []string // allowed node groups; empty = all
	MaxPerNode int      // 0 = no limit
}

// PlanSummary holds the totals of a solved plan (ncg_plan_summary).
type PlanSummary struct {
	PricePerHour      float64
	LowerBoundPerHour float64
	Gap               float64
	Nodes             int
	NewNodes          int
	Replicas          int
	Placed            int
	Unplaced          int
	UnpricedNodes     int
	ChipsUsed         int64
	ChipsTotal        int64
	CPUUsedMilli      int64
	CPUTotalMilli     int64
	MemoryUsedBytes   int64
	MemoryTotalBytes  int64
	Converged         bool
	// 2.1: where solve time went (wall clock, differs between runs) and how column generation ended.
	SolveSeconds      float64
	GenerationSeconds float64
	RoundingSeconds   float64
	PackingSeconds    float64
	Rounds            int      // column-generation rounds run (0: skipped)
	Patterns          int      // node patterns of the configuration LP's last solution
	Stopped           PlanStop // why generation stopped
	// 2.2
	Optimal bool // the plan is proven the cheapest: LowerBoundPerHour equals PricePerHour
}

// PlanStop says why column generation stopped (ncg_plan_stop).
type PlanStop int

// Reasons column generation stopped.
const (
	PlanStopConverged PlanStop = C.NCG_PLAN_STOP_CONVERGED // the bound is the configuration LP optimum
	PlanStopGap       PlanStop = C.NCG_PLAN_STOP_GAP       // the bound came within 0.05% of the master LP
	PlanStopWork      PlanStop = C.NCG_PLAN_STOP_WORK      // the work limit was reached
	PlanStopTime      PlanStop = C.NCG_PLAN_STOP_TIME      // the time limit was reached
	PlanStopRounds    PlanStop = C.NCG_PLAN_STOP_ROUNDS    // the round limit was reached
	PlanStopSkipped   PlanStop = C.NCG_PLAN_STOP_SKIPPED   // not run (input too large, no API, or NoColGen)
	PlanStopSearch    PlanStop = C.NCG_PLAN_STOP_SEARCH    // no pattern found, a pricing search cut short
)

var planStopNames = [...]string{"converged", "gap", "work", "time", "rounds", "skipped", "search"}

// String is the lower-case name of the reason ("converged", "gap", "work", "time", "rounds", "skipped",
// "search"), or "" for a value this binding does not know.
func (s PlanStop) String() string {
	if s < 0 || int(s) >= len(planStopNames) {
		return ""
	}
	return planStopNames[s]
}

// PlanOptions are the options of Solve (ncg_plan_options). The zero value is the library's default.
type PlanOptions struct {
	// TimeLimit is a wall-clock budget of Solve in seconds; 0 = none. With a limit the plan may differ between
	// runs; it is always valid and its bound proven.
	TimeLimit float64
	// WorkLimit is the deterministic budget of column generation in multiply-adds; 0 = the default (1e9). The
	// same input and work limit give the same plan on every machine.
	WorkLimit int64
	// NoColGen skips column generation (NCG_PLAN_NO_COLGEN): the packing heuristics and the first bound only.
	NoColGen bool
}

// PlanReplica is one replica of a plan (ncg_plan_replica).
type PlanReplica struct {
	API     int
	Replica int
	Node    int    // node index in Plan.Cluster(); -1 if unplaced
	AllocID uint64 // 0 if unplaced
}

// Plan places replicas of many APIs onto priced nodes (ncg_plan). Safe for concurrent use.
type Plan struct {
	mu sync.RWMutex
	c  *C.ncg_plan
}

// NewPlan starts a plan from a copy of a cluster (ncg_plan_new).
func NewPlan(base *Cluster) (*Plan, error) {
	var p *Plan
	err := base.h.readCluster(func(c *C.ncg_cluster) error {
		var e C.ncg_error
		h := C.ncg_plan_new(c, 0, &e)
		if h == nil {
			return cerr(e.code, &e)
		}
		p = &Plan{c: h}
		runtime.SetFinalizer(p, (*Plan).Close)
		return nil
	})
	return p, err
}

// Close frees the plan (ncg_plan_free). Idempotent.
func (p *Plan) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c != nil {
		C.ncg_plan_free(p.c)
		p.c = nil
	}
	runtime.SetFinalizer(p, nil)
	return nil
}

func (p *Plan) read(f func(c *C.ncg_plan) error) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.c == nil {
		return errClosed("plan")
	}
	err := f(p.c)
	runtime.KeepAlive(p)
	return err
}

func (p *Plan) write(f func(c *C.ncg_plan) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c == nil {
		return errClosed("plan")
	}
	err := f(p.c)
	runtime.KeepAlive(p)
	return err
}

// AddAPI adds an API and returns its index (ncg_plan_add_api).
func (p *Plan) AddAPI(spec APISpec) (int, error) {
	idx := 0
	err := p.write(func(c *C.ncg_plan) error {
		var a arena
		defer a.free()
		s := (*C.ncg_api_spec)(a.calloc(1, C.sizeof_ncg_api_spec))
		s.size = C.uint32_t(C.sizeof_ncg_api_spec)
		var err error
		if s.name, err = a.str("API name", spec.Name); err != nil {
			return err
		}
		if s.request, err = spec.Request.toC(&a); err != nil {
			return err
		}
		s.replicas = C.int(spec.Replicas)
		if s.nodegroups, err = a.strs("node group name", spec.NodeGroups); err != nil {
			return err
		}
		s.nodegroup_count = C.size_t(len(spec.NodeGroups))
		s.max_per_node = C.int(spec.MaxPerNode)
		var e C.ncg_error
		rc := C.ncg_plan_add_api(c, s, &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		idx = int(rc)
		return nil
	})
	return idx, err
}

// SetOptions sets the options Solve uses (ncg_plan_set_options), before solving only. A negative or non-finite
// TimeLimit or a negative WorkLimit is ErrRange, a solved plan ErrInvalid; the options are then unchanged.
func (p *Plan) SetOptions(o PlanOptions) error {
	return p.write(func(c *C.ncg_plan) error {
		var co C.ncg_plan_options
		C.ncg_plan_options_init(&co)
		co.time_limit_s = C.double(o.TimeLimit)
		co.work_limit = C.int64_t(o.WorkLimit)
		if o.NoColGen {
			co.flags = C.NCG_PLAN_NO_COLGEN
		}
		var e C.ncg_error
		if rc := C.ncg_plan_set_options(c, &co, &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// Options gives the options Solve uses (ncg_plan_get_options).
func (p *Plan) Options() (PlanOptions, error) {
	var out PlanOptions
	err := p.read(func(c *C.ncg_plan) error {
		co := C.ncg_plan_options{size: C.uint32_t(C.sizeof_ncg_plan_options)}
		var e C.ncg_error
		if rc := C.ncg_plan_get_options(c, &co, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = PlanOptions{float64(co.time_limit_s), int64(co.work_limit), co.flags&C.NCG_PLAN_NO_COLGEN != 0}
		return nil
	})
	return out, err
}

// Solve computes the plan (ncg_plan_solve). It succeeds once per plan.
func (p *Plan) Solve() error {
	return p.write(func(c *C.ncg_plan) error {
		var e C.ncg_error
		if rc := C.ncg_plan_solve(c, &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// Summary gives the totals of a solved plan (ncg_plan_get_summary).
func (p *Plan) Summary() (PlanSummary, error) {
	var out PlanSummary
	err := p.read(func(c *C.ncg_plan) error {
		s := C.ncg_plan_summary{size: C.uint32_t(C.sizeof_ncg_plan_summary)}
		var e C.ncg_error
		if rc := C.ncg_plan_get_summary(c, &s, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = PlanSummary{float64(s.price_per_hour), float64(s.lower_bound_per_hour), float64(s.gap), int(s.nodes),
			int(s.new_nodes), int(s.replicas), int(s.placed), int(s.unplaced), int(s.unpriced_nodes),
			int64(s.chips_used), int64(s.chips_total), int64(s.cpu_used_milli), int64(s.cpu_total_milli),
			int64(s.memory_used_bytes), int64(s.memory_total_bytes), s.converged != 0,
			float64(s.solve_seconds), float64(s.generation_seconds), float64(s.rounding_seconds),
			float64(s.packing_seconds), int(s.rounds), int(s.patterns), PlanStop(s.stopped), s.optimal != 0}
		return nil
	})
	return out, err
}

type planClusterRef struct{ p *Plan }

func (r planClusterRef) readCluster(f func(c *C.ncg_cluster) error) error {
	return r.p.read(func(c *C.ncg_plan) error {
		cl := C.ncg_plan_get_cluster(c)
		if cl == nil {
			return invalid("plan has no cluster")
		}
		return f(cl)
	})
}

// Cluster is a view of the cluster the plan produced once solved, else of its copy of the base
// (ncg_plan_get_cluster). The view locks the plan at each call and stays valid across Solve.
func (p *Plan) Cluster() ClusterView { return ClusterView{planClusterRef{p}} }

// ReplicaCount is ncg_plan_replica_count: 0 before Solve or when closed.
func (p *Plan) ReplicaCount() int {
	n := 0
	_ = p.read(func(c *C.ncg_plan) error { n = int(C.ncg_plan_replica_count(c)); return nil })
	return n
}

// Replica reads one replica (ncg_plan_get_replica).
func (p *Plan) Replica(index int) (PlanReplica, error) {
	var out PlanReplica
	err := p.read(func(c *C.ncg_plan) error {
		r := C.ncg_plan_replica{size: C.uint32_t(C.sizeof_ncg_plan_replica)}
		var e C.ncg_error
		if rc := C.ncg_plan_get_replica(c, C.int(index), &r, &e); rc < 0 {
			return cerr(rc, &e)
		}
		out = PlanReplica{int(r.api), int(r.replica), int(r.node), uint64(r.alloc_id)}
		return nil
	})
	return out, err
}

// Replicas lists every replica of a solved plan.
func (p *Plan) Replicas() []PlanReplica {
	var list []PlanReplica
	_ = p.read(func(c *C.ncg_plan) error {
		n := int(C.ncg_plan_replica_count(c))
		list = make([]PlanReplica, 0, n)
		for i := 0; i < n; i++ {
			r := C.ncg_plan_replica{size: C.uint32_t(C.sizeof_ncg_plan_replica)}
			if C.ncg_plan_get_replica(c, C.int(i), &r, nil) == 0 {
				list = append(list, PlanReplica{int(r.api), int(r.replica), int(r.node), uint64(r.alloc_id)})
			}
		}
		return nil
	})
	return list
}

// Unplaced gives the number of unplaced replicas of an API and why ("" when all are placed)
// (ncg_plan_get_unplaced).
func (p *Plan) Unplaced(api int) (count int, reason string, err error) {
	err = p.read(func(c *C.ncg_plan) error {
		var n C.int
		var err error
		reason, err = fetchString(func(buf *C.char, size C.size_t, e *C.ncg_error) C.int {
			return C.ncg_plan_get_unplaced(c, C.int(api), buf, size, &n, e)
		})
		count = int(n)
		return err
	})
	return
}

// Headroom tells how many more replicas of an API fit on the plan's nodes (ncg_plan_get_headroom).
func (p *Plan) Headroom(api int) (int, error) {
	n := 0
	err := p.read(func(c *C.ncg_plan) error {
		var e C.ncg_error
		rc := C.ncg_plan_get_headroom(c, C.int(api), &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		n = int(rc)
		return nil
	})
	return n, err
}

// APIName is the name of an API; "" for an index out of range (ncg_plan_get_api_name).
func (p *Plan) APIName(api int) string {
	s := ""
	_ = p.read(func(c *C.ncg_plan) error { s = goStrOrEmpty(C.ncg_plan_get_api_name(c, C.int(api))); return nil })
	return s
}

// APICount is ncg_plan_api_count.
func (p *Plan) APICount() int {
	n := 0
	_ = p.read(func(c *C.ncg_plan) error { n = int(C.ncg_plan_api_count(c)); return nil })
	return n
}
