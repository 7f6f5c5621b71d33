package main

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the scheduler's Prometheus metrics, in a registry of its own (no global state).
type Metrics struct {
	Registry    *prometheus.Registry
	latency     *prometheus.HistogramVec // verb
	allocations *prometheus.CounterVec   // resource
	failures    *prometheus.CounterVec   // verb, stage
	nodes       *prometheus.CounterVec   // result of filter per node
}

// latencyBuckets go from 50 µs to 2.5 s: a filter over a thousand nodes takes well under a millisecond, a
// bind two API calls.
var latencyBuckets = prometheus.ExponentialBuckets(50e-6, 2.5, 13)

// NewMetrics makes the metrics of one scheduler, including the figures of its state read at each scrape.
func NewMetrics(s *State) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ncg_scheduler_request_duration_seconds",
		Help:    "Time to answer an extender call (filter, prioritize, bind), decoding and encoding included.",
		Buckets: latencyBuckets}, []string{"verb"})
	m.allocations = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ncg_scheduler_allocations_total",
		Help: "Pods bound with Neuron devices or cores allocated to them, by resource."}, []string{"resource"})
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ncg_scheduler_failures_total",
		Help: "Extender calls that failed, by verb and stage (decode, pod, reserve, patch, bind)."},
		[]string{"verb", "stage"})
	m.nodes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ncg_scheduler_filter_nodes_total",
		Help: "Candidate nodes filtered, by result (passed, failed: not free now, unresolvable: never fits)."},
		[]string{"result"})
	m.Registry.MustRegister(m.latency, m.allocations, m.failures, m.nodes, stateCollector{s},
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
	descUnaccounted = prometheus.NewDesc("ncg_scheduler_unaccounted_pods",
		"Bound pods that ask for Neuron resources but carry no AWS_NEURON_IDS (placed by another scheduler).", nil, nil)
	descMalformed = prometheus.NewDesc("ncg_scheduler_malformed_pods",
		"Bound pods whose AWS_NEURON_IDS cannot be read.", nil, nil)
	descConflicts = prometheus.NewDesc("ncg_scheduler_conflicts",
		"Pods whose AWS_NEURON_IDS overlap an older pod's on the same node, or do not fit it.", nil, nil)
)

// stateCollector reads the state at each scrape.
type stateCollector struct{ s *State }

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descNodes, descDevices, descFreeDevices, descCores, descFreeCores, descHeld,
		descFrag, descReserved, descUnaccounted, descMalformed, descConflicts} {
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
	gauge(descUnaccounted, float64(t.unaccounted))
	gauge(descMalformed, float64(t.malformed))
	gauge(descConflicts, float64(t.conflicts))
}
