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

// Accel is the kind of accelerator of an instance type (ncg_accel).
type Accel int

// Accelerators.
const (
	AccelNone       Accel = C.NCG_ACCEL_NONE
	AccelInferentia Accel = C.NCG_ACCEL_INFERENTIA
	AccelTrainium   Accel = C.NCG_ACCEL_TRAINIUM
	AccelGPU        Accel = C.NCG_ACCEL_GPU
)

// String is ncg_accel_name ("inferentia", ...), or "" for a value the library does not name.
func (a Accel) String() string { return goStrOrEmpty(C.ncg_accel_name(C.ncg_accel(a))) }

// Topology is how the chips of a node are connected (ncg_topology).
type Topology int

// Topologies.
const (
	TopologySingle   Topology = C.NCG_TOPOLOGY_SINGLE
	TopologyChain    Topology = C.NCG_TOPOLOGY_CHAIN
	TopologyRing     Topology = C.NCG_TOPOLOGY_RING
	TopologyTorus4x4 Topology = C.NCG_TOPOLOGY_TORUS_4X4
	TopologySwitched Topology = C.NCG_TOPOLOGY_SWITCHED // all-to-all through a switch (Trainium3; 2.3)
)

// String is ncg_topology_name ("single", "chain", "ring", "torus4x4", "switched"), or "" for other values.
func (t Topology) String() string { return goStrOrEmpty(C.ncg_topology_name(C.ncg_topology(t))) }

func goStrOrEmpty(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// CatalogFlags are the flags of NewCatalog and NewCatalogRegion.
type CatalogFlags uint

// Catalog flags.
const (
	CatalogEmpty  CatalogFlags = C.NCG_CATALOG_EMPTY  // no types
	CatalogNeuron CatalogFlags = C.NCG_CATALOG_NEURON // NewCatalogRegion only: only the types with Neuron chips
)

// Type is an instance type (ncg_type).
type Type struct {
	Name, Family          string
	Accelerator           Accel
	Chips                 int
	CoresPerChip          int
	PhysicalCoresPerChip  int // 0 = CoresPerChip
	DeviceMemoryBytes     int64
	GPUs                  int
	CPUMilli, MemoryBytes int64
	HugepagesBytes        int64
	Topology              Topology
	HasPrice              bool
	USDPerHour            float64
	// LNC is the Logical NeuronCore setting CoresPerChip counts at: 1 or 2 for the types that have the setting
	// (Trainium2, Trainium3), 0 for the others, whose cores are physical (2.3).
	LNC int
	// HBMBanks is the number of device memory banks per chip; 0 or 1: the chip's memory is one pool (2.3).
	HBMBanks int
}

func typeFromC(t *C.ncg_type) Type {
	return Type{
		Name: goStrOrEmpty(t.name), Family: goStrOrEmpty(t.family), Accelerator: Accel(t.accelerator),
		Chips: int(t.chips), CoresPerChip: int(t.cores_per_chip), PhysicalCoresPerChip: int(t.physical_cores_per_chip),
		DeviceMemoryBytes: int64(t.device_memory_bytes), GPUs: int(t.gpus), CPUMilli: int64(t.cpu_milli),
		MemoryBytes: int64(t.memory_bytes), HugepagesBytes: int64(t.hugepages_bytes), Topology: Topology(t.topology),
		HasPrice: t.has_price != 0, USDPerHour: float64(t.usd_per_hour), LNC: int(t.lnc), HBMBanks: int(t.hbm_banks),
	}
}

func newCType() C.ncg_type { return C.ncg_type{size: C.uint32_t(C.sizeof_ncg_type)} }

// Reserve holds the system reserves of a catalog (ncg_reserve).
type Reserve struct {
	CPUMilli, MemoryBytes             int64
	PluginCPUMilli, PluginMemoryBytes int64
	RuntimeBytesPerCore               int64
}

// Catalog is a catalog of instance types and reserves (ncg_catalog). Safe for concurrent use.
type Catalog struct {
	mu sync.RWMutex
	c  *C.ncg_catalog
}

func wrapCatalog(c *C.ncg_catalog) *Catalog {
	cat := &Catalog{c: c}
	runtime.SetFinalizer(cat, (*Catalog).Close)
	return cat
}

// NewCatalog is ncg_catalog_new: the 12 built-in Neuron types, or none with CatalogEmpty.
func NewCatalog(flags CatalogFlags) (*Catalog, error) {
	var e C.ncg_error
	c := C.ncg_catalog_new(C.unsigned(flags), &e)
	if c == nil {
		return nil, cerr(e.code, &e)
	}
	return wrapCatalog(c), nil
}

// NewCatalogRegion is ncg_catalog_new_region: every EC2 type of a region with its prices.
func NewCatalogRegion(region string, flags CatalogFlags) (*Catalog, error) {
	var a arena
	defer a.free()
	r, err := a.str("region", region)
	if err != nil {
		return nil, err
	}
	var e C.ncg_error
	c := C.ncg_catalog_new_region(r, C.unsigned(flags), &e)
	if c == nil {
		return nil, cerr(e.code, &e)
	}
	return wrapCatalog(c), nil
}

// Regions lists the regions NewCatalogRegion knows, in alphabetical order (ncg_catalog_get_regions).
func Regions() []string {
	n := C.ncg_catalog_get_regions(nil, 0, nil)
	for n >= 0 {
		buf := make([]*C.char, int(n)+1)
		m := C.ncg_catalog_get_regions(&buf[0], C.size_t(len(buf)), nil)
		if m >= 0 && m <= C.int(len(buf)) {
			out := make([]string, m)
			for i := range out {
				out[i] = C.GoString(buf[i])
			}
			return out
		}
		n = m
	}
	return nil
}

// Close frees the catalog (ncg_catalog_free). Idempotent.
func (cat *Catalog) Close() error {
	cat.mu.Lock()
	defer cat.mu.Unlock()
	if cat.c != nil {
		C.ncg_catalog_free(cat.c)
		cat.c = nil
	}
	runtime.SetFinalizer(cat, nil)
	return nil
}

// read runs f under the read lock with the live handle.
func (cat *Catalog) read(f func(c *C.ncg_catalog) error) error {
	cat.mu.RLock()
	defer cat.mu.RUnlock()
	if cat.c == nil {
		return errClosed("catalog")
	}
	err := f(cat.c)
	runtime.KeepAlive(cat)
	return err
}

func (cat *Catalog) write(f func(c *C.ncg_catalog) error) error {
	cat.mu.Lock()
	defer cat.mu.Unlock()
	if cat.c == nil {
		return errClosed("catalog")
	}
	err := f(cat.c)
	runtime.KeepAlive(cat)
	return err
}

// TypeCount is ncg_catalog_type_count (0 when closed).
func (cat *Catalog) TypeCount() int {
	n := 0
	_ = cat.read(func(c *C.ncg_catalog) error { n = int(C.ncg_catalog_type_count(c)); return nil })
	return n
}

// Region is the region the catalog was created for, which its unknown-type errors name
// (ncg_catalog_get_region); "" once closed.
func (cat *Catalog) Region() string {
	r := ""
	_ = cat.read(func(c *C.ncg_catalog) error { r = C.GoString(C.ncg_catalog_get_region(c)); return nil })
	return r
}

// Type reads the type at index (ncg_catalog_get_type).
func (cat *Catalog) Type(index int) (Type, error) {
	var t Type
	err := cat.read(func(c *C.ncg_catalog) error {
		out := newCType()
		var e C.ncg_error
		if rc := C.ncg_catalog_get_type(c, C.int(index), &out, &e); rc < 0 {
			return cerr(rc, &e)
		}
		t = typeFromC(&out)
		return nil
	})
	return t, err
}

// Types lists every type in catalog order.
func (cat *Catalog) Types() []Type {
	var list []Type
	_ = cat.read(func(c *C.ncg_catalog) error {
		n := int(C.ncg_catalog_type_count(c))
		list = make([]Type, 0, n)
		for i := 0; i < n; i++ {
			out := newCType()
			if C.ncg_catalog_get_type(c, C.int(i), &out, nil) == 0 {
				list = append(list, typeFromC(&out))
			}
		}
		return nil
	})
	return list
}

// FindType looks a type up by name and returns it with its index (ncg_catalog_find_type).
func (cat *Catalog) FindType(name string) (Type, int, error) {
	var t Type
	idx := 0
	err := cat.read(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		s, err := a.str("type name", name)
		if err != nil {
			return err
		}
		out := newCType()
		var e C.ncg_error
		rc := C.ncg_catalog_find_type(c, s, &out, &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		t, idx = typeFromC(&out), int(rc)
		return nil
	})
	return t, idx, err
}

// HasType tells whether the catalog has a type of that name (ncg_catalog_find_type without output).
func (cat *Catalog) HasType(name string) bool {
	found := false
	_ = cat.read(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		s, err := a.str("type name", name)
		if err == nil {
			found = C.ncg_catalog_find_type(c, s, nil, nil) >= 0
		}
		return nil
	})
	return found
}

// SetType adds a type or replaces the type of the same name and returns its index (ncg_catalog_set_type).
func (cat *Catalog) SetType(t Type) (int, error) {
	idx := 0
	err := cat.write(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		ct := (*C.ncg_type)(a.calloc(1, C.sizeof_ncg_type))
		ct.size = C.uint32_t(C.sizeof_ncg_type)
		var err error
		if ct.name, err = a.str("type name", t.Name); err != nil {
			return err
		}
		if ct.family, err = a.optStr("type family", t.Family); err != nil {
			return err
		}
		ct.accelerator = C.ncg_accel(t.Accelerator)
		ct.chips = C.int(t.Chips)
		ct.cores_per_chip = C.int(t.CoresPerChip)
		ct.physical_cores_per_chip = C.int(t.PhysicalCoresPerChip)
		ct.device_memory_bytes = C.int64_t(t.DeviceMemoryBytes)
		ct.gpus = C.int(t.GPUs)
		ct.cpu_milli = C.int64_t(t.CPUMilli)
		ct.memory_bytes = C.int64_t(t.MemoryBytes)
		ct.hugepages_bytes = C.int64_t(t.HugepagesBytes)
		ct.topology = C.ncg_topology(t.Topology)
		ct.has_price = cbool(t.HasPrice)
		ct.usd_per_hour = C.double(t.USDPerHour)
		ct.lnc = C.int(t.LNC)
		ct.hbm_banks = C.int(t.HBMBanks)
		var e C.ncg_error
		rc := C.ncg_catalog_set_type(c, ct, &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		idx = int(rc)
		return nil
	})
	return idx, err
}

// RemoveType removes a type (ncg_catalog_remove_type).
func (cat *Catalog) RemoveType(name string) error {
	return cat.write(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		s, err := a.str("type name", name)
		if err != nil {
			return err
		}
		var e C.ncg_error
		if rc := C.ncg_catalog_remove_type(c, s, &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// SetPrice sets (hasPrice) or clears the price of a type (ncg_catalog_set_price).
func (cat *Catalog) SetPrice(name string, hasPrice bool, usdPerHour float64) error {
	return cat.write(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		s, err := a.str("type name", name)
		if err != nil {
			return err
		}
		var e C.ncg_error
		if rc := C.ncg_catalog_set_price(c, s, cbool(hasPrice), C.double(usdPerHour), &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// Reserve reads the reserves (ncg_catalog_get_reserve).
func (cat *Catalog) Reserve() (Reserve, error) {
	var r Reserve
	err := cat.read(func(c *C.ncg_catalog) error {
		out := C.ncg_reserve{size: C.uint32_t(C.sizeof_ncg_reserve)}
		var e C.ncg_error
		if rc := C.ncg_catalog_get_reserve(c, &out, &e); rc < 0 {
			return cerr(rc, &e)
		}
		r = Reserve{int64(out.cpu_milli), int64(out.memory_bytes), int64(out.plugin_cpu_milli),
			int64(out.plugin_memory_bytes), int64(out.runtime_bytes_per_core)}
		return nil
	})
	return r, err
}

// SetReserve replaces the reserves (ncg_catalog_set_reserve).
func (cat *Catalog) SetReserve(r Reserve) error {
	return cat.write(func(c *C.ncg_catalog) error {
		in := C.ncg_reserve{size: C.uint32_t(C.sizeof_ncg_reserve), cpu_milli: C.int64_t(r.CPUMilli),
			memory_bytes: C.int64_t(r.MemoryBytes), plugin_cpu_milli: C.int64_t(r.PluginCPUMilli),
			plugin_memory_bytes: C.int64_t(r.PluginMemoryBytes), runtime_bytes_per_core: C.int64_t(r.RuntimeBytesPerCore)}
		var e C.ncg_error
		if rc := C.ncg_catalog_set_reserve(c, &in, &e); rc < 0 {
			return cerr(rc, &e)
		}
		return nil
	})
}

// Usable gives the CPU and memory a replica may use on an empty node of a type (ncg_catalog_get_usable).
func (cat *Catalog) Usable(name string) (cpuMilli, memoryBytes int64, err error) {
	err = cat.read(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		s, err := a.str("type name", name)
		if err != nil {
			return err
		}
		var cpu, mem C.int64_t
		var e C.ncg_error
		if rc := C.ncg_catalog_get_usable(c, s, &cpu, &mem, &e); rc < 0 {
			return cerr(rc, &e)
		}
		cpuMilli, memoryBytes = int64(cpu), int64(mem)
		return nil
	})
	return
}

// CheckRequest validates a request with Cortex's rules against one type, or against the whole catalog when
// typ is "" (ncg_request_check). It returns the NCG size (0 for a CPU-only request).
func (cat *Catalog) CheckRequest(typ string, r Request) (int, error) {
	n := 0
	err := cat.read(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		t, err := a.optStr("type name", typ)
		if err != nil {
			return err
		}
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		var e C.ncg_error
		rc := C.ncg_request_check(c, t, cr, &e)
		if rc < 0 {
			return cerr(rc, &e)
		}
		n = int(rc)
		return nil
	})
	return n, err
}

// Advice gives the findings about a valid request on a type, one line each (ncg_request_advice).
func (cat *Catalog) Advice(typ string, r Request) (findings int, text string, err error) {
	err = cat.read(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		t, err := a.optStr("type name", typ)
		if err != nil {
			return err
		}
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		var nf C.int
		text, err = fetchString(func(buf *C.char, size C.size_t, e *C.ncg_error) C.int {
			return C.ncg_request_advice(c, t, cr, buf, size, &nf, e)
		})
		findings = int(nf)
		return err
	})
	return
}

// Layout gives the NCGs of one replica on a type, relative to the replica (ncg_request_layout).
func (cat *Catalog) Layout(typ string, r Request) ([]CoreGroup, error) {
	var out []CoreGroup
	err := cat.read(func(c *C.ncg_catalog) error {
		var a arena
		defer a.free()
		t, err := a.optStr("type name", typ)
		if err != nil {
			return err
		}
		cr, err := r.toC(&a)
		if err != nil {
			return err
		}
		out, err = fetchCoreGroups(func(buf *C.ncg_core_group, size C.size_t, e *C.ncg_error) C.int {
			return C.ncg_request_layout(c, t, cr, buf, size, e)
		})
		return err
	})
	return out, err
}

func fetchCoreGroups(call func(buf *C.ncg_core_group, size C.size_t, e *C.ncg_error) C.int) ([]CoreGroup, error) {
	var e C.ncg_error
	n := call(nil, 0, &e)
	for {
		if n < 0 {
			return nil, cerr(n, &e)
		}
		buf := make([]C.ncg_core_group, int(n)+1)
		m := call(&buf[0], C.size_t(len(buf)), &e)
		if m >= 0 && m <= C.int(len(buf)) {
			out := make([]CoreGroup, m)
			for i := range out {
				out[i] = coreGroupFromC(&buf[i])
			}
			return out, nil
		}
		n = m
	}
}
