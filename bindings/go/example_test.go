package ncg_test

import (
	"errors"
	"fmt"

	ncg "github.com/libncg/libncg/bindings/go"
)

func ExampleParseMemory() {
	b, _ := ncg.ParseMemory("1.5Gi")
	s, _ := ncg.FormatMemory(b)
	fmt.Println(b, s)
	// Output: 1610612736 1536Mi
}

func ExampleError() {
	_, err := ncg.PPRCheck(ncg.AccelInferentia, 4, 2, 3)
	fmt.Println(errors.Is(err, ncg.ErrPPR))
	fmt.Println(err)
	// Output:
	// true
	// cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, 4, or 8
}

func ExampleNode_Allocate() {
	cat, _ := ncg.NewCatalog(0)
	defer cat.Close()
	node, _ := ncg.NewNode(cat, "inf1.6xlarge")
	defer node.Close()

	r := ncg.NewRequest()
	r.Inf, r.PPR = 2, 4
	a, err := node.Allocate(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	for p := 0; p < a.PPR; p++ {
		env, _ := node.Env(a.ID, p)
		fmt.Printf("process %d: NEURON_RT_VISIBLE_CORES=%s NEURONCORE_GROUP_SIZES=%s\n", p, env.VisibleCores,
			env.CoreGroupSizes)
	}
	// Output:
	// process 0: NEURON_RT_VISIBLE_CORES=0-1 NEURONCORE_GROUP_SIZES=2
	// process 1: NEURON_RT_VISIBLE_CORES=2-3 NEURONCORE_GROUP_SIZES=2
	// process 2: NEURON_RT_VISIBLE_CORES=4-5 NEURONCORE_GROUP_SIZES=2
	// process 3: NEURON_RT_VISIBLE_CORES=6-7 NEURONCORE_GROUP_SIZES=2
}

func ExampleCluster_Place() {
	cat, _ := ncg.NewCatalog(0)
	defer cat.Close()
	cl, _ := ncg.NewCluster()
	defer cl.Close()
	cl.AddNodeGroup(cat, ncg.NodeGroupSpec{Name: "inf", Type: "inf1.6xlarge", MaxNodes: 2})
	cl.AddNode("node-a", "inf")

	r := ncg.NewRequest()
	r.Inf = 3
	p, _ := cl.Place(r)
	fmt.Println("placed on", p.Node)
	_, err := cl.Place(r)
	fmt.Println("full:", errors.Is(err, ncg.ErrFull))
	// Output:
	// placed on node-a
	// full: true
}

func ExamplePlan() {
	cat, _ := ncg.NewCatalog(0)
	defer cat.Close()
	cl, _ := ncg.NewCluster()
	defer cl.Close()
	cl.AddNodeGroup(cat, ncg.NodeGroupSpec{Name: "inf-large", Type: "inf1.6xlarge", MaxNodes: 10})

	plan, _ := ncg.NewPlan(cl)
	defer plan.Close()
	r := ncg.NewRequest()
	r.Inf, r.PPR = 1, 4
	plan.AddAPI(ncg.APISpec{Name: "classifier", Request: r, Replicas: 6})
	if err := plan.Solve(); err != nil {
		fmt.Println(err)
		return
	}
	s, _ := plan.Summary()
	fmt.Printf("%d nodes, %d/%d replicas placed\n", s.Nodes, s.Placed, s.Replicas)
	// Output: 2 nodes, 6/6 replicas placed
}
