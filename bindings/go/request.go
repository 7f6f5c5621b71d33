package ncg

/*
#include <stdlib.h>
#include <ncg.h>
*/
import "C"

import "unsafe"

// Model is a model served by an API (ncg_model).
type Model struct {
	Name          string // for messages; may be empty
	Bytes         int64
	CompiledCores int // 0 = unknown
	StaticWeights bool
}

// Request is what one replica of an API asks for (ncg_request). Start from NewRequest, which has Cortex's
// defaults (PPR 1, CPU 200m); the zero Request has PPR 0, which the library refuses.
type Request struct {
	Inf            int64 // whole chips
	NeuronCores    int64 // NeuronCores, only when Inf is 0
	PPR            int64 // processes_per_replica
	CPUMilli       int64
	MemoryBytes    int64
	GPU            int64
	HugepagesBytes int64
	Models         []Model
	// LNC is the Logical NeuronCore setting the models were compiled for: 0 (any), 1 or 2. On a node or node
	// group running another setting the request fails with ErrLNC (2.3).
	LNC int
}

// NewRequest returns a request with the library's defaults (ncg_request_init).
func NewRequest() Request {
	var r C.ncg_request
	C.ncg_request_init(&r)
	return Request{Inf: int64(r.inf), NeuronCores: int64(r.neuroncores), PPR: int64(r.ppr), CPUMilli: int64(r.cpu_milli),
		MemoryBytes: int64(r.memory_bytes), GPU: int64(r.gpu), HugepagesBytes: int64(r.hugepages_bytes),
		LNC: int(r.lnc)}
}

// toC copies the request and its models into C memory owned by a.
func (r *Request) toC(a *arena) (*C.ncg_request, error) {
	cr := (*C.ncg_request)(a.calloc(1, C.sizeof_ncg_request))
	C.ncg_request_init(cr)
	cr.inf = C.int64_t(r.Inf)
	cr.neuroncores = C.int64_t(r.NeuronCores)
	cr.ppr = C.int64_t(r.PPR)
	cr.cpu_milli = C.int64_t(r.CPUMilli)
	cr.memory_bytes = C.int64_t(r.MemoryBytes)
	cr.gpu = C.int64_t(r.GPU)
	cr.hugepages_bytes = C.int64_t(r.HugepagesBytes)
	cr.lnc = C.int(r.LNC)
	if n := len(r.Models); n > 0 {
		models := unsafe.Slice((*C.ncg_model)(a.calloc(C.size_t(n), C.sizeof_ncg_model)), n)
		for i, m := range r.Models {
			models[i].size = C.uint32_t(C.sizeof_ncg_model)
			name, err := a.optStr("model name", m.Name)
			if err != nil {
				return nil, err
			}
			models[i].name = name
			models[i].bytes = C.int64_t(m.Bytes)
			models[i].compiled_cores = C.int(m.CompiledCores)
			models[i].static_weights = cbool(m.StaticWeights)
		}
		cr.models = &models[0]
		cr.model_count = C.size_t(n)
	}
	return cr, nil
}

// CoreGroup is one NeuronCore Group: the cores of one serving process (ncg_core_group).
type CoreGroup struct {
	Process    int
	FirstCore  int
	CoreCount  int
	FirstChip  int
	ChipCount  int
	CacheBytes int64
}

func coreGroupFromC(g *C.ncg_core_group) CoreGroup {
	return CoreGroup{int(g.process), int(g.first_core), int(g.core_count), int(g.first_chip), int(g.chip_count),
		int64(g.cache_bytes)}
}

// PPRCheck is the processes_per_replica rule on its own; it returns the NCG size (ncg_ppr_check).
func PPRCheck(accel Accel, coresPerChip int, chips, ppr int64) (int, error) {
	var e C.ncg_error
	rc := C.ncg_ppr_check(C.ncg_accel(accel), C.int(coresPerChip), C.int64_t(chips), C.int64_t(ppr), &e)
	if rc < 0 {
		return 0, cerr(rc, &e)
	}
	return int(rc), nil
}

// PPRValues lists the acceptable processes_per_replica for totalCores NeuronCores (ncg_ppr_values).
func PPRValues(totalCores int64) ([]int64, error) {
	var e C.ncg_error
	n := C.ncg_ppr_values(C.int64_t(totalCores), nil, 0, &e)
	for {
		if n < 0 {
			return nil, cerr(n, &e)
		}
		buf := make([]int64, int(n)+1)
		m := C.ncg_ppr_values(C.int64_t(totalCores), (*C.int64_t)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &e)
		if m >= 0 && m <= C.int(len(buf)) {
			return buf[:m:m], nil
		}
		n = m
	}
}

// SetCPU sets CPUMilli from a Kubernetes quantity ("500m", "2"); on error the request is unchanged.
func (r *Request) SetCPU(quantity string) error {
	v, err := ParseCPU(quantity)
	if err == nil {
		r.CPUMilli = v
	}
	return err
}

// SetMemory sets MemoryBytes from a Kubernetes quantity ("4Gi"); on error the request is unchanged.
func (r *Request) SetMemory(quantity string) error {
	v, err := ParseMemory(quantity)
	if err == nil {
		r.MemoryBytes = v
	}
	return err
}

// SetHugepages sets HugepagesBytes from a Kubernetes quantity ("256Mi"); on error the request is unchanged.
func (r *Request) SetHugepages(quantity string) error {
	v, err := ParseMemory(quantity)
	if err == nil {
		r.HugepagesBytes = v
	}
	return err
}
