// Command cortexplan plans the Cortex example configs of the source tree (examples/cortex/apis.yaml on
// examples/cortex/cluster.yaml, the input of `ncg plan --example`), written out here as Go values so that the
// program needs nothing but the standard library, and prints the plan: price, lower bound, nodes per node
// group, and per API its placed replicas, headroom and first replica's env.
package main

import (
	"fmt"
	"log"

	ncg "github.com/libncg/libncg/bindings/go"
)

type api struct {
	name     string
	inf, ppr int64
	cpu, mem string
	replicas int
	models   []ncg.Model
}

// The APIs of examples/cortex/apis.yaml (init_replicas; a v0.38 API's containers summed).
var apis = []api{
	{"image-classifier-resnet50", 1, 4, "3", "4G", 12,
		[]ncg.Model{{Name: "resnet50_neuron", Bytes: 180 << 20, CompiledCores: 1, StaticWeights: true}}},
	{"text-generator-gpt2", 2, 1, "6", "12Gi", 6,
		[]ncg.Model{{Name: "gpt2-large", Bytes: 6 << 30, CompiledCores: 8, StaticWeights: true}}},
	{"sentiment-bert", 1, 2, "2", "6Gi", 8,
		[]ncg.Model{{Name: "bert-base", Bytes: 1288490189, CompiledCores: 1}}},
	{"multi-model-classifier", 1, 2, "2", "8Gi", 3, []ncg.Model{{Name: "inception", Bytes: 2 << 30, CompiledCores: 2},
		{Name: "resnet50", Bytes: 1500 << 20, CompiledCores: 2}, {Name: "iris", Bytes: 300 << 20, CompiledCores: 1}}},
	{"image-preprocessor", 0, 1, "1500m", "2Gi", 10, nil},
	{"batch-classifier", 4, 1, "8500m", "24576Mi", 2, nil},
}

// The node groups of examples/cortex/cluster.yaml (Cortex's default priority, 1).
var nodegroups = []ncg.NodeGroupSpec{
	{Name: "inf-small", Type: "inf1.2xlarge", MinNodes: 0, MaxNodes: 20, Priority: 1},
	{Name: "inf-large", Type: "inf1.6xlarge", MinNodes: 1, MaxNodes: 20, Priority: 1},
	{Name: "inf-xl-spot", Type: "inf1.24xlarge", MinNodes: 0, MaxNodes: 4, Priority: 1, HasPrice: true, USDPerHour: 2.10},
}

func main() {
	cat, err := ncg.NewCatalogRegion("us-east-1", 0)
	if err != nil {
		log.Fatal(err)
	}
	defer cat.Close()
	cl, err := ncg.NewCluster()
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close()
	for _, g := range nodegroups {
		if _, err := cl.AddNodeGroup(cat, g); err != nil {
			log.Fatal(err)
		}
	}
	plan, err := ncg.NewPlan(cl)
	if err != nil {
		log.Fatal(err)
	}
	defer plan.Close()
	for _, a := range apis {
		r := ncg.NewRequest()
		r.Inf, r.PPR, r.Models = a.inf, a.ppr, a.models
		if err := r.SetCPU(a.cpu); err != nil {
			log.Fatal(err)
		}
		if err := r.SetMemory(a.mem); err != nil {
			log.Fatal(err)
		}
		if _, err := plan.AddAPI(ncg.APISpec{Name: a.name, Request: r, Replicas: a.replicas}); err != nil {
			log.Fatal(err)
		}
	}
	if err := plan.Solve(); err != nil {
		log.Fatal(err)
	}
	s, err := plan.Summary()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("price $%.2f/h, lower bound $%.2f/h, %d/%d replicas placed on %d nodes\n", s.PricePerHour,
		s.LowerBoundPerHour, s.Placed, s.Replicas, s.Nodes)
	view := plan.Cluster()
	perGroup := make([]int, view.NodeGroupCount())
	for _, n := range view.Nodes() {
		perGroup[n.NodeGroup]++
	}
	for i, n := range perGroup {
		spec, _, _ := view.NodeGroup(i)
		fmt.Printf("  %-12s %-14s %d nodes\n", spec.Name, spec.Type, n)
	}
	replicas := plan.Replicas()
	for i := 0; i < plan.APICount(); i++ {
		unplaced, reason, _ := plan.Unplaced(i)
		headroom, _ := plan.Headroom(i)
		line := fmt.Sprintf("  %-26s headroom %2d", plan.APIName(i), headroom)
		for _, r := range replicas {
			if r.API == i && r.Node >= 0 {
				n, _ := view.Node(r.Node)
				if env, err := n.Env(r.AllocID, 0); err == nil && env.VisibleCores != "" {
					line += fmt.Sprintf("  first: %s NEURON_RT_VISIBLE_CORES=%s", n.Name, env.VisibleCores)
				}
				break
			}
		}
		if unplaced > 0 {
			line += fmt.Sprintf("  %d unplaced: %s", unplaced, reason)
		}
		fmt.Println(line)
	}
}
