// Command podsync keeps a libncg cluster in sync with the pods running on a set of Neuron nodes, then places
// the pending ones: what a Kubernetes scheduler extender does on every scheduling cycle.
//
// Input (JSON, from the file named on the command line, or a built-in sample without one):
//
//	{"nodegroups": [{"name": "inf-large", "type": "inf1.6xlarge", "max": 10}],
//	 "nodes":   [{"name": "ip-10-0-0-1", "nodegroup": "inf-large"}],
//	 "running": [{"pod": "a", "node": "ip-10-0-0-1", "devices": "0,1", "cores": ["0-3", "4-7"], "cpu": "1", "memory": "2Gi"}],
//	 "pending": [{"pod": "b", "inf": 1, "ppr": 2, "cpu": "500m", "memory": "1Gi"}]}
//
// It prints, per pending pod, the node and the env the pod needs, or why it cannot be placed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"

	ncg "github.com/libncg/libncg/bindings/go"
)

type input struct {
	NodeGroups []struct {
		Name, Type string
		Max        int
	}
	Nodes []struct {
		Name, NodeGroup string
	}
	Running []struct {
		Pod, Node, Devices string
		Cores              []string
		CPU, Memory        string
	}
	Pending []struct {
		Pod         string
		Inf, PPR    int64
		CPU, Memory string
	}
}

const sample = `{
 "nodegroups": [{"name": "inf-large", "type": "inf1.6xlarge", "max": 10}],
 "nodes": [{"name": "ip-10-0-0-1", "nodegroup": "inf-large"}, {"name": "ip-10-0-0-2", "nodegroup": "inf-large"}],
 "running": [
  {"pod": "resnet-1", "node": "ip-10-0-0-1", "devices": "0,1", "cores": ["0-3", "4-7"], "cpu": "1", "memory": "2Gi"},
  {"pod": "resnet-2", "node": "ip-10-0-0-2", "devices": "3", "cores": ["12-15"], "cpu": "1", "memory": "2Gi"}],
 "pending": [
  {"pod": "gpt2-1", "inf": 2, "ppr": 1, "cpu": "2", "memory": "8Gi"},
  {"pod": "gpt2-2", "inf": 2, "ppr": 1, "cpu": "2", "memory": "8Gi"},
  {"pod": "gpt2-3", "inf": 2, "ppr": 1, "cpu": "2", "memory": "8Gi"}]
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
	// Sync: adopt what runs already, from the env strings the pods carry.
	for _, p := range in.Running {
		r := ncg.Request{PPR: 1, CPUMilli: quantity(ncg.ParseCPU, p.CPU), MemoryBytes: quantity(ncg.ParseMemory, p.Memory)}
		a, err := cl.Adopt(p.Node, &r, p.Devices, p.Cores)
		if err != nil {
			fmt.Printf("%s: cannot adopt on %s: %v\n", p.Pod, p.Node, err)
			continue
		}
		fmt.Printf("%s: adopted on %s as allocation %d (chips %d-%d)\n", p.Pod, p.Node, a.ID, a.FirstChip,
			a.FirstChip+a.ChipCount-1)
	}
	// Place the pending pods.
	for _, p := range in.Pending {
		r := ncg.NewRequest()
		r.Inf, r.PPR = p.Inf, p.PPR
		r.CPUMilli, r.MemoryBytes = quantity(ncg.ParseCPU, p.CPU), quantity(ncg.ParseMemory, p.Memory)
		pl, err := cl.Place(r)
		if err != nil {
			fmt.Printf("%s: unschedulable: %v\n", p.Pod, err)
			continue
		}
		n, _ := cl.Node(pl.NodeIndex)
		env, _ := n.Env(pl.AllocID, 0)
		fmt.Printf("%s: %s AWS_NEURON_VISIBLE_DEVICES=%s NEURON_RT_VISIBLE_CORES=%s\n", p.Pod, pl.Node,
			env.VisibleDevices, env.VisibleCores)
	}
}
