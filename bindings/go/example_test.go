package ncg_test

import (
	"errors"
	"fmt"
	"sort"

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

func ExampleClusterView_ScoreNode() {
	cat, _ := ncg.NewCatalog(0)
	defer cat.Close()
	cl, _ := ncg.NewCluster()
	defer cl.Close()
	cl.AddNodeGroup(cat, ncg.NodeGroupSpec{Name: "inf", Type: "inf1.6xlarge", MaxNodes: 3})
	for _, n := range []string{"node-a", "node-b", "node-c"} {
		cl.AddNode(n, "inf")
	}
	r := ncg.NewRequest()
	r.Inf = 2
	cl.PlaceOn("node-b", r) // node-b has 2 chips left, a and c 4

	// A scheduler extender's prioritize: score the candidates kube-scheduler passes, best first.
	type scored struct {
		node  string
		score ncg.NodeScore
	}
	var list []scored
	for _, n := range []string{"node-a", "node-b", "node-c"} {
		s, err := cl.ScoreNode(n, r)
		if err != nil {
			fmt.Println(n, err)
			continue
		}
		list = append(list, scored{n, s})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].score.Compare(list[j].score) < 0 })
	for _, s := range list {
		fmt.Printf("%s leftover %d\n", s.node, s.score.Leftover)
	}
	p, _ := cl.PlaceOn(list[0].node, r) // bind to the chosen node
	fmt.Println("bound to", p.Node)
	_, err := cl.ScoreNode("node-b", r)
	fmt.Println(err)
	// Output:
	// node-b leftover 0
	// node-a leftover 2
	// node-c leftover 2
	// bound to node-b
	// no free window of 2 chips on inf1.6xlarge: free chips none, largest free window 0
}

func ExamplePlan_SetOptions() {
	cat, _ := ncg.NewCatalog(0)
	defer cat.Close()
	cl, _ := ncg.NewCluster()
	defer cl.Close()
	cl.AddNodeGroup(cat, ncg.NodeGroupSpec{Name: "inf-large", Type: "inf1.6xlarge", MaxNodes: 10})
	plan, _ := ncg.NewPlan(cl)
	defer plan.Close()
	r := ncg.NewRequest()
	r.Inf = 1
	plan.AddAPI(ncg.APISpec{Name: "classifier", Request: r, Replicas: 6})

	// A deterministic budget: the same plan on every machine.
	if err := plan.SetOptions(ncg.PlanOptions{WorkLimit: 1000000}); err != nil {
		fmt.Println(err)
		return
	}
	plan.Solve()
	s, _ := plan.Summary()
	fmt.Printf("%d nodes, $%.2f/h, column generation: %s\n", s.Nodes, s.PricePerHour, s.Stopped)
	// Output: 2 nodes, $2.36/h, column generation: converged
}

func ExampleCluster_PlaceUltraServer() {
	cat, _ := ncg.NewCatalogRegion("us-east-1", 0)
	defer cat.Close()
	cl, _ := ncg.NewCluster()
	defer cl.Close()
	cl.AddNodeGroup(cat, ncg.NodeGroupSpec{Name: "us", Type: "trn2u.48xlarge", MaxNodes: 4})
	for p := 0; p < 4; p++ {
		name := fmt.Sprintf("us-%d", p)
		cl.AddNode(name, "us")
		// on Kubernetes, the node's labels neuron.amazonaws.com/ultraserver-server-id-4 and ultraserver-node-id-4
		cl.SetNodeUltraServer(name, "us-a", p)
	}

	r := ncg.NewRequest()
	r.Inf = 16 // every chip of a server
	ps, err := cl.PlaceUltraServer(r, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range ps {
		env, _ := cl.Env(p.Node, p.AllocID, 0)
		fmt.Printf("%s: NEURON_RT_ULTRASERVER_MODE=%s NEURON_RT_ULTRASERVER_SERVER_ID=%s NEURON_RT_ULTRASERVER_NODE_ID=%s\n",
			p.Node, env.UltraServerMode, env.UltraServerServerID, env.UltraServerNodeID)
	}
	// Output:
	// us-0: NEURON_RT_ULTRASERVER_MODE=2 NEURON_RT_ULTRASERVER_SERVER_ID=us-a NEURON_RT_ULTRASERVER_NODE_ID=0
	// us-1: NEURON_RT_ULTRASERVER_MODE=2 NEURON_RT_ULTRASERVER_SERVER_ID=us-a NEURON_RT_ULTRASERVER_NODE_ID=1
}
