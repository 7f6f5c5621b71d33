package ncg

import (
	"sync"
	"testing"
)

// scoreCluster is a cluster of one inf1.6xlarge node group (4 chips in a chain) with nodes n0 and n1.
func scoreCluster(t *testing.T) *Cluster {
	t.Helper()
	cat := must(NewCatalog(0))
	defer cat.Close()
	cl := must(NewCluster())
	must(cl.AddNodeGroup(cat, NodeGroupSpec{Name: "inf", Type: "inf1.6xlarge", MaxNodes: 4}))
	must(cl.AddNode("n0", "inf"))
	must(cl.AddNode("n1", "inf"))
	return cl
}

func chipsReq(inf int64) Request {
	r := NewRequest()
	r.Inf, r.CPUMilli = inf, 0
	return r
}

func TestScoreNodeAndPlaceOn(t *testing.T) {
	cl := scoreCluster(t)
	defer cl.Close()
	three := chipsReq(3)
	s0 := must(cl.ScoreNode("n0", three))
	s1 := must(cl.ScoreNode("n1", three))
	// An empty node: the largest free window (4) minus the 3 chips asked leaves 1.
	if s0.NodeIndex != 0 || s0.NodeGroup != 0 || s0.Priority != 0 || s0.Leftover != 1 || s1.NodeIndex != 1 ||
		s1.Leftover != 1 || s0.FreeAfter != s1.FreeAfter || s0.Seq >= s1.Seq {
		t.Fatalf("%+v %+v", s0, s1)
	}
	// Equal but for the order the nodes were added in: n0 wins the tie, and a score equals itself.
	if s0.Compare(s1) >= 0 || s1.Compare(s0) <= 0 || s0.Compare(s0) != 0 {
		t.Fatal(s0.Compare(s1), s1.Compare(s0))
	}
	p := must(cl.PlaceOn("n1", three))
	if p != (Placement{Node: "n1", NodeIndex: 1, NodeGroup: 0, AllocID: 1}) {
		t.Fatalf("%+v", p)
	}
	a := must(must(cl.Node(1)).Alloc(1))
	if !a.WholeChips || a.FirstChip != 0 || a.ChipCount != 3 || a.FirstCore != 0 || a.CoreCount != 12 {
		t.Fatalf("%+v", a)
	}
	// n1 has one chip left: a 1-chip replica leaves no window there, 3 chips of one on n0, so n1 is better.
	one := chipsReq(1)
	t0, t1 := must(cl.ScoreNode("n0", one)), must(cl.ScoreNode("n1", one))
	if t0.Leftover != 3 || t1.Leftover != 0 || t1.Compare(t0) >= 0 || t1.FreeAfter >= t0.FreeAfter {
		t.Fatalf("%+v %+v", t0, t1)
	}
	// Place chooses the node the best score names.
	if pl := must(cl.Place(one)); pl.Node != "n1" || pl.AllocID != 2 {
		t.Fatalf("%+v", pl)
	}
}

func TestScoreNodeErrors(t *testing.T) {
	cl := scoreCluster(t)
	defer cl.Close()
	three := chipsReq(3)
	must(cl.PlaceOn("n0", chipsReq(1)))
	must(cl.PlaceOn("n0", chipsReq(1)))
	// Chips 0 and 1 are taken: 2 free, a window of 2.
	const full = "no free window of 3 chips on inf1.6xlarge: free chips 2,3, largest free window 2"
	_, err := cl.ScoreNode("n0", three)
	wantErr(t, err, ErrFull, full)
	before := must(cl.Dump())
	_, err = cl.PlaceOn("n0", three)
	wantErr(t, err, ErrFull, full)
	if after := must(cl.Dump()); after != before {
		t.Fatalf("a failed PlaceOn changed the cluster:\n%s\n%s", before, after)
	}
	_, err = cl.ScoreNode("n0", chipsReq(8))
	wantErr(t, err, ErrNoFit, "no instances can satisfy the requested Inf quantity - requested 8 Inf but instances only have 4 Inf available")
	_, err = cl.PlaceOn("n0", chipsReq(8))
	wantErr(t, err, ErrNoFit, "")
	_, err = cl.ScoreNode("nx", three)
	wantErr(t, err, ErrNotFound, `no node "nx" in the cluster`)
	_, err = cl.PlaceOn("nx", three)
	wantErr(t, err, ErrNotFound, `no node "nx" in the cluster`)
	_, err = cl.ScoreNode("n\x00", three)
	wantErr(t, err, ErrInvalid, "node name contains a NUL byte")
	_, err = cl.PlaceOn("n\x00", three)
	wantErr(t, err, ErrInvalid, "node name contains a NUL byte")
	bad := three
	bad.Models = []Model{{Name: "m\x00"}}
	_, err = cl.ScoreNode("n0", bad)
	wantErr(t, err, ErrInvalid, "model name contains a NUL byte")
	_, err = cl.PlaceOn("n0", bad)
	wantErr(t, err, ErrInvalid, "model name contains a NUL byte")
	neg := three
	neg.Inf = -1
	_, err = cl.ScoreNode("n0", neg)
	wantErr(t, err, ErrRange, "")
	// A core-granular request: 8 cores of the 8 free (chips 2 and 3) fit; 9 do not.
	cores := NewRequest()
	cores.NeuronCores, cores.CPUMilli = 8, 0
	if s := must(cl.ScoreNode("n0", cores)); s.Leftover != 0 {
		t.Fatalf("%+v", s)
	}
	cores.NeuronCores = 9
	_, err = cl.ScoreNode("n0", cores)
	wantErr(t, err, ErrFull, "")

	// Topology: a torus takes 1, 4, 8 or 16 chips, with AWS's text.
	cat := must(NewCatalog(0))
	defer cat.Close()
	tc := must(NewCluster())
	defer tc.Close()
	must(tc.AddNodeGroup(cat, NodeGroupSpec{Name: "trn", Type: "trn1.32xlarge", MaxNodes: 1}))
	must(tc.AddNode("t0", "trn"))
	_, err = tc.ScoreNode("t0", chipsReq(7))
	wantErr(t, err, ErrTopology, "Instance type trn1.32xlarge does not support requests for device: 7. Please request a different number of devices.")

	cl.Close()
	_, err = cl.ScoreNode("n0", three)
	wantErr(t, err, ErrInvalid, "cluster is closed")
	_, err = cl.PlaceOn("n0", three)
	wantErr(t, err, ErrInvalid, "cluster is closed")
}

func TestNodeScoreCompareTerms(t *testing.T) {
	a := NodeScore{Priority: 1, Leftover: 2, FreeAfter: 100}
	cases := []struct {
		b    NodeScore
		sign int
	}{
		{a, 0},
		{NodeScore{Priority: 2, Leftover: 9, FreeAfter: 100}, 1}, // a higher priority wins over any leftover
		{NodeScore{Priority: 1, Leftover: 1, FreeAfter: 100}, 1},
		{NodeScore{Priority: 1, Leftover: 2, FreeAfter: 200}, -1},
		{NodeScore{Priority: 1, Leftover: 2, FreeAfter: 100, NodeGroup: 1}, -1},
		{NodeScore{Priority: 1, Leftover: 2, FreeAfter: 100, Seq: 1}, -1},
	}
	for i, c := range cases {
		got := a.Compare(c.b)
		if (got < 0 && c.sign >= 0) || (got > 0 && c.sign <= 0) || (got == 0 && c.sign != 0) {
			t.Errorf("case %d: Compare = %d, want sign %d", i, got, c.sign)
		}
		if back := c.b.Compare(a); (back < 0) != (got > 0) || (back == 0) != (got == 0) {
			t.Errorf("case %d: not antisymmetric: %d, %d", i, got, back)
		}
	}
}

// TestScoreNodeConcurrent scores from many goroutines while others place and release (run with -race).
func TestScoreNodeConcurrent(t *testing.T) {
	cl := scoreCluster(t)
	defer cl.Close()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := cl.ScoreNode("n0", chipsReq(1)); err != nil && !errorsIsFull(err) {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				p, err := cl.PlaceOn("n1", chipsReq(1))
				if err != nil {
					if !errorsIsFull(err) {
						t.Error(err)
					}
					continue
				}
				if err := cl.Release(p.Node, p.AllocID); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if st := must(must(cl.Node(1)).Status()); st.Allocations != 0 || st.FreeChips != 4 {
		t.Fatalf("%+v", st)
	}
}

func errorsIsFull(err error) bool {
	e, ok := err.(*Error)
	return ok && e.Code == CodeFull
}
