package main

import (
	"sort"
	"syscall"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the scheduler's Prometheus metrics, in a registry of its own (no global state).
type Metrics struct {
	Registry    *prometheus.Registry
	latency     *prometheus.HistogramVec // verb
	cpu         *prometheus.HistogramVec // verb
	allocations *prometheus.CounterVec   // resource
	failures    *prometheus.CounterVec   // verb, stage
	nodes       *prometheus.CounterVec   // result of filter per node
	// reservations counts the filters that reserved a pod's devices or cores on the node they kept
	reservations prometheus.Counter
}

// latencyBuckets go from 50 µs to 10 s: a filter over a thousand nodes takes well under a millisecond, a bind
// one API call; 1 ms and 50 ms are bounds, the targets of filter and prioritize, and of bind.
var latencyBuckets = []float64{50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 15e-3, 20e-3, 30e-3,
	40e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5, 10}

// cpuBuckets are finer below 1 ms (the target of filter and prioritize), so that a percentile is read off them
// within 100 µs.
var cpuBuckets = []float64{25e-6, 50e-6, 100e-6, 200e-6, 300e-6, 400e-6, 500e-6, 600e-6, 700e-6, 800e-6, 900e-6,
	1e-3, 1.5e-3, 2e-3, 3e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3}

// NewMetrics makes the metrics of one scheduler, including the figures of its state read at each scrape.
func NewMetrics(s *State) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ncg_scheduler_request_duration_seconds",
		Help:    "Time to answer an extender call (filter, prioritize, bind), decoding and encoding included.",
		Buckets: latencyBuckets}, []string{"verb"})
	m.cpu = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ncg_scheduler_request_cpu_seconds",
		Help: "CPU time of the thread that answered a filter or prioritize call, decoding and encoding included: " +
			"the call's own work, without the time other processes held the CPU.",
		Buckets: cpuBuckets}, []string{"verb"})
	m.allocations = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ncg_scheduler_allocations_total",
		Help: "Pods bound with Neuron devices or cores allocated to them, by resource."}, []string{"resource"})
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ncg_scheduler_failures_total",
		Help: "Extender calls that failed, by verb and stage (decode, pod, reserve, patch, bind)."},
		[]string{"verb", "stage"})
	m.nodes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ncg_scheduler_filter_nodes_total",
		Help: "Candidate nodes filtered, by result (passed, failed: not free now, unresolvable: never fits)."},
		[]string{"result"})
	m.reservations = prometheus.NewCounter(prometheus.CounterOpts{Name: "ncg_scheduler_filter_reservations_total",
		Help: "Filters that kept only the best node and reserved the pod's devices or cores there (--filter=best)."})
	m.Registry.MustRegister(m.latency, m.cpu, m.reservations, m.allocations, m.failures, m.nodes, stateCollector{s},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

var (
	descNodes = prometheus.NewDesc("ncg_scheduler_nodes", "Neuron nodes in the state, by instance type.",
		[]string{"instance_type"}, nil)
	descDevices = prometheus.NewDesc("ncg_scheduler_devices", "Neuron devices of the nodes, by instance type.",
		[]string{"instance_type"}, nil)
	descFreeDevices = prometheus.NewDesc("ncg_scheduler_free_devices",
		"Neuron devices with no core in use, by instance type.", []string{"instance_type"}, nil)
	descCores = prometheus.NewDesc("ncg_scheduler_cores", "NeuronCores of the nodes, by instance type.",
		[]string{"instance_type"}, nil)
	descFreeCores = prometheus.NewDesc("ncg_scheduler_free_cores", "NeuronCores not in use, by instance type.",
		[]string{"instance_type"}, nil)
	descHeld = prometheus.NewDesc("ncg_scheduler_allocations",
		"Allocations (pods holding devices or cores) on the nodes now, by instance type.", []string{"instance_type"}, nil)
	descFrag = prometheus.NewDesc("ncg_scheduler_fragmentation_ratio",
		"Share of the free devices that lie outside the largest free window of their node (0: every node's free "+
			"devices form one usable window; 0 too when no device is free), by instance type.",
		[]string{"instance_type"}, nil)
	descReserved = prometheus.NewDesc("ncg_scheduler_reservations",
		"Binds whose pods have not been seen bound yet.", nil, nil)
	descWithoutIDs = prometheus.NewDesc("ncg_scheduler_pods_without_ids",
		"Bound pods that hold Neuron resources without AWS_NEURON_IDS (placed by another scheduler): their nodes "+
			"hand out nothing until they end.", nil, nil)
	descMalformed = prometheus.NewDesc("ncg_scheduler_malformed_pods",
		"Bound pods whose AWS_NEURON_IDS cannot be read: their nodes hand out nothing until they end.", nil, nil)
	descBlocked = prometheus.NewDesc("ncg_scheduler_blocked_nodes",
		"Nodes that hand out nothing while pods hold devices or cores ncg-scheduler cannot see.", nil, nil)
	descConflicts = prometheus.NewDesc("ncg_scheduler_conflicts",
		"Pods whose AWS_NEURON_IDS overlap an older pod's on the same node, or do not fit it.", nil, nil)
)

// stateCollector reads the state at each scrape.
type stateCollector struct{ s *State }

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descNodes, descDevices, descFreeDevices, descCores, descFreeCores, descHeld,
		descFrag, descReserved, descWithoutIDs, descMalformed, descBlocked, descConflicts} {
		ch <- d
	}
}

// Fragmentation is the share of free devices outside the largest free window of their node.
func Fragmentation(freeDevices, windows int) float64 {
	if freeDevices == 0 {
		return 0
	}
	return float64(freeDevices-windows) / float64(freeDevices)
}

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	t := c.s.Totals()
	names := make([]string, 0, len(t.types))
	for name := range t.types {
		names = append(names, name)
	}
	sort.Strings(names)
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, name := range names {
		tt := t.types[name]
		gauge(descNodes, float64(tt.nodes), name)
		gauge(descDevices, float64(tt.devices), name)
		gauge(descFreeDevices, float64(tt.freeDevices), name)
		gauge(descCores, float64(tt.cores), name)
		gauge(descFreeCores, float64(tt.freeCores), name)
		gauge(descHeld, float64(tt.allocations), name)
		gauge(descFrag, Fragmentation(tt.freeDevices, tt.windows), name)
	}
	gauge(descReserved, float64(t.reserved))
	gauge(descWithoutIDs, float64(t.withoutIDs))
	gauge(descMalformed, float64(t.malformed))
	gauge(descBlocked, float64(t.blocked))
	gauge(descConflicts, float64(t.conflicts))
}

// threadCPU is the CPU time of the calling thread (its goroutine locked to it): the time of a call without the
// time other processes held the CPU, which on a shared machine is most of a wall-clock p99. 0 where the clock
// cannot be read.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
