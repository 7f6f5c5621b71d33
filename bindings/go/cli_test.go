package ncg

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"testing"
)

// TestPlanMatchesCLI plans testdata/apis.yaml on testdata/cluster.yaml through the Go API and compares the
// result with `ncg plan -o json` for the same files ($NCG_CLI, set by meson test when the CLI is built).
func TestPlanMatchesCLI(t *testing.T) {
	cli := os.Getenv("NCG_CLI")
	if cli == "" {
		t.Skip("NCG_CLI not set (meson test sets it when the ncg tool is built)")
	}
	out, err := exec.Command(cli, "plan", "--cluster", "testdata/cluster.yaml", "testdata/apis.yaml", "-o", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Price      float64 `json:"price_per_hour"`
		LowerBound float64 `json:"lower_bound_per_hour"`
		Gap        float64 `json:"gap"`
		Replicas   int     `json:"replicas"`
		Placed     int     `json:"placed"`
		NodeGroups []struct {
			Name  string `json:"name"`
			Nodes int    `json:"nodes"`
		} `json:"node_groups"`
		Nodes []struct {
			Name     string `json:"name"`
			Group    string `json:"group"`
			Replicas []struct {
				API string `json:"api"`
			} `json:"replicas"`
		} `json:"nodes"`
		APIs []struct {
			Name     string `json:"name"`
			Headroom int    `json:"headroom"`
		} `json:"apis"`
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}

	// The same input through the API (the CLI's node-group priority defaults to 1, as Cortex's).
	cat := must(NewCatalogRegion("us-east-1", 0))
	defer cat.Close()
	cl := must(NewCluster())
	defer cl.Close()
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "inf-small", Type: "inf1.2xlarge", MinNodes: 0, MaxNodes: 10, Priority: 1}))
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "inf-large", Type: "inf1.6xlarge", MinNodes: 1, MaxNodes: 4, Priority: 1,
		HasPrice: true, USDPerHour: 1.00}))
	plan := must(NewPlan(cl))
	defer plan.Close()
	req := func(infs, ppr int64, cpu, mem string) Request {
		r := NewRequest()
		r.Inf, r.PPR, r.CPUMilli, r.MemoryBytes = infs, ppr, must(ParseCPU(cpu)), must(ParseMemory(mem))
		return r
	}
	must(plan.AddAPI(APISpec{Name: "classifier", Request: req(1, 4, "2", "4Gi"), Replicas: 5}))
	must(plan.AddAPI(APISpec{Name: "generator", Request: req(2, 1, "4", "8Gi"), Replicas: 3}))
	must(plan.AddAPI(APISpec{Name: "preprocessor", Request: req(0, 1, "1500m", "2Gi"), Replicas: 4}))
	if err := plan.Solve(); err != nil {
		t.Fatal(err)
	}
	s := must(plan.Summary())
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
	if !near(s.PricePerHour, want.Price) || !near(s.LowerBoundPerHour, want.LowerBound) || !near(s.Gap, want.Gap) ||
		s.Replicas != want.Replicas || s.Placed != want.Placed {
		t.Fatalf("summary %+v, CLI %+v", s, want)
	}
	view := plan.Cluster()
	perGroup := map[int]int{}
	type node struct {
		name, group string
		apis        []string
	}
	var got []node
	replicas := plan.Replicas()
	for i, n := range view.Nodes() {
		spec, _, err := view.NodeGroup(n.NodeGroup)
		if err != nil {
			t.Fatal(err)
		}
		perGroup[n.NodeGroup]++
		ids := must(n.AllocIDs())
		byID := map[uint64]string{}
		for _, r := range replicas {
			if r.Node == i {
				byID[r.AllocID] = plan.APIName(r.API)
			}
		}
		apis := []string{}
		for _, id := range ids {
			apis = append(apis, byID[id])
		}
		got = append(got, node{n.Name, spec.Name, apis})
	}
	var wantNodes []node
	for _, n := range want.Nodes {
		apis := []string{}
		for _, r := range n.Replicas {
			apis = append(apis, r.API)
		}
		wantNodes = append(wantNodes, node{n.Name, n.Group, apis})
	}
	// The CLI may list a node's replicas in another order than allocation ids: compare them as sets.
	for _, list := range [][]node{got, wantNodes} {
		for _, n := range list {
			sort.Strings(n.apis)
		}
	}
	if !reflect.DeepEqual(got, wantNodes) {
		t.Fatalf("nodes\n got %v\nwant %v", got, wantNodes)
	}
	for i, g := range want.NodeGroups {
		if perGroup[i] != g.Nodes {
			t.Fatalf("node group %s: %d nodes, CLI %d", g.Name, perGroup[i], g.Nodes)
		}
	}
	for i, a := range want.APIs {
		if plan.APIName(i) != a.Name || must(plan.Headroom(i)) != a.Headroom {
			t.Fatalf("api %d: %s headroom %d, CLI %+v", i, plan.APIName(i), must(plan.Headroom(i)), a)
		}
	}
}
