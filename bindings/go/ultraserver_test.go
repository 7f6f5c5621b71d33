package ncg

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// ultraServerCluster is node group "us" of trn2u.48xlarge (16 chips): a0..a3 are UltraServer u1's positions 0..3,
// b0 and b1 u2's positions 0 and 1.
func ultraServerCluster(t *testing.T) *Cluster {
	t.Helper()
	cat := must(NewCatalogRegion("us-east-1", 0))
	defer cat.Close()
	if typ, _, err := cat.FindType("trn2u.48xlarge"); err != nil || typ.Chips != 16 {
		t.Fatalf("%+v %v", typ, err)
	}
	cl := must(NewCluster())
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "us", Type: "trn2u.48xlarge", MaxNodes: 8}))
	for p := 0; p < 4; p++ {
		name := fmt.Sprintf("a%d", p)
		must(cl.AddNode(name, "us"))
		if err := cl.SetNodeUltraServer(name, "u1", p); err != nil {
			t.Fatal(err)
		}
	}
	for p := 0; p < 2; p++ {
		name := fmt.Sprintf("b%d", p)
		must(cl.AddNode(name, "us"))
		if err := cl.SetNodeUltraServer(name, "u2", p); err != nil {
			t.Fatal(err)
		}
	}
	return cl
}

type ultraPlace struct {
	id  string
	pos int
}

func ultraServers(t *testing.T, v ClusterView) []ultraPlace {
	t.Helper()
	var out []ultraPlace
	for i := 0; i < v.NodeCount(); i++ {
		id, pos, err := v.NodeUltraServer(i)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ultraPlace{id, pos})
	}
	return out
}

// TestUltraServerMembership covers SetNodeUltraServer and NodeUltraServer with exact values and messages.
func TestUltraServerMembership(t *testing.T) {
	if UltraServerMaxNodes != 4 {
		t.Fatal(UltraServerMaxNodes)
	}
	cl := ultraServerCluster(t)
	defer cl.Close()
	want := []ultraPlace{{"u1", 0}, {"u1", 1}, {"u1", 2}, {"u1", 3}, {"u2", 0}, {"u2", 1}}
	if got := ultraServers(t, cl.ClusterView); !reflect.DeepEqual(got, want) {
		t.Fatalf("%v", got)
	}
	must(cl.AddNode("c0", "us"))
	if id, pos, err := cl.NodeUltraServer(6); id != "" || pos != -1 || err != nil {
		t.Fatal(id, pos, err)
	}

	before := must(cl.Dump())
	wantErr(t, cl.SetNodeUltraServer("c0", "u3", 4), ErrRange, "UltraServer position 4 is out of range 0..3")
	wantErr(t, cl.SetNodeUltraServer("c0", "u3", -1), ErrRange, "UltraServer position -1 is out of range 0..3")
	wantErr(t, cl.SetNodeUltraServer("c0", "u1", 0), ErrExists, "node a0 is at position 0 of UltraServer u1 already")
	wantErr(t, cl.SetNodeUltraServer("c0", "a b", 0), ErrInvalid,
		"UltraServer id \"a b\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'")
	wantErr(t, cl.SetNodeUltraServer("zz", "u1", 0), ErrNotFound, "no node \"zz\" in the cluster")
	wantErr(t, cl.SetNodeUltraServer("c0", "u\x00", 0), ErrInvalid, "UltraServer id contains a NUL byte")
	_, _, err := cl.NodeUltraServer(7)
	wantErr(t, err, ErrNotFound, "node index 7 is out of range 0..6")
	if after := must(cl.Dump()); after != before {
		t.Fatal("failed calls changed the cluster")
	}

	// Where it is already: no change. Clearing ("") a node without a replica works, the position ignored.
	if err := cl.SetNodeUltraServer("a0", "u1", 0); err != nil {
		t.Fatal(err)
	}
	if err := cl.SetNodeUltraServer("b1", "", 0); err != nil {
		t.Fatal(err)
	}
	if id, pos, err := cl.NodeUltraServer(5); id != "" || pos != -1 || err != nil {
		t.Fatal(id, pos, err)
	}
	if err := cl.SetNodeUltraServer("c0", "", 9); err != nil {
		t.Fatal(err)
	}
	if err := cl.SetNodeUltraServer("b1", "u2", 1); err != nil {
		t.Fatal(err)
	}
	// Clone keeps the membership; removing a node frees its place.
	cp := must(cl.Clone())
	defer cp.Close()
	if got := ultraServers(t, cp.ClusterView); !reflect.DeepEqual(got, append(want, ultraPlace{"", -1})) {
		t.Fatalf("%v", got)
	}
	if err := cl.RemoveNode("a3"); err != nil {
		t.Fatal(err)
	}
	if err := cl.SetNodeUltraServer("c0", "u1", 3); err != nil {
		t.Fatal(err)
	}
	if id, pos, err := cl.NodeUltraServer(5); id != "u1" || pos != 3 || err != nil {
		t.Fatal(id, pos, err)
	}
}

// TestUltraServerPlace covers PlaceUltraServer and ClusterView.Env with exact values and messages.
func TestUltraServerPlace(t *testing.T) {
	cl := ultraServerCluster(t)
	defer cl.Close()
	devices := "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"

	// 2 servers: u2 is left with fewer free servers (none) than u1 (2), so the library prefers it.
	ps := must(cl.PlaceUltraServer(inf(16, 1), 2))
	if want := []Placement{{"b0", 4, 0, 1}, {"b1", 5, 0, 1}}; !reflect.DeepEqual(ps, want) {
		t.Fatalf("%+v", ps)
	}
	e := must(cl.Env("b1", ps[1].AllocID, 0))
	if want := (Env{VisibleCores: "0-63", CoreGroupSizes: "64", VisibleDevices: devices, LogicalNCConfig: "2",
		UltraServerMode: "2", UltraServerServerID: "u2", UltraServerNodeID: "1"}); e != want {
		t.Fatalf("%+v", e)
	}
	if e0 := must(cl.Env("b0", ps[0].AllocID, 0)); e0.UltraServerNodeID != "0" || e0.UltraServerMode != "2" {
		t.Fatalf("%+v", e0)
	}
	// A cluster's node view reads its env through the cluster.
	if got := must(must(cl.Node(5)).Env(ps[1].AllocID, 0)); got != e {
		t.Fatalf("%+v", got)
	}

	// 4 servers: all of u1, by position.
	ps4 := must(cl.PlaceUltraServer(inf(16, 1), 4))
	if len(ps4) != 4 {
		t.Fatalf("%+v", ps4)
	}
	for p, pl := range ps4 {
		if pl.Node != fmt.Sprintf("a%d", p) || pl.NodeIndex != p || pl.NodeGroup != 0 || pl.AllocID != 1 {
			t.Fatalf("%d: %+v", p, pl)
		}
		env := must(cl.Env(pl.Node, pl.AllocID, 0))
		if env.UltraServerMode != "1" || env.UltraServerServerID != "u1" || env.UltraServerNodeID != fmt.Sprint(p) ||
			env.VisibleCores != "0-63" {
			t.Fatalf("%d: %+v", p, env)
		}
	}

	// Dump and restore keep the membership and the replicas' servers.
	back := must(RestoreCluster(must(cl.Dump())))
	defer back.Close()
	if got := must(back.Env("b1", ps[1].AllocID, 0)); got != e {
		t.Fatalf("%+v", got)
	}
	if got, want := ultraServers(t, back.ClusterView), ultraServers(t, cl.ClusterView); !reflect.DeepEqual(got, want) {
		t.Fatalf("%v", got)
	}

	// Errors change nothing.
	before := must(cl.Dump())
	_, err := cl.PlaceUltraServer(inf(16, 1), 4)
	wantErr(t, err, ErrFull, "no UltraServer of the allowed node groups has 4 whole servers free for the replica "+
		"(2 UltraServers, 6 of the 6 nodes in one)")
	_, err = cl.PlaceUltraServer(inf(16, 1), 3)
	wantErr(t, err, ErrRange, "servers 3 is not 1, 2 or 4 (the sets of an UltraServer)")
	_, err = cl.PlaceUltraServer(inf(16, 1), 8)
	wantErr(t, err, ErrRange, "servers 8 is not 1, 2 or 4 (the sets of an UltraServer)")
	_, err = cl.PlaceUltraServer(inf(1, 1), 2)
	wantErr(t, err, ErrInvalid,
		"a replica of whole servers takes every chip of a server: inf 1 is not the 16 chips of trn2u.48xlarge")
	_, err = cl.PlaceUltraServer(inf(16, 1), 2, "nope")
	wantErr(t, err, ErrNotFound, "no node group \"nope\" in the cluster")
	_, err = cl.PlaceUltraServer(inf(-1, 1), 2)
	wantErr(t, err, ErrRange, "inf -1 is out of range 0..1000000")
	_, err = cl.Env("zz", 1, 0)
	wantErr(t, err, ErrNotFound, "no node \"zz\" in the cluster")
	_, err = cl.Env("a0", 9, 0)
	wantErr(t, err, ErrNotFound, "no allocation 9 on this trn2u.48xlarge node")
	_, err = cl.Env("a0", 1, 1)
	wantErr(t, err, ErrNotFound, "allocation 1 has no process 1 (processes 0..0)")
	// A node holding a server of a replica keeps its UltraServer until the server is released.
	wantErr(t, cl.SetNodeUltraServer("b1", "", 0), ErrInvalid,
		"node b1 holds a server of a replica of whole servers of its UltraServer: release it before the node "+
			"changes UltraServer")
	if after := must(cl.Dump()); after != before {
		t.Fatal("failed calls changed the cluster")
	}

	if err := cl.Release("b1", ps[1].AllocID); err != nil {
		t.Fatal(err)
	}
	if err := cl.SetNodeUltraServer("b1", "", 0); err != nil {
		t.Fatal(err)
	}
	// An ordinary allocation's env has no UltraServer values.
	p := must(cl.Place(inf(16, 1)))
	if p.Node != "b1" {
		t.Fatalf("%+v", p)
	}
	if env := must(cl.Env("b1", p.AllocID, 0)); env.UltraServerMode != "" || env.UltraServerServerID != "" ||
		env.UltraServerNodeID != "" {
		t.Fatalf("%+v", env)
	}
	_, err = cl.PlaceUltraServer(inf(16, 1), 1)
	wantErr(t, err, ErrFull, "")

	// A plan's cluster reads the membership and the env.
	plan := must(NewPlan(cl))
	defer plan.Close()
	view := plan.Cluster()
	if id, pos, err := view.NodeUltraServer(4); id != "u2" || pos != 0 || err != nil {
		t.Fatal(id, pos, err)
	}
	if env := must(view.Env("a2", ps4[2].AllocID, 0)); env.UltraServerNodeID != "2" || env.UltraServerMode != "1" {
		t.Fatalf("%+v", env)
	}
}

// TestUltraServerNodeGroups: a replica of 1 server, restricted to node groups; other node groups' types must
// also take the request as whole servers.
func TestUltraServerNodeGroups(t *testing.T) {
	cl := ultraServerCluster(t)
	defer cl.Close()
	cat := must(NewCatalogRegion("us-east-1", 0))
	defer cat.Close()
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "inf", Type: "inf2.xlarge", MaxNodes: 1}))
	must(cl.AddNode("i0", "inf"))
	_, err := cl.PlaceUltraServer(inf(16, 1), 1)
	wantErr(t, err, ErrInvalid,
		"a replica of whole servers takes every chip of a server: inf 16 is not the 1 chips of inf2.xlarge")
	ps := must(cl.PlaceUltraServer(inf(16, 1), 1, "us"))
	if len(ps) != 1 || ps[0].Node != "b0" || ps[0].NodeGroup != 0 {
		t.Fatalf("%+v", ps)
	}
	env := must(cl.Env("b0", ps[0].AllocID, 0))
	if env.UltraServerMode != "4" || env.UltraServerNodeID != "0" || env.UltraServerServerID != "u2" {
		t.Fatalf("%+v", env)
	}
	if !strings.HasPrefix(env.VisibleCores, "0-") {
		t.Fatalf("%+v", env)
	}
}
