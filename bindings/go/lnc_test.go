package ncg

import (
	"errors"
	"testing"
)

// TestLNC covers the Logical NeuronCore setting (2.3) with exact values: the type's members, a node's setting
// and the env it gives, requests naming a setting, and node groups.
func TestLNC(t *testing.T) {
	cat := must(NewCatalogRegion("us-east-1", 0))
	defer cat.Close()

	trn, _, err := cat.FindType("trn2.48xlarge")
	if err != nil || trn.LNC != 2 || trn.HBMBanks != 4 || trn.CoresPerChip != 4 || trn.PhysicalCoresPerChip != 8 {
		t.Fatalf("%+v %v", trn, err)
	}
	inf2, _, err := cat.FindType("inf2.xlarge")
	if err != nil || inf2.LNC != 0 || inf2.HBMBanks != 0 {
		t.Fatalf("%+v %v", inf2, err)
	}
	// The members round-trip through SetType.
	cp := trn
	cp.Name = "trn2.copy"
	must(cat.SetType(cp))
	if got, _, _ := cat.FindType("trn2.copy"); got != cp {
		t.Fatalf("%+v", got)
	}

	// A new node runs the type's setting, LNC=2.
	node := must(NewNode(cat, "trn2.48xlarge"))
	defer node.Close()
	if s := must(node.Status()); s.CoresPerChip != 4 || s.LNC != 2 {
		t.Fatalf("%+v", s)
	}
	a := must(node.Allocate(inf(1, 1)))
	if env := must(node.Env(a.ID, 0)); env != (Env{VisibleCores: "0-3", CoreGroupSizes: "4", VisibleDevices: "0",
		LogicalNCConfig: "2"}) {
		t.Fatalf("%+v", env)
	}
	r := inf(1, 1)
	r.LNC = 1
	_, err = node.Allocate(r)
	wantErr(t, err, ErrLNC, "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)")
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeLNC || int(e.Code) != -15 {
		t.Fatal(err)
	}
	r.LNC = 2
	must(node.Allocate(r))

	// LNC=1 on an empty node: 8 cores per chip.
	node1 := must(NewNode(cat, "trn2.48xlarge"))
	defer node1.Close()
	if err := node1.SetLNC(1); err != nil {
		t.Fatal(err)
	}
	if s := must(node1.Status()); s.CoresPerChip != 8 || s.LNC != 1 || s.FreeCores != 128 {
		t.Fatalf("%+v", s)
	}
	r.LNC = 1
	a1 := must(node1.Allocate(r))
	if env := must(node1.Env(a1.ID, 0)); env != (Env{VisibleCores: "0-7", CoreGroupSizes: "8", VisibleDevices: "0",
		LogicalNCConfig: "1"}) {
		t.Fatalf("%+v", env)
	}
	wantErr(t, node1.SetLNC(2), ErrInvalid,
		"node_set_lnc: the node has 1 allocation; its Logical NeuronCore setting changes only while it is empty")
	if err := node1.Release(a1.ID); err != nil {
		t.Fatal(err)
	}
	if err := node1.SetLNC(2); err != nil || must(node1.Status()).CoresPerChip != 4 {
		t.Fatal(err)
	}
	wantErr(t, node1.SetLNC(3), ErrRange, "lnc 3 is out of range 1..2")
	wantErr(t, node1.SetLNC(0), ErrRange, "lnc 0 is out of range 1..2")

	// A type without the setting.
	inode := must(NewNode(cat, "inf2.xlarge"))
	defer inode.Close()
	wantErr(t, inode.SetLNC(1), ErrRange,
		"lnc 1: inf2.xlarge has no Logical NeuronCore setting (its 2 NeuronCores per chip are physical cores)")
	if s := must(inode.Status()); s.LNC != 0 {
		t.Fatalf("%+v", s)
	}
	ia := must(inode.Allocate(inf(1, 1)))
	if env := must(inode.Env(ia.ID, 0)); env != (Env{VisibleCores: "0-1", CoreGroupSizes: "2", VisibleDevices: "0"}) {
		t.Fatalf("%+v", env)
	}

	// Requests: NewRequest's default is 0 (any); the catalog takes a type with the setting at the request's.
	if NewRequest().LNC != 0 {
		t.Fatal(NewRequest())
	}
	if n := must(cat.CheckRequest("trn2.48xlarge", r)); n != 8 {
		t.Fatal(n)
	}
	if n := must(cat.CheckRequest("trn2.48xlarge", inf(1, 1))); n != 4 {
		t.Fatal(n)
	}

	// Node groups: LNC 0 reads back the type's setting.
	cl := must(NewCluster())
	defer cl.Close()
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "trn-lnc1", Type: "trn2.48xlarge", MaxNodes: 2, LNC: 1}))
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "trn", Type: "trn2.48xlarge", MaxNodes: 2}))
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "inf", Type: "inf2.xlarge", MaxNodes: 2}))
	for i, want := range []struct{ lnc, typeLNC, cores int }{{1, 1, 8}, {2, 2, 4}, {0, 0, 2}} {
		spec, typ, err := cl.NodeGroup(i)
		if err != nil || spec.LNC != want.lnc || typ.LNC != want.typeLNC || typ.CoresPerChip != want.cores {
			t.Fatalf("node group %d: %+v %+v %v", i, spec, typ, err)
		}
	}
	must(cl.AddNode("n1", "trn-lnc1"))
	must(cl.AddNode("n2", "trn"))
	p := must(cl.Place(r))
	if p.Node != "n1" {
		t.Fatalf("%+v", p)
	}
	view := must(cl.Node(0)).NodeView
	if env := must(view.Env(p.AllocID, 0)); env.LogicalNCConfig != "1" || env.VisibleCores != "0-7" {
		t.Fatalf("%+v", env)
	}
	if s := must(view.Status()); s.LNC != 1 {
		t.Fatalf("%+v", s)
	}
	_, err = cl.PlaceOn("n2", r)
	wantErr(t, err, ErrLNC, "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)")

	// The setting survives Dump and RestoreCluster.
	back := must(RestoreCluster(must(cl.Dump())))
	defer back.Close()
	if spec, _, err := back.NodeGroup(0); err != nil || spec.LNC != 1 {
		t.Fatalf("%+v %v", spec, err)
	}
}
