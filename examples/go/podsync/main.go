// Command podsync keeps a libncg cluster in sync with the pods running on a set of Neuron nodes, cycle after
// cycle, and places the pending ones: what a Kubernetes scheduler extender does on every scheduling cycle.
//
// Each cycle lists every running pod (as a controller reads them from the API server: node, env strings,
// requests) and the pending ones. podsync releases the allocations of pods that stopped, adopts the pods it
// does not know from their env strings, keeps those it placed itself, then places the pending pods.
//
// Input (JSON, from the file named on the command line, or a built-in sample without one):
//
//	{"nodegroups": [{"name": "inf-large", "type": "inf1.6xlarge", "max": 10}],
//	 "nodes":   [{"name": "ip-10-0-0-1", "nodegroup": "inf-large"}],
//	 "cycles":  [{"running": [{"pod": "a", "node": "ip-10-0-0-1", "devices": "0,1", "cores": ["0-3", "4-7"],
//	                           "cpu": "1", "memory": "2Gi"}],
//	              "pending": [{"pod": "b", "inf": 1, "ppr": 2, "cpu": "500m", "memory": "1Gi"}]}]}
//
// It prints what each cycle changes: the pods released and adopted, and per pending pod the node and the env
// the pod needs, or why it cannot be placed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"

	ncg "github.com/libncg/libncg/bindings/go"
)

type runningPod struct {
	Pod, Node, Devices string
	Cores              []string
	CPU, Memory        string
}

type pendingPod struct {
	Pod         string
	Inf, PPR    int64
	CPU, Memory string
}

type input struct {
	NodeGroups []struct {
		Name, Type string
		Max        int
	}
	Nodes []struct {
		Name, NodeGroup string
	}
	Cycles []struct {
		Running []runningPod
		Pending []pendingPod
	}
}

const sample = `{
 "nodegroups": [{"name": "inf-large", "type": "inf1.6xlarge", "max": 10}],
 "nodes": [{"name": "ip-10-0-0-1", "nodegroup": "inf-large"}, {"name": "ip-10-0-0-2", "nodegroup": "inf-large"}],
 "cycles": [
  {"running": [
    {"pod": "resnet-1", "node": "ip-10-0-0-1", "devices": "0,1", "cores": ["0-3", "4-7"], "cpu": "1", "memory": "2Gi"},
    {"pod": "resnet-2", "node": "ip-10-0-0-2", "devices": "3", "cores": ["12-15"], "cpu": "1", "memory": "2Gi"}],
   "pending": [
    {"pod": "gpt2-1", "inf": 2, "ppr": 1, "cpu": "2", "memory": "8Gi"},
    {"pod": "gpt2-2", "inf": 2, "ppr": 1, "cpu": "2", "memory": "8Gi"},
    {"pod": "gpt2-3", "inf": 2, "ppr": 1, "cpu": "2", "memory": "8Gi"}]},
  {"running": [
    {"pod": "resnet-2", "node": "ip-10-0-0-2", "devices": "3", "cores": ["12-15"], "cpu": "1", "memory": "2Gi"},
    {"pod": "gpt2-1", "node": "ip-10-0-0-1", "devices": "2,3", "cores": ["8-15"], "cpu": "2", "memory": "8Gi"},
    {"pod": "gpt2-2", "node": "ip-10-0-0-2", "devices": "0,1", "cores": ["0-7"], "cpu": "2", "memory": "8Gi"},
    {"pod": "bert-9", "node": "ip-10-0-0-2", "devices": "2", "cores": ["8-9", "10-11"], "cpu": "1", "memory": "4Gi"}],
   "pending": [
    {"pod": "gpt2-3", "inf": 2, "ppr": 1, "cpu": "2", "memory": "8Gi"}]}]
}`

func quantity(parse func(string) (int64, error), s string) int64 {
	if s == "" {
		return 0
	}
	v, err := parse(s)
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// placement is where the cluster holds a pod: its node and allocation.
type placement struct {
	node string
	id   uint64
}

// syncer keeps the cluster equal to the running pods.
type syncer struct {
	cl   *ncg.Cluster
	pods map[string]placement
}

// sync releases the pods that stopped and adopts the running pods the cluster does not hold yet.
func (s *syncer) sync(running []runningPod) {
	seen := map[string]bool{}
	for _, p := range running {
		seen[p.Pod] = true
	}
	var gone []string
	for pod := range s.pods {
		if !seen[pod] {
			gone = append(gone, pod)
		}
	}
	sort.Strings(gone)
	for _, pod := range gone {
		pl := s.pods[pod]
		if err := s.cl.Release(pl.node, pl.id); err != nil {
			log.Fatal(err)
		}
		delete(s.pods, pod)
		fmt.Printf("%s: stopped, released allocation %d on %s\n", pod, pl.id, pl.node)
	}
	for _, p := range running {
		if _, ok := s.pods[p.Pod]; ok {
			continue // placed by an earlier cycle: the cluster holds it already
		}
		r := ncg.Request{PPR: 1, CPUMilli: quantity(ncg.ParseCPU, p.CPU), MemoryBytes: quantity(ncg.ParseMemory, p.Memory)}
		a, err := s.cl.Adopt(p.Node, &r, p.Devices, p.Cores)
		if err != nil {
			fmt.Printf("%s: cannot adopt on %s: %v\n", p.Pod, p.Node, err)
			continue
		}
		s.pods[p.Pod] = placement{p.Node, a.ID}
		fmt.Printf("%s: adopted on %s as allocation %d (chips %d-%d)\n", p.Pod, p.Node, a.ID, a.FirstChip,
			a.FirstChip+a.ChipCount-1)
	}
}

// place places the pending pods and remembers where, so that the next cycle recognises them running.
func (s *syncer) place(pending []pendingPod) {
	for _, p := range pending {
		r := ncg.NewRequest()
		r.Inf, r.PPR = p.Inf, p.PPR
		r.CPUMilli, r.MemoryBytes = quantity(ncg.ParseCPU, p.CPU), quantity(ncg.ParseMemory, p.Memory)
		pl, err := s.cl.Place(r)
		if err != nil {
			fmt.Printf("%s: unschedulable: %v\n", p.Pod, err)
			continue
		}
		s.pods[p.Pod] = placement{pl.Node, pl.AllocID}
		n, _ := s.cl.Node(pl.NodeIndex)
		env, _ := n.Env(pl.AllocID, 0)
		fmt.Printf("%s: %s AWS_NEURON_VISIBLE_DEVICES=%s NEURON_RT_VISIBLE_CORES=%s\n", p.Pod, pl.Node,
			env.VisibleDevices, env.VisibleCores)
	}
}

func main() {
	flag.Parse()
	data := []byte(sample)
	if flag.NArg() > 0 {
		var err error
		if data, err = os.ReadFile(flag.Arg(0)); err != nil {
			log.Fatal(err)
		}
	}
	var in input
	if err := json.Unmarshal(data, &in); err != nil {
		log.Fatal(err)
	}
	cat, err := ncg.NewCatalog(0)
	if err != nil {
		log.Fatal(err)
	}
	defer cat.Close()
	cl, err := ncg.NewCluster()
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close()
	for _, g := range in.NodeGroups {
		if _, err := cl.AddNodeGroup(cat, ncg.NodeGroupSpec{Name: g.Name, Type: g.Type, MaxNodes: g.Max}); err != nil {
			log.Fatal(err)
		}
	}
	for _, n := range in.Nodes {
		if _, err := cl.AddNode(n.Name, n.NodeGroup); err != nil {
			log.Fatal(err)
		}
	}
	s := &syncer{cl: cl, pods: map[string]placement{}}
	for i, c := range in.Cycles {
		fmt.Printf("cycle %d\n", i+1)
		s.sync(c.Running)
		s.place(c.Pending)
	}
}
